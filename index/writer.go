package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
)

// Tuning of the writer pipeline (variables so that tests can force
// intermediate batches and block eviction).
var (
	// block documents per intermediate bleve batch: each batch is a
	// segment that scorch later merges, so larger batches mean fewer merge
	// rounds (at 10M lines, 64 cost 5 CPU-s more than 256 in merges; 16
	// cost ~2 more CPU-s per million lines than 64). A commit (65,536
	// lines: ~256 blocks) applies the rest in its own batch.
	batchBlocks = 256
	maxOpen     = 64 // sources with an open block at once
)

// Writer adds events to an index. Lines are grouped per source into blocks;
// sealed blocks are encoded and compressed by background workers, written to
// the side files, and indexed by bleve in batches. Nothing is visible
// to readers, nor survives Close or a crash, until Commit.
//
// A Writer is used by one goroutine at a time.
type Writer struct {
	ix        *Index
	committed meta // state at the last commit

	open    map[string]*openBlock
	tick    int
	next    int // next block number
	srcs    map[string]*srcState
	newSrcs []string // sources first seen since the last commit

	sealedCh chan sealed
	builtCh  chan *builtBlock
	ctlCh    chan flushReq
	bleveCh  chan bleveJob
	encWG    sync.WaitGroup
	loopWG   sync.WaitGroup

	mu     sync.Mutex
	err    error // first pipeline error; sticks
	closed bool
}

type openBlock struct {
	b    *blockBuilder
	src  uint32
	used int
}

// srcState is what the writer knows of a source, to skip lines already in
// the index: the highest line number added and the blocks holding it.
type srcState struct {
	id      uint32
	maxLine int64
	ranges  []lineRange
}

type lineRange struct {
	first, last int64
	block       int
}

type sealed struct {
	num int
	src uint32
	b   *blockBuilder
}

// flushReq asks the write loop to report once every block below upTo is
// written; with bleve set, also once every earlier bleve batch is applied,
// handing back the block documents not yet sent to bleve.
type flushReq struct {
	upTo  int
	bleve bool
	done  chan flushResp
}

type flushResp struct {
	docs  []*document.Document
	metas []blockMeta
	pack  int64
	bloom int64
	lines int64 // lines written
	err   error
}

type bleveJob struct {
	docs    []*document.Document
	barrier chan error
}

// NewWriter starts a writer. There is at most one per index; the index must
// not be read-only. Anything a previous writer left uncommitted (after a
// crash) is discarded first.
func (ix *Index) NewWriter() (_ *Writer, err error) {
	defer recoverCorrupt(ix.dir, &err)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	switch {
	case ix.closed:
		return nil, errClosed
	case ix.ro:
		return nil, fmt.Errorf("new writer: index %s is open read-only", ix.dir)
	case ix.writer != nil:
		return nil, fmt.Errorf("new writer: index %s already has a writer", ix.dir)
	}
	// A writer must not add to a damaged index as if all were well (a
	// re-ingest that succeeds would hide the damage): every block is
	// checked first (checksums only: ~0.2 s per million lines, most of it reading blocks.pack).
	var bad error
	ix.verifyBlocks(func(err error) bool { bad = err; return false })
	if bad != nil {
		return nil, bad
	}
	if err := ix.verifyRollups(); err != nil {
		return nil, err
	}
	if err := ix.discardUncommitted(); err != nil {
		return nil, err
	}
	w := &Writer{
		ix:        ix,
		committed: ix.meta,
		open:      map[string]*openBlock{},
		next:      ix.meta.Blocks,
		srcs:      map[string]*srcState{},
		sealedCh:  make(chan sealed, 4),
		builtCh:   make(chan *builtBlock, 8),
		ctlCh:     make(chan flushReq),
		bleveCh:   make(chan bleveJob, 1),
	}
	for name, id := range ix.srcIDs {
		w.srcs[name] = &srcState{id: id, maxLine: -1 << 63}
	}
	byID := make([]*srcState, len(ix.sources))
	for _, st := range w.srcs {
		byID[st.id] = st
	}
	for i := range ix.blocks {
		m := &ix.blocks[i]
		if int(m.src) >= len(byID) {
			return nil, ix.damaged(idxFile, "block %d names source %d of %d", i, m.src, len(byID))
		}
		st := byID[m.src]
		st.ranges = append(st.ranges, lineRange{m.firstLine, m.lastLine, i})
		st.maxLine = max(st.maxLine, m.lastLine)
	}
	workers := min(2, max(1, runtime.GOMAXPROCS(0)))
	for range workers {
		w.encWG.Add(1)
		go w.encodeLoop()
	}
	go func() { w.encWG.Wait(); close(w.builtCh) }()
	w.loopWG.Add(2)
	go w.writeLoop(w.next, w.committed.Pack, w.committed.Bloom)
	go w.bleveLoop()
	ix.writer = w
	return w, nil
}

