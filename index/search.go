package index

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/culprit-dev/culprit/index/syntax"
)

// plan is a compiled filter and the blocks that may match it.
type plan struct {
	root    *qnode
	blocks  []blockMeta
	sources []string
	nums    []int // candidate blocks
	// digests: the filter selects error lines only and needs no word or
	// text, so a block's error digest answers it (each's caller maps
	// digest lines back to block lines).
	digests bool
	// transient: blocks read are not kept in the cache (the writer's
	// rollup pass).
	transient bool
	// judging: each judges every block before reading it (judge.go),
	// with the blocks' tallies when tallies is set.
	judging, tallies bool
	// whole, when set, is offered each block whose number of matching
	// lines judging knows; it returns true when it answered for the
	// block, which is then not read.
	whole func(num int, v *verdict) (bool, error)
	// kwOnly: the caller of each reads keyword columns only, so a block
	// whose undecided leaves are all on keyword columns is read without
	// its core columns (loadKWCols).
	kwOnly bool
}

// fewBlocks is the number of candidate blocks by time below which a plan
// does not ask bleve to narrow them: reading a few blocks' tallies or
// columns costs less than a search. Tests set 0 to have bleve asked on
// small indexes.
var fewBlocks = 64

// bleveDecided reports whether every leaf of n that bleve would narrow
// blocks with is decided per block by its record or tally.
func (n *qnode) bleveDecided() bool {
	return !n.anyLeaf(func(l *qleaf) bool { return l.dimOf() == dimNone && l.bleveQuery() != nil })
}

// manyTerms reports whether bleve would judge a leaf of n by going through
// many terms: a range or a pattern.
func (n *qnode) manyTerms() bool {
	return n.anyLeaf(func(l *qleaf) bool {
		return l.bleveQuery() != nil && (l.kind == lkRange || l.kind == lkPattern)
	})
}

// keywordsOnly reports whether every leaf of n the block bf leaves
// undecided is on a keyword column.
func (n *qnode) keywordsOnly(bf *blockFacts) bool {
	return !n.anyLeaf(func(l *qleaf) bool { return l.spec.kind != fkKeyword && l.judge(bf) == triSome })
}

// facts returns what the plan knows of block num without its lines; the
// tally is loaded when the plan uses tallies.
func (ix *Index) facts(p *plan, num int) (blockFacts, error) {
	bf := recordFacts(p.blocks, p.sources, num)
	if p.tallies && !p.digests {
		t, err := ix.loadTally(num, p.blocks)
		if err != nil {
			return bf, err
		}
		bf.t = t
	}
	return bf, nil
}

// recordFacts is what block num's record says of it: its time bounds and
// source.
func recordFacts(blocks []blockMeta, sources []string, num int) blockFacts {
	bf := blockFacts{m: &blocks[num], pin: dimNone}
	if int(bf.m.src) < len(sources) {
		bf.source = sources[bf.m.src]
	}
	return bf
}

