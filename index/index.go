package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/culprit-dev/culprit/index/model"
)

// Options control how an index is opened.
type Options struct {
	// ReadOnly opens the index for queries only: several readers may share
	// it. Otherwise the caller takes the index exclusively (to ingest) and
	// it is created if missing.
	ReadOnly bool
}

var (
	// ErrLocked is returned (wrapped) by Open when another process holds
	// the index: a writer excludes everyone, readers exclude writers.
	ErrLocked = errors.New("index is in use by another process")
	// ErrNotExist is returned (wrapped) by a read-only Open of a directory
	// that holds no index.
	ErrNotExist = errors.New("no index here")
	// ErrInvalidQuery is wrapped by the errors of queries that do not parse
	// or use unknown fields (model.ErrInvalidQuery).
	ErrInvalidQuery = model.ErrInvalidQuery
)

// lockTimeout bounds how long Open waits for the lock.
var lockTimeout = time.Second

// File names inside the index directory.
const (
	lockFile    = "lock"
	bleveDir    = "bleve"
	packFile    = "blocks.pack"
	idxFile     = "blocks.idx"
	bloomFile   = "blocks.bloom"
	sourcesFile = "sources"
	deploysFile = "deploys.json"
)

// metaKey is the bleve internal key of the committed state, written in the
// same batch as the block documents and checkpoints it covers.
var metaKey = []byte("culprit:meta")

const checkpointPrefix = "culprit:cp:"

const formatVersion = 2

// meta is the committed state: how much of each side file is valid.
type meta struct {
	Format     int   `json:"format"`
	Blocks     int   `json:"blocks"`
	Lines      int64 `json:"lines"`
	Pack       int64 `json:"pack"`
	Bloom      int64 `json:"bloom"`
	Sources    int   `json:"sources"`
	SourcesLen int64 `json:"sources_len"`
}

// Index is a culprit index: a bleve index of blocks of log lines, the
// blocks themselves (compressed, with every line verbatim), per-source
// checkpoints and the deploy history, in one directory. Its methods are
// safe for concurrent use.
type Index struct {
	dir  string
	ro   bool
	lock *os.File
	bl   bleve.Index
	z    *zstdCodec

	pack, idx, bloomF, srcF *os.File

	asyncErr <-chan error // bleve's background errors (writers)
	unwatch  func()

	mu      sync.RWMutex
	meta    meta
	blocks  []blockMeta // committed
	sources []string    // by id
	srcIDs  map[string]uint32
	deploys []Deploy
	writer  *Writer
	closed  bool

	cache *cache
}

// Open opens the index in dir. Unless o.ReadOnly, it takes the index
// exclusively and creates it (directory 0700, files 0600) if dir does not
// exist or is empty; a read-only Open of a missing index returns an error
// wrapping ErrNotExist. Open waits about a second for another process's
// lock, then returns an error wrapping ErrLocked.
func Open(dir string, o Options) (*Index, error) {
	z, err := getCodec()
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	ix := &Index{dir: dir, ro: o.ReadOnly, z: z, srcIDs: map[string]uint32{}, cache: newCache(cacheBytes)}
	if err := ix.open(); err != nil {
		ix.closeFiles()
		return nil, err
	}
	return ix, nil
}

func (ix *Index) path(name string) string { return filepath.Join(ix.dir, name) }

func (ix *Index) open() error {
	fresh := false
	if ix.ro {
		if _, err := os.Stat(ix.path(bleveDir)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("open index %s: %w", ix.dir, ErrNotExist)
			}
			return fmt.Errorf("open index: %w", err)
		}
	} else {
		if err := ix.prepareDir(); err != nil {
			return err
		}
	}
	if err := ix.acquire(); err != nil {
		return err
	}
	bpath := ix.path(bleveDir)
	if _, err := os.Stat(bpath); errors.Is(err, fs.ErrNotExist) {
		if ix.ro {
			return fmt.Errorf("open index %s: %w", ix.dir, ErrNotExist)
		}
		fresh = true
	}
	if fresh {
		if err := createBleve(bpath); err != nil {
			return fmt.Errorf("create index %s: %w", ix.dir, err)
		}
	}
	if !ix.ro {
		ix.asyncErr, ix.unwatch = watchAsyncErrors(bpath)
	}
	bl, err := bleve.OpenUsing(bpath, bleveConfig(ix.ro))
	if err != nil {
		return fmt.Errorf("open index %s: %w", ix.dir, err)
	}
	ix.bl = bl
	raw, err := ix.bl.GetInternal(metaKey)
	if err != nil {
		return fmt.Errorf("open index %s: read state: %w", ix.dir, err)
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &ix.meta); err != nil {
			return fmt.Errorf("open index %s: state: %w", ix.dir, err)
		}
		if ix.meta.Format != formatVersion {
			return fmt.Errorf("open index %s: format %d, want %d (re-create the index)", ix.dir, ix.meta.Format, formatVersion)
		}
	}
	ix.meta.Format = formatVersion
	if err := ix.openFiles(); err != nil {
		return err
	}
	if err := ix.loadManifest(); err != nil {
		return err
	}
	if err := ix.loadSources(); err != nil {
		return err
	}
	return ix.loadDeploys()
}

