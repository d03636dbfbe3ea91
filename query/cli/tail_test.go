package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/tui"
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
	return strings.FieldsFunc(s.b.String(), func(r rune) bool { return r == '\n' })
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
	t.Cleanup(func() { w.Close() })
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
	t.Cleanup(func() { w.Close() })
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

// search --follow on a real pipe ends (exit 0) when the reader goes away
// even though nothing new arrives to write (`... | head -1`).
func TestSearchFollowReaderGoneNoNewMatch(t *testing.T) {
	defer func(p time.Duration) { tailPoll = p }(tailPoll)
	tailPoll = 10 * time.Millisecond
	dir := t.TempDir()
	w, err := OpenIndexWrite(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	addEvents(t, w, 0, 1)
	r, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	env := &Env{Out: pw, Err: &syncBuffer{}, In: strings.NewReader(""), Getenv: func(string) string { return "" }}
	_, code := startRun(t, []string{"--index", dir, "search", "--follow", "--json", "boom"}, env)
	buf := make([]byte, 1)
	if _, err := r.Read(buf); err != nil { // the first match is out
		t.Fatal(err)
	}
	r.Close()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit %d after the reader went away, want 0", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("search --follow kept running after its reader went away")
	}
}

// startRun runs culprit in the background; when the test ends, the run is
// cancelled and waited for before the index (closed by earlier deferred
// calls) goes away. The exit code is sent on the channel.
func startRun(t *testing.T, args []string, env *Env) (context.CancelFunc, <-chan int) {
	ctx, cancel := context.WithCancel(t.Context())
	code := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		code <- Run(ctx, args, env)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return cancel, code
}

