package ingest

import "github.com/culprit-dev/culprit/index"

// Sink is what ingest needs from the index. NewIndexSink adapts an
// *index.Index; tests use a fake.
type Sink interface {
	// Checkpoint returns the committed checkpoint of a source key, and
	// whether there is one.
	Checkpoint(key string) (index.Checkpoint, bool, error)
	// Add queues one event. The pipeline reuses *ev for the next line, so
	// Add must copy what it keeps of the struct; ev.Raw and the strings are
	// never modified afterwards and may be kept.
	//
	// Adding an event that is already in the sink (same Source, Line and
	// Raw, committed or not) is a no-op, so re-reading lines never
	// duplicates them. Events added after the last Commit may be lost in a
	// crash; the checkpoints make the next run add them again.
	Add(ev *index.Event) error
	// Commit makes every event added so far durable together with the
	// checkpoints, atomically: after a crash, a checkpoint is never ahead
	// of the events it covers.
	Commit(cps ...index.Checkpoint) error
	// AddDeploys adds deploys (identical records are not duplicated) and
	// returns how many were new.
	AddDeploys(ds []index.Deploy) (int, error)
}