// createBleve creates the bleve index at path atomically: it is built in a
// temporary directory (removed first if a crash left one) and renamed.
func createBleve(path string) error {
	tmp := path + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	// Safe batches here: the mapping must be on disk before Close.
	bl, err := bleve.NewUsing(tmp, indexMapping(), "scorch", "scorch", nil)
	if err != nil {
		return err
	}
	if err := bl.Close(); err != nil {
		return err
	}
	// bleve writes its meta file 0666 (less the umask), and does not sync
	// it.
	meta, err := os.OpenFile(filepath.Join(tmp, "index_meta.json"), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = meta.Chmod(0o600)
	if err == nil {
		err = meta.Sync()
	}
	if cerr := meta.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(path)
}

// prepareDir creates dir 0700 if missing, and refuses a non-empty directory
// that is not an index.
func (ix *Index) prepareDir() error {
	ents, err := os.ReadDir(ix.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(ix.dir, 0o700); err != nil {
			return fmt.Errorf("create index: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("open index: %w", err)
	}
	known := map[string]bool{lockFile: true, bleveDir: true, bleveDir + ".tmp": true, packFile: true, idxFile: true, bloomFile: true, sourcesFile: true, deploysFile: true}
	for _, e := range ents {
		if !known[e.Name()] && e.Name() != deploysFile+".tmp" {
			return fmt.Errorf("open index %s: directory is not empty and not a culprit index (found %s)", ix.dir, e.Name())
		}
	}
	if len(ents) == 0 {
		// An empty directory becomes an index: keep it private.
		if err := os.Chmod(ix.dir, 0o700); err != nil {
			return fmt.Errorf("create index: %w", err)
		}
	}
	return nil
}

// bleveConfig is the scorch configuration: read-only for readers; for the
// writer, fewer and larger merges (block documents are few and big).
func bleveConfig(ro bool) map[string]interface{} {
	if ro {
		return map[string]interface{}{"read_only": true}
	}
	return map[string]interface{}{
		"unsafe_batch":           true, // see persist.go
		"asyncErrorCallbackName": asyncErrorCallback,
		"scorchMergePlanOptions": map[string]interface{}{
			"MaxSegmentsPerTier":   10,
			"SegmentsPerMergeTask": 10,
			"FloorSegmentSize":     int64(50),
		},
	}
}

func (ix *Index) openFiles() error {
	open := func(name string) (*os.File, error) {
		if ix.ro {
			f, err := os.Open(ix.path(name))
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil // an index with nothing committed yet
			}
			return f, err
		}
		return os.OpenFile(ix.path(name), os.O_RDWR|os.O_CREATE, 0o600)
	}
	var err error
	for _, p := range []struct {
		f    **os.File
		name string
	}{{&ix.pack, packFile}, {&ix.idx, idxFile}, {&ix.bloomF, bloomFile}, {&ix.srcF, sourcesFile}} {
		if *p.f, err = open(p.name); err != nil {
			return fmt.Errorf("open index: %w", err)
		}
	}
	return nil
}

// loadManifest reads the committed block records.
func (ix *Index) loadManifest() error {
	n := ix.meta.Blocks
	if n == 0 {
		return nil
	}
	buf := make([]byte, n*metaRecSize)
	if ix.idx == nil {
		return fmt.Errorf("open index %s: %s missing", ix.dir, idxFile)
	}
	if _, err := ix.idx.ReadAt(buf, 0); err != nil {
		return fmt.Errorf("open index: read %s: %w", ix.path(idxFile), err)
	}
	ix.blocks = make([]blockMeta, n)
	for i := range ix.blocks {
		if err := ix.blocks[i].unmarshal(buf[i*metaRecSize:]); err != nil {
			return fmt.Errorf("open index: %s: block %d: %w", ix.path(idxFile), i, err)
		}
	}
	return nil
}

// loadSources reads the committed source names.
func (ix *Index) loadSources() error {
	if ix.meta.Sources == 0 {
		return nil
	}
	if ix.srcF == nil {
		return fmt.Errorf("open index %s: %s missing", ix.dir, sourcesFile)
	}
	buf := make([]byte, ix.meta.SourcesLen)
	if _, err := ix.srcF.ReadAt(buf, 0); err != nil {
		return fmt.Errorf("open index: read %s: %w", ix.path(sourcesFile), err)
	}
	d := decoder{b: buf}
	for i := 0; i < ix.meta.Sources; i++ {
		s := d.str()
		if d.err != nil {
			return fmt.Errorf("open index: %s: source %d: %w", ix.path(sourcesFile), i, d.err)
		}
		ix.srcIDs[s] = uint32(len(ix.sources))
		ix.sources = append(ix.sources, s)
	}
	return nil
}

// Close releases the index. An active Writer is closed first, discarding
// what it did not commit.
func (ix *Index) Close() error {
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return nil
	}
	w := ix.writer
	ix.mu.Unlock()
	var errs []error
	if w != nil {
		errs = append(errs, w.Close())
	}
	ix.mu.Lock()
	ix.closed = true
	ix.mu.Unlock()
	if ix.bl != nil {
		errs = append(errs, ix.bl.Close())
		ix.bl = nil
	}
	errs = append(errs, ix.closeFiles())
	return errors.Join(errs...)
}

func (ix *Index) closeFiles() error {
	var errs []error
	for _, f := range []**os.File{&ix.pack, &ix.idx, &ix.bloomF, &ix.srcF} {
		if *f != nil {
			errs = append(errs, (*f).Close())
			*f = nil
		}
	}
	if ix.bl != nil {
		errs = append(errs, ix.bl.Close())
		ix.bl = nil
	}
	if ix.unwatch != nil {
		ix.unwatch()
		ix.unwatch = nil
	}
	if ix.lock != nil {
		errs = append(errs, unlockFile(ix.lock), ix.lock.Close())
		ix.lock = nil
	}
	return errors.Join(errs...)
}

// Dir returns the index directory.
func (ix *Index) Dir() string { return ix.dir }

// Checkpoint returns the committed checkpoint of a source key; ok is false
// when the source was never committed.
func (ix *Index) Checkpoint(key string) (cp Checkpoint, ok bool, err error) {
	if err := ix.check(); err != nil {
		return cp, false, err
	}
	raw, err := ix.bl.GetInternal([]byte(checkpointPrefix + key))
	if err != nil {
		return cp, false, fmt.Errorf("checkpoint %s: %w", key, err)
	}
	if raw == nil {
		return cp, false, nil
	}
	if err := json.Unmarshal(raw, &cp); err != nil {
		return cp, false, fmt.Errorf("checkpoint %s: %w", key, err)
	}
	return cp, true, nil
}

var errClosed = errors.New("index is closed")

func (ix *Index) check() error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return errClosed
	}
	return nil
}

