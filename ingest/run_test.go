package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/culprit-dev/culprit/index"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// jline is a slog-style JSON line with a distinct time, message and request.
func jline(tag string, i int) string {
	return fmt.Sprintf(`{"time":%q,"level":"INFO","msg":"%s line %d","request_id":"%s-%d"}`,
		t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), tag, i, tag, i)
}

// jlines is n JSON lines, each ended by '\n', numbered from first.
func jlines(tag string, first, n int) string {
	var b strings.Builder
	for i := first; i < first+n; i++ {
		b.WriteString(jline(tag, i))
		b.WriteByte('\n')
	}
	return b.String()
}

func writeFile(t testing.TB, path string, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setOld dates a file's modification an hour back.
func setOld(t testing.TB, path string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t testing.TB, path string, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func gzipped(t testing.TB, data string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func failedPaths(err error) []string {
	var pe *PathErrors
	if !errors.As(err, &pe) {
		return nil
	}
	var out []string
	for _, e := range pe.Errs {
		out = append(out, e.Path)
	}
	return out
}

// eventsByPath sums, per summary path, the events added.
func eventsByPath(sum Summary) map[string]int64 {
	out := map[string]int64{}
	for _, s := range sum.Sources {
		out[s.Path] += s.Events
	}
	return out
}

func TestRunSources(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	writeFile(t, filepath.Join(logs, "a.log"), jlines("a", 0, 3))
	writeFile(t, filepath.Join(logs, "sub", "b.jsonl"), jlines("b", 0, 2))
	writeFile(t, filepath.Join(logs, "sub", "deep", "e.log"), jlines("e", 0, 1))
	writeFile(t, filepath.Join(logs, ".git", "c.log"), jlines("git", 0, 4))
	writeFile(t, filepath.Join(logs, ".hidden.log"), jlines("hidden", 0, 4))
	writeFile(t, filepath.Join(logs, "idx", "index_meta.json"), `{"storage":"scorch"}`)
	writeFile(t, filepath.Join(logs, "idx", "store", "x.log"), jlines("idx", 0, 4))
	writeFile(t, filepath.Join(logs, "myindex", "bleve", "index_meta.json"), `{"storage":"scorch"}`)
	writeFile(t, filepath.Join(logs, "myindex", "deploys.json"), `[{"time":"2026-11-25T09:00:00Z"}]`)
	writeFile(t, filepath.Join(logs, "skipme", "s.log"), jlines("skip", 0, 4))
	writeFile(t, filepath.Join(logs, "bin.dat"), "\x00\x01\x02binary\n")
	writeFile(t, filepath.Join(logs, "c.log.gz"), gzipped(t, jlines("c", 0, 2)))
	writeFile(t, filepath.Join(logs, "noext"), gzipped(t, jlines("n", 0, 5)))
	writeFile(t, filepath.Join(logs, "deploys.json"), `[{"time":"2026-11-25T09:00:00Z","service":"a"}]`)
	p := func(s string) string { return filepath.Join(logs, s) }

	cases := []struct {
		name       string
		paths      []string
		deploys    []string
		stdin      string
		want       map[string]int64 // summary path -> events
		wantSkip   map[string]string
		wantFailed []string
		wantDeploy int
	}{
		{
			name:    "directory walked, hidden, index, skipped and deploy files left out",
			paths:   []string{logs},
			deploys: []string{p("deploys.json")},
			want: map[string]int64{p("a.log"): 3, p("bin.dat"): 0, p("c.log.gz"): 2, p("noext"): 5,
				p("sub/b.jsonl"): 2, p("sub/deep/e.log"): 1},
			wantSkip:   map[string]string{p("bin.dat"): "binary"},
			wantDeploy: 1,
		},
		{
			name:  "glob",
			paths: []string{p("*.log")},
			want:  map[string]int64{p("a.log"): 3},
		},
		{
			name:  "double star glob",
			paths: []string{filepath.Join(logs, "**", "*.log")},
			want:  map[string]int64{p("a.log"): 3, p("sub/deep/e.log"): 1},
		},
		{
			name:  "gzip by extension and by magic bytes",
			paths: []string{p("c.log.gz"), p("noext")},
			want:  map[string]int64{p("c.log.gz"): 2, p("noext"): 5},
		},
		{
			name:  "explicit binary file is read, not skipped",
			paths: []string{p("bin.dat")},
			want:  map[string]int64{p("bin.dat"): 1},
		},
		{
			name:  "stdin",
			paths: []string{"-"},
			stdin: jlines("in", 0, 4),
			want:  map[string]int64{"-": 4},
		},
		{
			name:  "gzipped stdin",
			paths: []string{"-", p("a.log")},
			stdin: gzipped(t, jlines("in", 0, 6)),
			want:  map[string]int64{"-": 6, p("a.log"): 3},
		},
		{
			name:       "missing path reported, others ingested",
			paths:      []string{filepath.Join(dir, "missing.log"), p("a.log")},
			want:       map[string]int64{p("a.log"): 3},
			wantFailed: []string{filepath.Join(dir, "missing.log")},
		},
		{
			name:       "glob without match",
			paths:      []string{filepath.Join(dir, "*.nothing"), p("sub")},
			want:       map[string]int64{p("sub/b.jsonl"): 2, p("sub/deep/e.log"): 1},
			wantFailed: []string{filepath.Join(dir, "*.nothing")},
		},
		{
			name:       "same file named twice is read once",
			paths:      []string{p("a.log"), logs + "/./a.log", p("*.log")},
			want:       map[string]int64{p("a.log"): 3},
			wantFailed: nil,
		},
		{
			name:       "missing deploy file reported, logs ingested",
			paths:      []string{p("a.log")},
			deploys:    []string{filepath.Join(dir, "nodeploys.csv")},
			want:       map[string]int64{p("a.log"): 3},
			wantFailed: []string{filepath.Join(dir, "nodeploys.csv")},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := newFakeSink()
			o := Options{Paths: c.paths, Deploys: c.deploys, Stdin: strings.NewReader(c.stdin), SkipDirs: []string{p("skipme")}}
			sum, err := Run(t.Context(), o, sink)
			if got := failedPaths(err); !slices.Equal(got, c.wantFailed) {
				t.Fatalf("Run failed paths = %v (err %v), want %v", got, err, c.wantFailed)
			}
			if c.wantFailed == nil && err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := eventsByPath(sum); !reflect.DeepEqual(got, c.want) {
				t.Errorf("events by path = %v, want %v", got, c.want)
			}
			var total int64
			for _, s := range sum.Sources {
				total += s.Events
				if want := c.wantSkip[s.Path]; s.Skipped != want {
					t.Errorf("%s: Skipped = %q, want %q", s.Path, s.Skipped, want)
				}
			}
			if sum.Events != total || int64(len(sink.events())) != total {
				t.Errorf("Summary.Events = %d, sources sum %d, sink holds %d", sum.Events, total, len(sink.events()))
			}
			if sum.Deploys != c.wantDeploy {
				t.Errorf("Deploys = %d, want %d", sum.Deploys, c.wantDeploy)
			}
		})
	}
}

func TestRunStdinNames(t *testing.T) {
	sink := newFakeSink()
	if _, err := Run(t.Context(), Options{Paths: []string{"-"}, Stdin: strings.NewReader(jlines("x", 0, 2))}, sink); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), Options{Paths: []string{"-"}, Stdin: strings.NewReader(jlines("y", 0, 2))}, sink); err != nil {
		t.Fatal(err)
	}
	// Two different streams must not overwrite each other.
	got := sink.bySource()
	if len(got) != 2 {
		t.Fatalf("sources = %v, want two distinct stdin sources", got)
	}
	for src, n := range got {
		if !strings.HasPrefix(src, "-#") || n != 2 {
			t.Errorf("source %q has %d events, want a \"-#<hash>\" name with 2", src, n)
		}
	}
	// A deploy file on stdin cannot also be the log stream.
	_, err := Run(t.Context(), Options{Paths: []string{"-"}, Deploys: []string{"-"}, Stdin: strings.NewReader("")}, sink)
	if got := failedPaths(err); !slices.Equal(got, []string{"-"}) {
		t.Errorf("stdin as logs and deploys: failed = %v (%v), want [-]", got, err)
	}
}

