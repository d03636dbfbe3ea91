package cli

import (
	"errors"
	"io/fs"
	"os"

	"github.com/culprit-dev/culprit/index"
)

// lazyStore is the WriteStore of an ingest into an index that does not
// exist yet: it creates the index only when the run has something to
// store (an event, a checkpoint, a deploy). A run that fails before that
// (`culprit ingest /no/such/path`, an unreadable file, a deploy history
// that does not parse, Ctrl-C before the first line) leaves no directory
// behind, so later commands still say that there is no index instead of
// answering from an empty one. Only for files: an ingest of a stream
// (stdin, --follow) opens the index at once, so that it is locked against a
// second writer and served to readers before the first line arrives.
type lazyStore struct {
	open func() (WriteStore, error)
	st   WriteStore
	err  error // of the one open
}

// get opens the index once.
func (l *lazyStore) get() (WriteStore, error) {
	if l.st == nil && l.err == nil {
		l.st, l.err = l.open()
	}
	return l.st, l.err
}

// Checkpoint of a source in an index that does not exist yet: none.
func (l *lazyStore) Checkpoint(key string) (index.Checkpoint, bool, error) {
	if l.st == nil {
		return index.Checkpoint{}, false, nil
	}
	return l.st.Checkpoint(key)
}

// Add opens the index and adds ev.
func (l *lazyStore) Add(ev *index.Event) error {
	st, err := l.get()
	if err != nil {
		return err
	}
	return st.Add(ev)
}

// Commit commits; a commit of nothing before the index exists is a no-op.
func (l *lazyStore) Commit(cps ...index.Checkpoint) error {
	if l.st == nil && len(cps) == 0 {
		return nil
	}
	st, err := l.get()
	if err != nil {
		return err
	}
	return st.Commit(cps...)
}

// AddDeploys opens the index and adds ds (nothing to add opens nothing).
func (l *lazyStore) AddDeploys(ds []index.Deploy) (int, error) {
	if l.st == nil && len(ds) == 0 {
		return 0, nil
	}
	st, err := l.get()
	if err != nil {
		return 0, err
	}
	return st.AddDeploys(ds)
}

// Close closes the index if it was opened.
func (l *lazyStore) Close() error {
	if l.st == nil {
		return nil
	}
	return l.st.Close()
}

// created reports whether the index was opened (and so exists).
func (l *lazyStore) created() bool { return l.st != nil }

// indexAbsent reports whether dir holds no index yet: it does not exist,
// or is an empty directory. Anything else (an index, a damaged one, a
// directory of other files) is for index.Open to judge at once.
func indexAbsent(dir string) bool {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	return err == nil && len(ents) == 0
}
