//go:build unix

package cli

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// outClosed reports whether w is a pipe or socket whose reader went away
// (`culprit search --follow | head -1` after head exits). A follower that
// finds nothing new writes nothing, so it would not learn of it from EPIPE
// until the next match; it asks the descriptor instead, once per poll.
func outClosed(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: 0}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
}
