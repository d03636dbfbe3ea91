package ingest

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

// cancellingStream is a live stream (Options.Stdin) that returns its chunks
// one per Read and calls cancel inside the Read of chunk cancelAt, just
// before returning its bytes: the signal comes once the bytes were read
// from the stream but before the line reader split them. After its chunks
// it blocks, as a silent writer does, until it is closed (interrupted).
type cancellingStream struct {
	chunks   []string
	cancelAt int
	cancel   context.CancelFunc

	n      int
	once   sync.Once
	closed chan struct{}
}

func (s *cancellingStream) Read(p []byte) (int, error) {
	if s.n == len(s.chunks) {
		<-s.closed
		return 0, io.ErrClosedPipe
	}
	c := s.chunks[s.n]
	if len(c) > len(p) {
		panic("chunk larger than the read buffer")
	}
	if s.n == s.cancelAt {
		s.cancel()
	}
	s.n++
	return copy(p, c), nil
}

func (s *cancellingStream) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

// TestCancelKeepsStreamLinesRead: lines whose bytes were read from a
// stream when the run is cancelled are committed, however few of them the
// line reader had split (a stream cannot be read again: a line read and
// dropped is lost). It used to stop at the next line boundary, dropping
// the lines still buffered.
func TestCancelKeepsStreamLinesRead(t *testing.T) {
	all := jlines("live", 0, 25)
	first := strings.Index(all, "\n") + 1
	half := strings.Index(all[first:], "\n") + first + 1 + 20
	for _, c := range []struct {
		name     string
		chunks   []string
		cancelAt int
		want     int
	}{
		// Cancelled in the read that brings every line (the sniff of the
		// stream's first bytes reads them all).
		{"one read", []string{all}, 0, 25},
		// The first line was handed over alone; the read of the other
		// 24 is the one cancelled.
		{"after a first batch", []string{all[:first], all[first:]}, 1, 25},
		// A half-written line at the cancel is not a line read: the
		// whole lines before it are kept.
		{"then half a line", []string{all[:first], all[first:half]}, 1, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			in := &cancellingStream{chunks: c.chunks, cancelAt: c.cancelAt, cancel: cancel, closed: make(chan struct{})}
			sink := newFakeSink()
			sum, err := Run(ctx, Options{Paths: []string{"-"}, Stdin: in}, sink)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if got := len(sink.events()); got != c.want || sum.Events != int64(c.want) {
				t.Errorf("%d events committed, %d reported, want the %d lines read", got, sum.Events, c.want)
			}
		})
	}
}
