package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestIngestIsIdempotentAndReportsMapping(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	first := culprit(t, dir, "", "ingest", "--json", "--deploys", incidentDeploys, incidentLogs)
	if first.code != 0 {
		t.Fatalf("first ingest:\n%s", first)
	}
	s := parseSummary(t, first)
	if s.Events == 0 || s.Deploys == 0 || len(s.Sources) < 3 {
		t.Fatalf("first ingest added %d events, %d deploys from %d sources; want all >0 and >=3 sources\n%s",
			s.Events, s.Deploys, len(s.Sources), first)
	}
	var lines int64
	for _, src := range s.Sources {
		lines += src.Lines
		if src.Fields["request_id"] == "" || src.Fields["time"] == "" {
			t.Errorf("%s: mapping %v lacks time or request_id", src.Path, src.Fields)
		}
	}
	if s.Events != lines {
		t.Errorf("events added = %d, lines read = %d: every non-empty line should be one event", s.Events, lines)
	}
	again := parseSummary(t, culprit(t, dir, "", "ingest", "--json", "--deploys", incidentDeploys, incidentLogs))
	if again.Events != 0 || again.Deploys != 0 {
		t.Errorf("second ingest of the same files added %d events and %d deploys, want 0 and 0", again.Events, again.Deploys)
	}
	if n := statusEvents(t, dir); int64(n) != s.Events {
		t.Errorf("status says %d events, ingest added %d", n, s.Events)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("index dir mode %v, want no group/other access", perm)
	}
}

func statusEvents(t *testing.T, dir string) int {
	t.Helper()
	r := culprit(t, dir, "", "status", "--json")
	var st struct{ Events int }
	if r.code != 0 || jsonUnmarshal(r.stdout, &st) != nil {
		t.Fatalf("status --json:\n%s", r)
	}
	return st.Events
}

