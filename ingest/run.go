package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

// DefaultMaxLine is the line limit when Options.MaxLine is 0.
const DefaultMaxLine = 1 << 20

// Commit thresholds: commit at least every commitLines lines or commitBytes
// bytes, or when commitSources finished sources wait. Variables so that
// tests can exercise many commits on a small corpus.
var (
	commitLines   int64 = 8192
	commitBytes   int64 = 8 << 20
	commitSources       = 512
)

const (
	sampleLines = 100     // lines a source's convention is detected from
	sampleBytes = 4 << 20 // at most this many bytes of them
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
	// Stdin is read for "-" (nil: os.Stdin).
	Stdin io.Reader
	// Progress, when not nil, is a terminal to draw a progress bar on. The
	// bar is cleared before Run returns.
	Progress io.Writer
	// SkipDirs are directories never entered when walking, such as the
	// index directory. Hidden directories and bleve index directories are
	// skipped anyway.
	SkipDirs []string
}

// Run ingests the deploy histories, then the log sources, into sink.
//
// Every source is read from where its checkpoint left it: an unchanged file
// is skipped, an appended one costs only its tail, a truncated or rotated one
// is read again as a new generation (see the package comment). Progress is
// committed every ~8k lines or ~8 MiB together with the checkpoints, so an
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
		n, err := r.deploys(d, stdinIsLog)
		sum.Deploys += n
		var pe PathError
		if errors.As(err, &pe) {
			sum.Failed = append(sum.Failed, pe)
		} else if err != nil {
			fatal = err
			break
		}
	}

	x := newExpander(o.Deploys, o.SkipDirs)
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
		ss, perr, ferr := r.ingestSource(ctx, src)
		sum.Sources = append(sum.Sources, ss)
		sum.Events += ss.Events
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

	// pending are the checkpoints of finished sources not committed yet;
	// pendLines and pendBytes count what was added since the last commit.
	pending              []index.Checkpoint
	pendLines, pendBytes int64

	ev index.Event // reused for every line
}

// commit commits the pending checkpoints plus extra.
func (r *runner) commit(extra ...index.Checkpoint) error {
	cps := append(r.pending, extra...)
	if len(cps) == 0 && r.pendLines == 0 {
		return nil
	}
	if err := r.sink.Commit(cps...); err != nil {
		return &sinkError{err}
	}
	r.pending, r.pendLines, r.pendBytes = r.pending[:0], 0, 0
	return nil
}

// deploys ingests one deploy history. Its failures are PathErrors.
func (r *runner) deploys(name string, stdinIsLog bool) (int, error) {
	var rd io.Reader
	if name == "-" {
		if stdinIsLog {
			return 0, PathError{Path: name, Err: errors.New("stdin is already read as a log source")}
		}
		rd = r.o.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return 0, PathError{Path: name, Err: unwrapPathErr(err)}
		}
		defer f.Close()
		rd = f
	}
	ds, err := ReadDeploys(name, rd)
	if err != nil {
		return 0, PathError{Path: name, Err: err}
	}
	n, err := r.sink.AddDeploys(ds)
	if err != nil {
		return n, &sinkError{fmt.Errorf("add deploys of %s: %w", name, err)}
	}
	return n, nil
}

// input is an opened source.
type input struct {
	key    string        // checkpoint key
	file   *os.File      // nil for stdin
	br     *bufio.Reader // the (decompressed) content; nil until positioned for a plain file
	stream bool          // not a regular file: stdin or a pipe
	gz     bool
	size   int64 // file size (compressed for gzip); 0 for streams
	mtime  time.Time
	head   []byte // the first headSize bytes of the content (fewer if shorter)
}

