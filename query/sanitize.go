package query

import (
	"strings"

	"github.com/clipperhouse/displaywidth"

	"github.com/culprit-dev/culprit/ingest/textsafe"
)

// Sanitize makes a string from a log safe to print on a terminal: it keeps
// newlines and tabs and makes everything else a terminal would interpret
// (escape sequences, C0 and C1 controls, invalid UTF-8, bidirectional
// controls, line separators) visible as \xNN or \uNNNN. Printable text,
// including non-ASCII letters, is returned unchanged. It is
// [textsafe.Text], shared with ingest so both escape alike.
func Sanitize(s string) string { return textsafe.Text(s) }

// SanitizeLine is Sanitize for one-line displays (a table cell, a timeline
// row): it also turns newlines into \n and tabs into \t.
func SanitizeLine(s string) string { return textsafe.Line(s) }

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
