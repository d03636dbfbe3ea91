package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// DefaultPoll is how often Follow looks at the followed files.
const DefaultPoll = 250 * time.Millisecond

// streamCommitEvery is how often a followed stream's lines are committed.
const streamCommitEvery = 500 * time.Millisecond

// FollowOptions configure Follow.
type FollowOptions struct {
	// Poll is the interval between looks at the files (0: DefaultPoll).
	Poll time.Duration
	// Initial, when not nil, is called once with the summary of the first
	// pass (the ingest of everything already there) before following.
	Initial func(Summary)
	// Pass, when not nil, is called after each later pass that added
	// something, with that pass's summary.
	Pass func(Summary)
}

// FollowSummary is what Follow did: the first pass's summary, then the
// totals of what was added while following.
type FollowSummary struct {
	Initial Summary `json:"initial"`
	// Events and Lines were added, and Deploys, after the first pass
	// (a followed stream's count here, all of it); Passes counts the
	// passes that added something.
	Events  int64 `json:"events"`
	Lines   int64 `json:"lines"`
	Deploys int   `json:"deploys"`
	Passes  int   `json:"passes"`
	// Failed lists each path that failed while following, once (its last
	// error).
	Failed []PathError `json:"failed,omitempty"`
}

// Follow ingests like Run, then keeps the index current until ctx is done:
// every Poll it looks at the paths again (files, directories and globs are
// expanded anew, so files that appear are taken) and, when a file or deploy
// history changed, ingests what is new. Each pass is a Run: a source is
// resumed from the checkpoint of its content, so an appended file costs its
// tail, a file renamed by rotation is recognised and a file truncated in
// place (copytruncate) is read as a new generation, and each pass commits
// its lines with their checkpoints, so a kill loses nothing the next run
// cannot complete and duplicates nothing. A stream ("-") is read in its own
// Run until it ends, committed every streamCommitEvery; when it was the only
// path, Follow returns when it ends.
//
// While a pass's commit is being made durable (fsyncs, bleve's persister),
// the next pass already reads and parses the lines that arrived meanwhile
// (see lockedSink): under load a line then waits for the end of one commit
// plus its own, not for a whole pass (read, parse, commit) plus its own.
//
// Follow returns ctx.Err() when cancelled (after committing what it read),
// or the first failure of the sink.
func Follow(ctx context.Context, o Options, sink Sink, fo FollowOptions) (fs FollowSummary, err error) {
	if sink == nil {
		return fs, errors.New("ingest: nil sink")
	}
	poll := fo.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	ls := &lockedSink{s: sink}
	defer func() {
		// Nothing returns before the last commit is durable (or failed).
		if werr := ls.wait(); werr != nil && (err == nil || errors.Is(err, context.Canceled)) {
			err = werr
		}
	}()
	var passLog *os.File
	if dir := os.Getenv(envMemProfile); dir != "" {
		stop := memProfiles(ctx, dir, memSampleEvery, memProfileEvery)
		defer stop()
		if f, err := os.Create(filepath.Join(dir, "passes.tsv")); err == nil {
			defer f.Close()
			fmt.Fprintln(f, "unix_ms\tsignature_ms\tpass_ms\tcommit_ms\tcommits\tevents")
			passLog = f
		}
	}
	files := o
	files.Paths = slices.DeleteFunc(slices.Clone(o.Paths), func(p string) bool { return p == "-" })
	var stream chan result
	if len(files.Paths) < len(o.Paths) {
		so := o
		so.Paths, so.Deploys, so.Progress = []string{"-"}, nil, nil
		so.CommitEvery = streamCommitEvery
		if slices.Contains(o.Deploys, "-") {
			return fs, errors.New("stdin cannot be both a followed log and a deploy history")
		}
		stream = make(chan result, 1)
		go func() {
			sum, err := Run(ctx, so, ls)
			stream <- result{sum, err}
		}()
	}

	// The files' state before the first pass: a change that lands during
	// it, or before the loop starts, is then seen by the first poll.
	last := signature(files)
	sum, err := Run(ctx, files, ls)
	fs.Initial = sum
	if werr := ls.wait(); werr != nil && err == nil {
		err = werr
	}
	if fo.Initial != nil {
		fo.Initial(sum) // the first pass is durable and visible
	}
	files.Progress = nil
	var fatal error
	if err != nil && !isPathErrs(err) {
		fatal = err
	}
	failed := map[string]int{}
	t := time.NewTicker(poll)
	defer t.Stop()
	for fatal == nil {
		select {
		case <-ctx.Done():
			fatal = ctx.Err()
			continue
		case res := <-stream:
			// The stream ended: what it read is in; keep following the
			// files, if there are any.
			stream = nil
			fs.addStream(res.sum)
			if res.err != nil && !isPathErrs(res.err) {
				fatal = res.err
			} else if len(files.Paths) == 0 && len(files.Deploys) == 0 {
				return fs, nil
			}
			continue
		case <-t.C:
		}
		t0 := time.Now()
		sig := signature(files)
		if slices.Equal(sig, last) {
			continue
		}
		last = sig
		t1 := time.Now()
		c0, n0 := ls.commitTime()
		sum, err := Run(ctx, files, ls)
		if passLog != nil {
			c1, n1 := ls.commitTime()
			fmt.Fprintf(passLog, "%d\t%d\t%d\t%d\t%d\t%d\n", t0.UnixMilli(), t1.Sub(t0).Milliseconds(), time.Since(t1).Milliseconds(), (c1 - c0).Milliseconds(), n1-n0, sum.Events)
		}
		var lines int64
		for _, s := range sum.Sources {
			lines += s.Lines
		}
		if sum.Events > 0 || lines > 0 || sum.Deploys > 0 {
			fs.Events += sum.Events
			fs.Lines += lines
			fs.Deploys += sum.Deploys
			fs.Passes++
			if fo.Pass != nil {
				fo.Pass(sum)
			}
		}
		for _, pe := range sum.Failed {
			if i, ok := failed[pe.Path]; ok {
				fs.Failed[i] = pe
			} else {
				failed[pe.Path] = len(fs.Failed)
				fs.Failed = append(fs.Failed, pe)
			}
		}
		if err != nil && !isPathErrs(err) {
			fatal = err
		}
	}
	if stream != nil {
		res := <-stream // ctx is done or the sink failed: it returns
		fs.addStream(res.sum)
		if res.err != nil && !isPathErrs(res.err) && !errors.Is(res.err, context.Canceled) && fatal == nil {
			fatal = res.err
		}
	}
	return fs, fatal
}

