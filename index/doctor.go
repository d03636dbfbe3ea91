package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Problem is one thing wrong with an index: the file and what is wrong.
type Problem struct {
	File   string `json:"file"` // relative to the index directory
	Detail string `json:"detail"`
}

// String is "file: detail".
func (p Problem) String() string { return p.File + ": " + p.Detail }

// Check verifies every file of the index in dir, in full: the manifest,
// every bleve segment against its checksum, bleve's state against the
// manifest, the side files' committed lengths, every block (each part's
// checksum, and that it decodes), the source names and the deploy history.
// It returns every problem found, file by file (none: the index is sound).
// The error is for an index that cannot be checked at all (missing,
// locked by a writer). It is what `culprit doctor` prints.
func Check(dir string) ([]Problem, error) {
	z, err := getCodec()
	if err != nil {
		return nil, err
	}
	ix := &Index{dir: dir, ro: true, z: z, srcIDs: map[string]uint32{}, cache: newCache(1 << 20)}
	defer ix.closeFiles()
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("check index %s: %w", dir, ErrNotExist)
		}
		return nil, fmt.Errorf("check index: %w", err)
	}
	if err := ix.acquire(); err != nil {
		return nil, err
	}
	var probs []Problem
	add := func(err error) {
		var ce *CorruptError
		if errors.As(err, &ce) {
			probs = append(probs, Problem{File: filepath.ToSlash(ce.File), Detail: ce.Err.Error()})
		} else if err != nil {
			probs = append(probs, Problem{Detail: err.Error()})
		}
	}
	man, err := readManifest(dir)
	add(err)
	if man != nil {
		for _, f := range man.Files {
			if strings.HasSuffix(f.Name, ".zap") {
				continue // a merge may have replaced it: checked below if in use
			}
			if p := checkFile(dir, f, true); p != "" {
				probs = append(probs, Problem{File: f.Name, Detail: p})
			}
		}
	}
	// Every segment on disk, in use or not.
	zaps, _ := filepath.Glob(filepath.Join(dir, bleveDir, "store", "*.zap"))
	buf := make([]byte, 1<<20)
	for _, z := range zaps {
		if err := verifyZap(z, buf); err != nil {
			rel, _ := filepath.Rel(dir, z)
			probs = append(probs, Problem{File: filepath.ToSlash(rel), Detail: err.Error()})
		}
	}
	bl, err := openBleve(ix.path(bleveDir), bleveConfig(true))
	if err != nil {
		probs = append(probs, Problem{File: bleveDir, Detail: err.Error()})
	} else {
		ix.bl = bl
		err := ix.loadMeta(man)
		add(err)
		if err == nil {
			n, derr := bl.DocCount()
			if derr == nil && n < uint64(ix.meta.Blocks) {
				add(ix.damaged(bleveDir, "%d block documents, %d committed", n, ix.meta.Blocks))
			}
		}
	}
	if ix.bl == nil || ix.meta.Blocks == 0 && man != nil && man.Meta.Blocks > 0 {
		if man == nil {
			return sortProblems(probs), nil // nothing says what was committed
		}
		ix.meta = man.Meta // bleve is unreadable: check the rest against the manifest
	}
	if err := ix.openFiles(); err != nil {
		add(err)
		return sortProblems(probs), nil
	}
	add(ix.checkSideFiles())
	// Block records one by one, so that one bad record does not hide the
	// others.
	var scratch []byte
	// A block's error digest ends where the next block begins: each is
	// checked once the next record is read (the last against the pack's
	// committed length).
	var prev *blockMeta
	var records []blockMeta // every record, while all verify
	for i := 0; i < ix.meta.Blocks; i++ {
		raw, err := ix.readPart(ix.idx, idxFile, fmt.Sprintf("block %d", i), int64(i)*metaRecSize, metaRecSize, false, 0)
		if err != nil {
			add(err)
			prev = nil
			break
		}
		var m blockMeta
		if err := m.unmarshal(raw); err != nil {
			add(ix.damaged(idxFile, "block %d: %w", i, err))
			prev = nil
			continue
		}
		if prev != nil {
			add(ix.verifyDigest(i-1, prev, m.off))
		}
		add(ix.verifyBlock(i, &m, &scratch))
		prev = &m
		if len(records) == i {
			records = append(records, m)
		}
	}
	if prev != nil {
		add(ix.verifyDigest(ix.meta.Blocks-1, prev, ix.meta.Pack))
	}
	serr := ix.loadSources()
	add(serr)
	add(ix.loadDeploys(man))
	if len(records) == ix.meta.Blocks && serr == nil && len(ix.sources) == ix.meta.Sources {
		add(ix.checkRollups(rollupsOf(man), records))
	}
	return sortProblems(probs), nil
}

