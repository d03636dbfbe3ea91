package syntax

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"
)

// refWords is the word definition spelled out rune by rune: maximal runs of
// letters and digits, lower-cased, each cut to MaxWordLen bytes.
func refWords(s []byte) []string {
	var out []string
	var w []byte
	flush := func() {
		if len(w) > 0 {
			out = append(out, string(truncateUTF8(w, MaxWordLen)))
			w = w[:0]
		}
	}
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		s = s[n:]
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			w = utf8.AppendRune(w, unicode.ToLower(r))
		} else {
			flush()
		}
	}
	flush()
	return out
}

func splitAll(sp *WordSplitter, s []byte) []string {
	var out []string
	sp.Each(s, func(w []byte) { out = append(out, string(w)) })
	return out
}

// TestWordSplitterMatchesDefinition compares the splitter (with its
// ASCII fast path) to the rune-by-rune definition on chosen and random
// inputs, reusing one splitter as the encoder does.
func TestWordSplitterMatchesDefinition(t *testing.T) {
	long := make([]byte, 0, 600)
	for len(long) < 590 {
		long = append(long, "aé9Z"...)
	}
	cases := []string{
		"", " ", "abc", "ABC", "a-b_c.d", "GET /api/v1/users/42 HTTP/1.1", "Ünïcödé ŞTRAßE", "x\xffy", "tail\xe2\x82",
		"mixedCASE123 lower UPPER", "日本語のテキスト 123", "ǅungla", "cafés", string(long), "a" + string(long) + "b",
		"€uro 5€", "\u00a0nbsp\u00a0", "İstanbul",
	}
	var sp WordSplitter
	for _, c := range cases {
		if got, want := splitAll(&sp, []byte(c)), refWords([]byte(c)); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", c, got, want)
		}
	}
	alphabet := []string{"a", "z", "A", "Z", "0", "9", " ", "-", "\"", "é", "É", "ß", "日", "\xff", "\xe2", "_", "\u0130", "\u212a"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b []byte
		for range rng.IntN(40) {
			b = append(b, alphabet[rng.IntN(len(alphabet))]...)
		}
		if got, want := splitAll(&sp, b), refWords(b); !slices.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", b, got, want)
		}
	}
}

// FuzzWordSplitter checks the splitter against the definition on any input.
func FuzzWordSplitter(f *testing.F) {
	f.Add([]byte("Hello, Wörld 42"))
	var sp WordSplitter
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := splitAll(&sp, b), refWords(b); !slices.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", b, got, want)
		}
	})
}