// snapshot returns the committed blocks and sources; the slices are never
// modified, only appended to.
func (ix *Index) snapshot() ([]blockMeta, []string, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, nil, errClosed
	}
	return ix.blocks[:len(ix.blocks):len(ix.blocks)], ix.sources[:len(ix.sources):len(ix.sources)], nil
}

// readAt reads n bytes at off of the pack, naming the file on error.
func readFull(f *os.File, name string, off int64, n int) ([]byte, error) {
	if f == nil {
		return nil, fmt.Errorf("%s: missing", name)
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read %s at %d: %w", name, off, err)
	}
	return buf, nil
}

// loadCols returns block num's columns (cached).
func (ix *Index) loadCols(num int, m *blockMeta) (*cols, error) {
	key := cacheKey{kind: kindCols, block: num}
	if v, ok := ix.cache.get(key); ok {
		return v.(*cols), nil
	}
	raw, err := readFull(ix.pack, ix.path(packFile), m.off, int(m.colsLen))
	if err != nil {
		return nil, err
	}
	c, err := decodeCols(ix.z, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: block %d: %w", ix.path(packFile), num, err)
	}
	if c.n != m.n {
		return nil, fmt.Errorf("%s: block %d: %d lines, manifest says %d: %w", ix.path(packFile), num, c.n, m.n, errCorrupt)
	}
	ix.cache.put(key, c, c.memSize)
	return c, nil
}

