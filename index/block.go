package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/document"
)

// A block holds up to blockMaxLines consecutive lines of one source. It is
// stored in the pack file as three zstd-compressed parts:
//
//	cols     per-line columns: time, line number, status, duration, flags,
//	         raw-line checksum, and one dictionary-encoded column per keyword
//	         field; then the offsets of the payload frames
//	words    every word of every string value of its lines, sorted, each
//	         with the lines (indices) that contain it; in two parts, words
//	         without digits and words with digits (ids, numbers: most of
//	         the words, needed only by searches for such words)
//	payload  frames of frameLines lines: message, error, stack, raw line
//
// bleve indexes one document per block (see mapping.go); a query finds
// candidate blocks there and is then evaluated exactly on each block's lines.
const (
	blockMaxLines = 256
	blockMaxBytes = 256 << 10 // raw bytes that seal a block early
	frameLines    = 64
	colsVersion   = 1
)

// Keyword fields stored as dictionary-encoded columns, in column order.
const (
	kLevel = iota
	kService
	kHost
	kVersion
	kMethod
	kPath
	kRoute
	kUser
	kRequestID
	kErrorType
	kFingerprint
	numKW
)

var kwNames = [numKW]string{"level", "service", "host", "version", "method", "path", "route", "user", "request_id", "error_type", "fingerprint"}

// kwValue returns keyword field f of ev.
func kwValue(ev *Event, f int) string {
	switch f {
	case kLevel:
		return ev.Level
	case kService:
		return ev.Service
	case kHost:
		return ev.Host
	case kVersion:
		return ev.Version
	case kMethod:
		return ev.Method
	case kPath:
		return ev.Path
	case kRoute:
		return ev.Route
	case kUser:
		return ev.User
	case kRequestID:
		return ev.RequestID
	case kErrorType:
		return ev.ErrorType
	case kFingerprint:
		return ev.Fingerprint
	}
	return ""
}

func setKW(ev *Event, f int, v string) {
	switch f {
	case kLevel:
		ev.Level = v
	case kService:
		ev.Service = v
	case kHost:
		ev.Host = v
	case kVersion:
		ev.Version = v
	case kMethod:
		ev.Method = v
	case kPath:
		ev.Path = v
	case kRoute:
		ev.Route = v
	case kUser:
		ev.User = v
	case kRequestID:
		ev.RequestID = v
	case kErrorType:
		ev.ErrorType = v
	case kFingerprint:
		ev.Fingerprint = v
	}
}

// foldKW reports whether keyword field f compares case-insensitively (its
// canonical values are case-normalised).
func foldKW(f int) bool { return f == kLevel || f == kMethod }

// Line flags.
const (
	flagError = 1 << iota
	flagText
	flagUntimed
	flagTruncated
)

