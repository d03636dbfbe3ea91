package logline

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/culprit-dev/culprit/ingest/param"
)

// fingerprint returns a short stable id (16 hex digits) grouping occurrences
// of the same error, in Sentry's grouping order:
//
//  1. a stack trace with recognisable frames: the frames reduced to
//     function and module names (ingest/stack's FingerprintFrames), in-app
//     frames only when there are any, with the root cause's exception
//     type. A stack that names no exception type (a Go call-site stack
//     from debug.Stack or zap) says where the error was logged, not what
//     it was, so the error type and the parameterised message are added
//     to it;
//  2. else the error type and the parameterised message;
//  3. else the parameterised message.
//
// Parameterising replaces the values that differ between occurrences of one
// bug (UUIDs, emails, URLs' ids, IPs, timestamps, durations, hex ids,
// numbers, quoted strings, ids in paths) with placeholders, most specific
// pattern first (see Parameterize). st is the parsed stack, nil for none.
func fingerprint(errType, message string, st *stackTrace) string {
	typ := shortType(errType)
	if st != nil {
		if frames := st.fingerprintFrames(); len(frames) > 0 {
			body := strings.Join(frames, "\n")
			if rt := shortType(st.rootType()); rt != "" {
				if rt == "panic" {
					// Go has no exception types: the panic's message
					// (index out of range, nil map) stands for one.
					rt += ": " + Parameterize(st.rootMessage())
				}
				return digest("stack", rt, body)
			}
			return digest("stack+message", typ, body+"\n\x00"+Parameterize(message))
		}
		if typ == "" {
			typ = shortType(st.rootType())
		}
		if strings.TrimSpace(message) == "" {
			message = st.rootMessage()
		}
	}
	if typ != "" {
		return digest("type", typ, Parameterize(message))
	}
	return digest("message", "", Parameterize(message))
}

