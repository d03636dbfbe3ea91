package index

import (
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

// TestRebuildReport: Rebuild keeps every intact block exactly, re-parses a
// block whose columns are damaged (with a parser), and reports the lines of
// a block whose lines are damaged as lost, by source and line range.
func TestRebuildReport(t *testing.T) {
	evs, _ := synthCorpus(1500, 7)
	ix := buildIndex(t, evs, 0)
	dir := ix.Dir()
	blocks, _, _ := ix.snapshot()
	if len(blocks) < 4 {
		t.Fatalf("%d blocks, want at least 4", len(blocks))
	}
	lostB, colsB := blocks[1], blocks[2]
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// A byte of block 1's last payload frame, and of block 2's columns.
	flipByte(t, dir, packFile, lostB.off+int64(lostB.colsLen+lostB.wordsLen+lostB.digitsLen+lostB.payloadLen)-3)
	flipByte(t, dir, packFile, colsB.off+int64(colsB.colsLen)/2)

	probs, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 2 || probs[0].File != packFile || probs[1].File != packFile {
		t.Errorf("Check = %v, want two problems in %s", probs, packFile)
	}
	parsed := 0
	rep, err := Rebuild(dir, RebuildOptions{Parse: func(source string, lines [][]byte) []Event {
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
	if len(rep.Lost) != 1 || rep.Lost[0].Source != evs[0].Source || rep.Lost[0].First != lostB.firstLine ||
		rep.Lost[0].Last != lostB.lastLine || rep.Lost[0].Lines != lostB.n {
		t.Errorf("Lost = %+v, want block 1: %s lines %d-%d (%d)", rep.Lost, evs[0].Source, lostB.firstLine, lostB.lastLine, lostB.n)
	}
	if rep.Reparsed != 1 || parsed != colsB.n {
		t.Errorf("Reparsed = %d (%d lines), want 1 block of %d lines", rep.Reparsed, parsed, colsB.n)
	}
	if want := int64(len(evs) - lostB.n); rep.Events != want || !rep.CheckpointsDropped {
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
		case e.Line >= lostB.firstLine && e.Line <= lostB.lastLine:
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
