package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/culprit-dev/culprit/index"
)

// A source's identity is its content, not its path: the hash of its first
// headSize (decompressed) bytes keys its checkpoint, so a renamed, compressed,
// copied or linked file finds the checkpoint of the content it holds. See
// the package comment for the rules.

// candidate is an identity a source's head matched.
type candidate struct {
	key string // the identity's live key
	cp  index.Checkpoint
	st  sourceState
}

// lookupResult is what the head of a source matched.
type lookupResult struct {
	at    int         // prefix length of the head that matched; 0: none
	cands []candidate // live identities sharing that prefix
}

// getCP returns a checkpoint, staged in this run or committed.
func (r *runner) getCP(key string) (index.Checkpoint, bool, error) {
	if cp, ok := r.staged[key]; ok {
		return cp, true, nil
	}
	cp, ok, err := r.sink.Checkpoint(key)
	if err != nil {
		return cp, false, &sinkError{fmt.Errorf("checkpoint %s: %w", key, err)}
	}
	return cp, ok, nil
}

// live follows forwards from key to the identity's live record.
func (r *runner) live(key string) (candidate, bool, error) {
	for range 64 {
		cp, ok, err := r.getCP(key)
		if err != nil || !ok {
			return candidate{}, false, err
		}
		st, ok := decodeState(cp)
		if !ok {
			return candidate{}, false, nil
		}
		if st.Moved == "" {
			return candidate{key: key, cp: cp, st: st}, true, nil
		}
		key = st.Moved
	}
	return candidate{}, false, nil
}

// lookup finds the longest prefix of head (the whole head or up to a line
// end) that keys an identity, and the live identities sharing it.
func (r *runner) lookup(head []byte) (lookupResult, error) {
	if len(head) == 0 {
		return lookupResult{}, nil
	}
	for _, n := range prefixes(head) {
		key := idPrefix + headHash(head[:n])
		cp, ok, err := r.getCP(key)
		if err != nil {
			return lookupResult{}, err
		}
		st, dec := decodeState(cp)
		if !ok || !dec {
			continue
		}
		res := lookupResult{at: n}
		for _, k := range append([]string{key}, st.Alt...) {
			c, ok, err := r.live(k)
			if err != nil {
				return lookupResult{}, err
			}
			if ok && !slices.ContainsFunc(res.cands, func(x candidate) bool { return x.key == c.key }) {
				res.cands = append(res.cands, c)
			}
		}
		if len(res.cands) > 0 {
			return res, nil
		}
	}
	return lookupResult{}, nil
}

// contentWindows gives the hashes of the windows before offsets of a
// source's content, and how far the content reaches.
type contentWindows struct {
	hashes  map[int64]string
	reached int64  // bytes of content known to exist (up to the last offset asked)
	eof     bool   // the content ends at reached
	tail    []byte // (streams) the last bytes before reached, up to winSize
}

// windowsOfFile reads the windows of a plain file with ReadAt.
func windowsOfFile(f io.ReaderAt, size int64, offs []int64) (contentWindows, error) {
	w := contentWindows{hashes: map[int64]string{}}
	buf := make([]byte, winSize)
	for _, off := range offs {
		if off > size || off <= 0 {
			continue
		}
		n := min(off, winSize)
		if _, err := f.ReadAt(buf[:n], off-n); err != nil {
			if errors.Is(err, io.EOF) {
				continue // shrank meanwhile
			}
			return w, err
		}
		w.hashes[off] = winHash(buf[:n])
	}
	w.reached, w.eof = size, true
	return w, nil
}

// windowsOfStream reads a content from its start up to the last offset,
// hashing the window before each offset. It consumes the reader.
func windowsOfStream(rd io.Reader, offs []int64) (contentWindows, error) {
	w := contentWindows{hashes: map[int64]string{}}
	offs = slices.Clone(offs)
	slices.Sort(offs)
	offs = slices.Compact(offs)
	ring := make([]byte, 0, 2*winSize)
	buf := make([]byte, 64<<10)
	var pos int64
	for _, off := range offs {
		for pos < off {
			n, err := io.ReadFull(rd, buf[:min(int64(len(buf)), off-pos)])
			pos += int64(n)
			ring = append(ring, buf[:n]...)
			if len(ring) > winSize {
				ring = append(ring[:0], ring[len(ring)-winSize:]...)
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				w.reached, w.eof, w.tail = pos, true, ring
				return w, nil
			}
			if err != nil {
				return w, err
			}
		}
		if off > 0 {
			w.hashes[off] = winHash(ring[len(ring)-int(min(off, winSize)):])
		}
	}
	w.reached, w.tail = pos, ring
	return w, nil
}

