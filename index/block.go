package index

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/blevesearch/bleve/v2/document"
)

// A block holds up to blockMaxLines lines of one source. It is stored in
// blocks.pack as consecutive zstd-compressed parts, so that a query
// decompresses only what it reads:
//
//	cols     a header of part lengths, then a core part (per line: time,
//	         line number, status, duration, flags, raw-line checksum; the
//	         offsets of the payload frames) and one part per keyword
//	         column (a dictionary and an index per line)
//	words    every word of every string value of its lines, sorted, each
//	         with the lines (indices) that contain it: the words without
//	         digits...
//	digits   ...and the words with digits (ids, numbers: most of the
//	         words, read only by searches for such words)
//	payload  frames of lines: message, error, stack, raw line
//
// Every part is checksummed (CRC-32C of its stored bytes) and verified
// whenever it is read: cols, words and digits in the block's record in
// blocks.idx (itself checksummed), each payload frame in the cols core, and
// the Bloom filter by 4 bytes after it in blocks.bloom.
//
// bleve indexes one document per block (see mapping.go); a query finds
// candidate blocks there and is then evaluated exactly on each block's lines.
//
// Format 3 (colsVersion 3) stores the same information in less space:
//
//   - a payload line leaves out of its raw line the values of the id
//     columns (tmplCols: request, trace and span ids, user, path) that
//     occur in it verbatim and references them by column; a reader puts
//     them back from the columns (frame.withRaw), only when it needs the
//     raw line. Those values are nearly unique per line, so they were most
//     of what zstd could not compress in a frame, and the columns hold
//     them anyway;
//   - message, error and stack are spans of the line's stored bytes when
//     they occur there (most messages do), else literals;
//   - keyword columns store lowercase hex ids and UUIDs as the bytes they
//     spell, at zstd's fastest level like the rest of the block (earlier
//     writers used the default level: a reader does not tell);
//   - the core stores times as milliseconds when every time of the block
//     is a whole millisecond, and durations as scaled integers when that
//     is exact for every line;
//   - the core has no checksum of each raw line (4 bytes a line that do
//     not compress): the writer's de-duplication computes it from the
//     line, which it reads only for a line number it already has;
//   - word lines are stored as differences (appendWords);
//   - the digits part leaves out a word on a line when the word is a word
//     of one of that line's keyword values (request ids, paths, users,
//     trace ids: most words with digits): kwDigitWords derives those
//     pairs from the keyword columns, and a reader adds them back, so the
//     word index it uses is the same as before.
//
// Frames stay 64 lines: larger frames compress better (a fifth less
// payload with whole-block frames) but a search that renders 50 events
// from 50 blocks decompresses proportionally more.
//
// Blocks of formats 1 and 2 are still read exactly; the block's record in
// blocks.idx says which format its parts are in (byte 27).
const (
	blockMaxLines = 256
	blockMaxBytes = 256 << 10 // raw bytes that seal a block early
	// frameLines is the number of lines of a payload frame in format 3.
	frameLines = 64
	// frameLinesV2 is that of formats 1 and 2.
	frameLinesV2 = 64
	// colsVersion 2 adds the checksums of the payload frames to the core
	// part; version 1 blocks (written before checksums) are still read.
	// Version 3 is format 3 above.
	colsVersion = 3
)

// writeFormat is the block format the writer writes; tests set 2 to write
// blocks as before format 3 and check that they still read the same.
var writeFormat = colsVersion

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
	kTraceID
	kSpanID
	kParentSpanID
	numKW
)

// numKWv1 is the number of keyword columns of blocks written before the
// trace columns were added; such blocks read with the trace columns empty.
const numKWv1 = kTraceID