// plan compiles f and finds its candidate blocks (steps 1 and 2 of eval.go).
func (ix *Index) plan(ctx context.Context, f Filter) (*plan, error) {
	root, err := compileFilter(f)
	if err != nil {
		return nil, err
	}
	root.prepare()
	blocks, sources, err := ix.snapshot()
	if err != nil {
		return nil, err
	}
	if err := ix.limitExpansions(root); err != nil {
		return nil, err
	}
	p := &plan{root: root, blocks: blocks, sources: sources, digests: f.ErrorsOnly && root.columnsOnly(),
		judging: true, tallies: root.usesTally()}
	// The blocks the records leave (time bounds, source); nil: every
	// block.
	var byRecord []int
	nRecord := len(blocks)
	if root.usesRecord() {
		byRecord = make([]int, 0, len(blocks))
		for i := range blocks {
			bf := recordFacts(blocks, sources, i)
			if root.judge(&bf) != triNone {
				byRecord = append(byRecord, i)
			}
		}
		nRecord = len(byRecord)
	}
	q := root.bleveQuery()
	// bleve is not asked when the records leave few blocks, or when the
	// tallies decide what it would judge and either the records already
	// narrow the blocks or its search would go through many terms (a
	// status range, a pattern: 70 ms at 10M lines, against microseconds
	// per block for a tally). A term query that prunes most blocks (a
	// service) is still asked.
	if q != nil && (nRecord <= fewBlocks || !p.digests && root.bleveDecided() &&
		(4*nRecord <= len(blocks) || root.manyTerms()) && ix.hasTallies(blocks, byRecord)) {
		q = nil
	}
	if byRecord == nil && q == nil {
		byRecord = make([]int, len(blocks))
		for i := range byRecord {
			byRecord[i] = i
		}
	}
	var nums []int
	if q == nil {
		nums = byRecord
	} else if nRecord > 0 {
		// Count first: bleve preallocates for the hits it is asked for.
		req := bleve.NewSearchRequestOptions(q, 0, 0, false)
		req.Score = bleve.ScoreNone
		res, err := ix.bl.SearchInContext(ctx, req)
		if err == nil && res.Total > 0 {
			req.Size = int(res.Total)
			res, err = ix.bl.SearchInContext(ctx, req)
		}
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", ix.dir, err)
		}
		for _, h := range res.Hits {
			if n, ok := parseBlockID(h.ID); ok && n < len(blocks) {
				nums = append(nums, n)
			}
		}
		slices.Sort(nums)
	}
	kept := nums[:0]
	for _, n := range nums {
		bc := blockCheck{ix: ix, num: n, m: &blocks[n]}
		if root.blockMaybe(&bc) {
			kept = append(kept, n)
		}
		if bc.err != nil {
			return nil, bc.err
		}
	}
	p.nums = kept
	return p, nil
}

// blockReadHook, when set (by tests), is called by each with every block
// whose columns it reads.
var blockReadHook func(num int)

// hasTallies reports whether the blocks of the index have tallies, by the
// first of nums (nil: every block) that can have one (not the snapshot's
// last).
func (ix *Index) hasTallies(blocks []blockMeta, nums []int) bool {
	n := 0
	if nums != nil {
		if n = len(blocks); len(nums) > 0 {
			n = nums[0]
		}
	}
	if n+1 >= len(blocks) {
		return false
	}
	t, err := ix.loadTally(n, blocks)
	return err == nil && t != nil
}

