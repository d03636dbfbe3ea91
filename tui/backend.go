package tui

import (
	"context"
	"time"

	"github.com/culprit-dev/culprit/query"
)

// Backend is everything the TUI needs from culprit's investigation layer.
// *query.Investigator implements it; tests use a fake.
type Backend interface {
	// Request investigates one request ID. An unknown ID is a Report with
	// Found false (and a Hint), not an error.
	Request(ctx context.Context, id string) (*query.Report, error)
	// Errors lists the error groups.
	Errors(ctx context.Context, o query.ErrorsOptions) ([]query.ErrorGroup, error)
	// Search returns one page of the events matching o, and their total.
	Search(ctx context.Context, o query.SearchOptions) (query.Result, error)
	// Facet returns the distribution of field over the events f selects.
	Facet(ctx context.Context, f query.Filter, field string, size int) (query.Facet, error)
	// Histogram counts the events f selects in n equal buckets over
	// [from, to).
	Histogram(ctx context.Context, f query.Filter, from, to time.Time, n int) ([]query.TimeBucket, error)
	// Deploys returns the deploy history, oldest first.
	Deploys(ctx context.Context) ([]query.Deploy, error)
	// Span describes the index: event count and ingested time window.
	Span(ctx context.Context) (query.Span, error)
	// Compare compares the service of the report's error before and after
	// its suspect deploy; nil when there is no suspect deploy.
	Compare(ctx context.Context, r *query.Report) (*query.DeployComparison, error)
}

// Options configure the TUI.
type Options struct {
	// RequestID, when set, opens straight on that request's investigation.
	RequestID string
	// NoColor draws without colour (NO_COLOR); bold and reverse video stay.
	NoColor bool
	// SaveDir is where S saves an investigation as Markdown; "" means the
	// current directory.
	SaveDir string
	// Now is the clock used for relative times ("3h ago"); nil means
	// time.Now.
	Now func() time.Time
	// Following names what `tui --follow` follows, for the status of the
	// title line; empty when the TUI only reads.
	Following []string
}
