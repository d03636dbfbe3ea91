package index

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCheckBolt: an intact root.bolt passes; one cut short (which would
// make bbolt fault past its mapping, killing the process) is an error.
func TestCheckBolt(t *testing.T) {
	evs, _ := synthCorpus(2000, 3)
	ix := buildIndex(t, evs, 500)
	dir := ix.Dir()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	bpath := filepath.Join(dir, bleveDir)
	if err := checkBolt(bpath); err != nil {
		t.Fatalf("intact root.bolt: %v", err)
	}
	file := filepath.Join(bpath, "store", "root.bolt")
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	// bbolt grows its file ahead of use, so a cut may fall in unused
	// pages; three pages is short of any database (two meta pages, a
	// freelist and a root page at the least).
	cut := int64(3 * 4096)
	if err := os.Truncate(file, cut); err != nil {
		t.Fatal(err)
	}
	if err := checkBolt(bpath); err == nil {
		t.Fatalf("root.bolt cut from %d to %d bytes passed", st.Size(), cut)
	}
}
