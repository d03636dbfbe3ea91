package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// source is one log source to ingest, after path expansion.
type source struct {
	name   string // as the user named it (cleaned); "-" for stdin
	abs    string // absolute path; "" for stdin
	stdin  bool
	walked bool // found by walking a directory or a glob: binary files are skipped
}

// expander turns the user's paths into sources: directories are walked,
// globs expanded, duplicates dropped. Failures are collected per path.
type expander struct {
	skip   map[string]bool // absolute paths never taken as log sources
	seen   map[string]bool // absolute paths (or "-") already taken
	srcs   []source
	failed []PathError
}

func newExpander(skipFiles, skipDirs []string) *expander {
	x := &expander{skip: map[string]bool{}, seen: map[string]bool{}}
	for _, p := range append(skipFiles, skipDirs...) {
		if p == "" || p == "-" {
			continue
		}
		if a, err := filepath.Abs(p); err == nil {
			x.skip[a] = true
		}
	}
	return x
}

func (x *expander) fail(p string, err error) {
	x.failed = append(x.failed, PathError{Path: p, Err: err})
}

func (x *expander) add(p string, walked bool) {
	a, err := filepath.Abs(p)
	if err != nil {
		x.fail(p, err)
		return
	}
	if x.seen[a] || x.skip[a] {
		return
	}
	x.seen[a] = true
	x.srcs = append(x.srcs, source{name: p, abs: a, walked: walked})
}

// expand adds the sources one user path names.
func (x *expander) expand(p string) {
	if p == "-" {
		if !x.seen["-"] {
			x.seen["-"] = true
			x.srcs = append(x.srcs, source{name: "-", stdin: true})
		}
		return
	}
	if p == "" {
		x.fail(p, errors.New("empty path"))
		return
	}
	clean := filepath.Clean(p)
	fi, err := os.Stat(clean)
	switch {
	case err == nil && fi.IsDir():
		x.walk(clean)
	case err == nil:
		x.add(clean, false)
	case hasMeta(p):
		x.glob(clean)
	default:
		x.fail(p, unwrapPathErr(err))
	}
}

// unwrapPathErr drops the *fs.PathError wrapper (whose text repeats the
// path) and keeps the cause, e.g. "no such file or directory".
func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[`) }

// glob expands a pattern: filepath.Glob, or a recursive match when the
// pattern holds "**" (any number of directories).
func (x *expander) glob(pattern string) {
	var matches []string
	var err error
	if strings.Contains(pattern, "**") {
		matches, err = x.globStar(pattern)
	} else {
		matches, err = filepath.Glob(pattern)
		// As in a shell, "*" does not match a hidden name unless the
		// pattern says so.
		if !strings.HasPrefix(filepath.Base(pattern), ".") {
			matches = slices.DeleteFunc(matches, func(m string) bool {
				return strings.HasPrefix(filepath.Base(m), ".")
			})
		}
	}
	if err != nil {
		x.fail(pattern, err)
		return
	}
	if len(matches) == 0 {
		x.fail(pattern, errors.New("no files match"))
		return
	}
	for _, m := range matches {
		fi, err := os.Stat(m)
		switch {
		case err != nil:
			x.fail(m, unwrapPathErr(err))
		case fi.IsDir():
			x.walk(m)
		case fi.Mode().IsRegular():
			x.add(m, true)
		}
	}
}

// globStar matches pattern segments against the files under the pattern's
// fixed prefix; "**" matches zero or more directories. Hidden files and the
// directories walk skips are left out.
func (x *expander) globStar(pattern string) ([]string, error) {
	sep := string(filepath.Separator)
	segs := strings.Split(pattern, sep)
	fixed := 0
	for fixed < len(segs) && !hasMeta(segs[fixed]) {
		fixed++
	}
	pat := segs[fixed:]
	for _, s := range pat {
		if s == "**" {
			continue
		}
		if strings.Contains(s, "**") {
			return nil, fmt.Errorf("%q: ** must be a whole path element", pattern)
		}
		if _, err := path.Match(s, ""); err != nil {
			return nil, err
		}
	}
	root := strings.Join(segs[:fixed], sep)
	if root == "" {
		root = "."
		if strings.HasPrefix(pattern, sep) {
			root = sep
		}
	}
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries simply do not match
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && x.skipDir(p) {
				return filepath.SkipDir
			}
			return nil
		}
		rel, rerr := filepath.Rel(root, p)
		if rerr != nil {
			return nil
		}
		if matchSegs(pat, strings.Split(rel, sep)) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return out, nil
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 1 && pat[1] == "**" {
				pat = pat[1:]
			}
			for i := 0; i <= len(name); i++ {
				if matchSegs(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// walk adds the regular files under dir, recursively and in lexical order.
// Hidden files and directories (.git, .culprit), skipped directories and
// bleve index directories are left out.
func (x *expander) walk(dir string) {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			x.fail(p, unwrapPathErr(err))
			return nil
		}
		hidden := p != dir && strings.HasPrefix(d.Name(), ".")
		if d.IsDir() {
			if hidden || x.skipDir(p) {
				return filepath.SkipDir
			}
			return nil
		}
		if hidden {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		x.add(p, true)
		return nil
	})
	if err != nil {
		x.fail(dir, unwrapPathErr(err))
	}
}

// skipDir reports a directory never entered: one of Options.SkipDirs, a
// bleve index, or a culprit index (which holds one in bleve/).
func (x *expander) skipDir(p string) bool {
	if a, err := filepath.Abs(p); err == nil && x.skip[a] {
		return true
	}
	for _, marker := range []string{"index_meta.json", filepath.Join("bleve", "index_meta.json")} {
		if _, err := os.Stat(filepath.Join(p, marker)); err == nil {
			return true
		}
	}
	return false
}
