package remote_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/remote"
	"github.com/culprit-dev/culprit/index/storetest"
)

// serve opens a writable index in a temporary directory, serves it and
// returns it with a client of the server.
func serve(t *testing.T) (*index.Index, *remote.Client, string) {
	t.Helper()
	dir := t.TempDir()
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := remote.Listen(dir, ix)
	if err != nil {
		ix.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	})
	c, err := remote.Dial(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return ix, c, dir
}

// The client keeps the store contract over a real served index, written
// through the writer while it is served.
func TestStoreContract(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T, evs []model.Event, ds []model.Deploy) storetest.Store {
		ix, c, _ := serve(t)
		w, err := ix.NewWriter()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		for i := range evs {
			if err := w.Add(&evs[i]); err != nil {
				t.Fatal(err)
			}
			if i%5 == 4 {
				if err := w.Commit(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if _, err := ix.AddDeploys(ds); err != nil {
			t.Fatal(err)
		}
		return c
	})
}

func TestNoServer(t *testing.T) {
	dir := t.TempDir()
	if _, err := remote.Dial(t.Context(), dir); !errors.Is(err, remote.ErrNoServer) {
		t.Fatalf("Dial with no server: %v, want ErrNoServer", err)
	}
	// A socket left by a process that died is not a server.
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	srv, err := remote.Listen(dir, ix)
	if err != nil {
		t.Fatal(err)
	}
	c, err := remote.Dial(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, err := c.Span(t.Context()); !errors.Is(err, remote.ErrNoServer) {
		t.Fatalf("Span after the server closed: %v, want ErrNoServer", err)
	}
	// Listen replaces a stale socket file.
	srv, err = remote.Listen(dir, ix)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := c.Span(t.Context()); err != nil {
		t.Fatalf("Span after a new server: %v", err)
	}
}

// A long socket path (deep directories) falls back to the temporary
// directory, the same for the server and its clients.
func TestLongPath(t *testing.T) {
	dir := t.TempDir() + "/" + fmt.Sprintf("%0120d", 0)
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	srv, err := remote.Listen(dir, ix)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := remote.Dial(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
}

// slowStore blocks Find until its context is done, and says it saw that.
type slowStore struct {
	remote.Store
	started   chan struct{}
	cancelled chan error
}

func (s slowStore) Find(ctx context.Context, _ model.Filter, _ model.FindOptions) (model.Result, error) {
	close(s.started)
	<-ctx.Done()
	s.cancelled <- ctx.Err()
	return model.Result{}, ctx.Err()
}

// Cancelling a client's call cancels the query in the server.
func TestCancelReachesServer(t *testing.T) {
	dir := t.TempDir()
	st := slowStore{started: make(chan struct{}), cancelled: make(chan error, 1)}
	srv, err := remote.Listen(dir, st)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := remote.Dial(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.Find(ctx, model.Filter{}, model.FindOptions{})
		done <- err
	}()
	<-st.started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Find cancelled: %v", err)
	}
	select {
	case err := <-st.cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("server's query ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server's query was not cancelled")
	}
}

// Readers query while the writer commits: every reader sees every commit
// made before its query, and counts never go back (run with -race).
func TestReadersDuringWrites(t *testing.T) {
	ix, c, _ := serve(t)
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	base := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	const commits, per = 20, 25
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for {
				mu.Lock()
				before := done
				mu.Unlock()
				sp, err := c.Span(context.Background())
				if err != nil {
					errs <- err
					return
				}
				res, err := c.Find(context.Background(), model.Filter{Query: "service:api"}, model.FindOptions{Limit: 1})
				if err != nil {
					errs <- err
					return
				}
				if sp.Events < before*per || sp.Events < last || res.Total < before*per {
					errs <- fmt.Errorf("a reader saw %d events (find %d) after %d commits of %d", sp.Events, res.Total, before, per)
					return
				}
				last = sp.Events
				if before == commits {
					return
				}
			}
		}()
	}
	line := int64(0)
	for i := 1; i <= commits; i++ {
		for j := 0; j < per; j++ {
			line++
			ev := model.Event{Time: base.Add(time.Duration(line) * time.Millisecond), Level: "info", Message: "hello", Service: "api", Source: "app.log", Line: line, Raw: []byte(fmt.Sprintf(`{"n":%d}`, line))}
			if err := w.Add(&ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		done = i
		mu.Unlock()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// FindEach streams the same events Find returns, in both orders, and a
// failing fn stops it with its error.
func TestFindEach(t *testing.T) {
	ix, c, _ := serve(t)
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	base := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 30; i++ {
		ev := model.Event{Time: base.Add(time.Duration(i) * time.Second), Level: "error", Message: "boom", Service: "api", Source: "a.log", Line: int64(i), Raw: fmt.Appendf(nil, `{"n":%d}`, i)}
		if err := w.Add(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, order := range []model.Order{model.OldestFirst, model.NewestFirst} {
		o := model.FindOptions{Limit: 25, Order: order}
		want, err := c.Find(t.Context(), model.Filter{Query: "boom"}, o)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		total, err := c.FindEach(t.Context(), model.Filter{Query: "boom"}, o, func(e *model.Event) error {
			got = append(got, string(e.Raw))
			return nil
		})
		if err != nil || total != want.Total || len(got) != len(want.Events) {
			t.Fatalf("FindEach: %d events, total %d, %v; want %d, %d", len(got), total, err, len(want.Events), want.Total)
		}
		for i := range got {
			if got[i] != string(want.Events[i].Raw) {
				t.Fatalf("event %d: %s, want %s", i, got[i], want.Events[i].Raw)
			}
		}
	}
	stop := errors.New("enough")
	n := 0
	_, err = c.FindEach(t.Context(), model.Filter{}, model.FindOptions{Limit: -1}, func(*model.Event) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("FindEach with a failing fn: %v after %d events", err, n)
	}
	if _, err := remote.NewClient(t.TempDir()).FindEach(t.Context(), model.Filter{}, model.FindOptions{}, func(*model.Event) error { return nil }); !errors.Is(err, remote.ErrNoServer) {
		t.Fatalf("FindEach with no server: %v", err)
	}
}

// GroupSummaries crosses the socket with the served index's answer.
func TestGroupSummaries(t *testing.T) {
	ix, c, _ := serve(t)
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	base := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 40; i++ {
		ev := model.Event{Time: base.Add(time.Duration(i) * time.Second), Level: "error", IsError: true, Message: "boom", Service: "api",
			Source: "a.log", Line: int64(i), Fingerprint: fmt.Sprintf("fp-%d", i%3), RequestID: fmt.Sprintf("r-%d", i%7), Route: "GET /x",
			Raw: fmt.Appendf(nil, `{"n":%d}`, i)}
		if err := w.Add(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	f := model.Filter{ErrorsOnly: true}
	fields := []string{"request_id", "route"}
	want, err := ix.GroupSummaries(t.Context(), f, "fingerprint", fields, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GroupSummaries(t.Context(), f, "fingerprint", fields, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("over the socket\n%v\nserved index\n%v", got, want)
	}
}
