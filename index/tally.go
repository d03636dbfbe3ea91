package index

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
)

// A block's tally counts, per value, the lines of the block in each of its
// low-cardinality columns: status, the error flag, whether a line has any
// word, and the keyword columns of tallyCols. With the block's record
// (time bounds, source) it lets a query decide for a whole block whether
// every line matches, none does, or, when the filter reduces on the block
// to a condition on one tallied column, how many do, without reading the
// block's columns (judge.go). The columns of nearly unique values (users,
// request, trace and span ids, paths) are not tallied: their values are
// most of a block's column bytes and would double them.
//
// The tally is written in the block's digest extent, after its payload
// (digest.go), which has since version 2 this layout:
//
//	2, uvarint len(tally), tally, then the error digest of version 1
//	without its version byte and checksum, and the CRC-32C of everything
//	before it
//
// and the tally:
//
//	uvarint lines, uvarint error lines, uvarint lines with a word,
//	uvarint k, k × (varint status, uvarint count), ascending, status 0
//	(none) included, the counts summing to lines,
//	for each column of tallyCols: uvarint k, k × (value as in a format 3
//	keyword column, uvarint count); lines without a value are the rest.
//
// A block without a tally (written before tallies, or the last block of a
// snapshot, whose extent is not known) is judged on its record alone and
// otherwise read whole.
const extentTally = 2

// writeTallies is cleared by tests to write digests as before tallies
// (version 1 extents).
var writeTallies = true

// tallyCols are the keyword columns a tally counts: those with a handful
// of values per block (measured on the benchmark corpus: 1 to 10 values,
// about 450 bytes a block in all, most of it routes).
var tallyCols = [...]int{kLevel, kService, kHost, kVersion, kMethod, kRoute, kErrorType, kFingerprint}

// tallySlot maps a keyword column to its index in tallyCols (-1: not
// tallied).
var tallySlot = func() (s [numKW]int) {
	for f := range s {
		s[f] = slices.Index(tallyCols[:], f)
	}
	return s
}()

// tallyValue is a value of a tallied column, at [off, end) in its tally's
// text, and its number of lines (no pointers: tens of thousands of
// tallies stay out of the garbage collector's way).
type tallyValue struct {
	off, end uint32
	n        int32
}

type statusCount struct {
	s int32
	n int
}

// tally is a block's decoded tally.
type tally struct {
	n      int // lines
	errs   int // lines with the error flag
	words  int // lines with at least one word
	status []statusCount
	kw     [len(tallyCols)][]tallyValue
	text   string // the values' bytes
}

// value returns the value of v.
func (t *tally) value(v tallyValue) string { return t.text[v.off:v.end] }

// missing returns the number of lines without a value in tallied column
// slot.
func (t *tally) missing(slot int) int {
	n := t.n
	for _, v := range t.kw[slot] {
		n -= int(v.n)
	}
	return n
}

// memSize estimates t's memory.
func (t *tally) memSize() int {
	s := 160 + 16*len(t.status) + len(t.text)
	for _, vs := range t.kw {
		s += 12 * len(vs)
	}
	return s
}

// addStatus counts one line of status s (0: none) in st, kept sorted by
// status.
func addStatus(st []statusCount, s int32) []statusCount {
	k, found := slices.BinarySearchFunc(st, s, func(c statusCount, s int32) int { return int(c.s) - int(s) })
	if !found {
		st = slices.Insert(st, k, statusCount{s: s})
	}
	st[k].n++
	return st
}

// tally encodes the tally of block b, whose keyword columns the last
// e.cols call left in e.kw and whose lines with a word e.words marked in
// e.wordLines.
func (e *blockEncoder) tally(b *blockBuilder) []byte {
	evs := b.events
	errs := 0
	var st []statusCount
	for i := range evs {
		if evs[i].IsError {
			errs++
		}
		st = addStatus(st, int32(evs[i].Status))
	}
	t := binary.AppendUvarint(nil, uint64(len(evs)))
	t = binary.AppendUvarint(t, uint64(errs))
	t = binary.AppendUvarint(t, uint64(e.wordLines.count()))
	t = binary.AppendUvarint(t, uint64(len(st)))
	for _, c := range st {
		t = binary.AppendVarint(t, int64(c.s))
		t = binary.AppendUvarint(t, uint64(c.n))
	}
	var per []int
	for _, f := range tallyCols {
		k := &e.kw[f]
		per = k.lineCounts(per, bitmap{}, true)
		t = binary.AppendUvarint(t, uint64(len(k.dict)))
		for j, v := range k.dict {
			t = appendKWValue(t, v)
			t = binary.AppendUvarint(t, uint64(per[j+1]))
		}
	}
	return t
}

