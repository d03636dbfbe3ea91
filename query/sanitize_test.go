package query

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	newest := time.Date(2025, 1, 6, 15, 30, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2025-01-06T14:02:11Z", time.Date(2025, 1, 6, 14, 2, 11, 0, time.UTC), ""},
		{"2025-01-06T14:02:11.123456789Z", time.Date(2025, 1, 6, 14, 2, 11, 123456789, time.UTC), ""},
		{"2025-01-06T16:02:11+02:00", time.Date(2025, 1, 6, 14, 2, 11, 0, time.UTC), ""},
		{"2025-01-06T14:02:11", time.Date(2025, 1, 6, 14, 2, 11, 0, time.UTC), ""},
		{"2025-01-06 14:02:11.5", time.Date(2025, 1, 6, 14, 2, 11, 5e8, time.UTC), ""},
		{"2025-01-06T14:02", time.Date(2025, 1, 6, 14, 2, 0, 0, time.UTC), ""},
		{"2025-01-06", time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC), ""},
		{" 15m ", newest.Add(-15 * time.Minute), ""},
		{"2h", newest.Add(-2 * time.Hour), ""},
		{"3d", newest.Add(-72 * time.Hour), ""},
		{"1w", newest.Add(-7 * 24 * time.Hour), ""},
		{"1h30m", newest.Add(-90 * time.Minute), ""},
		{"90s", newest.Add(-90 * time.Second), ""},
		{"500ms", newest.Add(-500 * time.Millisecond), ""},
		{"1.5h", newest.Add(-90 * time.Minute), ""},
		{"-15m", newest.Add(-15 * time.Minute), ""},
		{"15M", newest.Add(-15 * time.Minute), ""},
		{"now", newest, ""},
		{"", time.Time{}, "empty time"},
		{"15", time.Time{}, "no unit"},
		{"15x", time.Time{}, "unknown unit"},
		{"1h30", time.Time{}, "no unit"},
		{"yesterday", time.Time{}, "want RFC 3339"},
		{"2025-13-45", time.Time{}, "want RFC 3339"},
		{"1..5h", time.Time{}, "unknown unit"},
		{"99999999999999h", time.Time{}, "too large"},
	}
	for _, tc := range cases {
		got, err := ParseTime(tc.in, newest)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTime(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v UTC", tc.in, got, err, tc.want)
		}
	}
	if _, err := ParseTime("15m", time.Time{}); err == nil || !strings.Contains(err.Error(), "index is empty") {
		t.Errorf("relative time on an empty index: %v, want an error", err)
	}
	if got, err := ParseTime("2025-01-06", time.Time{}); err != nil || !got.Equal(time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("absolute time on an empty index: %v, %v", got, err)
	}
}

func TestNormalizeLevel(t *testing.T) {
	for in, want := range map[string]string{"ERROR": "error", "warning": "warn", "verbose": "trace", "crit": "fatal", " Info ": "info", "dbg": "debug"} {
		if got, ok := NormalizeLevel(in); !ok || got != want {
			t.Errorf("NormalizeLevel(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := NormalizeLevel("loud"); ok {
		t.Error("NormalizeLevel(loud) ok")
	}
}

func TestHumanDuration(t *testing.T) {
	cases := map[float64]string{0.03: "30 ms", 6: "6 s", 6.5: "6.5 s", 59.6: "60 s", 60: "1 min", 252: "4 min 12 s",
		3600: "1 h", 7500: "2 h 5 min", 86400 * 3: "3 d", 86400*3 + 4*3600: "3 d 4 h", -6: "6 s"}
	for in, want := range cases {
		if got := humanDuration(in); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", in, got, want)
		}
	}
	if got := signedDuration(-6); got != "-6 s" {
		t.Errorf("signedDuration(-6) = %q", got)
	}
}

// TestWidthOfGraphemes: columns are counted per grapheme cluster, as a
// terminal (and the TUI's renderer) draws them, so tables of emoji and CJK
// values stay aligned.
func TestWidthOfGraphemes(t *testing.T) {
	cases := []struct {
		s    string
		want int
	}{
		{"abc", 3},
		{"日本語", 6},
		{"e\u0301", 1},  // e + combining acute
		{"👍🏽", 2},       // emoji + skin tone modifier
		{"👩\u200d💻", 2}, // ZWJ sequence
		{"❤\ufe0f", 2},  // emoji presentation selector
		{"🇫🇷", 2},       // regional indicator pair
		{"ｱｲｳ", 3},      // halfwidth katakana
		{"Ｗｉｄｅ", 8},     // fullwidth Latin
		{"한국어 text", 11},
	}
	for _, c := range cases {
		if got := width(c.s); got != c.want {
			t.Errorf("width(%q) = %d, want %d", c.s, got, c.want)
		}
	}
	// Truncation never splits a cluster and never exceeds the width.
	for _, s := range []string{"👩\u200d💻👩\u200d💻👩\u200d💻", "日本語テキスト", "e\u0301e\u0301e\u0301e\u0301"} {
		for w := 1; w <= 7; w++ {
			got := truncate(s, w)
			if width(got) > w {
				t.Errorf("truncate(%q, %d) = %q is %d wide", s, w, got, width(got))
			}
			if body := strings.TrimSuffix(got, "…"); !strings.HasPrefix(s, body) || strings.HasSuffix(body, "\u200d") {
				t.Errorf("truncate(%q, %d) = %q splits a cluster", s, w, got)
			}
		}
	}
	if got := pad("日本", 6); got != "日本  " {
		t.Errorf("pad(日本, 6) = %q", got)
	}
}

func TestCleanRequestID(t *testing.T) {
	for in, want := range map[string]string{
		"  7f3a9c2e-1b4d  \n": "7f3a9c2e-1b4d",
		`"req-123",`:          "req-123",
		"`abc123`.":           "abc123",
		"'r-1'":               "r-1",
		"“r-2”":               "r-2",
		"[r-3];":              "r-3",
		"<r-4>":               "r-4",
		"r-5.6":               "r-5.6",
		"  ":                  "",
	} {
		if got := CleanRequestID(in); got != want {
			t.Errorf("CleanRequestID(%q) = %q, want %q", in, got, want)
		}
	}
}
