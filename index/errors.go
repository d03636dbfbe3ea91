package index

import "fmt"

// lockedError names the locked index and, when known, the writer's pid.
type lockedError struct {
	dir string
	pid int
}

func (e *lockedError) Error() string {
	if e.pid > 0 {
		return fmt.Sprintf("index %s is in use by another process (pid %d)", e.dir, e.pid)
	}
	return fmt.Sprintf("index %s is in use by another process", e.dir)
}

// Is makes errors.Is(err, ErrLocked) hold.
func (e *lockedError) Is(target error) bool { return target == ErrLocked }
