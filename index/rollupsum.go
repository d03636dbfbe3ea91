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
}

// groupAcc accumulates a groupSum during a pass.
type groupAcc struct {
	n           int
	first, last hit
	times       []ts
	vals        []map[string]int
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
			if withTimes {
				e.times = append(e.times, x.t)
			}
			for j, fk := range fkc {
				if v := fk.idx[i]; v != 0 {
					e.vals[j][fk.dict[v-1]]++
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
		g := groupSum{value: v, n: e.n, first: e.first, last: e.last, times: e.times, vals: make([][]valCount, len(fcols))}
		slices.SortFunc(g.times, func(a, b ts) int { return a.cmp(b) })
		for j, m := range e.vals {
			vs := make([]valCount, 0, len(m))
			for s, n := range m {
				vs = append(vs, valCount{s, n})
			}
			slices.SortFunc(vs, func(a, b valCount) int { return cmp.Compare(a.v, b.v) })
			g.vals[j] = vs
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
	if a.times != nil || b.times != nil {
		g.times = make([]ts, 0, len(a.times)+len(b.times))
		x, y := a.times, b.times
		for len(x) > 0 && len(y) > 0 {
			if y[0].less(x[0]) {
				g.times, y = append(g.times, y[0]), y[1:]
			} else {
				g.times, x = append(g.times, x[0]), x[1:]
			}
		}
		g.times = append(append(g.times, x...), y...)
	}
	g.vals = make([][]valCount, max(len(a.vals), len(b.vals)))
	for k := range g.vals {
		var x, y []valCount
		if k < len(a.vals) {
			x = a.vals[k]
		}
		if k < len(b.vals) {
			y = b.vals[k]
		}
		vs := make([]valCount, 0, max(len(x), len(y)))
		for len(x) > 0 && len(y) > 0 {
			switch c := cmp.Compare(x[0].v, y[0].v); {
			case c < 0:
				vs, x = append(vs, x[0]), x[1:]
			case c > 0:
				vs, y = append(vs, y[0]), y[1:]
			default:
				vs = append(vs, valCount{x[0].v, x[0].n + y[0].n})
				x, y = x[1:], y[1:]
			}
		}
		g.vals[k] = append(append(vs, x...), y...)
	}
	return g
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