// eventAt finds the durable event of a line.
func eventAt(t *testing.T, evs []index.Event, line int64) index.Event {
	t.Helper()
	for _, ev := range evs {
		if ev.Line == line {
			return ev
		}
	}
	t.Fatalf("no event for line %d", line)
	return index.Event{}
}

func TestRunLines(t *testing.T) {
	dir := t.TempDir()
	long := `{"time":"2026-11-25T10:00:05Z","msg":"` + strings.Repeat("x", 300) + `"}`
	exact := `{"time":"2026-11-25T10:00:06Z","msg":"` + strings.Repeat("y", 100-len(`{"time":"2026-11-25T10:00:06Z","msg":""}`)) + `"}`
	if len(exact) != 100 {
		t.Fatalf("exact line is %d bytes", len(exact))
	}
	lines := []string{
		`{"time":"2026-11-25T10:00:01Z","level":"info","msg":"first"}` + "\r", // 1: CRLF
		"",                                 // 2: empty, not an event
		"plain text, not json",             // 3: text line
		`{"level":"info","msg":"no time"}`, // 4: untimed
		"   \t",                            // 5: whitespace only: an event
		"{\"time\":\"2026-11-25T10:00:04Z\",\"msg\":\"bad \xff\xfe utf8\"}", // 6
		long,         // 7: truncated
		exact + "\r", // 8: exactly MaxLine plus CRLF
		`{"time":"2026-11-25T10:00:07Z","msg":"last, no newline"}`, // 9
	}
	path := filepath.Join(dir, "svc.log")
	writeFile(t, path, strings.Join(lines, "\n"))
	sink := newFakeSink()
	// Final: the file is complete, its unterminated last line is stored.
	sum, err := Run(t.Context(), Options{Paths: []string{path}, MaxLine: 100, Final: true}, sink)
	if err != nil {
		t.Fatal(err)
	}
	s := sum.Sources[0]
	if s.Lines != 9 || s.Events != 8 || s.Truncated != 1 || s.Repaired != 1 {
		t.Errorf("lines/events/truncated/repaired = %d/%d/%d/%d, want 9/8/1/1", s.Lines, s.Events, s.Truncated, s.Repaired)
	}
	evs := sink.events()
	if len(evs) != 8 {
		t.Fatalf("got %d events, want 8", len(evs))
	}
	for _, ev := range evs {
		if ev.Line == 2 {
			t.Errorf("empty line %d became an event", ev.Line)
		}
		if !utf8.Valid(ev.Raw) {
			t.Errorf("line %d: Raw is not valid UTF-8: %q", ev.Line, ev.Raw)
		}
		if bytes.ContainsAny(ev.Raw, "\n") {
			t.Errorf("line %d: Raw keeps a newline: %q", ev.Line, ev.Raw)
		}
		if want := lines[ev.Line-1]; ev.Line != 6 && ev.Line != 7 && string(ev.Raw) != want {
			t.Errorf("line %d: Raw = %q, want it verbatim: %q", ev.Line, ev.Raw, want)
		}
		if ev.Source != path {
			t.Errorf("line %d: Source = %q, want %q", ev.Line, ev.Source, path)
		}
	}
	if ev := eventAt(t, evs, 1); string(ev.Raw) != lines[0] || !ev.Time.Equal(t0.Add(time.Second)) || ev.Level != "info" {
		t.Errorf("line 1 = %q at %v", ev.Raw, ev.Time)
	}
	if ev := eventAt(t, evs, 3); !ev.Text || ev.Message != lines[2] {
		t.Errorf("line 3: Text = %v, Message = %q, want a text event", ev.Text, ev.Message)
	}
	if ev := eventAt(t, evs, 4); !ev.Untimed || !ev.Time.Equal(t0.Add(time.Second)) {
		t.Errorf("line 4: Untimed = %v, Time = %v, want the previous line's time", ev.Untimed, ev.Time)
	}
	if ev := eventAt(t, evs, 6); !bytes.Contains(ev.Raw, []byte("bad \uFFFD utf8")) {
		t.Errorf("line 6: Raw = %q, want the invalid bytes replaced by U+FFFD", ev.Raw)
	}
	if ev := eventAt(t, evs, 7); !ev.Truncated || string(ev.Raw) != long[:100] {
		t.Errorf("line 7: Truncated = %v, Raw = %q, want the first 100 bytes", ev.Truncated, ev.Raw)
	}
	if ev := eventAt(t, evs, 5); !ev.Text || string(ev.Raw) != lines[4] {
		t.Errorf("line 5: Text = %v, Raw = %q, want a text event with the whitespace", ev.Text, ev.Raw)
	}
	if ev := eventAt(t, evs, 8); ev.Truncated || string(ev.Raw) != exact+"\r" {
		t.Errorf("line 8: Truncated = %v, Raw = %q, want the whole line", ev.Truncated, ev.Raw)
	}
	if ev := eventAt(t, evs, 9); string(ev.Raw) != lines[8] {
		t.Errorf("line 9 = %q, want %q", ev.Raw, lines[8])
	}
	if want := t0.Add(time.Second); !s.First.Equal(want) {
		t.Errorf("First = %v, want %v", s.First, want)
	}
	if want := t0.Add(7 * time.Second); !s.Last.Equal(want) {
		t.Errorf("Last = %v, want %v", s.Last, want)
	}
	if got := serviceName(path); got != "svc" {
		t.Errorf("serviceName = %q", got)
	}
}

func TestRunUntimedStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "worker.log")
	writeFile(t, path, "starting up\n"+`{"msg":"no time either"}`+"\n"+jline("w", 10)+"\nafter\n")
	mtime := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	sink := newFakeSink()
	sum, err := Run(t.Context(), Options{Paths: []string{path}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	evs := sink.events()
	want := []struct {
		untimed bool
		time    time.Time
	}{{true, mtime}, {true, mtime}, {false, t0.Add(10 * time.Second)}, {true, t0.Add(10 * time.Second)}}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d", len(evs), len(want))
	}
	for i, w := range want {
		if evs[i].Untimed != w.untimed || !evs[i].Time.Equal(w.time) {
			t.Errorf("line %d: Untimed = %v, Time = %v, want %v, %v", evs[i].Line, evs[i].Untimed, evs[i].Time, w.untimed, w.time)
		}
	}
	if s := sum.Sources[0]; s.Untimed != 3 || s.TextLines != 2 {
		t.Errorf("Untimed = %d, TextLines = %d, want 3, 2", s.Untimed, s.TextLines)
	}
}

func TestRunOverrideAndService(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkout-2026-11-25.jsonl")
	writeFile(t, path, `{"time":"2026-11-25T10:00:00Z","msg":"hi","ctx":{"rid":"abc"}}`+"\n")
	sink := newFakeSink()
	sum, err := Run(t.Context(), Options{Paths: []string{path}, Fields: map[string]string{"request_id": "ctx.rid"}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	ev := sink.events()[0]
	if ev.RequestID != "abc" || ev.Service != "checkout" {
		t.Errorf("RequestID = %q, Service = %q, want abc, checkout", ev.RequestID, ev.Service)
	}
	if s := sum.Sources[0]; s.Fields["request_id"] != "ctx.rid" || !slices.Contains(s.Overridden, "request_id") {
		t.Errorf("summary fields = %v, overridden = %v", s.Fields, s.Overridden)
	}
	if _, err := Run(t.Context(), Options{Paths: []string{path}, Fields: map[string]string{"nope": "x"}}, sink); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown field: err = %v, want it named", err)
	}
}

// run ingests and fails the test on error.
func run(t *testing.T, sink *fakeSink, o Options) Summary {
	t.Helper()
	sum, err := Run(t.Context(), o, sink)
	if err != nil {
		t.Fatalf("Run(%v): %v", o.Paths, err)
	}
	return sum
}

func TestRunIncremental(t *testing.T) {
	t.Run("unchanged file adds nothing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.log")
		writeFile(t, path, jlines("a", 0, 5))
		sink := newFakeSink()
		run(t, sink, Options{Paths: []string{path}})
		if err := os.Link(path, path+".link"); err != nil {
			t.Fatal(err)
		}
		run(t, sink, Options{Paths: []string{path, path + ".link"}}) // records the link
		adds, commits := sink.adds, sink.commits
		sum := run(t, sink, Options{Paths: []string{path, path + ".link"}})
		if s := sum.Sources[0]; s.Skipped != "unchanged" || s.Events != 0 || sink.adds != adds {
			t.Errorf("second run: Skipped = %q, Events = %d, adds %d -> %d", s.Skipped, s.Events, adds, sink.adds)
		}
		if sink.commits != commits {
			t.Errorf("a run that changed nothing committed %d times", sink.commits-commits)
		}
	})
	t.Run("appended file adds its tail", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.log")
		writeFile(t, path, jlines("a", 0, 5))
		sink := newFakeSink()
		run(t, sink, Options{Paths: []string{path}})
		appendFile(t, path, jlines("a", 5, 3))
		sum := run(t, sink, Options{Paths: []string{path}})
		if s := sum.Sources[0]; s.Status != "appended" || s.Events != 3 || s.Lines != 3 {
			t.Errorf("Status = %q, Events = %d, Lines = %d, want appended, 3, 3", s.Status, s.Events, s.Lines)
		}
		evs := sink.events()
		if len(evs) != 8 || sink.adds != 8 {
			t.Fatalf("%d events, %d adds, want 8, 8", len(evs), sink.adds)
		}
		for i, ev := range evs {
			if ev.Line != int64(i+1) || ev.Message != fmt.Sprintf("a line %d", i) {
				t.Errorf("event %d: line %d %q", i, ev.Line, ev.Message)
			}
		}
	})
	t.Run("unterminated last line is held back until completed", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.log")
		writeFile(t, path, jline("a", 0)+"\n"+`{"msg":"half`)
		setOld(t, path) // however old the file, a fragment is not stored
		sink := newFakeSink()
		if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Events != 1 || s.Held != 1 || s.Lines != 1 {
			t.Errorf("first run: Events = %d, Held = %d, Lines = %d, want 1, 1, 1", s.Events, s.Held, s.Lines)
		}
		if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Events != 0 || s.Held != 1 {
			t.Errorf("unchanged file: Events = %d, Held = %d, want 0, 1", s.Events, s.Held)
		}
		appendFile(t, path, ` done"}`+"\n"+jline("a", 2)+"\n")
		if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Events != 2 || s.Held != 0 {
			t.Errorf("completed: Events = %d, Held = %d, want 2, 0", s.Events, s.Held)
		}
		evs := sink.events()
		if len(evs) != 3 || evs[1].Message != "half done" || evs[1].Line != 2 || sink.adds != 3 {
			t.Fatalf("events = %+v (%d adds), want 3 with line 2 whole, each added once", evs, sink.adds)
		}
	})
	t.Run("unterminated last line is stored once the source is declared final", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.log")
		writeFile(t, path, jline("a", 0)+"\n"+jline("a", 1))
		sink := newFakeSink()
		if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Events != 1 || s.Held != 1 {
			t.Errorf("first run: Events = %d, Held = %d, want 1, 1", s.Events, s.Held)
		}
		if s := run(t, sink, Options{Paths: []string{path}, Final: true}).Sources[0]; s.Events != 1 || s.Held != 0 {
			t.Errorf("final run: Events = %d, Held = %d, want 1, 0", s.Events, s.Held)
		}
		if s := run(t, sink, Options{Paths: []string{path}, Final: true}).Sources[0]; s.Skipped != "unchanged" {
			t.Errorf("again: Skipped = %q", s.Skipped)
		}
		if evs := sink.events(); len(evs) != 2 || len(sink.lineDupes()) > 0 || sink.adds != 2 {
			t.Fatalf("events = %+v, want 2, none twice", evs)
		}
	})
	t.Run("a stream's unterminated last line is stored at its end", func(t *testing.T) {
		sink := newFakeSink()
		sum := run(t, sink, Options{Paths: []string{"-"}, Stdin: strings.NewReader(jline("s", 0) + "\n" + jline("s", 1))})
		if s := sum.Sources[0]; s.Events != 2 || s.Held != 0 {
			t.Errorf("Events = %d, Held = %d, want 2, 0", s.Events, s.Held)
		}
	})
	t.Run("truncated file is a new generation", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.log")
		writeFile(t, path, jlines("a", 0, 10))
		sink := newFakeSink()
		run(t, sink, Options{Paths: []string{path}})
		writeFile(t, path, jlines("a", 0, 3)) // same inode, shorter
		sum := run(t, sink, Options{Paths: []string{path}})
		if s := sum.Sources[0]; s.Status != "truncated" || s.Source != path+"#1" || s.Events != 3 {
			t.Errorf("Status = %q, Source = %q, Events = %d, want truncated, %s#1, 3", s.Status, s.Source, s.Events, path)
		}
		if got := sink.bySource(); got[path] != 10 || got[path+"#1"] != 3 {
			t.Errorf("events by source = %v", got)
		}
	})
	t.Run("copytruncate: the copy adds nothing, the truncated file is new", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "a.log")
		writeFile(t, path, jlines("a", 0, 100))
		sink := newFakeSink()
		run(t, sink, Options{Paths: []string{dir}})
		appendFile(t, path, jlines("a", 100, 5)) // written before the copy
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, path+".1", string(data))
		writeFile(t, path, jlines("b", 0, 7)) // truncated in place, written again
		sum := run(t, sink, Options{Paths: []string{dir}})
		if got := eventsByPath(sum); got[path] != 7 || got[path+".1"] != 5 {
			t.Errorf("events by path = %v, want the new file's 7 and the copy's 5 unread lines", got)
		}
		if n := len(sink.events()); n != 112 || sink.adds != 112 {
			t.Errorf("%d events, %d adds, want 112", n, sink.adds)
		}
	})
	t.Run("rotated file is a new generation, twice", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.log")
		writeFile(t, path, jlines("a", 0, 3))
		sink := newFakeSink()
		run(t, sink, Options{Paths: []string{path}})
		os.Remove(path)
		writeFile(t, path, jlines("b", 0, 5))
		sum := run(t, sink, Options{Paths: []string{path}})
		if s := sum.Sources[0]; s.Status != "rotated" || s.Source != path+"#1" {
			t.Errorf("Status = %q, Source = %q, want rotated, %s#1", s.Status, s.Source, path)
		}
		appendFile(t, path, jlines("b", 5, 1))
		sum = run(t, sink, Options{Paths: []string{path}})
		if s := sum.Sources[0]; s.Status != "appended" || s.Source != path+"#1" || s.Events != 1 {
			t.Errorf("after append: Status = %q, Source = %q, Events = %d", s.Status, s.Source, s.Events)
		}
		os.Remove(path)
		writeFile(t, path, jlines("c", 0, 8))
		sum = run(t, sink, Options{Paths: []string{path}})
		if s := sum.Sources[0]; s.Status != "rotated" || s.Source != path+"#2" {
			t.Errorf("Status = %q, Source = %q, want rotated, %s#2", s.Status, s.Source, path)
		}
		if got, want := sink.bySource(), map[string]int{path: 3, path + "#1": 6, path + "#2": 8}; !reflect.DeepEqual(got, want) {
			t.Errorf("events by source = %v, want %v", got, want)
		}
	})
	t.Run("a path named differently keeps its source name", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "a.log")
		writeFile(t, path, jlines("a", 0, 2))
		sink := newFakeSink()
		run(t, sink, Options{Paths: []string{path}})
		appendFile(t, path, jlines("a", 2, 2))
		sum := run(t, sink, Options{Paths: []string{dir}})
		if s := sum.Sources[0]; s.Source != path || s.Events != 2 {
			t.Errorf("Source = %q, Events = %d, want %q, 2", s.Source, s.Events, path)
		}
	})
	t.Run("gzip unchanged, extended, replaced", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.log.gz")
		writeFile(t, path, gzipped(t, jlines("a", 0, 4)))
		sink := newFakeSink()
		run(t, sink, Options{Paths: []string{path}})
		if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Skipped != "unchanged" {
			t.Errorf("unchanged gzip: Skipped = %q", s.Skipped)
		}
		writeFile(t, path, gzipped(t, jlines("a", 0, 6)))
		if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Events != 2 || s.Source != path {
			t.Errorf("extended gzip: Events = %d, Source = %q, want 2, %q", s.Events, s.Source, path)
		}
		writeFile(t, path, gzipped(t, jlines("z", 0, 3)))
		if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Status != "rotated" || s.Events != 3 || s.Source != path+"#1" {
			t.Errorf("replaced gzip: Status = %q, Events = %d, Source = %q", s.Status, s.Events, s.Source)
		}
		if got, want := sink.bySource(), map[string]int{path: 6, path + "#1": 3}; !reflect.DeepEqual(got, want) {
			t.Errorf("events by source = %v, want %v", got, want)
		}
	})
	t.Run("stdin piped again skips the committed prefix", func(t *testing.T) {
		body := jlines("s", 0, 100) // > 4 KiB, so the head hash is stable
		sink := newFakeSink()
		stdin := func(s string) Options { return Options{Paths: []string{"-"}, Stdin: strings.NewReader(s)} }
		run(t, sink, stdin(body))
		if s := run(t, sink, stdin(body)).Sources[0]; s.Events != 0 || sink.adds != 100 {
			t.Errorf("same stream again: Events = %d, adds = %d, want 0, 100", s.Events, sink.adds)
		}
		s := run(t, sink, stdin(body+jlines("s", 100, 7))).Sources[0]
		if s.Events != 7 || sink.adds != 107 || len(sink.events()) != 107 {
			t.Errorf("extended stream: Events = %d, adds = %d, stored %d, want 7, 107, 107", s.Events, sink.adds, len(sink.events()))
		}
	})
}