// addStream counts what the stream's Run added as followed.
func (fs *FollowSummary) addStream(s Summary) {
	fs.Events += s.Events
	for _, src := range s.Sources {
		fs.Lines += src.Lines
	}
	fs.Failed = append(fs.Failed, s.Failed...)
}

type result struct {
	sum Summary
	err error
}

func isPathErrs(err error) bool {
	var pe *PathErrors
	return errors.As(err, &pe) && !isSinkErr(err) && !errors.Is(err, context.Canceled)
}

// fileSig is what Follow compares between passes to know whether a pass
// has anything to do: a source's name, identity, size and modification
// time.
type fileSig struct {
	name      string
	dev, ino  uint64
	size      int64
	mtime     int64
	missing   bool
	isDeploys bool
}

// signature stats every source the paths expand to, and the deploy
// histories, in order.
func signature(o Options) []fileSig {
	x := newExpander(o.Deploys, o.SkipDirs)
	for _, p := range o.Paths {
		x.expand(p)
	}
	var out []fileSig
	add := func(name string, deploys bool) {
		fi, err := os.Stat(name)
		if err != nil {
			out = append(out, fileSig{name: name, missing: true, isDeploys: deploys})
			return
		}
		dev, ino := fileID(fi)
		out = append(out, fileSig{name: name, dev: dev, ino: ino, size: fi.Size(), mtime: fi.ModTime().UnixNano(), isDeploys: deploys})
	}
	for _, s := range x.srcs {
		add(s.name, false)
	}
	for _, p := range x.failed {
		out = append(out, fileSig{name: p.Path, missing: true})
	}
	for _, d := range o.Deploys {
		add(d, true)
	}
	return out
}

// lockedSink serialises a sink shared by the file passes and a stream's
// Run, and makes commits in the background: Commit hands the commit to a
// goroutine and returns, so the caller goes on reading and parsing while
// it is made durable. Every other call waits for a commit in flight, with
// one exception: the checkpoint of a source that the commit in flight
// carries is answered from it, which is what the store will hold once it
// is durable, so the next pass resumes each source without waiting. A
// failed commit fails every later call (and wait); the next run resumes
// from the checkpoints last made durable, as after a crash.
//
// A commit of one Run makes the other's added events durable early, which
// is safe: a checkpoint is never ahead of its events, and events added
// again are no-ops.
type lockedSink struct {
	mu sync.Mutex // held by a call into s, and by a commit until it ends
	s  Sink

	st       sync.Mutex // guards what follows
	inflight map[string]index.Checkpoint
	err      error         // the first failed commit's; sticks
	commitT  time.Duration // time spent committing, for passes.tsv
	commitN  int
}

