package index

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/culprit-dev/culprit/index/model"
)

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

// ErrCorrupt is wrapped by the errors that report a damaged index: a file
// that is missing, shorter than committed, or whose content does not match
// its checksum, or data that cannot be decoded. errors.As with
// *CorruptError gives the file. `culprit doctor` (Check) lists every
// problem; Rebuild recovers what is intact. It is model.ErrDamaged, so
// that a caller that cannot name this package (the follower's socket,
// index/remote) still tells damage from other failures.
var ErrCorrupt = model.ErrDamaged

// CorruptError names the damaged file of an index and what is wrong with it.
type CorruptError struct {
	Dir  string // the index directory
	File string // the damaged file, relative to Dir ("" if unknown)
	Err  error  // what is wrong
}

func (e *CorruptError) Error() string {
	where := e.Dir
	if e.File != "" {
		where = filepath.Join(e.Dir, e.File)
	}
	return fmt.Sprintf("index is damaged: %s: %v (run 'culprit doctor' to check it, 'culprit doctor --rebuild' to recover)", where, e.Err)
}

// Unwrap returns the detail.
func (e *CorruptError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCorrupt) hold.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// recoverCorrupt turns a panic (bleve, bbolt and zap assume well-formed
// files and index slices with what they read) into a CorruptError in *err.
// It is deferred by every public method that reads the index.
func recoverCorrupt(dir string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	file := ""
	if strings.Contains(fmt.Sprint(r), "bolt") {
		file = filepath.Join(bleveDir, "store", "root.bolt")
	}
	*err = &CorruptError{Dir: dir, File: file, Err: fmt.Errorf("panic reading the index: %v", r)}
}
