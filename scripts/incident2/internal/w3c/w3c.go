// Package w3c reads and writes the W3C Trace Context traceparent header
// (https://www.w3.org/TR/trace-context/): 00-<32 hex trace id>-<16 hex parent
// span id>-<2 hex flags>. Every server span gets a new span id; the caller's
// span id becomes its parent.
package w3c

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
)

// Span is one hop of a trace.
type Span struct {
	TraceID  string
	SpanID   string
	ParentID string // empty for a root span
}

// FromRequest starts the server span of r: a child of the caller's span when
// r carries a valid traceparent, else the root of a new trace.
func FromRequest(r *http.Request) Span {
	s := Span{SpanID: newID(8)}
	parts := strings.Split(r.Header.Get("traceparent"), "-")
	if len(parts) == 4 && parts[0] == "00" && isHex(parts[1], 32) && isHex(parts[2], 16) &&
		parts[1] != strings.Repeat("0", 32) {
		s.TraceID, s.ParentID = parts[1], parts[2]
		return s
	}
	s.TraceID = newID(16)
	return s
}

// Header is the traceparent this span sends to the services it calls.
func (s Span) Header() string { return "00-" + s.TraceID + "-" + s.SpanID + "-01" }

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