// corpus writes the files of the interruption tests.
func corpus(t *testing.T) []string {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "big.log"), jlines("big", 0, 1000))
	writeFile(t, filepath.Join(dir, "mid.log"), "starts untimed\n"+jlines("mid", 0, 500)+"ends without newline")
	setOld(t, filepath.Join(dir, "mid.log"))
	writeFile(t, filepath.Join(dir, "small.log"), jlines("small", 0, 30))
	writeFile(t, filepath.Join(dir, "zipped.log.gz"), gzipped(t, jlines("zip", 0, 900)))
	return []string{dir}
}

func TestRunInterrupted(t *testing.T) {
	// Commit every 256 lines so that a small corpus sees many commits,
	// inside sources and across them.
	defer func(l, b int64) { commitLines, commitBytes = l, b }(commitLines, commitBytes)
	commitLines, commitBytes = 256, 64<<10
	paths := corpus(t)
	ref := newFakeSink()
	run(t, ref, Options{Paths: paths})
	want := ref.events()
	if len(want) != 2431 { // mid.log's unterminated last line is held back
		t.Fatalf("clean run stored %d events", len(want))
	}
	check := func(t *testing.T, sink *fakeSink) {
		t.Helper()
		sum := run(t, sink, Options{Paths: paths})
		got := sink.events()
		if len(got) != len(want) {
			t.Fatalf("after resuming: %d events, want %d (resumed run added %d)", len(got), len(want), sum.Events)
		}
		if d := sink.lineDupes(); len(d) > 0 {
			t.Fatalf("lines stored twice: %v", d)
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("event %d = %+v\nwant %+v", i, got[i], want[i])
			}
		}
		if s := run(t, sink, Options{Paths: paths}); s.Events != 0 {
			t.Errorf("a third run added %d events", s.Events)
		}
	}
	for _, n := range []int{1, 99, 256, 257, 1234, 1530, 2430} {
		t.Run(fmt.Sprintf("crash after %d adds", n), func(t *testing.T) {
			sink := newFakeSink()
			sink.flushEvery, sink.failAfter = 100, n
			_, err := Run(t.Context(), Options{Paths: paths}, sink)
			if !errors.Is(err, errCrash) {
				t.Fatalf("first run: err = %v, want the crash", err)
			}
			sink.restart()
			check(t, sink)
		})
		t.Run(fmt.Sprintf("cancel after %d adds", n), func(t *testing.T) {
			sink := newFakeSink()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			sink.flushEvery = 100
			sink.onAdd = func(k int) {
				if k == n {
					cancel()
				}
			}
			sum, err := Run(ctx, Options{Paths: paths}, sink)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("first run: err = %v, want context.Canceled", err)
			}
			if sum.Events < int64(n) || len(sum.Sources) == 0 {
				t.Errorf("cancelled run summary: %d events, %d sources", sum.Events, len(sum.Sources))
			}
			// What was read before the cancel is committed.
			if stored := len(sink.events()); int64(stored) != sum.Events {
				t.Errorf("cancelled run: %d events stored, summary says %d", stored, sum.Events)
			}
			sink.restart()
			check(t, sink)
		})
	}
}

