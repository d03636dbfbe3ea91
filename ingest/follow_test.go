package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
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