// loadWords returns one of block num's word indexes (cached): of the words
// with digits, or of the others.
func (ix *Index) loadWords(num int, m *blockMeta, digits bool) (*wordIndex, error) {
	key := cacheKey{kind: kindWords, block: num}
	off, n := m.off+int64(m.colsLen), int(m.wordsLen)
	if digits {
		key.kind = kindDigits
		off, n = off+int64(m.wordsLen), int(m.digitsLen)
	}
	if v, ok := ix.cache.get(key); ok {
		return v.(*wordIndex), nil
	}
	raw, err := readFull(ix.pack, ix.path(packFile), off, n)
	if err != nil {
		return nil, err
	}
	b, err := ix.z.decompress(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: block %d words: %w", ix.path(packFile), num, err)
	}
	wi, err := decodeWords(b)
	if err != nil {
		return nil, fmt.Errorf("%s: block %d words: %w", ix.path(packFile), num, err)
	}
	ix.cache.put(key, wi, len(b)+4*len(wi.offs)+64)
	return wi, nil
}

// loadFrame returns payload frame k of block num (cached).
func (ix *Index) loadFrame(num int, m *blockMeta, c *cols, k int) (*frame, error) {
	key := cacheKey{kind: kindFrame, block: num, frame: k}
	if v, ok := ix.cache.get(key); ok {
		return v.(*frame), nil
	}
	if k+1 >= len(c.frames) || c.frames[k] > c.frames[k+1] || int64(c.frames[k+1]) > int64(m.payloadLen) {
		return nil, fmt.Errorf("%s: block %d frame %d: %w", ix.path(packFile), num, k, errCorrupt)
	}
	off := m.off + int64(m.colsLen) + int64(m.wordsLen) + int64(m.digitsLen) + int64(c.frames[k])
	raw, err := readFull(ix.pack, ix.path(packFile), off, c.frames[k+1]-c.frames[k])
	if err != nil {
		return nil, err
	}
	b, err := ix.z.decompress(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: block %d frame %d: %w", ix.path(packFile), num, k, err)
	}
	fr, err := decodeFrame(b)
	if err != nil {
		return nil, fmt.Errorf("%s: block %d frame %d: %w", ix.path(packFile), num, k, err)
	}
	want := min(frameLines, c.n-k*frameLines)
	if len(fr.lines) != want {
		return nil, fmt.Errorf("%s: block %d frame %d: %d lines, want %d: %w", ix.path(packFile), num, k, len(fr.lines), want, errCorrupt)
	}
	ix.cache.put(key, fr, fr.size)
	return fr, nil
}

// loadBloom returns block num's Bloom filter (nil if it has none).
func (ix *Index) loadBloom(num int, m *blockMeta) (bloom, error) {
	if m.bloomBits == 0 {
		return nil, nil
	}
	key := cacheKey{kind: kindBloom, block: num}
	if v, ok := ix.cache.get(key); ok {
		return v.(bloom), nil
	}
	b, err := readFull(ix.bloomF, ix.path(bloomFile), m.bloomOff, m.bloomLen())
	if err != nil {
		return nil, err
	}
	ix.cache.put(key, bloom(b), len(b)+32)
	return b, nil
}

// event builds line i of block num.
func (ix *Index) event(num int, m *blockMeta, c *cols, i int) (Event, error) {
	fr, err := ix.loadFrame(num, m, c, i/frameLines)
	if err != nil {
		return Event{}, err
	}
	p := &fr.lines[i%frameLines]
	ev := Event{
		Time:       c.time[i].time(),
		Status:     int(c.status[i]),
		DurationMS: c.dur[i],
		Source:     c.source,
		Line:       c.line[i],
		Message:    p.message,
		Error:      p.error,
		Stack:      p.stack,
		Raw:        append([]byte(nil), p.raw...),
	}
	for f := 0; f < numKW; f++ {
		k, err := c.kwc(f)
		if err != nil {
			return Event{}, fmt.Errorf("%s: block %d: %w", ix.path(packFile), num, err)
		}
		setKW(&ev, f, k.value(i))
	}
	fl := c.flags[i]
	ev.IsError = fl&flagError != 0
	ev.Text = fl&flagText != 0
	ev.Untimed = fl&flagUntimed != 0
	ev.Truncated = fl&flagTruncated != 0
	return ev, nil
}
