package logline

import (
	"bytes"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// envelope is what a container runtime, a log collector or a CLI wrapped
// around an application's log line: the line itself and what the wrapper
// says about it (the time it stamped, the service and host it came from).
type envelope struct {
	content []byte
	time    time.Time
	service string // container or compose service, syslog identifier
	host    string // pod, syslog host
	form    string // which wrapper: "cri", "docker", "kubectl", ...
}

// maxPrefix bounds the prefix looked at before a JSON object: the longest
// wrapper (kubectl's pod/container plus a timestamp, a syslog header) is
// far shorter.
const maxPrefix = 320

// unwrap removes a wrapper from a line, so that the application's own JSON
// is detected and parsed:
//
//   - the CRI format of Kubernetes node logs (containerd, CRI-O):
//     "2026-11-25T10:00:00.123456789Z stdout F {...}";
//   - Docker's json-file driver: {"log":"{...}\n","stream":"stdout","time":"..."}
//     when the log value is itself a JSON object;
//   - `journalctl -o json` records whose MESSAGE is a JSON object;
//   - the prefixes of the tools users read logs with, before a JSON object:
//     `kubectl logs --prefix` ("[pod/NAME/CONTAINER] "), `--timestamps` and
//     `docker logs --timestamps` (an RFC 3339 time and a space), both
//     together, stern ("POD CONTAINER "), `docker compose logs`
//     ("svc-1  | ", perhaps with a time after the bar), and syslog or
//     journald lines whose message is JSON (RFC 3164, RFC 5424, journalctl's
//     short and short-iso forms).
//
// ok is false when the line has no such wrapper.
func unwrap(b []byte) (env envelope, ok bool) {
	if len(b) < 3 {
		return env, false
	}
	if b[0] == '{' {
		if bytes.HasPrefix(b, []byte(`{"__CURSOR":`)) || bytes.HasPrefix(b, []byte(`{"__REALTIME_TIMESTAMP":`)) {
			return unwrapJournal(b)
		}
		return unwrapDocker(b)
	}
	if env, ok := unwrapCRI(b); ok {
		return env, true
	}
	return unwrapPrefix(b)
}

func unwrapCRI(b []byte) (envelope, bool) {
	if len(b) < 20 || !isDigit(b[0]) {
		return envelope{}, false
	}
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
	return envelope{content: rest[2:], time: t, form: "cri"}, true
}

func unwrapDocker(b []byte) (envelope, bool) {
	if len(b) < 20 || !bytes.HasPrefix(b, []byte(`{"log":"`)) || !bytes.Contains(b, []byte(`"stream":`)) {
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
	return envelope{content: in, time: t, form: "docker"}, true
}

// unwrapJournal reads `journalctl -o json` output whose MESSAGE is itself a
// JSON object: the journal gives host, identifier and time.
func unwrapJournal(b []byte) (envelope, bool) {
	if !bytes.Contains(b, []byte(`"MESSAGE":"{`)) || !gjson.ValidBytes(b) {
		return envelope{}, false
	}
	r := gjson.ParseBytes(b)
	in := trimLine([]byte(r.Get("MESSAGE").Str))
	if len(in) == 0 || in[0] != '{' || !gjson.ValidBytes(in) {
		return envelope{}, false
	}
	env := envelope{content: in, form: "journald", host: r.Get("_HOSTNAME").Str, service: r.Get("SYSLOG_IDENTIFIER").Str}
	if env.service == "" {
		env.service = r.Get("_COMM").Str
	}
	env.time, _ = ParseTime(r.Get("__REALTIME_TIMESTAMP"))
	return env, true
}

// unwrapPrefix reads a tool's prefix before a JSON object. The object must
// be valid JSON: a text line that merely contains a brace keeps its text.
func unwrapPrefix(b []byte) (envelope, bool) {
	lim := min(len(b), maxPrefix)
	brace := bytes.IndexByte(b[:lim], '{')
	if brace < 2 {
		return envelope{}, false
	}
	env, ok := parsePrefix(string(b[:brace]))
	if !ok {
		return envelope{}, false
	}
	content := b[brace:]
	if !gjson.ValidBytes(content) {
		return envelope{}, false
	}
	env.content = content
	return env, true
}

// parsePrefix interprets the text before a line's JSON object as one of the
// wrappers unwrap lists; every token must be accounted for.
func parsePrefix(p string) (envelope, bool) {
	if strings.IndexByte(p, 0x1b) >= 0 {
		p = stripANSI(p) // stern and compose colour their prefixes on a terminal
	}
	if p == "" || (p[len(p)-1] != ' ' && p[len(p)-1] != '\t' && p[len(p)-1] != '|' && p[len(p)-1] != ':') {
		return envelope{}, false
	}
	toks := strings.Fields(p)
	if len(toks) == 0 {
		return envelope{}, false
	}
	if env, ok := syslogPrefix(toks); ok {
		return env, true
	}
	var env envelope
	i := 0
	switch {
	case isKubectlPrefix(toks[0]):
		// [pod/NAME/CONTAINER] or [NAME/CONTAINER]
		parts := strings.Split(toks[0][1:len(toks[0])-1], "/")
		if len(parts) == 3 {
			parts = parts[1:]
		}
		env.host, env.service, env.form = parts[0], parts[1], "kubectl"
		i = 1
	case len(toks) >= 2 && toks[1] == "|" && isName(toks[0]):
		env.service, env.form = composeService(toks[0]), "compose"
		i = 2
	case strings.HasSuffix(toks[0], "|") && len(toks[0]) > 1 && isName(toks[0][:len(toks[0])-1]):
		env.service, env.form = composeService(toks[0][:len(toks[0])-1]), "compose"
		i = 1
	case len(toks) >= 2 && isPodName(toks[0]) && isName(toks[1]) && !isStream(toks[1]):
		env.host, env.service, env.form = toks[0], toks[1], "stern"
		i = 2
	}
	if i < len(toks) {
		if t, ok := prefixTime(toks[i]); ok {
			env.time = t
			if env.form == "" {
				env.form = "timestamps"
			}
			i++
		}
	}
	if i+1 < len(toks) && isStream(toks[i]) && (toks[i+1] == "F" || toks[i+1] == "P") {
		i += 2 // a CRI line shown with a tool's prefix
	}
	if i == 0 || i != len(toks) {
		return envelope{}, false
	}
	return env, true
}

// prefixTime reads a wrapper's RFC 3339 time token.
func prefixTime(tok string) (time.Time, bool) {
	if len(tok) < 19 || len(tok) > 40 || !isDigit(tok[0]) || tok[4] != '-' {
		return time.Time{}, false
	}
	return ParseTimeString(tok)
}

func isStream(s string) bool { return s == "stdout" || s == "stderr" }

func isKubectlPrefix(t string) bool {
	if len(t) < 5 || t[0] != '[' || t[len(t)-1] != ']' {
		return false
	}
	parts := strings.Split(t[1:len(t)-1], "/")
	if len(parts) == 3 && parts[0] == "" {
		return false
	}
	if len(parts) != 2 && len(parts) != 3 {
		return false
	}
	for _, s := range parts {
		if !isName(s) {
			return false
		}
	}
	return true
}

// isName reports a container, service or pod name: letters, digits and
// '-', '_', '.', starting with a letter or digit.
func isName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case (c == '-' || c == '_' || c == '.') && i > 0:
		default:
			return false
		}
	}
	return true
}

