package index

import (
	"encoding/json"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// The data model lives in package model, shared by every store; index keeps
// these aliases so that its own code and ingest's read as before.
type (
	// Event is model.Event.
	Event = model.Event
	// Deploy is model.Deploy.
	Deploy = model.Deploy
	// Filter is model.Filter.
	Filter = model.Filter
	// Order is model.Order.
	Order = model.Order
	// FindOptions is model.FindOptions.
	FindOptions = model.FindOptions
	// Result is model.Result.
	Result = model.Result
	// Bucket is model.Bucket.
	Bucket = model.Bucket
	// Facet is model.Facet.
	Facet = model.Facet
	// Span is model.Span.
	Span = model.Span
	// TimeBucket is model.TimeBucket.
	TimeBucket = model.TimeBucket
)

// Canonical level names (see model).
const (
	LevelTrace = model.LevelTrace
	LevelDebug = model.LevelDebug
	LevelInfo  = model.LevelInfo
	LevelWarn  = model.LevelWarn
	LevelError = model.LevelError
	LevelFatal = model.LevelFatal
)

// Orders of results (see model).
const (
	OldestFirst = model.OldestFirst
	NewestFirst = model.NewestFirst
)

// Fields lists the canonical field names (model.Fields).
var Fields = model.Fields

// Checkpoint records how far a source has been ingested, so that re-ingesting
// an unchanged file is free, an appended file costs only its tail, and a
// truncated or rotated file is detected.
type Checkpoint struct {
	Key      string    `json:"key"`       // absolute path, or "stdin:<head hash>"
	Size     int64     `json:"size"`      // size of the file when last read
	ModTime  time.Time `json:"mod_time"`  // mtime when last read
	HeadHash string    `json:"head_hash"` // hash of the first bytes (up to 4 KiB)
	Offset   int64     `json:"offset"`    // bytes of the source committed to the index
	Lines    int64     `json:"lines"`     // lines committed to the index
	// LastTime is the time of the last committed line, so that a resumed
	// source's untimed lines take the right time.
	LastTime time.Time `json:"last_time"`
	// State is opaque per-source state the ingester needs to resume exactly
	// (detected convention, block sequence numbers...).
	State json.RawMessage `json:"state,omitempty"`
}