func (in *input) close() {
	if in.file != nil {
		in.file.Close()
	}
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// open opens a source and reads its head.
func (r *runner) open(src source) (*input, error) {
	if src.stdin {
		return r.openStream(r.o.Stdin, nil)
	}
	f, err := os.Open(src.name)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, unwrapPathErr(err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, errors.New("is a directory")
	}
	if !fi.Mode().IsRegular() {
		return r.openStream(f, f)
	}
	in := &input{key: src.abs, file: f, size: fi.Size(), mtime: fi.ModTime()}
	var magic [2]byte
	n, _ := f.ReadAt(magic[:], 0)
	if isGzip(magic[:n]) {
		in.gz = true
		zr, err := gzip.NewReader(bufio.NewReaderSize(countingReader{f, &r.prog.done}, readBufSize))
		if err != nil {
			f.Close()
			return nil, err
		}
		in.br = bufio.NewReaderSize(zr, readBufSize)
		head, err := in.br.Peek(headSize)
		if err != nil && err != io.EOF {
			f.Close()
			return nil, err
		}
		in.head = bytes.Clone(head)
		return in, nil
	}
	in.head = make([]byte, min(fi.Size(), headSize))
	n, err = f.ReadAt(in.head, 0)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, err
	}
	in.head = in.head[:n]
	return in, nil
}

// openStream reads a stream's head; its key is derived from it.
func (r *runner) openStream(rd io.Reader, f *os.File) (*input, error) {
	in := &input{file: f, stream: true}
	br := bufio.NewReaderSize(countingReader{rd, &r.prog.done}, readBufSize)
	magic, _ := br.Peek(2)
	if isGzip(magic) {
		in.gz = true
		zr, err := gzip.NewReader(br)
		if err != nil {
			in.close()
			return nil, err
		}
		br = bufio.NewReaderSize(zr, readBufSize)
	}
	head, err := br.Peek(headSize)
	if err != nil && err != io.EOF {
		in.close()
		return nil, err
	}
	in.br, in.head = br, bytes.Clone(head)
	in.key = "stdin:" + headHash(in.head)
	return in, nil
}

// srcRun is the state of one source being read.
type srcRun struct {
	in       *input
	name     string // Event.Source
	gen      int
	m        *logline.Mapping
	fallback time.Time // time of untimed lines before the first timed one

	off, num  int64 // offset after, and number of, the last line processed
	lastTime  time.Time
	tail      bool // the last line processed had no newline
	tailStart int64
	eof       bool
}

func (s *srcRun) checkpoint() index.Checkpoint {
	st := sourceState{
		Source: s.name, Gen: s.gen, HeadLen: len(s.in.head), Gzip: s.in.gz,
		EOF: s.eof, Tail: s.tail, TailStart: s.tailStart, Mapping: s.m,
	}
	state, err := json.Marshal(st)
	if err != nil {
		panic(err) // a plain struct of strings and numbers always marshals
	}
	size := s.in.size
	if s.in.stream {
		size = s.off
	}
	return index.Checkpoint{
		Key: s.in.key, Size: size, ModTime: s.in.mtime, HeadHash: headHash(s.in.head),
		Offset: s.off, Lines: s.num, LastTime: s.lastTime, State: state,
	}
}

