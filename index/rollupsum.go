package index

import (
	"cmp"
	"context"
	"slices"
)

// A group summary is what the error groups' screens need of one value of a
// keyword field (a fingerprint) over the events a filter selects: how many
// events carry it, the first and last of them in Find's order, optionally
// the time of every one (for histograms), and per facet field the count of
// each value. It is computed in one pass over the candidate blocks (their
// error digests), and for the rollup kept per range of committed blocks
// and merged: every part is exactly mergeable (sums, minimum, maximum,
// sorted merges), so a merged summary is exactly the one pass over the
// union of the blocks.

// valCount is one value of a facet field and its count.
type valCount struct {
	v string
	n int
}

// groupSum summarises one value (a group).
type groupSum struct {
	value       string
	n           int
	first, last hit // rank is set by whoever compares them
	times       []ts
	// vals[j] are the values of facet field j, sorted by value.
	vals [][]valCount
	// ids[j][k], when times are kept, is 1 + the index in vals[j] of the
	// value of event k (in times' order), 0 when it has none: the facets
	// of any time range of the group.
	ids [][]uint32
}

// groupAcc accumulates a groupSum during a pass.
type groupAcc struct {
	n           int
	first, last hit
	evs         []accEvent // when times are kept
	vals        []map[string]int
}

// accEvent is an event's time and facet values, while a pass collects them.
type accEvent struct {
	t    ts
	vals []string
}

// groupPass accumulates, in one pass over plan p, a group per value of
// keyword column col: count, first and last hit, the times of its events
// when withTimes, and the counts of each value of the keyword columns
// fcols. Events without col are left out.
func (ix *Index) groupPass(ctx context.Context, p *plan, col int, fcols []int, withTimes bool) ([]groupSum, error) {
	rank := sourceRanks(p.sources)
	byValue := map[string]*groupAcc{}
	var byKey []*groupAcc // per dictionary key of the current block
	fkc := make([]*kwColumn, len(fcols))
	err := ix.each(ctx, p, func(num int, c *cols, hits bitmap, rows []uint8) error {
		kc, err := c.kwc(col)
		if err != nil {
			return ix.damaged(packFile, "block %d: %w", num, err)
		}
		for j, fc := range fcols {
			if fkc[j], err = c.kwc(fc); err != nil {
				return ix.damaged(packFile, "block %d: %w", num, err)
			}
		}
		byKey = slices.Grow(byKey[:0], len(kc.dict)+1)[:len(kc.dict)+1]
		clear(byKey)
		r := rank[p.blocks[num].src]
		hits.each(func(i int) {
			k := kc.idx[i]
			if k == 0 {
				return
			}
			x := hit{t: c.time[i], rank: r, line: c.line[i], block: num, idx: blockLine(rows, i)}
			e := byKey[k]
			if e == nil {
				v := kc.dict[k-1]
				if e = byValue[v]; e == nil {
					e = &groupAcc{first: x, last: x, vals: make([]map[string]int, len(fcols))}
					for j := range e.vals {
						e.vals[j] = map[string]int{}
					}
					byValue[v] = e
				}
				byKey[k] = e
			}
			e.n++
			if compareHits(&x, &e.first) < 0 {
				e.first = x
			}
			if compareHits(&x, &e.last) > 0 {
				e.last = x
			}
			var ev *accEvent
			if withTimes {
				e.evs = append(e.evs, accEvent{t: x.t, vals: make([]string, len(fkc))})
				ev = &e.evs[len(e.evs)-1]
			}
			for j, fk := range fkc {
				if v := fk.idx[i]; v != 0 {
					e.vals[j][fk.dict[v-1]]++
					if ev != nil {
						ev.vals[j] = fk.dict[v-1]
					}
				}
			}
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]groupSum, 0, len(byValue))
	for v, e := range byValue {
		g := groupSum{value: v, n: e.n, first: e.first, last: e.last, vals: make([][]valCount, len(fcols))}
		for j, m := range e.vals {
			vs := make([]valCount, 0, len(m))
			for s, n := range m {
				vs = append(vs, valCount{s, n})
			}
			slices.SortFunc(vs, func(a, b valCount) int { return cmp.Compare(a.v, b.v) })
			g.vals[j] = vs
		}
		if withTimes {
			slices.SortStableFunc(e.evs, func(a, b accEvent) int { return a.t.cmp(b.t) })
			g.times = make([]ts, len(e.evs))
			g.ids = make([][]uint32, len(fcols))
			for j := range g.ids {
				pos := make(map[string]uint32, len(g.vals[j]))
				for k, vc := range g.vals[j] {
					pos[vc.v] = uint32(k + 1)
				}
				g.ids[j] = make([]uint32, len(e.evs))
				for k := range e.evs {
					g.ids[j][k] = pos[e.evs[k].vals[j]] // 0 for ""
				}
			}
			for k := range e.evs {
				g.times[k] = e.evs[k].t
			}
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b groupSum) int { return cmp.Compare(a.value, b.value) })
	return out, nil
}

// mergeGroups merges two summaries (each sorted by value) of disjoint sets
// of blocks; rank maps a block to the rank of its source.
func mergeGroups(a, b []groupSum, rankOf func(block int) int) []groupSum {
	out := make([]groupSum, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i].value < b[j].value:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].value < a[i].value:
			out = append(out, b[j])
			j++
		default:
			out = append(out, mergeGroup(&a[i], &b[j], rankOf))
			i++
			j++
		}
	}
	return out
}

