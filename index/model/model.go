// Package model is the data model every culprit store speaks: the events
// and deploys a store holds, the filter and options of a query, and the
// shapes of its answers (pages, facets, histograms, span). The bleve store
// (package index) and any other store implement the same contract on these
// types (see package storetest and docs/store.md); query and the TUI depend
// on this package, never on a store's implementation.
//
// Allowed imports: the standard library only.
package model

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Canonical level names. Level is "" when a line carried no level at all.
const (
	LevelTrace = "trace"
	LevelDebug = "debug"
	LevelInfo  = "info"
	LevelWarn  = "warn"
	LevelError = "error"
	LevelFatal = "fatal"
)

// Levels lists the canonical level names from least to most severe.
var Levels = []string{LevelTrace, LevelDebug, LevelInfo, LevelWarn, LevelError, LevelFatal}

// LevelRank returns the severity of a canonical level (trace 0 ... fatal 5)
// and whether level is one.
func LevelRank(level string) (int, bool) {
	for i, l := range Levels {
		if l == level {
			return i, true
		}
	}
	return 0, false
}

// ErrInvalidQuery is wrapped by a store's errors for a Filter.Query that
// does not parse or uses an unknown field, and for an unknown MinLevel.
var ErrInvalidQuery = errors.New("invalid query")

// ErrDamaged is matched (errors.Is) by a store's errors that report damage
// to the store itself (a checksum mismatch, a file cut short) rather than a
// fault of the question: the index's CorruptError, and that error carried
// over the follower's socket. Its message says what to run.
var ErrDamaged = errors.New("index is damaged")

// Fields lists the canonical field names, in the order culprit prints them.
// They are the names used by --field, by the ingest summary, by the search
// syntax and by the JSON output.
var Fields = []string{
	"time", "level", "message", "request_id", "service", "host", "version",
	"method", "path", "route", "status", "user", "duration", "error_type",
	"error", "stack", "trace_id", "span_id", "parent_span_id",
}

// Event is one ingested log line, normalised. Every input line becomes exactly
// one Event: lines that are not JSON keep their text in Message and have Text
// set, so nothing a user ingested disappears.
//
// The json tags are the names of the fields in the index and in culprit's JSON
// output; they are part of the CLI contract.
type Event struct {
	Time       time.Time `json:"time"`
	Level      string    `json:"level,omitempty"`
	Message    string    `json:"message,omitempty"`
	RequestID  string    `json:"request_id,omitempty"`
	Service    string    `json:"service,omitempty"`
	Host       string    `json:"host,omitempty"`
	Version    string    `json:"version,omitempty"`
	Method     string    `json:"method,omitempty"`
	Path       string    `json:"path,omitempty"`
	Route      string    `json:"route,omitempty"`
	Status     int       `json:"status,omitempty"`
	User       string    `json:"user,omitempty"`
	DurationMS float64   `json:"duration_ms,omitempty"`
	ErrorType  string    `json:"error_type,omitempty"`
	Error      string    `json:"error,omitempty"`
	Stack      string    `json:"stack,omitempty"`

	// TraceID, SpanID and ParentSpanID are the distributed-trace context of
	// the line in canonical form (lowercase hex where the convention is
	// hex: W3C trace context, B3, X-Ray roots without their dashes), read
	// from whichever convention the line uses. They join the lines of one
	// request across services that do not share a request ID.
	TraceID      string `json:"trace_id,omitempty"`
	SpanID       string `json:"span_id,omitempty"`
	ParentSpanID string `json:"parent_span_id,omitempty"`

	// Fingerprint groups occurrences of the same error across requests and
	// releases. Empty unless IsError.
	Fingerprint string `json:"fingerprint,omitempty"`
	// IsError: level >= error, or status >= 500, or a stack trace present.
	IsError bool `json:"is_error,omitempty"`

	// Source is the path the line was read from as the user named it
	// ("-" for stdin); Line is its 1-based line number there.
	Source string `json:"source"`
	Line   int64  `json:"line"`

	// Text: the line was not a JSON object (it is kept as the message).
	Text bool `json:"text,omitempty"`
	// Untimed: the line had no usable time and took the previous line's.
	Untimed bool `json:"untimed,omitempty"`
	// Truncated: the line was longer than the line limit and was cut.
	Truncated bool `json:"truncated,omitempty"`

	// Raw is the original line, verbatim (after UTF-8 repair and truncation).
	Raw []byte `json:"-"`
}

