//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package index

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// acquire takes the index lock: exclusive for a writer, shared for readers,
// waiting at most lockTimeout. A writer records its pid in the lock file so
// that others can name it.
func (ix *Index) acquire() error {
	f, err := os.OpenFile(ix.path(lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil && ix.ro {
		f, err = os.Open(ix.path(lockFile))
	}
	if err != nil {
		return fmt.Errorf("lock index: %w", err)
	}
	how := syscall.LOCK_EX
	if ix.ro {
		how = syscall.LOCK_SH
	}
	deadline := time.Now().Add(lockTimeout)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return fmt.Errorf("lock index %s: %w", ix.dir, err)
		}
		if time.Now().After(deadline) {
			pid := lockHolder(f)
			f.Close()
			return &lockedError{dir: ix.dir, pid: pid}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !ix.ro {
		err := f.Truncate(0)
		if err == nil {
			_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		if err != nil {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
			return fmt.Errorf("lock index %s: %w", ix.dir, err)
		}
	}
	ix.lock = f
	return nil
}

// unlockFile releases the lock (a writer first clears its pid).
func unlockFile(f *os.File) error {
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		_ = f.Truncate(0) // fails harmlessly for a read-only handle
	}
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

func lockHolder(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		return 0
	}
	return pid
}
