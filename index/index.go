package index

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
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

// boltTimeout bounds how long bleve waits for root.bolt's lock.
const boltTimeout = "2s"

// lockTimeout bounds how long Open waits for the lock.
var lockTimeout = time.Second

// readerWait is how much longer than lockTimeout a writer waits for readers
// to let go of the index (a writer's own lock fails after lockTimeout).
var readerWait = 30 * time.Second

// File names inside the index directory.
const (
	lockFile    = "lock"
	bleveDir    = "bleve"
	packFile    = "blocks.pack"
	idxFile     = "blocks.idx"
	bloomFile   = "blocks.bloom"
	sourcesFile = "sources"
	deploysFile = "deploys.json"
	// serveSock is the socket on which a writer serves the index to
	// readers (package index/remote).
	serveSock = "serve.sock"
)

// metaKey is the bleve internal key of the committed state, written in the
// same batch as the block documents and checkpoints it covers.
var metaKey = []byte("culprit:meta")

const checkpointPrefix = "culprit:cp:"

// formatVersion is the format of the index this package writes; it reads
// those from minFormat on. Format 3: block documents may index the id
// fields by short terms (idterms.go), which a reader of format 2 would not
// ask, so it refuses the index instead of missing requests. An index of
// format 2 is read as it is, and becomes format 3 at its next commit.
const (
	formatVersion = 3
	minFormat     = 2
)

// commitFormat is the format a commit records: formatVersion, or 2 in
// tests that write an index as before short terms.
var commitFormat = formatVersion

// meta is the committed state: how much of each side file is valid.
type meta struct {
	Format     int   `json:"format"`
	Blocks     int   `json:"blocks"`
	Lines      int64 `json:"lines"`
	Pack       int64 `json:"pack"`
	Bloom      int64 `json:"bloom"`
	Sources    int   `json:"sources"`
	SourcesLen int64 `json:"sources_len"`
	// SourcesSum is the CRC-32C of the committed source names.
	SourcesSum uint32 `json:"sources_sum,omitempty"`
	// Commit counts the commits; the manifest records the same number, so
	// a bleve index that lost its newest snapshot is detected.
	Commit uint64 `json:"commit,omitempty"`
	// Sum is the CRC-32C of this state's JSON encoding with Sum zero.
	Sum uint32 `json:"sum,omitempty"`
}

// Index is a culprit index: a bleve index of blocks of log lines, the
// blocks themselves (compressed, with every line verbatim), per-source
// checkpoints and the deploy history, in one directory. Its methods are
// safe for concurrent use.
type Index struct {
	// segmentsRead counts the segments Open read in full to verify them
	// (the rest were trusted by their manifest stamp); tests read it.
	segmentsRead int
	dir          string
	ro           bool
	lock         *os.File
	bl           bleve.Index
	z            *zstdCodec

	pack, idx, bloomF, srcF *os.File

	asyncErr <-chan error // bleve's background errors (writers)
	unwatch  func()

	mu      sync.RWMutex
	meta    meta
	blocks  []blockMeta // committed
	sources []string    // by id
	srcIDs  map[string]uint32
	deploys []Deploy
	// deploysCRC is the checksum of deploys.json (0: none); deploysAlt
	// the previous one while it is replaced.
	deploysCRC, deploysAlt uint32
	writer                 *Writer
	closed                 bool

	cache *cache
	// digests holds decoded error digests apart from cache (nil: in cache).
	digests *cache

	// rollups is the rollup chain of the committed blocks (rollup.go).
	rollups  []rollupFile
	rollMemo rollupMemo
	allMemo  allMemo
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
	ix := &Index{dir: dir, ro: o.ReadOnly, z: z, srcIDs: map[string]uint32{}, cache: newCache(cacheBytes), digests: newCache(digestCacheBytes)}
	if err := ix.openSafe(); err != nil {
		ix.closeFiles()
		return nil, err
	}
	return ix, nil
}

// openSafe is open with a panic (from bleve or bbolt reading damaged
// files) turned into a CorruptError.
func (ix *Index) openSafe() (err error) {
	defer recoverCorrupt(ix.dir, &err)
	return ix.open()
}

