package storetest

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/syntax"
)

// Fake is an in-memory store that keeps the whole contract: it filters with
// the shared search syntax (syntax.FromFilter and Node.Match), sorts, pages,
// facets and counts exactly, so that tests above the store run against the
// contract rather than canned answers. It passes TestStore. It never
// changes after NewFake, so it is safe for concurrent use.
type Fake struct {
	events  []model.Event // by time, ties by source then line
	deploys []model.Deploy
}

var (
	_ Store        = (*Fake)(nil)
	_ MultiFaceter = (*Fake)(nil)
)

// NewFake returns a store holding events and deploys, as a store would hold
// them once written: times in UTC, events in time order (ties by source
// name, then line number), a line already present (same source, line
// number and bytes) kept once, the deploy history sorted oldest first
// without duplicates (same time, service, version and commit). It copies
// its arguments.
func NewFake(events []model.Event, deploys []model.Deploy) *Fake {
	f := &Fake{}
	type lineKey struct {
		source string
		line   int64
		raw    string
	}
	seen := map[lineKey]bool{}
	for _, e := range events {
		k := lineKey{e.Source, e.Line, string(e.Raw)}
		if seen[k] {
			continue
		}
		seen[k] = true
		e.Time = e.Time.UTC()
		e.Raw = slices.Clone(e.Raw)
		f.events = append(f.events, e)
	}
	slices.SortStableFunc(f.events, compareEvents)
	type deployKey struct {
		t                        time.Time
		service, version, commit string
	}
	seenD := map[deployKey]bool{}
	for _, d := range deploys {
		d.Time = d.Time.UTC()
		k := deployKey{d.Time, d.Service, d.Version, d.Commit}
		if seenD[k] {
			continue
		}
		seenD[k] = true
		f.deploys = append(f.deploys, d)
	}
	slices.SortStableFunc(f.deploys, func(a, b model.Deploy) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Commit, b.Commit))
	})
	return f
}

// compareEvents is the contract's order: time, then source name, then line.
func compareEvents(a, b model.Event) int {
	return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line))
}

// match returns the indexes of the events f selects, oldest first.
func (s *Fake) match(ctx context.Context, f model.Filter) ([]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, err := syntax.FromFilter(f)
	if err != nil {
		return nil, err
	}
	var out []int
	for i := range s.events {
		if n.Match(&s.events[i]) {
			out = append(out, i)
		}
	}
	return out, nil
}

// Find returns the page o asks for of the events matching f (Limit 0 means
// 100, a negative Offset 0) and their total.
func (s *Fake) Find(ctx context.Context, f model.Filter, o model.FindOptions) (model.Result, error) {
	m, err := s.match(ctx, f)
	if err != nil {
		return model.Result{}, err
	}
	if o.Order == model.NewestFirst {
		slices.Reverse(m)
	}
	limit := o.Limit
	if limit <= 0 {
		limit = 100
	}
	offset := max(o.Offset, 0)
	res := model.Result{Total: len(m)}
	for _, i := range m[min(offset, len(m)):min(offset+limit, len(m))] {
		e := s.events[i]
		e.Raw = slices.Clone(e.Raw)
		res.Events = append(res.Events, e)
	}
	return res, nil
}

// Facet returns the distribution of field over the events matching f.
func (s *Fake) Facet(ctx context.Context, f model.Filter, field string, size int) (model.Facet, error) {
	fcs, err := s.Facets(ctx, f, []string{field}, size)
	if err != nil {
		return model.Facet{}, err
	}
	return fcs[0], nil
}

// Facets returns the distributions of fields over the events matching f, in
// the order of fields.
func (s *Fake) Facets(ctx context.Context, f model.Filter, fields []string, size int) ([]model.Facet, error) {
	fls := make([]syntax.Field, len(fields))
	for i, name := range fields {
		fl, err := syntax.FacetField(name)
		if err != nil {
			return nil, err
		}
		fls[i] = fl
	}
	m, err := s.match(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]model.Facet, len(fields))
	for k, fl := range fls {
		fc := model.Facet{Field: fields[k], Total: len(m)}
		counts := map[string]int{}
		for _, i := range m {
			v, ok := fl.Value(&s.events[i])
			if !ok && fl.Kind != syntax.Source {
				fc.Missing++
				continue
			}
			counts[v]++
		}
		fc.Distinct = len(counts)
		fc.Buckets = make([]model.Bucket, 0, len(counts))
		for v, n := range counts {
			fc.Buckets = append(fc.Buckets, model.Bucket{Value: v, Count: n})
		}
		slices.SortFunc(fc.Buckets, func(a, b model.Bucket) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
		})
		if size > 0 && len(fc.Buckets) > size {
			fc.Buckets = fc.Buckets[:size]
		}
		fc.Other = fc.Total - fc.Missing
		for _, b := range fc.Buckets {
			fc.Other -= b.Count
		}
		out[k] = fc
	}
	return out, nil
}

// Histogram counts the events matching f in n equal buckets over
// [from, to): bucket i starts at from + i*(to-from)/n (rounded down to the
// nanosecond).
func (s *Fake) Histogram(ctx context.Context, f model.Filter, from, to time.Time, n int) ([]model.TimeBucket, error) {
	if n <= 0 {
		return nil, fmt.Errorf("histogram: %d buckets", n)
	}
	span := to.Sub(from)
	if span <= 0 {
		return nil, fmt.Errorf("histogram: empty range [%s, %s)", from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	}
	if span == time.Duration(1<<63-1) {
		return nil, fmt.Errorf("histogram: range too long")
	}
	if f.Since.IsZero() || f.Since.Before(from) {
		f.Since = from
	}
	if f.Until.IsZero() || f.Until.After(to) {
		f.Until = to
	}
	out := make([]model.TimeBucket, n)
	for i := range out {
		hi, lo := bits.Mul64(uint64(span), uint64(i))
		q, _ := bits.Div64(hi, lo, uint64(n))
		out[i].Start = from.Add(time.Duration(q)).UTC()
	}
	m, err := s.match(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, i := range m {
		d := s.events[i].Time.Sub(from)
		hi, lo := bits.Mul64(uint64(d), uint64(n))
		k, _ := bits.Div64(hi, lo, uint64(span))
		out[k].Count++
	}
	return out, nil
}

// Deploys returns the deploy history, oldest first.
func (s *Fake) Deploys(ctx context.Context) ([]model.Deploy, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return slices.Clone(s.deploys), nil
}

// Span describes the store.
func (s *Fake) Span(ctx context.Context) (model.Span, error) {
	if err := ctx.Err(); err != nil {
		return model.Span{}, err
	}
	sp := model.Span{Events: len(s.events), Deploys: len(s.deploys)}
	for i, e := range s.events {
		if i == 0 || e.Time.Before(sp.First) {
			sp.First = e.Time
		}
		if i == 0 || e.Time.After(sp.Last) {
			sp.Last = e.Time
		}
	}
	return sp, nil
}
