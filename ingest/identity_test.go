package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/culprit-dev/culprit/index"
)

// openIndex creates an index in a temporary directory.
func openIndex(t *testing.T) *index.Index {
	t.Helper()
	ix, err := index.Open(filepath.Join(t.TempDir(), "idx"), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// distinctRaw fails when two events of the index hold the same line (every
// line of the corpora is distinct) and returns the number of events.
func distinctRaw(t *testing.T, ix *index.Index) int {
	t.Helper()
	evs := allEvents(t, ix)
	seen := map[string]string{}
	for _, ev := range evs {
		if prev, ok := seen[string(ev.Raw)]; ok {
			t.Errorf("line stored twice: %s:%d and %s: %.60q", ev.Source, ev.Line, prev, ev.Raw)
		}
		seen[string(ev.Raw)] = ev.Source
	}
	return len(evs)
}

func mustIngest(t *testing.T, ix *index.Index, o Options) Summary {
	t.Helper()
	sum, err := ingestInto(t, ix, o, 0)
	if err != nil {
		t.Fatalf("ingest %v: %v", o.Paths, err)
	}
	return sum
}

func sourceOf(sum Summary, path string) SourceSummary {
	for _, s := range sum.Sources {
		if s.Path == path {
			return s
		}
	}
	return SourceSummary{}
}

// TestRotationAddsNothing is the rotation scenario of a log shipper: 1,200
// distinct lines stay 1,200 events through a rename rotation, compression
// of the rotated file, a symlink and a hard link to it (keyed by path they
// became 2,200 then 3,200).
func TestRotationAddsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a real index")
	}
	ix := openIndex(t)
	dir := t.TempDir()
	app := filepath.Join(dir, "app.log")
	o := Options{Paths: []string{dir}}
	count := func(step string, want int) {
		t.Helper()
		if n := distinctRaw(t, ix); n != want {
			t.Fatalf("%s: the index holds %d events, want %d", step, n, want)
		}
	}

	writeFile(t, app, jlines("app", 0, 1000))
	if sum := mustIngest(t, ix, o); sum.Events != 1000 {
		t.Fatalf("first ingest added %d", sum.Events)
	}
	count("first ingest", 1000)

	// Rename rotation: app.log -> app.log.1, a new app.log.
	if err := os.Rename(app, app+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, app, jlines("app", 1000, 200))
	sum := mustIngest(t, ix, o)
	if s := sourceOf(sum, app+".1"); s.Skipped != "unchanged" || s.Source != app || !slices.Contains(s.Names, app) {
		t.Errorf("renamed file: %+v, want it skipped as the content of %s", s, app)
	}
	if s := sourceOf(sum, app); s.Events != 200 || s.Status != "rotated" || s.Source != app+"#1" {
		t.Errorf("new app.log: %d events, status %q, source %q, want 200, rotated, %s#1", s.Events, s.Status, s.Source, app)
	}
	count("rotation", 1200)

	// The rotated file is compressed later.
	data, err := os.ReadFile(app + ".1")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, app+".1.gz", gzipped(t, string(data)))
	os.Remove(app + ".1")
	sum = mustIngest(t, ix, o)
	if s := sourceOf(sum, app+".1.gz"); s.Events != 0 || s.Source != app {
		t.Errorf("compressed rotation: %+v, want nothing added, known as %s", s, app)
	}
	count("compression", 1200)

	// A symlink and a hard link to files already ingested; the new
	// app.log grows meanwhile, its tail alone is new.
	if err := os.Symlink(app+".1.gz", filepath.Join(dir, "link.log.gz")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(app, filepath.Join(dir, "hard.log")); err != nil {
		t.Fatal(err)
	}
	appendFile(t, app, jlines("app", 1200, 50))
	sum = mustIngest(t, ix, o)
	if sum.Events != 50 {
		t.Errorf("links and an append added %d events, want 50: %+v", sum.Events, sum.Sources)
	}
	count("links", 1250)

	// A truly new file is read in full; nothing else changes.
	writeFile(t, filepath.Join(dir, "other.log"), jlines("other", 0, 30))
	if sum = mustIngest(t, ix, o); sum.Events != 30 {
		t.Errorf("a new file added %d events, want 30", sum.Events)
	}
	count("new file", 1280)
	if sum = mustIngest(t, ix, o); sum.Events != 0 {
		t.Errorf("an ingest of nothing new added %d", sum.Events)
	}
}

