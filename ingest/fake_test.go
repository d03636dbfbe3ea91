package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/culprit-dev/culprit/index"
)

// fakeSink is an in-memory Sink that behaves like the index writer: events
// are identified by (Source, Line, Raw) and adding one already there is a
// no-op; added events are queued, written (durable, without a checkpoint)
// every flushEvery adds, and committed with checkpoints by Commit. A failed
// Add drops what was queued, as kill -9 would.
type fakeSink struct {
	mu         sync.Mutex
	durable    map[string]index.Event // by evID
	queued     []index.Event
	cps        map[string]index.Checkpoint
	deploys    []index.Deploy
	adds       int // Add calls, all runs
	commits    int
	flushEvery int         // 0: only Commit writes
	failAfter  int         // >0: Add fails once this many adds were made
	onAdd      func(n int) // called after each add with the count
	added      []string    // IDs in Add order, all runs
	commitErr  error       // returned by Commit when set
}

func newFakeSink() *fakeSink {
	return &fakeSink{durable: map[string]index.Event{}, cps: map[string]index.Checkpoint{}}
}

var errCrash = errors.New("simulated crash")

func evID(ev *index.Event) string { return fmt.Sprintf("%s:%d:%s", ev.Source, ev.Line, ev.Raw) }

func (f *fakeSink) Checkpoint(key string) (index.Checkpoint, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp, ok := f.cps[key]
	return cp, ok, nil
}

func (f *fakeSink) Add(ev *index.Event) error {
	f.mu.Lock()
	if f.failAfter > 0 && f.adds >= f.failAfter {
		f.queued = nil // the process dies: the queue is lost
		f.mu.Unlock()
		return errCrash
	}
	f.adds++
	n := f.adds
	f.queued = append(f.queued, *ev)
	f.added = append(f.added, evID(ev))
	if f.flushEvery > 0 && len(f.queued) >= f.flushEvery {
		f.flushLocked()
	}
	hook := f.onAdd
	f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return nil
}

func (f *fakeSink) flushLocked() {
	for i := range f.queued {
		f.durable[evID(&f.queued[i])] = f.queued[i]
	}
	f.queued = nil
}

func (f *fakeSink) Commit(cps ...index.Checkpoint) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.commitErr != nil {
		return f.commitErr
	}
	f.flushLocked()
	for _, cp := range cps {
		f.cps[cp.Key] = cp
	}
	f.commits++
	return nil
}

func (f *fakeSink) AddDeploys(ds []index.Deploy) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, d := range ds {
		if !slices.ContainsFunc(f.deploys, func(x index.Deploy) bool { return x == d }) {
			f.deploys = append(f.deploys, d)
			n++
		}
	}
	return n, nil
}

// restart simulates a new process on the same index: the queue is gone,
// durable events and checkpoints stay, failures are cleared.
func (f *fakeSink) restart() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queued, f.failAfter, f.onAdd, f.commitErr = nil, 0, nil, nil
}

// events returns the durable events sorted by source and line.
func (f *fakeSink) events() []index.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	evs := slices.Collect(maps.Values(f.durable))
	slices.SortFunc(evs, func(a, b index.Event) int {
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return int(a.Line - b.Line)
	})
	return evs
}

// lineDupes lists the (Source, Line) pairs held by more than one event.
func (f *fakeSink) lineDupes() []string {
	seen := map[string]int{}
	var out []string
	for _, ev := range f.events() {
		k := fmt.Sprintf("%s:%d", ev.Source, ev.Line)
		if seen[k]++; seen[k] == 2 {
			out = append(out, k)
		}
	}
	return out
}

// bySource counts durable events per Source.
func (f *fakeSink) bySource() map[string]int {
	out := map[string]int{}
	for _, ev := range f.events() {
		out[ev.Source]++
	}
	return out
}

func bufioReader(s string) *bufio.Reader {
	return bufio.NewReaderSize(strings.NewReader(s), readBufSize)
}
