package query

import (
	"regexp"
	"strings"
)

var (
	// goOffset is the " +0x1a2" after a Go file:line.
	goOffset = regexp.MustCompile(`\s+\+0x[0-9a-fA-F]+$`)
	// hexArg is an address or a value in a Go argument list: it changes
	// from one occurrence to the next.
	hexArg = regexp.MustCompile(`0x[0-9a-fA-F]+\??`)
)

// FrameQuery is the search clause that selects every event whose stack
// trace holds the frame on one line of a trace (as StackLines split it):
// a phrase of the line's stable words, with what changes between
// occurrences of the same frame removed (Go's argument values and +0x
// offsets, Java's "at ", a Python "File" prefix keeps its words). It is ""
// for a line that names no code (a goroutine header, "... 12 more", a
// blank line).
func FrameQuery(line string) string {
	s := strings.TrimSpace(line)
	if s == "" || strings.HasPrefix(s, "goroutine ") || strings.HasPrefix(s, "...") || strings.HasPrefix(s, "…") {
		return ""
	}
	s = goOffset.ReplaceAllString(s, "")
	s = strings.TrimPrefix(s, "at ")
	// A Go call line ends with its argument list: drop it (the values
	// change), keeping "(...)"-free function names such as
	// main.(*server).getOrder.
	if strings.HasSuffix(s, ")") {
		if i := argListStart(s); i > 0 && (hexArg.MatchString(s[i:]) || s[i:] == "(...)" || s[i:] == "()") {
			s = s[:i]
		}
	}
	s = hexArg.ReplaceAllString(s, "")
	s = strings.TrimSpace(s)
	if len(s) < 3 || !strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) {
		return ""
	}
	return queryField("stack", s)
}

// argListStart is the index of the "(" that opens the parenthesised group
// s ends with, or -1.
func argListStart(s string) int {
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
