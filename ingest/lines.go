package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"

	"github.com/culprit-dev/culprit/index"
)

const (
	readBufSize = 64 << 10 // bufio buffer over a source
	arenaSize   = 1 << 20  // lines are copied into arenas of this size
	batchLines  = 1024     // lines per batch handed to the parser
	batchBytes  = 1 << 20  // or bytes per batch
	emptyBatch  = 1 << 20  // or empty lines counted in a batch
)

// rawLine is one line as read: its bytes up to its newline (a CR before the
// newline included: lines are kept verbatim), cut to the line limit.
type rawLine struct {
	b     []byte // content, never modified after it is read
	num   int64  // 1-based line number
	start int64  // offset of the line's first byte in the (decompressed) stream
	end   int64  // offset just past the line and its newline
	trunc bool   // longer than the line limit: b holds its first bytes
	term  bool   // ended by '\n' (false only for the last line of a stream)
}

// lineBatch is a run of lines handed from the reader goroutine to the
// parser. err is a read error after the lines; eof says the stream ended
// after them.
type lineBatch struct {
	lines []rawLine
	bytes int
	err   error
	eof   bool
	// empty counts the empty lines of the batch that are not in lines (a
	// file's, see lineReader.coalesce); endOff and endNum are the offset
	// after, and the number of, the last line of the batch.
	empty          int64
	endOff, endNum int64

	// win is the hash of the stream's bytes before winOff, the offset after
	// the batch's last line: a length checkpoint for a commit there.
	win    string
	winOff int64

	// Filled by the parse stage: evs[i] is lines[i]'s event (zero for an
	// empty line), repaired counts lines with invalid UTF-8, done is closed
	// when the batch is parsed.
	evs      []index.Event
	repaired int
	done     chan struct{}

	// head is a copy of the stream's first bytes read so far (streams
	// only, until headFull: headCap bytes, or the whole stream).
	head     []byte
	headFull bool
}

// lineReader splits a stream into lines. Lines are copied into arenas that
// are never reused, so a line's bytes stay valid (and unmodified) for as long
// as anyone holds them: events may keep them as Raw without a copy.
type lineReader struct {
	br    *bufio.Reader
	max   int
	off   int64 // stream offset of the next byte
	num   int64 // number of the last line read
	arena []byte
	lines *atomic.Int64 // progress counter, may be nil
	// ctx, when done, stops a line being read (a huge line of a gzip bomb
	// takes long): next returns errInterrupted.
	ctx context.Context
	// tail holds the last winSize (or more, up to twice) bytes read, for
	// length checkpoints. It starts with the bytes before off.
	tail []byte

	// For streams: sniff recognises gzip by its magic bytes in the reading
	// goroutine (gz is set before the first batch is sent), and the first
	// headCap bytes are captured and handed over in the batches' head.
	sniff    bool
	gz       bool
	headCap  int
	head     []byte
	headSent bool

	// coalesce: empty lines are counted in the batch, not listed (a run
	// of millions costs nothing per line). Not for streams, whose lines
	// up to a resume offset are dropped one by one.
	coalesce bool
}

// keepTail appends read bytes to the window of the last bytes.
func (lr *lineReader) keepTail(frag []byte) {
	if len(frag) >= winSize {
		lr.tail = append(lr.tail[:0], frag[len(frag)-winSize:]...)
		return
	}
	if len(lr.tail)+len(frag) > 2*winSize {
		keep := winSize - len(frag)
		lr.tail = append(lr.tail[:0], lr.tail[len(lr.tail)-keep:]...)
	}
	lr.tail = append(lr.tail, frag...)
}

// window is the hash of the last min(off, winSize) bytes read, or "" when
// they are not all known.
func (lr *lineReader) window() string {
	n := min(lr.off, winSize)
	if int64(len(lr.tail)) < n {
		return ""
	}
	return winHash(lr.tail[len(lr.tail)-int(n):])
}

// next reads one line. ok is false when no byte was left. err is io.EOF at
// the end of the stream, or the read error; a line returned with an error is
// the incomplete last line.
func (lr *lineReader) next() (l rawLine, ok bool, err error) {
	keep := lr.max + 2 // enough for a line of max bytes plus "\r\n"
	lineStart := len(lr.arena)
	kept := 0
	var consumed int64
	for {
		frag, e := lr.br.ReadSlice('\n')
		consumed += int64(len(frag))
		lr.keepTail(frag)
		if len(lr.head) < lr.headCap {
			lr.head = append(lr.head, frag[:min(len(frag), lr.headCap-len(lr.head))]...)
		}
		if n := min(len(frag), keep-kept); n > 0 {
			if len(lr.arena)+n > cap(lr.arena) {
				na := make([]byte, 0, max(arenaSize, kept+n))
				na = append(na, lr.arena[lineStart:]...)
				lr.arena, lineStart = na, 0
			}
			lr.arena = append(lr.arena, frag[:n]...)
			kept += n
		}
		if e == bufio.ErrBufferFull {
			if consumed%(16<<20) < int64(len(frag)) && lr.ctx != nil && lr.ctx.Err() != nil {
				err = errInterrupted
				break
			}
			continue
		}
		err = e
		break
	}
	if consumed == 0 {
		return rawLine{}, false, err
	}
	l.start = lr.off
	lr.off += consumed
	lr.num++
	l.num, l.end = lr.num, lr.off
	l.term = err == nil
	end := len(lr.arena)
	b := lr.arena[lineStart:end:end]
	whole := int64(kept) == consumed
	if whole && l.term {
		b = b[:len(b)-1]
	}
	// The limit applies to the content: a CR of CRLF does not count.
	content := len(b)
	if whole && l.term && content > 0 && b[content-1] == '\r' {
		content--
	}
	if !whole || content > lr.max {
		b, l.trunc = b[:lr.max], true
	}
	l.b = b
	return l, true, err
}