var kwNames = [numKW]string{"level", "service", "host", "version", "method", "path", "route", "user", "request_id", "error_type", "fingerprint", "trace_id", "span_id", "parent_span_id"}

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
	case kTraceID:
		return ev.TraceID
	case kSpanID:
		return ev.SpanID
	case kParentSpanID:
		return ev.ParentSpanID
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
	case kTraceID:
		ev.TraceID = v
	case kSpanID:
		ev.SpanID = v
	case kParentSpanID:
		ev.ParentSpanID = v
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
	// sums: the block has checksums (written since format 2.1); the
	// checksums of its cols, words and digits parts.
	sums                         bool
	colsSum, wordsSum, digitsSum uint32
	// v3: the block's parts are in format 3 (it has checksums too).
	v3 bool
}

const metaRecSize = 96

// bloomStored is the length of the block's Bloom filter in blocks.bloom,
// with its checksum.
func (m *blockMeta) bloomStored() int {
	if m.bloomBits == 0 {
		return 0
	}
	if m.sums {
		return m.bloomLen() + 4
	}
	return m.bloomLen()
}

// partSum is the checksum of a stored part of a block.
func partSum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

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
	if m.sums {
		b[27] = 1
		if m.v3 {
			b[27] = 2
		}
		le.PutUint32(b[80:], m.colsSum)
		le.PutUint32(b[84:], m.wordsSum)
		le.PutUint32(b[88:], m.digitsSum)
	}
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
	m.sums, m.v3 = b[27] >= 1, b[27] == 2
	m.colsSum, m.wordsSum, m.digitsSum = le.Uint32(b[80:]), le.Uint32(b[84:]), le.Uint32(b[88:])
	if m.n > blockMaxLines || m.bloomBits > 24 || b[27] > 2 {
		return errCorrupt
	}
	return nil
}

// builtBlock is a sealed block encoded and compressed, ready to be written.
type builtBlock struct {
	num     int
	meta    blockMeta
	cols    []byte             // compressed
	words   []byte             // compressed, words without digits
	digits  []byte             // compressed, words with digits
	payload []byte             // compressed frames, concatenated
	bloom   []byte             // with its checksum
	digest  []byte             // the error digest (digest.go), after the payload
	doc     *document.Document // for bleve
}

// blockDoc is what bleve indexes for a block: for each field, the block's
// distinct terms.
type blockDoc struct {
	terms [numDocFields][]string
	long  []string // keyword fields with a value longer than maxTermLen
}

func (d *blockDoc) add(f int, t string) { d.terms[f] = append(d.terms[f], t) }

// encoder state reused across blocks by one worker.
type blockEncoder struct {
	z     *zstdCodec
	buf   []byte
	frame []byte
	sp    wordSplitter
	ls    lineStrings
	wx    wordCollector
	// digitPosts: the words with digits the digits part stores
	digitPosts []wordPost
	dict       map[string]int
	kw         [numKW]kwColumn // the last block's keyword columns (cols)
	refs       []tmplRef
	// storedAt: where the stored bytes of the line appendTemplated
	// encoded last begin, from the start of its encoding.
	storedAt int
	kwLines  []bitmap  // per post: the lines that have it from keyword values
	kwRefs   [][]int32 // dropKWWords' scratch: per keyword value, its words with digits
	// wordLines are the lines of the last block words saw that have at
	// least one word (tally).
	wordLines bitmap
}

type wordPost struct {
	word  string
	lines []uint8
	kw    bool // dropKWWords left no line: every line has it from a keyword value
}

func newBlockEncoder(z *zstdCodec) *blockEncoder {
	return &blockEncoder{z: z, dict: make(map[string]int, 256)}
}

