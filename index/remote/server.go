package remote

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/culprit-dev/culprit/index/model"
)

// Server serves a store on a unix socket. Close stops it.
type Server struct {
	ln     net.Listener
	path   string
	st     Store
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Listen serves st at SocketPath(dir). Only the process that holds the
// index exclusively may call it: a socket file left by a process that died
// is removed first. The socket is readable and writable by its owner only.
func Listen(dir string, st Store) (*Server, error) {
	path := SocketPath(dir)
	if filepath.Dir(path) == runDir() {
		if err := privateDir(runDir()); err != nil {
			return nil, fmt.Errorf("serve index %s: %w", dir, err)
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("serve index %s: %w", dir, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("serve index %s: %w", dir, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("serve index %s: %w", dir, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{ln: ln, path: path, st: st, ctx: ctx, cancel: cancel}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Close stops accepting, cancels the queries in flight, waits for them and
// removes the socket.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		// Unlinking first means no client connects to a server going away;
		// net's close of a unix listener unlinks too, harmlessly.
		_ = os.Remove(s.path)
		err = s.ln.Close()
		s.cancel()
		s.wg.Wait()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
	})
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a transient failure (too many files): keep serving
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c)
		}()
	}
}

// serve answers the one request of a connection.
func (s *Server) serve(c net.Conn) {
	defer c.Close()
	var req request
	if err := gob.NewDecoder(io.LimitReader(c, maxRequest)).Decode(&req); err != nil {
		return // not a client of ours, or it went away
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	// The client sends nothing more: a read that returns means it closed
	// the connection (it was cancelled), so the query is cancelled too.
	go func() {
		var b [1]byte
		c.Read(b[:])
		cancel()
	}()
	if req.Method == mFindEach {
		s.stream(ctx, c, &req)
		return
	}
	resp := s.call(ctx, &req)
	if s.ctx.Err() != nil {
		// The server is closing: no answer, so the client sees
		// ErrNoServer and reads the files once they are free, rather
		// than a cancellation it did not ask for.
		return
	}
	_ = gob.NewEncoder(c).Encode(&resp)
}

func (s *Server) call(ctx context.Context, q *request) (r response) {
	var err error
	switch q.Method {
	case mPing:
	case mFind:
		r.Result, err = s.st.Find(ctx, q.Filter, q.Options)
	case mFacet:
		r.Facet, err = s.st.Facet(ctx, q.Filter, q.Field, q.Size)
	case mFacets:
		r.Facets, err = s.st.Facets(ctx, q.Filter, q.Fields, q.Size)
	case mHistogram:
		r.Buckets, err = s.st.Histogram(ctx, q.Filter, q.From, q.To, q.N)
	case mDeploys:
		r.Deploys, err = s.st.Deploys(ctx)
	case mSpan:
		r.Span, err = s.st.Span(ctx)
	case mGroupSummaries:
		gs, ok := s.st.(groupStore)
		if !ok {
			err = fmt.Errorf("group summaries: not supported by the served store")
			break
		}
		r.Groups, err = gs.GroupSummaries(ctx, q.Filter, q.Field, q.Fields, q.Size)
	default:
		err = fmt.Errorf("unknown method %d", q.Method)
	}
	if err != nil {
		return response{Err: errText(err), Kind: kindOf(err)}
	}
	return r
}

// privateDir creates dir 0700 if needed and checks that it is a directory
// (not a link) that only its owner may enter, so that no other user can
// put a socket of theirs where readers look.
func privateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s: not a private directory (want mode 0700)", dir)
	}
	return nil
}

// stream answers a FindEach: one frame per event as the store finds it,
// then a last frame with the total or the error, so that neither side
// holds the whole result.
func (s *Server) stream(ctx context.Context, c net.Conn, q *request) {
	enc := gob.NewEncoder(c)
	var total int
	var err error
	if es, ok := s.st.(eachStore); ok {
		total, err = es.FindEach(ctx, q.Filter, q.Options, func(e *model.Event) error {
			return enc.Encode(&frame{Event: e})
		})
	} else {
		var res model.Result
		res, err = s.st.Find(ctx, q.Filter, q.Options)
		total = res.Total
		for i := 0; err == nil && i < len(res.Events); i++ {
			err = enc.Encode(&frame{Event: &res.Events[i]})
		}
	}
	if s.ctx.Err() != nil {
		return // closing: the client reads the files instead
	}
	last := frame{Done: true, Total: total}
	if err != nil {
		last.Err, last.Kind = errText(err), kindOf(err)
	}
	_ = enc.Encode(&last)
}
