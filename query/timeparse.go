package query

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// absoluteLayouts are the absolute time forms ParseTime accepts, most
// specific first. Forms without a zone are UTC.
var absoluteLayouts = []struct {
	layout string
	zoned  bool
}{
	{time.RFC3339Nano, true},
	{"2006-01-02T15:04:05.999999999", false},
	{"2006-01-02 15:04:05.999999999Z07:00", true},
	{"2006-01-02 15:04:05.999999999", false},
	{"2006-01-02T15:04Z07:00", true},
	{"2006-01-02T15:04", false},
	{"2006-01-02 15:04", false},
	{time.DateOnly, false},
}

// ParseTime parses a time given on the command line or in the TUI. It
// accepts RFC 3339 (with or without fractional seconds; a space may replace
// the T; without a zone the time is UTC), a date alone (midnight UTC), the
// word "now", and relative durations such as "90s", "15m", "2h", "1h30m",
// "3d" or "1w", which are counted back from newest — the newest ingested
// event, not the wall clock, so that old logs can be investigated with the
// same words. A relative time with a zero newest (an empty index) is an error.
func ParseTime(s string, newest time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty time")
	}
	if isRelative(s) {
		d, err := parseRelative(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", s, err)
		}
		if newest.IsZero() {
			return time.Time{}, fmt.Errorf("relative time %q counts back from the newest ingested event, and the index is empty", s)
		}
		return newest.Add(-d), nil
	}
	for _, l := range absoluteLayouts {
		t, err := time.Parse(l.layout, s)
		if err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2025-01-06T14:02:00Z), a date (2025-01-06) or a duration back from the newest event (15m, 2h, 3d, 1h30m)", s)
}

// isRelative reports whether s looks like a relative duration rather than a
// date: "now", or digits followed by a unit letter, with no '-' or ':' after
// the first character.
func isRelative(s string) bool {
	if strings.EqualFold(s, "now") {
		return true
	}
	if strings.ContainsAny(s, ":T ") || strings.Count(s, "-") > 1 {
		return false
	}
	body := strings.TrimPrefix(s, "-")
	return body != "" && body[0] >= '0' && body[0] <= '9' && !strings.Contains(body, "-")
}

// relativeUnits are the units of a relative time, longest first so that
// "ms" is not read as minutes.
var relativeUnits = []struct {
	name string
	d    time.Duration
}{
	{"ms", time.Millisecond},
	{"s", time.Second},
	{"m", time.Minute},
	{"h", time.Hour},
	{"d", 24 * time.Hour},
	{"w", 7 * 24 * time.Hour},
}

// parseRelative parses a sequence of number+unit terms ("1h30m", "1.5h").
// A leading '-' is allowed and ignored: "-15m" and "15m" both mean 15
// minutes back.
func parseRelative(s string) (time.Duration, error) {
	if strings.EqualFold(s, "now") {
		return 0, nil
	}
	s = strings.ToLower(strings.TrimPrefix(s, "-"))
	var total float64
	for s != "" {
		i := 0
		dot := false
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' && !dot) {
			if s[i] == '.' {
				dot = true
			}
			i++
		}
		if i == 0 || s[:i] == "." {
			return 0, fmt.Errorf("expected a number at %q", s)
		}
		num := s[:i]
		s = s[i:]
		var unit time.Duration
		for _, u := range relativeUnits {
			if strings.HasPrefix(s, u.name) {
				unit, s = u.d, s[len(u.name):]
				break
			}
		}
		if unit == 0 {
			if s == "" {
				return 0, fmt.Errorf("number %s has no unit (s, m, h, d, w)", num)
			}
			return 0, fmt.Errorf("unknown unit at %q (want ms, s, m, h, d or w)", s)
		}
		var v float64
		if _, err := fmt.Sscanf(num, "%g", &v); err != nil {
			return 0, fmt.Errorf("bad number %q: %w", num, err)
		}
		total += v * float64(unit)
		if total > float64(math.MaxInt64/2) {
			return 0, errors.New("duration too large")
		}
	}
	return time.Duration(total), nil
}
