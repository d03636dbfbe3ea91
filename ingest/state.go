package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

// headSize is how many bytes of a source's start identify it.
const headSize = 4 << 10

// sourceState is what ingest keeps in index.Checkpoint.State.
type sourceState struct {
	// Source is the name the source's events carry (Event.Source), so that a
	// resumed source keeps its document identities however it is named now.
	Source string `json:"source"`
	// Gen is the generation: 0 at first, +1 each time the file was found
	// truncated or rotated.
	Gen int `json:"gen,omitempty"`
	// HeadLen is how many bytes Checkpoint.HeadHash covers.
	HeadLen int `json:"head_len"`
	// Gzip: the file is gzip-compressed; offsets count decompressed bytes.
	Gzip bool `json:"gzip,omitempty"`
	// EOF: the source was read to its end.
	EOF bool `json:"eof,omitempty"`
	// Held: an unterminated last line was held back (see holdBack); the
	// file is read again even if unchanged.
	Held bool `json:"held,omitempty"`
	// Tail: the last committed line had no newline (a writer may still be
	// writing it); it starts at TailStart and is read again, under the same
	// line number, when the file grows.
	Tail      bool  `json:"tail,omitempty"`
	TailStart int64 `json:"tail_start,omitempty"`
	// Mapping is the mapping the source was parsed with.
	Mapping *logline.Mapping `json:"mapping,omitempty"`
}

// decodeState reads a checkpoint's state; ok is false when it is missing or
// unreadable (the source is then read as new).
func decodeState(cp index.Checkpoint) (st sourceState, ok bool) {
	if len(cp.State) == 0 || json.Unmarshal(cp.State, &st) != nil || st.HeadLen < 0 {
		return sourceState{}, false
	}
	return st, true
}

// resumeAt returns where reading resumes: the stream offset and the number
// of the line before it.
func resumeAt(cp index.Checkpoint, st sourceState) (off, line int64) {
	if st.Tail && cp.Lines > 0 && st.TailStart <= cp.Offset {
		return st.TailStart, cp.Lines - 1
	}
	return cp.Offset, cp.Lines
}

// headHash identifies a source by its first bytes.
func headHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:16])
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