// ingestSource reads one source. perr is a failure of this source only;
// fatal (a sink failure or ctx's error) stops the run.
func (r *runner) ingestSource(ctx context.Context, src source) (sum SourceSummary, perr, fatal error) {
	sum.Path = src.name
	r.prog.setName(src.name)
	in, err := r.open(src)
	if err != nil {
		return sum, err, nil
	}
	defer func() { in.close() }()
	if src.walked && bytes.IndexByte(in.head, 0) >= 0 {
		sum.Skipped = "binary"
		r.prog.total.Add(-in.size)
		return sum, nil, nil
	}

	cp, found, err := r.sink.Checkpoint(in.key)
	if err != nil {
		return sum, nil, &sinkError{fmt.Errorf("checkpoint of %s: %w", src.name, err)}
	}
	st, ok := decodeState(cp)
	found = found && ok

	s := &srcRun{in: in, name: src.name, fallback: in.mtime}
	if in.stream {
		s.fallback = r.now
	}
	newGen := func(status string) {
		sum.Status, s.gen = status, st.Gen+1
		s.name = src.name + "#" + strconv.Itoa(s.gen)
	}
	var off, line int64
	switch {
	case !found:
		sum.Status = "new"
		if in.stream {
			s.name = src.name + "#" + strings.TrimPrefix(in.key, "stdin:")[:8]
		}
	case in.stream:
		s.name, s.gen, s.m, s.lastTime = st.Source, st.Gen, st.Mapping, cp.LastTime
		off, line = resumeAt(cp, st)
		if _, err := in.br.Discard(int(off)); err != nil {
			if err == io.EOF { // the stream is a prefix of what was ingested
				sum.Skipped, sum.Status, sum.Source = "unchanged", "unchanged", s.name
				return sum, nil, nil
			}
			return sum, err, nil
		}
		sum.Status = "resumed"
	default:
		sameHead := len(in.head) >= st.HeadLen && headHash(in.head[:st.HeadLen]) == cp.HeadHash
		if sameHead && st.EOF && in.size == cp.Size && in.mtime.Equal(cp.ModTime) {
			sum.Skipped, sum.Status, sum.Source = "unchanged", "unchanged", st.Source
			r.prog.total.Add(-in.size)
			return sum, nil, nil
		}
		switch {
		case !in.gz && in.size < cp.Offset:
			newGen("truncated")
		case !sameHead:
			newGen("rotated")
		default:
			s.name, s.gen, s.m, s.lastTime = st.Source, st.Gen, st.Mapping, cp.LastTime
			off, line = resumeAt(cp, st)
			sum.Status = "appended"
			if !st.EOF {
				sum.Status = "resumed"
			}
			if in.gz {
				if _, err := in.br.Discard(int(off)); err != nil {
					if err != io.EOF {
						return sum, err, nil
					}
					// Shorter than what was ingested: a different file.
					in.close()
					if in, err = r.open(src); err != nil {
						return sum, err, nil
					}
					s.in, s.m, s.lastTime, off, line = in, nil, time.Time{}, 0, 0
					newGen("truncated")
				}
			}
		}
	}
	if s.name == "" {
		s.name = src.name
	}
	sum.Source = s.name
	if !in.gz && !in.stream {
		if _, err := in.file.Seek(off, io.SeekStart); err != nil {
			return sum, err, nil
		}
		in.br = bufio.NewReaderSize(countingReader{in.file, &r.prog.done}, readBufSize)
		r.prog.total.Add(-off)
	}
	s.off, s.num = off, line

	lr := &lineReader{br: in.br, max: r.maxLine, off: off, num: line, lines: &r.prog.lines}
	sctx, cancel := context.WithCancel(ctx)
	ch := make(chan *lineBatch, 4)
	free := make(chan *lineBatch, 8)
	go lr.run(sctx, ch, free)
	defer func() {
		cancel()
		if !src.stdin { // a file read never blocks for long: wait for the reader
			in.close()
			for range ch {
			}
		}
	}()

	// Detect the convention from the first lines, holding their batches.
	var held []*lineBatch
	restored := s.m != nil
	if !restored {
		var sample [][]byte
		n := 0
	collect:
		for b := range ch {
			held = append(held, b)
			for _, l := range b.lines {
				if isBlank(l.b) {
					continue
				}
				sample = append(sample, bytes.ToValidUTF8(l.b, repl))
				n += len(l.b)
				if len(sample) >= sampleLines || n >= sampleBytes {
					break collect
				}
			}
		}
		if len(sample) > 0 {
			if s.m, err = logline.Detect(sample, r.o.Fields); err != nil {
				return sum, err, nil
			}
		}
	}
	if restored {
		// A resumed source keeps its mapping, but --field is explicit: it
		// applies to the lines read from now on.
		applyOverrides(s.m, r.o.Fields)
	}
	if s.m != nil {
		if s.m.DefaultService == "" {
			s.m.DefaultService = serviceName(src.name)
		}
		sum.Fields, sum.Convention, sum.Overridden = s.m.Fields(), s.m.Convention, s.m.Overridden
	}

	step := func(b *lineBatch) (perr, fatal error) {
		if err := r.batch(s, b, &sum); err != nil {
			return nil, err
		}
		select {
		case free <- b:
		default:
		}
		if b.err != nil {
			ln := s.num + 1
			if s.tail {
				ln = s.num
			}
			perr = &LineError{File: src.name, Line: ln, Err: b.err}
		}
		if b.eof {
			s.eof = true
		}
		if b.eof || b.err != nil {
			return perr, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.pendLines >= commitLines || r.pendBytes >= commitBytes {
			if err := r.commit(s.checkpoint()); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	for _, b := range held {
		if perr, fatal = step(b); perr != nil || fatal != nil {
			break
		}
	}
	if perr == nil && fatal == nil {
		for b := range ch {
			if perr, fatal = step(b); perr != nil || fatal != nil {
				break
			}
		}
	}
	if isSinkErr(fatal) {
		return sum, perr, fatal
	}
	if fatal == nil && perr == nil && !s.eof {
		// The reader stopped without reaching the end: ctx was cancelled.
		fatal = ctx.Err()
	}
	if fatal != nil { // cancelled: commit what was read
		if err := r.commit(s.checkpoint()); err != nil {
			return sum, perr, err
		}
		return sum, perr, fatal
	}
	if sum.Lines == 0 && (sum.Status == "appended" || sum.Status == "resumed") {
		sum.Status, sum.Skipped = "unchanged", "unchanged" // touched, not grown
	}
	r.pending = append(r.pending, s.checkpoint())
	if r.pendLines >= commitLines || r.pendBytes >= commitBytes || len(r.pending) >= commitSources {
		if err := r.commit(); err != nil {
			return sum, perr, err
		}
	}
	return sum, perr, nil
}

var repl = []byte("\uFFFD")

// isBlank reports an empty or whitespace-only line: it is counted but is not
// an event.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\v' && c != '\f' {
			return false
		}
	}
	return true
}

