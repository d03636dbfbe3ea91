package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

// input is an opened source.
type input struct {
	file      *os.File      // a regular file; nil for a stream
	br        *bufio.Reader // the content (decompressed for gzip); nil for a stream until read
	raw       io.Reader     // a stream
	interrupt func()        // stops a blocked read of a stream
	closeFn   func() error  // releases a stream
	stream    bool          // not a regular file: stdin or a pipe
	gz        bool
	size      int64 // file size (compressed for gzip); 0 for streams
	mtime     time.Time
	phys      seenFile // the physical file (regular files)
	counted   int64    // bytes of the file read, for progress (gzip)
	// head is the first headSize bytes of the content (fewer if shorter).
	// For a stream it is known only once they were read.
	head []byte
	// tail is the content's bytes before where reading starts (up to
	// winSize), for the reader's length checkpoints.
	tail []byte
}

func (in *input) close() {
	if in.file != nil {
		in.file.Close()
	}
	if in.closeFn != nil {
		in.closeFn()
		in.closeFn = nil
	}
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// open opens a source. A regular file's head is read here; a stream's is
// read by the line reader, so that nothing here blocks on a live stream (a
// named pipe is opened without waiting for its writer).
func (r *runner) open(src source) (*input, error) {
	if src.stdin {
		rd, intr, cl := interruptible(r.o.Stdin)
		return r.openStream(rd, intr, cl), nil
	}
	fi, err := os.Stat(src.name)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if fi.IsDir() {
		return nil, errors.New("is a directory")
	}
	if !fi.Mode().IsRegular() {
		rd, intr, cl, err := openStreamPath(src.name)
		if err != nil {
			return nil, unwrapPathErr(err)
		}
		return r.openStream(rd, intr, cl), nil
	}
	f, err := os.Open(src.name)
	if err != nil {
		return nil, unwrapPathErr(err)
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, unwrapPathErr(err)
	}
	dev, ino := fileID(fi)
	in := &input{file: f, size: fi.Size(), mtime: fi.ModTime()}
	in.phys = seenFile{Path: src.abs, Dev: dev, Ino: ino, Size: in.size, MTime: in.mtime}
	if p, err := filepath.EvalSymlinks(src.abs); err == nil {
		in.phys.Path = p
	}
	var magic [2]byte
	n, _ := f.ReadAt(magic[:], 0)
	in.gz = isGzip(magic[:n])
	if err := r.rewind(in); err != nil {
		f.Close()
		return nil, err
	}
	if in.gz {
		head, err := in.br.Peek(headSize)
		if err != nil && err != io.EOF {
			f.Close()
			return nil, err
		}
		in.head = bytes.Clone(head)
		return in, nil
	}
	in.head = make([]byte, min(in.size, headSize))
	n, err = f.ReadAt(in.head, 0)
	if err != nil && err != io.EOF {
		f.Close()
		return nil, err
	}
	in.head = in.head[:n]
	return in, nil
}

// rewind positions a regular file's content reader at its start.
func (r *runner) rewind(in *input) error {
	if _, err := in.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r.prog.done.Add(-in.counted) // read again from the start
	in.counted = 0
	cr := countingReader{in.file, &r.prog.done, &in.counted}
	if !in.gz {
		in.br = bufio.NewReaderSize(cr, readBufSize)
		return nil
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(cr, readBufSize))
	if err != nil {
		return err
	}
	in.br = bufio.NewReaderSize(zr, readBufSize)
	return nil
}

// seek positions a regular file's content reader at off, with the bytes
// before off as the reader's tail. A gzip file's content is read up to off.
func (r *runner) seek(in *input, off int64) error {
	if !in.gz {
		if _, err := in.file.Seek(off, io.SeekStart); err != nil {
			return err
		}
		in.br = bufio.NewReaderSize(countingReader{in.file, &r.prog.done, nil}, readBufSize)
		r.prog.total.Add(-off)
		n := min(off, winSize)
		in.tail = make([]byte, n)
		if _, err := in.file.ReadAt(in.tail, off-n); err != nil {
			in.tail = nil
		}
		return nil
	}
	if err := r.rewind(in); err != nil {
		return err
	}
	w, err := windowsOfStream(in.br, []int64{off})
	if err != nil {
		return err
	}
	if w.reached < off {
		return io.ErrUnexpectedEOF
	}
	in.tail = w.tail
	return nil
}

func (r *runner) openStream(rd io.Reader, interrupt func(), closeFn func() error) *input {
	return &input{stream: true, raw: countingReader{rd, &r.prog.done, nil}, interrupt: interrupt, closeFn: closeFn}
}

// srcRun is the state of one source being read.
type srcRun struct {
	in       *input
	idx      int    // index of the source in Summary.Sources
	user     string // the name the user gave (cleaned)
	name     string // Event.Source
	m        *logline.Mapping
	fallback time.Time // time of untimed lines before the first timed one
	skip     int64     // lines ending at or before this offset were ingested already (streams)
	// final: the source is finished when it ends (a stream, a gzip file,
	// or Options.Final), so an unterminated last line is stored then.
	final bool
	held  bool // an unterminated last line was held back

	off, num int64 // offset after, and number of, the last line processed
	lastTime time.Time
	eof      bool
	mark     mark // length checkpoint at off, when known

	verify *skipCheck // (streams) checks the lines dropped up to skip

	base  sourceState       // the identity's state when the run started
	keys  []string          // keys the identity had (forwarded to the new one)
	claim *index.Checkpoint // the name record of a new identity
}

// checkpoints returns the records that save s: its identity, forwards
// from its former keys, and the claim of its name. Nothing is recorded
// before a byte of it was consumed.
func (r *runner) checkpoints(s *srcRun) ([]index.Checkpoint, error) {
	if s.off == 0 {
		return nil, nil
	}
	in := s.in
	hl := headLen(in.head, s.off)
	if hl == 0 {
		return nil, nil
	}
	key := idPrefix + headHash(in.head[:hl])
	var out []index.Checkpoint
	if !slices.Contains(s.keys, key) {
		// Another identity may live there (its first bytes are the same):
		// this one takes an alternative key the record there lists.
		cp, ok, err := r.getCP(key)
		if err != nil {
			return nil, err
		}
		if st, dec := decodeState(cp); ok && dec && st.Source != s.name {
			alt := key + "~" + headHash([]byte(s.name))[:8]
			if !slices.Contains(st.Alt, alt) {
				st.Alt = append(st.Alt, alt)
				cp.State = encodeState(st)
				out = append(out, cp)
			}
			key = alt
		}
	}
	st := s.base
	st.Source, st.HeadLen, st.Moved, st.EOF, st.Held, st.Mapping = s.name, hl, "", s.eof, s.held, s.m
	if s.mark.Off == s.off && s.mark.Hash != "" {
		st.Marks = addMark(st.Marks, s.mark)
	} else if s.off < s.base.lastMark() {
		st.Marks = slices.DeleteFunc(slices.Clone(st.Marks), func(m mark) bool { return m.Off > s.off })
	}
	st.Names = addName(st.Names, s.user)
	if s.eof && !in.stream {
		st.Files = addFile(st.Files, in.phys)
	}
	if prev, ok, err := r.getCP(key); err != nil {
		return nil, err
	} else if pst, dec := decodeState(prev); ok && dec {
		st.Alt = pst.Alt // keep the alternatives listed there
	}
	size := in.size
	if in.stream {
		size = s.off
	}
	out = append(out, index.Checkpoint{
		Key: key, Size: size, ModTime: in.mtime, HeadHash: headHash(in.head[:hl]),
		Offset: s.off, Lines: s.num, LastTime: s.lastTime, State: encodeState(st),
	})
	for _, k := range s.keys {
		if k == key {
			continue
		}
		fwd := sourceState{Source: s.name, Moved: key}
		if prev, ok, err := r.getCP(k); err != nil {
			return nil, err
		} else if pst, dec := decodeState(prev); ok && dec {
			fwd.Alt = pst.Alt
		}
		out = append(out, index.Checkpoint{Key: k, State: encodeState(fwd)})
	}
	s.keys = []string{key}
	if s.claim != nil {
		cst, _ := decodeState(*s.claim)
		cst.Gens = append(cst.Gens, key)
		s.claim.State = encodeState(cst)
		out = append(out, *s.claim)
		s.claim = nil
	}
	return out, nil
}

// skipCheck rebuilds the bytes of a stream's lines dropped up to its
// resume offset and compares the window before that offset with the length
// checkpoint there: a stream that only starts like a content ingested
// before is reported, not silently taken for it.
type skipCheck struct {
	want  string
	tail  []byte
	off   bool // not checkable (a line was cut at the line limit)
	wrong bool // checked: the bytes differ
}

func (c *skipCheck) add(l *rawLine, skip int64) {
	if c.off || c.wrong {
		return
	}
	if l.trunc || !l.term {
		c.off = true
		return
	}
	c.tail = append(c.tail, l.b...)
	c.tail = append(c.tail, '\n')
	if len(c.tail) > 2*winSize {
		c.tail = append(c.tail[:0], c.tail[len(c.tail)-winSize:]...)
	}
	if l.end == skip {
		n := int(min(skip, winSize))
		c.wrong = len(c.tail) < n || winHash(c.tail[len(c.tail)-n:]) != c.want
		c.off = true
	}
}

// lastMark is the offset of the last length checkpoint (0: none).
func (st sourceState) lastMark() int64 {
	if len(st.Marks) == 0 {
		return 0
	}
	return st.Marks[len(st.Marks)-1].Off
}

// knows reports whether c was seen as this physical file or under this
// name.
func (c candidate) knows(phys seenFile, name string) bool {
	if slices.Contains(c.st.Names, name) {
		return true
	}
	return phys.Path != "" && slices.ContainsFunc(c.st.Files, phys.same)
}

// resume continues an identity from its checkpoint.
func (s *srcRun) resume(c candidate) {
	s.base, s.keys = c.st, []string{c.key}
	s.name, s.m, s.lastTime = c.st.Source, c.st.Mapping, c.cp.LastTime
	s.off, s.num = c.cp.Offset, c.cp.Lines
}

// seen records that an identity's content was seen as this source, which
// adds nothing: its name and physical file are remembered (staged only when
// new, so that a run that changes nothing commits nothing).
func (r *runner) seen(c candidate, s *srcRun, sum *SourceSummary) {
	sum.Status, sum.Skipped, sum.Source = "unchanged", "unchanged", c.st.Source
	if c.st.Held {
		sum.Held = 1
	}
	st := c.st
	st.Names = addName(st.Names, s.user)
	if !s.in.stream {
		st.Files = addFile(st.Files, s.in.phys)
	}
	sum.Names = st.Names
	state := encodeState(st)
	if bytes.Equal(state, encodeState(c.st)) {
		return
	}
	cp := c.cp
	cp.State = state
	r.stage(cp)
}

// planFile decides how to read a regular file from the identity of its
// content and positions in.br. skip is true when it adds nothing.
func (r *runner) planFile(src source, s *srcRun, sum *SourceSummary) (skip bool, err error) {
	in := s.in
	if len(in.head) == 0 {
		sum.Status, sum.Skipped = "new", "empty"
		return true, nil
	}
	res, err := r.lookup(in.head)
	if err != nil {
		return false, err
	}
	// A physical file read to its end and unchanged since: nothing to read.
	for _, c := range res.cands {
		if res.at != len(in.head) && !c.knows(in.phys, s.user) {
			continue
		}
		for _, f := range c.st.Files {
			if c.st.EOF && !(c.st.Held && r.o.Final) && f.same(in.phys) && f.Size == in.size && f.MTime.Equal(in.mtime) {
				r.seen(c, s, sum)
				return true, nil
			}
		}
	}
	var w contentWindows
	if len(res.cands) > 0 {
		var offs []int64
		for _, c := range res.cands {
			offs = append(offs, offsetsToCheck(c)...)
		}
		if in.gz {
			w, err = windowsOfStream(in.br, offs)
		} else {
			w, err = windowsOfFile(in.file, in.size, offs)
		}
		if err != nil {
			return false, &LineError{File: src.name, Err: err}
		}
	}
	var resume, contained *candidate
	truncated := false
	for i := range res.cands {
		c := &res.cands[i]
		if !in.gz && slices.ContainsFunc(c.st.Files, in.phys.same) && in.phys.Ino != 0 && in.size < c.cp.Offset {
			truncated = true // the same file, shorter: truncated, then written again
			continue
		}
		switch judge(*c, in.head, res.at, c.knows(in.phys, s.user), w) {
		case readResume:
			if resume == nil {
				resume = c
			}
		case readSkip:
			if contained == nil {
				contained = c
			}
		}
	}
	switch {
	case resume != nil:
		s.resume(*resume)
		sum.Status = "appended"
		if !resume.st.EOF {
			sum.Status = "resumed"
		}
		sum.Names = addName(resume.st.Names, s.user)
		if in.gz && w.reached == s.off && !w.eof {
			in.tail = w.tail // the windows were read up to there: go on
			return false, nil
		}
		if err := r.seek(in, s.off); err != nil {
			return false, &LineError{File: src.name, Line: s.num + 1, Err: err}
		}
		return false, nil
	case contained != nil:
		r.seen(*contained, s, sum)
		return true, nil
	}
	name, claim, err := r.claimName(s.user)
	if err != nil {
		return false, err
	}
	if claim.Lines == 1 { // the name was never claimed: an older index may name it
		same, gens, err := r.legacyName(src.abs, in.head)
		if err != nil {
			return false, err
		}
		switch {
		case same != "":
			name = same
		case gens > 0:
			name = s.user + "#" + strconv.FormatInt(gens, 10)
			claim.Lines = gens + 1
		}
	}
	s.name, s.claim = name, &claim
	if !truncated && !in.gz {
		if truncated, err = r.truncatedFile(claim, in.phys, in.size); err != nil {
			return false, err
		}
	}
	sum.Status = "new"
	switch {
	case truncated:
		sum.Status = "truncated"
	case claim.Lines > 1:
		sum.Status = "rotated"
	}
	sum.Names = []string{s.user}
	if len(res.cands) > 0 && in.gz { // the windows were read: start again
		if err := r.rewind(in); err != nil {
			return false, err
		}
	}
	return false, nil
}

// planStream decides how to read a stream once its head is known: a stream
// whose content was ingested before skips what was committed.
func (r *runner) planStream(s *srcRun, sum *SourceSummary) error {
	in := s.in
	res, err := r.lookup(in.head)
	if err != nil {
		return err
	}
	for _, c := range res.cands {
		if res.at == len(in.head) || c.knows(seenFile{}, s.user) {
			s.resume(c)
			s.skip = s.off // the reader starts at 0; lines up to skip are dropped
			// The lines dropped are checked against the length
			// checkpoint at skip, when there is one.
			for _, m := range c.st.Marks {
				if m.Off == s.skip {
					s.verify = &skipCheck{want: m.Hash}
				}
			}
			sum.Status = "resumed"
			sum.Names = addName(c.st.Names, s.user)
			return nil
		}
	}
	sum.Status = "new"
	s.name = s.user + "#" + headHash(in.head)[:8]
	sum.Names = []string{s.user}
	return nil
}

// ingestSource reads one source into *sum. perr is a failure of this
// source only; fatal (a sink failure or ctx's error) stops the run.
func (r *runner) ingestSource(ctx context.Context, src source, idx int, sum *SourceSummary) (perr, fatal error) {
	sum.Path = src.name
	r.prog.setName(src.name)
	r.pend = r.pendOf(idx)
	in, err := r.open(src)
	if err != nil {
		return err, nil
	}
	defer func() { in.close() }()
	s := &srcRun{in: in, idx: idx, user: src.name, name: src.name, fallback: in.mtime}
	s.final = in.stream || in.gz || r.o.Final
	if in.stream {
		s.fallback = r.now
	} else {
		if src.walked && bytes.IndexByte(in.head, 0) >= 0 {
			sum.Skipped = "binary"
			r.prog.total.Add(-in.size)
			return nil, nil
		}
		skip, err := r.planFile(src, s, sum)
		if isSinkErr(err) {
			return nil, err
		}
		if err != nil || skip {
			r.prog.total.Add(-in.size)
			return err, nil
		}
	}

	lr := &lineReader{br: in.br, max: r.maxLine, off: s.off, num: s.num, lines: &r.prog.lines, ctx: ctx}
	lr.tail = append(make([]byte, 0, 2*winSize), in.tail...)
	lr.coalesce = !in.stream
	if in.stream {
		lr.br = bufio.NewReaderSize(in.raw, readBufSize)
		lr.sniff, lr.headCap = true, headSize
	}
	// The pipeline's goroutines (reader, parsers) live in g and are all
	// gone when this returns: a blocked read of a stream is interrupted
	// when ctx is done or when the source is left.
	var g errgroup.Group
	stop := make(chan struct{})
	ch := make(chan *lineBatch, 4)
	free := make(chan *lineBatch, 16)
	g.Go(func() error { lr.run(ctx, stop, ch, free); return nil })
	interrupt := func() {}
	if in.interrupt != nil {
		interrupt = in.interrupt
	}
	cancelWatch := context.AfterFunc(ctx, interrupt)
	defer func() {
		cancelWatch()
		close(stop)
		interrupt()
		g.Wait()
	}()

	// A stream's identity is its head: hold batches until it is known.
	var held []*lineBatch
	heldLines := 0
	if in.stream {
		for {
			b, ok := <-ch
			if !ok {
				break
			}
			held = append(held, b)
			heldLines += len(b.lines) + int(b.empty)
			if b.head != nil {
				in.head = b.head
			}
			if b.headFull {
				break
			}
		}
		if len(held) == 0 { // cancelled before anything was read
			return nil, ctx.Err()
		}
		in.gz = lr.gz
		if err := r.planStream(s, sum); err != nil {
			return nil, err
		}
	}
	sum.Source = s.name

	// Detect the convention from the first lines, holding their batches
	// (at most maxHeldLines lines: runs of blank lines cost no memory).
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
		for more && heldLines < maxHeldLines && (len(held) == 0 || !held[len(held)-1].eof && held[len(held)-1].err == nil) {
			b, ok := <-ch
			if !ok {
				break
			}
			held = append(held, b)
			heldLines += len(b.lines) + int(b.empty)
			more = add(b)
		}
		if len(sample) > 0 {
			if s.m, err = logline.Detect(sample, r.o.Fields); err != nil {
				return err, nil
			}
			if s.m.Paths["time"] == "" {
				// Lines will be untimed: find what to suggest while the
				// sample is at hand.
				sum.timeKeys = logline.TimeKeys(sample)
			}
		}
	} else {
		// A resumed source keeps its mapping, but --field is explicit: it
		// applies to the lines read from now on.
		applyOverrides(s.m, r.o.Fields)
	}
	pm := s.m
	if pm != nil {
		switch {
		case r.o.Service != "":
			pm.DefaultService = r.o.Service
		case pm.DefaultService == "":
			pm.DefaultService = serviceName(src.name)
		}
		sum.Fields, sum.Convention, sum.Overridden = pm.Fields(), pm.Convention, pm.Overridden
	} else if pm, err = logline.Detect(nil, nil); err != nil { // only blank lines so far
		return err, nil
	}
	defer sum.explainUntimed(pm, src.stdin || in.stream)

	// Parse batches on parallel workers; apply them here, in order.
	ordered := parallelParse(&g, stop, held, ch, func(b *lineBatch) { parseBatch(pm, s.name, s.skip, b) })
	for {
		b, ok := <-ordered
		if !ok {
			break
		}
		<-b.done
		if err := r.batch(s, b, sum); errors.Is(err, errDiverged) {
			// Nothing was added: leave the content's checkpoint alone.
			sum.Status = "diverged"
			return &LineError{File: src.name, Err: err}, nil
		} else if fatal = err; fatal != nil {
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
			perr = &LineError{File: src.name, Line: s.num + 1, Err: berr}
			break
		}
		if beof {
			s.eof = true
			break
		}
		if r.pendLines >= commitLines || r.pendBytes >= commitBytes {
			cps, err := r.checkpoints(s)
			if err == nil {
				err = r.commit(cps...)
			}
			if fatal = err; fatal != nil {
				break
			}
		}
	}
	if fatal != nil {
		return perr, fatal
	}
	cps, err := r.checkpoints(s)
	if err != nil {
		return perr, err
	}
	if perr == nil && !s.eof {
		// The reader stopped before the end: ctx was cancelled.
		if err := r.commit(cps...); err != nil {
			return nil, err
		}
		return nil, ctx.Err()
	}
	if sum.Lines == 0 && (sum.Status == "appended" || sum.Status == "resumed") {
		sum.Status = "unchanged"
		if sum.Held == 0 {
			sum.Skipped = "unchanged"
		}
		if in.stream {
			return perr, nil // a prefix of what was ingested: nothing to record
		}
	}
	r.stage(cps...)
	if r.pendLines >= commitLines || r.pendBytes >= commitBytes || len(r.pending) >= commitSources {
		if err := r.commit(); err != nil {
			return perr, err
		}
	}
	return perr, nil
}
