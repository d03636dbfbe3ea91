package index

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/culprit-dev/culprit/index/model"
)

// GroupEnds returns, for every value of keyword field over the events
// matching f, how many events carry it and the first and last of them in
// Find's order (time, ties by source name, then line), most frequent first,
// ties by value; events without the field are left out. It is one pass over
// the candidate blocks, where asking Facet for the values and then Find for
// each value's first and last event is 1 + 2 × values passes: the error
// groups' list asks it once instead of twice per group. Each value's count
// and ends are exactly those of Find with f and field = value.
func (ix *Index) GroupEnds(ctx context.Context, f Filter, field string) (_ []GroupEnds, err error) {
	defer recoverCorrupt(ix.dir, &err)
	col, ok := facetFields[field]
	if !ok || col < 0 {
		return nil, fmt.Errorf("group ends of %q: not a keyword field", field)
	}
	p, err := ix.plan(ctx, f)
	if err != nil {
		return nil, err
	}
	groups, err := ix.groupPass(ctx, p, col, nil, false)
	if err != nil {
		return nil, err
	}
	out := make([]GroupEnds, 0, len(groups))
	for _, gs := range groups {
		g := GroupEnds{Value: gs.value, Count: gs.n}
		if g.First, err = ix.hitEvent(p, gs.first); err != nil {
			return nil, err
		}
		if g.Last, err = ix.hitEvent(p, gs.last); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b GroupEnds) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	return out, nil
}

// hitEvent reads the event a hit of plan p points at.
func (ix *Index) hitEvent(p *plan, x hit) (Event, error) {
	m := &p.blocks[x.block]
	c, err := ix.loadCols(x.block, m)
	if err != nil {
		return Event{}, err
	}
	return ix.event(x.block, m, c, x.idx)
}

// GroupSummary is one value of a field with its GroupEnds and facets.
type GroupSummary = model.GroupSummary

// GroupSummaries returns what GroupEnds returns (in its order), and for
// each value the facets of fields over the events that carry it, each as
// Facet would give it with the filter narrowed to the value (size most
// frequent values; all when size <= 0), from the same single pass: the
// error groups' list asks it once instead of a facet query per group.
//
// The question of every error group (f selects error events only and
// nothing else, field is fingerprint, fields among request_id, trace_id,
// route and user) is answered from the rollup and the few blocks past it,
// not from every block's digest.
func (ix *Index) GroupSummaries(ctx context.Context, f Filter, field string, fields []string, size int) (_ []GroupSummary, err error) {
	defer recoverCorrupt(ix.dir, &err)
	col, ok := facetFields[field]
	if !ok || col < 0 {
		return nil, fmt.Errorf("group summaries of %q: not a keyword field", field)
	}
	fcols := make([]int, len(fields))
	fromRollup := field == "fingerprint" && f == (Filter{ErrorsOnly: true})
	for i, name := range fields {
		c, ok := facetFields[name]
		if !ok || c < 0 {
			return nil, fmt.Errorf("group summaries: facet %q: not a keyword field", name)
		}
		fcols[i] = c
		if k := slices.Index(rollupFacets, name); k < 0 {
			fromRollup = false
		} else {
			fcols[i] = k // the rollup's slot
		}
	}
	var p *plan
	var gs []groupSum
	if fromRollup {
		if p, gs, ok, err = ix.rollupGroups(ctx); err != nil {
			return nil, err
		}
		if !ok {
			fromRollup = false
		}
	}
	if !fromRollup {
		for i, name := range fields {
			fcols[i] = facetFields[name]
		}
		if p, err = ix.plan(ctx, f); err != nil {
			return nil, err
		}
		if gs, err = ix.groupPass(ctx, p, col, fcols, false); err != nil {
			return nil, err
		}
		for i := range fcols {
			fcols[i] = i
		}
	}
	out := make([]GroupSummary, 0, len(gs))
	for i := range gs {
		g := &gs[i]
		s := GroupSummary{GroupEnds: GroupEnds{Value: g.value, Count: g.n}, Facets: make([]Facet, len(fields))}
		if s.First, err = ix.hitEvent(p, g.first); err != nil {
			return nil, err
		}
		if s.Last, err = ix.hitEvent(p, g.last); err != nil {
			return nil, err
		}
		for j, name := range fields {
			s.Facets[j] = facetOf(name, g.n, g.vals[fcols[j]], size)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b GroupSummary) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	return out, nil
}