func TestIngestTextSummaryAndProgressOnATerminal(t *testing.T) {
	dir := t.TempDir()
	logf := writeFile(t, dir, "app.log", `{"time":"2026-11-25T10:00:00Z","level":"info","msg":"hello","request_id":"r-1"}`+"\nnot json\n")
	tm := newTerm(t, true, "")
	r := tm.run(t, filepath.Join(dir, "idx"), "ingest", logf)
	if r.code != 0 {
		t.Fatalf("ingest:\n%s", r)
	}
	for _, want := range []string{"app.log: 2 lines, 2 events", "1 not JSON (kept as text)", "mapping: time ← time", "total: 1 source,", "warning: 1 line without a time"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text summary lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestIngestAppendedFileAddsOnlyTail(t *testing.T) {
	dir := t.TempDir()
	logf := filepath.Join(dir, "app.log")
	line := func(i int) string {
		return fmt.Sprintf(`{"time":"2026-11-25T10:00:%02dZ","level":"info","msg":"hello %d","request_id":"r-%d"}`+"\n", i, i, i)
	}
	var b strings.Builder
	for i := range 10 {
		b.WriteString(line(i))
	}
	writeFile(t, dir, "app.log", b.String())
	idx := filepath.Join(dir, "idx")
	if s := parseSummary(t, culprit(t, idx, "", "ingest", "--json", logf)); s.Events != 10 {
		t.Fatalf("first ingest added %d events, want 10", s.Events)
	}
	f, err := os.OpenFile(logf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(line(10) + line(11))
	f.Close()
	if s := parseSummary(t, culprit(t, idx, "", "ingest", "--json", logf)); s.Events != 2 {
		t.Fatalf("ingest after appending 2 lines added %d events, want 2", s.Events)
	}
	if r := culprit(t, idx, "", "request", "r-11", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"found": true`) {
		t.Errorf("appended request not found:\n%s", r)
	}
}

// TestRotatedGenerationName pins what README promises: the events of a
// file found truncated or rotated are named "app.log#1" (the first
// generation keeps the plain name), then "#2".
func TestRotatedGenerationName(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "idx")
	logf := writeFile(t, dir, "app.log", `{"time":"2026-11-25T10:00:00Z","msg":"one"}`+"\n"+`{"time":"2026-11-25T10:00:01Z","msg":"two"}`+"\n")
	if s := parseSummary(t, culprit(t, idx, "", "ingest", "--json", logf)); s.Sources[0].Source != logf {
		t.Fatalf("first generation named %q, want %q", s.Sources[0].Source, logf)
	}
	writeFile(t, dir, "app.log", `{"time":"2026-11-25T11:00:00Z","msg":"new"}`+"\n")
	s := parseSummary(t, culprit(t, idx, "", "ingest", "--json", logf))
	if got := s.Sources[0]; got.Status != "truncated" || got.Source != logf+"#1" {
		t.Errorf("after truncation: status %q, source %q; want truncated, %s#1", got.Status, got.Source, logf)
	}
}

func TestIngestReportsMissingPathButIngestsTheRest(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "idx")
	r := culprit(t, idx, "", "ingest", "--json", "no/such/file.log", incidentLogs)
	if r.code != 2 {
		t.Errorf("exit %d, want 2 for a missing path\n%s", r.code, r)
	}
	if !strings.Contains(r.err, "no/such/file.log") {
		t.Errorf("the missing path is not named on stderr:\n%s", r)
	}
	s := parseSummary(t, r)
	if s.Events == 0 || len(s.Failed) != 1 || s.Failed[0].Path != "no/such/file.log" {
		t.Errorf("want the readable paths ingested and the missing one in failed:\n%s", r)
	}
}

// TestIngestJSONWhenEverythingFails: the contract's arrays are [] and
// never null, even when no source could be read.
func TestIngestJSONWhenEverythingFails(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "idx")
	r := culprit(t, idx, "", "ingest", "--json", "no/such/a.log", "no/such/b.log")
	if r.code != 2 {
		t.Errorf("exit %d, want 2\n%s", r.code, r)
	}
	if !strings.Contains(r.stdout, `"sources": []`) || strings.Contains(r.stdout, "null") {
		t.Errorf("want \"sources\": [] and no null:\n%s", r.stdout)
	}
	if n := strings.Count(r.err, "culprit: no/such/"); n != 2 {
		t.Errorf("stderr names %d failed paths, want one line per path:\n%s", n, r.err)
	}
}

func TestIngestFromStdin(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "idx")
	in := `{"ts":1764064800.5,"level":"error","msg":"boom","request_id":"stdin-1","stacktrace":"main.f\n\t/app/f.go:10"}
not json at all
{"ts":1764064801.5,"level":"verbose","msg":"ok","request_id":"stdin-2"}
`
	s := parseSummary(t, culprit(t, idx, in, "ingest", "--json", "-"))
	if s.Events != 3 {
		t.Fatalf("stdin ingest added %d events, want 3 (the text line too)", s.Events)
	}
	if again := parseSummary(t, culprit(t, idx, in, "ingest", "--json", "-")); again.Events != 0 {
		t.Errorf("the same stdin twice added %d events, want 0", again.Events)
	}
	r := culprit(t, idx, "", "search", "boom", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"request_id":"stdin-1"`) {
		t.Errorf("search for a word of a stdin line: kept line not returned verbatim\n%s", r)
	}
	// The text line comes back as a JSON string, not raw.
	if r := culprit(t, idx, "", "search", "json", "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != `"not json at all"` {
		t.Errorf("search --json of a text line:\n%s", r)
	}
	// A level ingest maps (verbose → trace) is a level --level accepts.
	if r := culprit(t, idx, "", "search", "", "--level", "verbose", "--json"); r.code != 0 || strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("search --level verbose: want the 2 leveled lines\n%s", r)
	}
}

// TestOneTimeEncoder: ingest --json and status --json print the same
// instant the same way: RFC 3339, UTC, at least milliseconds.
func TestOneTimeEncoder(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "idx")
	logf := writeFile(t, dir, "a.log", `{"time":"2026-11-25T10:00:00+01:00","msg":"a"}`+"\n"+`{"time":"2026-11-25T10:00:07.25Z","msg":"b"}`+"\n")
	s := parseSummary(t, culprit(t, idx, "", "ingest", "--json", logf))
	r := culprit(t, idx, "", "status", "--json")
	var st struct{ First, Last string }
	if err := jsonUnmarshal(r.stdout, &st); err != nil {
		t.Fatal(err)
	}
	if s.Sources[0].First != "2026-11-25T09:00:00.000Z" || s.Sources[0].Last != "2026-11-25T10:00:07.250Z" {
		t.Errorf("ingest first/last = %s %s", s.Sources[0].First, s.Sources[0].Last)
	}
	if st.First != s.Sources[0].First || st.Last != s.Sources[0].Last {
		t.Errorf("status first/last = %s %s, ingest says %s %s", st.First, st.Last, s.Sources[0].First, s.Sources[0].Last)
	}
	form := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,9}Z$`)
	var dep []struct{ Time string }
	writeFile(t, dir, "d.json", `[{"time":"2026-11-25T09:59:00Z","service":"a","version":"1"}]`)
	culprit(t, idx, "", "ingest", "--deploys", filepath.Join(dir, "d.json"))
	if err := jsonUnmarshal(culprit(t, idx, "", "deploys", "--json").stdout, &dep); err != nil || len(dep) != 1 || !form.MatchString(dep[0].Time) {
		t.Errorf("deploys --json time %v (%v)", dep, err)
	}
}

// failingClose is an index whose Close fails, as bleve's can after a write
// (a full disk while flushing).
type failingClose struct{ WriteStore }

func (f failingClose) Close() error {
	return errors.Join(f.WriteStore.Close(), errors.New("flush segment: no space left on device"))
}

func TestIngestReportsCloseError(t *testing.T) {
	dir := t.TempDir()
	logf := writeFile(t, dir, "a.log", `{"time":"2026-11-25T10:00:00Z","msg":"a"}`+"\n")
	tm := newTerm(t, false, "")
	tm.env.OpenWrite = func(dir string) (WriteStore, error) {
		st, err := OpenIndexWrite(dir)
		if err != nil {
			return nil, err
		}
		return failingClose{st}, nil
	}
	r := tm.run(t, filepath.Join(dir, "idx"), "ingest", logf)
	if r.code != 2 || !strings.Contains(r.err, "closing the index") || !strings.Contains(r.err, "no space left") {
		t.Errorf("a failing close must be reported with exit 2:\n%s", r)
	}
	if !strings.Contains(r.stdout, "1 line, 1 event added") {
		t.Errorf("the summary is still printed:\n%s", r)
	}
}

func TestIngestInterrupted(t *testing.T) {
	dir := t.TempDir()
	logf := writeFile(t, dir, "a.log", `{"time":"2026-11-25T10:00:00Z","msg":"a"}`+"\n")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := newTerm(t, false, "").runCtx(ctx, filepath.Join(dir, "idx"), "ingest", logf)
	if r.code != ExitInterrupted || !strings.Contains(r.err, "interrupted") {
		t.Errorf("ingest with a cancelled context: want exit 130\n%s", r)
	}
}

// --dry-run shows the mapping and writes no index; --service names the
// service of stdin lines that carry none.
func TestIngestDryRunAndService(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	r := culprit(t, dir, "", "ingest", "--dry-run", incidentLogs)
	if r.code != 0 || !strings.Contains(r.stdout, "request_id     ← req.id") || !strings.Contains(r.stdout, "every line placed") {
		t.Fatalf("ingest --dry-run:\n%s", r)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ingest --dry-run created %s (stat: %v)", dir, err)
	}
	in := `{"time":"2026-11-25T10:00:00Z","msg":"a","request_id":"r-7f3a9c01"}` + "\n"
	if r := culprit(t, dir, in, "ingest", "--service", "checkout", "-"); r.code != 0 {
		t.Fatalf("ingest --service checkout -:\n%s", r)
	}
	r = culprit(t, dir, "", "request", "r-7f3a9c01", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"service": "checkout"`) {
		t.Errorf("request of a stdin line ingested with --service checkout:\n%s", r)
	}
}