// build encodes b as block num of source src.
func (e *blockEncoder) build(b *blockBuilder, num int, src uint32) *builtBlock {
	out := &builtBlock{num: num}
	var doc blockDoc
	m := &out.meta
	m.src, m.n = src, len(b.events)
	m.min, m.max = toTS(b.events[0].Time), toTS(b.events[0].Time)
	m.firstLine, m.lastLine = b.minLine(), b.maxLine()
	for i := range b.events {
		t := toTS(b.events[i].Time)
		if t.less(m.min) {
			m.min = t
		}
		if m.max.less(t) {
			m.max = t
		}
	}
	v3 := writeFormat >= 3
	fl := frameLinesV2
	if v3 {
		fl = frameLines
	}
	frameOffs := e.payload(b, out, fl, v3)
	e.cols(b, fl, frameOffs, out, &doc, v3)
	e.scalarTerms(b, &doc)
	e.words(b, out, &doc, v3)
	if writeDigests {
		var t []byte
		if writeTallies {
			t = e.tally(b) // before digest, which reuses e.kw
		}
		out.digest = e.digest(b, v3, t)
	}
	out.doc = bleveDoc(num, &doc)
	m.colsLen = uint32(len(out.cols))
	m.wordsLen = uint32(len(out.words))
	m.digitsLen = uint32(len(out.digits))
	m.payloadLen = uint32(len(out.payload))
	m.sums, m.v3 = true, v3
	m.colsSum, m.wordsSum, m.digitsSum = partSum(out.cols), partSum(out.words), partSum(out.digits)
	if out.bloom != nil {
		out.bloom = binary.LittleEndian.AppendUint32(out.bloom, partSum(out.bloom))
	}
	return out
}

// payload compresses the lines' text in frames and returns the frames'
// offsets (and the end).
func (e *blockEncoder) payload(b *blockBuilder, out *builtBlock, fl int, v3 bool) []int {
	var offs []int
	for lo := 0; lo < len(b.events); lo += fl {
		f := e.frame[:0]
		for i := lo; i < min(lo+fl, len(b.events)); i++ {
			ev := &b.events[i]
			if v3 {
				start := len(f)
				f = e.appendTemplated(f, ev)
				// Spans of the stored bytes, which decodeFrame has
				// without the columns: equal bytes, wherever they are.
				stored := f[start+e.storedAt:]
				f = appendSpan(f, stored, ev.Message)
				f = appendSpan(f, stored, ev.Error)
				f = appendSpan(f, stored, ev.Stack)
				continue
			}
			f = appendString(f, ev.Message)
			f = appendString(f, ev.Error)
			f = appendString(f, ev.Stack)
			f = appendBytes(f, ev.Raw)
		}
		e.frame = f
		offs = append(offs, len(out.payload))
		out.payload = e.z.compress(out.payload, f)
	}
	return append(offs, len(out.payload))
}

// tmplCols are the keyword columns whose values a format 3 payload line
// leaves out of its raw line: nearly unique per line (ids, paths with
// ids), they are most of what zstd cannot compress in a line, and the
// columns hold them already.
var tmplCols = [...]int{kRequestID, kTraceID, kSpanID, kParentSpanID, kUser, kPath}

// minTmplLen is the shortest value worth a reference.
const minTmplLen = 6

// tmplRef is a keyword value left out of a raw line: column col's value
// of the line was at off (in the raw line).
type tmplRef struct{ col, off int }

// appendTemplated encodes ev's raw line in a format 3 payload frame: the
// values of tmplCols that occur in it verbatim are cut out and referenced
// by column (uvarint count; per reference, in order, uvarint column and
// uvarint number of stored bytes before it since the previous one), then
// the remaining bytes (uvarint length and bytes). decodeFrame puts the
// values back from the block's columns, so the line reads back exactly.
func (e *blockEncoder) appendTemplated(f []byte, ev *Event) []byte {
	raw := unsafe.String(unsafe.SliceData(ev.Raw), len(ev.Raw))
	start := len(f)
	refs := e.refs[:0]
	for _, col := range tmplCols {
		v := kwValue(ev, col)
		if len(v) < minTmplLen {
			continue
		}
		if i := strings.Index(raw, v); i >= 0 {
			refs = append(refs, tmplRef{col, i})
		}
	}
	slices.SortFunc(refs, func(a, b tmplRef) int { return a.off - b.off })
	// Keep references that do not overlap (request_id and trace_id may be
	// the same value).
	kept, end := refs[:0], 0
	for _, r := range refs {
		if r.off >= end {
			kept = append(kept, r)
			end = r.off + len(kwValue(ev, r.col))
		}
	}
	e.refs = kept
	f = binary.AppendUvarint(f, uint64(len(kept)))
	stored, pos := 0, 0 // stored bytes so far; position in raw
	for _, r := range kept {
		gap := r.off - pos
		f = binary.AppendUvarint(f, uint64(r.col))
		f = binary.AppendUvarint(f, uint64(gap))
		stored += gap
		pos = r.off + len(kwValue(ev, r.col))
	}
	f = binary.AppendUvarint(f, uint64(stored+len(raw)-pos))
	e.storedAt = len(f) - start
	pos = 0
	for _, r := range kept {
		f = append(f, raw[pos:r.off]...)
		pos = r.off + len(kwValue(ev, r.col))
	}
	return append(f, raw[pos:]...)
}

