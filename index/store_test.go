package index_test

import (
	"testing"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/storetest"
)

// The bleve store keeps the store contract: the corpus is written through
// a Writer (in small batches, so that a source spans several commits) and
// AddDeploys, then read back from a fresh read-only Open of the directory.
func TestStoreContract(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T, evs []model.Event, ds []model.Deploy) storetest.Store {
		dir := t.TempDir()
		ix, err := index.Open(dir, index.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w, err := ix.NewWriter()
		if err != nil {
			t.Fatal(err)
		}
		for i := range evs {
			if err := w.Add(&evs[i]); err != nil {
				t.Fatal(err)
			}
			if i%5 == 4 {
				if err := w.Commit(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := ix.AddDeploys(ds); err != nil {
			t.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
		ro, err := index.Open(dir, index.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ro.Close() })
		return ro
	})
}