func TestRunSinkFailures(t *testing.T) {
	paths := []string{filepath.Join(t.TempDir(), "a.log")}
	writeFile(t, paths[0], jlines("a", 0, 3))
	sink := newFakeSink()
	sink.commitErr = errors.New("disk full")
	_, err := Run(t.Context(), Options{Paths: paths}, sink)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the commit failure", err)
	}
	if len(sink.cps) != 0 {
		t.Errorf("checkpoints stored despite the failure: %v", sink.cps)
	}
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("z", 200<<10) // longer than the bufio buffer
	cases := []struct {
		name  string
		in    string
		max   int
		want  []string
		trunc []bool
		term  []bool
	}{
		{"empty", "", 10, nil, nil, nil},
		{"one line", "abc\n", 10, []string{"abc"}, []bool{false}, []bool{true}},
		{"no final newline", "abc\nde", 10, []string{"abc", "de"}, []bool{false, false}, []bool{true, false}},
		{"crlf kept", "a\r\nb\r\n", 10, []string{"a\r", "b\r"}, []bool{false, false}, []bool{true, true}},
		{"lone cr kept inside", "a\rb\n", 10, []string{"a\rb"}, []bool{false}, []bool{true}},
		{"exactly max with crlf", "0123456789\r\nx\n", 10, []string{"0123456789\r", "x"}, []bool{false, false}, []bool{true, true}},
		{"max plus one", "0123456789A\nx\n", 10, []string{"0123456789", "x"}, []bool{true, false}, []bool{true, true}},
		{"max plus cr only", "0123456789A\r\n", 10, []string{"0123456789"}, []bool{true}, []bool{true}},
		{"empty lines", "\n\n", 10, []string{"", ""}, []bool{false, false}, []bool{true, true}},
		{"longer than the buffer", long + "\nok\n", 1 << 20, []string{long, "ok"}, []bool{false, false}, []bool{true, true}},
		{"longer than the buffer, cut", long + "\nok", 1000, []string{long[:1000], "ok"}, []bool{true, false}, []bool{true, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lr := &lineReader{br: bufioReader(c.in), max: c.max, off: 100, num: 7}
			var got []string
			var trunc, term []bool
			off := int64(100)
			for {
				l, ok, err := lr.next()
				if ok {
					got = append(got, string(l.b))
					trunc = append(trunc, l.trunc)
					term = append(term, l.term)
					if l.start != off || l.num != 7+int64(len(got)) {
						t.Errorf("line %d: start %d num %d, want %d %d", len(got), l.start, l.num, off, 7+len(got))
					}
					off = l.end
				}
				if err != nil {
					break
				}
			}
			if !slices.Equal(got, c.want) || !slices.Equal(trunc, c.trunc) || !slices.Equal(term, c.term) {
				t.Errorf("lines = %.40q trunc %v term %v, want %.40q %v %v", got, trunc, term, c.want, c.trunc, c.term)
			}
			if off != 100+int64(len(c.in)) {
				t.Errorf("end offset %d, want %d", off, 100+len(c.in))
			}
		})
	}
}

