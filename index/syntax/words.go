package syntax

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/culprit-dev/culprit/index/model"
)

// MaxWordLen caps the length of a word. Longer runs of letters and digits
// (base64 blobs, hashes) are cut to this many bytes both when a store
// indexes a line and when a query is parsed, so a search for the full word
// still finds the line.
const MaxWordLen = 64

// WordSplitter splits text into words: maximal runs of letters and digits,
// lowercased, cut to MaxWordLen bytes. Anything else separates words, so
// "reserve" is a word of "/v1/inventory/reserve" and "orders" of
// "svc.orders.Handler". It reuses its buffer between calls; the zero value
// is ready to use.
type WordSplitter struct{ w []byte }

// Each calls fn with every word of s, in order. The slice passed to fn is
// only valid during the call.
//
// A word of ASCII lower-case letters and digits (most words of a log line)
// is passed as a slice of s; only a word with upper-case or non-ASCII
// letters is copied to be lower-cased.
func (sp *WordSplitter) Each(s []byte, fn func(w []byte)) {
	emit := func(w []byte) {
		if len(w) > MaxWordLen {
			w = truncateUTF8(w, MaxWordLen)
		}
		fn(w)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && !isASCIIAlnum(c) {
			i++
			continue
		}
		start := i
		for i < len(s) && isLowerOrDigit(s[i]) {
			i++
		}
		if i == len(s) || s[i] < utf8.RuneSelf && !isASCIIAlnum(s[i]) {
			emit(s[start:i])
			continue
		}
		// The word goes on with an upper-case or a non-ASCII byte.
		w := append(sp.w[:0], s[start:i]...)
	word:
		for i < len(s) {
			c := s[i]
			if c < utf8.RuneSelf {
				switch {
				case isLowerOrDigit(c):
					w = append(w, c)
				case 'A' <= c && c <= 'Z':
					w = append(w, c+'a'-'A')
				default:
					break word
				}
				i++
				continue
			}
			r, n := utf8.DecodeRune(s[i:])
			i += n
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			w = utf8.AppendRune(w, unicode.ToLower(r))
		}
		sp.w = w
		if len(w) > 0 {
			emit(w)
		}
	}
}

func isLowerOrDigit(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func isASCIIAlnum(c byte) bool { return isLowerOrDigit(c) || 'A' <= c && c <= 'Z' }

// truncateUTF8 cuts w to at most n bytes without splitting a UTF-8 sequence.
func truncateUTF8(w []byte, n int) []byte {
	if len(w) <= n {
		return w
	}
	for n > 0 && !utf8.RuneStart(w[n]) {
		n--
	}
	return w[:n]
}

// Words returns the words of s in order, duplicates kept.
func Words(s string) []string {
	var out []string
	var sp WordSplitter
	sp.Each([]byte(s), func(w []byte) { out = append(out, string(w)) })
	return out
}

// EachJSONString calls fn with every string value (not key) of the JSON text
// js, at any depth, unescaped. Invalid JSON yields whatever string values
// precede the error; it never panics. off is the offset of v in js when v is
// a slice of js (the value had no escapes), else -1 (v is an unescaped copy
// in scratch). v is only valid during the call; scratch is reused and
// returned.
func EachJSONString(js []byte, scratch []byte, fn func(v []byte, off int)) []byte {
	for i := 0; i < len(js); {
		c := js[i]
		if c != '"' {
			i++
			continue
		}
		// A string: find its end and whether it has escapes.
		j := i + 1
		esc := false
		for j < len(js) && js[j] != '"' {
			if js[j] == '\\' {
				esc = true
				j++
			}
			j++
		}
		if j >= len(js) {
			return scratch // unterminated
		}
		start := i + 1
		raw := js[start:j]
		i = j + 1
		// A key is followed by a colon.
		k := i
		for k < len(js) && (js[k] == ' ' || js[k] == '\t' || js[k] == '\n' || js[k] == '\r') {
			k++
		}
		if k < len(js) && js[k] == ':' {
			continue
		}
		if !esc {
			fn(raw, start)
			continue
		}
		scratch = unescapeJSON(scratch[:0], raw)
		fn(scratch, -1)
	}
	return scratch
}

// unescapeJSON appends the unescaped form of the JSON string body s to dst.
// Malformed escapes are kept as they are.
func unescapeJSON(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			dst = append(dst, c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'u':
			r, n := decodeU(s[i+1:])
			if n == 0 {
				dst = append(dst, '\\', 'u')
				continue
			}
			i += n
			if utf16.IsSurrogate(r) {
				// A surrogate pair is two escapes: \ud83d\ude00.
				d := utf8.RuneError
				if i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if r2, n2 := decodeU(s[i+3:]); n2 > 0 {
						if d = utf16.DecodeRune(r, r2); d != utf8.RuneError {
							i += 2 + n2
						}
					}
				}
				r = d
			}
			dst = utf8.AppendRune(dst, r)
		default:
			dst = append(dst, s[i])
		}
	}
	return dst
}

// decodeU decodes the four hex digits after \u; n is 0 when they are not hex.
func decodeU(s []byte) (r rune, n int) {
	if len(s) < 4 {
		return 0, 0
	}
	for _, c := range s[:4] {
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, 0
		}
		r = r<<4 | rune(v)
	}
	return r, 4
}

// EachString calls fn with every string of ev whose words are searchable by
// an unfielded term: the string values of its JSON object at any depth (or
// the whole line when it is a text line or not an object), then its
// canonical string fields except the fingerprint (a field may be derived
// rather than in the line, like a templated route). A string may come
// twice; that changes no match.
func EachString(ev *model.Event, fn func(s []byte)) {
	if ev.Text || len(ev.Raw) == 0 || ev.Raw[0] != '{' {
		fn(ev.Raw)
	} else {
		EachJSONString(ev.Raw, nil, func(v []byte, _ int) { fn(v) })
	}
	for _, f := range keywordFields {
		if f.Name == "fingerprint" {
			continue
		}
		if v := f.value(ev); v != "" {
			fn([]byte(v))
		}
	}
	for _, v := range [...]string{ev.Message, ev.Error, ev.Stack} {
		if v != "" {
			fn([]byte(v))
		}
	}
}
