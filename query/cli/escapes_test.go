package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// payloads are terminal-escape attacks a log line, a file name or a command
// line can carry: OSC title and clipboard (OSC 52) writes, screen clearing,
// the 8-bit C1 forms of CSI and OSC, bidi overrides and isolates, BEL, CR,
// DEL and a lone 0x9b byte (CSI on an 8-bit terminal).
var payloads = []string{
	"\x1b]0;OWNED\x07",
	"\x1b]52;c;SGVsbG8=\x07",
	"\x1b[2J\x1b[H",
	"\u009b31m",
	"\u009d0;T\u009c",
	"\u202eevil\u202c",
	"\u2066iso\u2069",
	"bell\x07",
	"cr\rcr",
	"del\x7f",
	"\u2028sep",
}

// assertTerminalSafe fails when out holds anything a terminal would act
// on. On a terminal the renderers' own colour (SGR) and the progress bar's
// CR and erase-line are allowed; nothing else is.
func assertTerminalSafe(t *testing.T, what string, out string, tty bool) {
	t.Helper()
	s := out
	if tty {
		s = stripSGR(s)
		s = strings.ReplaceAll(s, "\x1b[K", "")
		s = strings.ReplaceAll(s, "\r", "")
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		bad := ""
		switch {
		case r == utf8.RuneError && size == 1:
			bad = fmt.Sprintf("byte %#x (not UTF-8)", s[i])
		case r < 0x20 && r != '\n' && r != '\t', r == 0x7f:
			bad = fmt.Sprintf("control %U", r)
		case r >= 0x80 && r <= 0x9f:
			bad = fmt.Sprintf("C1 control %U", r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
			bad = fmt.Sprintf("bidi/separator %U", r)
		}
		if bad != "" {
			lo, hi := max(0, i-40), min(len(s), i+40)
			t.Errorf("%s (tty=%v): raw %s reaches the terminal near %q", what, tty, bad, s[lo:hi])
			return
		}
		i += size
	}
}

// hostileCorpus writes log files and a deploy history whose names and
// contents carry every payload, and returns the log dir and deploy file.
func hostileCorpus(t *testing.T) (logs, deploys string) {
	t.Helper()
	dir := t.TempDir()
	logs = filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o700); err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	var deps []map[string]any
	for i, p := range payloads {
		ts := fmt.Sprintf("2026-11-25T10:00:%02dZ", i)
		enc.Encode(map[string]any{
			"time": ts, "level": "error", "msg": "boom " + p, "request_id": "r-evil",
			"service": "svc" + p, "route": "GET /x" + p, "user": "u" + p, "status": 500,
			"error": "err" + p, "stack": "main.f" + p + "\n\t/app/f" + p + ".go:10", "host": p, "version": "v" + p,
		})
		enc.Encode(map[string]any{"time": ts, "level": "info", "msg": "ok", "request_id": "r-ok" + p, "service": "svc", "route": "GET /y", "user": "u", "status": 200})
		deps = append(deps, map[string]any{"time": ts, "service": "svc" + p, "version": "v" + p, "commit": "c" + p, "author": "a" + p, "environment": "e" + p})
	}
	writeFile(t, logs, "x\x1b]0;OWNED\x07y.log", js.String())
	text := "plain \x1b]52;c;SGVsbG8=\x07 text \x9b raw \u202e line \u009b31m\n" +
		`{"time":"2026-11-25T10:01:00Z","msg":"c1 \u009d raw` + "\u009d\u202e" + `","request_id":"r-evil"}` + "\n"
	writeFile(t, logs, "a\nb.log", text)
	db, _ := json.Marshal(deps)
	deploys = writeFile(t, dir, "dep\x1b[2J.json", string(db))
	return logs, deploys
}

