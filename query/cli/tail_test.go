package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// syncBuffer is an Out written by a following command while the test reads
// it; failAfter > 0 makes writes fail with EPIPE after that many lines (a
// pipe whose reader went away).
type syncBuffer struct {
	mu        sync.Mutex
	b         bytes.Buffer
	failAfter int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAfter > 0 && strings.Count(s.b.String(), "\n") >= s.failAfter {
		return 0, syscall.EPIPE
	}
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Fields(s.b.String())
}

func waitLines(t *testing.T, out *syncBuffer, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := out.lines()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d lines, have %q", n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func addAt(t *testing.T, w WriteStore, line int, at time.Time) {
	t.Helper()
	ev := index.Event{Time: at, Level: "error", Message: "boom", Service: "api", Source: "late.log", Line: int64(line), Raw: fmt.Appendf(nil, `{"late":%d}`, line)}
	if err := w.Add(&ev); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

// search --follow --json prints the newest --limit matches oldest first,
// then each new match once, a late-stamped one too, and ends with exit 130
// on Ctrl-C.
func TestSearchFollow(t *testing.T) {
	defer func(p time.Duration) { tailPoll = p }(tailPoll)
	tailPoll = 10 * time.Millisecond
	dir := t.TempDir()
	w, err := OpenIndexWrite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	addEvents(t, w, 0, 3)

	out := &syncBuffer{}
	env := &Env{Out: out, Err: &syncBuffer{}, In: strings.NewReader(""), Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(t.Context())
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, []string{"--index", dir, "search", "--follow", "--json", "--limit", "2", "boom"}, env)
	}()

	want := []string{`{"n":2}`, `{"n":3}`}
	if got := waitLines(t, out, 2); !equal(got, want) {
		t.Fatalf("first lines %q, want %q", got, want)
	}
	addEvents(t, w, 3, 2)
	want = append(want, `{"n":4}`, `{"n":5}`)
	if got := waitLines(t, out, 4); !equal(got, want) {
		t.Fatalf("after an append %q, want %q", got, want)
	}
	// Stamped before the newest match, arriving later: shown once.
	addAt(t, w, 1, time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	want = append(want, `{"late":1}`)
	if got := waitLines(t, out, 5); !equal(got, want) {
		t.Fatalf("after a late line %q, want %q", got, want)
	}
	addEvents(t, w, 5, 1)
	want = append(want, `{"n":6}`)
	if got := waitLines(t, out, 6); !equal(got, want) {
		t.Fatalf("after another append %q, want %q", got, want)
	}
	cancel()
	if c := <-code; c != 130 {
		t.Fatalf("exit %d after Ctrl-C, want 130", c)
	}
}

// search --follow ends quietly (exit 0) when its output pipe is closed.
func TestSearchFollowClosedPipe(t *testing.T) {
	defer func(p time.Duration) { tailPoll = p }(tailPoll)
	tailPoll = 10 * time.Millisecond
	dir := t.TempDir()
	w, err := OpenIndexWrite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	addEvents(t, w, 0, 1)
	out := &syncBuffer{failAfter: 1}
	env := &Env{Out: out, Err: &syncBuffer{}, In: strings.NewReader(""), Getenv: func(string) string { return "" }}
	code := make(chan int, 1)
	go func() {
		code <- Run(t.Context(), []string{"--index", dir, "search", "--follow", "--json", "boom"}, env)
	}()
	waitLines(t, out, 1)
	addEvents(t, w, 1, 1)
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit %d after the pipe closed, want 0", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("search --follow did not end when its output closed")
	}
}

func equal(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }
