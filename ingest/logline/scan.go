package logline

import (
	"github.com/tidwall/gjson"
)

// scanner validates a JSON object and visits its top-level members in one
// pass. It accepts exactly what gjson.Valid accepts for an object, without
// recursion (nesting depth cannot exhaust the stack), and does not decode
// values it is not asked for.
type scanner struct {
	s string
	// The open containers of the value being skipped: the first ones in
	// a fixed array (no allocation, no pointer into itself, so a scanner
	// stays on the stack), deeper ones in more.
	depth int
	fixed [48]byte
	more  []byte
}

func (sc *scanner) push(c byte) {
	if sc.depth < len(sc.fixed) {
		sc.fixed[sc.depth] = c
	} else {
		sc.more = append(sc.more[:sc.depth-len(sc.fixed)], c)
	}
	sc.depth++
}

func (sc *scanner) top() byte {
	if i := sc.depth - 1; i < len(sc.fixed) {
		return sc.fixed[i]
	}
	return sc.more[sc.depth-1-len(sc.fixed)]
}

// member is one top-level key and the raw text of its value.
type member struct {
	key     string // raw key text between the quotes
	escaped bool   // key contains escapes (key is then still raw)
	raw     string // the value's JSON text
}

// scanObject reports whether s is one valid JSON object (surrounded by
// nothing but white space) and calls visit for each top-level member.
// visit is called before the whole object is validated: the caller must
// ignore what it gathered when scanObject returns false.
func (sc *scanner) scanObject(s string, visit func(m member)) bool {
	sc.s = s
	sc.depth = 0
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipWS(s, i+1) == len(s)
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return false
		}
		kEnd, esc, ok := scanString(s, i+1)
		if !ok {
			return false
		}
		key := s[i+1 : kEnd-1]
		i = skipWS(s, kEnd)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		i = skipWS(s, i+1)
		vEnd, ok := sc.skipValue(i)
		if !ok {
			return false
		}
		visit(member{key: key, escaped: esc, raw: s[i:vEnd]})
		i = skipWS(s, vEnd)
		if i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case '}':
			return skipWS(s, i+1) == len(s)
		default:
			return false
		}
	}
}

func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString validates a string whose opening quote precedes i and returns
// the index after the closing quote and whether it holds escapes.
func scanString(s string, i int) (end int, escaped bool, ok bool) {
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			return i + 1, escaped, true
		case c < ' ':
			return i, false, false
		case c == '\\':
			escaped = true
			i++
			if i >= len(s) {
				return i, false, false
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					i++
					if i >= len(s) || !isHex(s[i]) {
						return i, false, false
					}
				}
			default:
				return i, false, false
			}
		}
		i++
	}
	return i, false, false
}

// scanNumber validates a JSON number starting at i.
func scanNumber(s string, i int) (int, bool) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) {
		return i, false
	}
	if s[i] == '0' {
		i++
	} else {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return i, false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return i, false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i, true
}

func scanLiteral(s string, i int, lit string) (int, bool) {
	if len(s)-i >= len(lit) && s[i:i+len(lit)] == lit {
		return i + len(lit), true
	}
	return i, false
}

// skipValue validates the value starting at i and returns its end.
// Containers are followed with an explicit stack, not recursion.
func (sc *scanner) skipValue(i int) (int, bool) {
	s := sc.s
	sc.depth = 0
	for {
		// expect a value at i
		if i >= len(s) {
			return i, false
		}
		var ok bool
		switch c := s[i]; c {
		case '"':
			i, _, ok = scanString(s, i+1)
		case '{', '[':
			sc.push(c)
			i = skipWS(s, i+1)
			if i < len(s) && s[i] == closer(c) {
				i++
				sc.depth--
				ok = true
				break
			}
			if c == '{' {
				if i, ok = sc.objectKey(i); !ok {
					return i, false
				}
			}
			continue // the first value of the container
		case 't':
			i, ok = scanLiteral(s, i, "true")
		case 'f':
			i, ok = scanLiteral(s, i, "false")
		case 'n':
			i, ok = scanLiteral(s, i, "null")
		default:
			i, ok = scanNumber(s, i)
		}
		if !ok {
			return i, false
		}
		// after a value: close containers or move to the next member
		for {
			if sc.depth == 0 {
				return i, true
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return i, false
			}
			top := sc.top()
			if s[i] == closer(top) {
				sc.depth--
				i++
				continue
			}
			if s[i] != ',' {
				return i, false
			}
			i = skipWS(s, i+1)
			if top == '{' {
				if i, ok = sc.objectKey(i); !ok {
					return i, false
				}
			}
			break
		}
	}
}

// objectKey validates `"key" :` at i and returns the index of the value.
func (sc *scanner) objectKey(i int) (int, bool) {
	s := sc.s
	if i >= len(s) || s[i] != '"' {
		return i, false
	}
	end, _, ok := scanString(s, i+1)
	if !ok {
		return end, false
	}
	i = skipWS(s, end)
	if i >= len(s) || s[i] != ':' {
		return i, false
	}
	return skipWS(s, i+1), true
}

func closer(c byte) byte {
	if c == '{' {
		return '}'
	}
	return ']'
}

// result turns a member's raw value into a gjson.Result (numbers without
// their float value: see below).
func result(raw string) gjson.Result {
	if raw == "" {
		return gjson.Result{}
	}
	switch raw[0] {
	case '"':
		if !hasBackslash(raw) {
			return gjson.Result{Type: gjson.String, Raw: raw, Str: raw[1 : len(raw)-1]}
		}
		return gjson.Parse(raw)
	case '{', '[':
		return gjson.Result{Type: gjson.JSON, Raw: raw}
	case 't':
		return gjson.Result{Type: gjson.True, Raw: raw}
	case 'f':
		return gjson.Result{Type: gjson.False, Raw: raw}
	case 'n':
		return gjson.Result{Type: gjson.Null, Raw: raw}
	}
	// Num is left zero: culprit's readers parse numbers from Raw, exactly
	// and only when they need them.
	return gjson.Result{Type: gjson.Number, Raw: raw}
}

func hasBackslash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			return true
		}
	}
	return false
}

// unescapeKey decodes an escaped key.
func unescapeKey(raw string) string {
	return gjson.Parse(`"` + raw + `"`).Str
}
