package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/remote"
	"github.com/culprit-dev/culprit/query"
)

// Readers never block the writer and the writer never blocks readers
// (docs/follow.md): a process that writes the index serves it on a socket
// (remote.Listen, in OpenIndexWrite) and readers ask it; with no writer, a
// reader opens the index files itself, but only while it has queries in
// flight, and closes them once it has been idle for leaseIdle, so that a
// writer starting meanwhile waits at most for the queries running.

// leaseIdle is how long a reader keeps the index files open after its last
// query, so that a burst of queries (one TUI screen) opens them once.
var leaseIdle = 150 * time.Millisecond

// writerStartWait bounds how long a reader waits for a writer that holds
// the lock but does not serve yet (it is opening the index).
var writerStartWait = 5 * time.Second

// liveStore is the ReadStore of every query command and the TUI: each call
// goes to the writer's socket when a writer serves the index, else to the
// index files opened read-only for a short lease.
type liveStore struct {
	dir string

	mu     sync.Mutex
	ix     *index.Index // open lease, or nil
	users  int          // calls using ix
	gen    int          // bumps when ix is opened, so a stale timer does nothing
	timer  *time.Timer
	closed bool
}

// openLive checks that the index in dir exists (or is served) and returns
// its live store.
func openLive(dir string) (ReadStore, error) {
	s := &liveStore{dir: dir}
	ctx := context.Background()
	if err := s.with(ctx, func(st query.Store) error { _, err := st.Span(ctx); return err }); err != nil {
		return nil, err
	}
	return s, nil
}

// with runs fn on the writer's socket or on a lease of the index files.
func (s *liveStore) with(ctx context.Context, fn func(query.Store) error) error {
	deadline := time.Now().Add(writerStartWait)
	for {
		// No writer (no socket, or a dead one), or the writer ended
		// during the call: the files are free, or about to be.
		if err := fn(remote.NewClient(s.dir)); !errors.Is(err, remote.ErrNoServer) {
			return err
		}
		ix, err := s.acquire()
		if errors.Is(err, index.ErrLocked) && time.Now().Before(deadline) {
			// A writer holds the index and is about to serve it.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
		err = fn(ix)
		s.release()
		return err
	}
}

// acquire returns the open lease of the index files, opening them if
// needed.
func (s *liveStore) acquire() (*index.Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("index closed")
	}
	if s.ix == nil {
		ix, err := index.Open(s.dir, index.Options{ReadOnly: true})
		if err != nil {
			return nil, err
		}
		s.ix = ix
		s.gen++
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.users++
	return s.ix, nil
}

// release ends one call's use of the lease; the last one arms the idle
// timer that closes the files.
func (s *liveStore) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users--
	if s.users > 0 || s.ix == nil {
		return
	}
	gen := s.gen
	s.timer = time.AfterFunc(leaseIdle, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.gen == gen && s.users == 0 && s.ix != nil {
			s.ix.Close()
			s.ix = nil
		}
	})
}

// Close closes the index files if they are open.
func (s *liveStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.ix == nil {
		return nil
	}
	err := s.ix.Close()
	s.ix = nil
	return err
}

// Concurrency is how many groups `errors` and the TUI's home analyse at
// once (query.Concurrent): one per core. The index's questions are CPU
// work, in this process or in the writer's, and independent of each other,
// so a second core shortens the list's wait instead of idling.
func (s *liveStore) Concurrency() int { return runtime.GOMAXPROCS(0) }

// Find returns the events matching f, a page at a time.
func (s *liveStore) Find(ctx context.Context, f query.Filter, o query.FindOptions) (r query.Result, err error) {
	err = s.with(ctx, func(st query.Store) error { r, err = st.Find(ctx, f, o); return err })
	return r, err
}

// Facet returns the distribution of one field.
func (s *liveStore) Facet(ctx context.Context, f query.Filter, field string, size int) (r query.Facet, err error) {
	err = s.with(ctx, func(st query.Store) error { r, err = st.Facet(ctx, f, field, size); return err })
	return r, err
}

// Facets returns several facets over one filter.
func (s *liveStore) Facets(ctx context.Context, f query.Filter, fields []string, size int) (r []query.Facet, err error) {
	err = s.with(ctx, func(st query.Store) error {
		r, err = st.(query.MultiFaceter).Facets(ctx, f, fields, size)
		return err
	})
	return r, err
}

var _ query.GroupSummarizer = (*liveStore)(nil)

// GroupSummaries lists the groups with their facets (query.GroupSummarizer):
// the index and the writer's socket both answer it.
func (s *liveStore) GroupSummaries(ctx context.Context, f query.Filter, field string, fields []string, size int) (r []query.GroupSummary, err error) {
	err = s.with(ctx, func(st query.Store) error {
		r, err = st.(query.GroupSummarizer).GroupSummaries(ctx, f, field, fields, size)
		return err
	})
	return r, err
}

// Histogram counts the matches in n buckets over [from, to).
func (s *liveStore) Histogram(ctx context.Context, f query.Filter, from, to time.Time, n int) (r []query.TimeBucket, err error) {
	err = s.with(ctx, func(st query.Store) error { r, err = st.Histogram(ctx, f, from, to, n); return err })
	return r, err
}

// Deploys returns the deploy history.
func (s *liveStore) Deploys(ctx context.Context) (r []query.Deploy, err error) {
	err = s.with(ctx, func(st query.Store) error { r, err = st.Deploys(ctx); return err })
	return r, err
}

// Span describes the index.
func (s *liveStore) Span(ctx context.Context) (r query.Span, err error) {
	err = s.with(ctx, func(st query.Store) error { r, err = st.Span(ctx); return err })
	return r, err
}

// FindEach streams the matches (query.EventStreamer), from the writer or
// from the files. A writer that goes away after some events were handed
// over is an error, not a retry from the files, which would hand them over
// again.
func (s *liveStore) FindEach(ctx context.Context, f query.Filter, o query.FindOptions, fn func(*query.Event) error) (total int, err error) {
	handed := 0
	counted := func(e *query.Event) error { handed++; return fn(e) }
	err = s.with(ctx, func(st query.Store) error {
		es, ok := st.(query.EventStreamer)
		if !ok {
			return errors.New("the index cannot stream its events")
		}
		total, err = es.FindEach(ctx, f, o, counted)
		if handed > 0 && errors.Is(err, remote.ErrNoServer) {
			return fmt.Errorf("the writer of the index ended during the search (%s printed): %w", count(handed, "event"), errWriterGone)
		}
		return err
	})
	return total, err
}

// errWriterGone is an interrupted stream from a writer that ended.
var errWriterGone = errors.New("run the search again")