func TestShortFiles(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.log")
	writeFile(t, small, jlines("s", 0, 2)) // far shorter than headSize
	sink := newFakeSink()
	run(t, sink, Options{Paths: []string{small}})

	// It grows: only the tail is read, under the same name.
	appendFile(t, small, jlines("s", 2, 3))
	if s := run(t, sink, Options{Paths: []string{small}}).Sources[0]; s.Status != "appended" || s.Events != 3 {
		t.Errorf("grown short file: status %q, %d events, want appended, 3", s.Status, s.Events)
	}
	// It grows past headSize (its key changes): still only the tail.
	appendFile(t, small, jlines("s", 5, 100))
	if s := run(t, sink, Options{Paths: []string{small}}).Sources[0]; s.Events != 100 {
		t.Errorf("grown past the fingerprint: %d events, want 100", s.Events)
	}
	// A copy of what it was when it held 2 lines adds nothing.
	copy2 := filepath.Join(dir, "copy.log")
	writeFile(t, copy2, jlines("s", 0, 2))
	if s := run(t, sink, Options{Paths: []string{copy2}}).Sources[0]; s.Events != 0 || s.Source != small {
		t.Errorf("copy of an old prefix: %d events, source %q, want 0, %s", s.Events, s.Source, small)
	}
	// A different file that only starts like it (same first line) is new,
	// and read in full.
	banner := filepath.Join(dir, "banner.log")
	writeFile(t, banner, jline("s", 0)+"\n"+jlines("b", 0, 4))
	if s := run(t, sink, Options{Paths: []string{banner}}).Sources[0]; s.Events != 5 || s.Status != "new" {
		t.Errorf("file starting alike: status %q, %d events, want new, 5", s.Status, s.Events)
	}
	if n, adds := len(sink.events()), sink.adds; n != 110 || adds != 110 {
		t.Errorf("%d events, %d adds, want 110", n, adds)
	}
}

// TestTruncatedGzipReplaced: a .gz cut short (a copy in progress) is read up
// to its last whole line; the complete file later adds exactly the rest.
func TestTruncatedGzipReplaced(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a real index")
	}
	ix := openIndex(t)
	path := filepath.Join(t.TempDir(), "app.log.gz")
	const n = 30000
	z := gzipped(t, jlines("z", 0, n))
	writeFile(t, path, z[:len(z)/2])
	sum, err := ingestInto(t, ix, Options{Paths: []string{path}}, 0)
	var pe *PathErrors
	if !errors.As(err, &pe) {
		t.Fatalf("truncated gzip: err = %v, want a path error", err)
	}
	if s := sum.Sources[0]; s.Held != 1 || s.Events == 0 || s.Events >= n {
		t.Errorf("truncated gzip: %d events, %d held, want part of it and its cut last line held", s.Events, s.Held)
	}
	writeFile(t, path, z)
	mustIngest(t, ix, Options{Paths: []string{path}})
	if got := distinctRaw(t, ix); got != n {
		t.Errorf("after the complete file: %d events, want %d", got, n)
	}
	for _, ev := range allEvents(t, ix) {
		if !strings.HasSuffix(string(ev.Raw), "}") {
			t.Errorf("a fragment was stored: %s:%d %q", ev.Source, ev.Line, ev.Raw)
		}
	}
}

