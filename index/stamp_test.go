//go:build linux

package index

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReaderTrustsStampedSegments: a reader reads no segment in full when
// the manifest's stamps match the files; a segment rewritten since (a
// flipped byte written by any program changes its stamp) is read in full
// and reported at Open; damage that leaves the stamp alone (bit rot below
// the file system, simulated here by re-stamping the manifest) is not seen
// by readers but is reported by Check (culprit doctor).
func TestReaderTrustsStampedSegments(t *testing.T) {
	evs, _ := synthCorpus(3000, 5)
	ix := buildIndex(t, evs, 700)
	dir := ix.Dir()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "bleve", "store", "*.zap"))
	if len(segs) == 0 {
		t.Fatal("no segment")
	}
	read := 0 // segments the last open read in full
	open := func() error {
		r, err := Open(dir, Options{ReadOnly: true})
		if err == nil {
			read = r.segmentsRead
			r.Close()
		}
		return err
	}
	// A merge that bleve finishes while the writer closes can introduce a
	// segment after the writer's last manifest; a reader then reads that
	// one in full (correctly: it carries no stamp). Each writer open and
	// close stamps what is there, and with no new data the merges settle.
	for try := 0; ; try++ {
		if err := open(); err != nil {
			t.Fatal(err)
		}
		if read == 0 {
			break
		}
		if try == 5 {
			t.Fatalf("a reader still read %d segments in full after %d writer opens: stamps do not cover a settled index", read, try)
		}
		w, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// The segments in use (a merged-away file may linger on disk).
	r, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	inUse, err := r.segmentFiles()
	r.Close()
	if err != nil || len(inUse) == 0 {
		t.Fatalf("segments in use: %v, %v", inUse, err)
	}
	segs = segs[:0]
	for _, name := range inUse {
		segs = append(segs, filepath.Join(dir, filepath.FromSlash(name)))
	}

	// The largest segment, a byte flipped in its middle and written back.
	big := segs[0]
	for _, s := range segs {
		if a, b := fileSize(t, s), fileSize(t, big); a > b {
			big = s
		}
	}
	b, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(big, b, 0o600); err != nil {
		t.Fatal(err)
	}
	err = open()
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.HasSuffix(ce.File, filepath.Base(big)) {
		t.Fatalf("open after a rewrite of %s: %v, want it named as damaged", filepath.Base(big), err)
	}

	// Re-stamp: as if the byte had rotted without any write.
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	var man manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(big)
	if err != nil {
		t.Fatal(err)
	}
	for i := range man.Files {
		if strings.HasSuffix(man.Files[i].Name, filepath.Base(big)) {
			man.Files[i].Stamp = fileStamp(st)
		}
	}
	man.Sum = man.sum()
	raw, _ = json.MarshalIndent(&man, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, manifestName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := open(); err != nil {
		t.Fatalf("open with a matching stamp: %v (readers do not read stamped segments)", err)
	}
	probs, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range probs {
		found = found || strings.HasSuffix(p.File, filepath.Base(big))
	}
	if !found {
		t.Fatalf("Check did not report the damaged segment: %v", probs)
	}
}

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