func equal(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") }

func addError(t *testing.T, w WriteStore, line int, fp string) {
	t.Helper()
	ev := index.Event{Time: time.Date(2026, 12, 4, 10, 0, line, 0, time.UTC), Level: "error", Message: "boom " + fp, Service: "api",
		Status: 500, IsError: true, Fingerprint: fp, ErrorType: "E" + fp, RequestID: fmt.Sprintf("r-%d", line),
		Source: "err.log", Line: int64(line), Raw: fmt.Appendf(nil, `{"e":%d}`, line)}
	if err := w.Add(&ev); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

// errors --follow --json prints the groups, then a group again each time
// new data changes it, and a new group when it appears.
func TestErrorsFollow(t *testing.T) {
	defer func(p time.Duration) { tailPoll = p }(tailPoll)
	tailPoll = 10 * time.Millisecond
	dir := t.TempDir()
	w, err := OpenIndexWrite(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	addError(t, w, 1, "aaaa")
	out := &syncBuffer{}
	env := &Env{Out: out, Err: &syncBuffer{}, In: strings.NewReader(""), Getenv: func(string) string { return "" }}
	cancel, code := startRun(t, []string{"--index", dir, "errors", "--follow", "--json"}, env)
	check := func(n int, fp string, count int) {
		t.Helper()
		got := waitLines(t, out, n)
		var g struct {
			Fingerprint string `json:"fingerprint"`
			Count       int    `json:"count"`
		}
		if err := json.Unmarshal([]byte(got[n-1]), &g); err != nil || g.Fingerprint != fp || g.Count != count {
			t.Fatalf("line %d = %s (%v), want group %s with count %d", n, got[n-1], err, fp, count)
		}
		if len(got) != n {
			t.Fatalf("%d lines, want %d: %q", len(got), n, got)
		}
	}
	check(1, "aaaa", 1)
	addError(t, w, 2, "aaaa")
	check(2, "aaaa", 2)
	addError(t, w, 3, "bbbb")
	check(3, "bbbb", 1)
	cancel()
	if c := <-code; c != 130 {
		t.Fatalf("exit %d after Ctrl-C, want 130", c)
	}
}

// tui --follow ingests the paths before the TUI starts, and a line appended
// while the TUI runs reaches its queries; another process can read the
// index meanwhile.
func TestTUIFollow(t *testing.T) {
	dir := t.TempDir()
	idx, logs := filepath.Join(dir, "idx"), filepath.Join(dir, "logs")
	app := filepath.Join(logs, "app.log")
	line := func(i int) string {
		return fmt.Sprintf(`{"time":"2026-12-04T10:00:%02dZ","level":"error","msg":"boom %d","request_id":"r-%d","status":500}`+"\n", i, i, i)
	}
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(app, []byte(line(1)+line(2)), 0o644); err != nil {
		t.Fatal(err)
	}
	tm := newTerm(t, true, "")
	var during error
	var following []string
	tm.env.RunTUI = func(ctx context.Context, b tui.Backend, o tui.Options) error {
		following = o.Following
		during = func() error {
			res, err := b.Search(ctx, query.SearchOptions{Query: "boom"})
			if err != nil || res.Total != 2 {
				return fmt.Errorf("TUI at start: %d events, %v; want 2", res.Total, err)
			}
			other, err := openIndexRead(idx)
			if err != nil {
				return fmt.Errorf("another reader while the TUI follows: %w", err)
			}
			defer other.Close()
			f, err := os.OpenFile(app, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			f.WriteString(line(3))
			f.Close()
			deadline := time.Now().Add(10 * time.Second)
			for {
				res, err := b.Search(ctx, query.SearchOptions{Query: "boom"})
				if err != nil {
					return err
				}
				sp, err := other.Span(ctx)
				if err != nil {
					return err
				}
				if res.Total == 3 && sp.Events == 3 {
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("appended line not seen: TUI %d, other process %d", res.Total, sp.Events)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		return nil
	}
	r := tm.run(t, idx, "tui", "--follow", logs)
	if during != nil {
		t.Fatal(during)
	}
	if r.code != 0 || !strings.Contains(r.stdout, "followed: 1 event (1 line)") {
		t.Fatalf("tui --follow: %v", r)
	}
	if len(following) != 1 || following[0] != logs {
		t.Fatalf("the TUI was told it follows %q, want [%s]", following, logs)
	}
	if r := tm.run(t, idx, "tui", "--follow", "-"); r.code != 2 {
		t.Fatalf("tui --follow -: %v", r)
	}
}

// A follower that has seen no match yet shows every match of the first
// burst, not only those within a minute of the burst's newest: an ingest
// that catches up commits minutes of lines at once.
func TestTailerFirstBurstShowsAll(t *testing.T) {
	var evs []query.Event // newest first, as the store returns them
	find := func(_ context.Context, since time.Time, offset, limit int) (query.Result, error) {
		var in []query.Event
		for _, e := range evs {
			if !e.Time.Before(since) {
				in = append(in, e)
			}
		}
		res := query.Result{Total: len(in)}
		if offset < len(in) {
			res.Events = in[offset:min(len(in), offset+limit)]
		}
		return res, nil
	}
	tl := &tailer{find: find}
	if first, err := tl.start(t.Context(), 10); err != nil || len(first) != 0 {
		t.Fatalf("start on no match: %v, %v", first, err)
	}
	t0 := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	for i := 4; i >= 0; i-- { // five matches a minute apart, in one burst
		evs = append(evs, query.Event{Time: t0.Add(time.Duration(i) * time.Minute), Source: "a.log", Line: int64(i + 1)})
	}
	got, missed, err := tl.next(t.Context())
	if err != nil || missed != 0 || len(got) != 5 {
		t.Fatalf("first burst: %d events, %d missed, %v; want all 5", len(got), missed, err)
	}
	for i, e := range got {
		if e.Line != int64(i+1) {
			t.Fatalf("burst not oldest first: %v", got)
		}
	}
	// Later, a line stamped beyond the window of the newest match is still
	// counted as missed, as before.
	evs = append(evs, query.Event{Time: t0.Add(-time.Hour), Source: "a.log", Line: 99})
	if got, missed, err := tl.next(t.Context()); err != nil || len(got) != 0 || missed != 1 {
		t.Fatalf("late line: %d shown, %d missed, %v; want 0 shown, 1 missed", len(got), missed, err)
	}
}
