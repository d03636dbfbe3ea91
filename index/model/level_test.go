package model

import "testing"

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]string{
		"ERROR": LevelError, " warning ": LevelWarn, "verbose": LevelTrace, "crit": LevelFatal,
		"information": LevelInfo, "dbg": LevelDebug, "fatal": LevelFatal,
	} {
		if got, ok := ParseLevel(in); !ok || got != want {
			t.Errorf("ParseLevel(%q) = %q, %v; want %q", in, got, ok, want)
		}
		if got, ok := LevelOfLower([]byte(want)); !ok || got != want {
			t.Errorf("LevelOfLower(%q) = %q, %v", want, got, ok)
		}
	}
	for _, bad := range []string{"", "loud", "errors"} {
		if got, ok := ParseLevel(bad); ok {
			t.Errorf("ParseLevel(%q) = %q, ok", bad, got)
		}
	}
	// Every canonical level is a name of itself.
	for _, lv := range Levels {
		if got, ok := ParseLevel(lv); !ok || got != lv {
			t.Errorf("ParseLevel(%q) = %q, %v", lv, got, ok)
		}
	}
}