// each evaluates the plan on every candidate block, calling fn with the
// block's columns and matching lines; an error from fn stops it. With
// p.digests, a block with an error digest is evaluated on the digest: c is
// then the digest's columns and rows maps its lines to the block's (rows[i]
// is the block line of line i); rows is nil when c is the block's.
func (ix *Index) each(ctx context.Context, p *plan, fn func(num int, c *cols, hits bitmap, rows []uint8) error) error {
	lc := lineCtx{ix: ix}
	for k, n := range p.nums {
		if k%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		m := &p.blocks[n]
		lc.bf = nil
		var v verdict
		var bf blockFacts
		if p.judging {
			var err error
			if bf, err = ix.facts(p, n); err != nil {
				return err
			}
			v = p.root.judgeBlock(&bf)
			if v.kind == triNone || v.known && v.count == 0 {
				continue
			}
			if v.known && p.whole != nil {
				done, err := p.whole(n, &v)
				if err != nil {
					return err
				}
				if done {
					continue
				}
			}
			lc.bf = &bf
		}
		if p.digests {
			d, ok, err := ix.loadDigestCached(n, p.blocks, !p.transient)
			if err != nil {
				return err
			}
			if ok {
				if d.c == nil {
					continue // no error line
				}
				lc.num, lc.m, lc.c, lc.plain, lc.digits = n, m, d.c, nil, nil
				hits, err := p.root.eval(&lc, full(d.c.n))
				if err != nil {
					return err
				}
				if !hits.empty() {
					if err := fn(n, d.c, hits, d.rows); err != nil {
						return err
					}
				}
				continue
			}
		}
		if blockReadHook != nil {
			blockReadHook(n)
		}
		var c *cols
		var err error
		if p.kwOnly && lc.bf != nil && p.root.keywordsOnly(lc.bf) {
			c, err = ix.loadKWCols(n, m)
		} else {
			c, err = ix.loadCols(n, m)
		}
		if err != nil {
			return err
		}
		lc.num, lc.m, lc.c, lc.plain, lc.digits = n, m, c, nil, nil
		hits := full(c.n)
		if v.kind != triAll {
			if hits, err = p.root.eval(&lc, hits); err != nil {
				return err
			}
		}
		if !hits.empty() {
			if err := fn(n, c, hits, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// blockLine maps line i of what each passed (rows) to the block's line.
func blockLine(rows []uint8, i int) int {
	if rows == nil {
		return i
	}
	return int(rows[i])
}

// hit locates a matching line and holds its sort key.
type hit struct {
	t     ts
	rank  int // of the source name
	line  int64
	block int
	idx   int
}

func compareHits(a, b *hit) int {
	if c := a.t.cmp(b.t); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.line, b.line), cmp.Compare(a.block, b.block), cmp.Compare(a.idx, b.idx))
}

// hitHeap keeps the k first hits in the requested order: its top is the
// worst kept hit.
type hitHeap struct {
	h      []hit
	newest bool
}

func (h *hitHeap) Len() int { return len(h.h) }
func (h *hitHeap) Less(i, j int) bool {
	c := compareHits(&h.h[i], &h.h[j])
	if h.newest {
		return c < 0
	}
	return c > 0
}
func (h *hitHeap) Swap(i, j int) { h.h[i], h.h[j] = h.h[j], h.h[i] }
func (h *hitHeap) Push(x any)    { h.h = append(h.h, x.(hit)) }
func (h *hitHeap) Pop() any {
	x := h.h[len(h.h)-1]
	h.h = h.h[:len(h.h)-1]
	return x
}

// sourceRanks ranks source ids by name, for ordering ties.
func sourceRanks(sources []string) []int {
	ids := make([]int, len(sources))
	for i := range ids {
		ids[i] = i
	}
	slices.SortFunc(ids, func(a, b int) int { return cmp.Compare(sources[a], sources[b]) })
	rank := make([]int, len(sources))
	for r, id := range ids {
		rank[id] = r
	}
	return rank
}

// Find returns the events matching f, ordered by time (ties in source
// order: source name, then line number), newest first if o.Order says so,
// with the total number of matches.
func (ix *Index) Find(ctx context.Context, f Filter, o FindOptions) (_ Result, err error) {
	defer recoverCorrupt(ix.dir, &err)
	limit := o.Limit
	if limit <= 0 {
		limit = 100
	}
	offset := max(o.Offset, 0)
	p, err := ix.plan(ctx, f)
	if err != nil {
		return Result{}, err
	}
	rank := sourceRanks(p.sources)
	// Visit blocks in the requested order, so that once the page is full
	// most hits compare worse than the worst kept one and skip the heap.
	if o.Order == NewestFirst {
		slices.SortStableFunc(p.nums, func(a, b int) int { return p.blocks[b].max.cmp(p.blocks[a].max) })
	} else {
		slices.SortStableFunc(p.nums, func(a, b int) int { return p.blocks[a].min.cmp(p.blocks[b].min) })
	}
	keep := offset + limit
	h := &hitHeap{newest: o.Order == NewestFirst}
	var res Result
	// A block whose matches the tally counts is read only when one of its
	// lines may still enter the page.
	p.whole = func(num int, v *verdict) (bool, error) {
		if h.Len() < keep {
			return false, nil
		}
		m, worst := &p.blocks[num], h.h[0].t
		if h.newest && m.max.less(worst) || !h.newest && worst.less(m.min) {
			res.Total += v.count
			return true, nil
		}
		return false, nil
	}
	err = ix.each(ctx, p, func(num int, c *cols, hits bitmap, rows []uint8) error {
		r := rank[p.blocks[num].src]
		hits.each(func(i int) {
			res.Total++
			x := hit{t: c.time[i], rank: r, line: c.line[i], block: num, idx: blockLine(rows, i)}
			if h.Len() < keep {
				heap.Push(h, x)
			} else if better(&x, &h.h[0], h.newest) {
				h.h[0] = x
				heap.Fix(h, 0)
			}
		})
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	sorted := h.h
	slices.SortFunc(sorted, func(a, b hit) int {
		if h.newest {
			return compareHits(&b, &a)
		}
		return compareHits(&a, &b)
	})
	if offset >= len(sorted) {
		return res, nil
	}
	sorted = sorted[offset:]
	res.Events = make([]Event, len(sorted))
	for k, x := range sorted {
		m := &p.blocks[x.block]
		c, err := ix.loadCols(x.block, m)
		if err != nil {
			return Result{}, err
		}
		if res.Events[k], err = ix.event(x.block, m, c, x.idx); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

// pendingHook, when set (by tests), is called by FindEach with the number
// of hits it holds after each block.
var pendingHook func(n int)

// FindEach calls fn with every event matching f, in the order of Find,
// as it goes, and returns the number of matches. o.Offset events are
// skipped; o.Limit > 0 stops calling fn after that many events (the
// matches are still counted), while o.Limit <= 0 means every match. An
// error from fn stops FindEach and is returned.
//
// Memory is bounded by the blocks that overlap in time, not by the number
// of results: candidate blocks are visited in order of their first (or, for
// NewestFirst, last) time, and a hit is handed to fn as soon as no block
// still to visit can hold an earlier one. The Event passed to fn is valid
// only during the call.
func (ix *Index) FindEach(ctx context.Context, f Filter, o FindOptions, fn func(*Event) error) (total int, err error) {
	defer recoverCorrupt(ix.dir, &err)
	p, err := ix.plan(ctx, f)
	if err != nil {
		return 0, err
	}
	rank := sourceRanks(p.sources)
	newest := o.Order == NewestFirst
	if newest {
		slices.SortStableFunc(p.nums, func(a, b int) int { return p.blocks[b].max.cmp(p.blocks[a].max) })
	} else {
		slices.SortStableFunc(p.nums, func(a, b int) int { return p.blocks[a].min.cmp(p.blocks[b].min) })
	}
	skip, left := max(o.Offset, 0), o.Limit
	if left <= 0 {
		left = -1
	}
	// h holds pending hits; its top is the next to emit.
	h := &hitHeap{newest: !newest}
	emit := func(x hit) error {
		if skip > 0 {
			skip--
			return nil
		}
		if left == 0 {
			return nil
		}
		m := &p.blocks[x.block]
		c, err := ix.loadCols(x.block, m)
		if err != nil {
			return err
		}
		ev, err := ix.event(x.block, m, c, x.idx)
		if err != nil {
			return err
		}
		if left > 0 {
			left--
		}
		return fn(&ev)
	}
	// flush emits the pending hits that come before bound (strictly, by
	// time), or all of them.
	flush := func(bound ts, all bool) error {
		for h.Len() > 0 {
			top := h.h[0]
			if !all && (newest && !bound.less(top.t) || !newest && !top.t.less(bound)) {
				return nil
			}
			heap.Pop(h)
			if err := emit(top); err != nil {
				return err
			}
		}
		return nil
	}
	p.digests = false // lines are emitted from the block's columns as it goes
	p.whole = func(num int, v *verdict) (bool, error) {
		if left != 0 {
			return false, nil
		}
		total += v.count // page done: only count
		return true, nil
	}
	err = ix.each(ctx, p, func(num int, c *cols, hits bitmap, _ []uint8) error {
		// Blocks are visited in order of bound: a pending hit strictly
		// before num's bound comes before every hit still to be found.
		bound := p.blocks[num].min
		if newest {
			bound = p.blocks[num].max
		}
		if err := flush(bound, false); err != nil {
			return err
		}
		r := rank[p.blocks[num].src]
		hits.each(func(i int) {
			total++
			if left == 0 {
				return // page done: only count
			}
			heap.Push(h, hit{t: c.time[i], rank: r, line: c.line[i], block: num, idx: i})
		})
		if pendingHook != nil {
			pendingHook(h.Len())
		}
		return nil
	})
	if err == nil {
		err = flush(ts{}, true)
	}
	if err != nil {
		return total, err
	}
	return total, nil
}

// better reports whether x comes before y in the requested order.
func better(x, y *hit, newest bool) bool {
	c := compareHits(x, y)
	if newest {
		return c > 0
	}
	return c < 0
}

// facetFields are the fields Facet accepts.
var facetFields = func() map[string]int {
	m := map[string]int{"source": -1, "status": -2}
	for i, n := range kwNames {
		m[n] = i
	}
	return m
}()

// Facet returns the distribution of field (a keyword field, source or
// status) over the events matching f: the size most frequent values (all
// when size <= 0), most frequent first, ties by value. Counts and Distinct
// are exact.
func (ix *Index) Facet(ctx context.Context, f Filter, field string, size int) (Facet, error) {
	fcs, err := ix.Facets(ctx, f, []string{field}, size)
	if err != nil {
		return Facet{}, err
	}
	return fcs[0], nil
}

// Facets returns the distributions of several fields over the events f
// selects, in the order of fields, in one pass over the matching blocks:
// the filter is evaluated and every block decoded once, not once per field.
func (ix *Index) Facets(ctx context.Context, f Filter, fields []string, size int) (_ []Facet, err error) {
	defer recoverCorrupt(ix.dir, &err)
	colsOf := make([]int, len(fields))
	for i, field := range fields {
		col, ok := facetFields[field]
		if !ok {
			_, err := syntax.FacetField(field)
			if err == nil { // a facet field this store has no column for
				err = fmt.Errorf("facet %q: not stored", field)
			}
			return nil, err
		}
		colsOf[i] = col
	}
	if fcs, ok, err := ix.facetsRollup(ctx, f, fields, size); ok || err != nil {
		return fcs, err
	}
	if fcs, ok, err := ix.facetsAll(ctx, f, fields, size); ok || err != nil {
		return fcs, err
	}
	p, err := ix.plan(ctx, f)
	if err != nil {
		return nil, err
	}
	fcs := make([]Facet, len(fields))
	counts := make([]map[string]int, len(fields))
	for i, field := range fields {
		fcs[i].Field = field
		counts[i] = map[string]int{}
	}
	p.whole = func(num int, v *verdict) (bool, error) {
		return ix.facetsWhole(p, num, v, fcs, counts, colsOf)
	}
	p.kwOnly = !slices.ContainsFunc(colsOf, func(c int) bool { return c < 0 })
	// A block every line of which matches answers tallied fields from its
	// tally.
	p.tallies = p.tallies || slices.ContainsFunc(colsOf, func(c int) bool { return c == -2 || c >= 0 && tallySlot[c] >= 0 })
	var per []int
	err = ix.each(ctx, p, func(num int, c *cols, hits bitmap, _ []uint8) error {
		n := hits.count()
		for fi, col := range colsOf {
			fc := &fcs[fi]
			fc.Total += n
			switch col {
			case -1:
				counts[fi][c.source] += n
			case -2:
				hits.each(func(i int) {
					if s := c.status[i]; s != 0 {
						counts[fi][strconv.Itoa(int(s))]++
					} else {
						fc.Missing++
					}
				})
			default:
				kc, err := c.kwc(col)
				if err != nil {
					return ix.damaged(packFile, "block %d: %w", num, err)
				}
				per = kc.lineCounts(per, hits, hits == full(c.n))
				fc.Missing += kc.addCounts(counts[fi], per, 1)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for fi := range fcs {
		fc := &fcs[fi]
		fc.Distinct = len(counts[fi])
		fc.Buckets = make([]Bucket, 0, len(counts[fi]))
		for v, n := range counts[fi] {
			fc.Buckets = append(fc.Buckets, Bucket{Value: v, Count: n})
		}
		slices.SortFunc(fc.Buckets, func(a, b Bucket) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
		})
		if size > 0 && len(fc.Buckets) > size {
			fc.Buckets = fc.Buckets[:size]
		}
		fc.Other = fc.Total - fc.Missing
		for _, b := range fc.Buckets {
			fc.Other -= b.Count
		}
	}
	return fcs, nil
}

// facetsWhole adds to Facets' counts those of block num when its verdict
// gives them without the block's lines: every line matches (the tally's
// counts, or the keyword column alone for a column it does not count), or
// the filter reduces on the block to the one tallied field asked for.
func (ix *Index) facetsWhole(p *plan, num int, v *verdict, fcs []Facet, counts []map[string]int, colsOf []int) (bool, error) {
	all := v.kind == triAll
	for _, col := range colsOf {
		switch {
		case col == -1:
		case col == -2:
			if v.t == nil || !all && v.on != dimStatus {
				return false, nil
			}
		case tallySlot[col] >= 0 && v.t != nil:
			if !all && v.on != dim(tallySlot[col]) {
				return false, nil
			}
		case !all:
			return false, nil
		}
	}
	m := &p.blocks[num]
	if int(m.src) >= len(p.sources) {
		return false, nil
	}
	src := p.sources[m.src]
	for fi, col := range colsOf {
		fc := &fcs[fi]
		fc.Total += v.count
		switch {
		case col == -1:
			counts[fi][src] += v.count
		case col == -2 && all:
			for _, s := range v.t.status {
				if s.s == 0 {
					fc.Missing += s.n
				} else {
					counts[fi][strconv.Itoa(int(s.s))] += s.n
				}
			}
		case col == -2:
			for k, s := range v.t.status {
				if s.s == 0 {
					fc.Missing += v.per[k]
				} else if v.per[k] > 0 {
					counts[fi][strconv.Itoa(int(s.s))] += v.per[k]
				}
			}
		case tallySlot[col] >= 0 && v.t != nil:
			vs := v.t.kw[tallySlot[col]]
			for k, x := range vs {
				n := int(x.n)
				if !all {
					n = v.per[k]
				}
				if n > 0 {
					counts[fi][v.t.value(x)] += n
				}
			}
			if all {
				fc.Missing += v.t.missing(tallySlot[col])
			} else {
				fc.Missing += v.per[len(vs)]
			}
		default:
			kc, err := ix.loadKWColumn(num, m, col)
			if err != nil {
				return false, err
			}
			per := kc.lineCounts(nil, bitmap{}, true)
			fc.Missing += kc.addCounts(counts[fi], per, 1)
		}
	}
	return true, nil
}

// Histogram counts the events matching f in n equal buckets over
// [from, to): bucket i starts at from + i*(to-from)/n.
func (ix *Index) Histogram(ctx context.Context, f Filter, from, to time.Time, n int) (_ []TimeBucket, err error) {
	defer recoverCorrupt(ix.dir, &err)
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
	out := make([]TimeBucket, n)
	for i := range out {
		hi, lo := bits.Mul64(uint64(span), uint64(i))
		q, _ := bits.Div64(hi, lo, uint64(n))
		out[i].Start = from.Add(time.Duration(q)).UTC()
	}
	if ok, err := ix.histogramRollup(ctx, f, from, span, out); ok || err != nil {
		return out, err
	}
	p, err := ix.plan(ctx, f)
	if err != nil {
		return nil, err
	}
	bucket := func(t ts) uint64 { return barOf(t, from, span, n) }
	// A block inside one bar whose matches are known adds them to it.
	p.whole = func(num int, v *verdict) (bool, error) {
		m := &p.blocks[num]
		if k := bucket(m.min); k < uint64(n) && k == bucket(m.max) {
			out[k].Count += v.count
			return true, nil
		}
		return false, nil
	}
	err = ix.each(ctx, p, func(num int, c *cols, hits bitmap, _ []uint8) error {
		hits.each(func(i int) {
			if k := bucket(c.time[i]); k < uint64(n) {
				out[k].Count++
			}
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// barOf is the bar of n equal bars over [from, from+span) that t falls
// in; n or more when t is past the end (t is never before from).
func barOf(t ts, from time.Time, span time.Duration, n int) uint64 {
	h, l := bits.Mul64(uint64(t.time().Sub(from)), uint64(n))
	k, _ := bits.Div64(h, l, uint64(span))
	return k
}

// Span describes the index: the number of events and deploys, and the times
// of the oldest and newest events.
func (ix *Index) Span(ctx context.Context) (Span, error) {
	if err := ctx.Err(); err != nil {
		return Span{}, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return Span{}, errClosed
	}
	s := Span{Events: int(ix.meta.Lines), Deploys: len(ix.deploys)}
	for i := range ix.blocks {
		m := &ix.blocks[i]
		if i == 0 || m.min.less(toTS(s.First)) {
			s.First = m.min.time()
		}
		if i == 0 || toTS(s.Last).less(m.max) {
			s.Last = m.max.time()
		}
	}
	return s, nil
}