func (ix *Index) path(name string) string { return filepath.Join(ix.dir, name) }

func (ix *Index) open() error {
	if ix.ro {
		if _, err := os.Stat(ix.path(bleveDir)); err != nil {
			_, merr := os.Stat(ix.path(manifestName))
			switch {
			case !errors.Is(err, fs.ErrNotExist):
				return fmt.Errorf("open index: %w", err)
			case merr != nil && !ix.hasData():
				return fmt.Errorf("open index %s: %w", ix.dir, ErrNotExist)
			}
			// damaged: reported below, under the lock
		}
	} else {
		if err := ix.prepareDir(); err != nil {
			return err
		}
	}
	if err := ix.acquire(); err != nil {
		return err
	}
	man, err := readManifest(ix.dir)
	if err != nil {
		return err
	}
	bpath := ix.path(bleveDir)
	if _, err := os.Stat(bpath); errors.Is(err, fs.ErrNotExist) {
		if man != nil || ix.hasData() {
			return ix.damaged(bleveDir, "missing")
		}
		if ix.ro {
			return fmt.Errorf("open index %s: %w", ix.dir, ErrNotExist)
		}
		if err := createBleve(bpath); err != nil {
			return fmt.Errorf("create index %s: %w", ix.dir, err)
		}
	} else if man != nil {
		// bleve's own metadata: checked before bleve reads it.
		name := path.Join(bleveDir, "index_meta.json")
		if f := man.file(name); f != nil {
			if p := checkFile(ix.dir, *f, true); p != "" {
				return ix.damaged(name, "%s", p)
			}
		}
	}
	if !ix.ro {
		ix.asyncErr, ix.unwatch = watchAsyncErrors(bpath)
	}
	bl, err := openBleve(bpath, bleveConfig(ix.ro))
	if err != nil {
		return ix.damaged(bleveDir, "%w", err)
	}
	ix.bl = bl
	if err := ix.loadMeta(man); err != nil {
		return err
	}
	if err := ix.verifySegments(man); err != nil {
		return err
	}
	if err := ix.openFiles(); err != nil {
		return err
	}
	if err := ix.checkSideFiles(); err != nil {
		return err
	}
	if err := ix.loadManifest(); err != nil {
		return err
	}
	if err := ix.loadSources(); err != nil {
		return err
	}
	if err := ix.loadDeploys(man); err != nil {
		return err
	}
	ix.rollups = rollupsOf(man)
	if !ix.ro && (man == nil || man.Commit != ix.meta.Commit) {
		// A new index, one written before manifests, or a writer that
		// crashed between its last commit and the manifest.
		return ix.writeManifest()
	}
	return nil
}

// openBleve opens the bleve index, turning a panic on damaged files into an
// error.
func openBleve(bpath string, cfg map[string]interface{}) (bl bleve.Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic opening bleve: %v", r)
		}
	}()
	if err := checkBolt(bpath); err != nil {
		return nil, err
	}
	return bleve.OpenUsing(bpath, cfg)
}

// hasData reports whether any side file holds data (an index whose bleve
// directory is gone is damaged, not absent).
func (ix *Index) hasData() bool {
	for _, name := range []string{packFile, idxFile, sourcesFile, deploysFile} {
		if st, err := os.Stat(ix.path(name)); err == nil && st.Size() > 0 {
			return true
		}
	}
	return false
}

