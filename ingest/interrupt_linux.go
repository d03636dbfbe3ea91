//go:build linux

package ingest

import (
	"errors"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// pollReader reads a stream (stdin, a named pipe) so that a blocked read can
// be interrupted from another goroutine: it waits with poll(2) on the
// stream and on a pipe of its own that interrupt writes to.
type pollReader struct {
	fd   int
	own  bool // fd is closed by Close
	wake [2]int
	once sync.Once
}

func newPollReader(fd int, own bool) (*pollReader, error) {
	p := &pollReader{fd: fd, own: own}
	if err := unix.Pipe2(p.wake[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *pollReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}, {Fd: int32(p.wake[0]), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return 0, err
		}
		if fds[1].Revents != 0 {
			return 0, errInterrupted
		}
		if fds[0].Revents&unix.POLLNVAL != 0 {
			return 0, os.ErrClosed
		}
		if fds[0].Revents == 0 {
			continue
		}
		n, err := unix.Read(p.fd, b)
		switch {
		case errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// interrupt makes a blocked Read, and every later one, return
// errInterrupted.
func (p *pollReader) interrupt() {
	p.once.Do(func() { unix.Write(p.wake[1], []byte{1}) })
}

// Close releases the wake pipe, and the stream if the reader owns it. No
// Read may be running.
func (p *pollReader) Close() error {
	unix.Close(p.wake[0])
	unix.Close(p.wake[1])
	if p.own {
		return unix.Close(p.fd)
	}
	return nil
}

// openStreamPath opens a named pipe or a device without blocking (opening a
// FIFO blocks until a writer comes), for a pollReader.
func openStreamPath(name string) (rd io.Reader, interrupt func(), closeFn func() error, err error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := newPollReader(fd, true)
	if err != nil {
		unix.Close(fd)
		return nil, nil, nil, err
	}
	return p, p.interrupt, p.Close, nil
}

// interruptible wraps a stream so that interrupt stops a blocked read: an
// *os.File is polled, an io.Closer is closed; any other reader is read as
// is (a read blocked in it cannot be interrupted).
func interruptible(r io.Reader) (io.Reader, func(), func() error) {
	if f, ok := r.(*os.File); ok {
		if p, err := newPollReader(int(f.Fd()), false); err == nil {
			return p, p.interrupt, p.Close
		}
	}
	return closerInterrupt(r)
}