// discardUncommitted cuts the side files back to their committed lengths and
// deletes block documents past the committed ones (left by a writer that
// crashed or closed without committing). Called with ix.mu held.
func (ix *Index) discardUncommitted() error {
	m := ix.meta
	for _, f := range []struct {
		f    *os.File
		name string
		size int64
	}{{ix.pack, packFile, m.Pack}, {ix.idx, idxFile, int64(m.Blocks) * metaRecSize}, {ix.bloomF, bloomFile, m.Bloom}, {ix.srcF, sourcesFile, m.SourcesLen}} {
		if err := f.f.Truncate(f.size); err != nil {
			return fmt.Errorf("discard uncommitted data: %w", err)
		}
	}
	ix.cache.drop(m.Blocks)
	if ix.digests != nil {
		ix.digests.drop(m.Blocks)
	}
	q := bleve.NewTermRangeQuery(blockID(m.Blocks), "")
	q.SetField(docFieldNames[dfNum])
	total, err := ix.bl.DocCount()
	if err != nil {
		return fmt.Errorf("discard uncommitted data: %w", err)
	}
	if total <= uint64(m.Blocks) {
		return nil
	}
	req := bleve.NewSearchRequestOptions(q, int(total), 0, false)
	req.Score = bleve.ScoreNone
	res, err := ix.bl.SearchInContext(context.Background(), req)
	if err != nil {
		return fmt.Errorf("discard uncommitted data: %w", err)
	}
	if len(res.Hits) == 0 {
		return nil
	}
	b := ix.bl.NewBatch()
	for _, h := range res.Hits {
		b.Delete(h.ID)
	}
	if err := ix.bl.Batch(b); err != nil {
		return fmt.Errorf("discard uncommitted data: %w", err)
	}
	return nil
}

func (w *Writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

func (w *Writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("writer is closed")
	}
	return w.err
}

// Add adds one event. ev.Source, ev.Line and ev.Raw must be set; the writer
// copies ev.Raw, so the caller may reuse it. A line already in the index
// (same source, line number and bytes), committed or added earlier by this
// writer, is skipped: re-ingesting never duplicates.
func (w *Writer) Add(ev *Event) (err error) {
	defer recoverCorrupt(w.ix.dir, &err)
	if err := w.failed(); err != nil {
		return err
	}
	st := w.srcs[ev.Source]
	if st == nil {
		st = &srcState{id: uint32(len(w.ix.sources) + len(w.newSrcs)), maxLine: -1 << 63}
		w.srcs[ev.Source] = st
		w.newSrcs = append(w.newSrcs, ev.Source)
	}
	ob := w.open[ev.Source]
	if ev.Line <= st.maxLine {
		dup, err := w.isDuplicate(st, ob, ev)
		if err != nil {
			w.fail(err)
			return err
		}
		if dup {
			return nil
		}
	}
	st.maxLine = max(st.maxLine, ev.Line)
	if ob == nil {
		if len(w.open) >= maxOpen {
			w.sealOldest()
		}
		ob = &openBlock{b: newBuilder(ev.Source), src: st.id}
		w.open[ev.Source] = ob
	}
	w.tick++
	ob.used = w.tick
	ob.b.add(ev)
	if ob.b.full() {
		w.seal(ev.Source, ob)
	}
	return nil
}

func (w *Writer) sealOldest() {
	var oldest string
	var ob *openBlock
	for name, o := range w.open {
		if ob == nil || o.used < ob.used {
			oldest, ob = name, o
		}
	}
	w.seal(oldest, ob)
}

// seal hands an open block to the encoders.
func (w *Writer) seal(name string, ob *openBlock) {
	delete(w.open, name)
	num := w.next
	w.next++
	st := w.srcs[name]
	st.ranges = append(st.ranges, lineRange{first: ob.b.minLine(), last: ob.b.maxLine(), block: num})
	w.sealedCh <- sealed{num: num, src: ob.src, b: ob.b}
}

