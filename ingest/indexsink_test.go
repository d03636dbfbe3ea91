package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/culprit-dev/culprit/index"
)

// failingSink makes an IndexSink fail after n adds, as a process killed
// midway would stop.
type failingSink struct {
	*IndexSink
	n int
}

func (f *failingSink) Add(ev *index.Event) error {
	if f.n <= 0 {
		return errCrash
	}
	f.n--
	return f.IndexSink.Add(ev)
}

// ingestInto runs one ingest on a fresh writer of ix.
func ingestInto(t *testing.T, ix *index.Index, o Options, failAfter int) (Summary, error) {
	t.Helper()
	s, err := NewIndexSink(ix)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	var sink Sink = s
	if failAfter > 0 {
		sink = &failingSink{s, failAfter}
	}
	return Run(t.Context(), o, sink)
}

// allEvents lists the index's events and fails on a line stored twice.
func allEvents(t *testing.T, ix *index.Index) []index.Event {
	t.Helper()
	res, err := ix.Find(t.Context(), index.Filter{}, index.FindOptions{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ev := range res.Events {
		k := fmt.Sprintf("%s:%d", ev.Source, ev.Line)
		if seen[k] {
			t.Errorf("line %s stored twice", k)
		}
		seen[k] = true
	}
	return res.Events
}

func TestIndexSink(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a real index")
	}
	defer func(l, b int64) { commitLines, commitBytes = l, b }(commitLines, commitBytes)
	commitLines, commitBytes = 500, 64<<10

	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	writeFile(t, filepath.Join(logs, "api.log"), jlines("api", 0, 1500))
	writeFile(t, filepath.Join(logs, "db.log.gz"), gzipped(t, jlines("db", 0, 700)))
	deploys := filepath.Join(dir, "deploys.csv")
	writeFile(t, deploys, "time,service,version\n2026-11-25T09:00:00Z,api,v1\n2026-11-25T09:30:00Z,db,v7\n")
	o := Options{Paths: []string{logs}, Deploys: []string{deploys}, SkipDirs: []string{filepath.Join(dir, "idx")}}

	open := func(t *testing.T, name string) *index.Index {
		ix, err := index.Open(filepath.Join(dir, name), index.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		return ix
	}

	t.Run("clean, again, appended", func(t *testing.T) {
		ix := open(t, "idx")
		sum, err := ingestInto(t, ix, o, 0)
		if err != nil || sum.Events != 2200 || sum.Deploys != 2 {
			t.Fatalf("first ingest: %d events, %d deploys, %v", sum.Events, sum.Deploys, err)
		}
		if n := len(allEvents(t, ix)); n != 2200 {
			t.Errorf("index holds %d events, want 2200", n)
		}
		sum, err = ingestInto(t, ix, o, 0)
		if err != nil || sum.Events != 0 || sum.Deploys != 0 {
			t.Errorf("second ingest: %d events, %d deploys, %v, want nothing new", sum.Events, sum.Deploys, err)
		}
		appendFile(t, filepath.Join(logs, "api.log"), jlines("api", 1500, 10))
		if sum, err = ingestInto(t, ix, o, 0); err != nil || sum.Events != 10 {
			t.Errorf("after append: %d events, %v, want 10", sum.Events, err)
		}
		if n := len(allEvents(t, ix)); n != 2210 {
			t.Errorf("index holds %d events, want 2210", n)
		}
		sp, err := ix.Span(t.Context())
		if err != nil || sp.Events != 2210 || sp.Deploys != 2 {
			t.Errorf("Span = %+v, %v", sp, err)
		}
	})

	// From here on the corpus holds 2210 lines (api.log was appended to).
	for _, n := range []int{1, 499, 501, 1700} {
		t.Run(fmt.Sprintf("killed after %d adds", n), func(t *testing.T) {
			ix := open(t, fmt.Sprintf("idx-%d", n))
			if _, err := ingestInto(t, ix, o, n); !errors.Is(err, errCrash) {
				t.Fatalf("interrupted ingest: err = %v", err)
			}
			if _, err := ingestInto(t, ix, o, 0); err != nil {
				t.Fatal(err)
			}
			evs := allEvents(t, ix)
			if len(evs) != 2210 {
				t.Errorf("index holds %d events after resuming, want 2210", len(evs))
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ix := open(t, "idx-cancel")
		s, err := NewIndexSink(ix)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cs := &cancelSink{IndexSink: s, n: 800, cancel: cancel}
		sum, err := Run(ctx, o, cs)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		s.Close()
		if n := len(allEvents(t, ix)); int64(n) != sum.Events {
			t.Errorf("index holds %d events, the cancelled run reported %d committed", n, sum.Events)
		}
		if _, err := ingestInto(t, ix, o, 0); err != nil {
			t.Fatal(err)
		}
		if n := len(allEvents(t, ix)); n != 2210 {
			t.Errorf("index holds %d events after resuming, want 2210", n)
		}
	})
}

// cancelSink cancels the run after n adds.
type cancelSink struct {
	*IndexSink
	n      int
	cancel context.CancelFunc
}

func (c *cancelSink) Add(ev *index.Event) error {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return c.IndexSink.Add(ev)
}
