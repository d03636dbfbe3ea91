package index

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The index implements query.Store (checked here rather than by importing
// query, which imports index).
var _ interface {
	Find(ctx context.Context, f Filter, o FindOptions) (Result, error)
	Facet(ctx context.Context, f Filter, field string, size int) (Facet, error)
	Histogram(ctx context.Context, f Filter, from, to time.Time, n int) ([]TimeBucket, error)
	Deploys(ctx context.Context) ([]Deploy, error)
	Span(ctx context.Context) (Span, error)
} = (*Index)(nil)

func TestOpenReadOnlyMissing(t *testing.T) {
	for _, dir := range []string{filepath.Join(t.TempDir(), "nope"), t.TempDir()} {
		_, err := Open(dir, Options{ReadOnly: true})
		if !errors.Is(err, ErrNotExist) {
			t.Errorf("Open(%s, ReadOnly) = %v, want ErrNotExist", dir, err)
		}
		if err != nil && !strings.Contains(err.Error(), dir) {
			t.Errorf("error %q does not name %s", err, dir)
		}
	}
}

func TestOpenRefusesForeignDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("Open(non-empty dir) = %v, want an error naming notes.txt", err)
	}
}

// TestPermissions checks that everything in a new index is private: logs
// carry secrets.
func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := synthCorpus(600, 3)
	for i := range evs {
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(Checkpoint{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.AddDeploys([]Deploy{{Time: t0, Service: "api"}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n++
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v: readable by others", p, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 8 {
		t.Errorf("walked %d entries: the index looks empty", n)
	}
}

func TestLock(t *testing.T) {
	defer func(d, r time.Duration) { lockTimeout, readerWait = d, r }(lockTimeout, readerWait)
	lockTimeout, readerWait = 100*time.Millisecond, 100*time.Millisecond
	dir := t.TempDir()
	w1, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A second writer and a reader are refused while a writer holds it.
	for _, o := range []Options{{}, {ReadOnly: true}} {
		_, err := Open(dir, o)
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("Open(%+v) while a writer holds the index = %v, want ErrLocked", o, err)
		}
		if msg := err.Error(); !strings.Contains(msg, dir) || !strings.Contains(msg, "pid "+strconv.Itoa(os.Getpid())) {
			t.Errorf("error %q should name %s and the holder's pid", msg, dir)
		}
	}
	if err := w1.Close(); err != nil {
		t.Fatal(err)
	}
	// Readers share it, and exclude a writer.
	r1, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Errorf("writer while readers hold the index = %v, want ErrLocked", err)
	}
	r1.Close()
	r2.Close()
	w2, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("writer after readers left: %v", err)
	}
	w2.Close()
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.NewWriter(); err == nil {
		t.Error("NewWriter on a read-only index: no error")
	}
	if _, err := ro.AddDeploys([]Deploy{{Time: t0}}); err == nil {
		t.Error("AddDeploys on a read-only index: no error")
	}
	if res, err := ro.Find(t.Context(), Filter{}, FindOptions{}); err != nil || res.Total != 0 {
		t.Errorf("Find on an empty index = %+v, %v", res, err)
	}
}

func TestCheckpoints(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ix.Checkpoint("/var/log/a.log"); ok || err != nil {
		t.Fatalf("Checkpoint before any commit = %v, %v", ok, err)
	}
	w, _ := ix.NewWriter()
	evs := fixture()
	for i := range evs {
		w.Add(&evs[i])
	}
	want := Checkpoint{Key: "/var/log/a.log", Size: 1234, ModTime: t0, HeadHash: "abc", Offset: 1000, Lines: 9,
		LastTime: t0.Add(time.Second), State: []byte(`{"convention":"zap"}`)}
	if err := w.Commit(want, Checkpoint{Key: "stdin:ff"}); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	got, ok, err := ro.Checkpoint(want.Key)
	if err != nil || !ok {
		t.Fatalf("Checkpoint = %v, %v", ok, err)
	}
	if !got.ModTime.Equal(want.ModTime) || !got.LastTime.Equal(want.LastTime) {
		t.Errorf("times = %v %v, want %v %v", got.ModTime, got.LastTime, want.ModTime, want.LastTime)
	}
	got.ModTime, got.LastTime, want.ModTime, want.LastTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Checkpoint = %+v, want %+v", got, want)
	}
	if _, ok, _ := ro.Checkpoint("stdin:ff"); !ok {
		t.Error("second checkpoint of the commit is missing")
	}
}

