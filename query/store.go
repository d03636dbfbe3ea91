package query

import (
	"context"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// Types query returns, re-exported so that callers (the TUI) never import index.
type (
	Event       = index.Event
	Deploy      = index.Deploy
	Filter      = index.Filter
	FindOptions = index.FindOptions
	Result      = index.Result
	Bucket      = index.Bucket
	Facet       = index.Facet
	Span        = index.Span
	Order       = index.Order
)

// Orders, re-exported.
const (
	OldestFirst = index.OldestFirst
	NewestFirst = index.NewestFirst
)

// Store is everything query needs from a log store. *index.Index implements
// it; tests use a fake. A second store (a distributed log engine) can be
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
type TimeBucket = index.TimeBucket
