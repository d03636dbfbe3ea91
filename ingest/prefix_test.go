package ingest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/query"
)

// prefixForm rewrites one line of a service's log the way a tool shows it.
// name is the file the form is written to: forms whose prefix names the
// service use a name that does not, so the service must come from the
// prefix.
type prefixForm struct {
	name   string
	file   func(svc string) string
	prefix func(svc string, n int) string
}

// toolTime is the time a tool stamps on line n: nanosecond RFC 3339, later
// than the application's own time, which must win.
func toolTime(n int) string {
	return time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC).Add(time.Duration(n) * 1001 * time.Microsecond).Format(time.RFC3339Nano)
}

var sameName = func(svc string) string { return svc + ".log" }
var otherName = func(svc string) string { return "c-" + fmt.Sprint(len(svc)) + svc[:1] + ".log" }

var prefixForms = []prefixForm{
	{"kubectl-prefix", otherName, func(svc string, n int) string {
		return "[pod/" + svc + "-7c9f6b5d4-h2x8q/" + svc + "] "
	}},
	{"kubectl-timestamps", sameName, func(svc string, n int) string { return toolTime(n) + " " }},
	{"kubectl-prefix-timestamps", otherName, func(svc string, n int) string {
		return "[pod/" + svc + "-7c9f6b5d4-h2x8q/" + svc + "] " + toolTime(n) + " "
	}},
	{"stern", otherName, func(svc string, n int) string {
		return "\x1b[32m" + svc + "-6d4c8b7f5-m9w2l\x1b[0m \x1b[33m" + svc + "\x1b[0m "
	}},
	{"compose", otherName, func(svc string, n int) string {
		return fmt.Sprintf("%-11s | ", svc+"-1")
	}},
	{"compose-timestamps", otherName, func(svc string, n int) string {
		return fmt.Sprintf("%-11s | %s ", svc+"-1", toolTime(n))
	}},
	{"journald-short-iso", otherName, func(svc string, n int) string {
		return "2026-11-25T18:00:00+0000 vm " + svc + "[4242]: "
	}},
	{"syslog-rfc3164", otherName, func(svc string, n int) string {
		return "<14>Nov 25 18:00:00 vm " + svc + "[4242]: "
	}},
	{"syslog-rfc5424", otherName, func(svc string, n int) string {
		return "<14>1 " + toolTime(n) + " vm " + svc + " 4242 - - "
	}},
}

// TestPrefixedIncidentSameAnswer ingests the sample incident as plain files
// and as every tool's prefixed output, and requires the same `request
// --json` answer for every case of cases.json (source paths aside).
func TestPrefixedIncidentSameAnswer(t *testing.T) {
	logs := filepath.Join("..", "testdata", "incident", "logs")
	files, err := filepath.Glob(filepath.Join(logs, "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no incident logs in %s: %v", logs, err)
	}
	ids := incidentCaseIDs(t)
	want := answers(t, []string{logs}, ids)
	forms := prefixForms
	if testing.Short() {
		forms = forms[:3]
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, src := range files {
				svc := strings.TrimSuffix(filepath.Base(src), ".jsonl")
				writePrefixed(t, src, filepath.Join(dir, f.file(svc)), func(n int) string { return f.prefix(svc, n) })
			}
			got := answers(t, []string{dir}, ids)
			for i, id := range ids {
				if got[i] != want[i] {
					t.Errorf("request %s --json differs from the plain files' answer\n--- got\n%s\n--- want\n%s", id, got[i], want[i])
				}
			}
		})
	}
}

func incidentCaseIDs(t *testing.T) []string {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "incident", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cases {
		ids = append(ids, c.RequestID)
	}
	return ids
}

func writePrefixed(t *testing.T, src, dst string, prefix func(n int) string) {
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(out)
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	for n := 0; sc.Scan(); n++ {
		w.WriteString(prefix(n))
		w.Write(sc.Bytes())
		w.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

var sourceValue = regexp.MustCompile(`"source": "[^"]*:(\d+)"`)

// normalizeReport renders r as JSON with source paths reduced to line
// numbers.
func normalizeReport(t *testing.T, r *query.Report) string {
	// A prefix names the pod or host (kubectl, syslog) that the plain
	// files do not: an event's host is more, not another answer.
	for i := range r.Events {
		r.Events[i].Host = ""
	}
	if r.Error != nil {
		for i := range r.Error.Chain {
			r.Error.Chain[i].Host = ""
		}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return sourceValue.ReplaceAllString(string(b), `"source": ":$1"`)
}

// answers ingests paths into a fresh index and returns the JSON report of
// each id, with source paths reduced to their line numbers.
func answers(t *testing.T, paths []string, ids []string) []string {
	ix, err := index.Open(t.TempDir(), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	sink, err := ingest.NewIndexSink(ix)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.Run(t.Context(), ingest.Options{Paths: paths}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range sum.Sources {
		if s.TextLines != 0 || s.Untimed != 0 {
			t.Errorf("%s: %d text lines, %d untimed; want 0 and 0 (convention %s, fields %v)", s.Path, s.TextLines, s.Untimed, s.Convention, s.Fields)
		}
	}
	inv := query.New(ix, query.Options{})
	out := make([]string, len(ids))
	for i, id := range ids {
		r, err := inv.Request(t.Context(), id)
		if err != nil {
			t.Fatalf("request %s: %v", id, err)
		}
		out[i] = normalizeReport(t, r)
	}
	return out
}
