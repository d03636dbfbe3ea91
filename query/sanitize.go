package query

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/clipperhouse/displaywidth"
)

// Sanitize makes a string from a log safe to print on a terminal. Log lines
// are attacker-controlled: an escape sequence in a user agent or an error
// message could otherwise recolour the screen, move the cursor, set the
// window title or write the clipboard (OSC 52). Sanitize keeps newlines and
// tabs and makes everything else that a terminal would interpret visible:
//
//   - ESC becomes the four characters \x1b, other C0 controls (including CR
//     and BEL) and DEL become \xNN;
//   - C1 controls (U+0080–U+009F, e.g. the single-byte CSI U+009B) become \xNN;
//   - bytes that are not valid UTF-8 become \xNN, so that an 8-bit terminal
//     never sees a raw 0x9b;
//   - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069)
//     and the line and paragraph separators become \uNNNN, so text cannot be
//     visually reordered.
//
// Printable text, including non-ASCII letters, is returned unchanged.
func Sanitize(s string) string { return sanitize(s, false) }

// SanitizeLine is Sanitize for one-line displays (a table cell, a timeline
// row): it also turns newlines into \n and tabs into \t.
func SanitizeLine(s string) string { return sanitize(s, true) }

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
		case isBidiOrSeparator(r):
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
		case r >= 0x80 && r <= 0x9f, isBidiOrSeparator(r):
			return false
		}
	}
	return true
}

func isBidiOrSeparator(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029
}

// width returns the number of terminal columns s occupies, assuming s is
// sanitised and holds no control characters. It measures grapheme clusters
// with github.com/clipperhouse/displaywidth, the library the TUI's
// renderer (charmbracelet/x/ansi) uses, so that a column of emoji, CJK or
// combining marks lines up the same in the CLI and the TUI.
func width(s string) int { return displaywidth.String(s) }

// truncate cuts s to at most w columns, ending with "…" when it cut. It
// never splits a grapheme cluster. w <= 0 means no limit.
func truncate(s string, w int) string {
	if w <= 0 || width(s) <= w {
		return s
	}
	if w == 1 {
		return "…"
	}
	return truncateRaw(s, w-1, false) + "…"
}

// truncateRaw returns the longest prefix of s, in whole grapheme clusters,
// of at most w columns; with atLeastOne it keeps the first cluster even
// when it is wider than w.
func truncateRaw(s string, w int, atLeastOne bool) string {
	n, end := 0, 0
	g := displaywidth.StringGraphemes(s)
	for g.Next() {
		gw := g.Width()
		if n+gw > w && (end > 0 || !atLeastOne) {
			break
		}
		n += gw
		end += len(g.Value())
	}
	return s[:end]
}

// pad right-pads s with spaces to w columns (truncating when longer).
func pad(s string, w int) string {
	s = truncate(s, w)
	if d := w - width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// padLeft left-pads s with spaces to w columns.
func padLeft(s string, w int) string {
	if d := w - width(s); d > 0 {
		return strings.Repeat(" ", d) + s
	}
	return s
}

// CleanRequestID trims what a paste or a line of a file often carries
// around a request ID: whitespace, quotes (straight, typographic and
// backticks), brackets, a trailing comma, semicolon or period. The CLI
// (`request ID`, `request -`, `tui ID`) and the TUI's input use it, so an
// ID pasted anywhere means the same request.
func CleanRequestID(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := strings.Trim(s, " \t\r\n\"'`“”‘’<>[](){},;")
		t = strings.TrimSuffix(t, ".")
		if t == s {
			return s
		}
		s = t
	}
}