// Object returns the original line as a JSON value when it is a JSON object,
// else nil. It is what the JSON contract calls "fields".
func (e *Event) Object() json.RawMessage {
	if e.Text || len(e.Raw) == 0 || !json.Valid(e.Raw) {
		return nil
	}
	return json.RawMessage(e.Raw)
}

// Deploy is one entry of the deploy history.
type Deploy struct {
	Time        time.Time `json:"time"`
	Service     string    `json:"service,omitempty"`
	Version     string    `json:"version,omitempty"`
	Commit      string    `json:"commit,omitempty"`
	Author      string    `json:"author,omitempty"`
	Environment string    `json:"environment,omitempty"`
	// Hosts, when set, are the hosts (instances) the deploy went to,
	// comma-separated (a string keeps Deploy comparable): a canary applies
	// only to the events of those hosts. See HostList.
	Hosts string `json:"hosts,omitempty"`
	// Status is the outcome the history gives ("deployed", "superseded",
	// "failed", "pending-upgrade", ...). A failed deploy never ran its
	// version and is never blamed.
	Status string `json:"status,omitempty"`
	// Description is the history's note on the deploy, if any.
	Description string `json:"description,omitempty"`
	// Source is the file the record came from and Line its line (or record)
	// number there.
	Source string `json:"source,omitempty"`
	Line   int64  `json:"line,omitempty"`
}

// HostList returns the hosts of d, or nil when the deploy went everywhere.
func (d *Deploy) HostList() []string {
	var out []string
	for _, h := range strings.Split(d.Hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// Filter selects events. Zero fields do not filter. All set fields must hold.
type Filter struct {
	RequestID   string
	TraceID     string
	Fingerprint string
	Service     string
	Level       string // exact canonical level
	MinLevel    string // this level or worse
	Route       string
	User        string
	ErrorsOnly  bool
	Since       time.Time // inclusive
	Until       time.Time // exclusive
	// Query is a search in culprit's query syntax over the canonical field
	// names (status:>=500 AND route:"GET /api/orders/{id}" timeout), parsed
	// by package index/syntax. Words without a field match any word of any
	// string value of the line.
	Query string
}

// Order of results.
type Order int

const (
	// OldestFirst sorts by time, ties in source order.
	OldestFirst Order = iota
	// NewestFirst is the reverse.
	NewestFirst
)

// FindOptions bound a Find.
type FindOptions struct {
	Limit  int // 0 means 100
	Offset int
	Order  Order
}

// Result of a Find: the page of events and the total number of matches.
type Result struct {
	Events []Event
	Total  int
}

// Bucket is one value of a facet and how many events carry it.
type Bucket struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// GroupEnds is one value of a field over the events a filter selects: how
// many carry it, and the first and the last of them in Find's order (time,
// ties by source name, then line).
type GroupEnds struct {
	Value       string
	Count       int
	First, Last Event
}

// Facet is the distribution of one field over the events a filter selects.
type Facet struct {
	Field    string
	Total    int      // events matched by the filter
	Missing  int      // of those, events without the field
	Other    int      // events whose value is not in Buckets (beyond size)
	Distinct int      // number of distinct values (exact)
	Buckets  []Bucket // most frequent first, ties by value
}

// Span describes what is in the index.
type Span struct {
	Events  int
	Deploys int
	First   time.Time // oldest event time
	Last    time.Time // newest event time
}

// TimeBucket is one bar of a histogram: the events in [Start, Start+width).
type TimeBucket struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

// Checkpoint records how far a source has been ingested, so that re-ingesting
// an unchanged file is free, an appended file costs only its tail, and a
// truncated or rotated file is detected.
type Checkpoint struct {
	Key      string    `json:"key"`       // absolute path, or "stdin:<head hash>"
	Size     int64     `json:"size"`      // size of the file when last read
	ModTime  time.Time `json:"mod_time"`  // mtime when last read
	HeadHash string    `json:"head_hash"` // hash of the first bytes (up to 4 KiB)
	Offset   int64     `json:"offset"`    // bytes of the source committed to the store
	Lines    int64     `json:"lines"`     // lines committed to the store
	// LastTime is the time of the last committed line, so that a resumed
	// source's untimed lines take the right time.
	LastTime time.Time `json:"last_time"`
	// State is opaque per-source state the ingester needs to resume exactly
	// (detected convention, block sequence numbers...).
	State json.RawMessage `json:"state,omitempty"`
}
