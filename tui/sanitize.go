package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// sanitize neutralises control characters in log-derived text before it is
// drawn, so that a hostile log line cannot move the cursor, retitle the
// window or write the clipboard: ESC becomes `\x1b`, other C0 controls, DEL
// and C1 controls become `\xNN`; newlines and tabs are kept; invalid UTF-8
// becomes U+FFFD.
//
// It mirrors query.Sanitize, which lands in package query concurrently;
// switch to it (and delete this file) once query exports it.
func sanitize(s string) string { return neutralise(s, true) }

// sanitizeLine is sanitize for text drawn on one line: it also escapes
// newlines, carriage returns and tabs. It mirrors query.SanitizeLine.
func sanitizeLine(s string) string { return neutralise(s, false) }

func neutralise(s string, keepLayout bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
		case (r == '\n' || r == '\t') && keepLayout:
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
}