func TestDeploys(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d1 := Deploy{Time: t0.Add(time.Hour), Service: "api", Version: "v2", Commit: "abc", Author: "ann"}
	d2 := Deploy{Time: t0, Service: "api", Version: "v1", Commit: "def"}
	d3 := Deploy{Time: t0.In(time.FixedZone("X", 3600)), Service: "api", Version: "v1", Commit: "def", Author: "other"} // same instant as d2
	if n, err := ix.AddDeploys([]Deploy{d1, d2}); n != 2 || err != nil {
		t.Fatalf("AddDeploys = %d, %v", n, err)
	}
	if n, err := ix.AddDeploys([]Deploy{d3, d1, {Time: t0, Service: "web"}}); n != 1 || err != nil {
		t.Fatalf("AddDeploys again = %d, %v; want 1 (the web deploy)", n, err)
	}
	ix.Close()
	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	got, err := ro.Deploys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for _, d := range got {
		desc = append(desc, d.Time.Format(time.TimeOnly)+" "+d.Service+" "+d.Version)
	}
	if want := "10:00:00 api v1|10:00:00 web |11:00:00 api v2"; strings.Join(desc, "|") != want {
		t.Errorf("Deploys = %q, want %q", strings.Join(desc, "|"), want)
	}
	if sp, _ := ro.Span(t.Context()); sp.Deploys != 3 {
		t.Errorf("Span.Deploys = %d, want 3", sp.Deploys)
	}
}

