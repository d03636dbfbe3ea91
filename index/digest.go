package index

import (
	"encoding/binary"
	"fmt"
)

// A block's error digest is a summary written by the writer after the
// block's payload in blocks.pack: the block's error lines (flag error set)
// alone, as the indexes of those lines in the block followed by their
// columns in the cols encoding. A question about error events only (the
// error groups, a group's first occurrence, its facets and histogram) reads
// a block's digest, a few hundred bytes for its handful of error lines,
// instead of the columns of all its 256 lines, with the same evaluator, so
// the answer stays exact.
//
// Layout: digestVersion, uvarint count, count uvarint line indexes (in
// block order), the cols part of those lines when count > 0, and the
// CRC-32C of everything before it. Its extent is implied: from the end of
// the block's payload to the next block's offset. A block written before
// digests has none (the extent is empty) and is read whole, as before.
const digestVersion = 1

// writeDigests is cleared by tests to write blocks as before digests.
var writeDigests = true

// digest builds the error digest of block b, after its tally when tally
// is not nil (extentTally, tally.go).
func (e *blockEncoder) digest(b *blockBuilder, v3 bool, tally []byte) []byte {
	var rows []int
	for i := range b.events {
		if b.events[i].IsError {
			rows = append(rows, i)
		}
	}
	d := []byte{digestVersion}
	if tally != nil {
		d[0] = extentTally
		d = binary.AppendUvarint(d, uint64(len(tally)))
		d = append(d, tally...)
	}
	d = binary.AppendUvarint(d, uint64(len(rows)))
	for _, r := range rows {
		d = binary.AppendUvarint(d, uint64(r))
	}
	if len(rows) > 0 {
		sub := &blockBuilder{source: b.source, events: make([]Event, len(rows))}
		for k, r := range rows {
			sub.events[k] = b.events[r]
		}
		var out builtBlock
		var doc blockDoc
		// No payload: the frame offsets are all zero; lines are read from
		// the block itself.
		fl := frameLinesV2
		if v3 {
			fl = frameLines
		}
		e.cols(sub, fl, make([]int, (len(rows)+fl-1)/fl+1), &out, &doc, v3)
		d = append(d, out.cols...)
	}
	return binary.LittleEndian.AppendUint32(d, partSum(d))
}

// digest is a block's decoded error digest.
type digest struct {
	rows []uint8 // rows[k]: the block line of digest line k
	c    *cols   // the columns of those lines; nil when the block has no error line
}

// digestExtent returns where block num's digest lies in blocks.pack (n ==
// 0: none). blocks is a snapshot; the last block of it is given none,
// since the end of its digest is only known from the committed pack length,
// which may have moved on.
func digestExtent(blocks []blockMeta, num int) (off int64, n int) {
	if num+1 >= len(blocks) {
		return 0, 0
	}
	m := &blocks[num]
	off = m.off + int64(m.colsLen) + int64(m.wordsLen) + int64(m.digitsLen) + int64(m.payloadLen)
	end := blocks[num+1].off
	if end <= off || end-off > 1<<24 {
		return 0, 0
	}
	return off, int(end - off)
}

// loadDigest returns block num's error digest (cached); ok is false when
// the block has none (written before digests, or the snapshot's last).
func (ix *Index) loadDigest(num int, blocks []blockMeta) (d *digest, ok bool, err error) {
	return ix.loadDigestCached(num, blocks, true)
}

// loadDigestCached is loadDigest; a digest read when keep is false is not
// added to the cache (the writer's rollup pass, which reads each new
// digest once: a long ingest would otherwise fill the cache with them).
func (ix *Index) loadDigestCached(num int, blocks []blockMeta, keep bool) (d *digest, ok bool, err error) {
	off, n := digestExtent(blocks, num)
	if n == 0 {
		return nil, false, nil
	}
	key := cacheKey{kind: kindDigest, block: num}
	dc := ix.digests
	if dc == nil {
		dc = ix.cache
	}
	if v, ok := dc.get(key); ok {
		return v.(*digest), true, nil
	}
	what := fmt.Sprintf("block %d digest", num)
	raw, err := ix.readPart(ix.pack, packFile, what, off, n, false, 0)
	if err != nil {
		return nil, false, err
	}
	d, err = decodeDigest(ix.z, raw, blocks[num].n)
	if err != nil {
		return nil, false, ix.damaged(packFile, "%s: %w", what, err)
	}
	size := 64 + len(d.rows)
	if d.c != nil {
		size += d.c.memSize
	}
	if keep {
		dc.put(key, d, size)
	}
	return d, true, nil
}

