package ingest

import (
	"fmt"

	"github.com/culprit-dev/culprit/index"
)

// IndexSink is the Sink of a culprit index: events go through the index's
// writer (which skips lines it already holds), checkpoints are read from and
// committed to the index, deploys are added to its history.
type IndexSink struct {
	ix *index.Index
	w  *index.Writer
}

// NewIndexSink starts a writer on ix, which must be open for writing. Close
// the sink when done: what was not committed is discarded.
func NewIndexSink(ix *index.Index) (*IndexSink, error) {
	w, err := ix.NewWriter()
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	return &IndexSink{ix: ix, w: w}, nil
}

// Checkpoint returns the committed checkpoint of a source.
func (s *IndexSink) Checkpoint(key string) (index.Checkpoint, bool, error) {
	return s.ix.Checkpoint(key)
}

// Add adds an event through the writer.
func (s *IndexSink) Add(ev *index.Event) error { return s.w.Add(ev) }

// Commit makes the events added so far durable with the checkpoints.
func (s *IndexSink) Commit(cps ...index.Checkpoint) error { return s.w.Commit(cps...) }

// AddDeploys adds deploys to the index's history.
func (s *IndexSink) AddDeploys(ds []index.Deploy) (int, error) { return s.ix.AddDeploys(ds) }

// Close stops the writer; the index stays open.
func (s *IndexSink) Close() error { return s.w.Close() }
