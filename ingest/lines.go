package ingest

import (
	"bufio"
	"context"
	"io"
	"sync/atomic"
)

const (
	readBufSize = 64 << 10 // bufio buffer over a source
	arenaSize   = 1 << 20  // lines are copied into arenas of this size
	batchLines  = 1024     // lines per batch handed to the parser
	batchBytes  = 1 << 20  // or bytes per batch
)

// rawLine is one line as read: content without its line ending, cut to the
// line limit.
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
}

// next reads one line. ok is false when no byte was left. err is io.EOF at
// the end of the stream, or the read error; a line returned with an error is
// the incomplete last line.
func (lr *lineReader) next() (l rawLine, ok bool, err error) {
	keep := lr.max + 2 // enough to strip "\r\n" from a line of max bytes
	lineStart := len(lr.arena)
	kept := 0
	var consumed int64
	for {
		frag, e := lr.br.ReadSlice('\n')
		consumed += int64(len(frag))
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
	if whole && len(b) > 0 && b[len(b)-1] == '\r' {
		b = b[:len(b)-1]
	}
	if !whole || len(b) > lr.max {
		b, l.trunc = b[:lr.max], true
	}
	l.b = b
	return l, true, err
}

// run reads lines into batches and sends them on out until the stream ends,
// fails, or ctx is done; it closes out when it returns. A batch is sent when
// it is full or when the reader has nothing buffered (so a slow stream's
// lines are not held back).
func (lr *lineReader) run(ctx context.Context, out chan<- *lineBatch, free <-chan *lineBatch) {
	defer close(out)
	get := func() *lineBatch {
		select {
		case b := <-free:
			b.lines, b.bytes, b.err, b.eof = b.lines[:0], 0, nil, false
			return b
		default:
			return &lineBatch{lines: make([]rawLine, 0, batchLines)}
		}
	}
	send := func(b *lineBatch) bool {
		if lr.lines != nil {
			lr.lines.Add(int64(len(b.lines)))
		}
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	b := get()
	for {
		l, ok, err := lr.next()
		if ok {
			b.lines = append(b.lines, l)
			b.bytes += len(l.b)
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
		if len(b.lines) >= batchLines || b.bytes >= batchBytes || lr.br.Buffered() == 0 {
			if !send(b) {
				return
			}
			b = get()
		}
	}
}

// countingReader counts the bytes read through it, for progress.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
