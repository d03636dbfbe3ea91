package logline

import (
	"strings"

	"github.com/culprit-dev/culprit/ingest/param"
)

// Placeholder is what TemplateRoute puts in place of every identifier-like
// path segment. culprit uses one placeholder for all kinds of identifiers
// (numbers, UUIDs, hex ids, ULIDs, emails, opaque tokens) so that a handler
// reached with a numeric id and with a UUID is one endpoint.
const Placeholder = "{id}"

// TemplateRoute turns a method and a concrete request path into a route:
// the query string and fragment are dropped, a full URL is reduced to its
// path, identifier-like segments become {id} (see Placeholder and
// isIDSegment), a trailing slash is dropped, and the upper-cased method is put
// in front: ("GET", "/api/orders/15047?x=1") gives "GET /api/orders/{id}".
// Without a method the result is the templated path alone; without a path it
// is "".
func TemplateRoute(method, path string) string {
	path = URLPath(path)
	if path == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(method) + 1 + len(path))
	if method != "" {
		writeUpper(&b, method)
		b.WriteByte(' ')
	}
	templatePath(&b, path)
	return b.String()
}

// templatePath writes path with identifier segments replaced and a trailing
// slash dropped.
func templatePath(b *strings.Builder, path string) {
	if len(path) > 1 {
		path = strings.TrimRight(path, "/")
		if path == "" {
			path = "/"
		}
	}
	for {
		i := strings.IndexByte(path, '/')
		seg := path
		if i >= 0 {
			seg = path[:i]
		}
		if isIDSegment(seg) {
			b.WriteString(Placeholder)
		} else {
			b.WriteString(seg)
		}
		if i < 0 {
			return
		}
		b.WriteByte('/')
		path = path[i+1:]
	}
}

func writeUpper(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
}

// URLPath returns the path part of a request target: a full URL
// ("https://shop.example/api/orders/7?x=1") loses its scheme and host, and
// every target loses its query string and fragment. A target that is neither
// a path nor a URL is returned without query or fragment.
func URLPath(s string) string {
	s = trimASCIISpace(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "://"); i > 0 && i < 16 {
		rest := s[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return "/"
		}
		return rest[j:]
	}
	return s
}

// isIDSegment reports whether a path segment looks like an identifier value
// rather than a fixed part of the route: a number, a UUID, a hex id (at least
// 8 hex digits with a digit), a ULID, an email (also URL-encoded), a date, a
// prefixed id such as u-1017 or ord_8f2kq9x3, or a long opaque token.
func isIDSegment(seg string) bool {
	n := len(seg)
	if n == 0 {
		return false
	}
	if seg[0] == '{' || seg[0] == ':' || seg[0] == '<' {
		return false // already a route parameter
	}
	var digits, letters, hexLetters, upper, other int
	for i := 0; i < n; i++ {
		c := seg[i]
		switch {
		case '0' <= c && c <= '9':
			digits++
		case 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
			letters++
			hexLetters++
			if c <= 'Z' {
				upper++
			}
		case 'g' <= c && c <= 'z':
			letters++
		case 'G' <= c && c <= 'Z':
			letters++
			upper++
		default:
			other++
		}
	}
	if digits == n {
		return true // 15047
	}
	if strings.Contains(seg, "@") || strings.Contains(seg, "%40") {
		return true // email
	}
	if param.IsUUID(seg) {
		return true
	}
	if digits > 0 && digits+hexLetters == n && n >= 8 {
		return true // hex id, sha
	}
	if n == 26 && other == 0 && isULID(seg) {
		return true
	}
	if digits >= 3 && digits >= n/2 {
		return true // u-1017, 2026-11-25, 1042.json
	}
	if prefixedID(seg) {
		return true // c-7, SKU-42, ord_8f2kq9x3
	}
	if n >= 8 && digits > 0 && letters > 0 {
		// ord_8f2kq9x3, cus_J4k2LmQ9, base64 tokens; but keep v1 and
		// oauth2-style words short enough to be route words.
		if prefixedID(seg) || n >= 16 || (upper > 0 && upper < letters) {
			return true
		}
		if digits >= 3 {
			return true
		}
	}
	if n >= 24 && other <= 2 && digits > 0 {
		return true
	}
	return false
}

// prefixedID reports segments like c-7, u-1017 or ord_8f2kq9x3: a short
// word, a separator and a tail that is a number, or alphanumeric with a digit
// and at least 6 long (so that api-v2 stays a word).
func prefixedID(seg string) bool {
	i := strings.IndexAny(seg, "_-")
	if i <= 0 || i > 6 || i == len(seg)-1 {
		return false
	}
	tail := seg[i+1:]
	digits := 0
	for j := 0; j < len(tail); j++ {
		c := tail[j]
		if '0' <= c && c <= '9' {
			digits++
		} else if !(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
			return false
		}
	}
	return digits == len(tail) || (digits > 0 && len(tail) >= 6)
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// isULID reports a 26-character Crockford base32 ULID.
func isULID(s string) bool {
	if len(s) != 26 || s[0] > '7' || s[0] < '0' {
		return false
	}
	digits := 0
	for i := 0; i < 26; i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			digits++
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
			switch c | 0x20 {
			case 'i', 'l', 'o', 'u':
				return false
			}
		default:
			return false
		}
	}
	return digits > 0
}

// httpMethods are the request methods accepted in front of a route pattern.
var httpMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "OPTIONS": true, "CONNECT": true, "TRACE": true,
}

// routeWithMethod returns a logger's own route value with the method in front
// unless it already carries one (Go 1.22 mux patterns do: "GET /orders/{id}").
func routeWithMethod(method, route string) string {
	route = trimASCIISpace(route)
	if i := strings.IndexByte(route, ' '); i > 0 && httpMethods[strings.ToUpper(route[:i])] {
		return route
	}
	if method == "" || route == "" {
		return route
	}
	return strings.ToUpper(method) + " " + route
}
