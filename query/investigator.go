package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// Defaults of Options.
const (
	DefaultRegressionWindow = 30 * time.Minute
	DefaultNearbyWindow     = 2 * time.Hour
	DefaultBlastWindow      = time.Hour
	DefaultMinBlastWindow   = 5 * time.Minute
)

// Options tune an Investigator. Zero fields take the defaults.
type Options struct {
	// RegressionWindow: an error first seen within this long after a deploy
	// of its service can be a regression of that deploy. Default 30 min.
	RegressionWindow time.Duration
	// NearbyWindow: deploys within this long either side of the first
	// occurrence are listed in deploys_nearby. Default 2 h.
	NearbyWindow time.Duration
	// BlastWindow caps the window over which the blast radius and its
	// baseline are computed: [first_seen, min(last_seen, first_seen +
	// BlastWindow)]. The onset of an incident says most about it, and the
	// baseline facets cost time in proportion to the events they cover.
	// Default 1 h; negative means no cap.
	BlastWindow time.Duration
	// MinBlastWindow pads a shorter blast window (an error seen once) so the
	// baseline holds enough traffic to compare with. Default 5 min.
	MinBlastWindow time.Duration
}

func (o Options) withDefaults() Options {
	if o.RegressionWindow <= 0 {
		o.RegressionWindow = DefaultRegressionWindow
	}
	if o.NearbyWindow <= 0 {
		o.NearbyWindow = DefaultNearbyWindow
	}
	if o.BlastWindow == 0 {
		o.BlastWindow = DefaultBlastWindow
	}
	if o.MinBlastWindow <= 0 {
		o.MinBlastWindow = DefaultMinBlastWindow
	}
	return o
}

// MultiFaceter is an optional Store extension: the distributions of several
// fields over the same filter in one round trip (bleve computes all facets
// of a search request in one pass over the matches). When the Store
// implements it, the Investigator uses it for the blast radius and error
// groups; otherwise it calls Facet once per field. The result holds one
// Facet per field, in the order of fields.
type MultiFaceter interface {
	Facets(ctx context.Context, f Filter, fields []string, size int) ([]Facet, error)
}

// GroupEnder is an optional Store extension: per value of a keyword field
// over f, the count and the first and last event in Find's order, most
// frequent first, ties by value, values missing left out; each exactly what
// Find with f and field = value answers. In one pass, where Facet then two
// Finds per value make 1 + 2 × values. Errors uses it when the Store
// implements it.
type GroupEnder interface {
	GroupEnds(ctx context.Context, f Filter, field string) ([]GroupEnds, error)
}

// Concurrent is an optional Store extension: a store says how many
// independent questions it answers well at once — VictoriaLogs, whose
// questions wait mostly on a round trip to a server, a few per server; the
// CLI's store of the local index, whose questions are CPU work, one per
// core. Errors then analyses that many groups at a time; a store that is
// not Concurrent is asked one question at a time.
type Concurrent interface {
	Concurrency() int
}

// Investigator answers questions over a Store. It holds no mutable state and
// is safe for concurrent use if the Store is.
type Investigator struct {
	store Store
	opt   Options
}

// New returns an Investigator over s.
func New(s Store, o Options) *Investigator {
	return &Investigator{store: s, opt: o.withDefaults()}
}

// Options returns the options in effect, defaults filled in.
func (inv *Investigator) Options() Options { return inv.opt }

