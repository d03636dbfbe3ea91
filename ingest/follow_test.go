package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// waitFor polls cond until it holds, failing after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ids returns the request ids of the durable events, and fails on a
// duplicated line.
func ids(t *testing.T, f *fakeSink) []string {
	t.Helper()
	if d := f.lineDupes(); len(d) > 0 {
		t.Fatalf("duplicated lines: %v", d)
	}
	var out []string
	for _, ev := range f.events() {
		out = append(out, ev.RequestID)
	}
	slices.Sort(out)
	if c := slices.Compact(slices.Clone(out)); len(c) != len(out) {
		for _, ev := range f.events() {
			t.Logf("%s:%d %s", ev.Source, ev.Line, ev.RequestID)
		}
		t.Fatalf("a line was stored twice: %v", out)
	}
	return out
}

func want(tag string, first, n int) []string {
	var out []string
	for i := first; i < first+n; i++ {
		out = append(out, tag+"-"+itoa(i))
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func hasAll(f *fakeSink, ids ...[]string) func() bool {
	return func() bool {
		got := map[string]bool{}
		for _, ev := range f.events() {
			got[ev.RequestID] = true
		}
		for _, list := range ids {
			for _, id := range list {
				if !got[id] {
					return false
				}
			}
		}
		return true
	}
}

// Follow takes appends, a new file in a followed directory, a partial last
// line once completed, rotation by rename and by copytruncate, and an
// appended deploy, each line exactly once.
func TestFollow(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	app := filepath.Join(logs, "app.log")
	deploys := filepath.Join(dir, "deploys.jsonl")
	writeFile(t, app, jlines("a", 1, 3))
	writeFile(t, deploys, `{"deployed_at":"2026-11-25T09:00:00Z","service":"orders","version":"v1"}`+"\n")

	sink := newFakeSink()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	var initial Summary
	inited := make(chan struct{})
	go func() {
		_, err := Follow(ctx, Options{Paths: []string{logs}, Deploys: []string{deploys}}, sink,
			FollowOptions{Poll: 10 * time.Millisecond, Initial: func(s Summary) { initial = s; close(inited) }})
		done <- err
	}()
	<-inited
	if initial.Events != 3 || initial.Deploys != 1 {
		t.Fatalf("first pass: %d events, %d deploys; want 3, 1", initial.Events, initial.Deploys)
	}
	all := want("a", 1, 3)

	// Appended lines.
	appendFile(t, app, jlines("a", 4, 2))
	all = append(all, want("a", 4, 2)...)
	waitFor(t, "appended lines", hasAll(sink, all))

	// A partial last line waits for its newline; a file appearing in the
	// directory is taken (once it is, the partial line was seen too).
	partial := jline("a", 6)
	appendFile(t, app, partial[:20])
	writeFile(t, filepath.Join(logs, "new.log"), jlines("n", 1, 2))
	all = append(all, want("n", 1, 2)...)
	waitFor(t, "a new file", hasAll(sink, all))
	if slices.Contains(ids(t, sink), "a-6") {
		t.Fatal("a partial line was stored before its newline")
	}
	appendFile(t, app, partial[20:]+"\n")
	all = append(all, "a-6")
	waitFor(t, "a completed line", hasAll(sink, all))

	// Rotation by rename: the last lines of the old file, then a new file
	// under the name.
	appendFile(t, app, jlines("a", 7, 2))
	if err := os.Rename(app, app+".1"); err != nil {
		t.Fatal(err)
	}
	// (Longer than the 4 KiB that identify a content, as a real log is,
	// so that its copy below is recognised.)
	writeFile(t, app, jlines("b", 1, 60))
	all = append(all, append(want("a", 7, 2), want("b", 1, 60)...)...)
	waitFor(t, "a rename rotation", hasAll(sink, all))

	// Rotation by copytruncate: a copy is made, the file truncated in
	// place and written again.
	appendFile(t, app, jlines("b", 61, 1))
	data, err := os.ReadFile(app)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, app+".2", string(data))
	if err := os.Truncate(app, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, app, jlines("c", 1, 2))
	all = append(all, append([]string{"b-61"}, want("c", 1, 2)...)...)
	waitFor(t, "a copytruncate rotation", hasAll(sink, all))

	// An appended deploy.
	f, err := os.OpenFile(deploys, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"deployed_at":"2026-11-25T10:00:00Z","service":"orders","version":"v2"}` + "\n")
	f.Close()
	waitFor(t, "an appended deploy", func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return len(sink.deploys) == 2
	})

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow ended with %v, want context.Canceled", err)
	}
	slices.Sort(all)
	if got := ids(t, sink); !slices.Equal(got, all) {
		t.Fatalf("stored %v\nwant %v", got, all)
	}
}

// A followed stream is committed while it is still open, without waiting
// for the line thresholds, and ends cleanly when cancelled.
func TestFollowStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sink := newFakeSink()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	var fs FollowSummary
	go func() {
		var err error
		fs, err = Follow(ctx, Options{Paths: []string{"-"}, Stdin: r}, sink, FollowOptions{Poll: 10 * time.Millisecond})
		done <- err
	}()
	// The stream's identity is its first 4 KiB: write more than that.
	first := jlines("s", 1, 60)
	if len(first) <= headSize {
		t.Fatalf("first burst %d bytes, want more than %d", len(first), headSize)
	}
	w.WriteString(first)
	waitFor(t, "the first burst committed", func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return len(sink.durable) == 60
	})
	w.WriteString(jlines("s", 61, 1))
	waitFor(t, "one more line committed", func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return len(sink.durable) == 61
	})
	// The end of the stream, when it is the only path, ends Follow.
	w.Close()
	if err := <-done; err != nil {
		t.Fatalf("Follow ended with %v", err)
	}
	cancel()
	if fs.Events != 61 || fs.Lines != 61 {
		t.Errorf("followed %d events, %d lines; want 61, 61", fs.Events, fs.Lines)
	}
	if got := ids(t, sink); len(got) != 61 {
		t.Fatalf("stored %d lines, want 61", len(got))
	}
}

// gateSink is a Sink whose Commit waits for the test to release it, and
// which logs the order of calls.
type gateSink struct {
	mu      sync.Mutex
	log     []string
	cps     map[string]index.Checkpoint
	release chan error
	started chan struct{}
}

func (g *gateSink) note(s string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.log = append(g.log, s)
}

func (g *gateSink) Checkpoint(key string) (index.Checkpoint, bool, error) {
	g.note("checkpoint " + key)
	g.mu.Lock()
	defer g.mu.Unlock()
	cp, ok := g.cps[key]
	return cp, ok, nil
}

func (g *gateSink) Add(ev *index.Event) error { g.note("add"); return nil }

func (g *gateSink) Commit(cps ...index.Checkpoint) error {
	g.note("commit start")
	g.started <- struct{}{}
	err := <-g.release
	g.mu.Lock()
	for _, cp := range cps {
		g.cps[cp.Key] = cp
	}
	g.mu.Unlock()
	g.note("commit end")
	return err
}

func (g *gateSink) AddDeploys(ds []index.Deploy) (int, error) { return 0, nil }

// Follow's sink commits in the background: Commit returns at once, the
// checkpoint the commit carries is answered from it meanwhile, every other
// call waits for the commit, and a failed commit fails what follows.
func TestLockedSinkCommitsInBackground(t *testing.T) {
	g := &gateSink{cps: map[string]index.Checkpoint{}, release: make(chan error), started: make(chan struct{}, 1)}
	l := &lockedSink{s: g}
	cps := []index.Checkpoint{{Key: "a", Offset: 10, State: []byte(`{"x":1}`)}}
	if err := l.Commit(cps...); err != nil {
		t.Fatal(err)
	}
	<-g.started
	cps[0].Offset, cps[0].State[0] = 99, 'X' // the caller reuses its slice
	cp, ok, err := l.Checkpoint("a")
	if err != nil || !ok || cp.Offset != 10 || string(cp.State) != `{"x":1}` {
		t.Fatalf("checkpoint in flight = %+v, %v, %v; want offset 10, state {\"x\":1}", cp, ok, err)
	}
	added := make(chan error)
	go func() { added <- l.Add(&index.Event{}) }()
	g.release <- nil
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	if err := l.wait(); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	got, stored := slices.Clone(g.log), g.cps["a"]
	g.mu.Unlock()
	if want := []string{"commit start", "commit end", "add"}; !slices.Equal(got, want) {
		t.Fatalf("calls %q, want %q (the add waits for the commit; the checkpoint in flight does not reach the sink)", got, want)
	}
	if stored.Offset != 10 || string(stored.State) != `{"x":1}` {
		t.Fatalf("committed %+v: the caller's later changes reached the commit", stored)
	}

	// A failed commit fails the calls after it, and wait.
	boom := errors.New("disk full")
	if err := l.Commit(index.Checkpoint{Key: "b"}); err != nil {
		t.Fatal(err)
	}
	<-g.started
	g.release <- boom
	if err := l.Add(&index.Event{}); !errors.Is(err, boom) {
		t.Fatalf("Add after a failed commit: %v, want %v", err, boom)
	}
	if _, _, err := l.Checkpoint("a"); !errors.Is(err, boom) {
		t.Fatalf("Checkpoint after a failed commit: %v, want %v", err, boom)
	}
	if err := l.wait(); !errors.Is(err, boom) {
		t.Fatalf("wait after a failed commit: %v, want %v", err, boom)
	}
}
