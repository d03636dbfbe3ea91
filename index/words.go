package index

import (
	"unicode/utf8"

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

func wordHash(w []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range w {
		h ^= uint64(c)
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