// TestFailedIngestLeavesNoIndex: an ingest into a directory that holds no
// index, which fails before it stores anything, creates nothing, so that
// later commands say there is no index instead of answering from an empty
// one; a run that succeeds with nothing to store does create it.
func TestFailedIngestLeavesNoIndex(t *testing.T) {
	dir := t.TempDir()
	badDeploys := writeFile(t, dir, "deploys.json", `[{"service":"api","version":"1"}]`) // no time: an error
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		args []string
		code int
	}{
		{"missing path", t.Context(), []string{"ingest", filepath.Join(dir, "no", "such.log")}, 2},
		{"missing path json", t.Context(), []string{"ingest", "--json", filepath.Join(dir, "nosuchdir")}, 2},
		{"missing deploys", t.Context(), []string{"ingest", "--deploys", filepath.Join(dir, "nosuch.json")}, 2},
		{"deploys without times", t.Context(), []string{"ingest", "--deploys", badDeploys}, 2},
		{"interrupted", cancelled, []string{"ingest", writeFile(t, dir, "a.log", `{"msg":"a"}`+"\n")}, 130},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idx := filepath.Join(t.TempDir(), "idx")
			r := newTerm(t, false, "").runCtx(c.ctx, idx, c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r)
			}
			if _, err := os.Stat(idx); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the failed ingest left %s behind (stat: %v)\n%s", idx, err, r)
			}
			if c.code == 2 && !strings.Contains(r.err, "nothing ingested: no index created at "+idx) {
				t.Errorf("stderr does not say that no index was created\n%s", r)
			}
			if r := culprit(t, idx, "", "status"); r.code != 2 || !strings.Contains(r.err, "no index at") {
				t.Errorf("status after the failed ingest: want \"no index\"\n%s", r)
			}
		})
	}
	// An empty directory made by the user stays, empty.
	empty := t.TempDir()
	if r := culprit(t, empty, "", "ingest", filepath.Join(dir, "nosuch.log")); r.code != 2 {
		t.Fatalf("ingest of a missing path:\n%s", r)
	}
	if ents, err := os.ReadDir(empty); err != nil || len(ents) != 0 {
		t.Errorf("the failed ingest wrote into the empty directory: %v %v", ents, err)
	}
	// A run that succeeds creates the index even when there is nothing to
	// store; a failed run on an existing index leaves it as it was.
	idx := filepath.Join(t.TempDir(), "idx")
	if r := culprit(t, idx, "", "ingest", writeFile(t, dir, "blank.log", "")); r.code != 0 {
		t.Fatalf("ingest of an empty file:\n%s", r)
	}
	if r := culprit(t, idx, "", "status", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"events":0`) {
		t.Errorf("status after ingesting an empty file:\n%s", r)
	}
	if r := culprit(t, idx, "", "ingest", filepath.Join(dir, "nosuch.log")); r.code != 2 || strings.Contains(r.err, "no index created") {
		t.Errorf("failed ingest into an existing index:\n%s", r)
	}
	if r := culprit(t, idx, "", "status"); r.code != 0 {
		t.Errorf("the existing index is gone after a failed ingest:\n%s", r)
	}
}

// TestIngestEmptyDirectory: a directory argument that holds no file (or
// only hidden ones) is reported by name and exit 2, as a glob that matches
// nothing is; the other paths are still ingested. A directory whose files
// were all read before is not empty.
func TestIngestEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	hidden := filepath.Join(dir, "hidden")
	logs := filepath.Join(dir, "logs")
	for _, d := range []string{empty, filepath.Join(hidden, ".git"), logs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(hidden, ".git"), "a.log", `{"msg":"hidden"}`+"\n")
	writeFile(t, logs, "a.log", `{"time":"2026-11-25T10:00:00Z","msg":"a"}`+"\n")
	idx := filepath.Join(dir, "idx")
	r := culprit(t, idx, "", "ingest", empty, hidden, logs)
	if r.code != 2 || !strings.Contains(r.stdout, "a.log: 1 line, 1 event") {
		t.Fatalf("ingest with empty directories: want exit 2 and the other path ingested\n%s", r)
	}
	for _, d := range []string{empty, hidden} {
		if !strings.Contains(r.err, d+": no files in this directory") {
			t.Errorf("stderr does not name %s\n%s", d, r)
		}
	}
	if r := culprit(t, idx, "", "ingest", logs); r.code != 0 || strings.Contains(r.err, "no files") {
		t.Errorf("re-ingest of an unchanged directory:\n%s", r)
	}
	r = culprit(t, filepath.Join(dir, "idx2"), "", "ingest", "--json", empty)
	var s ingestSummary
	if r.code != 2 || json.Unmarshal([]byte(r.stdout), &s) != nil || len(s.Failed) != 1 {
		t.Errorf("ingest --json of an empty directory: want exit 2 and one failed path\n%s", r)
	}
}

// TestIngestRefusesTheIndexItself: a path that names the index directory or
// a file in it (directly, by a glob, through a symbolic link, as a deploy
// history) is refused before anything is read: ingesting blocks.pack into
// the index that appends to it grew the file without end.
func TestIngestRefusesTheIndexItself(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "idx")
	logf := writeFile(t, dir, "a.log", `{"time":"2026-11-25T10:00:00Z","msg":"a"}`+"\n")
	if r := culprit(t, idx, "", "ingest", logf); r.code != 0 {
		t.Fatalf("ingest:\n%s", r)
	}
	if err := os.Symlink(idx, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(filepath.Join(idx, "blocks.pack"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ingest", filepath.Join(idx, "blocks.pack")},
		{"ingest", filepath.Join(idx, "*")},
		{"ingest", idx},
		{"ingest", filepath.Join(idx, "bleve")},
		{"ingest", filepath.Join(dir, "link", "blocks.pack")},
		{"ingest", logf, "--deploys", "api=" + filepath.Join(idx, "sources")},
		{"ingest", "--follow", filepath.Join(idx, "blocks.pack")},
		{"tui", "--follow", filepath.Join(idx, "blocks.pack")},
	} {
		r := newTerm(t, args[0] == "tui", "").run(t, idx, args...)
		if r.code != 2 || !strings.Contains(r.err, "an index never ingests its own files") {
			t.Errorf("%v: want exit 2 and a refusal\n%s", args, r)
		}
	}
	after, err := os.Stat(filepath.Join(idx, "blocks.pack"))
	if err != nil || after.Size() != before.Size() {
		t.Errorf("blocks.pack changed: %d bytes, was %d (%v)", after.Size(), before.Size(), err)
	}
	if r := culprit(t, idx, "", "ingest", dir); r.code != 0 {
		t.Errorf("a directory holding the index is still ingested (the index skipped):\n%s", r)
	}
}
