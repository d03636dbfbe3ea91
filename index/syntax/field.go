package syntax

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/culprit-dev/culprit/index/model"
)

// Kind is the kind of a field, which decides what its clauses mean.
type Kind int

const (
	// Keyword fields match their whole value.
	Keyword Kind = iota
	// Source is the source name (a whole value, always present).
	Source
	// Numeric fields (status, duration) compare numbers.
	Numeric
	// Bool is is_error.
	Bool
	// Time is the event time.
	Time
	// Text fields (message, error, stack, and unfielded terms) match words.
	Text
)

// Field is a field a query can name.
type Field struct {
	// Name is the canonical name; "" for an unfielded term (Text kind),
	// which searches every string of the line (see EachString).
	Name string
	Kind Kind
}

// Any is the field of an unfielded term.
var Any = Field{Kind: Text}

// Fold reports whether the field compares case-insensitively: level and
// method, whose canonical values are case-normalised.
func (f Field) Fold() bool {
	return f.Kind == Keyword && (f.Name == "level" || f.Name == "method")
}

func (f Field) String() string {
	if f.Name == "" {
		return "search term"
	}
	return f.Name
}

// keywordFields are the keyword fields, in the order of KeywordFields.
var keywordFields = func() []Field {
	out := make([]Field, len(KeywordFields))
	for i, n := range KeywordFields {
		out[i] = Field{n, Keyword}
	}
	return out
}()

// KeywordFields lists the keyword fields: a clause on one matches the whole
// value; they are also the fields a store facets (with source and status).
var KeywordFields = []string{"level", "service", "host", "version", "method", "path", "route", "user", "request_id", "error_type", "fingerprint", "trace_id", "span_id", "parent_span_id"}

// fields maps every name a query may use, aliases included.
var fields = func() map[string]Field {
	m := map[string]Field{
		"source":      {"source", Source},
		"status":      {"status", Numeric},
		"duration":    {"duration", Numeric},
		"duration_ms": {"duration", Numeric},
		"is_error":    {"is_error", Bool},
		"time":        {"time", Time},
		"message":     {"message", Text},
		"msg":         {"message", Text},
		"error":       {"error", Text},
		"stack":       {"stack", Text},
	}
	for _, f := range keywordFields {
		m[f.Name] = f
	}
	return m
}()

// knownFields is the list the error for an unknown field prints.
const knownFields = "request_id trace_id span_id parent_span_id service host version method path route user level error_type fingerprint source status duration is_error time message error stack"

// LookupField returns the field a query names (aliases msg and duration_ms
// included).
func LookupField(name string) (Field, bool) {
	f, ok := fields[name]
	return f, ok
}

// value returns a keyword or source field of ev ("" when absent).
func (f Field) value(ev *model.Event) string {
	switch f.Name {
	case "source":
		return ev.Source
	case "level":
		return ev.Level
	case "service":
		return ev.Service
	case "host":
		return ev.Host
	case "version":
		return ev.Version
	case "method":
		return ev.Method
	case "path":
		return ev.Path
	case "route":
		return ev.Route
	case "user":
		return ev.User
	case "request_id":
		return ev.RequestID
	case "error_type":
		return ev.ErrorType
	case "fingerprint":
		return ev.Fingerprint
	case "trace_id":
		return ev.TraceID
	case "span_id":
		return ev.SpanID
	case "parent_span_id":
		return ev.ParentSpanID
	}
	return ""
}

// Value returns the value of a keyword, source or numeric field of ev as a
// store facets it, and false when ev lacks the field (status 0, duration 0
// or NaN, an empty keyword).
func (f Field) Value(ev *model.Event) (string, bool) {
	switch f.Kind {
	case Keyword, Source:
		v := f.value(ev)
		return v, v != ""
	case Numeric:
		n, ok := f.number(ev)
		if !ok {
			return "", false
		}
		return strconv.FormatFloat(n, 'f', -1, 64), true
	}
	return "", false
}

// number returns a numeric field of ev and whether ev has it.
func (f Field) number(ev *model.Event) (float64, bool) {
	if f.Name == "status" {
		return float64(ev.Status), ev.Status != 0
	}
	d := ev.DurationMS
	return d, d != 0 && d == d // NaN is no duration
}

// texts returns the strings a text field searches in ev.
func (f Field) texts(ev *model.Event, fn func(s []byte)) {
	switch f.Name {
	case "message":
		fn([]byte(ev.Message))
	case "error":
		fn([]byte(ev.Error))
	case "stack":
		fn([]byte(ev.Stack))
	default:
		EachString(ev, fn)
	}
}

// FacetField returns the field a store may facet: a keyword field, source
// or status. Every store answers an unknown one with this same error.
func FacetField(name string) (Field, error) {
	fl, ok := LookupField(name)
	if !ok || fl.Kind != Keyword && fl.Kind != Source && fl.Name != "status" {
		return fl, fmt.Errorf("facet %q: want one of %s source status", name, strings.Join(KeywordFields, " "))
	}
	return fl, nil
}
