package logline

import (
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Years outside this range are treated as garbage (a counter mistaken for a
// timestamp, a zero value), not as a time.
const (
	minYear = 1971
	maxYear = 2199
)

// ParseTime reads a log time in any common encoding: RFC 3339 / ISO 8601
// strings (see ParseTimeString), epoch numbers in seconds, milliseconds,
// microseconds or nanoseconds (decided by magnitude, fractions kept, as zap's
// float seconds), numeric strings (OpenTelemetry's timeUnixNano), and Google's
// {"seconds":..,"nanos":..} objects. It reports false for anything else and
// for years outside 1971-2199.
func ParseTime(r gjson.Result) (time.Time, bool) {
	switch r.Type {
	case gjson.Number:
		return parseEpoch(r.Raw)
	case gjson.String:
		return ParseTimeString(r.Str)
	case gjson.JSON:
		if !r.IsObject() {
			return time.Time{}, false
		}
		return timeObject(r)
	}
	return time.Time{}, false
}

// timeObject reads the time objects loggers write: Google's and protobuf's
// {seconds, nanos}, log4j2's instant {epochSecond, nanoOfSecond}, loguru's
// {repr, timestamp}, MongoDB's {$date}, and objects holding one time under
// a usual name ({timestamp}, {iso}, {value}).
func timeObject(r gjson.Result) (time.Time, bool) {
	for _, p := range [][2]string{{"seconds", "nanos"}, {"epochSecond", "nanoOfSecond"}, {"epoch_second", "nano_of_second"}} {
		if secs := r.Get(p[0]); secs.Exists() {
			return epochPair(secs, r.Get(p[1]))
		}
	}
	for _, k := range []string{`\$date`, "timestamp", "repr", "iso", "value", "time", "epochMillis", "millis"} {
		if v := r.Get(k); v.Exists() && v.Type != gjson.JSON {
			if t, ok := ParseTime(v); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// epochPair combines whole seconds and nanoseconds (Google's
// timestampSeconds/timestampNanos and {seconds,nanos}).
func epochPair(secs, nanos gjson.Result) (time.Time, bool) {
	var s int64
	switch secs.Type {
	case gjson.Number, gjson.String:
		v, err := strconv.ParseInt(strings.TrimSpace(secs.String()), 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		s = v
	default:
		return time.Time{}, false
	}
	var ns int64
	if nanos.Exists() {
		v, err := strconv.ParseInt(strings.TrimSpace(nanos.String()), 10, 64)
		if err != nil || v < 0 || v >= 1e9 {
			return time.Time{}, false
		}
		ns = v
	}
	return checkYear(time.Unix(s, ns).UTC())
}

// ParseTimeString parses a time string: RFC 3339 and ISO 8601 variants with
// or without zone, fraction or seconds, with 'T', '_' or a space between date
// and time, '-' or '/' in the date, a comma or a dot before the fraction
// (python's asctime "2026-11-25 14:03:07,123"), any number of fraction digits
// (Serilog writes 7), zones as Z, ±hh:mm, ±hhmm, ±hh or UTC/GMT (Powertools'
// "2026-11-25 14:03:07,123+0000"); epoch numbers as strings; and a few
// classic layouts (RFC 1123, ANSIC, Apache's 25/Nov/2026:14:03:07 +0000,
// Go's time.String). A time without a zone is taken as UTC: the writer's
// local zone is not knowable from the line, and UTC keeps such sources
// consistent with each other.
func ParseTimeString(s string) (time.Time, bool) {
	s = trimASCIISpace(s)
	if len(s) < 8 || len(s) > 64 {
		return time.Time{}, false
	}
	if isEpochString(s) {
		return parseEpoch(s)
	}
	if t, ok := parseISO(s); ok {
		return t, true
	}
	return parseLayouts(s)
}

func isEpochString(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' && !dot && i > 0 {
			dot = true
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseEpoch reads a non-negative decimal number of seconds, milliseconds,
// microseconds or nanoseconds since 1970, choosing the unit by the number of
// integer digits: up to 11 seconds (until year 5138), 12-14 milliseconds,
// 15-17 microseconds, 18-19 nanoseconds. Digits are read exactly, not through
// a float, so nanosecond precision survives.
func parseEpoch(raw string) (time.Time, bool) {
	intPart, frac := raw, ""
	if i := strings.IndexByte(raw, '.'); i >= 0 {
		intPart, frac = raw[:i], raw[i+1:]
	}
	if strings.ContainsAny(raw, "eE") {
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || f < 0 || f > 1e19 {
			return time.Time{}, false
		}
		intPart = strconv.FormatFloat(f, 'f', -1, 64)
		frac = ""
		if i := strings.IndexByte(intPart, '.'); i >= 0 {
			intPart, frac = intPart[:i], intPart[i+1:]
		}
	}
	if intPart == "" || len(intPart) > 19 || !allDigits(intPart) || !allDigits(frac) {
		return time.Time{}, false
	}
	n, err := strconv.ParseUint(intPart, 10, 64)
	if err != nil || n > 1<<63-1 {
		return time.Time{}, false
	}
	var unitDigits int // decimal digits of the unit below one second
	switch d := len(strings.TrimLeft(intPart, "0")); {
	case d <= 11:
		unitDigits = 0
	case d <= 14:
		unitDigits = 3
	case d <= 17:
		unitDigits = 6
	default:
		unitDigits = 9
	}
	var div uint64 = 1
	for range unitDigits {
		div *= 10
	}
	sec := int64(n / div)
	nsec := int64(n%div) * int64(pow10(9-unitDigits))
	// The fraction is in the same unit: it fills the remaining digits.
	if rem := 9 - unitDigits; rem > 0 && frac != "" {
		if len(frac) > rem {
			frac = frac[:rem]
		}
		f, _ := strconv.ParseInt(frac, 10, 64)
		nsec += f * int64(pow10(rem-len(frac)))
	}
	return checkYear(time.Unix(sec, nsec).UTC())
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func checkYear(t time.Time) (time.Time, bool) {
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, false
	}
	return t, true
}

// parseISO is a hand-written, allocation-free reader for the ISO 8601 family.
func parseISO(s string) (time.Time, bool) {
	var p isoParser
	p.s = s
	year, ok := p.num(4, 4)
	if !ok {
		return time.Time{}, false
	}
	sep := p.peek()
	if sep != '-' && sep != '/' {
		return time.Time{}, false
	}
	p.i++
	month, ok := p.num(1, 2)
	if !ok || !p.eat(sep) {
		return time.Time{}, false
	}
	day, ok := p.num(1, 2)
	if !ok {
		return time.Time{}, false
	}
	var hour, minute, sec, nsec int
	loc := time.UTC
	if p.i < len(s) {
		switch p.peek() {
		case 'T', 't', ' ', '_':
			p.i++
		default:
			return time.Time{}, false
		}
		if hour, ok = p.num(2, 2); !ok || !p.eat(':') {
			return time.Time{}, false
		}
		if minute, ok = p.num(2, 2); !ok {
			return time.Time{}, false
		}
		if p.eat(':') {
			if sec, ok = p.num(2, 2); !ok {
				return time.Time{}, false
			}
			if c := p.peek(); c == '.' || c == ',' {
				p.i++
				if nsec, ok = p.fraction(); !ok {
					return time.Time{}, false
				}
			}
		}
		if loc, ok = p.zone(); !ok {
			return time.Time{}, false
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Day() != day && hour < 24 && sec < 60 {
		return time.Time{}, false // 2026-02-31
	}
	return checkYear(t.UTC())
}

type isoParser struct {
	s string
	i int
}

func (p *isoParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *isoParser) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *isoParser) num(minDigits, maxDigits int) (int, bool) {
	n, d := 0, 0
	for p.i < len(p.s) && d < maxDigits {
		c := p.s[p.i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		p.i++
		d++
	}
	return n, d >= minDigits
}

// fraction reads any number of digits and returns nanoseconds.
func (p *isoParser) fraction() (int, bool) {
	n, d := 0, 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c < '0' || c > '9' {
			break
		}
		if d < 9 {
			n = n*10 + int(c-'0')
		}
		d++
		p.i++
	}
	if d == 0 {
		return 0, false
	}
	for k := d; k < 9; k++ {
		n *= 10
	}
	return n, true
}

// zone reads what follows the time: nothing, Z, a numeric offset, UTC/GMT,
// optionally followed by a zone abbreviation (Go's "+0000 UTC").
func (p *isoParser) zone() (*time.Location, bool) {
	for p.peek() == ' ' {
		p.i++
	}
	rest := p.s[p.i:]
	switch {
	case rest == "":
		return time.UTC, true
	case rest == "Z" || rest == "z":
		return time.UTC, true
	case rest == "UTC" || rest == "GMT":
		return time.UTC, true
	case strings.HasPrefix(rest, "UTC") || strings.HasPrefix(rest, "GMT"):
		p.i += 3 // "UTC+02:00": the offset follows
	}
	c := p.peek()
	if c != '+' && c != '-' {
		return nil, false
	}
	p.i++
	hh, ok := p.num(2, 2)
	if !ok {
		return nil, false
	}
	p.eat(':')
	mm := 0
	if p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		if mm, ok = p.num(2, 2); !ok {
			return nil, false
		}
	}
	if hh > 23 || mm > 59 {
		return nil, false
	}
	off := hh*3600 + mm*60
	if c == '-' {
		off = -off
	}
	// Allow a trailing zone abbreviation or Go's monotonic clock reading.
	if tail := trimASCIISpace(p.s[p.i:]); tail != "" && !isZoneTail(tail) {
		return nil, false
	}
	if off == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", off), true
}

func isZoneTail(s string) bool {
	if strings.HasPrefix(s, "m=") {
		return true
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		if !strings.HasPrefix(trimASCIISpace(s[i:]), "m=") {
			return false
		}
		s = s[:i]
	}
	if len(s) > 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

var timeLayouts = []string{
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	time.RubyDate,
	time.UnixDate,
	time.ANSIC,
	"02/Jan/2006:15:04:05 -0700",
	"02/Jan/2006:15:04:05",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05",
	"Jan 2, 2006 15:04:05",
	"Jan 2 2006 15:04:05",
}

func parseLayouts(s string) (time.Time, bool) {
	c := s[0]
	if !('A' <= c && c <= 'Z') && !('0' <= c && c <= '9') {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return checkYear(t.UTC())
		}
	}
	return time.Time{}, false
}