func digest(kind, typ, body string) string {
	b := make([]byte, 0, len(kind)+len(typ)+len(body)+2)
	b = append(b, kind...)
	b = append(b, 0)
	b = append(b, typ...)
	b = append(b, 0)
	b = append(b, body...)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// shortType reduces an exception type to its last name: java.lang.X and X,
// builtins.ValueError and ValueError, *url.Error and url.Error group alike.
func shortType(t string) string {
	t = strings.TrimSpace(t)
	t = strings.TrimLeft(t, "*&")
	if i := strings.IndexAny(t, " \t\n"); i >= 0 {
		t = t[:i]
	}
	if i := strings.LastIndexAny(t, ".:/\\"); i >= 0 && i < len(t)-1 {
		t = t[i+1:]
	}
	return t
}

// looksLikeStack reports whether a message holds a stack trace (Google Cloud
// puts it there, and so do plain-text panics).
func looksLikeStack(s string) bool {
	if len(s) < 20 || strings.IndexByte(s, '\n') < 0 {
		return false
	}
	return strings.Contains(s, "\n\tat ") || strings.Contains(s, "\n    at ") ||
		strings.Contains(s, "\n   at ") || strings.Contains(s, "Traceback (most recent call last):") ||
		(strings.Contains(s, "goroutine ") && strings.Contains(s, "[running]:"))
}

// Parameterize replaces the parts of a message that vary between occurrences
// of the same error with placeholders, most specific pattern first: quoted
// strings {str}, UUIDs {uuid}, emails {email}, URLs (host kept, ids in the
// path as {id}), timestamps and times {time}, IP addresses {ip}, durations
// {dur}, 0x-numbers and hex ids {hex}, numbers {num}, identifier segments of
// paths {id}; any digit left inside a word becomes {num}. White space runs
// become one space. Only the first 2 KiB of a message count.
func Parameterize(s string) string {
	const maxLen = 2048
	if len(s) > maxLen {
		s = s[:maxLen]
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			space = true
			i++
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if c == '"' || c == '`' || (c == '\'' && (i == 0 || !isAlnum(s[i-1]))) {
			if j := closingQuote(s, i); j > 0 {
				b.WriteString("{str}")
				i = j + 1
				continue
			}
		}
		if isWordDelim(c) {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(s) && !isWordDelim(s[j]) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' &&
			s[j] != '"' && s[j] != '`' {
			j++
		}
		if j == i {
			b.WriteByte(c) // an unmatched quote
			i++
			continue
		}
		writeWord(&b, s[i:j])
		i = j
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordDelim(c byte) bool {
	switch c {
	case ',', ';', '(', ')', '[', ']', '{', '}', '<', '>', '|':
		return true
	}
	return false
}

// closingQuote finds the quote closing the one at i on the same line, within
// 512 bytes; a closing apostrophe must not be followed by a letter.
func closingQuote(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s) && j-i <= 512; j++ {
		switch s[j] {
		case '\n':
			return -1
		case '\\':
			j++
		case q:
			if q == '\'' && j+1 < len(s) && isAlnum(s[j+1]) {
				continue
			}
			return j
		}
	}
	return -1
}

// writeWord writes one white-space-delimited word, parameterised.
func writeWord(b *strings.Builder, w string) {
	// Trailing sentence punctuation is not part of the value.
	end := len(w)
	for end > 0 && strings.IndexByte(".,:;!?'", w[end-1]) >= 0 {
		end--
	}
	tail := w[end:]
	w = w[:end]
	if w != "" {
		b.WriteString(classifyWord(w))
	}
	b.WriteString(tail)
}

func classifyWord(w string) string {
	switch {
	case param.IsUUID(w):
		return "{uuid}"
	case isEmail(w):
		return "{email}"
	case strings.Contains(w, "://"):
		return paramURL(w)
	case isTimestampWord(w):
		return "{time}"
	case isClock(w):
		return "{time}"
	case isIPv4Word(w):
		return "{ip}" + ipv4Port(w)
	case isIPv6Word(w):
		return "{ip}"
	case isDurationWord(w):
		return "{dur}"
	case isHexNumber(w):
		return "{hex}"
	case isNumberWord(w):
		return "{num}"
	case param.IsHexID(w):
		return "{hex}"
	case len(w) > 1 && w[0] == '/' && strings.IndexByte(w[1:], '/') >= 0:
		return paramPath(w)
	}
	return param.Pieces(w)
}

func isEmail(w string) bool {
	at := strings.IndexByte(w, '@')
	if at <= 0 || at == len(w)-1 {
		return false
	}
	dot := strings.LastIndexByte(w, '.')
	return dot > at+1 && dot < len(w)-1
}

// paramURL keeps the scheme and host (with digits parameterised) and
// templates the path; the query is dropped.
func paramURL(w string) string {
	i := strings.Index(w, "://")
	rest := w[i+3:]
	host, path := rest, ""
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		host, path = rest[:j], rest[j:]
	}
	if j := strings.IndexAny(host, "?#"); j >= 0 {
		host = host[:j]
	}
	var b strings.Builder
	b.WriteString(w[:i+3])
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:] // credentials are per-occurrence
	}
	b.WriteString(param.Pieces(host))
	if path != "" {
		path = URLPath(path)
		b.WriteString(paramPath(path))
	}
	return b.String()
}

// paramPath templates a path: identifier segments become {id}, other
// segments have their digits parameterised.
func paramPath(p string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '/')
		seg := p
		if i >= 0 {
			seg = p[:i]
		}
		switch {
		case seg == "":
		case isIDSegment(seg):
			b.WriteString(Placeholder)
		default:
			b.WriteString(param.Pieces(seg))
		}
		if i < 0 {
			return b.String()
		}
		b.WriteByte('/')
		p = p[i+1:]
	}
}