func TestServiceName(t *testing.T) {
	cases := map[string]string{
		"orders.log.gz":                "orders",
		"logs/api-2026-11-25.jsonl":    "api",
		"app.log.1":                    "app",
		"payments_20261125.log":        "payments",
		"web-01.json":                  "web-01",
		"orders/2026-11-25.log":        "orders",
		"gateway.2026-11-25T10.log.gz": "gateway",
		"checkout-1732550400.ndjson":   "checkout",
		"-":                            "stdin",
		"noext":                        "noext",
		"worker.v2.log":                "worker.v2",
	}
	for in, want := range cases {
		if got := serviceName(in); got != want {
			t.Errorf("serviceName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRunCorruptGzip(t *testing.T) {
	dir := t.TempDir()
	z := gzipped(t, jlines("z", 0, 3000))
	bad := filepath.Join(dir, "bad.log.gz")
	writeFile(t, bad, z[:len(z)/2])
	good := filepath.Join(dir, "good.log")
	writeFile(t, good, jlines("g", 0, 3))
	sink := newFakeSink()
	sum, err := Run(t.Context(), Options{Paths: []string{bad, good}}, sink)
	if got := failedPaths(err); !slices.Equal(got, []string{bad}) {
		t.Fatalf("failed = %v (%v), want [%s]", got, err, bad)
	}
	var le *LineError
	if !errors.As(err, &le) || le.File != bad || le.Line < 2 || !strings.HasPrefix(err.Error(), fmt.Sprintf("%s:%d: ", bad, le.Line)) {
		t.Errorf("err = %v, want a LineError naming %s and a line", err, bad)
	}
	byPath := eventsByPath(sum)
	if byPath[good] != 3 || byPath[bad] == 0 || byPath[bad] != int64(len(sink.events())-3) {
		t.Errorf("events by path = %v, stored %d: want the readable part of %s kept", byPath, len(sink.events()), bad)
	}
	for _, ev := range sink.events() {
		if ev.Source == bad && !json.Valid(ev.Raw) && ev.Line != le.Line {
			t.Errorf("line %d of the corrupt file is not whole: %q", ev.Line, ev.Raw)
		}
	}
}

// signalWriter records writes and closes first once want was written.
type signalWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	want  string
	first chan struct{}
	once  sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if w.want != "" && strings.Contains(w.b.String(), w.want) {
		w.once.Do(func() { close(w.first) })
	}
	return len(p), nil
}

// waitFor blocks until s was written.
func (w *signalWriter) waitFor(s string) {
	w.mu.Lock()
	w.want = s
	w.mu.Unlock()
	<-w.first
}

func TestRunProgressAndLiveStdin(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	prog := &signalWriter{first: make(chan struct{})}
	sink := newFakeSink()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		// The lines are read while the stream stays open, and Ctrl-C
		// arrives while stdin blocks (before 4 KiB or 100 lines came: the
		// pipeline still waits for the stream's head).
		io.WriteString(pw, jlines("live", 0, 10))
		prog.waitFor(" 10 lines ")
		cancel()
	}()
	sum, err := Run(ctx, Options{Paths: []string{"-"}, Stdin: pr, Progress: prog}, sink)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if sum.Events != 10 || len(sink.events()) != 10 {
		t.Errorf("summary %d events, stored %d, want 10 committed", sum.Events, len(sink.events()))
	}
	prog.mu.Lock()
	out := prog.b.String()
	prog.mu.Unlock()
	if !strings.Contains(out, "ingest -") || !strings.Contains(out, "MiB read") || !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("progress output %q: want a bar for stdin, cleared at the end", out)
	}
}