// decodeTally decodes the tally of a block of n lines. Its values are
// spans of one string, b followed by the values stored as bytes (hex ids)
// spelt out: a query that judges every block of the index decodes tens of
// thousands of tallies.
func decodeTally(b []byte, n int) (*tally, error) {
	text := b[:len(b):len(b)]
	d := decoder{b: b}
	t := &tally{n: int(d.uvarint()), errs: int(d.uvarint()), words: int(d.uvarint())}
	if d.err == nil && (t.n != n || t.errs > n || t.words > n) {
		return nil, fmt.Errorf("tally of %d lines, block has %d: %w", t.n, n, errCorrupt)
	}
	k := d.count()
	t.status = make([]statusCount, k)
	sum := 0
	for i := range t.status {
		c := &t.status[i]
		c.s, c.n = int32(d.varint()), int(d.uvarint())
		if c.n == 0 || c.n > n || i > 0 && c.s <= t.status[i-1].s {
			d.fail()
		}
		sum += c.n
	}
	if d.err == nil && sum != n {
		d.fail()
	}
	all := make([]tallyValue, 0, len(d.b)/8+len(tallyCols))
	var ends [len(tallyCols)]int
	for slot := range t.kw {
		k := d.count()
		sum := 0
		for range k {
			var v tallyValue
			if h, w := binary.Uvarint(d.b); w > 0 && h&3 == kvText {
				d.b = d.b[w:]
				v.off = uint32(len(b) - len(d.b))
				v.end = v.off + uint32(len(d.bytes(h>>2)))
			} else {
				s := d.kwValue()
				v.off = uint32(len(text))
				text = append(text, s...)
				v.end = uint32(len(text))
			}
			c := d.uvarint()
			if v.end == v.off || c == 0 || c > uint64(n) {
				d.fail()
				break
			}
			v.n = int32(c)
			sum += int(c)
			all = append(all, v)
		}
		if sum > n {
			d.fail()
		}
		ends[slot] = len(all)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	if d.err != nil {
		return nil, fmt.Errorf("tally: %w", d.err)
	}
	t.text = string(text)
	start := 0
	for slot, end := range ends {
		t.kw[slot] = all[start:end:end]
		start = end
	}
	return t, nil
}

// extentBufs are loadTally's read buffers.
var extentBufs = sync.Pool{New: func() any { return new([]byte) }}

// noTally is cached for a block whose extent holds no tally.
var noTally = new(tally)

// loadTally returns block num's tally (cached), nil when the block has
// none (written before tallies, or the last of the snapshot).
func (ix *Index) loadTally(num int, blocks []blockMeta) (*tally, error) {
	off, n := digestExtent(blocks, num)
	if n == 0 {
		return nil, nil
	}
	key := cacheKey{kind: kindTally, block: num}
	tc := ix.digests
	if tc == nil {
		tc = ix.cache
	}
	if v, ok := tc.get(key); ok {
		if t := v.(*tally); t != noTally {
			return t, nil
		}
		return nil, nil
	}
	what := fmt.Sprintf("block %d digest", num)
	bp := extentBufs.Get().(*[]byte)
	defer extentBufs.Put(bp)
	raw, err := ix.readPartInto(*bp, ix.pack, packFile, what, off, n, false, 0)
	if err != nil {
		return nil, err
	}
	*bp = raw // decodeTally copies what it keeps
	body, err := checkExtent(raw)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	tb, _, err := splitExtent(body)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	if tb == nil {
		tc.put(key, noTally, 16)
		return nil, nil
	}
	t, err := decodeTally(tb, blocks[num].n)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	tc.put(key, t, t.memSize())
	return t, nil
}

// checkTally compares block num's tally with its columns and word index
// (doctor): a tally that disagrees with the lines would give wrong counts.
// A block whose parts do not read is not compared: its own check reports
// it.
func (ix *Index) checkTally(num int, m *blockMeta, t *tally) error {
	c, err := ix.loadCols(num, m)
	if err != nil {
		return nil
	}
	want := &tally{n: c.n}
	for i := 0; i < c.n; i++ {
		if c.flags[i]&flagError != 0 {
			want.errs++
		}
		want.status = addStatus(want.status, c.status[i])
	}
	var words bitmap
	for _, digits := range []bool{false, true} {
		if digits && words == full(c.n) {
			break // every line has a word without digits
		}
		wi, err := ix.loadWords(num, m, digits)
		if err != nil {
			return nil
		}
		wi = wi.full()
		for i := range wi.offs {
			_, lines := wi.entry(i)
			for _, l := range lines {
				words.set(int(l))
			}
		}
	}
	want.words = words.count()
	what := fmt.Sprintf("block %d digest: tally", num)
	if t.errs != want.errs || t.words != want.words || !slices.Equal(t.status, want.status) {
		return ix.damaged(packFile, "%s disagrees with the block's lines", what)
	}
	for slot, f := range tallyCols {
		kc, err := c.kwc(f)
		if err != nil {
			return nil
		}
		counts := make(map[string]int, len(kc.dict))
		for _, x := range kc.idx {
			if x > 0 {
				counts[kc.dict[x-1]]++
			}
		}
		if len(counts) != len(t.kw[slot]) {
			return ix.damaged(packFile, "%s of %s disagrees with the block's lines", what, kwNames[f])
		}
		for _, v := range t.kw[slot] {
			if counts[t.value(v)] != int(v.n) {
				return ix.damaged(packFile, "%s of %s disagrees with the block's lines", what, kwNames[f])
			}
		}
	}
	return nil
}
