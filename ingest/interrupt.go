package ingest

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// errInterrupted is returned by a stream read stopped by interrupt: the
// run was cancelled.
var errInterrupted = errors.New("read interrupted")

// closeInterrupter interrupts a read by closing the reader; once
// interrupted, every read error is errInterrupted.
type closeInterrupter struct {
	r    io.Reader
	done atomic.Bool
	once sync.Once
}

func (c *closeInterrupter) Read(p []byte) (int, error) {
	if c.done.Load() {
		return 0, errInterrupted
	}
	n, err := c.r.Read(p)
	if err != nil && c.done.Load() {
		err = errInterrupted
	}
	return n, err
}

func (c *closeInterrupter) interrupt() {
	c.once.Do(func() {
		c.done.Store(true)
		if cl, ok := c.r.(io.Closer); ok {
			cl.Close()
		}
	})
}

func closerInterrupt(r io.Reader) (io.Reader, func(), func() error) {
	c := &closeInterrupter{r: r}
	return c, c.interrupt, func() error { return nil }
}