// loadMeta reads the committed state from bleve and checks it against the
// manifest: bleve silently falls back to an older snapshot when the newest
// cannot be loaded (a segment missing or cut short), and would answer from
// it as if the newer commits had never happened.
func (ix *Index) loadMeta(man *manifest) error {
	bolt := path.Join(bleveDir, "store", "root.bolt")
	raw, err := ix.bl.GetInternal(metaKey)
	if err != nil {
		return ix.damaged(bolt, "read state: %w", err)
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &ix.meta); err != nil {
			return ix.damaged(bolt, "state: %w", err)
		}
		if ix.meta.Format < minFormat || ix.meta.Format > formatVersion {
			return fmt.Errorf("open index %s: format %d, want %d to %d (re-create the index)", ix.dir, ix.meta.Format, minFormat, formatVersion)
		}
		if (ix.meta.Sum != 0 || ix.meta.Commit != 0) && ix.meta.Sum != ix.meta.sum() {
			return ix.damaged(bolt, "state: checksum mismatch")
		}
	} else {
		ix.meta.Format = commitFormat // nothing committed yet
	}
	switch {
	case man == nil && ix.meta.Commit > 0:
		return ix.damaged(manifestName, "missing (the index has %d commits)", ix.meta.Commit)
	case man == nil, ix.meta.Commit > man.Commit:
		return nil // written before manifests; or the manifest of the commit before (a crash)
	case ix.meta.Commit < man.Commit:
		file, what := bolt, "snapshot"
		for _, f := range man.Files {
			if strings.HasSuffix(f.Name, ".zap") {
				if p := checkFile(ix.dir, f, false); p != "" {
					file, what = f.Name, p
					break
				}
			}
		}
		return ix.damaged(file, "%s: bleve fell back to commit %d of %d", what, ix.meta.Commit, man.Commit)
	}
	m := man.Meta
	if m.Format == 0 {
		m.Format = formatVersion
	}
	if m != ix.meta {
		return ix.damaged(bolt, "state differs from %s", manifestName)
	}
	return nil
}

