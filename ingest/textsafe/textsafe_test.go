package textsafe

import (
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	cases := []struct {
		name, in, want, wantLine string
	}{
		{"plain", "GET /api/orders/42 ok", "GET /api/orders/42 ok", "GET /api/orders/42 ok"},
		{"unicode kept", "café 日本 ✓", "café 日本 ✓", "café 日本 ✓"},
		{"newline and tab", "a\tb\nc", "a\tb\nc", `a\tb\nc`},
		{"SGR colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, `\x1b[31mred\x1b[0m`},
		{"clear screen and home", "\x1b[2J\x1b[H", `\x1b[2J\x1b[H`, `\x1b[2J\x1b[H`},
		{"OSC 52 clipboard with BEL", "\x1b]52;c;cm0gLXJmIH4=\x07", `\x1b]52;c;cm0gLXJmIH4=\x07`, `\x1b]52;c;cm0gLXJmIH4=\x07`},
		{"OSC title with ST", "\x1b]0;pwned\x1b\\", `\x1b]0;pwned\x1b\`, `\x1b]0;pwned\x1b\`},
		{"BEL", "ding\x07", `ding\x07`, `ding\x07`},
		{"CR overwrite", "ok\rFAIL", `ok\x0dFAIL`, `ok\x0dFAIL`},
		{"backspace and NUL", "a\bb\x00", `a\x08b\x00`, `a\x08b\x00`},
		{"DEL", "x\x7fy", `x\x7fy`, `x\x7fy`},
		{"C1 CSI as a rune", "\u009b31mred", `\x9b31mred`, `\x9b31mred`},
		{"C1 NEL and OSC", "\u0085\u009d", `\x85\x9d`, `\x85\x9d`},
		{"raw 0x9b byte", "a\x9b31mb", `a\x9b31mb`, `a\x9b31mb`},
		{"invalid UTF-8", "\xff\xfe", `\xff\xfe`, `\xff\xfe`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
		{"bidi marks", "a\u200eb\u200fc\u061cd", `a\u200eb\u200fc\u061cd`, `a\u200eb\u200fc\u061cd`},
		{"line separator", "a\u2028b", `a\u2028b`, `a\u2028b`},
		{"empty", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text(tc.in); got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := Line(tc.in); got != tc.wantLine {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.wantLine)
			}
		})
	}
}

// FuzzSanitize checks the invariant: the output holds no byte a terminal
// interprets (controls other than \n and \t, DEL, C1 controls, invalid
// UTF-8), and clean input is returned unchanged.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "ok", "\x1b[31m", "\x1b]52;c;x\x07", "\u009b", "\xff", "a\nb\tc", "日本\u202e", "\u200f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, line := range []bool{false, true} {
			out := sanitize(s, line)
			if !utf8.ValidString(out) {
				t.Fatalf("sanitize(%q) = %q is not valid UTF-8", s, out)
			}
			for _, r := range out {
				switch {
				case r == '\n' || r == '\t':
					if line {
						t.Fatalf("Line(%q) kept %q", s, r)
					}
				case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || IsBidiOrSeparator(r):
					t.Fatalf("sanitize(%q) = %q keeps %U", s, out, r)
				}
			}
			if clean(s, line) && out != s {
				t.Fatalf("clean %q changed to %q", s, out)
			}
		}
	})
}
