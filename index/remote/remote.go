// Package remote lets other processes query an index that one process holds
// open for writing. The writer serves its store on a unix socket next to the
// index (Serve); a reader that finds the socket alive queries through it
// (Dial, Client) instead of opening the index files, so readers never wait
// for the writer's file locks and the writer never waits for theirs. Every
// query runs on the writer's open index, so it sees every commit made before
// it.
//
// The protocol is one request and one response per connection, both gob
// encoded and bounded in size. A client cancels a query by closing its
// connection; the server then cancels the query's context.
//
// Allowed imports: the standard library and index/model (no bleve).
package remote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// Store is what a served index answers: the store contract (storetest.Store,
// query.Store) and several facets in one round trip.
type Store interface {
	Find(ctx context.Context, f model.Filter, o model.FindOptions) (model.Result, error)
	Facet(ctx context.Context, f model.Filter, field string, size int) (model.Facet, error)
	Facets(ctx context.Context, f model.Filter, fields []string, size int) ([]model.Facet, error)
	Histogram(ctx context.Context, f model.Filter, from, to time.Time, n int) ([]model.TimeBucket, error)
	Deploys(ctx context.Context) ([]model.Deploy, error)
	Span(ctx context.Context) (model.Span, error)
}

// Size bounds: a request is small (a filter and a few names); a response
// holds at most one page of events, whose lines are at most a few MiB each.
const (
	maxRequest  = 1 << 20
	maxResponse = 512 << 20
)

// ErrNoServer is returned by Dial when no live process serves the index.
var ErrNoServer = errors.New("no process serves this index")

// sockName is the socket's name inside the index directory.
const sockName = "serve.sock"

// maxSockPath is the longest unix socket path every supported system takes
// (sun_path is 104 bytes on the BSDs and macOS, 108 on Linux).
const maxSockPath = 100

// SocketPath is where the writer of the index in dir listens: dir/serve.sock,
// or, when that path is too long for a unix socket, a name derived from
// dir's absolute path (the same for every process) in runDir().
func SocketPath(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	p := filepath.Join(abs, sockName)
	if len(p) <= maxSockPath {
		return p
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(runDir(), hex.EncodeToString(sum[:8])+".sock")
}

// runDir is the user's own directory for sockets whose index path is too
// long: culprit-UID in the temporary directory, which Listen creates 0700.
func runDir() string {
	return filepath.Join(os.TempDir(), "culprit-"+strconv.Itoa(os.Getuid()))
}

// method names a Store method on the wire.
type method uint8

const (
	mPing method = iota + 1
	mFind
	mFacet
	mFacets
	mHistogram
	mDeploys
	mSpan
	mFindEach
	mGroupSummaries
)

// request is one call: the method and its arguments.
type request struct {
	Method   method
	Filter   model.Filter
	Options  model.FindOptions
	Field    string
	Fields   []string
	Size     int
	From, To time.Time
	N        int
}

// errKind says which sentinel a remote error wraps.
type errKind uint8

const (
	kindOther errKind = iota
	kindInvalid
	kindCanceled
	kindDeadline
	kindDamaged
)

// response is one answer: the field of the method called, or an error.
type response struct {
	Err     string
	Kind    errKind
	Result  model.Result
	Facet   model.Facet
	Facets  []model.Facet
	Buckets []model.TimeBucket
	Deploys []model.Deploy
	Span    model.Span
	Groups  []model.GroupSummary
}

func kindOf(err error) errKind {
	switch {
	case errors.Is(err, model.ErrInvalidQuery):
		return kindInvalid
	case errors.Is(err, context.Canceled):
		return kindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return kindDeadline
	case errors.Is(err, model.ErrDamaged):
		return kindDamaged
	}
	return kindOther
}

// errText is the message a response carries for err: for damage, the
// store's own report (the innermost error of the chain that is still
// model.ErrDamaged: which file, which block, what to run), without the
// context added around it, as the CLI prints a local index's damage.
func errText(err error) string {
	for errors.Is(err, model.ErrDamaged) {
		u := errors.Unwrap(err)
		if u == nil || u == model.ErrDamaged || !errors.Is(u, model.ErrDamaged) {
			break
		}
		err = u
	}
	return err.Error()
}

// Error is an error the serving process returned. It wraps the sentinel the
// original wrapped (model.ErrInvalidQuery, context.Canceled,
// context.DeadlineExceeded, model.ErrDamaged), so errors.Is works across
// the socket.
type Error struct {
	Msg  string
	kind errKind
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel the original error wrapped, or nil.
func (e *Error) Unwrap() error {
	switch e.kind {
	case kindInvalid:
		return model.ErrInvalidQuery
	case kindCanceled:
		return context.Canceled
	case kindDeadline:
		return context.DeadlineExceeded
	case kindDamaged:
		return model.ErrDamaged
	}
	return nil
}

// eachStore is the optional streaming extension of a Store
// (query.EventStreamer): FindEach hands every match to fn as it is found.
type eachStore interface {
	FindEach(ctx context.Context, f model.Filter, o model.FindOptions, fn func(*model.Event) error) (int, error)
}

// groupStore is the optional extension of a Store that lists groups with
// their facets (query.GroupSummarizer).
type groupStore interface {
	GroupSummaries(ctx context.Context, f model.Filter, field string, fields []string, size int) ([]model.GroupSummary, error)
}

// frame is one message of a FindEach answer: an event, or the end (with
// the total or an error).
type frame struct {
	Event *model.Event
	Done  bool
	Total int
	Err   string
	Kind  errKind
}