func sortProblems(ps []Problem) []Problem {
	slices.SortStableFunc(ps, func(a, b Problem) int { return strings.Compare(a.File, b.File) })
	return ps
}

// RebuildOptions configure Rebuild.
type RebuildOptions struct {
	// Parse, when set, re-derives events from verbatim lines of one source
	// (the ingest parser): it is used for blocks whose columns are damaged
	// but whose lines are intact. It returns one event per line, in order
	// (Source, Line and Raw are set by Rebuild). Without it such blocks are
	// lost.
	Parse func(source string, lines [][]byte) []Event
}

// LostLines are lines of a source that Rebuild could not recover.
type LostLines struct {
	Source string `json:"source"`
	// First and Last are the line numbers of the range (the lines lost
	// may be fewer than the range: Lines).
	First int64  `json:"first"`
	Last  int64  `json:"last"`
	Lines int    `json:"lines"`
	Why   string `json:"why"`
}

// RebuildReport says what Rebuild recovered and what it could not.
type RebuildReport struct {
	Blocks      int   `json:"blocks"`       // blocks read back intact
	Reparsed    int   `json:"reparsed"`     // blocks re-derived with Parse
	Events      int64 `json:"events"`       // events in the new index
	Deploys     int   `json:"deploys"`      // deploys kept
	Checkpoints int   `json:"checkpoints"`  // checkpoints kept
	DeploysLost bool  `json:"deploys_lost"` // the deploy history was unreadable
	// CheckpointsDropped: lines were lost, or the checkpoints unreadable,
	// so every source will be read again from its start by the next
	// ingest (lines already in the index are skipped, not duplicated).
	CheckpointsDropped bool        `json:"checkpoints_dropped"`
	Lost               []LostLines `json:"lost"`
	// Damaged is where the damaged index was moved (delete it when
	// satisfied).
	Damaged string `json:"damaged"`
}