// Search translates o into a Filter and returns a page of matching events.
// Limit 0 means 50. The order is o.Order (the CLI and TUI pass NewestFirst;
// the zero value is OldestFirst).
func (inv *Investigator) Search(ctx context.Context, o SearchOptions) (Result, error) {
	f, err := o.filter()
	if err != nil {
		return Result{}, err
	}
	lim := o.Limit
	if lim <= 0 {
		lim = 50
	}
	res, err := inv.store.Find(ctx, f, FindOptions{Limit: lim, Offset: o.Offset, Order: o.Order})
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// EventStreamer is an optional Store extension: FindEach calls fn with
// every event matching f in o.Order as it finds it (o.Limit <= 0: all of
// them) and returns the number of matches, so that a large result is never
// held in memory. *index.Index is an EventStreamer.
type EventStreamer interface {
	FindEach(ctx context.Context, f Filter, o FindOptions, fn func(*Event) error) (int, error)
}

// SearchEach is Search with the events handed to fn one at a time, in
// order, instead of returned in a slice: with a Store that is an
// EventStreamer, memory does not grow with o.Limit. It returns the total
// number of matching events. The Event is valid only during the call.
func (inv *Investigator) SearchEach(ctx context.Context, o SearchOptions, fn func(*Event) error) (int, error) {
	es, ok := inv.store.(EventStreamer)
	if !ok {
		res, err := inv.Search(ctx, o)
		if err != nil {
			return 0, err
		}
		for i := range res.Events {
			if err := fn(&res.Events[i]); err != nil {
				return res.Total, err
			}
		}
		return res.Total, nil
	}
	f, err := o.filter()
	if err != nil {
		return 0, err
	}
	lim := o.Limit
	if lim <= 0 {
		lim = 50
	}
	total, err := es.FindEach(ctx, f, FindOptions{Limit: lim, Offset: o.Offset, Order: o.Order}, fn)
	if err != nil {
		return total, fmt.Errorf("search: %w", err)
	}
	return total, nil
}

// filter validates o and translates it into a Filter.
func (o SearchOptions) filter() (Filter, error) {
	f := Filter{Since: o.Since, Until: o.Until, Service: o.Service, Query: strings.TrimSpace(o.Query)}
	if o.Level != "" {
		lv, ok := NormalizeLevel(o.Level)
		if !ok {
			return f, fmt.Errorf("unknown level %q (want trace, debug, info, warn, error or fatal)", o.Level)
		}
		f.MinLevel = lv
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Until.After(o.Since) {
		return f, fmt.Errorf("empty time range: until %s is not after since %s", fmtTime(o.Until), fmtTime(o.Since))
	}
	if o.Offset < 0 {
		return f, errors.New("negative offset")
	}
	return f, nil
}

// Facet returns the distribution of field over the events f selects.
func (inv *Investigator) Facet(ctx context.Context, f Filter, field string, size int) (Facet, error) {
	fc, err := inv.store.Facet(ctx, f, field, size)
	if err != nil {
		return Facet{}, fmt.Errorf("facet %s: %w", field, err)
	}
	return fc, nil
}

// Facets returns the distributions of fields over the events f selects,
// in one pass over them when the Store can (MultiFaceter).
func (inv *Investigator) Facets(ctx context.Context, f Filter, fields []string, size int) ([]Facet, error) {
	return inv.facets(ctx, f, fields, size)
}

// Histogram counts the events f selects in n equal buckets over [from, to).
func (inv *Investigator) Histogram(ctx context.Context, f Filter, from, to time.Time, n int) ([]TimeBucket, error) {
	if n <= 0 {
		return nil, fmt.Errorf("histogram: %d buckets", n)
	}
	if !to.After(from) {
		return nil, fmt.Errorf("histogram: empty range %s to %s", fmtTime(from), fmtTime(to))
	}
	hs, err := inv.store.Histogram(ctx, f, from, to, n)
	if err != nil {
		return nil, fmt.Errorf("histogram: %w", err)
	}
	return hs, nil
}

// Deploys returns the deploy history, oldest first.
func (inv *Investigator) Deploys(ctx context.Context) ([]Deploy, error) {
	ds, err := inv.store.Deploys(ctx)
	if err != nil {
		return nil, fmt.Errorf("deploys: %w", err)
	}
	return ds, nil
}

// Span describes what the index holds.
func (inv *Investigator) Span(ctx context.Context) (Span, error) {
	sp, err := inv.store.Span(ctx)
	if err != nil {
		return Span{}, fmt.Errorf("span: %w", err)
	}
	return sp, nil
}

// facets returns the facets of fields over f, in one round trip when the
// Store is a MultiFaceter.
func (inv *Investigator) facets(ctx context.Context, f Filter, fields []string, size int) ([]Facet, error) {
	if mf, ok := inv.store.(MultiFaceter); ok {
		fs, err := mf.Facets(ctx, f, fields, size)
		if err != nil {
			return nil, fmt.Errorf("facets %s: %w", strings.Join(fields, ","), err)
		}
		if len(fs) != len(fields) {
			return nil, fmt.Errorf("facets %s: store returned %d facets", strings.Join(fields, ","), len(fs))
		}
		return fs, nil
	}
	out := make([]Facet, len(fields))
	for i, field := range fields {
		fc, err := inv.store.Facet(ctx, f, field, size)
		if err != nil {
			return nil, fmt.Errorf("facet %s: %w", field, err)
		}
		out[i] = fc
	}
	return out, nil
}

// levelRank orders canonical levels 1 (trace) to 6 (fatal); anything else
// ranks 0. It is derived from model.Levels.
var levelRank = func() map[string]int {
	m := make(map[string]int, len(model.Levels))
	for i, l := range model.Levels {
		m[l] = i + 1
	}
	return m
}()

// NormalizeLevel maps a level name as a user types it (ERROR, warning, err,
// crit, verbose, ...) to its canonical name, with the table ingest reads
// logs with (model.ParseLevel).
func NormalizeLevel(s string) (string, bool) { return model.ParseLevel(s) }