// appendSpan encodes s, a string field of a line, in a format 3 payload
// frame: uvarint len<<1|1 and the uvarint offset of s in raw (the line's
// stored bytes) when s occurs there, else uvarint len<<1 and s.
func appendSpan(f, raw []byte, s string) []byte {
	if s != "" {
		if i := strings.Index(unsafe.String(unsafe.SliceData(raw), len(raw)), s); i >= 0 {
			f = binary.AppendUvarint(f, uint64(len(s))<<1|1)
			return binary.AppendUvarint(f, uint64(i))
		}
	}
	f = binary.AppendUvarint(f, uint64(len(s))<<1)
	return append(f, s...)
}

// Time encodings of the format 3 core.
const (
	timeNanos  = iota // per line: varint second delta, uvarint nanoseconds
	timeMillis        // per line: varint delta of Unix milliseconds
)

// maxMillisSec bounds the seconds of times encoded as milliseconds, so
// that seconds*1000 cannot overflow.
const maxMillisSec = 1 << 50

// durScales are the scales of the format 3 duration encodings: mode k+1
// stores every duration d as the varint d*durScales[k], exact for each
// line; mode 0 stores the float64 bits.
var durScales = [...]float64{1, 1e3, 1e6}

// durMode returns the duration encoding of evs.
func durMode(evs []Event) int {
	for k, s := range durScales {
		ok := true
		for i := range evs {
			d := evs[i].DurationMS
			v := math.Round(d * s)
			if math.Abs(v) >= 1<<53 || float64(int64(v))/s != d || d == 0 && math.Signbit(d) {
				ok = false
				break
			}
		}
		if ok {
			return k + 1
		}
	}
	return 0
}