// verifySegments checks every zap segment bleve loaded against the
// checksum in its footer, so that a damaged segment is an error rather than
// a candidate block silently missed. A writer reads every segment (about
// 45 MB for a million lines); so does a reader, except for a segment whose
// manifest entry carries the stamp of the file as it is now (the version a
// writer verified or wrote): then its size and footer checksum are checked
// against the manifest, and the rest is left to doctor. See
// docs/index-integrity.md for what that leaves undetected until then. The
// check runs while bleve's snapshot is held open (withSegments), so a
// writer's background merge cannot delete a segment mid-check and pass for
// damage.
func (ix *Index) verifySegments(man *manifest) error {
	var buf []byte
	var bad error
	err := ix.withSegments(func(segs []string) error {
		for _, name := range segs {
			full := filepath.Join(ix.dir, filepath.FromSlash(name))
			if ix.ro && man != nil && stampedIntact(full, man.file(name)) {
				continue
			}
			if buf == nil {
				buf = make([]byte, 1<<20)
			}
			ix.segmentsRead++
			if err := verifyZap(full, buf); err != nil {
				bad = ix.damaged(name, "%w", err)
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return ix.damaged(bleveDir, "%w", err)
	}
	if bad != nil {
		return bad
	}
	n, err := ix.bl.DocCount()
	if err != nil {
		return ix.damaged(bleveDir, "%w", err)
	}
	if n < uint64(ix.meta.Blocks) {
		return ix.damaged(bleveDir, "%d block documents, %d committed", n, ix.meta.Blocks)
	}
	return nil
}

// stampedIntact reports whether the segment at path is the version its
// manifest entry f was stamped with, of the recorded size and footer
// checksum.
func stampedIntact(path string, f *manifestFile) bool {
	if f == nil || f.Stamp == "" || f.CRC == 0 {
		return false
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != f.Size || fileStamp(st) != f.Stamp {
		return false
	}
	_, crc, err := zapFooter(path)
	return err == nil && crc == f.CRC
}

// checkSideFiles checks that the side files hold at least what was
// committed (an older copy or a cut file is shorter).
func (ix *Index) checkSideFiles() error {
	m := ix.meta
	for _, f := range []struct {
		f    *os.File
		name string
		size int64
	}{{ix.pack, packFile, m.Pack}, {ix.idx, idxFile, int64(m.Blocks) * metaRecSize}, {ix.bloomF, bloomFile, m.Bloom}, {ix.srcF, sourcesFile, m.SourcesLen}} {
		if f.size == 0 {
			continue
		}
		if f.f == nil {
			return ix.damaged(f.name, "missing")
		}
		st, err := f.f.Stat()
		if err != nil {
			return fmt.Errorf("open index: %w", err)
		}
		if st.Size() < f.size {
			return ix.damaged(f.name, "%d bytes, shorter than the %d committed", st.Size(), f.size)
		}
	}
	return nil
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
	known := map[string]bool{lockFile: true, bleveDir: true, bleveDir + ".tmp": true, packFile: true, idxFile: true, bloomFile: true, sourcesFile: true, deploysFile: true, manifestName: true, serveSock: true, rollupDir: true}
	for _, e := range ents {
		if !known[e.Name()] && e.Name() != deploysFile+".tmp" && e.Name() != manifestName+".tmp" {
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
// maxSegmentDocs caps the block documents of a bleve segment made by
// merges.
const maxSegmentDocs = 8192

func bleveConfig(ro bool) map[string]interface{} {
	// Our lock file orders processes, so root.bolt's own lock is free when
	// we get there; the timeout only turns a stale lock (bbolt panicked on
	// a damaged file while holding it) into an error instead of a hang.
	if ro {
		return map[string]interface{}{"read_only": true, "bolt_timeout": boltTimeout}
	}
	return map[string]interface{}{
		"bolt_timeout":           boltTimeout,
		"unsafe_batch":           true, // see persist.go
		"asyncErrorCallbackName": asyncErrorCallback,
		"scorchMergePlanOptions": map[string]interface{}{
			"MaxSegmentsPerTier":   10,
			"SegmentsPerMergeTask": 10,
			"FloorSegmentSize":     int64(50),
			// Segments stop growing at ~8k block documents (2M lines,
			// ~20 MB): a merge reads its segments through memory
			// maps, so without a cap the writer's RSS grew with the
			// index, as did the bytes each late merge rewrote.
			"MaxSegmentSize": int64(maxSegmentDocs),
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
	buf, err := ix.readPart(ix.idx, idxFile, fmt.Sprintf("%d block records", n), 0, n*metaRecSize, false, 0)
	if err != nil {
		return err
	}
	ix.blocks = make([]blockMeta, n)
	for i := range ix.blocks {
		if err := ix.blocks[i].unmarshal(buf[i*metaRecSize:]); err != nil {
			return ix.damaged(idxFile, "block %d: %w", i, err)
		}
	}
	return nil
}

// loadSources reads the committed source names.
func (ix *Index) loadSources() error {
	if ix.meta.Sources == 0 {
		return nil
	}
	buf, err := ix.readPart(ix.srcF, sourcesFile, "source names", 0, int(ix.meta.SourcesLen), ix.meta.SourcesSum != 0, ix.meta.SourcesSum)
	if err != nil {
		return err
	}
	d := decoder{b: buf}
	for i := 0; i < ix.meta.Sources; i++ {
		s := d.str()
		if d.err != nil {
			return ix.damaged(sourcesFile, "source %d: %w", i, d.err)
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
	if !ix.ro && ix.bl != nil {
		// bleve's merges since the last commit changed its segments.
		errs = append(errs, ix.writeManifest())
	}
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
	defer recoverCorrupt(ix.dir, &err)
	bolt := path.Join(bleveDir, "store", "root.bolt")
	raw, err := ix.bl.GetInternal([]byte(checkpointPrefix + key))
	if err != nil {
		return cp, false, ix.damaged(bolt, "checkpoint %q: %w", key, err)
	}
	if raw == nil {
		return cp, false, nil
	}
	if raw, err = splitSum(raw); err != nil {
		return cp, false, ix.damaged(bolt, "checkpoint %q: %w", key, err)
	}
	if err := json.Unmarshal(raw, &cp); err != nil {
		return cp, false, ix.damaged(bolt, "checkpoint %q: %w", key, err)
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

// damaged returns a CorruptError for file (a name inside the index).
func (ix *Index) damaged(file string, format string, args ...any) error {
	return &CorruptError{Dir: ix.dir, File: file, Err: fmt.Errorf(format, args...)}
}

// readPart reads n bytes at off of the side file f (named name), checking
// them against sum when check is set. A file that is missing or shorter
// than committed, or bytes that do not match their checksum, are a
// CorruptError.
func (ix *Index) readPart(f *os.File, name string, what string, off int64, n int, check bool, sum uint32) ([]byte, error) {
	return ix.readPartInto(nil, f, name, what, off, n, check, sum)
}

// readPartInto is readPart reading into buf when it is large enough.
func (ix *Index) readPartInto(buf []byte, f *os.File, name string, what string, off int64, n int, check bool, sum uint32) ([]byte, error) {
	if f == nil {
		return nil, ix.damaged(name, "missing")
	}
	if cap(buf) >= n {
		buf = buf[:n]
	} else {
		buf = make([]byte, n)
	}
	if _, err := f.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ix.damaged(name, "%s: %d bytes at %d: file too short", what, n, off)
		}
		return nil, fmt.Errorf("read %s at %d: %w", ix.path(name), off, err)
	}
	if check && partSum(buf) != sum {
		return nil, ix.damaged(name, "%s: checksum mismatch", what)
	}
	return buf, nil
}

// loadCols returns block num's columns (cached).
func (ix *Index) loadCols(num int, m *blockMeta) (*cols, error) {
	key := cacheKey{kind: kindCols, block: num}
	if v, ok := ix.cache.get(key); ok {
		return v.(*cols), nil
	}
	c, err := ix.readCols(num, m)
	if err != nil {
		return nil, err
	}
	ix.cache.put(key, c, c.memSize)
	return c, nil
}

// readCols reads and decodes block num's columns, checked against its
// record, without the cache.
func (ix *Index) readCols(num int, m *blockMeta) (*cols, error) {
	what := fmt.Sprintf("block %d", num)
	raw, err := ix.readPart(ix.pack, packFile, what, m.off, int(m.colsLen), m.sums, m.colsSum)
	if err != nil {
		return nil, err
	}
	c, err := decodeCols(ix.z, raw)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	if c.n != m.n {
		return nil, ix.damaged(packFile, "%s: %d lines, %s says %d", what, c.n, idxFile, m.n)
	}
	return c, nil
}

// loadKWCols returns block num's keyword columns (cached), without its
// core columns unless they are already decoded: only kwc may be called
// on the result.
func (ix *Index) loadKWCols(num int, m *blockMeta) (*cols, error) {
	if v, ok := ix.cache.get(cacheKey{kind: kindCols, block: num}); ok {
		return v.(*cols), nil
	}
	key := cacheKey{kind: kindKW, block: num}
	if v, ok := ix.cache.get(key); ok {
		return v.(*cols), nil
	}
	what := fmt.Sprintf("block %d", num)
	raw, err := ix.readPart(ix.pack, packFile, what, m.off, int(m.colsLen), m.sums, m.colsSum)
	if err != nil {
		return nil, err
	}
	c, err := kwOnlyCols(ix.z, raw, m.n, m.v3)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	ix.cache.put(key, c, c.memSize)
	return c, nil
}

// loadKWColumn returns keyword column f of block num (cached on its own,
// by its decoded size: a facet of every line of many blocks keeps the
// one column it counts, not the blocks' other columns).
func (ix *Index) loadKWColumn(num int, m *blockMeta, f int) (*kwColumn, error) {
	if v, ok := ix.cache.get(cacheKey{kind: kindCols, block: num}); ok {
		k, err := v.(*cols).kwc(f)
		if err != nil {
			return nil, ix.damaged(packFile, "block %d column %s: %w", num, kwNames[f], err)
		}
		return k, nil
	}
	key := cacheKey{kind: kindKWColumn, block: num, frame: f}
	if v, ok := ix.cache.get(key); ok {
		return v.(*kwColumn), nil
	}
	what := fmt.Sprintf("block %d", num)
	raw, err := ix.readPart(ix.pack, packFile, what, m.off, int(m.colsLen), m.sums, m.colsSum)
	if err != nil {
		return nil, err
	}
	np, parts, err := colsParts(raw)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	k := &kwColumn{idx: make([]uint16, m.n)} // a column the block predates
	if uint64(1+f) < np {
		if k, err = decodeKW(ix.z, parts[1+f], m.n, m.v3); err != nil {
			return nil, ix.damaged(packFile, "%s column %s: %w", what, kwNames[f], err)
		}
	}
	size := 96 + 2*len(k.idx) + 32*len(k.dict) // a value: its header, its allocation
	for _, v := range k.dict {
		size += len(v)
	}
	ix.cache.put(key, k, size)
	return k, nil
}

// loadWords returns one of block num's word indexes (cached): of the words
// with digits, or of the others.
func (ix *Index) loadWords(num int, m *blockMeta, digits bool) (*wordIndex, error) {
	key := cacheKey{kind: kindWords, block: num}
	off, n, sum := m.off+int64(m.colsLen), int(m.wordsLen), m.wordsSum
	if digits {
		key.kind = kindDigits
		off, n, sum = off+int64(m.wordsLen), int(m.digitsLen), m.digitsSum
	}
	if v, ok := ix.cache.get(key); ok {
		return v.(*wordIndex), nil
	}
	what := fmt.Sprintf("block %d words", num)
	raw, err := ix.readPart(ix.pack, packFile, what, off, n, m.sums, sum)
	if err != nil {
		return nil, err
	}
	b, err := ix.z.decompress(raw)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	wi, err := decodeWords(b, m.v3)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	if digits && m.v3 {
		// The words of the keyword values (kwDigitWords).
		if err := ix.withKWColumns(num, m, wi); err != nil {
			return nil, err
		}
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
	what := fmt.Sprintf("block %d frame %d", num, k)
	if k+1 >= len(c.frames) || c.frames[k] > c.frames[k+1] || int64(c.frames[k+1]) > int64(m.payloadLen) {
		return nil, ix.damaged(packFile, "%s: bad offsets", what)
	}
	off := m.off + int64(m.colsLen) + int64(m.wordsLen) + int64(m.digitsLen) + int64(c.frames[k])
	var sum uint32
	if c.frameSums != nil {
		sum = c.frameSums[k]
	}
	raw, err := ix.readPart(ix.pack, packFile, what, off, c.frames[k+1]-c.frames[k], c.frameSums != nil, sum)
	if err != nil {
		return nil, err
	}
	b, err := ix.z.decompress(raw)
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	fr, err := decodeFrame(b, c.version >= 3, min(c.fl, c.n-k*c.fl))
	if err != nil {
		return nil, ix.damaged(packFile, "%s: %w", what, err)
	}
	want := min(c.fl, c.n-k*c.fl)
	if len(fr.lines) != want {
		return nil, ix.damaged(packFile, "%s: %d lines, want %d", what, len(fr.lines), want)
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
	what := fmt.Sprintf("block %d", num)
	b, err := ix.readPart(ix.bloomF, bloomFile, what, m.bloomOff, m.bloomStored(), false, 0)
	if err != nil {
		return nil, err
	}
	if m.sums {
		n := m.bloomLen()
		if partSum(b[:n]) != binary.LittleEndian.Uint32(b[n:]) {
			return nil, ix.damaged(bloomFile, "%s: checksum mismatch", what)
		}
		b = b[:n:n]
	}
	ix.cache.put(key, bloom(b), len(b)+32)
	return b, nil
}

// rawLine returns line i of block num with its raw line put together.
func (ix *Index) rawLine(num int, m *blockMeta, c *cols, i int) (*payloadLine, error) {
	k, j := c.frameOf(i)
	fr, err := ix.loadFrame(num, m, c, k)
	if err != nil {
		return nil, err
	}
	if err := fr.withRaw(c.frameKW, k*c.fl); err != nil {
		return nil, ix.damaged(packFile, "block %d frame %d: %w", num, k, err)
	}
	return &fr.lines[j], nil
}

// event builds line i of block num.
func (ix *Index) event(num int, m *blockMeta, c *cols, i int) (Event, error) {
	p, err := ix.rawLine(num, m, c, i)
	if err != nil {
		return Event{}, err
	}
	ev := Event{
		Time:       c.time[i].time(),
		Status:     int(c.status[i]),
		DurationMS: c.dur[i],
		Source:     c.source,
		Line:       c.line[i],
		Message:    strings.Clone(p.message), // not the frame's bytes: an event outlives the cache
		Error:      strings.Clone(p.error),
		Stack:      strings.Clone(p.stack),
		Raw:        append([]byte(nil), p.raw...),
	}
	for f := 0; f < numKW; f++ {
		k, err := c.kwc(f)
		if err != nil {
			return Event{}, ix.damaged(packFile, "block %d: %w", num, err)
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
