package index

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// The deploy history is small: it lives in deploys.json in the index
// directory, oldest first, replaced atomically (write, sync, rename) on
// every AddDeploys. Its checksum is in the manifest: AddDeploys records
// the new one next to the old before replacing the file, and drops the old
// one after, so that a crash in between leaves a file the manifest accepts
// and an older copy of the file is detected.

type deployKey struct {
	t                        ts
	service, version, commit string
}

func keyOf(d *Deploy) deployKey {
	return deployKey{toTS(d.Time), d.Service, d.Version, d.Commit}
}

func compareDeploys(a, b Deploy) int {
	if c := toTS(a.Time).cmp(toTS(b.Time)); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Commit, b.Commit))
}

func (ix *Index) loadDeploys(man *manifest) error {
	var entry *manifestFile
	if man != nil {
		entry = man.file(deploysFile)
	}
	raw, err := os.ReadFile(ix.path(deploysFile))
	switch {
	case errors.Is(err, fs.ErrNotExist) && entry != nil:
		return ix.damaged(deploysFile, "missing")
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("open index: %w", err)
	}
	ix.deploysCRC = crc32.Checksum(raw, castagnoli)
	if man != nil && (entry == nil || ix.deploysCRC != entry.CRC && ix.deploysCRC != entry.Alt) {
		return ix.damaged(deploysFile, "checksum mismatch with %s", manifestName)
	}
	if err := json.Unmarshal(raw, &ix.deploys); err != nil {
		return ix.damaged(deploysFile, "%w", err)
	}
	return nil
}

// AddDeploys adds deploys to the history, skipping those already there (same
// time, service, version and commit), and returns how many it added. The
// index must not be read-only.
func (ix *Index) AddDeploys(ds []Deploy) (added int, err error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return 0, errClosed
	}
	if ix.ro {
		return 0, fmt.Errorf("add deploys: index %s is open read-only", ix.dir)
	}
	seen := make(map[deployKey]bool, len(ix.deploys)+len(ds))
	for i := range ix.deploys {
		seen[keyOf(&ix.deploys[i])] = true
	}
	all := slices.Clone(ix.deploys)
	for _, d := range ds {
		d.Time = d.Time.UTC()
		k := keyOf(&d)
		if seen[k] {
			continue
		}
		seen[k] = true
		all = append(all, d)
		added++
	}
	if added == 0 {
		return 0, nil
	}
	slices.SortStableFunc(all, compareDeploys)
	raw, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("add deploys: %w", err)
	}
	old := ix.deploysCRC
	ix.deploysCRC, ix.deploysAlt = crc32.Checksum(raw, castagnoli), old
	if err := ix.writeManifest(); err != nil {
		ix.deploysCRC, ix.deploysAlt = old, 0
		return 0, fmt.Errorf("add deploys: %w", err)
	}
	if err := writeFileAtomic(ix.path(deploysFile), raw); err != nil {
		return 0, fmt.Errorf("add deploys: %w", err)
	}
	ix.deploys = all
	ix.deploysAlt = 0
	if err := ix.writeManifest(); err != nil {
		return added, fmt.Errorf("add deploys: %w", err)
	}
	return added, nil
}

// writeFileAtomic replaces name with data (mode 0600): after a crash it
// holds either the old or the new content.
func writeFileAtomic(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(name)
}

// syncDir syncs the directory holding name, so a rename in it is durable.
func syncDir(name string) error {
	d, err := os.Open(filepath.Dir(name))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// Deploys returns the whole deploy history, oldest first.
func (ix *Index) Deploys(ctx context.Context) ([]Deploy, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, errClosed
	}
	return slices.Clone(ix.deploys), nil
}
