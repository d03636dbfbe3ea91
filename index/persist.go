package index

import (
	"fmt"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// The writer's bleve index uses unsafe batches: Batch returns once the
// documents are searchable in memory, and scorch's persister writes them to
// disk in the background, merging small segments in memory first. A commit
// waits for its batch's persisted callback, so it is durable when Commit
// returns (the persister persists snapshots in order, so everything before
// it is durable too). Intermediate batches may lag at most persistLag
// batches behind, which bounds memory. If the persister fails it reports
// through the async error callback registered below, and the waiting
// commit fails instead of waiting forever.

const asyncErrorCallback = "culprit-index"

// persistLag is how many intermediate batches may await persistence.
const persistLag = 2

var (
	asyncMu   sync.Mutex
	asyncErrs = map[string]chan error{} // by scorch store path
)

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		asyncMu.Lock()
		ch := asyncErrs[filepath.Clean(path)]
		asyncMu.Unlock()
		if ch != nil {
			select {
			case ch <- err:
			default: // one pending error is enough
			}
		}
	}
}

// watchAsyncErrors returns the channel on which the bleve index at path
// reports background errors, and a function to stop watching.
func watchAsyncErrors(path string) (<-chan error, func()) {
	key := filepath.Clean(filepath.Join(path, "store"))
	ch := make(chan error, 1)
	asyncMu.Lock()
	asyncErrs[key] = ch
	asyncMu.Unlock()
	return ch, func() {
		asyncMu.Lock()
		if asyncErrs[key] == ch {
			delete(asyncErrs, key)
		}
		asyncMu.Unlock()
	}
}

// pendingBatch is an applied batch awaiting persistence.
type pendingBatch chan error

// applyBatch applies b and returns a channel that yields once b is durable.
func (ix *Index) applyBatch(b *bleve.Batch) (pendingBatch, error) {
	done := make(pendingBatch, 1)
	b.SetPersistedCallback(func(err error) { done <- err })
	if err := ix.bl.Batch(b); err != nil {
		return nil, err
	}
	return done, nil
}

// wait blocks until the batch is durable or bleve reports a background
// error.
func (ix *Index) waitPersisted(p pendingBatch) error {
	select {
	case err := <-p:
		return err
	case err := <-ix.asyncErr:
		return fmt.Errorf("persist index: %w", err)
	}
}
