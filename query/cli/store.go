package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/remote"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/ingest/logline"
	"github.com/culprit-dev/culprit/query"
)

// ReadStore is an index open for queries.
type ReadStore interface {
	query.Store
	Close() error
}

// WriteStore is an index open for ingest. Close stops the writer and
// closes the index; its error means what was written may not be durable,
// and is reported (exit 2), never dropped.
type WriteStore interface {
	ingest.Sink
	Close() error
}

// openRead opens the index for queries; a missing index is a noIndexError.
func (g *globals) openRead() (ReadStore, error) {
	if g.storeURL != "" {
		return g.openVictoriaLogs()
	}
	open := g.env.OpenRead
	if open == nil {
		open = openIndexRead
	}
	st, err := open(g.indexDir)
	if errors.Is(err, index.ErrNotExist) {
		return nil, noIndexError{g.indexDir}
	}
	return st, err
}

// storeBound is the most shipped rows one question reads on a --store
// (0: victorialogs.DefaultBound); tests lower it.
var storeBound = 0

// openVictoriaLogs opens the --store for queries. Rows another shipper
// wrote are read with the detection ingest uses on files and the --field
// overrides; a question that reads only the newest rows says so on stderr.
func (g *globals) openVictoriaLogs() (*victorialogs.Store, error) {
	overrides := map[string]string{}
	for _, f := range g.fields {
		name, path, err := logline.ParseOverride(f)
		if err != nil {
			return nil, flagErrorf("--field %s: %w", f, err)
		}
		overrides[name] = path
	}
	if _, err := logline.Detect(nil, overrides); err != nil {
		return nil, flagErrorf("--field: %w", err)
	}
	s, err := g.openStore()
	if err != nil {
		return nil, err
	}
	var warned sync.Map
	bound := storeBound
	s.ReadForeign(victorialogs.ForeignOptions{
		Detect: func(sample [][]byte) (victorialogs.Parser, error) {
			return logline.Detect(sample, overrides)
		},
		Bound: bound,
		Warn: func(msg string) {
			if _, dup := warned.LoadOrStore(msg, true); !dup {
				fmt.Fprintf(g.env.Err, "culprit: %s\n", msg)
			}
		},
	})
	return s, nil
}

// storeOpenTimeout bounds the first exchange with a --store: a host that
// accepts the connection and never answers (a black-holed port, a proxy
// waiting on a dead upstream) would otherwise hold the command until
// Ctrl-C. Queries after it are not bounded: a big one may take its time.
var storeOpenTimeout = 15 * time.Second

// openStore connects to the --store and checks that it answers.
func (g *globals) openStore() (*victorialogs.Store, error) {
	ctx, cancel := context.WithTimeout(g.context(), storeOpenTimeout)
	defer cancel()
	s, err := victorialogs.Open(ctx, g.storeURL)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && g.context().Err() == nil {
		return nil, fmt.Errorf("store %s did not answer within %v: %w", g.where(), storeOpenTimeout, err)
	}
	return s, err
}

// openIndexRead is the default Env.OpenRead: a live store (live.go), which
// asks the writer when one serves the index and otherwise opens the files
// only while it queries.
func openIndexRead(dir string) (ReadStore, error) { return openLive(dir) }

// openWrite opens (creating it if needed) the index for ingest.
func (g *globals) openWrite() (WriteStore, error) {
	if g.storeURL != "" {
		s, err := g.openStore()
		if err != nil {
			return nil, err
		}
		return s.NewSink(g.context())
	}
	if g.env.OpenWrite != nil {
		return g.env.OpenWrite(g.indexDir)
	}
	return OpenIndexWrite(g.indexDir)
}

// OpenIndexWrite opens the index in dir for writing, creating it, starts
// its writer and serves it to readers in other processes (remote.Listen):
// the default Env.OpenWrite.
func OpenIndexWrite(dir string) (WriteStore, error) {
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		return nil, err
	}
	sink, err := ingest.NewIndexSink(ix)
	if err != nil {
		return nil, errors.Join(err, ix.Close())
	}
	srv, err := remote.Listen(dir, ix)
	if err != nil {
		// Readers could not reach the index while this writes.
		return nil, errors.Join(fmt.Errorf("serve the index to readers: %w", err), sink.Close(), ix.Close())
	}
	return &indexWriter{IndexSink: sink, ix: ix, srv: srv}, nil
}

// indexWriter is a bleve index with its ingest writer and the server of
// its readers.
type indexWriter struct {
	*ingest.IndexSink
	ix  *index.Index
	srv *remote.Server
}

// Close stops serving readers (they open the files once they are free),
// stops the writer, then closes the index, and reports every error.
func (w *indexWriter) Close() error {
	return errors.Join(w.srv.Close(), w.IndexSink.Close(), w.ix.Close())
}

// noIndexError says what to do when there is no index yet; it is an
// index.ErrNotExist for errors.Is.
type noIndexError struct{ dir string }

func (e noIndexError) Error() string {
	return fmt.Sprintf("no index at %s: run 'culprit ingest PATH...' first (or pass --index)", e.dir)
}

func (e noIndexError) Unwrap() error { return index.ErrNotExist }

// investigator opens the index read-only and wraps it; call done when
// finished.
func (g *globals) investigator() (inv *query.Investigator, done func(), err error) {
	st, err := g.openRead()
	if err != nil {
		return nil, nil, err
	}
	return query.New(st, query.Options{}), func() { st.Close() }, nil
}

// context returns the running command's context (Background before a
// command runs, as in tests that call helpers directly).
func (g *globals) context() context.Context {
	if g.ctx == nil {
		return context.Background()
	}
	return g.ctx
}

// where names the store a command reads or writes, for messages: the
// local index directory, or the remote store's URL without credentials.
func (g *globals) where() string {
	if g.storeURL != "" {
		if cfg, err := victorialogs.ParseURL(g.storeURL); err == nil {
			return cfg.Base.Redacted()
		}
		return "the --store URL"
	}
	return g.indexDir
}
