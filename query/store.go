package query

import (
	"context"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// Types query returns, re-exported from the store model so that callers (the
// TUI) import neither a store nor the model package.
type (
	Event       = model.Event
	Deploy      = model.Deploy
	Filter      = model.Filter
	FindOptions = model.FindOptions
	Result      = model.Result
	Bucket      = model.Bucket
	Facet       = model.Facet
	GroupEnds   = model.GroupEnds
	Span        = model.Span
	Order       = model.Order
)

// Orders, re-exported.
const (
	OldestFirst = model.OldestFirst
	NewestFirst = model.NewestFirst
)

// ErrInvalidQuery is wrapped by a Store's errors for a query that does not
// parse (model.ErrInvalidQuery).
var ErrInvalidQuery = model.ErrInvalidQuery

// Store is everything query needs from a log store. *index.Index implements
// it, and so does the shared fake of package index/storetest, whose TestStore
// is the contract every Store must pass. A second store (a distributed log engine) can be
// added behind it without touching query's logic or the TUI.
type Store interface {
	// Find returns the events matching f, a page at a time, in o.Order.
	Find(ctx context.Context, f Filter, o FindOptions) (Result, error)
	// Facet returns the distribution of one canonical field (service, route,
	// user, host, version, status, level, fingerprint, request_id, error_type)
	// over the events matching f, the size most frequent values first.
	Facet(ctx context.Context, f Filter, field string, size int) (Facet, error)
	// Histogram counts the events matching f in n equal buckets over
	// [from, to).
	Histogram(ctx context.Context, f Filter, from, to time.Time, n int) ([]TimeBucket, error)
	// Deploys returns the whole deploy history, oldest first.
	Deploys(ctx context.Context) ([]Deploy, error)
	// Span describes the index: event count and the ingested time window.
	Span(ctx context.Context) (Span, error)
}

// TimeBucket is one bar of a histogram.
type TimeBucket = model.TimeBucket

// GroupSummary is a GroupEnds with facets of other fields over its events.
type GroupSummary = model.GroupSummary

// GroupSummarizer is an optional Store extension: GroupEnds, and per value
// the facets of fields over the events that carry it (as Facet would give
// them with the filter narrowed to the value), in one pass or from
// summaries kept at ingest. Errors lists the groups with it, with their
// requests, traces, routes and users, instead of a facet query per group;
// a Store without it is asked as before.
type GroupSummarizer interface {
	GroupSummaries(ctx context.Context, f Filter, field string, fields []string, size int) ([]GroupSummary, error)
}
