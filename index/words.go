package index

import (
	"hash/maphash"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/culprit-dev/culprit/index/syntax"
)

// Words are defined by package syntax, so that a query means the same in
// every store: maximal runs of letters and digits, lowercased, cut to
// maxWordLen bytes.
const maxWordLen = syntax.MaxWordLen

type wordSplitter = syntax.WordSplitter

// truncateUTF8 cuts w to at most n bytes without splitting a UTF-8 sequence.
func truncateUTF8(w []byte, n int) []byte {
	if len(w) <= n {
		return w
	}
	for n > 0 && !utf8.RuneStart(w[n]) {
		n--
	}
	return w[:n]
}

// words returns the words of s in order, duplicates kept.
func words(s string) []string { return syntax.Words(s) }

// hasDigit reports whether w contains an ASCII digit. Words with digits (ids,
// numbers, hex) are nearly unique per line: they go to a block's Bloom filter
// instead of bleve's term dictionary.
func hasDigit(w []byte) bool {
	for _, c := range w {
		if '0' <= c && c <= '9' {
			return true
		}
	}
	return false
}

// eachJSONString is syntax.EachJSONString: the string values of a JSON
// line, whose words are searchable.
func eachJSONString(js []byte, scratch []byte, fn func(v []byte, off int)) []byte {
	return syntax.EachJSONString(js, scratch, fn)
}

// bloom is a Bloom filter over a block's words that contain digits, with k=3
// probes derived from one 64-bit hash. Its size is a power of two in bits.
type bloom []byte

const bloomK = 3

// bloomBits returns log2 of the filter size for n words: about 12 bits per
// word (~1% false positives), at least 512 bits.
func bloomBits(n int) uint8 {
	b := uint8(9)
	for (1<<b) < n*12 && b < 24 {
		b++
	}
	return b
}

func wordHash[T string | []byte](w T) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(w); i++ {
		h ^= uint64(w[i])
		h *= 1099511628211
	}
	return h
}

func (f bloom) add(h uint64) {
	m := uint64(len(f)*8 - 1)
	h1, h2 := h, h>>32|1
	for i := uint64(0); i < bloomK; i++ {
		b := (h1 + i*h2) & m
		f[b>>3] |= 1 << (b & 7)
	}
}

func (f bloom) has(h uint64) bool {
	if len(f) == 0 {
		return false
	}
	m := uint64(len(f)*8 - 1)
	h1, h2 := h, h>>32|1
	for i := uint64(0); i < bloomK; i++ {
		b := (h1 + i*h2) & m
		if f[b>>3]&(1<<(b&7)) == 0 {
			return false
		}
	}
	return true
}

// wordCollector collects the words of a block's lines and, for each word,
// the lines that hold it, for the block's word parts and Bloom filter. It
// is reused from block to block by one encoder and allocates little once
// warm: words live in an arena, the lines of all words in one slice, and
// words are found by their hash in an open-addressing table (cheaper than
// a map of strings on the ~40 words of a line: the encoder's hottest
// lookup).
type wordCollector struct {
	seed  maphash.Seed
	slots []int32 // open-addressing hash table of entry+1 (0: empty)
	ents  []wordEnt
	occ   []wordOcc // one per (word, line), in line order
	arena []byte
	flat  []uint8 // every entry's lines, entry after entry (flatten)
	keys  []wordKey
	posts []wordPost
}

type wordEnt struct {
	word  string // in arena: valid until the next reset
	hash  uint64
	n     int32 // lines
	off   int32 // of its lines in flat, once flattened
	last  uint8 // last line added
	digit bool
	kw    bool // every line has it from a keyword value (dropKWWords)
}

type wordOcc struct {
	ent  int32
	line uint8
}

// wordKey orders entries: pre holds a word's first 8 bytes, big-endian and
// zero-padded, so that most comparisons are one integer comparison. (Words
// have no NUL bytes, so the padding sorts a shorter word first, as
// strings.Compare does.)
type wordKey struct {
	pre uint64
	ent int32
}

func (x *wordCollector) reset() {
	if x.slots == nil {
		x.seed = maphash.MakeSeed()
		x.slots = make([]int32, 4096)
	}
	clear(x.slots)
	x.ents, x.occ, x.arena = x.ents[:0], x.occ[:0], x.arena[:0]
}