// TestNoRawEscapeInAnyOutput runs every command, text and JSON, on a
// terminal and piped, over a corpus of terminal-escape payloads, and checks
// stdout and stderr of each.
func TestNoRawEscapeInAnyOutput(t *testing.T) {
	logs, deploys := hostileCorpus(t)
	base := t.TempDir()
	idx := filepath.Join(base, "idx\x1b]0;T\x07")
	missing := "no\x1b]0;OWNED\x07such\n.log"
	for _, tty := range []bool{false, true} {
		tm := newTerm(t, tty, "")
		check := func(name string, r result, asJSON bool) {
			t.Helper()
			assertTerminalSafe(t, name+" stdout", r.stdout, tty)
			assertTerminalSafe(t, name+" stderr", r.err, tty)
			if asJSON && r.stdout != "" && !json.Valid([]byte(r.stdout)) {
				for i, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
					if !json.Valid([]byte(l)) {
						t.Errorf("%s: line %d is not JSON: %q", name, i+1, l)
					}
				}
			}
		}
		jsonIdx := filepath.Join(base, fmt.Sprintf("json-%v\u009b", tty))
		r := tm.run(t, idx, "ingest", "--deploys", deploys, logs, missing)
		if r.code != 2 || !strings.Contains(r.stdout, `x\x1b]0;OWNED\x07y.log`) || !strings.Contains(r.err, `no\x1b]0;OWNED\x07such\n.log`) {
			t.Errorf("ingest: want exit 2 and the names shown escaped\n%s", r)
		}
		check("ingest", r, false)
		r = tm.run(t, jsonIdx, "ingest", "--json", "--deploys", deploys, logs, missing)
		check("ingest --json", r, true)
		if s := parseSummary(t, r); s.Events == 0 || len(s.Sources) != 2 {
			t.Errorf("ingest --json: %d events from %d sources", s.Events, len(s.Sources))
		}
		runs := [][]string{
			{"request", "r-evil"}, {"request", "r-evil", "--json"},
			{"request", "r-\x1b]0;T\x07"}, {"request", "r-\x1b]0;T\x07", "--json"},
			{"errors"}, {"errors", "--json"},
			{"search", ""}, {"search", "", "--json"}, {"search", "", "--oldest", "--limit", "200"},
			{"deploys"}, {"deploys", "--json"},
			{"status"}, {"status", "--json"},
			{"search", "x", "--level", "\x1b]0;T\x07"},
			{"search", "\x1b]0;T\x07 AND ("},
			{"search", "x", "--since", "\u009b2J"},
			{"errors", "--sort", "\u202e"},
			{"tui", "\x1b]0;T\x07"},
		}
		for _, args := range runs {
			r := tm.run(t, idx, args...)
			name := fmt.Sprintf("%q", args)
			if r.code == ExitError && !strings.HasPrefix(args[len(args)-1], "\x1b") && !strings.ContainsAny(strings.Join(args[1:], ""), "\u009b\u202e(") && args[0] != "tui" {
				t.Errorf("%s: exit 2\n%s", name, r)
			}
			check(name, r, args[len(args)-1] == "--json")
		}
		// request - reads IDs that may carry payloads too.
		tm.env.In = strings.NewReader("r-evil\nr-\x1b]0;T\x07\n")
		check("request - --json", tm.run(t, idx, "request", "-", "--json"), true)
		tm.env.In = strings.NewReader("r-evil\nr-\u009b2J\n")
		check("request -", tm.run(t, idx, "request", "-"), false)
		// A missing index named with a payload.
		check("errors on a missing index", tm.run(t, idx+"-missing\u202e", "errors"), false)
		check("request on a missing index", tm.run(t, idx+"-missing\u202e", "request", "r-1", "--json"), true)
	}
}

// TestSearchJSONTextLineIsJSON: a text line comes back as a JSON string
// holding it; the OSC 52 write in it is escaped.
func TestSearchJSONTextLineIsJSON(t *testing.T) {
	logs, _ := hostileCorpus(t)
	idx := filepath.Join(t.TempDir(), "idx")
	culprit(t, idx, "", "ingest", logs)
	r := culprit(t, idx, "", "search", "plain", "--json")
	var s string
	if r.code != 0 || json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &s) != nil || !strings.HasPrefix(s, "plain \x1b]52;c;") {
		t.Errorf("search --json of a text line: want a JSON string holding the line\n%s", r)
	}
	if !strings.Contains(r.stdout, `\u001b]52;c;`) {
		t.Errorf("ESC not escaped as \\u001b: %q", r.stdout)
	}
}

func TestTermSafeWriter(t *testing.T) {
	var b bytes.Buffer
	w := termSafeWriter{&b}
	in := "\ringest x\x1b]0;OWNED\x07y\u009b\u202e.log [##..] 3/4 MiB\x1b[K\x1b[2J\n\t\xff"
	n, err := w.Write([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	want := "\ringest x\\x1b]0;OWNED\\x07y\\x9b\\u202e.log [##..] 3/4 MiB\x1b[K\\x1b[2J\n\t\\xff"
	if b.String() != want {
		t.Errorf("termSafeWriter wrote %q, want %q", b.String(), want)
	}
	assertTerminalSafe(t, "progress", b.String(), true)
}