// countKeys returns how many times each source:line is in the index.
func countKeys(t *testing.T, ix *Index) map[string]int {
	t.Helper()
	res, err := ix.Find(t.Context(), Filter{}, FindOptions{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != len(res.Events) {
		t.Fatalf("Total %d, %d events", res.Total, len(res.Events))
	}
	m := map[string]int{}
	for _, e := range res.Events {
		m[key(e)]++
	}
	return m
}

// TestResumeWithoutDuplicates: add and commit, add more without commit,
// close; a new writer re-adds everything from the start: every line is in
// the index exactly once. Intermediate bleve batches are forced, so
// uncommitted blocks did reach bleve before the close.
func TestResumeWithoutDuplicates(t *testing.T) {
	defer func(b int) { batchBlocks = b }(batchBlocks)
	batchBlocks = 2
	dir := t.TempDir()
	a, _ := synthCorpus(3000, 21)
	b, _ := synthCorpus(1000, 22)
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := ix.NewWriter()
	for i := range 2000 {
		w.Add(&a[i])
	}
	if err := w.Commit(Checkpoint{Key: "a", Lines: 2000}); err != nil {
		t.Fatal(err)
	}
	for i := 2000; i < 3000; i++ {
		w.Add(&a[i])
	}
	for i := range b {
		w.Add(&b[i])
	}
	if err := ix.Close(); err != nil { // closes the writer: discards
		t.Fatal(err)
	}

	ix, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if sp, _ := ix.Span(t.Context()); sp.Events != 2000 {
		t.Fatalf("after close without commit: %d events, want 2000", sp.Events)
	}
	if cp, _, _ := ix.Checkpoint("a"); cp.Lines != 2000 {
		t.Fatalf("checkpoint lines = %d", cp.Lines)
	}
	w, err = ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	for i := range a { // the whole of a again, as after a lost checkpoint
		if err := w.Add(&a[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range b {
		w.Add(&b[i])
	}
	for i := range 10 { // and duplicates within one writer
		w.Add(&b[i])
	}
	if err := w.Commit(Checkpoint{Key: "a", Lines: 3000}); err != nil {
		t.Fatal(err)
	}
	counts := countKeys(t, ix)
	if len(counts) != 4000 {
		t.Errorf("%d distinct lines, want 4000", len(counts))
	}
	for k, n := range counts {
		if n != 1 {
			t.Errorf("%s is in the index %d times", k, n)
		}
	}
	// The same line number with other bytes (a rotated file) is a new line.
	changed := a[5]
	changed.Raw = append([]byte(nil), `{"msg":"rotated"}`...)
	changed.Message = "rotated"
	if err := w.Add(&changed); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if res, _ := ix.Find(t.Context(), Filter{Query: "rotated"}, FindOptions{}); res.Total != 1 {
		t.Errorf("rotated line found %d times, want 1", res.Total)
	}
	if sp, _ := ix.Span(t.Context()); sp.Events != 4001 {
		t.Errorf("%d events, want 4001", sp.Events)
	}
}

// TestManySources interleaves more sources than the writer keeps open
// blocks for.
func TestManySources(t *testing.T) {
	defer func(m int) { maxOpen = m }(maxOpen)
	maxOpen = 3
	var evs []Event
	for s := range 7 {
		part, _ := synthCorpus(300, uint64(100+s))
		evs = append(evs, part...)
	}
	// Interleave: line i of every source, in turn.
	var mixed []Event
	for i := range 300 {
		for s := range 7 {
			mixed = append(mixed, evs[s*300+i])
		}
	}
	ix := buildIndex(t, mixed, 1000)
	for _, f := range []Filter{{}, {Query: "reserve"}, {ErrorsOnly: true}} {
		want := naiveFind(t, mixed, f, OldestFirst)
		got, err := ix.Find(t.Context(), f, FindOptions{Limit: len(mixed)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(keys(got.Events), keys(want)) {
			t.Errorf("Find(%+v): %d events, want %d", f, len(got.Events), len(want))
		}
	}
}

func TestWriterCloseDiscards(t *testing.T) {
	ix := buildIndex(t, fixture(), 0)
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.NewWriter(); err == nil {
		t.Error("second NewWriter: no error")
	}
	evs, _ := synthCorpus(700, 5)
	for i := range evs {
		w.Add(&evs[i])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(&evs[0]); err == nil {
		t.Error("Add after Close: no error")
	}
	if sp, _ := ix.Span(t.Context()); sp.Events != 9 {
		t.Errorf("%d events after a discarded writer, want 9", sp.Events)
	}
	if res, _ := ix.Find(t.Context(), Filter{Query: "reserve"}, FindOptions{}); res.Total != 2 {
		t.Errorf("reserve: %d hits, want the fixture's 2", res.Total)
	}
}

// TestCorruptManifest: a damaged block record is reported with the file
// and block, not a panic.
func TestCorruptManifest(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := ix.NewWriter()
	evs := fixture()
	for i := range evs {
		w.Add(&evs[i])
	}
	w.Commit()
	ix.Close()
	p := filepath.Join(dir, idxFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[metaRecSize+3] ^= 0xff
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "block 1") {
		t.Errorf("Open with a corrupt record = %v, want an error naming %s and block 1", err, p)
	}
}

// TestConcurrentQueries runs queries from several goroutines while a writer
// adds and commits (run with -race): each query sees a committed state.
func TestConcurrentQueries(t *testing.T) {
	evs, _ := synthCorpus(3000, 31)
	ix := buildIndex(t, evs[:1000], 0)
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				var err error
				switch (g + i) % 3 {
				case 0:
					var res Result
					res, err = ix.Find(t.Context(), Filter{Query: "reserve OR status:>=500"}, FindOptions{Limit: 20, Order: NewestFirst})
					if err == nil && res.Total < len(res.Events) {
						err = errors.New("total below page size")
					}
				case 1:
					_, err = ix.Facet(t.Context(), Filter{ErrorsOnly: true}, "route", 5)
				case 2:
					_, err = ix.Histogram(t.Context(), Filter{}, evs[0].Time, evs[2999].Time, 10)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 1000; i < 3000; i++ {
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if i%500 == 0 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if sp, _ := ix.Span(t.Context()); sp.Events != 3000 {
		t.Errorf("%d events, want 3000", sp.Events)
	}
}