// isPodName reports a Kubernetes pod name as stern prints it: a lowercase
// DNS name with at least one '-' (pods are named after their owner plus
// hashes), which tells it from a level word or a logger name.
func isPodName(s string) bool {
	if !isName(s) || !strings.Contains(s, "-") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c == '_' {
			return false
		}
	}
	return true
}

// composeService removes the replica number docker compose appends to a
// service's container ("api-1", v1's "api_1").
func composeService(s string) string {
	i := len(s)
	for i > 0 && isDigit(s[i-1]) {
		i--
	}
	if i < len(s) && i > 1 && (s[i-1] == '-' || s[i-1] == '_') {
		return s[:i-1]
	}
	return s
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// syslogPrefix reads a syslog or journald header whose message is the JSON
// object: RFC 5424 ("<13>1 TIME HOST APP PROCID MSGID - "), RFC 3164 and
// journalctl's short form ("[<13>]Nov 25 15:17:20 HOST APP[PID]: ", which
// has no year: its time is not used), journalctl's short-iso form
// ("2026-11-25T15:17:20+0000 HOST APP[PID]: ").
func syslogPrefix(toks []string) (envelope, bool) {
	env := envelope{form: "syslog"}
	t0 := toks[0]
	if t0[0] == '<' {
		end := strings.IndexByte(t0, '>')
		if end < 2 || !allDigits(t0[1:end]) {
			return envelope{}, false
		}
		t0 = t0[end+1:]
		if t0 == "1" && len(toks) >= 7 { // RFC 5424
			t, ok := ParseTimeString(toks[1])
			if ok {
				env.time = t
			} else if toks[1] != "-" {
				return envelope{}, false
			}
			env.host, env.service = nilValue(toks[2]), nilValue(toks[3])
			// PROCID MSGID then structured data: "-" or [..] elements.
			sd := strings.Join(toks[6:], " ")
			if sd != "-" && !(strings.HasPrefix(sd, "[") && strings.HasSuffix(sd, "]")) {
				return envelope{}, false
			}
			return env, true
		}
		if t0 == "" {
			toks = toks[1:]
		} else {
			toks = append([]string{t0}, toks[1:]...)
		}
		if len(toks) == 0 {
			return envelope{}, false
		}
	}
	var rest []string
	switch {
	case len(toks) == 5 && isMonth(toks[0]) && allDigits(toks[1]) && len(toks[2]) == 8 && toks[2][2] == ':':
		rest = toks[3:]
	case len(toks) == 3 && isDigit(toks[0][0]) && len(toks[0]) >= 19:
		t, ok := ParseTimeString(toks[0])
		if !ok {
			return envelope{}, false
		}
		env.time = t
		rest = toks[1:]
	default:
		return envelope{}, false
	}
	ident, ok := strings.CutSuffix(rest[1], ":")
	if !ok || !isName(rest[0]) {
		return envelope{}, false
	}
	if i := strings.IndexByte(ident, '['); i > 0 && strings.HasSuffix(ident, "]") {
		ident = ident[:i]
	}
	if !isName(ident) {
		return envelope{}, false
	}
	env.host, env.service = rest[0], ident
	return env, true
}

func nilValue(s string) string {
	if s == "-" || !isName(s) {
		return ""
	}
	return s
}

func isMonth(s string) bool {
	for _, m := range months {
		if s == m {
			return true
		}
	}
	return false
}

// stripANSI removes terminal escape sequences (CSI "\x1b[...m" and
// two-byte escapes).
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != 0x1b {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && !(s[j] >= 0x40 && s[j] <= 0x7e) {
				j++
			}
			i = j
			continue
		}
		i++
	}
	return b.String()
}
