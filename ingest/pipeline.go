package ingest

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

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

// recv takes the next batch from c and counts it in *taken. Until ctx is
// done it simply waits. Afterwards it still takes what was read before (the
// reader stops reading and hands its last lines over), and gives up when c
// is closed or when the reader is waiting for input with every batch it
// sent taken: a stream that stays open, a live stdin, cannot hold up Ctrl-C.
func recv(ctx context.Context, c <-chan *lineBatch, lr *lineReader, taken *int64) (*lineBatch, bool) {
	for {
		var b *lineBatch
		ok := true
		if ctx.Err() == nil {
			select {
			case b, ok = <-c:
			case <-ctx.Done():
				continue
			}
		} else {
			t := time.NewTimer(2 * time.Millisecond)
			select {
			case b, ok = <-c:
				t.Stop()
			case <-t.C:
				if lr.idle.Load() && *taken == lr.sent.Load() {
					return nil, false
				}
				continue
			}
		}
		if ok {
			*taken++
		}
		return b, ok
	}
}

// parseBatch parses a batch's lines into b.evs. Blank lines, and lines
// ending at or before skip (ingested already), leave a zero event (Line 0).
func parseBatch(m *logline.Mapping, source string, skip int64, b *lineBatch) {
	b.evs = slices.Grow(b.evs[:0], len(b.lines))[:len(b.lines)]
	b.repaired = 0
	for i := range b.lines {
		l, ev := &b.lines[i], &b.evs[i]
		*ev = index.Event{}
		if l.end <= skip || isBlank(l.b) {
			continue
		}
		line := l.b
		if !utf8.Valid(line) {
			line = bytes.ToValidUTF8(line, repl)
			b.repaired++
		}
		m.Parse(line, ev)
		ev.Raw, ev.Source, ev.Line = line, source, l.num
		ev.Truncated = ev.Truncated || l.trunc
	}
}

// parallelParse hands the held batches, then those read from in, to parse
// workers, and returns them in their original order; a batch's done channel
// is closed once it is parsed. The goroutines end when in is closed or stop
// is; wg waits for them.
func parallelParse(stop <-chan struct{}, wg *sync.WaitGroup, held []*lineBatch, in <-chan *lineBatch, parse func(*lineBatch)) <-chan *lineBatch {
	n := max(1, min(runtime.GOMAXPROCS(0), 4))
	work := make(chan *lineBatch, n)
	ordered := make(chan *lineBatch, 2*n)
	for range n {
		wg.Go(func() {
			for b := range work {
				parse(b)
				close(b.done)
			}
		})
	}
	wg.Go(func() {
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
				return
			}
		}
		for {
			select {
			case b, ok := <-in:
				if !ok || !send(b) {
					return
				}
			case <-stop:
				return
			}
		}
	})
	return ordered
}

// batch adds a parsed batch's events, filling in the time of untimed lines
// and counting. Its error is a sink failure.
func (r *runner) batch(s *srcRun, b *lineBatch, sum *SourceSummary) error {
	sum.Repaired += int64(b.repaired)
	for i := range b.lines {
		l, ev := &b.lines[i], &b.evs[i]
		if l.end <= s.skip {
			continue
		}
		if !l.term && s.holdTail && !isBlank(l.b) {
			sum.Held++
			s.held = true
			continue
		}
		sum.Lines++
		r.pendBytes += l.end - l.start
		s.off, s.num = l.end, l.num
		s.tail, s.tailStart = !l.term, l.start
		if l.trunc {
			sum.Truncated++
		}
		if ev.Line == 0 { // blank
			continue
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
