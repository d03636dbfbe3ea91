package index

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// builderOf fills a block builder with evs.
func builderOf(evs []Event) *blockBuilder {
	b := newBuilder(evs[0].Source)
	for i := range evs {
		b.add(&evs[i])
	}
	return b
}

// refWords is the word index of a block built the plain way (a map of
// words to their lines, sorted at the end; in format 3 without the lines
// that kwDigitWords derives from the keyword columns kw): what
// blockEncoder.words must produce byte for byte, however it gets there.
func refWords(b *blockBuilder, kw *[numKW]kwColumn, v3 bool) (plain, digits []byte, bloomF []byte, docWords []string) {
	lines := map[string][]uint8{}
	var ls lineStrings
	var sp wordSplitter
	for i := range b.events {
		ls.each(&b.events[i], func(s []byte) {
			sp.Each(s, func(w []byte) {
				l := lines[string(w)]
				if len(l) == 0 || l[len(l)-1] != uint8(i) {
					lines[string(w)] = append(l, uint8(i))
				}
			})
		})
	}
	derived := map[string]*bitmap{}
	if v3 {
		derived = kwDigitWords(&sp, func(f int) *kwColumn { return &kw[f] })
	}
	var ps, ds []wordPost
	var bloomWords []string
	for w, l := range lines {
		if !strings.ContainsAny(w, "0123456789") {
			ps = append(ps, wordPost{word: w, lines: l})
			continue
		}
		bloomWords = append(bloomWords, w)
		if bm := derived[w]; bm != nil {
			var kept []uint8
			for _, x := range l {
				if !bm.has(int(x)) {
					kept = append(kept, x)
				}
			}
			if len(kept) == 0 {
				continue
			}
			l = kept
		}
		ds = append(ds, wordPost{word: w, lines: l})
	}
	cmp := func(a, b wordPost) int { return strings.Compare(a.word, b.word) }
	slices.SortFunc(ps, cmp)
	slices.SortFunc(ds, cmp)
	for _, p := range ps {
		docWords = append(docWords, p.word)
	}
	if len(bloomWords) > 0 {
		bloomF = make(bloom, 1<<bloomBits(len(bloomWords))/8)
		for _, w := range bloomWords {
			bloom(bloomF).add(wordHash(w))
		}
	}
	return appendWords(nil, ps, v3), appendWords(nil, ds, v3), bloomF, docWords
}

// TestWordsMatchReference checks the encoder's word parts, Bloom filter and
// document words against refWords on blocks of a synthetic corpus, in
// both formats, with the encoder reused across blocks as the writer does.
func TestWordsMatchReference(t *testing.T) {
	z, err := getCodec()
	if err != nil {
		t.Fatal(err)
	}
	evs := formatCorpus(4*blockMaxLines + 37)
	// Words with non-ASCII letters, upper case, escapes and long runs.
	evs[5].Raw = []byte(`{"msg":"Ünïcödé ŞTRAßE \u00e9t\u00c9 x` + strings.Repeat("Ab1", 200) + `","k":"\"q\" \\ end"}`)
	evs[6].Raw = []byte("plain TEXT line 42 with ÄÖÜ")
	evs[6].Text = true
	// Enough distinct words to grow the encoder's hash table.
	var many []byte
	for i := range 5000 {
		many = append(many, 'w')
		for n := i; n > 0; n /= 26 {
			many = append(many, byte('a'+n%26))
		}
		many = append(many, ' ', 'x')
		many = strconv.AppendInt(many, int64(i), 10)
		many = append(many, ' ')
	}
	evs[7].Raw, evs[7].Text = many, true
	for _, v3 := range []bool{false, true} {
		enc := newBlockEncoder(z)
		for lo := 0; lo < len(evs); lo += blockMaxLines {
			hi := min(lo+blockMaxLines, len(evs))
			for hi > lo+1 && evs[hi-1].Source != evs[lo].Source {
				hi--
			}
			b := builderOf(evs[lo:hi])
			var doc blockDoc
			out := &builtBlock{}
			offs := enc.payload(b, out, frameLines, v3)
			enc.cols(b, frameLines, offs, out, &doc, v3)
			enc.words(b, out, &doc, v3)
			plain, digits, bl, dw := refWords(b, &enc.kw, v3)
			gotPlain, err := z.decompress(out.words)
			if err != nil {
				t.Fatal(err)
			}
			gotDigits, err := z.decompress(out.digits)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotPlain, plain) || !bytes.Equal(gotDigits, digits) {
				t.Fatalf("v3 %v, block at %d: word parts differ from the reference", v3, lo)
			}
			if !bytes.Equal(out.bloom, bl) || len(bl) != out.meta.bloomLen() {
				t.Fatalf("v3 %v, block at %d: Bloom filter differs from the reference", v3, lo)
			}
			if !slices.Equal(doc.terms[dfWords], dw) {
				t.Fatalf("v3 %v, block at %d: document words differ: %d vs %d", v3, lo, len(doc.terms[dfWords]), len(dw))
			}
			b.release()
		}
	}
}

// BenchmarkBlockBuild encodes blocks of a synthetic corpus as one encoder
// worker does (columns, words, Bloom filter, payload, digest, bleve
// document), without the writer's I/O.
func BenchmarkBlockBuild(b *testing.B) {
	z, err := getCodec()
	if err != nil {
		b.Fatal(err)
	}
	evs, size := synthCorpus(64*blockMaxLines, 1)
	enc := newBlockEncoder(z)
	b.SetBytes(size)
	b.ReportAllocs()
	lines := 0
	cpu0 := cpuTime()
	for b.Loop() {
		for lo := 0; lo < len(evs); lo += blockMaxLines {
			bb := builderOf(evs[lo : lo+blockMaxLines])
			enc.build(bb, lo/blockMaxLines, 0)
			bb.release()
		}
		lines += len(evs)
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(lines), "cpu-ns/line")
}
