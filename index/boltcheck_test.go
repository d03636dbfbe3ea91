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
	if err := os.Truncate(file, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	if err := checkBolt(bpath); err == nil {
		t.Fatalf("root.bolt cut from %d to %d bytes passed", st.Size(), st.Size()/2)
	}
}
