package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmptyResults runs every command's "found nothing" path, with and
// without --json and with filters: each gives exit 1 and one accurate
// message. Text: nothing on stdout (no header, no "no events" row), one
// line on stderr naming what was asked. JSON: the documented empty shape on
// stdout and nothing on stderr.
func TestEmptyResults(t *testing.T) {
	idx := incidentIndex(t)
	dir := t.TempDir()
	noDeploys := filepath.Join(dir, "idx")
	if r := culprit(t, noDeploys, "", "ingest", writeFile(t, dir, "a.log", `{"time":"2026-11-25T10:00:00Z","msg":"a"}`+"\n")); r.code != 0 {
		t.Fatalf("ingest:\n%s", r)
	}
	cases := []struct {
		name    string
		idx     string
		args    []string
		stdout  string // exact, for JSON; text must print nothing
		stderr  string // the one line text prints (substring); "" for JSON
		notWant string // a misleading phrase the note must not hold
	}{
		{name: "errors range", idx: idx, args: []string{"errors", "--since", "2020-01-01", "--until", "2020-01-02"},
			stderr: "no error groups between 2020-01-01T00:00:00.000Z and 2020-01-02T00:00:00.000Z"},
		{name: "errors range json", idx: idx, args: []string{"errors", "--since", "2020-01-01", "--until", "2020-01-02", "--json"}, stdout: "[]\n"},
		{name: "errors unknown service", idx: idx, args: []string{"errors", "--service", "nosuch"},
			stderr: "no error groups for service nosuch (no event of the index names service nosuch; services: ", notWant: "range"},
		{name: "errors unknown service json", idx: idx, args: []string{"errors", "--service", "nosuch", "--json"}, stdout: "[]\n"},
		{name: "errors known service, empty range", idx: idx, args: []string{"errors", "--service", "orders", "--until", "2026-11-25T17:12:00Z"},
			stderr: "no error groups for service orders before 2026-11-25T17:12:00.000Z", notWant: "no event of the index"},
		{name: "errors none at all", idx: noDeploys, args: []string{"errors"}, stderr: "no error groups"},
		{name: "search", idx: idx, args: []string{"search", "nosuchwordanywhere"}, stderr: "no lines match nosuchwordanywhere"},
		{name: "search filtered", idx: idx, args: []string{"search", "nosuchwordanywhere", "--service", "nosuch", "--level", "warning", "--since", "2026-11-25T17:13:00Z"},
			stderr: "no lines match nosuchwordanywhere for service nosuch at level warn or worse since 2026-11-25T17:13:00.000Z (no event of the index names service nosuch"},
		{name: "search quoted query", idx: idx, args: []string{"search", `"no such phrase"`}, stderr: `no lines match '"no such phrase"'`},
		{name: "search long query", idx: idx, args: []string{"search", strings.Repeat("nosuchword ", 1000)},
			stderr: "no lines match 'nosuchword nosuchword", notWant: strings.Repeat("nosuchword ", 20)},
		{name: "search json", idx: idx, args: []string{"search", "nosuchwordanywhere", "--json"}},
		{name: "search json filtered", idx: idx, args: []string{"search", "nosuchwordanywhere", "--service", "nosuch", "--json"}},
		{name: "deploys", idx: noDeploys, args: []string{"deploys"}, stderr: "no deploys ingested"},
		{name: "deploys json", idx: noDeploys, args: []string{"deploys", "--json"}, stdout: "[]\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := culprit(t, c.idx, "", c.args...)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", r.code, r)
			}
			if r.stdout != c.stdout {
				t.Errorf("stdout = %q, want %q\n%s", r.stdout, c.stdout, r)
			}
			if c.stderr == "" {
				if r.err != "" {
					t.Errorf("stderr = %q, want nothing (JSON says it itself)", r.err)
				}
				return
			}
			if strings.Count(r.err, "\n") != 1 || !strings.Contains(r.err, c.stderr) {
				t.Errorf("stderr = %q, want one line holding %q", r.err, c.stderr)
			}
			if c.notWant != "" && strings.Contains(r.err, c.notWant) {
				t.Errorf("stderr = %q, must not say %q", r.err, c.notWant)
			}
		})
	}
	// A request that is not found: the report says it once, on stdout.
	r := culprit(t, idx, "", "request", "nosuchid12345")
	if r.code != 1 || r.err != "" || strings.Count(r.stdout, "no request nosuchid12345") != 1 {
		t.Errorf("request not found: want the report's one note and nothing on stderr\n%s", r)
	}
	r = culprit(t, idx, "", "request", "nosuchid12345", "--json")
	var rep struct {
		Found bool   `json:"found"`
		Hint  string `json:"hint"`
	}
	if r.code != 1 || r.err != "" || json.Unmarshal([]byte(r.stdout), &rep) != nil || rep.Found || rep.Hint == "" {
		t.Errorf("request not found --json: want found:false with a hint and nothing on stderr\n%s", r)
	}
}
