//go:build !unix

package ingest

import "io/fs"

// fileID returns the device and inode of a file: unknown on this platform,
// where a physical file is recognised by its path.
func fileID(fs.FileInfo) (dev, ino uint64) { return 0, 0 }