// add records that word w is on line li. Lines are added in increasing
// order.
func (x *wordCollector) add(w []byte, li uint8) {
	h := maphash.Bytes(x.seed, w)
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			k := int32(len(x.ents))
			x.slots[i] = k + 1
			x.ents = append(x.ents, wordEnt{word: x.intern(w), hash: h, n: 1, last: li, digit: hasDigit(w)})
			x.occ = append(x.occ, wordOcc{k, li})
			if 2*len(x.ents) > len(x.slots) {
				x.grow()
			}
			return
		}
		if e := &x.ents[s-1]; e.hash == h && e.word == string(w) {
			if e.last != li {
				e.last = li
				e.n++
				x.occ = append(x.occ, wordOcc{s - 1, li})
			}
			return
		}
	}
}

// lookup returns the entry of word w, or -1.
func (x *wordCollector) lookup(w []byte) int32 {
	h := maphash.Bytes(x.seed, w)
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return -1
		}
		if e := &x.ents[s-1]; e.hash == h && e.word == string(w) {
			return s - 1
		}
	}
}

// grow doubles the hash table.
func (x *wordCollector) grow() {
	x.slots = make([]int32, 2*len(x.slots))
	mask := uint64(len(x.slots) - 1)
	for k := range x.ents {
		i := x.ents[k].hash & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = int32(k) + 1
	}
}

// intern copies w to the arena. A full arena is replaced, not grown: the
// strings already handed out keep pointing into the old one.
func (x *wordCollector) intern(w []byte) string {
	if len(w) == 0 {
		return ""
	}
	if cap(x.arena)-len(x.arena) < len(w) {
		x.arena = make([]byte, 0, max(64<<10, 2*cap(x.arena), len(w)))
	}
	start := len(x.arena)
	x.arena = append(x.arena, w...)
	return unsafe.String(&x.arena[start], len(w))
}

// flatten lays every entry's lines out in flat, after the last add.
func (x *wordCollector) flatten() {
	x.flat = slices.Grow(x.flat[:0], len(x.occ))[:len(x.occ)]
	off := int32(0)
	for i := range x.ents {
		x.ents[i].off, off = off, off+x.ents[i].n
	}
	for _, o := range x.occ {
		e := &x.ents[o.ent]
		x.flat[e.off] = o.line
		e.off++
	}
	for i := range x.ents {
		x.ents[i].off -= x.ents[i].n
	}
}

// lines returns the lines of entry k, once flattened; the caller may
// keep a prefix of them by setting the entry's n.
func (x *wordCollector) lines(k int32) []uint8 {
	e := &x.ents[k]
	return x.flat[e.off : e.off+e.n : e.off+e.n]
}

// sorted returns the words without digits and those with digits, each
// sorted, with their lines, once flattened. The words are valid until the
// next reset; the result until the next call.
func (x *wordCollector) sorted() (plain, digits []wordPost) {
	x.keys = x.keys[:0]
	nPlain := 0
	for i := range x.ents {
		if !x.ents[i].digit {
			x.keys = append(x.keys, wordKey{prefix8(x.ents[i].word), int32(i)})
			nPlain++
		}
	}
	for i := range x.ents {
		if x.ents[i].digit {
			x.keys = append(x.keys, wordKey{prefix8(x.ents[i].word), int32(i)})
		}
	}
	cmp := func(a, b wordKey) int {
		if a.pre != b.pre {
			if a.pre < b.pre {
				return -1
			}
			return 1
		}
		return strings.Compare(x.ents[a.ent].word, x.ents[b.ent].word)
	}
	slices.SortFunc(x.keys[:nPlain], cmp)
	slices.SortFunc(x.keys[nPlain:], cmp)
	x.posts = slices.Grow(x.posts[:0], len(x.keys))[:len(x.keys)]
	for i, k := range x.keys {
		e := &x.ents[k.ent]
		x.posts[i] = wordPost{word: e.word, lines: x.lines(k.ent), kw: e.kw}
	}
	return x.posts[:nPlain], x.posts[nPlain:]
}

func prefix8(s string) uint64 {
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
}
