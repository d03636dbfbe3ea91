package index

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"unsafe"
)

// decoder reads the encodings above; the first error sticks.
type decoder struct {
	b   []byte
	err error
	// s, when set, is the whole of the b the decoder started with, as a
	// string: str then returns substrings of it instead of copies (a
	// rollup file holds hundreds of thousands of values).
	s string
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if uint64(len(d.b)) < n {
		d.fail()
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	v := d.bytes(d.uvarint())
	if d.s == "" || v == nil {
		return string(v)
	}
	end := len(d.s) - len(d.b)
	return d.s[end-len(v) : end]
}

// count reads a count of items that each take at least one byte, so that
// a damaged count cannot ask for more than is left.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

// kwValue decodes a value of a format 3 keyword column (appendKWValue).
func (d *decoder) kwValue() string {
	h := d.uvarint()
	n := h >> 2
	switch h & 3 {
	case kvText:
		return string(d.bytes(n))
	case kvHex:
		if n%2 != 0 {
			d.fail()
			return ""
		}
		return hex.EncodeToString(d.bytes(n / 2))
	case kvUUID:
		b := d.bytes(16)
		if n != 36 || b == nil {
			d.fail()
			return ""
		}
		var u [36]byte
		hex.Encode(u[0:8], b[0:4])
		hex.Encode(u[9:13], b[4:6])
		hex.Encode(u[14:18], b[6:8])
		hex.Encode(u[19:23], b[8:10])
		hex.Encode(u[24:36], b[10:16])
		u[8], u[13], u[18], u[23] = '-', '-', '-', '-'
		return string(u[:])
	}
	d.fail()
	return ""
}

// span decodes a string of a format 3 payload line: a span of raw or a
// literal (appendSpan). The string shares the frame's bytes, which are
// never modified: decoding a frame allocates nothing per line, and an
// Event built from it copies what it keeps (Index.event).
func (d *decoder) span(raw []byte) string {
	h := d.uvarint()
	n := h >> 1
	var b []byte
	if h&1 == 0 {
		b = d.bytes(n)
	} else {
		off := d.uvarint()
		if off > uint64(len(raw)) || n > uint64(len(raw))-off {
			d.fail()
			return ""
		}
		b = raw[off : off+n]
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// cols is a block's decoded columns. The keyword columns are decoded on
// first use (kwc); cols are shared between goroutines through the cache.
type cols struct {
	version int
	n       int
	// fl is the number of lines of a payload frame (all but the last).
	fl     int
	source string
	time   []ts
	line   []int64
	status []int32
	dur    []float64
	flags  []uint8
	sum    []uint32 // rawSum of each line; nil in format 3 (Index.lineSum)
	frames []int    // offsets of payload frames; len = frames+1
	// frameSums are the checksums of the payload frames (nil in version 1
	// blocks).
	frameSums []uint32

	z     *zstdCodec
	kwRaw [numKW][]byte // compressed keyword columns
	mu    sync.Mutex
	kw    [numKW]*kwColumn
	// memSize estimates the memory of the cols with every column decoded.
	memSize int
}

// kwColumn is a dictionary-encoded keyword column.
type kwColumn struct {
	dict []string // dict[k-1] is value k
	idx  []uint16 // per line; 0: missing
}

// lineCounts returns per, resized and filled with the number of lines
// (of hits, or every line when all) per dictionary entry: per[0] for the
// lines without a value, per[j+1] for dict[j].
func (k *kwColumn) lineCounts(per []int, hits bitmap, all bool) []int {
	per = slices.Grow(per[:0], len(k.dict)+1)[:len(k.dict)+1]
	clear(per)
	if all {
		for _, x := range k.idx {
			per[x]++
		}
	} else {
		hits.each(func(i int) { per[k.idx[i]]++ })
	}
	return per
}

// addCounts adds per's counts (lineCounts) to counts by value, times
// sign, and returns per[0]: the lines without a value.
func (k *kwColumn) addCounts(counts map[string]int, per []int, sign int) int {
	for j, v := range k.dict {
		if per[j+1] > 0 {
			counts[v] += sign * per[j+1]
		}
	}
	return per[0]
}

// decodeCols decodes a block's cols part: the core columns now, the
// keyword columns on demand.
func decodeCols(z *zstdCodec, b []byte) (*cols, error) {
	np, parts, err := colsParts(b)
	if err != nil {
		return nil, err
	}
	core, err := z.decompress(parts[0])
	if err != nil {
		return nil, err
	}
	d := decoder{b: core}
	version := d.uvarint()
	if version < 1 || version > colsVersion {
		return nil, fmt.Errorf("block format %d: %w", version, errCorrupt)
	}
	n := int(d.uvarint())
	if n < 1 || n > blockMaxLines {
		return nil, errCorrupt
	}
	c := &cols{version: int(version), n: n, fl: frameLinesV2, source: d.str(), z: z}
	if version >= 3 {
		if c.fl = int(d.uvarint()); c.fl < 1 || c.fl > blockMaxLines {
			return nil, errCorrupt
		}
	}
	c.time = make([]ts, n)
	c.line = make([]int64, n)
	c.status = make([]int32, n)
	c.dur = make([]float64, n)
	tmode := timeNanos
	if version >= 3 {
		tmode = int(d.byte())
	}
	var sec, line int64
	switch tmode {
	case timeNanos:
		for i := 0; i < n; i++ {
			sec += d.varint()
			c.time[i] = ts{sec, int32(d.uvarint())}
		}
	case timeMillis:
		for i := 0; i < n; i++ {
			sec += d.varint() // milliseconds
			c.time[i] = ts{sec / 1000, int32(sec%1000) * 1e6}
			if sec%1000 < 0 {
				c.time[i] = ts{sec/1000 - 1, int32(sec%1000+1000) * 1e6}
			}
		}
	default:
		return nil, errCorrupt
	}
	for i := 0; i < n; i++ {
		line += d.varint()
		c.line[i] = line
	}
	for i := 0; i < n; i++ {
		c.status[i] = int32(d.varint())
	}
	dmode := 0
	if version >= 3 {
		if dmode = int(d.byte()); dmode > len(durScales) {
			return nil, errCorrupt
		}
	}
	for i := 0; i < n; i++ {
		if dmode > 0 {
			c.dur[i] = float64(d.varint()) / durScales[dmode-1]
			continue
		}
		if b := d.bytes(8); b != nil {
			c.dur[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
		}
	}
	c.flags = d.bytes(uint64(n))
	if version < 3 {
		c.sum = make([]uint32, n)
		for i := 0; i < n; i++ {
			if b := d.bytes(4); b != nil {
				c.sum[i] = binary.LittleEndian.Uint32(b)
			}
		}
	}
	nf := d.uvarint()
	if nf > uint64(n)+1 {
		return nil, errCorrupt
	}
	c.frames = make([]int, nf)
	for i := range c.frames {
		c.frames[i] = int(d.uvarint())
	}
	if version >= 2 && nf > 0 {
		c.frameSums = make([]uint32, nf-1)
		for i := range c.frameSums {
			if b := d.bytes(4); b != nil {
				c.frameSums[i] = binary.LittleEndian.Uint32(b)
			}
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(c.frames) != (n+c.fl-1)/c.fl+1 {
		return nil, errCorrupt
	}
	c.memSize = 48*n + 256
	for f := range c.kwRaw {
		if uint64(1+f) >= np {
			// A block written before this column existed: every line
			// lacks the field.
			c.kw[f] = &kwColumn{idx: make([]uint16, n)}
			continue
		}
		c.kwRaw[f] = parts[1+f]
		c.memSize += 2*n + 4*len(parts[1+f]) + 64
	}
	return c, nil
}

// colsParts splits a cols part into its still compressed parts: the core
// and the keyword columns (np of them in all).
func colsParts(b []byte) (np uint64, parts [1 + numKW][]byte, err error) {
	d := decoder{b: b}
	np = d.uvarint()
	if np != 1+numKW && np != 1+numKWv1 {
		return 0, parts, errCorrupt
	}
	var lens [1 + numKW]uint64
	for i := range np {
		lens[i] = d.uvarint()
	}
	for i := range np {
		parts[i] = d.bytes(lens[i])
	}
	return np, parts, d.err
}

// kwOnlyCols returns the keyword columns of a cols part of a block of n
// lines, without decoding its core: a cols whose other fields are empty,
// for a question that reads keyword columns only (loadKWCols).
func kwOnlyCols(z *zstdCodec, b []byte, n int, v3 bool) (*cols, error) {
	np, parts, err := colsParts(b)
	if err != nil {
		return nil, err
	}
	c := &cols{version: 2, n: n, z: z, memSize: 128}
	if v3 {
		c.version = 3
	}
	for f := range c.kwRaw {
		if uint64(1+f) >= np {
			c.kw[f] = &kwColumn{idx: make([]uint16, n)}
			continue
		}
		c.kwRaw[f] = parts[1+f]
		c.memSize += 2*n + 4*len(parts[1+f]) + 64
	}
	return c, nil
}

// frameKW returns what decodeFrame needs to decode the block's frames:
// nil for a block before format 3, else its template columns.
func (c *cols) frameKW() (*[numKW]*kwColumn, error) {
	if c.version < 3 {
		return nil, nil
	}
	var kws [numKW]*kwColumn
	for _, f := range tmplCols {
		k, err := c.kwc(f)
		if err != nil {
			return nil, err
		}
		kws[f] = k
	}
	return &kws, nil
}

// frameOf returns the payload frame of line i, and the line's index in it.
func (c *cols) frameOf(i int) (k, j int) { return i / c.fl, i % c.fl }

// kwc returns keyword column f, decoding it on first use.
func (c *cols) kwc(f int) (*kwColumn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.kw[f]; k != nil {
		return k, nil
	}
	k, err := decodeKW(c.z, c.kwRaw[f], c.n, c.version >= 3)
	if err != nil {
		return nil, err
	}
	c.kw[f], c.kwRaw[f] = k, nil
	return k, nil
}

// decodeKW decodes the compressed keyword column part raw of a block of n
// lines; v3: of format 3 (appendKWValue).
func decodeKW(z *zstdCodec, raw []byte, n int, v3 bool) (*kwColumn, error) {
	b, err := z.decompress(raw)
	if err != nil {
		return nil, err
	}
	d := decoder{b: b}
	nv := d.uvarint()
	if nv > uint64(n) {
		return nil, errCorrupt
	}
	k := &kwColumn{dict: make([]string, nv), idx: make([]uint16, n)}
	for i := range k.dict {
		if v3 {
			k.dict[i] = d.kwValue()
		} else {
			k.dict[i] = d.str()
		}
	}
	for i := range k.idx {
		v := d.uvarint()
		if v > nv {
			return nil, errCorrupt
		}
		k.idx[i] = uint16(v)
	}
	if d.err != nil {
		return nil, d.err
	}
	return k, nil
}

// salvageFrameKW returns the template columns of a format 3 block of n
// lines whose cols part b failed its checksum, so that its lines can
// still be read from the payload (Rebuild): each column part is a zstd
// frame with its own content checksum, so a column that decompresses is
// intact.
func salvageFrameKW(z *zstdCodec, b []byte, n int) (*[numKW]*kwColumn, error) {
	d := decoder{b: b}
	np := d.uvarint()
	if np != 1+numKW {
		return nil, errCorrupt
	}
	var parts [1 + numKW][]byte
	var lens [1 + numKW]uint64
	for i := range np {
		lens[i] = d.uvarint()
	}
	for i := range np {
		parts[i] = d.bytes(lens[i])
	}
	if d.err != nil {
		return nil, d.err
	}
	var kws [numKW]*kwColumn
	for _, f := range tmplCols {
		k, err := decodeKW(z, parts[1+f], n, true)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", kwNames[f], err)
		}
		kws[f] = k
	}
	return &kws, nil
}

// value returns the value of line i.
func (k *kwColumn) value(i int) string {
	if v := k.idx[i]; v != 0 {
		return k.dict[v-1]
	}
	return ""
}

// wordIndex is a block's decoded words part.
type wordIndex struct {
	data []byte
	offs []uint32 // offset of each entry in data
	// kws are the keyword columns of a format 3 digits part, whose words
	// it leaves out (kwDigitWords): lookup adds them, and full returns
	// the index with them merged in. nil otherwise.
	kws []*kwColumn
	// whole is the merged index (full), built once.
	once  sync.Once
	whole *wordIndex
}

// full returns the word index with the words of the keyword values merged
// in (a format 3 digits part), in which every word can be scanned.
func (wi *wordIndex) full() *wordIndex {
	if wi.kws == nil {
		return wi
	}
	wi.once.Do(func() {
		var sp wordSplitter
		kw := kwDigitWords(&sp, func(f int) *kwColumn { return wi.kws[f] })
		b := withKWWords(wi, kw)
		w, err := decodeWords(b, false)
		if err != nil { // cannot be: withKWWords encodes what decodeWords reads
			panic(fmt.Sprintf("merged word index: %v", err))
		}
		wi.whole = w
	})
	return wi.whole
}

// decodeWords decodes a words or digits part (appendWords). When delta is
// set (format 3), each word's lines are stored as differences, which it
// turns into lines in place: b must not be shared.
func decodeWords(b []byte, delta bool) (*wordIndex, error) {
	d := decoder{b: b}
	nw := d.uvarint()
	if nw > uint64(len(b)) {
		return nil, errCorrupt
	}
	wi := &wordIndex{data: b, offs: make([]uint32, 0, nw)}
	for i := uint64(0); i < nw && d.err == nil; i++ {
		wi.offs = append(wi.offs, uint32(len(b)-len(d.b)))
		d.bytes(d.uvarint())
		lines := d.bytes(d.uvarint())
		if delta {
			l := 0
			for k, x := range lines {
				if l += int(x); l >= blockMaxLines {
					return nil, errCorrupt
				}
				lines[k] = uint8(l)
			}
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	return wi, nil
}

// entry returns word i and the lines containing it.
func (wi *wordIndex) entry(i int) (word []byte, lines []uint8) {
	d := decoder{b: wi.data[wi.offs[i]:]}
	word = d.bytes(d.uvarint())
	lines = d.bytes(d.uvarint())
	return word, lines
}

// find returns the index of the first word >= w.
func (wi *wordIndex) find(w []byte) int {
	lo, hi := 0, len(wi.offs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		word, _ := wi.entry(m)
		if string(word) < string(w) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// lookup returns the lines containing word w.
func (wi *wordIndex) lookup(w []byte) bitmap {
	bm := wi.lookupStored(w)
	if wi.kws != nil && hasDigit(w) {
		bm = bm.or(kwWordLines(wi.kws, w))
	}
	return bm
}

// kwWordLines returns the lines whose keyword values (the fingerprint
// excepted) have the word w: the lines kwDigitWords gives for w, without
// splitting every value. An ASCII value holds w only if it contains w
// ignoring ASCII case; only those, and values with other bytes (whose
// lowercase may be ASCII), are split.
func kwWordLines(kws []*kwColumn, w []byte) bitmap {
	var bm bitmap
	var sp wordSplitter
	ascii := isASCII(w)
	for f, k := range kws {
		if f == kFingerprint || k == nil {
			continue
		}
		for j, v := range k.dict {
			if ascii && isASCII([]byte(v)) && !containsFoldASCII(v, w) {
				continue
			}
			found := false
			sp.Each([]byte(v), func(x []byte) { found = found || string(x) == string(w) })
			if !found {
				continue
			}
			for i, x := range k.idx {
				if int(x) == j+1 {
					bm.set(i)
				}
			}
		}
	}
	return bm
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether s contains w (lowercase) ignoring
// ASCII case.
func containsFoldASCII(s string, w []byte) bool {
	if len(w) == 0 {
		return true
	}
	for i := 0; i+len(w) <= len(s); i++ {
		k := 0
		for ; k < len(w); k++ {
			c := s[i+k]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != w[k] {
				break
			}
		}
		if k == len(w) {
			return true
		}
	}
	return false
}

// lookupStored returns the lines containing word w in the stored entries.
func (wi *wordIndex) lookupStored(w []byte) bitmap {
	var bm bitmap
	if i := wi.find(w); i < len(wi.offs) {
		word, lines := wi.entry(i)
		if string(word) == string(w) {
			for _, l := range lines {
				bm.set(int(l))
			}
		}
	}
	return bm
}

// bitmap is a set of line indices within a block.
type bitmap [blockMaxLines / 64]uint64

func (b *bitmap) set(i int)      { b[i>>6] |= 1 << (i & 63) }
func (b *bitmap) has(i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

func (b bitmap) and(o bitmap) bitmap {
	for i := range b {
		b[i] &= o[i]
	}
	return b
}

func (b bitmap) or(o bitmap) bitmap {
	for i := range b {
		b[i] |= o[i]
	}
	return b
}

func (b bitmap) andNot(o bitmap) bitmap {
	for i := range b {
		b[i] &^= o[i]
	}
	return b
}

func (b bitmap) empty() bool { return b == bitmap{} }

func (b bitmap) count() int {
	n := 0
	for _, w := range b {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// each calls fn with every index in b, ascending.
func (b bitmap) each(fn func(i int)) {
	for k, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			fn(k*64 + t)
			w &= w - 1
		}
	}
}

// full returns the bitmap of lines [0, n).
func full(n int) bitmap {
	var b bitmap
	for k := range b {
		switch lo := k * 64; {
		case n >= lo+64:
			b[k] = ^uint64(0)
		case n > lo:
			b[k] = 1<<(n-lo) - 1
		}
	}
	return b
}

// frame is a decoded payload frame.
type frame struct {
	lines []payloadLine
	size  int
	// Format 3: per line its stored bytes and references (appendTemplated),
	// until withRaw puts the raw lines together.
	tmpl []lineTmpl
	refs []frameRef
	once sync.Once
	err  error
}

type lineTmpl struct {
	ref    int // its first reference in frame.refs
	stored []byte
}

type frameRef struct {
	col uint8
	gap uint32
}

type payloadLine struct {
	message, error, stack string
	raw                   []byte
}

// decodeFrame decodes a payload frame of about n lines, of format 3 if v3. The raw lines
// of a format 3 frame are put together only when asked for (withRaw):
// the columns they need are not decoded for a question about message,
// error or stack.
func decodeFrame(b []byte, v3 bool, n int) (*frame, error) {
	d := decoder{b: b}
	fr := &frame{size: len(b) + 64, lines: make([]payloadLine, 0, n)}
	if v3 {
		fr.tmpl, fr.refs = make([]lineTmpl, 0, n), make([]frameRef, 0, 4*n)
	}
	for len(d.b) > 0 && d.err == nil {
		var p payloadLine
		if v3 {
			nr := d.uvarint()
			if nr > numKW {
				return nil, errCorrupt
			}
			t := lineTmpl{ref: len(fr.refs)}
			for range nr {
				col, gap := d.uvarint(), d.uvarint()
				if col >= numKW || gap > uint64(len(d.b)) {
					return nil, errCorrupt
				}
				fr.refs = append(fr.refs, frameRef{uint8(col), uint32(gap)})
			}
			t.stored = d.bytes(d.uvarint())
			fr.size += len(t.stored) + 40*int(nr) // its raw line, once put together
			p.message = d.span(t.stored)
			p.error = d.span(t.stored)
			p.stack = d.span(t.stored)
			fr.tmpl = append(fr.tmpl, t)
		} else {
			p.message = d.str()
			p.error = d.str()
			p.stack = d.str()
			p.raw = d.bytes(d.uvarint())
		}
		fr.lines = append(fr.lines, p)
		fr.size += 64
	}
	if d.err != nil {
		return nil, d.err
	}
	return fr, nil
}

// withRaw puts together the raw lines of a format 3 frame (once; a no-op
// for a frame of format 2): kws holds the block's template columns and
// first is the block line of the frame's first line.
func (fr *frame) withRaw(kws func() (*[numKW]*kwColumn, error), first int) error {
	if fr.tmpl == nil {
		return nil
	}
	fr.once.Do(func() { fr.err = fr.putRaw(kws, first) })
	return fr.err
}

func (fr *frame) putRaw(kwsFn func() (*[numKW]*kwColumn, error), first int) error {
	kws, err := kwsFn()
	if err != nil {
		return err
	}
	size := 0
	for k, t := range fr.tmpl {
		size += len(t.stored)
		for _, r := range fr.refs[t.ref:fr.refEnd(k)] {
			if col := kws[r.col]; col != nil && first+k < len(col.idx) {
				size += len(col.value(first + k))
			}
		}
	}
	raws := make([]byte, 0, size)
	for k, t := range fr.tmpl {
		i := first + k
		start, pos := len(raws), 0
		for _, r := range fr.refs[t.ref:fr.refEnd(k)] {
			col := kws[r.col]
			if col == nil || i >= len(col.idx) || int(r.gap) > len(t.stored)-pos {
				return errCorrupt
			}
			v := col.value(i)
			if v == "" {
				return errCorrupt
			}
			raws = append(raws, t.stored[pos:pos+int(r.gap)]...)
			raws = append(raws, v...)
			pos += int(r.gap)
		}
		raws = append(raws, t.stored[pos:]...)
		fr.lines[k].raw = raws[start:len(raws):len(raws)]
	}
	return nil
}

// refEnd returns the end of line k's references in fr.refs.
func (fr *frame) refEnd(k int) int {
	if k+1 < len(fr.tmpl) {
		return fr.tmpl[k+1].ref
	}
	return len(fr.refs)
}

// withKWWords returns the encoding of the word index wi with the (word,
// line) pairs of kw added: a format 3 digits part made whole again (see
// kwDigitWords). Both are sorted by word, so this is a merge.
func withKWWords(wi *wordIndex, kw map[string]*bitmap) []byte {
	extra := make([]string, 0, len(kw))
	for w := range kw {
		extra = append(extra, w)
	}
	slices.Sort(extra)
	posts := make([]wordPost, 0, len(wi.offs)+len(extra))
	lineList := func(bm bitmap) []uint8 {
		var l []uint8
		bm.each(func(i int) { l = append(l, uint8(i)) })
		return l
	}
	i, j := 0, 0
	for i < len(wi.offs) || j < len(extra) {
		var word []byte
		var lines []uint8
		if i < len(wi.offs) {
			word, lines = wi.entry(i)
		}
		switch {
		case j < len(extra) && (i == len(wi.offs) || extra[j] < string(word)):
			posts = append(posts, wordPost{word: extra[j], lines: lineList(*kw[extra[j]])})
			j++
		case j < len(extra) && extra[j] == string(word):
			var bm bitmap
			for _, l := range lines {
				bm.set(int(l))
			}
			posts = append(posts, wordPost{word: extra[j], lines: lineList(bm.or(*kw[extra[j]]))})
			i++
			j++
		default:
			posts = append(posts, wordPost{word: string(word), lines: lines})
			i++
		}
	}
	return appendWords(nil, posts, false)
}

// lineSum returns the rawSum of line i of block num: from its columns
// before format 3, else from the line itself.
func (ix *Index) lineSum(num int, m *blockMeta, c *cols, i int) (uint32, error) {
	if c.sum != nil {
		return c.sum[i], nil
	}
	p, err := ix.rawLine(num, m, c, i)
	if err != nil {
		return 0, err
	}
	return rawSum(p.raw), nil
}

// withKWColumns attaches to the digits index wi of format 3 block num
// the keyword columns whose words it leaves out.
func (ix *Index) withKWColumns(num int, m *blockMeta, wi *wordIndex) error {
	c, err := ix.loadCols(num, m)
	if err != nil {
		return err
	}
	wi.kws = make([]*kwColumn, numKW)
	for f := range wi.kws {
		if f == kFingerprint {
			continue
		}
		if wi.kws[f], err = c.kwc(f); err != nil {
			return ix.damaged(packFile, "block %d column %s: %w", num, kwNames[f], err)
		}
	}
	return nil
}