// Rebuild rebuilds the index in dir from what is intact in it: every block
// whose checksums hold (its events are read back exactly), blocks whose
// columns are damaged but lines intact (re-parsed with o.Parse), the
// deploy history and the checkpoints when readable. It writes a new index
// beside dir, moves the damaged one to dir + ".damaged-<time>" and the new
// one to dir, and reports what could not be recovered: lines lost per
// source (ingesting those sources again, if they are still on disk, brings
// them back), deploys, checkpoints. It takes the index exclusively.
//
// Cancelling ctx stops it between blocks: the new index is removed and dir
// is left as it was (still damaged), and the error is ctx's.
func Rebuild(ctx context.Context, dir string, o RebuildOptions) (RebuildReport, error) {
	var rep RebuildReport
	z, err := getCodec()
	if err != nil {
		return rep, err
	}
	old := &Index{dir: dir, z: z, ro: true, srcIDs: map[string]uint32{}, cache: newCache(8 << 20)}
	defer old.closeFiles()
	if _, err := os.Stat(dir); err != nil {
		return rep, fmt.Errorf("rebuild %s: %w", dir, err)
	}
	old.ro = false // exclusive lock
	if err := old.acquire(); err != nil {
		return rep, err
	}
	old.ro = true
	if err := old.openFiles(); err != nil {
		return rep, fmt.Errorf("rebuild %s: %w", dir, err)
	}
	man, _ := readManifest(dir)

	// Checkpoints, if bleve and its state are readable and intact.
	cps, cpErr := salvageCheckpoints(old, man)

	// Sources: every name that decodes.
	if old.srcF != nil {
		if b, err := os.ReadFile(old.path(sourcesFile)); err == nil {
			d := decoder{b: b}
			for len(d.b) > 0 {
				s := d.str()
				if d.err != nil {
					break
				}
				old.sources = append(old.sources, s)
			}
		}
	}

	tmp := dir + ".rebuild"
	if err := os.RemoveAll(tmp); err != nil {
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	nix, err := Open(tmp, Options{})
	if err != nil {
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	defer func() {
		if nix != nil {
			nix.Close()
			os.RemoveAll(tmp)
		}
	}()
	w, err := nix.NewWriter()
	if err != nil {
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	var recs []byte
	if old.idx != nil {
		recs, _ = os.ReadFile(old.path(idxFile))
	}
	lose := func(src string, m *blockMeta, why string) {
		rep.Lost = append(rep.Lost, LostLines{Source: src, First: m.firstLine, Last: m.lastLine, Lines: m.n, Why: why})
	}
	for i := 0; (i+1)*metaRecSize <= len(recs); i++ {
		if err := ctx.Err(); err != nil {
			w.Close()
			return RebuildReport{}, fmt.Errorf("rebuild stopped, %s left as it was: %w", dir, err)
		}
		var m blockMeta
		if err := m.unmarshal(recs[i*metaRecSize:]); err != nil {
			rep.Lost = append(rep.Lost, LostLines{Why: fmt.Sprintf("block %d: record damaged (%s)", i, idxFile)})
			continue
		}
		src := fmt.Sprintf("source #%d", m.src)
		if int(m.src) < len(old.sources) {
			src = old.sources[m.src]
		}
		evs, reparsed, err := recoverBlock(old, i, &m, src, o.Parse)
		if err != nil {
			lose(src, &m, err.Error())
			continue
		}
		for k := range evs {
			if err := w.Add(&evs[k]); err != nil {
				w.Close()
				return rep, fmt.Errorf("rebuild: %w", err)
			}
		}
		rep.Blocks++
		if reparsed {
			rep.Reparsed++
		}
	}
	// What was committed, by bleve's state or else the manifest: lines
	// whose block records are gone are lost too.
	committed := old.meta
	if cpErr != nil && man != nil {
		committed = man.Meta
	}
	if err := w.Commit(); err != nil {
		w.Close()
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	var accounted int64
	for _, l := range rep.Lost {
		accounted += int64(l.Lines)
	}
	recovered := nix.meta.Lines
	if missing := committed.Lines - recovered - accounted; missing > 0 {
		rep.Lost = append(rep.Lost, LostLines{Lines: int(missing), Why: fmt.Sprintf("block records missing from %s", idxFile)})
	}
	if len(rep.Lost) > 0 || cpErr != nil {
		rep.CheckpointsDropped, cps = true, nil
	}
	rep.Checkpoints = len(cps)
	if err := w.Commit(cps...); err != nil {
		w.Close()
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	if err := w.Close(); err != nil {
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	if raw, err := os.ReadFile(old.path(deploysFile)); err == nil {
		var ds []Deploy
		ok := json.Unmarshal(raw, &ds) == nil
		if man != nil {
			f, c := man.file(deploysFile), crc32.Checksum(raw, castagnoli)
			ok = ok && f != nil && (c == f.CRC || f.Alt != 0 && c == f.Alt)
		}
		if ok {
			if rep.Deploys, err = nix.AddDeploys(ds); err != nil {
				return rep, fmt.Errorf("rebuild: %w", err)
			}
		} else {
			rep.DeploysLost = true
		}
	} else if !errors.Is(err, fs.ErrNotExist) || man != nil && man.file(deploysFile) != nil {
		rep.DeploysLost = true
	}
	span, _ := nix.Span(context.Background())
	rep.Events = int64(span.Events)
	if err := nix.Close(); err != nil {
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	nix = nil
	rep.Damaged = fmt.Sprintf("%s.damaged-%s", dir, time.Now().UTC().Format("20060102T150405"))
	if err := os.Rename(dir, rep.Damaged); err != nil {
		return rep, fmt.Errorf("rebuild: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return rep, fmt.Errorf("rebuild: put the new index in place (it is in %s): %w", tmp, err)
	}
	return rep, syncDir(dir)
}

// recoverBlock reads back the events of block num: exactly if its columns
// and lines are intact (its word index and Bloom filter are derived data,
// rebuilt by the writer), else by re-parsing its lines when only its
// columns are damaged and its line numbers are consecutive.
func recoverBlock(ix *Index, num int, m *blockMeta, src string, parse func(string, [][]byte) []Event) (evs []Event, reparsed bool, err error) {
	defer recoverCorrupt(ix.dir, &err)
	evs, err = exactEvents(ix, num, m)
	if err == nil || parse == nil {
		return evs, false, err
	}
	if m.lastLine-m.firstLine+1 != int64(m.n) {
		return nil, false, errors.New("columns damaged and line numbers not consecutive")
	}
	off := m.off + int64(m.colsLen) + int64(m.wordsLen) + int64(m.digitsLen)
	raw, err := ix.readPart(ix.pack, packFile, fmt.Sprintf("block %d", num), off, int(m.payloadLen), false, 0)
	if err != nil {
		return nil, false, err
	}
	b, err := ix.z.decompress(raw) // concatenated frames, each with its zstd checksum
	if err != nil {
		return nil, false, err
	}
	var kws *[numKW]*kwColumn
	if m.v3 {
		// The lines' ids are in the columns (appendTemplated).
		cb, err := ix.readPart(ix.pack, packFile, fmt.Sprintf("block %d", num), m.off, int(m.colsLen), false, 0)
		if err != nil {
			return nil, false, err
		}
		if kws, err = salvageFrameKW(ix.z, cb, m.n); err != nil {
			return nil, false, err
		}
	}
	fr, err := decodeFrame(b, m.v3, m.n)
	if err != nil {
		return nil, false, err
	}
	if err := fr.withRaw(func() (*[numKW]*kwColumn, error) { return kws, nil }, 0); err != nil {
		return nil, false, err
	}
	if len(fr.lines) != m.n {
		return nil, false, fmt.Errorf("%d lines, want %d", len(fr.lines), m.n)
	}
	lines := make([][]byte, m.n)
	for i := range lines {
		lines[i] = fr.lines[i].raw
	}
	evs = parse(src, lines)
	if len(evs) != m.n {
		return nil, false, fmt.Errorf("parser returned %d events for %d lines", len(evs), m.n)
	}
	for i := range evs {
		evs[i].Source, evs[i].Line, evs[i].Raw = src, m.firstLine+int64(i), lines[i]
	}
	return evs, true, nil
}

// exactEvents reads back every event of block num from its columns and
// payload frames (both verified by their checksums).
func exactEvents(ix *Index, num int, m *blockMeta) ([]Event, error) {
	c, err := ix.loadCols(num, m)
	if err != nil {
		return nil, err
	}
	for f := range numKW {
		if _, err := c.kwc(f); err != nil {
			return nil, ix.damaged(packFile, "block %d column %s: %w", num, kwNames[f], err)
		}
	}
	evs := make([]Event, c.n)
	for i := range evs {
		if evs[i], err = ix.event(num, m, c, i); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// salvageCheckpoints reads the checkpoints from bleve if its state is
// intact.
func salvageCheckpoints(ix *Index, man *manifest) (cps []Checkpoint, err error) {
	defer recoverCorrupt(ix.dir, &err)
	bl, err := openBleve(ix.path(bleveDir), bleveConfig(true))
	if err != nil {
		return nil, err
	}
	defer bl.Close()
	ix.bl = bl
	defer func() { ix.bl = nil }()
	if err := ix.loadMeta(man); err != nil {
		return nil, err
	}
	adv, err := bl.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, errors.New("unexpected bleve reader")
	}
	bolt := path.Join(bleveDir, "store", "root.bolt")
	for k, v := range snap.Internal() {
		if !strings.HasPrefix(k, checkpointPrefix) {
			continue
		}
		raw, err := splitSum(v)
		if err != nil {
			return nil, ix.damaged(bolt, "checkpoint %q: %w", k, err)
		}
		var cp Checkpoint
		if err := json.Unmarshal(raw, &cp); err != nil {
			return nil, ix.damaged(bolt, "checkpoint %q: %w", k, err)
		}
		cps = append(cps, cp)
	}
	slices.SortFunc(cps, func(a, b Checkpoint) int { return strings.Compare(a.Key, b.Key) })
	return cps, nil
}