// isTimestampWord: 2026-11-25, 2026-11-25T10:00:00.123Z, 2026/11/25...
func isTimestampWord(w string) bool {
	if len(w) < 10 {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if !isDigit(w[i]) {
			return false
		}
	}
	return (w[4] == '-' || w[4] == '/') && w[7] == w[4]
}

// isClock: 10:00, 10:00:00, 10:00:00.123, 10:00:00,123
func isClock(w string) bool {
	n := len(w)
	if n < 5 || !isDigit(w[0]) {
		return false
	}
	i := 0
	groups := 0
	for i < n {
		d := 0
		for i < n && isDigit(w[i]) {
			i++
			d++
		}
		if d == 0 || d > 2 && !(groups >= 2 && i == n) {
			return false
		}
		groups++
		if i == n {
			break
		}
		if w[i] == ':' && groups < 3 {
			i++
			continue
		}
		if (w[i] == '.' || w[i] == ',') && groups == 3 {
			i++
			for i < n && isDigit(w[i]) {
				i++
			}
			if i == n {
				return true
			}
		}
		return false
	}
	return groups >= 2
}

// isIPv4Word: d.d.d.d with an optional :port.
func isIPv4Word(w string) bool {
	if c := strings.IndexByte(w, ':'); c >= 0 {
		if !allDigits(w[c+1:]) || c+1 == len(w) {
			return false
		}
		w = w[:c]
	}
	parts := 0
	for w != "" || parts == 0 {
		p, rest, _ := strings.Cut(w, ".")
		if len(p) == 0 || len(p) > 3 || !allDigits(p) {
			return false
		}
		parts++
		w = rest
	}
	return parts == 4
}

func ipv4Port(w string) string {
	if strings.IndexByte(w, ':') >= 0 {
		return ":{num}"
	}
	return ""
}

// isIPv6Word: hex groups separated by colons, with "::" or at least 3
// colons, and a hex letter or "::" so that clock times do not match.
func isIPv6Word(w string) bool {
	w = strings.TrimPrefix(strings.TrimSuffix(w, "]"), "[")
	if i := strings.IndexByte(w, '%'); i >= 0 {
		w = w[:i]
	}
	colons := strings.Count(w, ":")
	if colons < 2 || len(w) < 3 {
		return false
	}
	letter := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c == ':' || c == '.' {
			continue
		}
		if !isHex(c) {
			return false
		}
		if !isDigit(c) {
			letter = true
		}
	}
	return strings.Contains(w, "::") || (colons >= 3 && letter) || colons == 7
}

// isDurationWord: 30s, 1.5ms, 250µs, 3m0s, 1h2m, 100ns, 2d.
func isDurationWord(w string) bool {
	i := 0
	units := 0
	for i < len(w) {
		d := 0
		for i < len(w) && (isDigit(w[i]) || (w[i] == '.' && d > 0)) {
			i++
			d++
		}
		if d == 0 {
			return false
		}
		u := i
		for i < len(w) && !isDigit(w[i]) {
			i++
		}
		switch w[u:i] {
		case "ns", "us", "µs", "μs", "ms", "s", "m", "h", "d", "sec", "secs", "min", "mins":
			units++
		default:
			return false
		}
	}
	return units > 0
}

func isHexNumber(w string) bool {
	if len(w) < 3 || w[0] != '0' || (w[1] != 'x' && w[1] != 'X') {
		return false
	}
	for i := 2; i < len(w); i++ {
		if !isHex(w[i]) {
			return false
		}
	}
	return true
}

// isNumberWord: an integer or decimal, optionally signed, with an optional
// unit-less percent.
func isNumberWord(w string) bool {
	w = strings.TrimPrefix(strings.TrimPrefix(w, "-"), "+")
	w = strings.TrimSuffix(w, "%")
	if w == "" || !isDigit(w[0]) {
		return false
	}
	dot := false
	for i := 0; i < len(w); i++ {
		switch {
		case isDigit(w[i]):
		case w[i] == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return isDigit(w[len(w)-1])
}
