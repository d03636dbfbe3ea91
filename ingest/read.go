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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

// holdBack: the unterminated last line of a file modified less than this
// long ago is held back until a later run, as log shippers do: its writer is
// likely in the middle of it, and ingesting half a line would leave that half
// in the index beside the whole line read later.
const holdBack = time.Minute

// input is an opened source.
type input struct {
	key    string        // checkpoint key
	file   *os.File      // nil for stdin
	br     *bufio.Reader // the content (decompressed for a gzip file); nil for a stream
	raw    io.Reader     // a stream
	stream bool          // not a regular file: stdin or a pipe
	gz     bool
	size   int64 // file size (compressed for gzip); 0 for streams
	mtime  time.Time
	// head is the first headSize bytes of the content (fewer if shorter).
	// For a stream it is known only once they were read.
	head []byte
}

func (in *input) close() {
	if in.file != nil {
		in.file.Close()
	}
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// open opens a source. A regular file's head is read here; a stream's is
// read by the line reader, so that nothing here blocks on a live stream.
func (r *runner) open(src source) (*input, error) {
	if src.stdin {
		return r.openStream(r.o.Stdin, nil), nil
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
		return r.openStream(f, f), nil
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

func (r *runner) openStream(rd io.Reader, f *os.File) *input {
	return &input{file: f, stream: true, raw: countingReader{rd, &r.prog.done}}
}

// srcRun is the state of one source being read.
type srcRun struct {
	in       *input
	name     string // Event.Source
	gen      int
	m        *logline.Mapping
	fallback time.Time // time of untimed lines before the first timed one
	skip     int64     // lines ending at or before this offset were ingested already (streams)
	// holdTail: an unterminated last line is held back, not ingested: the
	// file was modified less than holdBack ago, its writer may be in the
	// middle of the line. held says one was.
	holdTail, held bool

	off, num  int64 // offset after, and number of, the last line processed
	lastTime  time.Time
	tail      bool // the last line processed had no newline
	tailStart int64
	eof       bool
}

func (s *srcRun) checkpoint() index.Checkpoint {
	st := sourceState{
		Source: s.name, Gen: s.gen, HeadLen: len(s.in.head), Gzip: s.in.gz,
		EOF: s.eof, Held: s.held, Tail: s.tail, TailStart: s.tailStart, Mapping: s.m,
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

// resume continues a source from its checkpoint.
func (s *srcRun) resume(cp index.Checkpoint, st sourceState) (off, line int64) {
	s.name, s.gen, s.m, s.lastTime = st.Source, st.Gen, st.Mapping, cp.LastTime
	return resumeAt(cp, st)
}

// newGen starts a new generation of a truncated or rotated file.
func (s *srcRun) newGen(name string, st sourceState) {
	s.gen = st.Gen + 1
	s.name = name + "#" + strconv.Itoa(s.gen)
	s.m, s.lastTime = nil, time.Time{}
}

// planFile decides how to read a regular file from its checkpoint and
// positions in.br. skip is true when the file is unchanged.
func (r *runner) planFile(src source, s *srcRun, sum *SourceSummary) (skip bool, err error) {
	in := s.in
	cp, found, err := r.sink.Checkpoint(in.key)
	if err != nil {
		return false, &sinkError{fmt.Errorf("checkpoint of %s: %w", src.name, err)}
	}
	st, ok := decodeState(cp)
	var off, line int64
	switch {
	case !found || !ok:
		sum.Status = "new"
	default:
		sameHead := len(in.head) >= st.HeadLen && headHash(in.head[:st.HeadLen]) == cp.HeadHash
		if sameHead && st.EOF && !st.Held && in.size == cp.Size && in.mtime.Equal(cp.ModTime) {
			sum.Status, sum.Skipped, sum.Source = "unchanged", "unchanged", st.Source
			return true, nil
		}
		switch {
		case !in.gz && in.size < cp.Offset:
			sum.Status = "truncated"
			s.newGen(src.name, st)
		case !sameHead:
			sum.Status = "rotated"
			s.newGen(src.name, st)
		default:
			off, line = s.resume(cp, st)
			sum.Status = "appended"
			if !st.EOF {
				sum.Status = "resumed"
			}
		}
	}
	if in.gz {
		if _, err := in.br.Discard(int(off)); err != nil {
			if err != io.EOF {
				return false, &LineError{File: src.name, Line: line + 1, Err: err}
			}
			// Shorter than what was ingested: a different file.
			in.close()
			nin, err := r.open(src)
			if err != nil {
				return false, err
			}
			*in = *nin
			off, line = 0, 0
			sum.Status = "truncated"
			s.newGen(src.name, st)
		}
	} else {
		if _, err := in.file.Seek(off, io.SeekStart); err != nil {
			return false, err
		}
		in.br = bufio.NewReaderSize(countingReader{in.file, &r.prog.done}, readBufSize)
		r.prog.total.Add(-off)
	}
	s.off, s.num = off, line
	return false, nil
}

// planStream decides how to read a stream once its head is known: a stream
// whose head was ingested before skips what was committed.
func (r *runner) planStream(src source, s *srcRun, sum *SourceSummary) error {
	in := s.in
	in.key = "stdin:" + headHash(in.head)
	cp, found, err := r.sink.Checkpoint(in.key)
	if err != nil {
		return &sinkError{fmt.Errorf("checkpoint of %s: %w", src.name, err)}
	}
	if st, ok := decodeState(cp); found && ok {
		s.skip, s.num = s.resume(cp, st)
		s.off = s.skip
		sum.Status = "resumed"
		return nil
	}
	sum.Status = "new"
	s.name = src.name + "#" + strings.TrimPrefix(in.key, "stdin:")[:8]
	return nil
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
	s := &srcRun{in: in, name: src.name, fallback: in.mtime}
	s.holdTail = !in.stream && !in.gz && r.now.Sub(in.mtime) < holdBack
	if in.stream {
		s.fallback = r.now
	} else {
		if src.walked && bytes.IndexByte(in.head, 0) >= 0 {
			sum.Skipped = "binary"
			r.prog.total.Add(-in.size)
			return sum, nil, nil
		}
		skip, err := r.planFile(src, s, &sum)
		if isSinkErr(err) {
			return sum, nil, err
		}
		if err != nil || skip {
			r.prog.total.Add(-in.size)
			return sum, err, nil
		}
	}

	lr := &lineReader{br: in.br, max: r.maxLine, off: s.off, num: s.num, lines: &r.prog.lines}
	if in.stream {
		lr.br = bufio.NewReaderSize(idleReader{in.raw, lr}, readBufSize)
		lr.sniff, lr.headCap = true, headSize
	}
	stop := make(chan struct{})
	ch := make(chan *lineBatch, 4)
	free := make(chan *lineBatch, 16)
	go lr.run(ctx, stop, ch, free)
	var parsers sync.WaitGroup
	defer func() {
		close(stop)
		parsers.Wait()
		if !src.stdin { // a file read never blocks for long: wait for the reader
			in.close()
			for range ch {
			}
		}
	}()

	// A stream's identity is its head: hold batches until it is known.
	var held []*lineBatch
	var taken int64
	if in.stream {
		for {
			b, ok := recv(ctx, ch, lr, &taken)
			if !ok {
				break
			}
			held = append(held, b)
			if b.head != nil {
				in.head = b.head
			}
			if b.headFull {
				break
			}
		}
		if len(held) == 0 { // cancelled before anything was read
			return sum, nil, ctx.Err()
		}
		in.gz = lr.gz
		if err := r.planStream(src, s, &sum); err != nil {
			return sum, nil, err
		}
	}
	sum.Source = s.name

	// Detect the convention from the first lines, holding their batches.
	restored := s.m != nil
	if !restored {
		var sample [][]byte
		n := 0
		add := func(b *lineBatch) bool {
			for _, l := range b.lines {
				if l.end <= s.skip || isBlank(l.b) {
					continue
				}
				sample = append(sample, bytes.ToValidUTF8(l.b, repl))
				n += len(l.b)
				if len(sample) >= sampleLines || n >= sampleBytes {
					return false
				}
			}
			return true
		}
		more := true
		for _, b := range held {
			more = more && add(b)
		}
		for more && (len(held) == 0 || !held[len(held)-1].eof && held[len(held)-1].err == nil) {
			b, ok := recv(ctx, ch, lr, &taken)
			if !ok {
				break
			}
			held = append(held, b)
			more = add(b)
		}
		if len(sample) > 0 {
			if s.m, err = logline.Detect(sample, r.o.Fields); err != nil {
				return sum, err, nil
			}
		}
	} else {
		// A resumed source keeps its mapping, but --field is explicit: it
		// applies to the lines read from now on.
		applyOverrides(s.m, r.o.Fields)
	}
	pm := s.m
	if pm != nil {
		if pm.DefaultService == "" {
			pm.DefaultService = serviceName(src.name)
		}
		sum.Fields, sum.Convention, sum.Overridden = pm.Fields(), pm.Convention, pm.Overridden
	} else if pm, err = logline.Detect(nil, nil); err != nil { // only blank lines so far
		return sum, err, nil
	}

	// Parse batches on parallel workers; apply them here, in order.
	ordered := parallelParse(stop, &parsers, held, ch, func(b *lineBatch) { parseBatch(pm, s.name, s.skip, b) })
	var applied int64
	for {
		b, ok := recv(ctx, ordered, lr, &applied)
		if !ok {
			break
		}
		<-b.done
		if fatal = r.batch(s, b, &sum); fatal != nil {
			break
		}
		// Read what is needed before recycling b: the reader resets a batch
		// it takes from free.
		berr, beof := b.err, b.eof
		select {
		case free <- b:
		default:
		}
		if berr != nil {
			ln := s.num + 1
			if s.tail {
				ln = s.num
			}
			perr = &LineError{File: src.name, Line: ln, Err: berr}
			break
		}
		if beof {
			s.eof = true
			break
		}
		if r.pendLines >= commitLines || r.pendBytes >= commitBytes {
			if fatal = r.commit(s.checkpoint()); fatal != nil {
				break
			}
		}
	}
	if fatal != nil {
		return sum, perr, fatal
	}
	if perr == nil && !s.eof {
		// The reader stopped before the end: ctx was cancelled.
		if err := r.commit(s.checkpoint()); err != nil {
			return sum, nil, err
		}
		return sum, nil, ctx.Err()
	}
	if sum.Lines == 0 && (sum.Status == "appended" || sum.Status == "resumed") {
		sum.Status = "unchanged"
		if sum.Held == 0 {
			sum.Skipped = "unchanged"
		}
		if in.stream {
			return sum, perr, nil // a prefix of what was ingested: nothing to record
		}
	}
	r.pending = append(r.pending, s.checkpoint())
	if r.pendLines >= commitLines || r.pendBytes >= commitBytes || len(r.pending) >= commitSources {
		if err := r.commit(); err != nil {
			return sum, perr, err
		}
	}
	return sum, perr, nil
}
