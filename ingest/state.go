package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

const (
	// headSize is how many bytes of a source's (decompressed) start
	// identify it: its fingerprint.
	headSize = 4 << 10
	// winSize is how many bytes before a length checkpoint its hash covers.
	winSize = 4 << 10
	// Bounds of the lists kept per identity.
	maxMarks = 24
	maxNames = 16
	maxFiles = 16
)

// Checkpoint key prefixes. An identity's record is keyed by the hash of its
// first bytes; a name record reserves a source name (Event.Source).
const (
	idPrefix   = "content:"
	namePrefix = "name:"
)

// sourceState is what ingest keeps in index.Checkpoint.State for one
// identity (a content), or a forwarding record (Moved), or a name record.
type sourceState struct {
	// Source is the name the identity's events carry (Event.Source).
	Source string `json:"source"`
	// HeadLen is how many first bytes Checkpoint.HeadHash (and the key)
	// covers: headSize, or less for a short content (see headLen).
	HeadLen int `json:"head_len"`
	// Moved: this key is no longer the identity's, which grew and is now
	// kept under Moved (a longer prefix of the same content).
	Moved string `json:"moved,omitempty"`
	// Alt lists the keys of other identities whose first bytes are the
	// same as this one's (their content differs later).
	Alt []string `json:"alt,omitempty"`
	// EOF: the content was read to its end.
	EOF bool `json:"eof,omitempty"`
	// Held: an unterminated last line was held back (not stored).
	Held bool `json:"held,omitempty"`
	// Marks are length checkpoints: the hash of the bytes before an offset,
	// one per commit (thinned), the last at Checkpoint.Offset when known.
	Marks []mark `json:"marks,omitempty"`
	// Names are the names (as given by the user) the content was seen
	// under, in the order first seen.
	Names []string `json:"names,omitempty"`
	// Files are physical files known to hold a prefix of the content that
	// was read to its end: an unchanged one is skipped without reading it.
	Files []seenFile `json:"files,omitempty"`
	// Mapping is the mapping the content was parsed with.
	Mapping *logline.Mapping `json:"mapping,omitempty"`
	// Gens (name records only) lists, per generation of a name, the key of
	// the identity that first took it.
	Gens []string `json:"gens,omitempty"`
}

// mark is a length checkpoint: the content's bytes [Off-winSize, Off)
// hash to Hash.
type mark struct {
	Off  int64  `json:"off"`
	Hash string `json:"hash"`
}

// seenFile is a physical file, read to its end at this size and time.
type seenFile struct {
	Path  string    `json:"path"`
	Dev   uint64    `json:"dev,omitempty"`
	Ino   uint64    `json:"ino,omitempty"`
	Size  int64     `json:"size"`
	MTime time.Time `json:"mtime"`
}

// decodeState reads a checkpoint's state; ok is false when it is missing or
// unreadable (the record is then ignored).
func decodeState(cp index.Checkpoint) (st sourceState, ok bool) {
	if len(cp.State) == 0 || json.Unmarshal(cp.State, &st) != nil || st.HeadLen < 0 {
		return sourceState{}, false
	}
	return st, true
}

func encodeState(st sourceState) json.RawMessage {
	b, err := json.Marshal(st)
	if err != nil {
		panic(err) // plain strings, numbers and times always marshal
	}
	return b
}

// headHash identifies a source by its first bytes.
func headHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:16])
}

// winHash is the hash of a length checkpoint's window.
func winHash(b []byte) string { return headHash(b) }

// addMark appends a length checkpoint, replacing one at the same offset,
// and thins the list to maxMarks (every other old mark goes; the newest
// stays).
func addMark(ms []mark, m mark) []mark {
	ms = slices.DeleteFunc(slices.Clone(ms), func(x mark) bool { return x.Off >= m.Off })
	ms = append(ms, m)
	for len(ms) > maxMarks {
		thin := ms[:0:0]
		for i, x := range ms {
			if i%2 == 1 || i == len(ms)-1 {
				thin = append(thin, x)
			}
		}
		ms = thin
	}
	return ms
}

// addName appends name unless it is there, keeping the last maxNames.
func addName(names []string, name string) []string {
	if slices.Contains(names, name) {
		return names
	}
	names = append(slices.Clone(names), name)
	if len(names) > maxNames {
		names = names[len(names)-maxNames:]
	}
	return names
}

// addFile records a physical file read to its end, in place of an earlier
// record of the same file, keeping the last maxFiles.
func addFile(fs []seenFile, f seenFile) []seenFile {
	fs = slices.Clone(fs)
	if i := slices.IndexFunc(fs, f.same); i >= 0 {
		if fs[i].Size != f.Size || !fs[i].MTime.Equal(f.MTime) {
			fs[i] = f
		}
		return fs
	}
	fs = append(fs, f)
	if len(fs) > maxFiles {
		fs = fs[len(fs)-maxFiles:]
	}
	return fs
}

// same reports the same physical file: same device and inode when known,
// else the same path.
func (f seenFile) same(g seenFile) bool {
	if f.Ino != 0 && g.Ino != 0 {
		return f.Dev == g.Dev && f.Ino == g.Ino
	}
	return f.Path == g.Path
}

// headLen is how many first bytes of head key an identity whose content
// was committed up to off: headSize when both reach it, else up to the end
// of the last complete line (so that the key covers whole lines and is
// found again by a longer file), else all committed bytes.
func headLen(head []byte, off int64) int {
	n := int(min(int64(len(head)), off))
	if n == headSize {
		return n
	}
	for i := n - 1; i >= 0; i-- {
		if head[i] == '\n' {
			return i + 1
		}
	}
	return n
}

// prefixes are the prefix lengths of head an identity may be keyed by,
// longest first: the whole head, then every line end in it.
func prefixes(head []byte) []int {
	out := []int{len(head)}
	for i := len(head) - 2; i >= 0; i-- {
		if head[i] == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

// applyOverrides sets --field overrides on a mapping restored from a
// checkpoint (Detect applies them to a new one). It must run before the
// mapping's first Parse.
func applyOverrides(m *logline.Mapping, fields map[string]string) {
	for f, p := range fields {
		if m.Paths == nil {
			m.Paths = map[string]string{}
		}
		m.Paths[f] = p
		if !slices.Contains(m.Overridden, f) {
			m.Overridden = append(m.Overridden, f)
		}
	}
	slices.Sort(m.Overridden)
}