func mergeGroup(a, b *groupSum, rankOf func(block int) int) groupSum {
	af, al, bf, bl := a.first, a.last, b.first, b.last
	for _, x := range []*hit{&af, &al, &bf, &bl} {
		x.rank = rankOf(x.block)
	}
	g := groupSum{value: a.value, n: a.n + b.n, first: af, last: al}
	if compareHits(&bf, &g.first) < 0 {
		g.first = bf
	}
	if compareHits(&bl, &g.last) > 0 {
		g.last = bl
	}
	nf := max(len(a.vals), len(b.vals))
	g.vals = make([][]valCount, nf)
	// posA[k][i], posB[k][i]: 1 + the merged index of a's (b's) value i.
	posA, posB := make([][]uint32, nf), make([][]uint32, nf)
	for k := range g.vals {
		var x, y []valCount
		if k < len(a.vals) {
			x = a.vals[k]
		}
		if k < len(b.vals) {
			y = b.vals[k]
		}
		vs := make([]valCount, 0, max(len(x), len(y)))
		pa, pb := make([]uint32, 0, len(x)), make([]uint32, 0, len(y))
		for len(x) > 0 || len(y) > 0 {
			c := 0
			switch {
			case len(y) == 0:
				c = -1
			case len(x) == 0:
				c = 1
			default:
				c = cmp.Compare(x[0].v, y[0].v)
			}
			switch {
			case c < 0:
				vs, x = append(vs, x[0]), x[1:]
				pa = append(pa, uint32(len(vs)))
			case c > 0:
				vs, y = append(vs, y[0]), y[1:]
				pb = append(pb, uint32(len(vs)))
			default:
				vs = append(vs, valCount{x[0].v, x[0].n + y[0].n})
				x, y = x[1:], y[1:]
				pa, pb = append(pa, uint32(len(vs))), append(pb, uint32(len(vs)))
			}
		}
		g.vals[k], posA[k], posB[k] = vs, pa, pb
	}
	if a.times == nil && b.times == nil {
		return g
	}
	g.times = make([]ts, 0, len(a.times)+len(b.times))
	g.ids = make([][]uint32, nf)
	for k := range g.ids {
		g.ids[k] = make([]uint32, 0, len(a.times)+len(b.times))
	}
	take := func(s *groupSum, pos [][]uint32, i int) {
		g.times = append(g.times, s.times[i])
		for k := range g.ids {
			var id uint32
			if k < len(s.ids) && i < len(s.ids[k]) && s.ids[k][i] > 0 {
				id = pos[k][s.ids[k][i]-1]
			}
			g.ids[k] = append(g.ids[k], id)
		}
	}
	i, j := 0, 0
	for i < len(a.times) || j < len(b.times) {
		if j == len(b.times) || i < len(a.times) && !b.times[j].less(a.times[i]) {
			take(a, posA, i)
			i++
		} else {
			take(b, posB, j)
			j++
		}
	}
	return g
}

// rangeFacets returns the facets of fields (slots of g.vals, names) over
// g's events in [lo, hi), from its times and ids.
func rangeFacets(g *groupSum, slots []int, names []string, lo, hi ts, hasLo, hasHi bool, size int) []Facet {
	a, b := 0, len(g.times)
	if hasLo {
		a, _ = slices.BinarySearchFunc(g.times, lo, func(x, y ts) int { return x.cmp(y) })
	}
	if hasHi {
		b, _ = slices.BinarySearchFunc(g.times, hi, func(x, y ts) int { return x.cmp(y) })
	}
	b = max(a, b)
	out := make([]Facet, len(slots))
	for i, slot := range slots {
		counts := map[uint32]int{}
		for _, id := range g.ids[slot][a:b] {
			if id > 0 {
				counts[id]++
			}
		}
		vs := make([]valCount, 0, len(counts))
		for id, n := range counts {
			vs = append(vs, valCount{g.vals[slot][id-1].v, n})
		}
		slices.SortFunc(vs, func(x, y valCount) int { return cmp.Compare(x.v, y.v) })
		out[i] = facetOf(names[i], b-a, vs, size)
	}
	return out
}

// facetOf is the Facet of one field over a group's n events, from its
// values sorted by value: as Facets gives it (size most frequent first,
// ties by value; all when size <= 0).
func facetOf(field string, n int, vals []valCount, size int) Facet {
	fc := Facet{Field: field, Total: n, Distinct: len(vals)}
	sum := 0
	for _, v := range vals {
		sum += v.n
	}
	fc.Missing = n - sum
	better := func(a, b valCount) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.v, b.v)) }
	var top []valCount
	if size <= 0 || size >= len(vals) {
		top = slices.Clone(vals)
		slices.SortFunc(top, better)
	} else {
		// The size best, kept sorted: one insertion per better value.
		top = make([]valCount, 0, size)
		for _, v := range vals {
			if len(top) == size && better(v, top[size-1]) >= 0 {
				continue
			}
			k, _ := slices.BinarySearchFunc(top, v, better)
			if len(top) == size {
				top = top[:size-1]
			}
			top = slices.Insert(top, k, v)
		}
	}
	fc.Buckets = make([]Bucket, len(top))
	fc.Other = n - fc.Missing
	for i, v := range top {
		fc.Buckets[i] = Bucket{Value: v.v, Count: v.n}
		fc.Other -= v.n
	}
	return fc
}
