package index

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
	"github.com/klauspost/compress/zstd"
)

// bleve indexes one document per block, not per line: per-line documents
// cost bleve a posting per field per line, and the words of every string
// value of every line (ids, hex, numbers: nearly unique per line) made the
// term dictionary and its merges the bottleneck (measured on this machine:
// ~7k lines/s with per-line words, ~22k without words at all). A block
// document holds, per field, the distinct terms of the block's lines: a
// search finds the candidate blocks, then every line of each candidate is
// checked exactly against the query (eval.go), so results, counts and facets
// are exact.
//
// Document fields, all keyword-analysed (each term is one token), indexed
// without stored values, term vectors, doc values or norms:
//
//	level service host version method route user error_type
//	fingerprint source
//	           the distinct values (level and method
//	           lowercased; values cut to maxTermLen)
//	status     "%06d" of status+1, clamped to [0, 100000]: a range is a
//	           term range
//	duration   "%02d" of floor(log2(ms+1))+1: a range is a term range
//	           over buckets
//	is_error   "true" and/or "false"
//	words      the block's words without digits; words with digits go to
//	           the block's Bloom filter (blocks.bloom)
//	long       names of the keyword fields with a value longer than
//	           maxTermLen (wildcards on those fields cannot prune)
//	n          the block number, fixed width (also the document id)
//	path.short request_id.short trace_id.short span_id.short
//	parent_span_id.short
//	           the short terms of those fields' values (idterms.go);
//	           blocks written before have the values themselves under
//	           the field's own name instead
const (
	dfSource = numKW + iota
	dfStatus
	dfDuration
	dfIsError
	dfWords
	dfLong
	dfNum
	dfShort      // the short terms of the id fields (idterms.go), one field each
	numDocFields = dfShort + numIDFields
)

// idFields are the keyword columns indexed by short terms (idterms.go),
// in the order of their document fields.
var idFields = [...]int{kPath, kRequestID, kTraceID, kSpanID, kParentSpanID}

const numIDFields = len(idFields)

// shortDocField returns the document field of id field f's short terms.
func shortDocField(f int) int {
	return dfShort + slices.Index(idFields[:], f)
}

var docFieldNames = func() [numDocFields]string {
	var n [numDocFields]string
	copy(n[:], kwNames[:])
	n[dfSource] = "source"
	n[dfStatus] = "status"
	n[dfDuration] = "duration"
	n[dfIsError] = "is_error"
	n[dfWords] = "words"
	n[dfLong] = "long"
	n[dfNum] = "n"
	for _, f := range idFields {
		n[shortDocField(f)] = shortField(f)
	}
	return n
}()

// kwDocField maps a keyword column to its document field.
var kwDocField = func() [numKW]int {
	var m [numKW]int
	for i := range m {
		m[i] = i
	}
	return m
}()

// maxTermLen caps keyword terms in bleve; longer values are cut (queries cut
// the same way) and flagged in the "long" field.
const maxTermLen = 256

// kwTerm returns the bleve term for value v of keyword field f, and whether
// v was cut.
func kwTerm(f int, v string) (string, bool) {
	if foldKW(f) {
		v = strings.ToLower(v)
	}
	t := kwTermString(v)
	return t, len(t) < len(v)
}

func kwTermString(v string) string {
	if len(v) <= maxTermLen {
		return v
	}
	return string(truncateUTF8([]byte(v), maxTermLen))
}

// statusTerm is the term of a status: monotonic in s.
func statusTerm(s float64) string {
	switch {
	case math.IsNaN(s) || s < -1:
		s = -1
	case s > 99999:
		s = 99999
	}
	return fmt.Sprintf("%06d", int64(s)+1)
}

// durTerm is the term of a duration in ms: monotonic in ms.
func durTerm(ms float64) string {
	if math.IsNaN(ms) || ms < 0 {
		return "00"
	}
	b := math.Floor(math.Log2(ms+1)) + 1
	if b > 98 {
		b = 98
	}
	return fmt.Sprintf("%02d", int(b))
}

// blockID is the bleve document id of block n (also its "n" term); fixed
// width so that ids sort by number.
func blockID(n int) string { return fmt.Sprintf("%010d", n) }

func parseBlockID(id string) (int, bool) {
	n, err := strconv.Atoi(id)
	return n, err == nil && n >= 0
}

// indexMapping is the static, explicit mapping of block documents. Documents
// are built directly (bleveDoc), so the mapping documents the fields and
// tells bleve not to index anything else.
func indexMapping() *mapping.IndexMappingImpl {
	doc := mapping.NewDocumentStaticMapping()
	for _, name := range docFieldNames {
		fm := mapping.NewKeywordFieldMapping()
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = false
		fm.SkipFreqNorm = true
		doc.AddFieldMappingsAt(name, fm)
	}
	im := mapping.NewIndexMapping()
	im.DefaultMapping = doc
	im.DefaultAnalyzer = keyword.Name
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	return im
}

const docFieldOptions = bindex.IndexField | bindex.SkipFreqNorm

// bleveDoc builds the bleve document of a block.
func bleveDoc(num int, d *blockDoc) *document.Document {
	id := blockID(num)
	doc := document.NewDocument(id)
	d.terms[dfNum] = []string{id}
	d.terms[dfLong] = d.long
	for f, terms := range d.terms {
		if len(terms) == 0 {
			continue
		}
		name := docFieldNames[f]
		var joined []byte
		for _, t := range terms {
			if strings.IndexByte(t, 0) >= 0 {
				// Cannot be joined: its own single-token field.
				doc.AddField(document.NewTextFieldCustom(name, nil, []byte(t), docFieldOptions, nil))
				continue
			}
			if len(joined) > 0 {
				joined = append(joined, 0)
			}
			joined = append(joined, t...)
		}
		if len(joined) > 0 {
			doc.AddField(document.NewTextFieldCustom(name, nil, joined, docFieldOptions, nulSplitter{}))
		}
	}
	return doc
}

// nulSplitter is the analyzer of block document fields: their value is the
// field's terms joined by NUL bytes.
type nulSplitter struct{}

// Analyze implements analysis.Analyzer.
func (nulSplitter) Analyze(in []byte) analysis.TokenStream {
	n := 1
	for _, c := range in {
		if c == 0 {
			n++
		}
	}
	toks := make([]analysis.Token, 0, n)
	start := 0
	for i := 0; i <= len(in); i++ {
		if i == len(in) || in[i] == 0 {
			if i > start {
				toks = append(toks, analysis.Token{Term: in[start:i:i], Start: start, End: i, Position: len(toks) + 1, Type: analysis.AlphaNumeric})
			}
			start = i + 1
		}
	}
	ts := make(analysis.TokenStream, len(toks))
	for i := range toks {
		ts[i] = &toks[i]
	}
	return ts
}

// zstdCodec compresses side blocks. Its encoder and decoder are safe for
// concurrent use.
type zstdCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

var (
	codecOnce sync.Once
	codec     *zstdCodec
	codecErr  error
)

func getCodec() (*zstdCodec, error) {
	codecOnce.Do(func() {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2), zstd.WithEncoderCRC(true))
		if err != nil {
			codecErr = err
			return
		}
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(2), zstd.WithDecoderMaxMemory(1<<30))
		if err != nil {
			codecErr = err
			return
		}
		codec = &zstdCodec{enc: enc, dec: dec}
	})
	return codec, codecErr
}

func (z *zstdCodec) compress(dst, src []byte) []byte { return z.enc.EncodeAll(src, dst) }

func (z *zstdCodec) decompress(src []byte) ([]byte, error) { return z.dec.DecodeAll(src, nil) }
