package logline

import (
	"strconv"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/model"
	"github.com/tidwall/gjson"
)

// levelScheme says how a numeric level is to be read. The key a level comes
// from decides it (severityNumber is OpenTelemetry, PRIORITY is syslog, ...);
// levelAuto guesses from the magnitude.
type levelScheme uint8

const (
	levelAuto      levelScheme = iota
	levelPino                  // pino and bunyan: 10 trace ... 60 fatal
	levelOTel                  // OpenTelemetry severityNumber 1-24
	levelSyslog                // syslog / journald PRIORITY 0-7, lower is worse
	levelLogback               // logstash-logback level_value 5000-50000
	levelSlog                  // slog numeric: -4 debug, 0 info, 4 warn, 8 error
	levelVerbosity             // logr/klog V-level: 0 info, 1 and up debug
	levelLogbook               // Python Logbook: 9 trace, 10 debug, 11-12 info, 13 warn, 14 error, 15 critical
)

// normalizeLevel maps a level value of any common logger to one of the
// index.Level* names, or "" when it is not a level. Strings are matched
// case-insensitively with their synonyms (warning, wrn, err, crit, notice,
// verbose, ...) and slog's offsets ("INFO+2", "ERROR-4"); numbers are read by
// the scheme the source's convention names, or with levelAuto by magnitude:
// multiples of 10 up to 60 as pino/bunyan, 0-7 as syslog, 8-24 as
// OpenTelemetry severityNumber, thousands as logstash level_value.
func normalizeLevel(r gjson.Result, scheme levelScheme) string {
	switch r.Type {
	case gjson.String:
		return levelFromString(r.Str, scheme)
	case gjson.Number:
		n, ok := levelNumber(r.Raw)
		if !ok {
			return ""
		}
		return levelFromNumber(n, scheme)
	}
	return ""
}

// levelNumber reads an integral level; fractions are not levels.
func levelNumber(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, false
		}
		n = int64(f)
	}
	return n, true
}

func levelFromNumber(n int64, scheme levelScheme) string {
	if scheme == levelAuto {
		switch {
		case n < 0:
			scheme = levelSlog
		case n <= 7:
			scheme = levelSyslog
		case n >= 1000:
			scheme = levelLogback
		case n%10 == 0 && n <= 60:
			scheme = levelPino
		case n <= 24:
			scheme = levelOTel
		case n <= 100:
			scheme = levelPino
		default:
			return ""
		}
	}
	switch scheme {
	case levelPino:
		switch {
		case n < 10 || n >= 100:
			return ""
		case n < 20:
			return index.LevelTrace
		case n < 30:
			return index.LevelDebug
		case n < 40:
			return index.LevelInfo
		case n < 50:
			return index.LevelWarn
		case n < 60:
			return index.LevelError
		default:
			return index.LevelFatal
		}
	case levelOTel:
		switch {
		case n < 1 || n > 24:
			return ""
		case n <= 4:
			return index.LevelTrace
		case n <= 8:
			return index.LevelDebug
		case n <= 12:
			return index.LevelInfo
		case n <= 16:
			return index.LevelWarn
		case n <= 20:
			return index.LevelError
		default:
			return index.LevelFatal
		}
	case levelVerbosity:
		switch {
		case n < 0:
			return ""
		case n == 0:
			return index.LevelInfo
		}
		return index.LevelDebug
	case levelSyslog:
		switch n {
		case 0, 1, 2:
			return index.LevelFatal
		case 3:
			return index.LevelError
		case 4:
			return index.LevelWarn
		case 5, 6:
			return index.LevelInfo
		case 7:
			return index.LevelDebug
		}
		return ""
	case levelLogback:
		switch {
		case n < 0 || n > 100000:
			return ""
		case n < 10000:
			return index.LevelTrace
		case n < 20000:
			return index.LevelDebug
		case n < 30000:
			return index.LevelInfo
		case n < 40000:
			return index.LevelWarn
		case n < 50000:
			return index.LevelError
		default:
			return index.LevelFatal
		}
	case levelSlog:
		return slogLevel(n)
	case levelLogbook:
		switch n {
		case 9:
			return index.LevelTrace
		case 10:
			return index.LevelDebug
		case 11, 12:
			return index.LevelInfo
		case 13:
			return index.LevelWarn
		case 14:
			return index.LevelError
		case 15:
			return index.LevelFatal
		}
		return ""
	}
	return ""
}

// slogLevel maps slog's numeric scale (DEBUG -4, INFO 0, WARN 4, ERROR 8).
func slogLevel(n int64) string {
	switch {
	case n < -4:
		return index.LevelTrace
	case n < 0:
		return index.LevelDebug
	case n < 4:
		return index.LevelInfo
	case n < 8:
		return index.LevelWarn
	case n < 12:
		return index.LevelError
	default:
		return index.LevelFatal
	}
}

// slogBase is the numeric value of the slog level names, for "INFO+2".
var slogBase = map[string]int64{"debug": -4, "info": 0, "warn": 4, "error": 8}

// levelFromString normalises a level string without allocating for the
// common short forms.
func levelFromString(s string, scheme levelScheme) string {
	s = trimASCIISpace(s)
	if s == "" || len(s) > 24 {
		return ""
	}
	var buf [24]byte
	lower := buf[:len(s)]
	sign := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if (c == '+' || c == '-') && sign < 0 && i > 0 {
			sign = i
		}
		lower[i] = c
	}
	if lv, ok := model.LevelOfLower(lower); ok {
		return lv
	}
	switch string(lower) {
	case "log":
		// The level of console.log-style APIs (NestJS's Logger.log, Deno's
		// and the browser console's levels): their info.
		return index.LevelInfo
	case "slow":
		// go-zero's logx has no warn: slow calls are its warnings.
		return index.LevelWarn
	case "stat":
		// go-zero's periodic statistics lines.
		return index.LevelInfo
	}
	if sign > 0 {
		// slog's "INFO+2", "ERROR-4".
		base, ok := slogBase[string(lower[:sign])]
		if !ok {
			return ""
		}
		off, err := strconv.ParseInt(string(lower[sign+1:]), 10, 64)
		if err != nil || off > 1000 {
			return ""
		}
		if lower[sign] == '-' {
			off = -off
		}
		return slogLevel(base + off)
	}
	if c := lower[0]; ('0' <= c && c <= '9') || c == '-' {
		n, err := strconv.ParseInt(string(lower), 10, 64)
		if err != nil {
			return ""
		}
		return levelFromNumber(n, scheme)
	}
	return ""
}

func trimASCIISpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n') {
		s = s[1:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}