// isDuplicate reports whether ev is already in the index or in this writer.
func (w *Writer) isDuplicate(st *srcState, ob *openBlock, ev *Event) (bool, error) {
	sum := rawSum(ev.Raw)
	if ob != nil {
		for i := range ob.b.events {
			if e := &ob.b.events[i]; e.Line == ev.Line && rawSum(e.Raw) == sum && string(e.Raw) == string(ev.Raw) {
				return true, nil
			}
		}
	}
	for _, r := range st.ranges {
		if ev.Line < r.first || ev.Line > r.last {
			continue
		}
		var m *blockMeta
		if r.block < w.committed.Blocks {
			m = &w.ix.blocks[r.block]
		} else {
			resp := w.flush(r.block+1, false)
			if resp.err != nil {
				return false, resp.err
			}
			m = w.writtenMeta(r.block)
		}
		c, err := w.ix.loadCols(r.block, m)
		if err != nil {
			return false, err
		}
		for i := 0; i < c.n; i++ {
			if c.line[i] != ev.Line {
				continue
			}
			if s, err := w.ix.lineSum(r.block, m, c, i); err != nil || s == sum {
				return err == nil, err
			}
		}
	}
	return false, nil
}

// writtenMeta returns the manifest record of an uncommitted block this
// writer wrote (it is in blocks.idx).
func (w *Writer) writtenMeta(num int) *blockMeta {
	buf, err := w.ix.readPart(w.ix.idx, idxFile, fmt.Sprintf("block %d", num), int64(num)*metaRecSize, metaRecSize, false, 0)
	m := &blockMeta{}
	if err == nil {
		if err = m.unmarshal(buf); err != nil {
			err = w.ix.damaged(idxFile, "block %d: %w", num, err)
		}
	}
	if err != nil {
		w.fail(err)
	}
	return m
}

// flush waits until every block below upTo is written (and, with withBleve,
// every earlier bleve batch applied).
func (w *Writer) flush(upTo int, withBleve bool) flushResp {
	done := make(chan flushResp, 1)
	w.ctlCh <- flushReq{upTo: upTo, bleve: withBleve, done: done}
	return <-done
}

func (w *Writer) encodeLoop() {
	defer w.encWG.Done()
	enc := newBlockEncoder(w.ix.z)
	for s := range w.sealedCh {
		bb := enc.build(s.b, s.num, s.src)
		s.b.release()
		w.builtCh <- bb
	}
}

// writeLoop writes built blocks in block order and batches their documents
// for bleve.
func (w *Writer) writeLoop(nextWrite int, pack, bloomOff int64) {
	defer w.loopWG.Done()
	defer close(w.bleveCh)
	pending := map[int]*builtBlock{}
	var docs []*document.Document
	var metas []blockMeta
	var lines int64
	var waiting []flushReq
	var buf []byte
	var rec [metaRecSize]byte
	builtCh := w.builtCh
	answer := func() {
		kept := waiting[:0]
		for _, r := range waiting {
			if nextWrite < r.upTo && builtCh != nil {
				kept = append(kept, r)
				continue
			}
			resp := flushResp{pack: pack, bloom: bloomOff, lines: lines}
			if r.bleve {
				barrier := make(chan error, 1)
				w.bleveCh <- bleveJob{barrier: barrier}
				resp.err = <-barrier
				resp.docs, resp.metas = docs, metas
				docs, metas, lines = nil, nil, 0
			}
			if err := w.failed(); err != nil && resp.err == nil {
				resp.err = err
			}
			r.done <- resp
		}
		waiting = kept
	}
	for builtCh != nil || len(waiting) > 0 {
		select {
		case bb, ok := <-builtCh:
			if !ok {
				builtCh = nil
				answer()
				continue
			}
			pending[bb.num] = bb
			for {
				bb := pending[nextWrite]
				if bb == nil {
					break
				}
				delete(pending, nextWrite)
				if w.failed() == nil {
					bb.meta.off = pack
					bb.meta.bloomOff = bloomOff
					buf = append(append(append(append(append(buf[:0], bb.cols...), bb.words...), bb.digits...), bb.payload...), bb.digest...)
					bb.meta.marshal(rec[:])
					err := writeAt(w.ix.pack, w.ix.path(packFile), buf, pack)
					if err == nil {
						err = writeAt(w.ix.bloomF, w.ix.path(bloomFile), bb.bloom, bloomOff)
					}
					if err == nil {
						err = writeAt(w.ix.idx, w.ix.path(idxFile), rec[:], int64(bb.num)*metaRecSize)
					}
					if err != nil {
						w.fail(err)
					}
					pack += int64(len(buf))
					bloomOff += int64(len(bb.bloom))
					docs = append(docs, bb.doc)
					metas = append(metas, bb.meta)
					lines += int64(bb.meta.n)
					if len(docs) >= batchBlocks {
						w.bleveCh <- bleveJob{docs: docs}
						docs = nil
					}
				}
				nextWrite++
			}
			answer()
		case r := <-w.ctlCh:
			waiting = append(waiting, r)
			answer()
		}
	}
}

