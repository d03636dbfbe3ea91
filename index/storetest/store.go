// Package storetest checks that a log store keeps culprit's store contract,
// in the spirit of testing/fstest: TestStore loads a small fixed corpus
// through the store's own write path and checks every method against
// answers written out by hand. It also holds Fake, the one in-memory store
// that tests of the layers above a store use; Fake passes TestStore too.
//
// The contract is the method set of query.Store, restated here as Store so
// that this package imports neither the bleve store (index) nor query
// (whose own tests use Fake). See docs/store.md.
//
// Allowed imports: the standard library, index/model and index/syntax.
package storetest

import (
	"context"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// Store is the store contract: query.Store's methods on model's types.
type Store interface {
	// Find returns the events matching f, a page at a time, in o.Order.
	Find(ctx context.Context, f model.Filter, o model.FindOptions) (model.Result, error)
	// Facet returns the distribution of one field over the events f
	// matches.
	Facet(ctx context.Context, f model.Filter, field string, size int) (model.Facet, error)
	// Histogram counts the events matching f in n equal buckets over
	// [from, to).
	Histogram(ctx context.Context, f model.Filter, from, to time.Time, n int) ([]model.TimeBucket, error)
	// Deploys returns the whole deploy history, oldest first.
	Deploys(ctx context.Context) ([]model.Deploy, error)
	// Span describes the store: event and deploy counts, event time window.
	Span(ctx context.Context) (model.Span, error)
}

// MultiFaceter is the optional extension query.MultiFaceter: several facets
// over one filter in one round trip. When a store has it, TestStore checks
// that it agrees with Facet.
type MultiFaceter interface {
	Facets(ctx context.Context, f model.Filter, fields []string, size int) ([]model.Facet, error)
}
