package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
)

// checkBolt reads the two meta pages of bleve's root.bolt and checks that
// the newest valid one describes a file that is all there. bbolt maps the
// file and follows page ids without bounds checks, so a cut file makes it
// touch memory past the end of the mapping: a fault that no recover()
// catches, which would kill the process instead of reporting damage.
func checkBolt(bpath string) error {
	f, err := os.Open(filepath.Join(bpath, "store", "root.bolt"))
	if errors.Is(err, os.ErrNotExist) {
		return nil // bleve reports a missing store itself
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	const (
		pageHeader = 16         // id, flags, count, overflow
		metaLen    = 64         // magic .. checksum
		magic      = 0xED0CDAED // bbolt's
		noFreelist = ^uint64(0)
	)
	type meta struct{ pageSize, root, freelist, pgid, txid uint64 }
	read := func(off int64) (meta, bool) {
		b := make([]byte, pageHeader+metaLen)
		if _, err := f.ReadAt(b, off); err != nil {
			return meta{}, false
		}
		m := b[pageHeader:]
		le := binary.LittleEndian
		if le.Uint32(m[0:]) != magic || le.Uint32(m[4:]) != 2 {
			return meta{}, false
		}
		h := fnv.New64a()
		h.Write(m[:56])
		if h.Sum64() != le.Uint64(m[56:]) {
			return meta{}, false
		}
		return meta{uint64(le.Uint32(m[8:])), le.Uint64(m[16:]), le.Uint64(m[32:]), le.Uint64(m[40:]), le.Uint64(m[48:])}, true
	}
	m0, ok0 := read(0)
	ps := int64(4096)
	if ok0 && m0.pageSize >= 512 && m0.pageSize <= 1<<20 {
		ps = int64(m0.pageSize)
	}
	m1, ok1 := read(ps)
	best, ok := m0, ok0
	if ok1 && (!ok0 || m1.txid > m0.txid) {
		best, ok = m1, true
	}
	if !ok {
		return fmt.Errorf("root.bolt: no valid meta page")
	}
	switch {
	case best.pageSize < 512 || best.pageSize > 1<<20:
		return fmt.Errorf("root.bolt: page size %d", best.pageSize)
	case uint64(st.Size()) < best.pgid*best.pageSize:
		return fmt.Errorf("root.bolt: %d bytes, shorter than its %d pages of %d", st.Size(), best.pgid, best.pageSize)
	case best.root >= best.pgid || best.freelist != noFreelist && best.freelist >= best.pgid:
		return fmt.Errorf("root.bolt: meta page points past its %d pages", best.pgid)
	}
	return nil
}
