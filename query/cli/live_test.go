package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/query"
)

// addEvents adds n events after line from and commits them.
func addEvents(t *testing.T, w WriteStore, from, n int) {
	t.Helper()
	base := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i := from + 1; i <= from+n; i++ {
		ev := index.Event{Time: base.Add(time.Duration(i) * time.Millisecond), Level: "error", Message: "boom", Service: "api",
			Source: "app.log", Line: int64(i), Raw: fmt.Appendf(nil, `{"n":%d}`, i)}
		if err := w.Add(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

func span(t *testing.T, st query.Store) int {
	t.Helper()
	sp, err := st.Span(t.Context())
	if err != nil {
		t.Fatalf("Span: %v", err)
	}
	return sp.Events
}

// Readers open and query the index while a writer holds it, and each sees
// every commit made before its query (run with -race).
func TestReadersDuringWrites(t *testing.T) {
	dir := t.TempDir()
	w, err := OpenIndexWrite(dir)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	committed := 0
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				before := committed
				mu.Unlock()
				// A fresh reader each time, as a CLI command would be.
				st, err := openIndexRead(dir)
				if err != nil {
					errs <- fmt.Errorf("open while writing: %w", err)
					return
				}
				sp, err := st.Span(context.Background())
				st.Close()
				if err != nil {
					errs <- err
					return
				}
				if sp.Events < before {
					errs <- fmt.Errorf("a reader saw %d events after %d were committed", sp.Events, before)
					return
				}
				if before == 200 {
					return
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		addEvents(t, w, i*10, 10)
		mu.Lock()
		committed = (i + 1) * 10
		mu.Unlock()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// A long-lived reader (the TUI) does not stop a writer from starting: it
// holds the index files only while it queries, then follows the writer
// through its socket, then the files again once the writer is gone.
func TestLongReaderThenWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := OpenIndexWrite(dir)
	if err != nil {
		t.Fatal(err)
	}
	addEvents(t, w, 0, 5)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	long, err := openIndexRead(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer long.Close()
	if n := span(t, long); n != 5 {
		t.Fatalf("reader sees %d events, want 5", n)
	}
	start := time.Now()
	w, err = OpenIndexWrite(dir)
	if err != nil {
		t.Fatalf("a writer could not start while a reader is open: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the writer waited %v for an idle reader", d)
	}
	addEvents(t, w, 5, 7)
	if n := span(t, long); n != 12 {
		t.Fatalf("reader sees %d events during the write, want 12", n)
	}
	// Several readers at once, while the writer holds the index.
	other, err := openIndexRead(dir)
	if err != nil {
		t.Fatalf("second reader while writing: %v", err)
	}
	if n := span(t, other); n != 12 {
		t.Fatalf("second reader sees %d, want 12", n)
	}
	other.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := span(t, long); n != 12 {
		t.Fatalf("reader sees %d events after the writer ended, want 12", n)
	}
}

// Two writers still exclude each other, with a clear error within about a
// second.
func TestTwoWriters(t *testing.T) {
	dir := t.TempDir()
	w, err := OpenIndexWrite(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	start := time.Now()
	_, err = OpenIndexWrite(dir)
	if !errors.Is(err, index.ErrLocked) {
		t.Fatalf("second writer: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("second writer failed after %v", d)
	}
}
