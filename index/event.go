package index

import (
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
	// GroupEnds is model.GroupEnds.
	GroupEnds = model.GroupEnds
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

// Checkpoint records how far a source has been ingested (model.Checkpoint).
type Checkpoint = model.Checkpoint