// failed is the error of a failed background commit, if any.
func (l *lockedSink) failed() error {
	l.st.Lock()
	defer l.st.Unlock()
	return l.err
}

// wait returns once no commit is in flight, with the error of a failed one.
func (l *lockedSink) wait() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed()
}

func (l *lockedSink) commitTime() (time.Duration, int) {
	l.st.Lock()
	defer l.st.Unlock()
	return l.commitT, l.commitN
}

func (l *lockedSink) Checkpoint(key string) (index.Checkpoint, bool, error) {
	l.st.Lock()
	cp, ok := l.inflight[key]
	err := l.err
	l.st.Unlock()
	switch {
	case err != nil:
		return index.Checkpoint{}, false, err
	case ok:
		cp.State = bytes.Clone(cp.State) // the commit may still be encoding it
		return cp, true, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.failed(); err != nil {
		return index.Checkpoint{}, false, err
	}
	return l.s.Checkpoint(key)
}

func (l *lockedSink) Add(ev *index.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.failed(); err != nil {
		return err
	}
	return l.s.Add(ev)
}

// Commit starts committing what was added with cps and returns; the
// commit holds the sink until it ends.
func (l *lockedSink) Commit(cps ...index.Checkpoint) error {
	l.mu.Lock()
	if err := l.failed(); err != nil {
		l.mu.Unlock()
		return err
	}
	// The caller reuses cps once Commit returns: the commit keeps a copy.
	own := make([]index.Checkpoint, len(cps))
	inflight := make(map[string]index.Checkpoint, len(cps))
	for i, cp := range cps {
		cp.State = bytes.Clone(cp.State)
		own[i], inflight[cp.Key] = cp, cp
	}
	l.st.Lock()
	l.inflight = inflight
	l.st.Unlock()
	go func() {
		defer l.mu.Unlock()
		t := time.Now()
		err := l.s.Commit(own...)
		l.st.Lock()
		defer l.st.Unlock()
		l.inflight = nil
		if err != nil && l.err == nil {
			l.err = err
		}
		l.commitT += time.Since(t)
		l.commitN++
	}()
	return nil
}

func (l *lockedSink) AddDeploys(ds []index.Deploy) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.failed(); err != nil {
		return 0, err
	}
	return l.s.AddDeploys(ds)
}

// envMemProfile names a hidden environment variable for the benchmark
// (scripts/bench/follow.sh): when it names a directory, Follow writes the
// Go heap's figures there every memSampleEvery (memstats.tsv) and a heap
// profile every memProfileEvery (heap-<seconds>.pprof), each after a
// garbage collection, so that memory growth can be told apart from caches
// filling to their bounds, the time of each pass (passes.tsv), and CPU
// profiles of 30 s from the end of minutes 1, 5 and 9 (cpu-SECONDS.pprof).
const envMemProfile = "CULPRIT_FOLLOW_MEMPROFILE"

const (
	memSampleEvery  = 30 * time.Second
	memProfileEvery = time.Minute
)

// memProfiles writes the samples of envMemProfile until ctx is done or the
// returned stop is called. Failures end the sampling silently: it is a
// measurement aid, never a reason to stop following.
func memProfiles(ctx context.Context, dir string, sample, profile time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.Create(filepath.Join(dir, "memstats.tsv"))
		if err != nil {
			return
		}
		defer f.Close()
		fmt.Fprintln(f, "seconds\theap_alloc_mib\theap_inuse_mib\theap_sys_mib\theap_released_mib\tsys_mib\tnum_gc")
		start := time.Now()
		t := time.NewTicker(sample)
		defer t.Stop()
		nextProfile := profile
		cpuOn, cpuAt := false, []time.Duration{profile, 5 * profile, 9 * profile}
		defer func() {
			if cpuOn {
				pprof.StopCPUProfile()
			}
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			el := time.Since(start).Round(time.Second)
			switch {
			case cpuOn:
				pprof.StopCPUProfile()
				cpuOn = false
			case len(cpuAt) > 0 && el >= cpuAt[0]:
				cpuAt = cpuAt[1:]
				if p, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", int(el.Seconds())))); err == nil {
					defer p.Close()
					cpuOn = pprof.StartCPUProfile(p) == nil
				}
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
			fmt.Fprintf(f, "%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\n", int(el.Seconds()), mib(ms.HeapAlloc), mib(ms.HeapInuse), mib(ms.HeapSys), mib(ms.HeapReleased), mib(ms.Sys), ms.NumGC)
			if el >= nextProfile {
				nextProfile += profile
				if p, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", int(el.Seconds())))); err == nil {
					_ = pprof.WriteHeapProfile(p)
					p.Close()
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
