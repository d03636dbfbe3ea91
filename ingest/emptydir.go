package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNoFiles is the failure of a directory argument under which no file
// was found to read: a mistake to report, as a glob matching nothing is.
var ErrNoFiles = errors.New("no files in this directory (hidden entries and index directories are skipped)")

// EmptyDirs returns the directory arguments of paths under which none of
// found (the names of the sources read, skipped or failed) lies.
func EmptyDirs(paths, found []string) []string {
	clean := make([]string, len(found))
	for i, f := range found {
		clean[i] = filepath.Clean(f)
	}
	var out []string
	for _, p := range paths {
		if p == "-" {
			continue
		}
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			continue
		}
		d := filepath.Clean(p)
		if !slices.ContainsFunc(clean, func(f string) bool { return Under(f, d) }) {
			out = append(out, p)
		}
	}
	return out
}

// Under reports whether the clean path f is d or inside it (d "." holds
// every relative path that does not climb out of it).
func Under(f, d string) bool {
	if d == "." {
		return !filepath.IsAbs(f) && f != ".." && !strings.HasPrefix(f, ".."+string(filepath.Separator))
	}
	return f == d || strings.HasPrefix(f, strings.TrimSuffix(d, string(filepath.Separator))+string(filepath.Separator))
}
