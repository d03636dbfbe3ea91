package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// DefaultMaxLine is the line limit when Options.MaxLine is 0.
const DefaultMaxLine = 1 << 20

// Commit thresholds: commit at least every commitLines lines or commitBytes
// bytes, or when commitSources finished sources wait. Variables so that
// tests can exercise many commits on a small corpus.
//
// A commit drains the writer's pipeline and syncs ~8 files (~3 ms each on
// an SSD): at the 8k lines of earlier versions, 122 commits of a 1M-line
// ingest stalled the run for seconds and cut bleve's segments small (more
// merging). 64k lines is ~0.4 s of ingest to read again after a kill -9.
var (
	commitLines   int64 = 64 << 10
	commitBytes   int64 = 32 << 20
	commitSources       = 512
)

// gcPercent and gcLimit are the garbage collector's settings during a run
// (unless GOGC or GOMEMLIMIT set them): the run's live heap is bounded by
// its pipeline (90-160 MB through a 10M-line run, not growing), so a heap
// of 3x that instead of 2x costs ~100 MB of RSS and saves ~1 CPU-s per
// million lines of collections. The soft limit makes the collector work
// harder rather than let the heap pass it when the live heap peaks: at
// 384 MiB it holds a 10M-line run's peak RSS at ~470 MB (520 MB at 512
// MiB) for no measurable CPU.
const (
	gcPercent       = 200
	gcLimit   int64 = 384 << 20
)

// gcTune holds the settings tuneGC replaced.
var gcTune struct {
	sync.Mutex
	runs                 int // Runs under way (Follow runs a stream's beside the files')
	setPercent, setLimit bool
	oldPercent           int
	oldLimit             int64
}

// tuneGC applies gcPercent and gcLimit while at least one Run is under
// way, and returns the function that ends this Run's share: the last Run
// to end restores the previous settings.
func tuneGC() (restore func()) {
	g := &gcTune
	g.Lock()
	defer g.Unlock()
	if g.runs == 0 {
		g.setPercent, g.setLimit = os.Getenv("GOGC") == "", os.Getenv("GOMEMLIMIT") == ""
		if g.setPercent {
			g.oldPercent = debug.SetGCPercent(gcPercent)
		}
		if g.setLimit {
			g.oldLimit = debug.SetMemoryLimit(gcLimit)
		}
	}
	g.runs++
	return func() {
		g.Lock()
		defer g.Unlock()
		if g.runs--; g.runs > 0 {
			return
		}
		if g.setPercent {
			debug.SetGCPercent(g.oldPercent)
		}
		if g.setLimit {
			debug.SetMemoryLimit(g.oldLimit)
		}
	}
}

const (
	sampleLines  = 100     // lines a source's convention is detected from
	sampleBytes  = 4 << 20 // at most this many bytes of them
	maxHeldLines = 1 << 16 // lines held in memory while looking for them
)

// Options configure Run.
type Options struct {
	// Paths are files, directories (walked recursively), globs (with "**"
	// for any depth), gzip files (detected by their magic bytes) and "-"
	// for Stdin.
	Paths []string
	// Deploys are deploy history files (see ReadDeploys); "-" reads Stdin
	// when it is not also a log path.
	Deploys []string
	// Fields override the detected mapping: canonical field -> gjson path.
	Fields map[string]string
	// MaxLine is the line limit in bytes (0: DefaultMaxLine). Longer lines
	// keep their first MaxLine bytes and are counted as truncated.
	MaxLine int
	// Stdin is read for "-" (nil: os.Stdin). Cancelling Run interrupts a
	// read blocked in it when it is an *os.File (polled) or an io.Closer
	// (closed).
	Stdin io.Reader
	// Progress, when not nil, is a terminal to draw a progress bar on. The
	// bar is cleared before Run returns.
	Progress io.Writer
	// Service names the service of lines that carry none, in place of the
	// name derived from the file name ("stdin" for streams). A service the
	// line or its prefix (kubectl, compose, stern, syslog) names still wins.
	Service string
	// SkipDirs are directories never entered when walking, such as the
	// index directory. Hidden directories and bleve index directories are
	// skipped anyway.
	SkipDirs []string
	// Final declares the plain files complete: an unterminated last line
	// is stored. Without it, such a line is held back until its newline
	// comes (streams and gzip files are complete when they end).
	Final bool
	// CommitEvery, when set, also commits a source's progress at this
	// interval while it is read, so that a slow endless stream (stdin
	// under --follow) is visible to readers without waiting for the
	// line or byte thresholds.
	CommitEvery time.Duration
}