// batch parses and adds a batch's lines. Its error is a sink failure.
func (r *runner) batch(s *srcRun, b *lineBatch, sum *SourceSummary) error {
	ev := &r.ev
	for i := range b.lines {
		l := &b.lines[i]
		sum.Lines++
		r.pendBytes += l.end - l.start
		s.off, s.num = l.end, l.num
		s.tail, s.tailStart = !l.term, l.start
		if l.trunc {
			sum.Truncated++
		}
		if isBlank(l.b) {
			continue
		}
		line := l.b
		if !utf8.Valid(line) {
			line = bytes.ToValidUTF8(line, repl)
			sum.Repaired++
		}
		if s.m == nil { // cannot happen: the sample holds every non-blank line before it
			m, err := logline.Detect([][]byte{line}, r.o.Fields)
			if err != nil {
				return err
			}
			m.DefaultService = serviceName(sum.Path)
			s.m = m
		}
		*ev = index.Event{}
		s.m.Parse(line, ev)
		ev.Raw, ev.Source, ev.Line = line, s.name, l.num
		if l.trunc {
			ev.Truncated = true
		}
		if ev.Time.IsZero() {
			ev.Untimed = true
			ev.Time = s.lastTime
			if ev.Time.IsZero() {
				ev.Time = s.fallback
			}
		} else if !ev.Untimed {
			s.lastTime = ev.Time
		}
		if ev.Untimed {
			sum.Untimed++
		}
		if ev.Text {
			sum.TextLines++
		}
		if sum.First.IsZero() || ev.Time.Before(sum.First) {
			sum.First = ev.Time
		}
		if ev.Time.After(sum.Last) {
			sum.Last = ev.Time
		}
		if err := r.sink.Add(ev); err != nil {
			return &sinkError{fmt.Errorf("add %s:%d: %w", sum.Path, l.num, err)}
		}
		sum.Events++
		r.pendLines++
	}
	return nil
}
