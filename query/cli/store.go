package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/ingest"
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
		return victorialogs.Open(g.context(), g.storeURL)
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

func openIndexRead(dir string) (ReadStore, error) {
	ix, err := index.Open(dir, index.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// openWrite opens (creating it if needed) the index for ingest.
func (g *globals) openWrite() (WriteStore, error) {
	if g.storeURL != "" {
		s, err := victorialogs.Open(g.context(), g.storeURL)
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

// OpenIndexWrite opens the index in dir for writing, creating it, and
// starts its writer: the default Env.OpenWrite.
func OpenIndexWrite(dir string) (WriteStore, error) {
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		return nil, err
	}
	sink, err := ingest.NewIndexSink(ix)
	if err != nil {
		return nil, errors.Join(err, ix.Close())
	}
	return &indexWriter{IndexSink: sink, ix: ix}, nil
}

// indexWriter is a bleve index with its ingest writer.
type indexWriter struct {
	*ingest.IndexSink
	ix *index.Index
}

// Close stops the writer, then closes the index, and reports both errors.
func (w *indexWriter) Close() error {
	return errors.Join(w.IndexSink.Close(), w.ix.Close())
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
