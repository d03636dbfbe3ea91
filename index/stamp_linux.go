//go:build linux

package index

import (
	"fmt"
	"os"
	"syscall"
)

// fileStamp identifies a file's current version by its inode, change time
// and modification time: any write, truncation, rename over it or copy of
// it changes the stamp (the change time cannot be set by a program). ""
// when unknown.
func fileStamp(fi os.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d.%d", st.Ino, st.Ctim.Sec, st.Ctim.Nsec, fi.ModTime().UnixNano())
}
