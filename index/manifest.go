package index

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The manifest (manifest.json) is written atomically (write, sync, rename)
// after every commit, every change of the deploy history and when a writer
// closes. It records the commit number and state that the bleve index must
// hold, and every file of the index with its size and, for the files that
// never change once written, a checksum. Open checks it cheaply (see
// verify); Check (culprit doctor) checks everything.

const manifestName = "manifest.json"

const manifestFormat = 1

type manifest struct {
	Format int            `json:"format"`
	Commit uint64         `json:"commit"`
	Meta   meta           `json:"meta"`
	Files  []manifestFile `json:"files"`
	// Sum is the CRC-32C of the manifest's JSON encoding with Sum zero.
	Sum uint32 `json:"sum"`
}

// manifestFile is one file of the index.
type manifestFile struct {
	// Name is slash-separated, relative to the index directory.
	Name string `json:"name"`
	// Size is the file's size; for an append-only side file (Grows), the
	// committed length: the file may be longer (an uncommitted tail).
	Size  int64 `json:"size"`
	Grows bool  `json:"grows,omitempty"`
	// CRC is the checksum of the content: for bleve's zap segments the
	// CRC-32 (IEEE) stored in the segment's last 4 bytes, which covers the
	// rest of the file; for other files CRC-32C. Zero: not recorded
	// (root.bolt changes in place; blocks.* are checksummed per block).
	CRC uint32 `json:"crc,omitempty"`
	// Alt is another accepted checksum while deploys.json is replaced.
	Alt uint32 `json:"alt,omitempty"`
	// Stamp, for a zap segment, identifies the version of the file (inode,
	// change and modification times) that the writer verified in full or
	// wrote itself; a reader that finds the same stamp checks only the
	// segment's size and footer (see verifySegments).
	Stamp string `json:"stamp,omitempty"`
}

func (m *manifest) sum() uint32 {
	c := *m
	c.Sum = 0
	b, _ := json.Marshal(&c)
	return crc32.Checksum(b, castagnoli)
}

// metaSum is the checksum of the committed state (its JSON encoding with
// Sum zero), stored with it in bleve.
func (m meta) sum() uint32 {
	m.Sum = 0
	b, _ := json.Marshal(m)
	return crc32.Checksum(b, castagnoli)
}

// readManifest reads the manifest; nil if there is none.
func readManifest(dir string) (*manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	m := &manifest{}
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, &CorruptError{Dir: dir, File: manifestName, Err: err}
	}
	if m.Format != manifestFormat || m.Sum != m.sum() {
		return nil, &CorruptError{Dir: dir, File: manifestName, Err: errors.New("checksum mismatch")}
	}
	return m, nil
}

// file returns the entry of name, or nil.
func (m *manifest) file(name string) *manifestFile {
	for i := range m.Files {
		if m.Files[i].Name == name {
			return &m.Files[i]
		}
	}
	return nil
}

// segmentFiles returns the zap files of the bleve index's current
// snapshot, relative to the index directory.
func (ix *Index) segmentFiles() ([]string, error) {
	var out []string
	err := ix.withSegments(func(segs []string) error { out = segs; return nil })
	return out, err
}

// withSegments calls fn with the segment files of bleve's current snapshot
// while holding that snapshot open: a writer's background merger may
// replace segments at any time, and scorch deletes a merged-away file only
// once no open snapshot refers to it, so the files fn reads stay on disk.
func (ix *Index) withSegments(fn func(segs []string) error) error {
	adv, err := ix.bl.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return fn(nil)
	}
	var out []string
	for _, s := range snap.Segments() {
		if ps, ok := s.Segment().(segment.PersistedSegment); ok {
			out = append(out, path.Join(bleveDir, "store", filepath.Base(ps.Path())))
		}
	}
	slices.Sort(out)
	return fn(out)
}