// cols encodes the columns: a core part, then one part per keyword column,
// each compressed on its own so that a query decompresses only the columns
// it uses. It adds the keyword values to doc. The payload is in frames of
// fl lines starting at frameOffs.
func (e *blockEncoder) cols(b *blockBuilder, fl int, frameOffs []int, out *builtBlock, doc *blockDoc, v3 bool) {
	evs := b.events
	c := e.buf[:0]
	version := uint64(2)
	if v3 {
		version = colsVersion
	}
	c = binary.AppendUvarint(c, version)
	c = binary.AppendUvarint(c, uint64(len(evs)))
	c = appendString(c, b.source)
	var prevSec, prevLine int64
	tmode := timeNanos
	if v3 {
		c = binary.AppendUvarint(c, uint64(fl))
		tmode = timeMillis
		for i := range evs {
			t := toTS(evs[i].Time)
			if t.nsec%1e6 != 0 || t.sec >= maxMillisSec || t.sec <= -maxMillisSec {
				tmode = timeNanos
				break
			}
		}
		c = append(c, byte(tmode))
	}
	for i := range evs {
		t := toTS(evs[i].Time)
		if tmode == timeMillis {
			ms := t.sec*1000 + int64(t.nsec/1e6)
			c = binary.AppendVarint(c, ms-prevSec)
			prevSec = ms
			continue
		}
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
	dmode := 0
	if v3 {
		dmode = durMode(evs)
		c = append(c, byte(dmode))
	}
	for i := range evs {
		if dmode > 0 {
			c = binary.AppendVarint(c, int64(math.Round(evs[i].DurationMS*durScales[dmode-1])))
			continue
		}
		c = binary.LittleEndian.AppendUint64(c, math.Float64bits(evs[i].DurationMS))
	}
	for i := range evs {
		c = append(c, eventFlags(&evs[i]))
	}
	if !v3 { // format 3 derives them from the payload (Index.lineSum)
		for i := range evs {
			c = binary.LittleEndian.AppendUint32(c, rawSum(evs[i].Raw))
		}
	}
	c = binary.AppendUvarint(c, uint64(len(frameOffs)))
	for _, o := range frameOffs {
		c = binary.AppendUvarint(c, uint64(o))
	}
	for k := 0; k+1 < len(frameOffs); k++ {
		c = binary.LittleEndian.AppendUint32(c, partSum(out.payload[frameOffs[k]:frameOffs[k+1]]))
	}
	var parts [1 + numKW][]byte
	parts[0] = e.z.compress(nil, c)
	for f := 0; f < numKW; f++ {
		clear(e.dict)
		k := &e.kw[f]
		k.dict = k.dict[:0]
		k.idx = slices.Grow(k.idx[:0], len(evs))[:len(evs)]
		prevV, prevX := "", 0
		for i := range evs {
			v := kwValue(&evs[i], f)
			if v == "" {
				k.idx[i] = 0
				continue
			}
			if v == prevV { // runs (service, host, level) skip the map
				k.idx[i] = uint16(prevX)
				continue
			}
			x, ok := e.dict[v]
			if !ok {
				k.dict = append(k.dict, v)
				x = len(k.dict)
				e.dict[v] = x
			}
			k.idx[i] = uint16(x)
			prevV, prevX = v, x
		}
		c = binary.AppendUvarint(c[:0], uint64(len(k.dict)))
		for _, v := range k.dict {
			if v3 {
				c = appendKWValue(c, v)
				continue
			}
			c = appendString(c, v)
		}
		for _, x := range k.idx {
			c = binary.AppendUvarint(c, uint64(x))
		}
		// zstd's fastest level, like the rest of the block: the default
		// level made the columns ~1% of the index smaller for ~7% of
		// the writer's CPU at 10M lines.
		parts[1+f] = e.z.compress(nil, c)
		if isIDField(f) && writeShortTerms {
			addShortTerms(doc, f, k.dict)
			continue
		}
		for _, v := range k.dict {
			t, long := kwTerm(f, v)
			doc.add(kwDocField[f], t)
			if long {
				doc.long = append(doc.long, kwNames[f])
			}
		}
	}
	e.buf = c
	out.cols = binary.AppendUvarint(nil, uint64(len(parts)))
	for _, p := range parts {
		out.cols = binary.AppendUvarint(out.cols, uint64(len(p)))
	}
	for _, p := range parts {
		out.cols = append(out.cols, p...)
	}
}

// Encodings of a keyword value in a format 3 column: ids are mostly
// lowercase hex (request, trace and span ids) or UUIDs, stored as the
// bytes they spell (half the size, which zstd's fastest level does not get
// from the text).
const (
	kvText = iota // uvarint len<<2, bytes
	kvHex         // uvarint len<<2|1 (hex digits, even), len/2 bytes
	kvUUID        // uvarint 36<<2|2, 16 bytes: 8-4-4-4-12 hex digits
)

// appendKWValue encodes v in a format 3 keyword column.
func appendKWValue(c []byte, v string) []byte {
	switch {
	case len(v) >= 2 && len(v)%2 == 0 && isLowerHex(v):
		c = binary.AppendUvarint(c, uint64(len(v))<<2|kvHex)
		c, _ = hex.AppendDecode(c, []byte(v)) // cannot fail: isLowerHex
		return c
	case isUUID(v):
		c = binary.AppendUvarint(c, uint64(len(v))<<2|kvUUID)
		for _, part := range [...]string{v[0:8], v[9:13], v[14:18], v[19:23], v[24:36]} {
			c, _ = hex.AppendDecode(c, []byte(part))
		}
		return c
	}
	c = binary.AppendUvarint(c, uint64(len(v))<<2) // kvText
	return append(c, v...)
}

func isLowerHex(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isUUID reports whether v is a UUID in lowercase hex.
func isUUID(v string) bool {
	if len(v) != 36 || v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-' {
		return false
	}
	return isLowerHex(v[0:8]) && isLowerHex(v[9:13]) && isLowerHex(v[14:18]) && isLowerHex(v[19:23]) && isLowerHex(v[24:36])
}

// scalarTerms adds the source, status, duration and is_error terms to doc.
func (e *blockEncoder) scalarTerms(b *blockBuilder, doc *blockDoc) {
	doc.add(dfSource, kwTermString(b.source))
	if len(b.source) > maxTermLen {
		doc.long = append(doc.long, docFieldNames[dfSource])
	}
	statuses, durations := map[string]bool{}, map[string]bool{}
	var errT, okT bool
	for i := range b.events {
		ev := &b.events[i]
		if ev.Status != 0 {
			if t := statusTerm(float64(ev.Status)); !statuses[t] {
				statuses[t] = true
				doc.add(dfStatus, t)
			}
		}
		if hasDuration(ev.DurationMS) {
			if t := durTerm(ev.DurationMS); !durations[t] {
				durations[t] = true
				doc.add(dfDuration, t)
			}
		}
		errT = errT || ev.IsError
		okT = okT || !ev.IsError
	}
	if errT {
		doc.add(dfIsError, "true")
	}
	if okT {
		doc.add(dfIsError, "false")
	}
}

// words builds the word index parts and the Bloom filter, and adds the
// words without digits to doc. In format 3 the digits part leaves out the
// words of the lines' keyword values (kwDigitWords); it uses the keyword
// columns cols left in e.kw.
func (e *blockEncoder) words(b *blockBuilder, out *builtBlock, doc *blockDoc, v3 bool) {
	x := &e.wx
	x.reset()
	e.wordLines = bitmap{}
	for i := range b.events {
		li := uint8(i)
		e.ls.each(&b.events[i], func(s []byte) {
			e.sp.Each(s, func(w []byte) {
				e.wordLines.set(i)
				x.add(w, li)
			})
		})
	}
	x.flatten()
	if v3 {
		e.dropKWWords()
	}
	plain, all := x.sorted()
	digits := e.digitPosts[:0]
	for _, p := range all {
		// A word every line of which also has it from a keyword value
		// (kw) is in the Bloom filter only.
		if !p.kw {
			digits = append(digits, p)
		}
	}
	e.digitPosts = digits
	for _, p := range plain {
		doc.add(dfWords, strings.Clone(p.word)) // the document outlives the arena
	}
	e.buf = appendWords(e.buf[:0], plain, v3)
	out.words = e.z.compress(nil, e.buf)
	if len(all) > 0 {
		out.meta.bloomBits = bloomBits(len(all))
		out.bloom = make(bloom, 1<<out.meta.bloomBits/8)
		for _, p := range all {
			bloom(out.bloom).add(wordHash(p.word))
		}
	}
	e.buf = appendWords(e.buf[:0], digits, v3)
	out.digits = e.z.compress(nil, e.buf)
}

// dropKWWords removes from the lines of words with digits the lines that
// have the word from one of their keyword values (the fingerprint
// excepted): the pairs kwDigitWords derives, computed here from the
// encoder's word table without building another.
func (e *blockEncoder) dropKWWords() {
	x := &e.wx
	e.kwLines = slices.Grow(e.kwLines[:0], len(x.ents))[:len(x.ents)]
	clear(e.kwLines)
	e.kwRefs = eachKWDigitWord(&e.sp, func(f int) *kwColumn { return &e.kw[f] }, e.kwRefs,
		// Always there: a line's keyword values are among its strings
		// (lineStrings).
		func(w []byte) (int32, bool) { p := x.lookup(w); return p, p >= 0 },
		func(p int32, line int) { e.kwLines[p].set(line) })
	for p := range x.ents {
		bm := &e.kwLines[p]
		if bm.empty() {
			continue
		}
		all := x.lines(int32(p))
		lines := all[:0]
		for _, l := range all {
			if !bm.has(int(l)) {
				lines = append(lines, l)
			}
		}
		x.ents[p].n = int32(len(lines))
		x.ents[p].kw = len(lines) == 0
	}
}

// kwDigitWords returns, for every word with digits of a block's keyword
// values (the fingerprint excepted), the lines that hold a value with
// it. Each such word is a word of its line (lineStrings gives a line's
// keyword values or the strings that contain them), so a format 3 block
// stores in its digits part only the (word, line) pairs not derived here,
// and a reader merges them back (withKWWords).
func kwDigitWords(sp *wordSplitter, col func(f int) *kwColumn) map[string]*bitmap {
	out := map[string]*bitmap{}
	eachKWDigitWord(sp, col, nil,
		func(w []byte) (*bitmap, bool) {
			bm := out[string(w)]
			if bm == nil {
				bm = new(bitmap)
				out[string(w)] = bm
			}
			return bm, true
		},
		func(bm *bitmap, line int) { bm.set(line) })
	return out
}

// eachKWDigitWord walks the words with digits of a block's keyword values
// (the fingerprint excepted): ref names each such word of each distinct
// value (ok false: skip it), and set is called with that name for every
// line holding the value. The writer (dropKWWords) and the reader
// (kwDigitWords) share it, so the two agree on the pairs a format 3 block
// leaves out. vw is scratch space, returned for reuse.
func eachKWDigitWord[R any](sp *wordSplitter, col func(f int) *kwColumn, vw [][]R, ref func(w []byte) (R, bool), set func(r R, line int)) [][]R {
	for f := 0; f < numKW; f++ {
		if f == kFingerprint {
			continue
		}
		k := col(f)
		if k == nil || len(k.dict) == 0 {
			continue
		}
		vw = slices.Grow(vw[:0], len(k.dict))[:len(k.dict)]
		for j, v := range k.dict {
			vw[j] = vw[j][:0]
			b := unsafe.Slice(unsafe.StringData(v), len(v)) // read only
			if !hasDigit(b) {
				continue
			}
			sp.Each(b, func(w []byte) {
				if !hasDigit(w) {
					return
				}
				if r, ok := ref(w); ok {
					vw[j] = append(vw[j], r)
				}
			})
		}
		for i, y := range k.idx {
			if y == 0 {
				continue
			}
			for _, r := range vw[y-1] {
				set(r, i)
			}
		}
	}
	return vw
}

// lineStrings iterates the strings of a line whose words are searchable:
// the string values of its JSON object (or the whole line for a text line)
// and those of its canonical string fields that are not already among them
// (a field may be derived rather than in the line, like a templated route).
// It reuses its buffers.
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

// each calls fn with every string of ev (see lineStrings).
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

// appendWords encodes a sorted word list with each word's lines
// (ascending); delta (format 3) stores each line as its difference from
// the previous one, which zstd compresses far better (a word in most
// lines is a run of small numbers): 40% less on the benchmark corpus.
func appendWords(w []byte, posts []wordPost, delta bool) []byte {
	w = binary.AppendUvarint(w, uint64(len(posts)))
	for i := range posts {
		w = appendString(w, posts[i].word)
		w = binary.AppendUvarint(w, uint64(len(posts[i].lines)))
		if !delta {
			w = append(w, posts[i].lines...)
			continue
		}
		prev := uint8(0)
		for _, l := range posts[i].lines {
			w = append(w, l-prev)
			prev = l
		}
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