// run reads lines into batches and sends them on out until the stream ends
// or fails, or ctx is done; it closes out when it returns. A batch is sent
// when it is full or when nothing is buffered (before a read that may block),
// so a slow stream's lines are not held back. When ctx is done, every whole
// line read from a stream is handed over, those still buffered included. A read interrupted because the run was
// cancelled ends the stream without an error. Sends are abandoned when stop
// is closed (the consumer is gone).
func (lr *lineReader) run(ctx context.Context, stop <-chan struct{}, out chan<- *lineBatch, free <-chan *lineBatch) {
	defer close(out)
	get := func() *lineBatch {
		select {
		case b := <-free:
			b.lines, b.bytes, b.err, b.eof, b.head, b.headFull = b.lines[:0], 0, nil, false, nil, false
			b.empty, b.endOff, b.endNum = 0, 0, 0
			return b
		default:
			return &lineBatch{lines: make([]rawLine, 0, batchLines)}
		}
	}
	send := func(b *lineBatch) bool {
		if lr.headCap > 0 && !lr.headSent {
			b.head = bytes.Clone(lr.head)
			b.headFull = len(b.head) >= lr.headCap || b.eof || b.err != nil
			lr.headSent = b.headFull
		}
		b.win, b.winOff = lr.window(), lr.off
		if lr.lines != nil {
			lr.lines.Add(int64(len(b.lines)) + b.empty)
		}
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	if lr.sniff {
		magic, err := lr.br.Peek(2)
		if errors.Is(err, errInterrupted) {
			return
		}
		if isGzip(magic) {
			zr, err := gzip.NewReader(lr.br)
			if err != nil {
				if !errors.Is(err, errInterrupted) {
					send(&lineBatch{err: err})
				}
				return
			}
			lr.br, lr.gz = bufio.NewReaderSize(zr, readBufSize), true
		}
	}
	b := get()
	for {
		// Cancelled: stop reading and hand over what was read. A
		// stream's whole lines already buffered were read from it and
		// cannot be read again, so they are split first (no read is
		// made for them); a file's are read again by the next run.
		if ctx.Err() != nil && !(lr.sniff && lr.lineBuffered()) {
			send(b)
			return
		}
		l, ok, err := lr.next()
		if errors.Is(err, errInterrupted) {
			// Cancelled while waiting for input: what was read of the
			// line is dropped (a later run reads it again).
			if ok {
				lr.off, lr.num, lr.tail = l.start, l.num-1, lr.tail[:0]
			}
			send(b)
			return
		}
		switch {
		case ok && lr.coalesce && l.term && !l.trunc && isEmpty(l.b):
			b.empty++
			b.endOff, b.endNum = l.end, l.num
		case ok:
			b.lines = append(b.lines, l)
			b.bytes += len(l.b)
			b.endOff, b.endNum = l.end, l.num
		}
		if err != nil {
			if err == io.EOF {
				b.eof = true
			} else {
				b.err = err
			}
			send(b)
			return
		}
		if len(b.lines) >= batchLines || b.bytes >= batchBytes || b.empty >= emptyBatch || !lr.lineBuffered() {
			if !send(b) {
				return
			}
			b = get()
		}
	}
}

// lineBuffered reports whether the next line can be read without a read
// that may block. For a file it is enough that bytes are buffered; a stream
// may hold a partial line (its writer is in the middle of it), and the
// lines before it must not wait for the rest.
func (lr *lineReader) lineBuffered() bool {
	n := lr.br.Buffered()
	if n == 0 || !lr.sniff {
		return n > 0
	}
	p, _ := lr.br.Peek(n)
	return bytes.IndexByte(p, '\n') >= 0
}

// countingReader counts the bytes read through it, for progress, and in
// own (if set) the bytes of this source, taken back when it is re-read.
type countingReader struct {
	r   io.Reader
	n   *atomic.Int64
	own *int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	if c.own != nil {
		*c.own += int64(n)
	}
	return n, err
}