// checkExtent checks the checksum of a block's digest extent and returns
// what it covers.
func checkExtent(raw []byte) ([]byte, error) {
	if len(raw) < 6 {
		return nil, errCorrupt
	}
	body := raw[:len(raw)-4]
	if partSum(body) != binary.LittleEndian.Uint32(raw[len(raw)-4:]) {
		return nil, fmt.Errorf("checksum mismatch")
	}
	return body, nil
}

// splitExtent returns the tally (nil in a version 1 extent) and the
// digest's lines of a checked extent body.
func splitExtent(body []byte) (tally, rest []byte, err error) {
	d := decoder{b: body}
	switch v := d.uvarint(); v {
	case digestVersion:
	case extentTally:
		tally = d.bytes(d.uvarint())
		if tally == nil {
			return nil, nil, errCorrupt
		}
	default:
		return nil, nil, fmt.Errorf("digest format %d: %w", v, errCorrupt)
	}
	if d.err != nil {
		return nil, nil, d.err
	}
	return tally, d.b, nil
}

// decodeDigest checks and decodes a digest extent of a block of n lines.
func decodeDigest(z *zstdCodec, raw []byte, n int) (*digest, error) {
	body, err := checkExtent(raw)
	if err != nil {
		return nil, err
	}
	_, rest, err := splitExtent(body)
	if err != nil {
		return nil, err
	}
	d := decoder{b: rest}
	k := d.uvarint()
	if k > uint64(n) {
		return nil, errCorrupt
	}
	dg := &digest{rows: make([]uint8, k)}
	prev := -1
	for i := range dg.rows {
		r := int(d.uvarint())
		if r <= prev || r >= n {
			return nil, errCorrupt
		}
		dg.rows[i], prev = uint8(r), r
	}
	if d.err != nil {
		return nil, d.err
	}
	if k == 0 {
		if len(d.b) != 0 {
			return nil, errCorrupt
		}
		return dg, nil
	}
	c, err := decodeCols(z, d.b)
	if err != nil {
		return nil, err
	}
	if c.n != int(k) {
		return nil, errCorrupt
	}
	dg.c = c
	return dg, nil
}

// verifyDigest checks block num's digest whole (doctor): its checksum, and
// that its columns decode.
func (ix *Index) verifyDigest(num int, m *blockMeta, end int64) error {
	off := m.off + int64(m.colsLen) + int64(m.wordsLen) + int64(m.digitsLen) + int64(m.payloadLen)
	if end <= off {
		return nil
	}
	what := fmt.Sprintf("block %d digest", num)
	if end-off > 1<<24 {
		return ix.damaged(packFile, "%s: %d bytes", what, end-off)
	}
	raw, err := ix.readPart(ix.pack, packFile, what, off, int(end-off), false, 0)
	if err != nil {
		return err
	}
	d, err := decodeDigest(ix.z, raw, m.n)
	if err == nil && d.c != nil {
		for f := range numKW {
			if _, err = d.c.kwc(f); err != nil {
				break
			}
		}
	}
	var t *tally
	if err == nil {
		body, _ := checkExtent(raw) // checked by decodeDigest
		if tb, _, _ := splitExtent(body); tb != nil {
			t, err = decodeTally(tb, m.n)
		}
	}
	if err != nil {
		return ix.damaged(packFile, "%s: %w", what, err)
	}
	if t != nil {
		return ix.checkTally(num, m, t)
	}
	return nil
}

// columnsOnly reports whether n can be evaluated on columns alone (no
// word index, no line text): then a digest can answer it.
func (n *qnode) columnsOnly() bool {
	return !n.anyLeaf(func(l *qleaf) bool { return l.spec.kind == fkText })
}