func TestRunEmptyLinesKeepNumbering(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, "\n\n"+jline("a", 0)+"\n\n\r\n"+jline("a", 1)+"\n\n\n\n")
	sink := newFakeSink()
	if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Lines != 9 || s.Events != 2 {
		t.Errorf("first run: %d lines, %d events, want 9, 2", s.Lines, s.Events)
	}
	appendFile(t, path, jline("a", 2)+"\n\n"+`{"msg":"par`)
	if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Lines != 2 || s.Events != 1 || s.Held != 1 {
		t.Errorf("appended: %d lines, %d events, %d held, want 2, 1, 1", s.Lines, s.Events, s.Held)
	}
	appendFile(t, path, `tial"}`+"\n\n")
	if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Lines != 2 || s.Events != 1 {
		t.Errorf("completed: %d lines, %d events, want 2, 1", s.Lines, s.Events)
	}
	var got []int64
	for _, ev := range sink.events() {
		got = append(got, ev.Line)
	}
	if want := []int64{3, 6, 10, 12}; !slices.Equal(got, want) || sink.adds != 4 {
		t.Errorf("event lines %v (%d adds), want %v", got, sink.adds, want)
	}
}

// TestTuneGCRestores checks that overlapping Runs (Follow's stream and file
// passes) leave the collector's settings as they found them.
func TestTuneGCRestores(t *testing.T) {
	percent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(percent)
	limit := debug.SetMemoryLimit(-1)
	a := tuneGC()
	b := tuneGC()
	a()
	if os.Getenv("GOGC") == "" {
		if p := debug.SetGCPercent(gcPercent); p != gcPercent {
			t.Errorf("with one Run left, GC percent %d, want %d", p, gcPercent)
		}
	}
	b()
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("after both Runs, GC percent %d, want 100", p)
	}
	if l := debug.SetMemoryLimit(-1); l != limit {
		t.Errorf("after both Runs, memory limit %d, want %d", l, limit)
	}
}
