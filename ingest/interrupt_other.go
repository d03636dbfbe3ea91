//go:build !linux

package ingest

import (
	"io"
	"os"
)

// openStreamPath opens a named pipe or a device. On this platform the open
// itself may block until a writer comes.
func openStreamPath(name string) (rd io.Reader, interrupt func(), closeFn func() error, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, nil, err
	}
	rd, interrupt, _ = closerInterrupt(f)
	return rd, interrupt, f.Close, nil
}

// interruptible wraps a stream so that interrupt stops a blocked read by
// closing it when it is an io.Closer (an *os.File of a pipe is closed, which
// ends a read blocked in it where the runtime polls pipes).
func interruptible(r io.Reader) (io.Reader, func(), func() error) { return closerInterrupt(r) }
