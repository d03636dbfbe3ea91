package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The all-event part of the rollup: per range of committed blocks (the
// same files as the error groups' summary), the number of events and the
// count of every value of the fields the explore screen shows (allFields),
// per time bucket of rollupBucketSecs seconds. Facets of every event, or of
// every event in a time range, then sum the buckets that lie inside the
// range over the chain's files and read only the blocks the chain does not
// cover (the blocks past its end, the ranges of files written before this
// part existed) and, for a range whose bound falls inside a bucket, the
// blocks with events between the bound and the bucket's edge: exactly the
// counts of one pass over every block, at the cost of reading at most two
// buckets' worth of events.
//
// Buckets are by time, not by block, because blocks are one source's lines
// and sources are ingested one after another: every large range of blocks
// spans the whole time of the index, so bounds per range of blocks would
// tell nothing about a time range.
//
// Layout of the part (zstd-compressed, after the groups' part in a file
// of rollupVersion 2): uvarint bucket width in seconds; per field (in
// allFields' order) uvarint values then each value (uvarint length and
// bytes), sorted; uvarint buckets; per bucket (sorted by number) its
// number (varint for the first, then uvarint difference), uvarint events,
// and per field uvarint pairs then per pair uvarint id (difference to the
// previous id less one, after the first) and uvarint count less one, by
// id. Values are written once per file, counts as varints: at 10M lines
// the part adds ~1 MB.

// rollupAllEvents: the writer adds the all-event part to the files it
// writes (tests clear it to write files as before the part existed).
var rollupAllEvents = true

// rollupBucketSecs is the width of the all-event part's time buckets, in
// seconds (tests lower it). A file written with another width is read as
// one without the part.
var rollupBucketSecs int64 = 3600

// numAll is the number of fields the all-event part counts.
const numAll = 8

// allFields are the fields the all-event part counts.
var allFields = [numAll]string{"service", "level", "status", "route", "version", "host", "user", "source"}

// allCols are their columns: a keyword column, colStatus or colSource.
var allCols = [numAll]int{kService, kLevel, colStatus, kRoute, kVersion, kHost, kUser, colSource}

// Columns that are not keyword columns (as facetFields numbers them).
const (
	colSource = -1
	colStatus = -2
)

// idCount is a value (its index in the file's dictionary) and its count.
type idCount struct {
	id uint32
	n  int
}

// allBucket is one time bucket: events [num*secs, (num+1)*secs) seconds.
type allBucket struct {
	num  int64
	n    int
	vals [numAll][]idCount // sorted by id
}

// allSum is the all-event part of a range of blocks.
type allSum struct {
	secs  int64
	dicts [numAll][]string // sorted
	bks   []allBucket      // sorted by num
}

// bucketOf is the number of the bucket of t.
func bucketOf(t ts, secs int64) int64 {
	q := t.sec / secs
	if t.sec%secs != 0 && t.sec < 0 {
		q--
	}
	return q
}

// allAcc accumulates an allSum during a pass over blocks.
type allAcc struct {
	secs int64
	ids  [numAll]map[string]uint32 // value → provisional id
	vals [numAll][]string          // provisional id → value
	bks  map[int64]*bucketAcc
}

type bucketAcc struct {
	n      int
	counts [numAll][]int // by provisional id
}

func newAllAcc(secs int64) *allAcc {
	a := &allAcc{secs: secs, bks: map[int64]*bucketAcc{}}
	for j := range a.ids {
		a.ids[j] = map[string]uint32{}
	}
	return a
}

func (a *allAcc) id(j int, v string) uint32 {
	id, ok := a.ids[j][v]
	if !ok {
		id = uint32(len(a.vals[j]))
		a.ids[j][v] = id
		a.vals[j] = append(a.vals[j], v)
	}
	return id
}

func (a *allAcc) bucket(num int64) *bucketAcc {
	b := a.bks[num]
	if b == nil {
		b = &bucketAcc{}
		a.bks[num] = b
	}
	return b
}

func (b *bucketAcc) add(j int, id uint32, n int) {
	if old := len(b.counts[j]); int(id) >= old {
		b.counts[j] = slices.Grow(b.counts[j], int(id)+1-old)[:id+1]
		clear(b.counts[j][old:])
	}
	b.counts[j][id] += n
}

// addLines counts lines (all of the block when nil) of block columns c
// into bucket num.
func (a *allAcc) addLines(c *cols, num int64, lines []int) error {
	b := a.bucket(num)
	n := c.n
	if lines != nil {
		n = len(lines)
	}
	b.n += n
	var per []int
	status := map[int32]int{}
	for j, col := range allCols {
		switch col {
		case colSource:
			b.add(j, a.id(j, c.source), n)
		case colStatus:
			clear(status)
			if lines == nil {
				for _, s := range c.status {
					status[s]++
				}
			} else {
				for _, i := range lines {
					status[c.status[i]]++
				}
			}
			for s, k := range status {
				if s != 0 {
					b.add(j, a.id(j, strconv.Itoa(int(s))), k)
				}
			}
		default:
			kc, err := c.kwc(col)
			if err != nil {
				return err
			}
			per = slices.Grow(per[:0], len(kc.dict)+1)[:len(kc.dict)+1]
			clear(per)
			if lines == nil {
				for _, k := range kc.idx {
					per[k]++
				}
			} else {
				for _, i := range lines {
					per[kc.idx[i]]++
				}
			}
			for k, v := range kc.dict {
				if per[k+1] > 0 {
					b.add(j, a.id(j, v), per[k+1])
				}
			}
		}
	}
	return nil
}

// addBlock counts every line of block columns c.
func (a *allAcc) addBlock(c *cols) error {
	if c.n == 0 {
		return nil
	}
	first := bucketOf(c.time[0], a.secs)
	one := true
	for _, t := range c.time {
		if bucketOf(t, a.secs) != first {
			one = false
			break
		}
	}
	if one {
		return a.addLines(c, first, nil)
	}
	byBucket := map[int64][]int{}
	for i, t := range c.time {
		k := bucketOf(t, a.secs)
		byBucket[k] = append(byBucket[k], i)
	}
	for k, lines := range byBucket {
		if err := a.addLines(c, k, lines); err != nil {
			return err
		}
	}
	return nil
}

// sum returns the accumulated part, values sorted.
func (a *allAcc) sum() *allSum {
	s := &allSum{secs: a.secs}
	var remap [numAll][]uint32
	for j := range s.dicts {
		d := slices.Clone(a.vals[j])
		slices.Sort(d)
		s.dicts[j] = d
		remap[j] = make([]uint32, len(d))
		for k, v := range d {
			remap[j][a.ids[j][v]] = uint32(k)
		}
	}
	for num, b := range a.bks {
		bk := allBucket{num: num, n: b.n}
		for j, m := range b.counts {
			vs := make([]idCount, 0, len(m))
			for id, n := range m {
				if n > 0 {
					vs = append(vs, idCount{remap[j][id], n})
				}
			}
			slices.SortFunc(vs, func(x, y idCount) int { return cmp.Compare(x.id, y.id) })
			bk.vals[j] = vs
		}
		s.bks = append(s.bks, bk)
	}
	slices.SortFunc(s.bks, func(x, y allBucket) int { return cmp.Compare(x.num, y.num) })
	return s
}

// readColsTransient returns block num's columns without adding them to
// the cache (the writer's pass over new blocks).
func (ix *Index) readColsTransient(num int, m *blockMeta) (*cols, error) {
	if v, ok := ix.cache.get(cacheKey{kind: kindCols, block: num}); ok {
		return v.(*cols), nil
	}
	return ix.readCols(num, m)
}

// allPass computes the all-event part of blocks [a, b), with buckets of
// secs seconds.
func (ix *Index) allPass(ctx context.Context, blocks []blockMeta, a, b int, secs int64) (*allSum, error) {
	acc := newAllAcc(secs)
	for num := a; num < b; num++ {
		if (num-a)%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		c, err := ix.readColsTransient(num, &blocks[num])
		if err != nil {
			return nil, err
		}
		if err := acc.addBlock(c); err != nil {
			return nil, ix.damaged(packFile, "block %d: %w", num, err)
		}
	}
	return acc.sum(), nil
}

// mergeAll merges the parts of two disjoint ranges of blocks (of the same
// bucket width).
func mergeAll(x, y *allSum) *allSum {
	out := &allSum{secs: x.secs}
	var px, py [numAll][]uint32 // new id of each value of x, y
	for j := range out.dicts {
		a, b := x.dicts[j], y.dicts[j]
		d := make([]string, 0, max(len(a), len(b)))
		pa, pb := make([]uint32, 0, len(a)), make([]uint32, 0, len(b))
		for len(a) > 0 || len(b) > 0 {
			switch {
			case len(b) == 0 || len(a) > 0 && a[0] < b[0]:
				pa, d, a = append(pa, uint32(len(d))), append(d, a[0]), a[1:]
			case len(a) == 0 || b[0] < a[0]:
				pb, d, b = append(pb, uint32(len(d))), append(d, b[0]), b[1:]
			default:
				pa, pb = append(pa, uint32(len(d))), append(pb, uint32(len(d)))
				d, a, b = append(d, a[0]), a[1:], b[1:]
			}
		}
		out.dicts[j], px[j], py[j] = d, pa, pb
	}
	renum := func(bk *allBucket, pos *[numAll][]uint32) allBucket {
		o := allBucket{num: bk.num, n: bk.n}
		for j, vs := range bk.vals {
			o.vals[j] = make([]idCount, len(vs))
			for k, v := range vs {
				o.vals[j][k] = idCount{pos[j][v.id], v.n}
			}
		}
		return o
	}
	i, k := 0, 0
	for i < len(x.bks) || k < len(y.bks) {
		switch {
		case k == len(y.bks) || i < len(x.bks) && x.bks[i].num < y.bks[k].num:
			out.bks = append(out.bks, renum(&x.bks[i], &px))
			i++
		case i == len(x.bks) || y.bks[k].num < x.bks[i].num:
			out.bks = append(out.bks, renum(&y.bks[k], &py))
			k++
		default:
			a, b := renum(&x.bks[i], &px), renum(&y.bks[k], &py)
			o := allBucket{num: a.num, n: a.n + b.n}
			for j := range o.vals {
				o.vals[j] = mergeIDCounts(a.vals[j], b.vals[j])
			}
			out.bks = append(out.bks, o)
			i++
			k++
		}
	}
	return out
}

// mergeIDCounts merges two lists sorted by id, adding the counts of equal
// ids.
func mergeIDCounts(a, b []idCount) []idCount {
	out := make([]idCount, 0, max(len(a), len(b)))
	for len(a) > 0 || len(b) > 0 {
		switch {
		case len(b) == 0 || len(a) > 0 && a[0].id < b[0].id:
			out, a = append(out, a[0]), a[1:]
		case len(a) == 0 || b[0].id < a[0].id:
			out, b = append(out, b[0]), b[1:]
		default:
			out = append(out, idCount{a[0].id, a[0].n + b[0].n})
			a, b = a[1:], b[1:]
		}
	}
	return out
}

// encodeAll encodes the part (uncompressed).
func encodeAll(s *allSum) []byte {
	var body []byte
	uv := func(v uint64) { body = binary.AppendUvarint(body, v) }
	uv(uint64(s.secs))
	for _, d := range s.dicts {
		uv(uint64(len(d)))
		for _, v := range d {
			body = appendString(body, v)
		}
	}
	uv(uint64(len(s.bks)))
	for i := range s.bks {
		bk := &s.bks[i]
		if i == 0 {
			body = binary.AppendVarint(body, bk.num)
		} else {
			uv(uint64(bk.num - s.bks[i-1].num))
		}
		uv(uint64(bk.n))
		for _, vs := range bk.vals {
			uv(uint64(len(vs)))
			for k, v := range vs {
				if k == 0 {
					uv(uint64(v.id))
				} else {
					uv(uint64(v.id - vs[k-1].id - 1))
				}
				uv(uint64(v.n - 1))
			}
		}
	}
	return body
}

// decodeAll decodes and checks the part of a file of blocks [a, b): its
// buckets must hold exactly the lines of those blocks' records.
func decodeAll(plain []byte, blocks []blockMeta, a, b int) (*allSum, error) {
	d := decoder{b: plain, s: string(plain)}
	s := &allSum{secs: int64(d.uvarint())}
	if s.secs <= 0 || s.secs > 1<<40 {
		return nil, errCorrupt
	}
	for j := range s.dicts {
		dict := make([]string, d.count())
		for k := range dict {
			dict[k] = d.str()
			if k > 0 && dict[k] <= dict[k-1] {
				d.fail()
			}
		}
		s.dicts[j] = dict
	}
	s.bks = make([]allBucket, d.count())
	lines := 0
	for i := range s.bks {
		bk := &s.bks[i]
		if i == 0 {
			bk.num = d.varint()
		} else {
			step := d.uvarint()
			if step == 0 || step > 1<<40 {
				d.fail()
			}
			bk.num = s.bks[i-1].num + int64(step)
		}
		bk.n = int(d.uvarint())
		if bk.n <= 0 || bk.n > 1<<40 {
			d.fail()
		}
		lines += bk.n
		for j := range bk.vals {
			vs := make([]idCount, d.count())
			sum := 0
			for k := range vs {
				id := d.uvarint()
				if k > 0 {
					id += uint64(vs[k-1].id) + 1
				}
				n := d.uvarint()
				if id >= uint64(len(s.dicts[j])) || n >= uint64(bk.n) {
					d.fail()
					return nil, d.err
				}
				vs[k] = idCount{uint32(id), int(n) + 1}
				sum += vs[k].n
			}
			if sum > bk.n {
				d.fail()
			}
			bk.vals[j] = vs
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errCorrupt
	}
	want := 0
	for i := a; i < b; i++ {
		want += blocks[i].n
	}
	if lines != want {
		return nil, fmt.Errorf("all-event counts of %d lines, blocks %d-%d hold %d", lines, a, b, want)
	}
	return s, nil
}

// sameAll reports whether two parts are equal.
func sameAll(x, y *allSum) bool {
	if x.secs != y.secs || len(x.bks) != len(y.bks) {
		return false
	}
	for j := range x.dicts {
		if !slices.Equal(x.dicts[j], y.dicts[j]) {
			return false
		}
	}
	for i := range x.bks {
		a, b := &x.bks[i], &y.bks[i]
		if a.num != b.num || a.n != b.n {
			return false
		}
		for j := range a.vals {
			if !slices.Equal(a.vals[j], b.vals[j]) {
				return false
			}
		}
	}
	return true
}

// allView is the all-event part of a rollup chain, merged.
type allView struct {
	sum *allSum // nil: no file of the chain has the part
	end int     // the chain's end
	// gaps are the ranges of blocks of the chain whose file has no
	// all-event part: read like the blocks past the end.
	gaps [][2]int
	// totals[j][id] is the count of value id of field j over every bucket.
	totals [numAll][]int
	n      int
}

// covers reports whether block num is counted in the view.
func (v *allView) covers(num int) bool {
	if num >= v.end {
		return false
	}
	for _, g := range v.gaps {
		if num >= g[0] && num < g[1] {
			return false
		}
	}
	return true
}

// allMemo keeps a reader's merged all-event view, keyed by the chain.
type allMemo struct {
	mu   sync.Mutex
	key  string
	view *allView
}

// allMinBlocks is how many blocks a time range must overlap for its
// facets to read the rollup's all-event part when it is not in memory yet.
// Below it the blocks' tallies (and the user column) answer for less than
// loading the part and reading the two cut buckets' sides: at 10M lines
// (scripts/bench/facets.sh, ranges back from the newest event) 25 ms
// against 47 for one hour (~1,100 blocks), even at two hours, 108 against
// 53 ms at three.
var allMinBlocks = 2048

// chainKey names a chain.
func chainKey(chain []rollupFile) string {
	var key strings.Builder
	for _, f := range chain {
		key.WriteString(f.name)
		key.WriteByte(' ')
	}
	return key.String()
}

// allLoaded reports whether the all-event view of chain is in memory.
func (ix *Index) allLoaded(chain []rollupFile) bool {
	m := &ix.allMemo
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.key == chainKey(chain)
}

// allViewOf returns the merged all-event part of chain (blocks is the
// caller's snapshot).
func (ix *Index) allViewOf(blocks []blockMeta, chain []rollupFile) (*allView, error) {
	key := chainKey(chain)
	m := &ix.allMemo
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.key == key {
		return m.view, nil
	}
	v := &allView{}
	for _, f := range chain {
		if f.a != v.end || f.b > len(blocks) {
			return nil, ix.damaged(f.name, "does not follow the rollup of blocks 0-%d (of %d)", v.end, len(blocks))
		}
		part, err := ix.readRollupAll(f, blocks)
		if err != nil {
			return nil, err
		}
		v.end = f.b
		if part == nil || part.secs != rollupBucketSecs {
			v.gaps = append(v.gaps, [2]int{f.a, f.b})
			continue
		}
		if v.sum == nil {
			v.sum = part
		} else {
			v.sum = mergeAll(v.sum, part)
		}
	}
	if v.sum != nil {
		for j, d := range v.sum.dicts {
			v.totals[j] = make([]int, len(d))
		}
		for i := range v.sum.bks {
			bk := &v.sum.bks[i]
			v.n += bk.n
			for j, vs := range bk.vals {
				for _, x := range vs {
					v.totals[j][x.id] += x.n
				}
			}
		}
	}
	m.key, m.view = key, v
	return v, nil
}

// facetsAll answers Facets from the all-event part of the rollup when f
// selects every event, optionally in a time range, and every field is one
// the part counts; ok is false otherwise (or when no file of the chain has
// the part). The blocks the part does not cover, and those with events
// between a range's bound and the edge of the bucket it falls in, are read.
func (ix *Index) facetsAll(ctx context.Context, f Filter, fields []string, size int) (_ []Facet, ok bool, err error) {
	g := f
	g.Since, g.Until = time.Time{}, time.Time{}
	if g != (Filter{}) {
		return nil, false, nil
	}
	slots := make([]int, len(fields))
	for i, name := range fields {
		if slots[i] = slices.Index(allFields[:], name); slots[i] < 0 {
			return nil, false, nil
		}
	}
	blocks, _, chain, err := ix.rollupSnapshot()
	if err != nil || len(chain) == 0 {
		return nil, false, err
	}
	hasLo, hasHi := !f.Since.IsZero(), !f.Until.IsZero()
	lo, hi := toTS(f.Since), toTS(f.Until)
	if (hasLo || hasHi) && !ix.allLoaded(chain) {
		// A short range reads fewer blocks than the chain's files.
		n := 0
		for i := range blocks {
			if m := &blocks[i]; (!hasLo || !m.max.less(lo)) && (!hasHi || m.min.less(hi)) {
				n++
			}
		}
		if n <= allMinBlocks {
			return nil, false, nil
		}
	}
	v, err := ix.allViewOf(blocks, chain)
	if err != nil {
		// In the writer's process a commit may have merged away and
		// deleted a file of the chain just taken: read the new chain.
		b2, _, c2, err2 := ix.rollupSnapshot()
		if err2 != nil || slices.Equal(c2, chain) {
			return nil, false, err
		}
		if v, err = ix.allViewOf(b2, c2); err != nil {
			return nil, false, err
		}
	}
	if v.sum == nil {
		return nil, false, nil
	}
	secs := v.sum.secs
	total := 0
	counts := make([][]int, len(fields))
	if !hasLo && !hasHi {
		total = v.n
		for i, j := range slots {
			counts[i] = v.totals[j]
		}
	} else {
		for i, j := range slots {
			counts[i] = make([]int, len(v.sum.dicts[j]))
		}
		for k := range v.sum.bks {
			bk := &v.sum.bks[k]
			start, end := ts{sec: bk.num * secs}, ts{sec: (bk.num + 1) * secs}
			if hasLo && start.less(lo) || hasHi && hi.less(end) {
				continue
			}
			total += bk.n
			for i, j := range slots {
				for _, x := range bk.vals[j] {
					counts[i][x.id] += x.n
				}
			}
		}
	}
	// The blocks to read: those not covered, with f.
	extra := make([]map[string]int, len(fields))
	for i := range extra {
		extra[i] = map[string]int{}
	}
	read := func(rf Filter, want func(num int) bool, sign int) error {
		p, err := ix.plan(ctx, rf)
		if err != nil {
			return err
		}
		p.nums = slices.DeleteFunc(p.nums, func(num int) bool { return !want(num) })
		return ix.each(ctx, p, func(num int, c *cols, hits bitmap, _ []uint8) error {
			n, err := countHits(c, hits, slots, extra, sign)
			if err != nil {
				return ix.damaged(packFile, "block %d: %w", num, err)
			}
			total += sign * n
			return nil
		})
	}
	if err := read(f, func(num int) bool { return !v.covers(num) }, 1); err != nil {
		return nil, true, err
	}
	// The covered blocks' events in a bucket that a bound cuts: read
	// between the bounds inside the bucket or, when that is the longer
	// part of it, take the bucket's counts less the events read outside
	// the bounds.
	cut := map[int64]bool{}
	if hasLo && (ts{sec: bucketOf(lo, secs) * secs}) != lo {
		cut[bucketOf(lo, secs)] = true
	}
	if hasHi && (ts{sec: bucketOf(hi, secs) * secs}) != hi {
		cut[bucketOf(hi, secs)] = true
	}
	// The time the index's events span bounds what each side holds.
	var first, last ts
	for i := range blocks {
		if m := &blocks[i]; i == 0 || m.min.less(first) {
			first = m.min
		}
		if m := &blocks[i]; i == 0 || last.less(m.max) {
			last = m.max
		}
	}
	length := func(a, b ts) time.Duration { // of [a, b) ∩ [first, last]
		if a.less(first) {
			a = first
		}
		if last.less(b) {
			b = ts{sec: last.sec, nsec: last.nsec + 1}
		}
		if !a.less(b) {
			return 0
		}
		return b.time().Sub(a.time())
	}
	for num := range cut {
		s, e := ts{sec: num * secs}, ts{sec: (num + 1) * secs}
		x, y := s, e
		if hasLo && s.less(lo) {
			x = lo
		}
		if hasHi && hi.less(e) {
			y = hi
		}
		if !x.less(y) {
			continue
		}
		k, found := slices.BinarySearchFunc(v.sum.bks, num, func(b allBucket, n int64) int { return cmp.Compare(b.num, n) })
		if !found || length(x, y) <= length(s, x)+length(y, e) {
			if err := read(Filter{Since: x.time(), Until: y.time()}, v.covers, 1); err != nil {
				return nil, true, err
			}
			continue
		}
		bk := &v.sum.bks[k]
		total += bk.n
		for i, j := range slots {
			for _, vc := range bk.vals[j] {
				counts[i][vc.id] += vc.n
			}
		}
		for _, w := range [][2]ts{{s, x}, {y, e}} {
			if w[0].less(w[1]) {
				if err := read(Filter{Since: w[0].time(), Until: w[1].time()}, v.covers, -1); err != nil {
					return nil, true, err
				}
			}
		}
	}
	if total < 0 {
		return nil, true, ix.damaged(rollupDir, "fewer events in the rollup's buckets than in their blocks")
	}
	out := make([]Facet, len(fields))
	for i, j := range slots {
		dict, cnt := v.sum.dicts[j], counts[i]
		owned := hasLo || hasHi // else cnt is the view's totals
		var more []valCount
		for s, n := range extra[i] {
			k, found := slices.BinarySearch(dict, s)
			if !found {
				if n < 0 {
					return nil, true, ix.damaged(rollupDir, "%s %q: fewer events in the rollup's buckets than in their blocks", fields[i], s)
				}
				if n > 0 {
					more = append(more, valCount{s, n})
				}
				continue
			}
			if !owned {
				cnt, owned = slices.Clone(cnt), true
			}
			cnt[k] += n
		}
		vals := make([]valCount, 0, len(more)+64)
		for k, n := range cnt {
			if n > 0 {
				vals = append(vals, valCount{dict[k], n})
			} else if n < 0 {
				return nil, true, ix.damaged(rollupDir, "%s %q: fewer events in the rollup's buckets than in their blocks", fields[i], dict[k])
			}
		}
		if len(more) > 0 {
			vals = append(vals, more...)
			slices.SortFunc(vals, func(x, y valCount) int { return cmp.Compare(x.v, y.v) })
		}
		out[i] = facetOf(fields[i], total, vals, size)
	}
	return out, true, nil
}

// countHits counts (sign 1) or discounts (-1) the hits of block columns c
// into extra (per requested field, its values) and returns their number.
func countHits(c *cols, hits bitmap, slots []int, extra []map[string]int, sign int) (int, error) {
	n := hits.count()
	for i, j := range slots {
		switch col := allCols[j]; col {
		case colSource:
			extra[i][c.source] += sign * n
		case colStatus:
			hits.each(func(k int) {
				if s := c.status[k]; s != 0 {
					extra[i][strconv.Itoa(int(s))] += sign
				}
			})
		default:
			kc, err := c.kwc(col)
			if err != nil {
				return 0, err
			}
			kc.addCounts(extra[i], kc.lineCounts(nil, hits, false), sign)
		}
	}
	return n, nil
}
