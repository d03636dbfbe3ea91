package logline

import (
	"github.com/culprit-dev/culprit/ingest/stack"
)

// stackTrace is a parsed stack trace: the ingest/stack model, with the
// questions the event mapping asks of it. Frames are parsed, classified and
// reduced to fingerprint names by ingest/stack only.
type stackTrace struct {
	t *stack.Trace // nil when the text holds no exception line and no frame
}

// parseStack reads a stack trace in any dialect ingest/stack knows.
func parseStack(s string) *stackTrace {
	return &stackTrace{t: stack.Parse(s)}
}

// rootType returns the root cause's exception type, else the first type
// of the chain, or "".
func (st *stackTrace) rootType() string {
	if st.t == nil {
		return ""
	}
	if t := st.t.Root().Type; t != "" {
		return t
	}
	for _, c := range st.t.Chain() {
		if c.Type != "" {
			return c.Type
		}
	}
	return ""
}

// rootMessage returns the root cause's message.
func (st *stackTrace) rootMessage() string {
	if st.t == nil {
		return ""
	}
	return st.t.Root().Message
}

// messageOf returns the message of the chain's exception of type typ
// (compared by short name), or "".
func (st *stackTrace) messageOf(typ string) string {
	if st.t == nil {
		return ""
	}
	want := shortType(typ)
	for _, c := range st.t.Chain() {
		if c.Type != "" && shortType(c.Type) == want {
			return c.Message
		}
	}
	return ""
}

// fingerprintFrames returns the frame names a fingerprint is made of (see
// stack.Trace.FingerprintFrames).
func (st *stackTrace) fingerprintFrames() []string {
	return st.t.FingerprintFrames()
}
