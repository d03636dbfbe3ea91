package logline

import (
	"bytes"
	"time"

	"github.com/tidwall/gjson"
)

// envelope is what a container runtime wrapped around an application's log
// line: the line itself and the time the runtime stamped on it.
type envelope struct {
	content []byte
	time    time.Time
}

// unwrap removes a container runtime's envelope from a line, so that the
// application's own JSON is detected and parsed:
//
//   - the CRI format of Kubernetes node logs (containerd, CRI-O):
//     "2026-11-25T10:00:00.123456789Z stdout F {...}";
//   - Docker's json-file driver: {"log":"{...}\n","stream":"stdout","time":"..."}
//     when the log value is itself a JSON object.
//
// ok is false when the line has no such envelope.
func unwrap(b []byte) (env envelope, ok bool) {
	if len(b) < 20 {
		return env, false
	}
	if b[0] == '{' {
		return unwrapDocker(b)
	}
	return unwrapCRI(b)
}

func unwrapCRI(b []byte) (envelope, bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 20 || sp > 40 {
		return envelope{}, false
	}
	rest := b[sp+1:]
	var stream bool
	for _, s := range [][]byte{[]byte("stdout "), []byte("stderr ")} {
		if bytes.HasPrefix(rest, s) {
			rest, stream = rest[len(s):], true
		}
	}
	if !stream || len(rest) < 2 || (rest[0] != 'F' && rest[0] != 'P') || rest[1] != ' ' {
		return envelope{}, false
	}
	t, ok := ParseTimeString(string(b[:sp]))
	if !ok {
		return envelope{}, false
	}
	return envelope{content: rest[2:], time: t}, true
}

func unwrapDocker(b []byte) (envelope, bool) {
	if !bytes.HasPrefix(b, []byte(`{"log":"`)) || !bytes.Contains(b, []byte(`"stream":`)) {
		return envelope{}, false
	}
	if !gjson.ValidBytes(b) {
		return envelope{}, false
	}
	inner := gjson.GetBytes(b, "log").Str
	in := trimLine([]byte(inner))
	if len(in) == 0 || in[0] != '{' || !gjson.ValidBytes(in) {
		return envelope{}, false
	}
	t, _ := ParseTime(gjson.GetBytes(b, "time"))
	return envelope{content: in, time: t}, true
}