// TestSameHeadDifferentContent: files whose first headSize bytes are the
// same but differ later are told apart by the length checkpoints.
func TestSameHeadDifferentContent(t *testing.T) {
	dir := t.TempDir()
	common := jlines("c", 0, 60) // > headSize
	if len(common) <= headSize {
		t.Fatalf("common part is %d bytes", len(common))
	}
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	writeFile(t, a, common+jlines("a", 0, 10))
	writeFile(t, b, common+jlines("b", 0, 20))
	sink := newFakeSink()
	sum := run(t, sink, Options{Paths: []string{a}})
	if sum.Events != 70 {
		t.Fatalf("a: %d events", sum.Events)
	}
	sum = run(t, sink, Options{Paths: []string{b}})
	if s := sum.Sources[0]; s.Events != 80 || s.Source != b {
		t.Errorf("b: %d events as %q, want 80 as %s (a different content)", s.Events, s.Source, b)
	}
	appendFile(t, b, jlines("b", 20, 3))
	appendFile(t, a, jlines("a", 10, 2))
	sum = run(t, sink, Options{Paths: []string{a, b}})
	if got := eventsByPath(sum); got[a] != 2 || got[b] != 3 {
		t.Errorf("appended: events by path %v, want a 2, b 3", got)
	}
	if sum = run(t, sink, Options{Paths: []string{a, b}}); sum.Events != 0 {
		t.Errorf("again: %d events", sum.Events)
	}
	if got := sink.bySource(); got[a] != 72 || got[b] != 83 || len(sink.lineDupes()) > 0 {
		t.Errorf("events by source %v", got)
	}
}

// TestLegacyCheckpoint: an index written when checkpoints were keyed by
// path names the same content's events; re-reading it stores nothing twice,
// and a different content under that path takes a generation it never used.
func TestLegacyCheckpoint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.log")
	writeFile(t, path, jlines("a", 0, 20))
	head, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sink := newFakeSink()
	// What the older ingest left: events named "a.log#1" (a second
	// generation), a checkpoint keyed by the path.
	legacySource := path + "#1"
	for i, l := range strings.SplitAfter(strings.TrimSuffix(string(head), "\n"), "\n") {
		ev := index.Event{Source: legacySource, Line: int64(i + 1), Raw: []byte(strings.TrimSuffix(l, "\n"))}
		sink.Add(&ev)
	}
	n := min(len(head), headSize)
	sink.Commit(index.Checkpoint{Key: path, HeadHash: headHash(head[:n]), Offset: int64(len(head)), Lines: 20,
		State: []byte(`{"source":"` + legacySource + `","gen":1,"head_len":` + strconv.Itoa(n) + `}`)})
	if s := run(t, sink, Options{Paths: []string{path}}).Sources[0]; s.Source != legacySource {
		t.Errorf("same content: source %q, want %q", s.Source, legacySource)
	}
	if got := sink.bySource(); len(got) != 1 || got[legacySource] != 20 {
		t.Errorf("events by source = %v, want the 20 of %s only", got, legacySource)
	}

	other := filepath.Join(dir, "b.log")
	writeFile(t, other, jlines("b", 0, 5))
	sink.Commit(index.Checkpoint{Key: other, HeadHash: "not this content", Offset: 99, Lines: 3,
		State: []byte(`{"source":"` + other + `#2","gen":2,"head_len":10}`)})
	if s := run(t, sink, Options{Paths: []string{other}}).Sources[0]; s.Source != other+"#3" || s.Events != 5 {
		t.Errorf("other content: source %q, %d events, want %s#3, 5", s.Source, s.Events, other)
	}
}

// TestStreamStartingAlike: a stream whose first 4 KiB are those of a
// content ingested before but that differs later is reported, not taken
// for that content (a stream cannot be read again to be read whole).
func TestStreamStartingAlike(t *testing.T) {
	common := jlines("c", 0, 60) // > headSize
	sink := newFakeSink()
	stdin := func(s string) Options { return Options{Paths: []string{"-"}, Stdin: strings.NewReader(s)} }
	run(t, sink, stdin(common+jlines("a", 0, 10)))
	// The same stream, longer: its tail is added.
	if s := run(t, sink, stdin(common+jlines("a", 0, 12))).Sources[0]; s.Events != 2 {
		t.Errorf("replayed stream: %d events, want 2", s.Events)
	}
	sum, err := Run(t.Context(), stdin(common+jlines("b", 0, 30)), sink)
	var le *LineError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "differs") || sum.Sources[0].Events != 0 {
		t.Errorf("diverging stream: err = %v, %d events, want an error naming it and nothing added", err, sum.Sources[0].Events)
	}
	if n := len(sink.events()); n != 72 {
		t.Errorf("%d events, want 72", n)
	}
}
