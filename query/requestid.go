package query

import (
	"regexp"
	"strings"
)

// IDMatch is what RecognizeRequestID found in a pasted text.
type IDMatch struct {
	// ID is the request ID, cleaned of the quotes and brackets around it.
	ID string
	// Strong: the ID was named (a header, a key=value, a JSON key, a URL
	// parameter) or has an ID's shape (UUID, ULID, long hex, a known
	// prefix such as req_ or r-). Weak: the whole text is one token that
	// could be an ID (letters and digits mixed), so a caller should fall
	// back to searching it as text when the index does not know it.
	Strong bool
}

// idKeys are the names under which logs, headers and URLs carry a request
// ID, lower-cased, without separators (request_id, Request-Id, requestId
// all become requestid).
var idKeys = map[string]bool{
	"requestid": true, "xrequestid": true, "reqid": true, "rid": true, "xamznrequestid": true,
	"correlationid": true, "xcorrelationid": true, "traceid": true, "xtraceid": true,
	"xamzntraceid": true, "httprequestid": true,
}

var (
	// keyed: a key, an optional closing quote, ":" or "=", an optional
	// opening quote, the value. Covers "X-Request-Id: abc",
	// "request_id=abc", `"requestId": "abc"` and "?request_id=abc&x=1".
	keyedRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9_.-]{1,40})["']?\s*[:=]\s*["']?([^\s"'<>,;&)\]}/?#]+)`)
	uuidRE  = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	ulidRE  = regexp.MustCompile(`(?i)\b[0-7][0-9a-hjkmnp-tv-z]{25}\b`)
	hexRE   = regexp.MustCompile(`(?i)\b[0-9a-f]{16,64}\b`)
	// prefixed: req_…, req-…, r-…, rid-…, request-… followed by ID
	// characters including a digit.
	prefixedRE = regexp.MustCompile(`(?i)\b(?:req|request|rid|r|trace|corr)[_-][A-Za-z0-9][A-Za-z0-9_-]*\b`)
	tokenRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@+=-]*$`)
)

// RecognizeRequestID finds a request ID in what a user pasted: a bare ID
// (any case), or one named in surrounding text (an X-Request-Id header, a
// request_id=… pair, a JSON fragment, a URL query parameter) or found by
// its shape in a sentence. Anything else (words, a query with field:value,
// quotes or parentheses) is not an ID: ok is false and the text should be
// searched as it is. The CLI's `request` and the TUI's input share it.
func RecognizeRequestID(s string) (m IDMatch, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64<<10 {
		return IDMatch{}, false
	}
	// Named: the value of a request-ID key wins over any shape.
	for _, kv := range keyedRE.FindAllStringSubmatch(s, -1) {
		if idKeys[normKey(kv[1])] {
			if id := CleanRequestID(kv[2]); id != "" {
				return IDMatch{ID: id, Strong: true}, true
			}
		}
	}
	clean := CleanRequestID(s)
	// A bare token with an ID's shape, or a sentence that holds one.
	for _, re := range []*regexp.Regexp{uuidRE, ulidRE, prefixedRE, hexRE} {
		if loc := re.FindStringIndex(clean); loc != nil {
			id := clean[loc[0]:loc[1]]
			if re == prefixedRE && !hasDigit(id) {
				continue
			}
			if re == hexRE && !hasDigit(id) {
				continue
			}
			return IDMatch{ID: wholeToken(clean, loc[0], loc[1]), Strong: true}, true
		}
	}
	// One token, letters and digits mixed, no query syntax: perhaps an ID
	// of a format we do not know.
	if weakID(clean) {
		return IDMatch{ID: clean}, true
	}
	return IDMatch{}, false
}

// wholeToken widens clean[i:j], an ID's shape found in clean, to the run
// of letters, digits, '_' and '-' around it: "app-89c3e13e97093c9a" is an
// ID of its own, not the hex tail the shape matched, while a '/', '=' or
// space still ends it ("/api/orders/UUID", "id=UUID").
func wholeToken(clean string, i, j int) string {
	idChar := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	}
	for i > 0 && idChar(clean[i-1]) {
		i--
	}
	for j < len(clean) && idChar(clean[j]) {
		j++
	}
	return strings.Trim(clean[i:j], "-_")
}

// weakID: a single token of at least 6 characters, with at least one digit
// and one letter, and no query syntax (field:value, a leading + or -).
func weakID(s string) bool {
	if len(s) < 6 || len(s) > 256 || !tokenRE.MatchString(s) || strings.Contains(s, ":") {
		return false
	}
	return hasDigit(s) && strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' })
}

func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

func normKey(k string) string {
	k = strings.ToLower(k)
	if i := strings.LastIndexAny(k, "?&."); i >= 0 { // a URL's "?request_id", a JSON path's "ctx.request_id"
		k = k[i+1:]
	}
	return strings.NewReplacer("_", "", "-", "").Replace(k)
}

// ExtractRequestID is the request ID in s when RecognizeRequestID finds
// one, else s cleaned by CleanRequestID: for a caller that was told s is
// a request ID (`culprit request ID`).
func ExtractRequestID(s string) string {
	if m, ok := RecognizeRequestID(s); ok {
		return m.ID
	}
	return CleanRequestID(s)
}

// RequestIDVariants are the spellings of id to look up, the given one
// first: an ID of a case-insensitive shape (UUID, hex, ULID) pasted in
// another case than the logs use it is still found.
func RequestIDVariants(id string) []string {
	out := []string{id}
	if !uuidRE.MatchString(id) && !hexRE.MatchString(id) && !ulidRE.MatchString(id) {
		return out
	}
	if uuidRE.FindString(id) != id && hexRE.FindString(id) != id && ulidRE.FindString(id) != id {
		return out
	}
	for _, v := range []string{strings.ToLower(id), strings.ToUpper(id)} {
		if v != out[len(out)-1] && v != id {
			out = append(out, v)
		}
	}
	return out
}
