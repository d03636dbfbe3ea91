package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

var repl = []byte("\uFFFD")

// isBlank reports a whitespace-only line (or an empty one). Such lines are
// events like any other; they are only left out of convention detection.
func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\v' && c != '\f' {
			return false
		}
	}
	return true
}

// isEmpty reports a line with no content: nothing before its "\n" or
// "\r\n". It is counted as a line but is not an event.
func isEmpty(b []byte) bool { return len(b) == 0 || len(b) == 1 && b[0] == '\r' }

// parseBatch parses a batch's lines into b.evs. Empty lines, and lines
// ending at or before skip (ingested already), leave a zero event (Line 0).
// Raw is the line verbatim (after UTF-8 repair), a CR before its newline
// included; the parser sees the line without that CR.
func parseBatch(m *logline.Mapping, source string, skip int64, b *lineBatch) {
	b.evs = slices.Grow(b.evs[:0], len(b.lines))[:len(b.lines)]
	b.repaired = 0
	for i := range b.lines {
		l, ev := &b.lines[i], &b.evs[i]
		*ev = index.Event{}
		if l.end <= skip || isEmpty(l.b) {
			continue
		}
		line := l.b
		if !utf8.Valid(line) {
			line = bytes.ToValidUTF8(line, repl)
			b.repaired++
		}
		content := line
		if l.term && !l.trunc && len(content) > 0 && content[len(content)-1] == '\r' {
			content = content[:len(content)-1]
		}
		m.Parse(content, ev)
		ev.Raw, ev.Source, ev.Line = line, source, l.num
		ev.Truncated = ev.Truncated || l.trunc
	}
}

// parseAhead is how many batches may wait, parsed or being parsed, for the
// consumer: while a commit holds the consumer (it waits for the writer to
// drain and sync, ~50-100 ms on a quiet machine), the parsers go on with up
// to this many batches (each at most batchLines lines or batchBytes bytes:
// ~32k lines, ~90 ms of parsing on one core) instead of idling.
const parseAhead = 32

// parallelParse hands the held batches, then those read from in, to parse
// workers in g, and returns them in their original order; a batch's done
// channel is closed once it is parsed. The goroutines end when in is closed
// or stop is.
func parallelParse(g *errgroup.Group, stop <-chan struct{}, held []*lineBatch, in <-chan *lineBatch, parse func(*lineBatch)) <-chan *lineBatch {
	n := max(1, min(runtime.GOMAXPROCS(0), 4))
	work := make(chan *lineBatch, n)
	ordered := make(chan *lineBatch, max(2*n, parseAhead))
	for range n {
		g.Go(func() error {
			for b := range work {
				parse(b)
				close(b.done)
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(ordered)
		defer close(work)
		send := func(b *lineBatch) bool {
			b.done = make(chan struct{})
			select {
			case work <- b:
			case <-stop:
				return false
			}
			select {
			case ordered <- b:
				return true
			case <-stop:
				return false
			}
		}
		for _, b := range held {
			if !send(b) {
				return nil
			}
		}
		for {
			select {
			case b, ok := <-in:
				if !ok || !send(b) {
					return nil
				}
			case <-stop:
				return nil
			}
		}
	})
	return ordered
}

// errDiverged stops a stream resumed as a content ingested before whose
// dropped lines turn out to differ from it.
var errDiverged = errors.New("this stream starts like a content ingested before but differs from it: its first lines were taken for that content's and not read; ingest it from a file to read it whole")

// batch adds a parsed batch's events, filling in the time of untimed lines
// and counting. An unterminated last line is held back unless the source
// ends and is finished (s.final). Its error is a sink failure.
func (r *runner) batch(s *srcRun, b *lineBatch, sum *SourceSummary) error {
	sum.Repaired += int64(b.repaired)
	for i := range b.lines {
		l, ev := &b.lines[i], &b.evs[i]
		if l.end <= s.skip {
			if s.verify != nil {
				s.verify.add(l, s.skip)
				if s.verify.wrong {
					return errDiverged
				}
			}
			continue
		}
		if !l.term && !(s.final && b.eof) {
			// Held: the next run starts at its first byte (the lines
			// before it, empty ones included, are done).
			sum.Held++
			s.held = true
			if l.start > s.off {
				s.off, s.num = l.start, l.num-1
			}
			continue
		}
		sum.Lines++
		r.pend.lines++
		r.pendBytes += l.end - l.start
		s.off, s.num = l.end, l.num
		if l.trunc {
			sum.Truncated++
		}
		if ev.Line == 0 { // empty
			continue
		}
		if ev.Time.IsZero() {
			ev.Untimed = true
			ev.Time = s.lastTime
			if ev.Time.IsZero() {
				ev.Time = s.fallback
				sum.FallbackTimed++
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
		r.pend.events++
		r.pendLines++
	}
	if b.empty > 0 {
		sum.Lines += b.empty
		r.pend.lines += b.empty
		r.pendBytes += b.empty
		// The batch ends with an empty line: every line before it was
		// applied (only a last line may be held back).
		if len(b.lines) == 0 || b.lines[len(b.lines)-1].end < b.endOff {
			s.off, s.num = b.endOff, b.endNum
		}
	}
	if s.off == b.winOff && b.win != "" {
		s.mark = mark{Off: b.winOff, Hash: b.win}
	}
	return nil
}