func eventFlags(ev *Event) uint8 {
	var f uint8
	if ev.IsError {
		f |= flagError
	}
	if ev.Text {
		f |= flagText
	}
	if ev.Untimed {
		f |= flagUntimed
	}
	if ev.Truncated {
		f |= flagTruncated
	}
	return f
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// rawSum identifies a line's content for de-duplication (with its source and
// line number).
func rawSum(raw []byte) uint32 { return crc32.Checksum(raw, castagnoli) }

// ts is a time as Unix seconds and nanoseconds: exact for any time.Time,
// including the zero time, and cheap to compare.
type ts struct {
	sec  int64
	nsec int32
}

func toTS(t time.Time) ts    { return ts{t.Unix(), int32(t.Nanosecond())} }
func (t ts) time() time.Time { return time.Unix(t.sec, int64(t.nsec)).UTC() }
func (t ts) less(u ts) bool  { return t.sec < u.sec || t.sec == u.sec && t.nsec < u.nsec }
func (t ts) cmp(u ts) int {
	switch {
	case t.less(u):
		return -1
	case u.less(t):
		return 1
	}
	return 0
}

// blockBuilder accumulates the lines of one block in the writer.
type blockBuilder struct {
	source string
	events []Event // strings shared with the caller's events; Raw copied to arena
	arena  []byte
	raw    int
}

var builderPool = sync.Pool{New: func() any { return new(blockBuilder) }}

// newBuilder returns an empty builder for source, reusing a released one.
func newBuilder(source string) *blockBuilder {
	b := builderPool.Get().(*blockBuilder)
	b.source = source
	return b
}

// release returns b to the pool; b must not be used afterwards.
func (b *blockBuilder) release() {
	clear(b.events) // drop references to the caller's strings
	b.events, b.arena, b.raw, b.source = b.events[:0], b.arena[:0], 0, ""
	builderPool.Put(b)
}

func (b *blockBuilder) add(ev *Event) {
	e := *ev
	start := len(b.arena)
	b.arena = append(b.arena, ev.Raw...)
	e.Raw = b.arena[start:len(b.arena):len(b.arena)]
	b.events = append(b.events, e)
	b.raw += len(ev.Raw)
}

func (b *blockBuilder) minLine() int64 {
	m := b.events[0].Line
	for i := range b.events {
		m = min(m, b.events[i].Line)
	}
	return m
}

func (b *blockBuilder) maxLine() int64 {
	m := b.events[0].Line
	for i := range b.events {
		m = max(m, b.events[i].Line)
	}
	return m
}

func (b *blockBuilder) full() bool {
	return len(b.events) >= blockMaxLines || b.raw >= blockMaxBytes
}

// blockMeta is a block's record in the manifest (blocks.idx).
type blockMeta struct {
	off        int64 // in the pack
	colsLen    uint32
	wordsLen   uint32 // words without digits
	digitsLen  uint32 // words with digits
	payloadLen uint32
	src        uint32 // source id
	n          int    // lines
	bloomBits  uint8  // log2 of the Bloom filter's size in bits; 0: none
	bloomOff   int64  // in blocks.bloom
	firstLine  int64
	lastLine   int64
	min, max   ts
}

const metaRecSize = 96

func (m *blockMeta) bloomLen() int {
	if m.bloomBits == 0 {
		return 0
	}
	return 1 << m.bloomBits / 8
}

func (m *blockMeta) marshal(b []byte) {
	le := binary.LittleEndian
	clear(b[:metaRecSize])
	le.PutUint64(b[0:], uint64(m.off))
	le.PutUint32(b[8:], m.colsLen)
	le.PutUint32(b[12:], m.wordsLen)
	le.PutUint32(b[16:], m.payloadLen)
	le.PutUint32(b[20:], m.src)
	le.PutUint16(b[24:], uint16(m.n-1))
	b[26] = m.bloomBits
	le.PutUint64(b[28:], uint64(m.bloomOff))
	le.PutUint64(b[36:], uint64(m.firstLine))
	le.PutUint64(b[44:], uint64(m.lastLine))
	le.PutUint64(b[52:], uint64(m.min.sec))
	le.PutUint32(b[60:], uint32(m.min.nsec))
	le.PutUint64(b[64:], uint64(m.max.sec))
	le.PutUint32(b[72:], uint32(m.max.nsec))
	le.PutUint32(b[76:], m.digitsLen)
	le.PutUint32(b[92:], crc32.Checksum(b[:92], castagnoli))
}

var errCorrupt = errors.New("corrupt record")

func (m *blockMeta) unmarshal(b []byte) error {
	le := binary.LittleEndian
	if crc32.Checksum(b[:92], castagnoli) != le.Uint32(b[92:]) {
		return errCorrupt
	}
	m.off = int64(le.Uint64(b[0:]))
	m.colsLen = le.Uint32(b[8:])
	m.wordsLen = le.Uint32(b[12:])
	m.payloadLen = le.Uint32(b[16:])
	m.src = le.Uint32(b[20:])
	m.n = int(le.Uint16(b[24:])) + 1
	m.bloomBits = b[26]
	m.bloomOff = int64(le.Uint64(b[28:]))
	m.firstLine = int64(le.Uint64(b[36:]))
	m.lastLine = int64(le.Uint64(b[44:]))
	m.min = ts{int64(le.Uint64(b[52:])), int32(le.Uint32(b[60:]))}
	m.max = ts{int64(le.Uint64(b[64:])), int32(le.Uint32(b[72:]))}
	m.digitsLen = le.Uint32(b[76:])
	if m.n > blockMaxLines || m.bloomBits > 24 {
		return errCorrupt
	}
	return nil
}

// builtBlock is a sealed block encoded and compressed, ready to be written.
type builtBlock struct {
	num     int
	meta    blockMeta
	cols    []byte // compressed
	words   []byte // compressed, words without digits
	digits  []byte // compressed, words with digits
	payload []byte // compressed frames, concatenated
	bloom   []byte
	doc     blockDoc
	docPtr  *document.Document
}

// blockDoc is what bleve indexes for a block: for each field, the block's
// distinct terms.
type blockDoc struct {
	terms [numDocFields][]string
	long  []string // keyword fields with a value longer than maxTermLen
}

// encoder state reused across blocks by one worker.
type blockEncoder struct {
	z       *zstdCodec
	buf     []byte
	frame   []byte
	sp      wordSplitter
	ls      lineStrings
	wordIdx map[string]int32
	posts   []wordPost
	dict    map[string]int
}

type wordPost struct {
	word  string
	lines []uint8
}

func newBlockEncoder(z *zstdCodec) *blockEncoder {
	return &blockEncoder{z: z, wordIdx: make(map[string]int32, 4096), dict: make(map[string]int, 256)}
}

// build encodes b as block num of source src.
func (e *blockEncoder) build(b *blockBuilder, num int, src uint32) *builtBlock {
	evs := b.events
	n := len(evs)
	out := &builtBlock{num: num}
	m := &out.meta
	m.src = src
	m.n = n
	m.min, m.max = toTS(evs[0].Time), toTS(evs[0].Time)
	m.firstLine, m.lastLine = evs[0].Line, evs[0].Line
	for i := range evs {
		t := toTS(evs[i].Time)
		if t.less(m.min) {
			m.min = t
		}
		if m.max.less(t) {
			m.max = t
		}
		m.firstLine = min(m.firstLine, evs[i].Line)
		m.lastLine = max(m.lastLine, evs[i].Line)
	}

	// Payload frames first: cols records their offsets.
	var frameOffs []int
	for lo := 0; lo < n; lo += frameLines {
		f := e.frame[:0]
		for i := lo; i < min(lo+frameLines, n); i++ {
			ev := &evs[i]
			f = appendString(f, ev.Message)
			f = appendString(f, ev.Error)
			f = appendString(f, ev.Stack)
			f = appendBytes(f, ev.Raw)
		}
		e.frame = f
		frameOffs = append(frameOffs, len(out.payload))
		out.payload = e.z.compress(out.payload, f)
	}
	frameOffs = append(frameOffs, len(out.payload))

	// Columns.
	c := e.buf[:0]
	c = binary.AppendUvarint(c, colsVersion)
	c = binary.AppendUvarint(c, uint64(n))
	c = appendString(c, b.source)
	var prevSec, prevLine int64
	for i := range evs {
		t := toTS(evs[i].Time)
		c = binary.AppendVarint(c, t.sec-prevSec)
		c = binary.AppendUvarint(c, uint64(t.nsec))
		prevSec = t.sec
	}
	for i := range evs {
		c = binary.AppendVarint(c, evs[i].Line-prevLine)
		prevLine = evs[i].Line
	}
	for i := range evs {
		c = binary.AppendVarint(c, int64(evs[i].Status))
	}
	for i := range evs {
		c = binary.LittleEndian.AppendUint64(c, math.Float64bits(evs[i].DurationMS))
	}
	for i := range evs {
		c = append(c, eventFlags(&evs[i]))
	}
	for i := range evs {
		c = binary.LittleEndian.AppendUint32(c, rawSum(evs[i].Raw))
	}
	idx := make([]int, n)
	for f := 0; f < numKW; f++ {
		clear(e.dict)
		var vals []string
		for i := range evs {
			v := kwValue(&evs[i], f)
			if v == "" {
				idx[i] = 0
				continue
			}
			k, ok := e.dict[v]
			if !ok {
				vals = append(vals, v)
				k = len(vals)
				e.dict[v] = k
			}
			idx[i] = k
		}
		c = binary.AppendUvarint(c, uint64(len(vals)))
		for _, v := range vals {
			c = appendString(c, v)
		}
		for i := range evs {
			c = binary.AppendUvarint(c, uint64(idx[i]))
		}
		// bleve terms for the field.
		df := kwDocField[f]
		for _, v := range vals {
			t, long := kwTerm(f, v)
			out.doc.terms[df] = append(out.doc.terms[df], t)
			if long {
				out.doc.long = append(out.doc.long, kwNames[f])
			}
		}
	}
	c = binary.AppendUvarint(c, uint64(len(frameOffs)))
	for _, o := range frameOffs {
		c = binary.AppendUvarint(c, uint64(o))
	}
	e.buf = c
	out.cols = e.z.compress(nil, c)

	// bleve terms for status, duration, is_error and the source.
	out.doc.terms[dfSource] = []string{kwTermString(b.source)}
	seenStatus := map[string]bool{}
	seenDur := map[string]bool{}
	var errT, okT bool
	for i := range evs {
		ev := &evs[i]
		if ev.Status != 0 {
			t := statusTerm(float64(ev.Status))
			if !seenStatus[t] {
				seenStatus[t] = true
				out.doc.terms[dfStatus] = append(out.doc.terms[dfStatus], t)
			}
		}
		if hasDuration(ev.DurationMS) {
			t := durTerm(ev.DurationMS)
			if !seenDur[t] {
				seenDur[t] = true
				out.doc.terms[dfDuration] = append(out.doc.terms[dfDuration], t)
			}
		}
		if ev.IsError {
			errT = true
		} else {
			okT = true
		}
	}
	if errT {
		out.doc.terms[dfIsError] = append(out.doc.terms[dfIsError], "true")
	}
	if okT {
		out.doc.terms[dfIsError] = append(out.doc.terms[dfIsError], "false")
	}

	// Words.
	clear(e.wordIdx)
	e.posts = e.posts[:0]
	for i := range evs {
		li := uint8(i)
		e.eachLineString(&evs[i], func(s []byte) {
			e.sp.each(s, func(w []byte) {
				k, ok := e.wordIdx[string(w)]
				if !ok {
					k = int32(len(e.posts))
					ws := string(w)
					e.wordIdx[ws] = k
					e.posts = append(e.posts, wordPost{word: ws})
				}
				p := &e.posts[k]
				if len(p.lines) == 0 || p.lines[len(p.lines)-1] != li {
					p.lines = append(p.lines, li)
				}
			})
		})
	}
	slices.SortFunc(e.posts, func(a, b wordPost) int { return strings.Compare(a.word, b.word) })
	var plain, digits []wordPost
	for _, p := range e.posts {
		if hasDigit([]byte(p.word)) {
			digits = append(digits, p)
		} else {
			plain = append(plain, p)
			out.doc.terms[dfWords] = append(out.doc.terms[dfWords], p.word)
		}
	}
	e.buf = appendWords(e.buf[:0], plain)
	out.words = e.z.compress(nil, e.buf)
	e.buf = appendWords(e.buf[:0], digits)
	out.digits = e.z.compress(nil, e.buf)
	if len(digits) > 0 {
		m.bloomBits = bloomBits(len(digits))
		out.bloom = make(bloom, 1<<m.bloomBits/8)
		for _, p := range digits {
			bloom(out.bloom).add(wordHash([]byte(p.word)))
		}
	}
	for i := range e.posts {
		e.posts[i] = wordPost{}
	}
	m.colsLen = uint32(len(out.cols))
	m.wordsLen = uint32(len(out.words))
	m.digitsLen = uint32(len(out.digits))
	m.payloadLen = uint32(len(out.payload))
	return out
}

// eachLineString calls fn with every string value of a line: the string
// values of its JSON object (or the whole line for a text line) and those
// of its canonical string fields that are not already among them (a field
// may be derived rather than in the line, like a templated route).
func (e *blockEncoder) eachLineString(ev *Event, fn func(s []byte)) {
	e.ls.each(ev, fn)
}

// lineStrings iterates a line's strings (see blockEncoder.eachLineString),
// reusing its buffers.
type lineStrings struct {
	scratch []byte
	esc     []byte   // unescaped copies of the line's escaped values
	refs    []strRef // the line's JSON string values
}

// strRef locates a JSON string value in the raw line or in esc.
type strRef struct {
	off, end int
	esc      bool
}

func (ls *lineStrings) each(ev *Event, fn func(s []byte)) {
	ls.refs, ls.esc = ls.refs[:0], ls.esc[:0]
	if ev.Text || len(ev.Raw) == 0 || ev.Raw[0] != '{' {
		fn(ev.Raw)
		ls.refs = append(ls.refs, strRef{0, len(ev.Raw), false})
	} else {
		ls.scratch = eachJSONString(ev.Raw, ls.scratch, func(v []byte, off int) {
			fn(v)
			if off >= 0 {
				ls.refs = append(ls.refs, strRef{off, off + len(v), false})
			} else {
				ls.refs = append(ls.refs, strRef{len(ls.esc), len(ls.esc) + len(v), true})
				ls.esc = append(ls.esc, v...)
			}
		})
	}
	seen := func(v string) bool {
		for _, r := range ls.refs {
			if r.end-r.off != len(v) {
				continue
			}
			src := ev.Raw
			if r.esc {
				src = ls.esc
			}
			if string(src[r.off:r.end]) == v {
				return true
			}
		}
		return false
	}
	for f := 0; f < numKW; f++ {
		if f == kFingerprint {
			continue
		}
		if v := kwValue(ev, f); v != "" && !seen(v) {
			fn([]byte(v))
		}
	}
	for _, v := range [...]string{ev.Message, ev.Error, ev.Stack} {
		if v != "" && !seen(v) {
			fn([]byte(v))
		}
	}
}

// appendWords encodes a sorted word list with each word's lines.
func appendWords(w []byte, posts []wordPost) []byte {
	w = binary.AppendUvarint(w, uint64(len(posts)))
	for i := range posts {
		w = appendString(w, posts[i].word)
		w = binary.AppendUvarint(w, uint64(len(posts[i].lines)))
		w = append(w, posts[i].lines...)
	}
	return w
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b []byte, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func hasDuration(d float64) bool { return d != 0 && !math.IsNaN(d) }

// decoder reads the encodings above; the first error sticks.
type decoder struct {
	b   []byte
	err error
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

func (d *decoder) str() string { return string(d.bytes(d.uvarint())) }

// cols is a block's decoded columns.
type cols struct {
	n       int
	source  string
	time    []ts
	line    []int64
	status  []int32
	dur     []float64
	flags   []uint8
	sum     []uint32
	dict    [numKW][]string // dict[f][k-1] is value k
	kw      [numKW][]uint16 // 0: missing
	frames  []int           // offsets of payload frames; len = frames+1
	memSize int
}

func decodeCols(b []byte) (*cols, error) {
	d := decoder{b: b}
	if v := d.uvarint(); v != colsVersion {
		return nil, fmt.Errorf("block format %d: %w", v, errCorrupt)
	}
	n := int(d.uvarint())
	if n < 1 || n > blockMaxLines {
		return nil, errCorrupt
	}
	c := &cols{n: n, source: d.str()}
	c.time = make([]ts, n)
	c.line = make([]int64, n)
	c.status = make([]int32, n)
	c.dur = make([]float64, n)
	c.sum = make([]uint32, n)
	var sec, line int64
	for i := 0; i < n; i++ {
		sec += d.varint()
		c.time[i] = ts{sec, int32(d.uvarint())}
	}
	for i := 0; i < n; i++ {
		line += d.varint()
		c.line[i] = line
	}
	for i := 0; i < n; i++ {
		c.status[i] = int32(d.varint())
	}
	for i := 0; i < n; i++ {
		if b := d.bytes(8); b != nil {
			c.dur[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
		}
	}
	c.flags = d.bytes(uint64(n))
	for i := 0; i < n; i++ {
		if b := d.bytes(4); b != nil {
			c.sum[i] = binary.LittleEndian.Uint32(b)
		}
	}
	size := 64*n + 256
	for f := 0; f < numKW; f++ {
		nv := d.uvarint()
		if nv > uint64(n) {
			return nil, errCorrupt
		}
		vals := make([]string, nv)
		for k := range vals {
			vals[k] = d.str()
			size += len(vals[k]) + 16
		}
		c.dict[f] = vals
		col := make([]uint16, n)
		for i := 0; i < n; i++ {
			k := d.uvarint()
			if k > nv {
				return nil, errCorrupt
			}
			col[i] = uint16(k)
		}
		c.kw[f] = col
	}
	nf := d.uvarint()
	if nf > uint64(n)+1 {
		return nil, errCorrupt
	}
	c.frames = make([]int, nf)
	for i := range c.frames {
		c.frames[i] = int(d.uvarint())
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(c.frames) != (n+frameLines-1)/frameLines+1 {
		return nil, errCorrupt
	}
	c.memSize = size
	return c, nil
}

// kwAt returns keyword field f of line i.
func (c *cols) kwAt(f, i int) string {
	k := c.kw[f][i]
	if k == 0 {
		return ""
	}
	return c.dict[f][k-1]
}

// wordIndex is a block's decoded words part.
type wordIndex struct {
	data []byte
	offs []uint32 // offset of each entry in data
}

func decodeWords(b []byte) (*wordIndex, error) {
	d := decoder{b: b}
	nw := d.uvarint()
	if nw > uint64(len(b)) {
		return nil, errCorrupt
	}
	wi := &wordIndex{data: b, offs: make([]uint32, 0, nw)}
	for i := uint64(0); i < nw && d.err == nil; i++ {
		wi.offs = append(wi.offs, uint32(len(b)-len(d.b)))
		d.bytes(d.uvarint())
		d.bytes(d.uvarint())
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
}

type payloadLine struct {
	message, error, stack string
	raw                   []byte
}

func decodeFrame(b []byte) (*frame, error) {
	d := decoder{b: b}
	fr := &frame{size: len(b) + 64}
	for len(d.b) > 0 && d.err == nil {
		var p payloadLine
		p.message = d.str()
		p.error = d.str()
		p.stack = d.str()
		p.raw = d.bytes(d.uvarint())
		fr.lines = append(fr.lines, p)
		fr.size += 64
	}
	if d.err != nil {
		return nil, d.err
	}
	return fr, nil
}