// Run ingests the deploy histories, then the log sources, into sink.
//
// Every source is read from where the checkpoint of its content left it: an
// unchanged file, or a renamed, compressed or linked copy of an ingested
// one, is skipped; an appended one costs only its tail; a new content under
// a known name, or a file truncated in place, is read as a new generation
// (see the package comment). Progress is
// committed every ~64k lines or ~32 MiB together with the checkpoints, so an
// interrupted run leaves an index the next run completes without duplicates
// or loss.
//
// A path that fails does not stop the others: it is listed in
// Summary.Failed and Run returns a *PathErrors. When ctx is cancelled Run
// stops reading, commits what it read and returns ctx.Err(). A failure of the
// sink stops the run.
func Run(ctx context.Context, o Options, sink Sink) (Summary, error) {
	var sum Summary
	if sink == nil {
		return sum, errors.New("ingest: nil sink")
	}
	for f := range o.Fields {
		if !slices.Contains(index.Fields, f) {
			return sum, fmt.Errorf("unknown field %q in --field (want one of %s)", f, strings.Join(index.Fields, ", "))
		}
	}
	defer tuneGC()()
	r := &runner{o: o, sink: sink, maxLine: o.MaxLine, now: time.Now(), prog: newProgress(o.Progress)}
	if r.maxLine <= 0 {
		r.maxLine = DefaultMaxLine
	}
	if r.o.Stdin == nil {
		r.o.Stdin = os.Stdin
	}
	stdinIsLog := slices.Contains(o.Paths, "-")

	var fatal error
	for _, d := range o.Deploys {
		if ctx.Err() != nil {
			fatal = ctx.Err()
			break
		}
		n, err := r.deploys(ctx, d, stdinIsLog)
		sum.Deploys += n
		var pe PathError
		if errors.As(err, &pe) {
			sum.Failed = append(sum.Failed, pe)
		} else if err != nil {
			fatal = err
			break
		}
	}

	deployFiles := make([]string, len(o.Deploys))
	for i, d := range o.Deploys {
		deployFiles[i], _ = deployArg(d)
	}
	x := newExpander(deployFiles, o.SkipDirs)
	for _, p := range o.Paths {
		x.expand(p)
	}
	sum.Failed = append(sum.Failed, x.failed...)
	for _, src := range x.srcs {
		if src.stdin {
			r.prog.unknown.Store(true)
		} else if fi, err := os.Stat(src.name); err == nil && fi.Mode().IsRegular() {
			r.prog.total.Add(fi.Size())
		} else {
			r.prog.unknown.Store(true)
		}
	}
	if o.Progress != nil {
		r.prog.begin()
	}
	for _, src := range x.srcs {
		if fatal != nil {
			break
		}
		if err := ctx.Err(); err != nil {
			fatal = err
			break
		}
		sum.Sources = append(sum.Sources, SourceSummary{})
		i := len(sum.Sources) - 1
		perr, ferr := r.ingestSource(ctx, src, i, &sum.Sources[i])
		if perr != nil {
			sum.Failed = append(sum.Failed, PathError{Path: src.name, Err: perr})
		}
		fatal = ferr
	}
	if !isSinkErr(fatal) {
		if err := r.commit(); err != nil {
			fatal = err
		}
	}
	// The counts say what is committed: what a failure discarded is taken
	// out of them and reported apart.
	for i, p := range r.pends {
		sum.Sources[i].Events -= p.events
		sum.Sources[i].Lines -= p.lines
		sum.NotCommitted += p.lines
	}
	for _, ss := range sum.Sources {
		sum.Events += ss.Events
	}
	if fatal == nil && ctx.Err() != nil {
		fatal = ctx.Err() // cancelled, even if the work was done
	}
	if o.Progress != nil {
		r.prog.finish()
	}

	var perrs error
	if len(sum.Failed) > 0 {
		perrs = &PathErrors{Errs: sum.Failed}
	}
	switch {
	case fatal != nil && perrs != nil:
		return sum, errors.Join(fatal, perrs)
	case fatal != nil:
		return sum, fatal
	case perrs != nil:
		return sum, perrs
	}
	return sum, nil
}

