// Package textsafe makes text that comes from logs safe to print on a
// terminal. Log lines are attacker-controlled: an escape sequence in a user
// agent or an error message could otherwise recolour the screen, move the
// cursor, set the window title or write the clipboard (OSC 52). It is a
// leaf package so that ingest (dry runs, summaries) and query (reports, the
// TUI through query) escape in exactly the same way.
package textsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text keeps newlines and tabs and makes everything else that a terminal
// would interpret visible:
//
//   - ESC becomes the four characters \x1b, other C0 controls (including CR
//     and BEL) and DEL become \xNN;
//   - C1 controls (U+0080–U+009F, e.g. the single-byte CSI U+009B) become \xNN;
//   - bytes that are not valid UTF-8 become \xNN, so that an 8-bit terminal
//     never sees a raw 0x9b;
//   - bidirectional overrides, isolates and marks (U+202A–U+202E,
//     U+2066–U+2069, U+200E, U+200F, U+061C) and the line and paragraph
//     separators become \uNNNN, so text cannot be visually reordered.
//
// Printable text, including non-ASCII letters, is returned unchanged.
func Text(s string) string { return sanitize(s, false) }

// Line is Text for one-line displays (a table cell, a timeline row, a line
// of a summary): it also turns newlines into \n and tabs into \t.
func Line(s string) string { return sanitize(s, true) }

func sanitize(s string, oneLine bool) string {
	if clean(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\n' && oneLine:
				b.WriteString(`\n`)
			case c == '\t' && oneLine:
				b.WriteString(`\t`)
			case c == '\n' || c == '\t':
				b.WriteByte(c)
			case c < 0x20 || c == 0x7f:
				fmt.Fprintf(&b, `\x%02x`, c)
			default:
				b.WriteByte(c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, c)
		case r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case IsBidiOrSeparator(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean reports whether s needs no escaping, without allocating.
func clean(s string, oneLine bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return cleanUnicode(s[i:])
		}
		if c < 0x20 || c == 0x7f {
			if c == '\t' || c == '\n' {
				if oneLine {
					return false
				}
				continue
			}
			return false
		}
	}
	return true
}

func cleanUnicode(s string) bool {
	for i, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			return false // conservative: let sanitize decide about \n and \t
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		case r >= 0x80 && r <= 0x9f, IsBidiOrSeparator(r):
			return false
		}
	}
	return true
}

// IsBidiOrSeparator reports a rune that can visually reorder or break a
// line although it prints nothing: the bidirectional overrides, isolates
// and marks and the line and paragraph separators. Text and Line escape
// them; a JSON escaper can use it to do the same.
func IsBidiOrSeparator(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x2028 || r == 0x2029 || r == 0x200e || r == 0x200f || r == 0x061c
}