// decision is how a source is read, given its identity.
type decision int

const (
	readNew    decision = iota // a new identity: read from the start
	readResume                 // a known identity: read after its checkpoint
	readSkip                   // its content was ingested already
)

// offsetsToCheck are the offsets whose windows decide about c.
func offsetsToCheck(c candidate) []int64 {
	offs := []int64{c.cp.Offset}
	for _, m := range c.st.Marks {
		offs = append(offs, m.Off)
	}
	return offs
}

// judge decides about one live candidate a source's head matched at prefix
// at. head is the source's head (all of it when shorter than headSize),
// known says the source is a physical file or a name the identity was seen
// under, w holds the source's windows.
func judge(c candidate, head []byte, at int, known bool, w contentWindows) decision {
	full := at == len(head)
	if !full && !known {
		// Only its first lines are the same as a short content's: a
		// different file that starts alike (a banner), not its growth.
		return readNew
	}
	o := c.cp.Offset
	if full && len(head) < headSize {
		// The whole source is a prefix of the identity's content.
		if int64(len(head)) <= o {
			return readSkip
		}
	}
	check := func(limit int64) (bool, bool) { // (a mark was checked, it matched)
		best := int64(-1)
		var want string
		for _, m := range c.st.Marks {
			if m.Off <= limit && m.Off > best {
				best, want = m.Off, m.Hash
			}
		}
		if best < 0 {
			return false, false
		}
		got, ok := w.hashes[best]
		return ok, ok && got == want
	}
	if w.reached >= o {
		checked, match := check(o)
		if !checked || match {
			return readResume
		}
		return readNew
	}
	// Shorter than what was read of the identity: a prefix copy, or a
	// different content.
	checked, match := check(w.reached)
	if !checked {
		// No length checkpoint within it: only the head vouches.
		if full {
			return readSkip
		}
		return readNew
	}
	if match {
		return readSkip
	}
	return readNew
}

// claimName returns the source name a new identity read under name gets:
// name itself the first time, then name#1, name#2... The name record lists
// the identities that took the name (their first key; see checkpoints).
func (r *runner) claimName(name string) (string, index.Checkpoint, error) {
	cp, ok, err := r.getCP(namePrefix + name)
	if err != nil {
		return "", cp, err
	}
	st, _ := decodeState(cp)
	gens := int64(0)
	if ok {
		gens = max(cp.Lines, int64(len(st.Gens)))
	}
	src := name // generation 0; then name#1, name#2...
	if gens > 0 {
		src = name + "#" + strconv.FormatInt(gens, 10)
	}
	st.Source = src
	claim := index.Checkpoint{Key: namePrefix + name, Lines: gens + 1, State: encodeState(st)}
	return src, claim, nil
}

// legacy is what an index written before sources were keyed by content
// holds for a path (its checkpoint was keyed by the absolute path).
type legacy struct {
	Source  string `json:"source"`
	Gen     int    `json:"gen"`
	HeadLen int    `json:"head_len"`
}

// legacyName returns, for a new content, the name a checkpoint of an older
// index keyed by this path gives it: the name its events already carry when
// it is the same content (re-reading it then adds nothing: the index skips
// lines it holds), else the generations that index used up.
func (r *runner) legacyName(abs string, head []byte) (same string, gens int64, err error) {
	if abs == "" {
		return "", 0, nil
	}
	cp, ok, err := r.getCP(abs)
	if err != nil || !ok {
		return "", 0, err
	}
	var l legacy
	if json.Unmarshal(cp.State, &l) != nil || l.Source == "" || l.HeadLen < 0 {
		return "", 0, nil
	}
	if l.HeadLen <= len(head) && headHash(head[:l.HeadLen]) == cp.HeadHash {
		return l.Source, 0, nil
	}
	return "", int64(l.Gen) + 1, nil
}

// truncatedFile reports whether the identity that last took a name was
// read from this very file (same device and inode) further than the file
// now reaches: the file was truncated, then written again.
func (r *runner) truncatedFile(claim index.Checkpoint, phys seenFile, size int64) (bool, error) {
	st, ok := decodeState(claim)
	if !ok || len(st.Gens) == 0 || phys.Ino == 0 {
		return false, nil
	}
	c, ok, err := r.live(st.Gens[len(st.Gens)-1])
	if err != nil || !ok {
		return false, err
	}
	return size < c.cp.Offset && slices.ContainsFunc(c.st.Files, phys.same), nil
}