// sinkError marks a failure of the sink: the run stops and nothing more is
// committed.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return "index: " + e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

func isSinkErr(err error) bool {
	var se *sinkError
	return errors.As(err, &se)
}

// runner holds the state of one Run.
type runner struct {
	o       Options
	sink    Sink
	maxLine int
	now     time.Time
	prog    *progress

	// pending are the checkpoints staged and not committed yet, staged the
	// same by key (what this run's lookups see first); pendLines and
	// pendBytes count what was added since the last commit.
	pending              []index.Checkpoint
	staged               map[string]index.Checkpoint
	pendLines, pendBytes int64
	// pends counts, per source index, the lines and events read since the
	// last commit; pend is the current source's.
	pends map[int]*pendCount
	pend  *pendCount
}

// pendCount is what a source added that is not committed yet.
type pendCount struct{ lines, events int64 }

func (r *runner) pendOf(idx int) *pendCount {
	if r.pends == nil {
		r.pends = map[int]*pendCount{}
	}
	p := r.pends[idx]
	if p == nil {
		p = &pendCount{}
		r.pends[idx] = p
	}
	return p
}

// stage queues checkpoints for the next commit; lookups see them at once.
func (r *runner) stage(cps ...index.Checkpoint) {
	if r.staged == nil {
		r.staged = map[string]index.Checkpoint{}
	}
	for _, cp := range cps {
		r.staged[cp.Key] = cp
	}
	r.pending = append(r.pending, cps...)
}

// commit commits the pending checkpoints plus extra.
func (r *runner) commit(extra ...index.Checkpoint) error {
	r.stage(extra...)
	if len(r.pending) == 0 && r.pendLines == 0 {
		return nil
	}
	if err := r.sink.Commit(r.pending...); err != nil {
		return &sinkError{err}
	}
	r.pending, r.pendLines, r.pendBytes = r.pending[:0], 0, 0
	for _, p := range r.pends {
		*p = pendCount{}
	}
	return nil
}

// deployArg splits a --deploys argument: SERVICE=FILE names the service
// of a history that does not (helm, Argo CD, GitLab); a plain FILE (also
// one whose name holds '=' and exists) takes it from the file name.
func deployArg(arg string) (name, service string) {
	s, p, ok := strings.Cut(arg, "=")
	if !ok || s == "" || p == "" || strings.ContainsAny(s, `/\`) {
		return arg, ServiceFromFileName(arg)
	}
	if _, err := os.Stat(arg); err == nil {
		return arg, ServiceFromFileName(arg)
	}
	return p, s
}

// deploys ingests one deploy history (a --deploys argument). Its
// failures are PathErrors. A stream (stdin, a named pipe) is read so that
// ctx interrupts it.
func (r *runner) deploys(ctx context.Context, arg string, stdinIsLog bool) (int, error) {
	name, service := deployArg(arg)
	var rd io.Reader
	interrupt, closeFn := func() {}, func() error { return nil }
	switch fi, err := os.Stat(name); {
	case name == "-":
		if stdinIsLog {
			return 0, PathError{Path: name, Err: errors.New("stdin is already read as a log source")}
		}
		rd, interrupt, closeFn = interruptible(r.o.Stdin)
	case err == nil && !fi.Mode().IsRegular() && !fi.IsDir():
		if rd, interrupt, closeFn, err = openStreamPath(name); err != nil {
			return 0, PathError{Path: name, Err: unwrapPathErr(err)}
		}
	default:
		f, err := os.Open(name)
		if err != nil {
			return 0, PathError{Path: name, Err: unwrapPathErr(err)}
		}
		defer f.Close()
		rd = f
	}
	stop := context.AfterFunc(ctx, interrupt)
	ds, err := ReadDeploysOf(name, rd, service)
	stop()
	closeFn()
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	if err != nil {
		return 0, PathError{Path: name, Err: err}
	}
	n, err := r.sink.AddDeploys(ds)
	if err != nil {
		return n, &sinkError{fmt.Errorf("add deploys of %s: %w", name, err)}
	}
	return n, nil
}
