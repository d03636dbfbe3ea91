package victorialogs

import "testing"

func TestPrintable(t *testing.T) {
	cases := map[string]string{
		"plain text: é ü":        "plain text: é ü",
		"esc \x1b[31mred\x1b[0m": `esc \x1b[31mred\x1b[0m`,
		"nl\nbell\a":             `nl\nbell\a`,
		"bad \xff byte":          `bad \xff byte`,
		"bidi \u202e":            `bidi \u202e`,
	}
	for in, want := range cases {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}
