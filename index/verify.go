package index

import (
	"encoding/binary"
	"fmt"
)

// verifyBlock checks every stored byte of block num: the checksums of its
// parts (or, for a block written before checksums, that every part
// decodes) and that its lines decode. It does not use the cache; scratch,
// if not nil, is reused for reading.
func (ix *Index) verifyBlock(num int, m *blockMeta, scratch *[]byte) error {
	what := fmt.Sprintf("block %d", num)
	total := int(m.colsLen) + int(m.wordsLen) + int(m.digitsLen) + int(m.payloadLen)
	var buf []byte
	if scratch != nil {
		buf = *scratch
	}
	raw, err := ix.readPartInto(buf, ix.pack, packFile, what, m.off, total, false, 0)
	if scratch != nil && raw != nil {
		*scratch = raw
	}
	if err != nil {
		return err
	}
	colsB := raw[:m.colsLen]
	words := raw[m.colsLen : m.colsLen+m.wordsLen]
	digits := raw[m.colsLen+m.wordsLen : m.colsLen+m.wordsLen+m.digitsLen]
	payload := raw[m.colsLen+m.wordsLen+m.digitsLen:]
	if m.sums {
		for _, p := range []struct {
			name string
			b    []byte
			sum  uint32
		}{{"cols", colsB, m.colsSum}, {"words", words, m.wordsSum}, {"digits", digits, m.digitsSum}} {
			if partSum(p.b) != p.sum {
				return ix.damaged(packFile, "%s %s: checksum mismatch", what, p.name)
			}
		}
	}
	c, err := decodeCols(ix.z, colsB)
	if err != nil {
		return ix.damaged(packFile, "%s: %w", what, err)
	}
	if c.n != m.n {
		return ix.damaged(packFile, "%s: %d lines, %s says %d", what, c.n, idxFile, m.n)
	}
	if !m.sums {
		for f := range numKW {
			if _, err := c.kwc(f); err != nil {
				return ix.damaged(packFile, "%s column %s: %w", what, kwNames[f], err)
			}
		}
		for _, b := range [][]byte{words, digits} {
			d, err := ix.z.decompress(b)
			if err == nil {
				_, err = decodeWords(d, false) // only blocks before checksums: format 1
			}
			if err != nil {
				return ix.damaged(packFile, "%s words: %w", what, err)
			}
		}
	}
	for k := 0; k+1 < len(c.frames); k++ {
		lo, hi := c.frames[k], c.frames[k+1]
		if lo > hi || hi > len(payload) {
			return ix.damaged(packFile, "%s frame %d: bad offsets", what, k)
		}
		if c.frameSums != nil {
			if partSum(payload[lo:hi]) != c.frameSums[k] {
				return ix.damaged(packFile, "%s frame %d: checksum mismatch", what, k)
			}
			continue
		}
		d, err := ix.z.decompress(payload[lo:hi])
		if err == nil {
			_, err = decodeFrame(d, false, frameLinesV2) // only blocks before checksums: format 1
		}
		if err != nil {
			return ix.damaged(packFile, "%s frame %d: %w", what, k, err)
		}
	}
	if m.bloomBits > 0 {
		b, err := ix.readPart(ix.bloomF, bloomFile, what, m.bloomOff, m.bloomStored(), false, 0)
		if err != nil {
			return err
		}
		if n := m.bloomLen(); m.sums && partSum(b[:n]) != binary.LittleEndian.Uint32(b[n:]) {
			return ix.damaged(bloomFile, "%s: checksum mismatch", what)
		}
	}
	return nil
}

// verifyBlocks checks every committed block with checksums (blocks written
// before checksums are checked by Check only: they must be decoded in
// full), calling fn with each problem; fn returning false stops it.
func (ix *Index) verifyBlocks(fn func(error) bool) {
	var scratch []byte
	for i := range ix.blocks {
		if !ix.blocks[i].sums {
			continue
		}
		if err := ix.verifyBlock(i, &ix.blocks[i], &scratch); err != nil && !fn(err) {
			return
		}
	}
}