func writeAt(f *os.File, name string, b []byte, off int64) error {
	if len(b) == 0 {
		return nil
	}
	if _, err := f.WriteAt(b, off); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// bleveLoop applies intermediate batches of block documents, letting at
// most persistLag of them await persistence. A barrier job waits until every
// earlier batch is durable.
func (w *Writer) bleveLoop() {
	defer w.loopWG.Done()
	var err error
	var inflight []pendingBatch
	drain := func(keep int) {
		for len(inflight) > keep {
			if e := w.ix.waitPersisted(inflight[0]); e != nil && err == nil {
				err = fmt.Errorf("index blocks: %w", e)
				w.fail(err)
			}
			inflight = inflight[1:]
		}
	}
	for job := range w.bleveCh {
		if job.barrier != nil {
			drain(0)
			job.barrier <- err
			continue
		}
		if err != nil || w.failed() != nil {
			continue
		}
		b := w.ix.bl.NewBatch()
		for _, d := range job.docs {
			if err = b.IndexAdvanced(d); err != nil {
				break
			}
		}
		var p pendingBatch
		if err == nil {
			p, err = w.ix.applyBatch(b)
		}
		if err != nil {
			err = fmt.Errorf("index blocks: %w", err)
			w.fail(err)
			continue
		}
		inflight = append(inflight, p)
		drain(persistLag)
	}
	drain(0)
}

// Commit makes everything added so far durable and visible, atomically with
// the given checkpoints: the side files are synced first, then one bleve
// batch carries the last block documents, the checkpoints and the new
// committed state. After a crash the index is as of the last Commit.
func (w *Writer) Commit(cps ...Checkpoint) (err error) {
	defer recoverCorrupt(w.ix.dir, &err)
	if err := w.failed(); err != nil {
		return err
	}
	for name, ob := range w.open {
		w.seal(name, ob)
	}
	resp := w.flush(w.next, true)
	if resp.err != nil {
		w.fail(resp.err)
		return resp.err
	}
	ix := w.ix
	m := w.committed
	m.Blocks = w.next
	m.Lines += resp.lines
	m.Pack, m.Bloom = resp.pack, resp.bloom
	var srcRec []byte
	for _, s := range w.newSrcs {
		srcRec = appendString(srcRec, s)
	}
	err = writeAt(ix.srcF, ix.path(sourcesFile), srcRec, m.SourcesLen)
	m.Sources += len(w.newSrcs)
	m.SourcesLen += int64(len(srcRec))
	m.SourcesSum = crc32.Update(m.SourcesSum, castagnoli, srcRec)
	m.Format = commitFormat // its blocks may have short terms
	m.Commit++
	m.Sum = m.sum()
	for _, f := range []*os.File{ix.pack, ix.bloomF, ix.idx, ix.srcF} {
		if err == nil {
			err = f.Sync()
		}
	}
	b := ix.bl.NewBatch()
	for _, d := range resp.docs {
		if err == nil {
			err = b.IndexAdvanced(d)
		}
	}
	for _, cp := range cps {
		raw, jerr := jsonWithSum(cp)
		if jerr != nil && err == nil {
			err = jerr
		}
		b.SetInternal([]byte(checkpointPrefix+cp.Key), raw)
	}
	raw, _ := json.Marshal(m)
	b.SetInternal(metaKey, raw)
	if err == nil {
		var p pendingBatch
		if p, err = ix.applyBatch(b); err == nil {
			err = ix.waitPersisted(p)
		}
	}
	if err != nil {
		err = fmt.Errorf("commit: %w", err)
		w.fail(err)
		return err
	}
	ix.mu.Lock()
	ix.meta = m
	ix.blocks = append(ix.blocks, resp.metas...)
	for _, s := range w.newSrcs {
		ix.srcIDs[s] = uint32(len(ix.sources))
		ix.sources = append(ix.sources, s)
	}
	ix.mu.Unlock()
	rerr := ix.rollupCommitted()
	ix.mu.Lock()
	err = errors.Join(rerr, ix.writeManifest())
	ix.mu.Unlock()
	w.committed = m
	w.newSrcs = nil
	if err != nil {
		// The commit is durable; the next writer rewrites the manifest.
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Close stops the writer. What was added since the last Commit is
// discarded.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.sealedCh)
	w.loopWG.Wait()
	ix := w.ix
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.writer = nil
	if ix.closed {
		return nil
	}
	if err := ix.discardUncommitted(); err != nil {
		return fmt.Errorf("close writer: %w", err)
	}
	return nil
}
