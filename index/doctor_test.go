package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// flipByte flips one byte of the file name in dir at off.
func flipByte(t *testing.T, dir, name string, off int64) {
	t.Helper()
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x5a
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// colsPart returns the offset in blocks.pack and the length of part k of
// block m's cols (0: the core, 1+f: keyword column f).
func colsPart(t *testing.T, dir string, m blockMeta, k int) (int64, int) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, packFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, m.colsLen)
	if _, err := f.ReadAt(b, m.off); err != nil {
		t.Fatal(err)
	}
	d := decoder{b: b}
	lens := make([]uint64, d.uvarint())
	for i := range lens {
		lens[i] = d.uvarint()
	}
	off := int64(len(b) - len(d.b))
	for i := range k {
		off += int64(lens[i])
	}
	if d.err != nil || k >= len(lens) {
		t.Fatalf("cols header of block at %d: %v", m.off, d.err)
	}
	return m.off + off, int(lens[k])
}

// TestRebuildReport: Rebuild keeps every intact block exactly, re-parses a
// block whose columns are damaged (with a parser), and reports the lines of
// a block whose lines are damaged as lost, by source and line range; the
// lines of a block whose request ids are damaged are lost too (format 3
// lines hold them by reference).
func TestRebuildReport(t *testing.T) {
	evs, _ := synthCorpus(1500, 7)
	ix := buildIndex(t, evs, 0)
	dir := ix.Dir()
	blocks, _, _ := ix.snapshot()
	if len(blocks) < 5 {
		t.Fatalf("%d blocks, want at least 5", len(blocks))
	}
	lostB, colsB, idsB := blocks[1], blocks[2], blocks[3]
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// A byte of block 1's last payload frame, of block 2's core columns,
	// and of block 3's request ids.
	flipByte(t, dir, packFile, lostB.off+int64(lostB.colsLen+lostB.wordsLen+lostB.digitsLen+lostB.payloadLen)-3)
	off, n := colsPart(t, dir, colsB, 0)
	flipByte(t, dir, packFile, off+int64(n)/2)
	off, n = colsPart(t, dir, idsB, 1+kRequestID)
	flipByte(t, dir, packFile, off+int64(n)/2)

	probs, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 3 || probs[0].File != packFile || probs[1].File != packFile || probs[2].File != packFile {
		t.Errorf("Check = %v, want three problems in %s", probs, packFile)
	}
	parsed := 0
	rep, err := Rebuild(t.Context(), dir, RebuildOptions{Parse: func(source string, lines [][]byte) []Event {
		parsed += len(lines)
		out := make([]Event, len(lines))
		for i, l := range lines {
			out[i] = Event{Message: string(l), Text: true}
		}
		return out
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(rep.Damaged)
	if len(rep.Lost) != 2 || rep.Lost[0].Source != evs[0].Source || rep.Lost[0].First != lostB.firstLine ||
		rep.Lost[0].Last != lostB.lastLine || rep.Lost[0].Lines != lostB.n ||
		rep.Lost[1].First != idsB.firstLine || rep.Lost[1].Last != idsB.lastLine || rep.Lost[1].Lines != idsB.n {
		t.Errorf("Lost = %+v, want block 1: %s lines %d-%d (%d), block 3: lines %d-%d (%d)", rep.Lost, evs[0].Source,
			lostB.firstLine, lostB.lastLine, lostB.n, idsB.firstLine, idsB.lastLine, idsB.n)
	}
	if rep.Reparsed != 1 || parsed != colsB.n {
		t.Errorf("Reparsed = %d (%d lines), want 1 block of %d lines", rep.Reparsed, parsed, colsB.n)
	}
	if want := int64(len(evs) - lostB.n - idsB.n); rep.Events != want || !rep.CheckpointsDropped {
		t.Errorf("Events = %d, CheckpointsDropped = %v; want %d, true", rep.Events, rep.CheckpointsDropped, want)
	}
	nix, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer nix.Close()
	res, err := nix.Find(t.Context(), Filter{}, FindOptions{Limit: len(evs)})
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int64]Event{}
	for _, e := range res.Events {
		byLine[e.Line] = e
	}
	for _, e := range evs {
		got, ok := byLine[e.Line]
		switch {
		case e.Line >= lostB.firstLine && e.Line <= lostB.lastLine, e.Line >= idsB.firstLine && e.Line <= idsB.lastLine:
			if ok {
				t.Errorf("line %d of the lost block is in the rebuilt index", e.Line)
			}
		case !ok:
			t.Errorf("line %d missing after Rebuild", e.Line)
		case string(got.Raw) != string(e.Raw):
			t.Errorf("line %d: raw %q, want %q", e.Line, got.Raw, e.Raw)
		case e.Line >= colsB.firstLine && e.Line <= colsB.lastLine:
			if !got.Text || got.Message != string(e.Raw) {
				t.Errorf("line %d of the re-parsed block: %+v, want the parser's event", e.Line, got)
			}
		case got.RequestID != e.RequestID || !got.Time.Equal(e.Time) || got.Service != e.Service:
			t.Errorf("line %d: %+v, want %+v", e.Line, got, e)
		}
	}
}

// TestRebuildCancelled: a cancelled Rebuild (Ctrl-C in doctor --rebuild)
// leaves the damaged index where it was, still reported damaged, and
// nothing beside it.
func TestRebuildCancelled(t *testing.T) {
	evs, _ := synthCorpus(1500, 7)
	ix := buildIndex(t, evs, 0)
	dir := ix.Dir()
	blocks, _, _ := ix.snapshot()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	b := blocks[1]
	flipByte(t, dir, packFile, b.off+int64(b.colsLen+b.wordsLen+b.digitsLen+b.payloadLen)-3)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Rebuild(ctx, dir, RebuildOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Rebuild after cancel = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(dir + ".rebuild"); !os.IsNotExist(err) {
		t.Errorf("the half-built index is left beside the damaged one: %v", err)
	}
	probs, err := Check(dir)
	if err != nil || len(probs) != 1 {
		t.Errorf("Check after a cancelled rebuild = %v, %v; want the one problem still there", probs, err)
	}
}