// writeManifest records the committed state and the index's files. Called
// by a writer with ix.mu held or before the index is shared.
func (ix *Index) writeManifest() error {
	m := manifest{Format: manifestFormat, Commit: ix.meta.Commit, Meta: ix.meta}
	side := []struct {
		name  string
		size  int64
		grows bool
	}{{packFile, ix.meta.Pack, true}, {idxFile, int64(ix.meta.Blocks) * metaRecSize, true}, {bloomFile, ix.meta.Bloom, true}, {sourcesFile, ix.meta.SourcesLen, true}}
	for _, s := range side {
		m.Files = append(m.Files, manifestFile{Name: s.name, Size: s.size, Grows: s.grows})
	}
	if src := m.file(sourcesFile); src != nil {
		src.CRC = ix.meta.SourcesSum
	}
	if ix.deploysCRC != 0 {
		m.Files = append(m.Files, manifestFile{Name: deploysFile, Grows: true, CRC: ix.deploysCRC, Alt: ix.deploysAlt})
	}
	for _, r := range ix.rollups {
		m.Files = append(m.Files, manifestFile{Name: r.name, Size: r.size, CRC: r.crc})
	}
	name := path.Join(bleveDir, "index_meta.json")
	b, err := os.ReadFile(filepath.Join(ix.dir, filepath.FromSlash(name)))
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	m.Files = append(m.Files, manifestFile{Name: name, Size: int64(len(b)), CRC: crc32.Checksum(b, castagnoli)})
	bolt := path.Join(bleveDir, "store", "root.bolt")
	if st, err := os.Stat(filepath.Join(ix.dir, filepath.FromSlash(bolt))); err == nil {
		m.Files = append(m.Files, manifestFile{Name: bolt, Size: st.Size(), Grows: true})
	}
	segs, err := ix.segmentFiles()
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	old, _ := readManifest(ix.dir)
	// Every segment is stamped: this writer verified each one at Open and
	// wrote the others itself.
	for _, name := range segs {
		full := filepath.Join(ix.dir, filepath.FromSlash(name))
		st, err := os.Stat(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue // merged away since the snapshot was taken
		}
		if err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
		if old != nil {
			if f := old.file(name); f != nil && f.CRC != 0 && f.Size == st.Size() {
				e := *f // immutable: its footer read once
				e.Stamp = fileStamp(st)
				m.Files = append(m.Files, e)
				continue
			}
		}
		size, crc, err := zapFooter(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
		m.Files = append(m.Files, manifestFile{Name: name, Size: size, CRC: crc, Stamp: fileStamp(st)})
	}
	m.Sum = m.sum()
	raw, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := writeFileAtomic(ix.path(manifestName), raw); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// zapFooter returns a zap segment's size and the CRC-32 in its last 4
// bytes.
func zapFooter(name string) (int64, uint32, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	if st.Size() < 4 {
		return st.Size(), 0, nil
	}
	var b [4]byte
	if _, err := f.ReadAt(b[:], st.Size()-4); err != nil {
		return 0, 0, err
	}
	return st.Size(), binary.BigEndian.Uint32(b[:]), nil
}

// verifyZap checks a zap segment against the CRC-32 in its footer (which
// covers every byte before it), reading the whole file.
func verifyZap(name string, buf []byte) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() < 4 {
		return fmt.Errorf("%d bytes: too short for a segment", st.Size())
	}
	h := crc32.NewIEEE()
	if _, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, st.Size()-4), buf); err != nil {
		return err
	}
	var b [4]byte
	if _, err := f.ReadAt(b[:], st.Size()-4); err != nil {
		return err
	}
	if h.Sum32() != binary.BigEndian.Uint32(b[:]) {
		return errors.New("checksum mismatch")
	}
	return nil
}

// checkFile compares a file of the index with its manifest entry: it must
// exist with the recorded size (at least, for an append-only file) and,
// when full is set and a checksum is recorded, the same content. It returns
// a description of the problem, or "".
func checkFile(dir string, f manifestFile, full bool) string {
	name := filepath.Join(dir, filepath.FromSlash(f.Name))
	st, err := os.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "missing"
	case err != nil:
		return err.Error()
	case f.Grows && st.Size() < f.Size:
		return fmt.Sprintf("%d bytes, shorter than the %d committed", st.Size(), f.Size)
	case !f.Grows && st.Size() != f.Size:
		return fmt.Sprintf("%d bytes, want %d", st.Size(), f.Size)
	}
	if !full || f.CRC == 0 {
		return ""
	}
	if strings.HasSuffix(f.Name, ".zap") {
		if _, crc, err := zapFooter(name); err != nil {
			return err.Error()
		} else if crc != f.CRC {
			return "not the segment that was written (footer checksum differs)"
		}
		if err := verifyZap(name, nil); err != nil {
			return err.Error()
		}
		return ""
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return err.Error()
	}
	if f.Grows && f.Size > 0 {
		b = b[:f.Size] // the committed prefix
	}
	if c := crc32.Checksum(b, castagnoli); c != f.CRC && (f.Alt == 0 || c != f.Alt) {
		return "checksum mismatch"
	}
	return ""
}

// jsonWithSum appends to the JSON encoding of v a newline and its CRC-32C
// in hex, so that a damaged value stored in bleve (a checkpoint) is
// detected.
func jsonWithSum(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(b, "\n%08x", crc32.Checksum(b, castagnoli)), nil
}

// splitSum checks and strips the checksum jsonWithSum adds; a value without
// one (written before checksums) is returned as is.
func splitSum(raw []byte) ([]byte, error) {
	i := bytes.LastIndexByte(raw, '\n')
	if i < 0 {
		return raw, nil
	}
	var sum uint32
	if _, err := fmt.Sscanf(string(raw[i+1:]), "%08x", &sum); err != nil || len(raw)-i-1 != 8 {
		return nil, errors.New("bad checksum")
	}
	if crc32.Checksum(raw[:i], castagnoli) != sum {
		return nil, errors.New("checksum mismatch")
	}
	return raw[:i], nil
}
