package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests run the built binary, as a user would, against the bundled
// sample incident (testdata/incident).

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// culpritBin builds the binary once per test run.
func culpritBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "culprit-test-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "culprit")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// result of one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// culprit runs the binary with the index in dir and stdin as given.
func culprit(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(culpritBin(t), args...)
	cmd.Env = append(os.Environ(), "CULPRIT_INDEX="+dir, "NO_COLOR=1")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("culprit %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr\n%s", r.code, r.stdout, r.stderr)
}

const (
	incidentLogs    = "testdata/incident/logs"
	incidentDeploys = "testdata/incident/deploys.json"
)

// incidentCase is one entry of testdata/incident/cases.json.
type incidentCase struct {
	Name      string         `json:"name"`
	RequestID string         `json:"request_id"`
	Expect    map[string]any `json:"expect"`
}

func loadCases(t *testing.T) []incidentCase {
	t.Helper()
	b, err := os.ReadFile("testdata/incident/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []incidentCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	return cs
}

var (
	incidentOnce sync.Once
	incidentDir  string
)

// incidentIndex ingests the sample incident once and returns the index dir.
// Tests must not write to it.
func incidentIndex(t *testing.T) string {
	t.Helper()
	incidentOnce.Do(func() {
		dir, err := os.MkdirTemp("", "culprit-test-index-")
		if err != nil {
			t.Fatal(err)
		}
		incidentDir = filepath.Join(dir, "idx")
		r := culprit(t, incidentDir, "", "ingest", "--json", "--deploys", incidentDeploys, incidentLogs)
		if r.code != 0 {
			t.Fatalf("ingest of the incident failed:\n%s", r)
		}
	})
	if incidentDir == "" {
		t.Fatal("incident index unavailable")
	}
	return incidentDir
}

// ingestSummary is the part of `ingest --json` the tests read.
type ingestSummary struct {
	Sources []struct {
		Path       string            `json:"path"`
		Lines      int64             `json:"lines"`
		Events     int64             `json:"events"`
		TextLines  int64             `json:"text_lines"`
		Truncated  int64             `json:"truncated"`
		Untimed    int64             `json:"untimed"`
		Fields     map[string]string `json:"fields"`
		Convention string            `json:"convention"`
	} `json:"sources"`
	Events  int64 `json:"events"`
	Deploys int   `json:"deploys"`
}

func parseSummary(t *testing.T, r result) ingestSummary {
	t.Helper()
	var s ingestSummary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("ingest --json printed invalid JSON: %v\n%s", err, r)
	}
	return s
}

func TestIngestIsIdempotentAndReportsMapping(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	first := culprit(t, dir, "", "ingest", "--json", "--deploys", incidentDeploys, incidentLogs)
	if first.code != 0 {
		t.Fatalf("first ingest:\n%s", first)
	}
	s := parseSummary(t, first)
	if s.Events == 0 || s.Deploys == 0 || len(s.Sources) < 3 {
		t.Fatalf("first ingest added %d events, %d deploys from %d sources; want all >0 and >=3 sources\n%s",
			s.Events, s.Deploys, len(s.Sources), first)
	}
	var lines int64
	for _, src := range s.Sources {
		lines += src.Lines
		if src.Fields["request_id"] == "" || src.Fields["time"] == "" {
			t.Errorf("%s: mapping %v lacks time or request_id", src.Path, src.Fields)
		}
	}
	if s.Events != lines {
		t.Errorf("events added = %d, lines read = %d: every non-empty line should be one event", s.Events, lines)
	}
	again := parseSummary(t, culprit(t, dir, "", "ingest", "--json", "--deploys", incidentDeploys, incidentLogs))
	if again.Events != 0 || again.Deploys != 0 {
		t.Errorf("second ingest of the same files added %d events and %d deploys, want 0 and 0", again.Events, again.Deploys)
	}
	st := culprit(t, dir, "", "status", "--json")
	var status struct{ Events int }
	if err := json.Unmarshal([]byte(st.stdout), &status); err != nil || int64(status.Events) != s.Events {
		t.Errorf("status says %d events (err %v), ingest added %d\n%s", status.Events, err, s.Events, st)
	}
	// The index is private to the user.
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("index dir mode %v, want no group/other access", perm)
	}
}

func TestIngestAppendedFileAddsOnlyTail(t *testing.T) {
	dir := t.TempDir()
	logf := filepath.Join(dir, "app.log")
	line := func(i int) string {
		return fmt.Sprintf(`{"time":"2026-11-25T10:00:%02dZ","level":"info","msg":"hello %d","request_id":"r-%d"}`+"\n", i, i, i)
	}
	var b strings.Builder
	for i := 0; i < 10; i++ {
		b.WriteString(line(i))
	}
	if err := os.WriteFile(logf, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(dir, "idx")
	if s := parseSummary(t, culprit(t, idx, "", "ingest", "--json", logf)); s.Events != 10 {
		t.Fatalf("first ingest added %d events, want 10", s.Events)
	}
	f, err := os.OpenFile(logf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(line(10) + line(11))
	f.Close()
	if s := parseSummary(t, culprit(t, idx, "", "ingest", "--json", logf)); s.Events != 2 {
		t.Fatalf("ingest after appending 2 lines added %d events, want 2", s.Events)
	}
	r := culprit(t, idx, "", "request", "r-11", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"found": true`) {
		t.Errorf("appended request not found:\n%s", r)
	}
}

func TestIngestReportsMissingPathButIngestsTheRest(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "idx")
	r := culprit(t, idx, "", "ingest", "--json", "no/such/file.log", incidentLogs)
	if r.code != 2 {
		t.Errorf("exit %d, want 2 for a missing path\n%s", r.code, r)
	}
	if !strings.Contains(r.stderr+r.stdout, "no/such/file.log") {
		t.Errorf("the missing path is not named:\n%s", r)
	}
	if s := parseSummary(t, r); s.Events == 0 {
		t.Errorf("the readable paths were not ingested:\n%s", r)
	}
}

func TestIngestFromStdin(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "idx")
	in := `{"ts":1764064800.5,"level":"error","msg":"boom","request_id":"stdin-1","stacktrace":"main.f\n\t/app/f.go:10"}
not json at all
{"ts":1764064801.5,"level":"info","msg":"ok","request_id":"stdin-2"}
`
	s := parseSummary(t, culprit(t, idx, in, "ingest", "--json", "-"))
	if s.Events != 3 {
		t.Fatalf("stdin ingest added %d events, want 3 (the text line too)", s.Events)
	}
	if again := parseSummary(t, culprit(t, idx, in, "ingest", "--json", "-")); again.Events != 0 {
		t.Errorf("the same stdin twice added %d events, want 0", again.Events)
	}
	r := culprit(t, idx, "", "search", "boom", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"request_id":"stdin-1"`) {
		t.Errorf("search for a word of a stdin line: kept line not returned verbatim\n%s", r)
	}
}

func TestRequestGoldens(t *testing.T) {
	idx := incidentIndex(t)
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			r := culprit(t, idx, "", "request", c.RequestID, "--json")
			wantCode := 0
			if f, ok := c.Expect["found"].(bool); ok && !f {
				wantCode = 1
			}
			if r.code != wantCode {
				t.Fatalf("exit %d, want %d\n%s", r.code, wantCode, r)
			}
			var rep map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("invalid JSON: %v\n%s", err, r)
			}
			checkExpect(t, rep, c.Expect)
			golden := filepath.Join("testdata", "golden", "request-"+c.Name+".json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRequestGoldens -update)", err)
			}
			if string(want) != r.stdout {
				t.Errorf("request %s --json differs from %s (go test -run TestRequestGoldens -update, then review the diff)\n--- got\n%s",
					c.RequestID, golden, r.stdout)
			}
		})
	}
}

// checkExpect asserts the facts cases.json states about a report.
func checkExpect(t *testing.T, rep map[string]any, exp map[string]any) {
	t.Helper()
	get := func(path ...string) any {
		var v any = rep
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[p]
		}
		return v
	}
	for k, want := range exp {
		switch k {
		case "found":
			if get("found") != want {
				t.Errorf("found = %v, want %v", get("found"), want)
			}
		case "error":
			if want != nil {
				t.Errorf("cases.json: expect.error can only be null, got %v", want)
			} else if get("error") != nil {
				t.Errorf("error = %v, want null", get("error"))
			}
		case "cause":
			if got := get("verdict", "cause"); got != want {
				t.Errorf("verdict.cause = %v, want %v (summary: %v)", got, want, get("verdict", "summary"))
			}
		case "service":
			if got := get("error", "service"); got != want {
				t.Errorf("error.service = %v, want %v", got, want)
			}
		case "route":
			if got := get("error", "route"); got != want {
				t.Errorf("error.route = %v, want %v", got, want)
			}
		case "suspect_version":
			if got := get("deploy", "version"); got != want {
				t.Errorf("deploy.version = %v, want %v", got, want)
			}
		case "first_request_id":
			// Fingerprint grouping across services and requests: the group
			// reaches back to the first request the bug hit.
			if got := get("group", "first_request_id"); got != want {
				t.Errorf("group.first_request_id = %v, want %v", got, want)
			}
		case "error_contains":
			msg, _ := get("error", "message").(string)
			typ, _ := get("error", "type").(string)
			if !strings.Contains(typ+": "+msg, want.(string)) {
				t.Errorf("error %q: %q does not contain %q", typ, msg, want)
			}
		case "services": // in order of first appearance; compare as sets
			var got, exp []string
			for _, v := range asSlice(get("services")) {
				got = append(got, fmt.Sprint(v))
			}
			for _, v := range asSlice(want) {
				exp = append(exp, fmt.Sprint(v))
			}
			slices.Sort(got)
			slices.Sort(exp)
			if !slices.Equal(got, exp) {
				t.Errorf("services = %v, want %v", got, exp)
			}
		case "stack_contains":
			if s, _ := get("error", "stack").(string); !strings.Contains(s, want.(string)) {
				t.Errorf("error.stack does not contain %q:\n%s", want, s)
			}
		default:
			// An expectation nobody checks is a test that cannot fail.
			t.Errorf("cases.json: unknown expectation %q", k)
		}
	}
}

func TestRequestBatchFromStdin(t *testing.T) {
	idx := incidentIndex(t)
	cs := loadCases(t)
	var ids []string
	for _, c := range cs {
		ids = append(ids, "  "+c.RequestID+"  ")
	}
	r := culprit(t, idx, strings.Join(ids, "\n")+"\n\n", "request", "-", "--json")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != len(cs) {
		t.Fatalf("%d NDJSON lines for %d IDs\n%s", len(lines), len(cs), r)
	}
	for i, l := range lines {
		var rep struct {
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(l), &rep); err != nil || rep.RequestID != cs[i].RequestID {
			t.Errorf("line %d: %v, request_id %q want %q", i+1, err, rep.RequestID, cs[i].RequestID)
		}
	}
	// cases.json includes an unknown ID, so the batch as a whole is "not found".
	if r.code != 1 {
		t.Errorf("exit %d with an unknown ID in the batch, want 1", r.code)
	}
}

func TestRequestTextReportIsSafeAndNamesTheVerdict(t *testing.T) {
	idx := incidentIndex(t)
	for _, c := range loadCases(t) {
		if c.Name != "regression" {
			continue
		}
		r := culprit(t, idx, "", "request", c.RequestID)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r)
		}
		if !strings.Contains(strings.ToLower(r.stdout), "deployment regression") {
			t.Errorf("text report lacks the verdict:\n%s", r.stdout)
		}
		if strings.ContainsRune(r.stdout, 0x1b) {
			t.Errorf("text report written to a pipe with NO_COLOR carries escape sequences")
		}
	}
}

func TestUnknownRequestAndMissingIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	r := culprit(t, dir, "", "request", "abc", "--json")
	if r.code != 1 || !strings.Contains(r.stdout, `"found": false`) || !strings.Contains(r.stdout, "culprit ingest") {
		t.Errorf("request on a missing index: want exit 1, found:false and a hint\n%s", r)
	}
	r = culprit(t, dir, "", "errors")
	if r.code != 2 || !strings.Contains(r.stderr, "culprit ingest") {
		t.Errorf("errors on a missing index: want exit 2 and a hint\n%s", r)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("a query created the index directory %s", dir)
	}
}

func TestErrorsSearchDeploys(t *testing.T) {
	idx := incidentIndex(t)

	r := culprit(t, idx, "", "errors", "--json")
	var groups []struct {
		Fingerprint string `json:"fingerprint"`
		Count       int    `json:"count"`
		Cause       string `json:"cause"`
		New         bool   `json:"new"`
		WrapperOf   string `json:"wrapper_of"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &groups) != nil || len(groups) < 3 {
		t.Fatalf("errors --json: want >= 3 groups\n%s", r)
	}
	// Root errors by count, then the gateway's reports of them.
	causes := map[string]bool{}
	fps := map[string]bool{}
	for i, g := range groups {
		causes[g.Cause] = true
		fps[g.Fingerprint] = true
		if i == 0 {
			continue
		}
		prev := groups[i-1]
		switch {
		case prev.WrapperOf != "" && g.WrapperOf == "":
			t.Errorf("root group %s listed after the wrapper group %s", g.Fingerprint, prev.Fingerprint)
		case (prev.WrapperOf == "") == (g.WrapperOf == "") && g.Count > prev.Count:
			t.Errorf("groups not sorted by count: %d after %d", g.Count, prev.Count)
		}
	}
	wrappers := 0
	for _, g := range groups {
		if g.WrapperOf != "" {
			wrappers++
			if !fps[g.WrapperOf] {
				t.Errorf("group %s wraps %s, which is not a listed group", g.Fingerprint, g.WrapperOf)
			}
		}
	}
	if wrappers == 0 {
		t.Error("the gateway's UpstreamError group is not recognised as a wrapper of downstream errors")
	}
	for _, want := range []string{"deployment-regression", "dependency-failure", "pre-existing"} {
		if !causes[want] {
			t.Errorf("no error group with cause %s among %v", want, causes)
		}
	}

	r = culprit(t, idx, "", "search", "status:>=500", "--limit", "5", "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 5 {
		t.Fatalf("search status:>=500 --limit 5: want 5 lines\n%s", r)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("search --json line is not the original JSON: %s", l)
		}
	}
	if r := culprit(t, idx, "", "search", "nosuchwordanywhere"); r.code != 1 {
		t.Errorf("search without hits: exit %d, want 1\n%s", r.code, r)
	}
	if r := culprit(t, idx, "", "search", "status:>=500 AND ("); r.code != 2 {
		t.Errorf("invalid query: exit %d, want 2\n%s", r.code, r)
	}
	if r := culprit(t, idx, "", "search", "*", "--since", "yesterday-ish"); r.code != 2 || !strings.Contains(r.stderr, "--since") {
		t.Errorf("bad --since: want exit 2 naming the flag\n%s", r)
	}

	r = culprit(t, idx, "", "deploys", "--json")
	var ds []struct {
		Time    time.Time `json:"time"`
		Service string    `json:"service"`
		Version string    `json:"version"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &ds) != nil || len(ds) == 0 {
		t.Fatalf("deploys --json:\n%s", r)
	}
	for i := 1; i < len(ds); i++ {
		if ds[i].Time.Before(ds[i-1].Time) {
			t.Errorf("deploys not in time order at %d", i)
		}
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	idx := t.TempDir()
	for _, args := range [][]string{
		{"request"},
		{"request", "a", "b"},
		{"errors", "--sort", "size"},
		{"ingest"},
		{"ingest", "--field", "nosuchfield=a.b", "x.log"},
		{"frobnicate"},
		{"search", "x", "--limit", "many"},
	} {
		if r := culprit(t, idx, "", args...); r.code != 2 || r.stderr == "" {
			t.Errorf("culprit %v: want exit 2 with a message\n%s", args, r)
		}
	}
}

func TestDemoWithoutTerminalPrintsReport(t *testing.T) {
	r := culprit(t, filepath.Join(t.TempDir(), "unused"), "", "demo")
	if r.code != 0 {
		t.Fatalf("demo:\n%s", r)
	}
	if !strings.Contains(strings.ToLower(r.stdout), "deployment regression") {
		t.Errorf("demo report lacks the verdict:\n%s", r.stdout)
	}
}

// genCorpus writes a generated multi-service corpus of n lines into dir.
func genCorpus(t *testing.T, dir string, n int) {
	t.Helper()
	out, err := exec.Command("go", "run", "./scripts/gen", "-lines", fmt.Sprint(n), "-seed", "7", "-out", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
}

func eventCount(t *testing.T, idx string) int {
	t.Helper()
	r := culprit(t, idx, "", "status", "--json")
	var st struct{ Events int }
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r)
	}
	return st.Events
}

func TestIngestKilledMidwayIsCompletedByTheNextRun(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests a 60k-line corpus")
	}
	dir := t.TempDir()
	genCorpus(t, dir, 60000)
	logs := filepath.Join(dir, "logs")
	idx := filepath.Join(dir, "idx")

	// Kill -9 as soon as the first commit has landed, mid-ingest.
	cmd := exec.Command(culpritBin(t), "ingest", "--index", idx, logs)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if dirSize(idx) > 4<<20 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if n := eventCount(t, idx); n >= 60000 {
		t.Fatalf("the ingest finished (%d events) before it could be killed: the test did not test a kill midway", n)
	} else {
		t.Logf("killed with %d of 60000 events committed", n)
	}

	r := culprit(t, idx, "", "ingest", "--json", logs)
	if r.code != 0 {
		t.Fatalf("ingest after kill -9:\n%s", r)
	}
	if got := eventCount(t, idx); got != 60000 {
		t.Errorf("after a kill -9 and a second ingest the index holds %d events, want exactly 60000 (no loss, no duplicates)", got)
	}
	if again := parseSummary(t, culprit(t, idx, "", "ingest", "--json", logs)); again.Events != 0 {
		t.Errorf("a third ingest added %d events, want 0", again.Events)
	}
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func TestIndexHeldByAnotherProcessFailsFast(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "idx")
	// An ingest from a pipe that stays open holds the index.
	holder := exec.Command(culpritBin(t), "ingest", "--index", idx, "-")
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		holder.Wait()
	}()
	fmt.Fprintln(stdin, `{"time":"2026-11-25T10:00:00Z","level":"info","msg":"hold"}`)
	// The writer holds the lock once it has written its pid into the lock file.
	pid := strconv.Itoa(holder.Process.Pid)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(idx, "lock"))
		if strings.TrimSpace(string(b)) == pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the holding ingest (pid %s) did not take the index lock within 10s; lock file holds %q", pid, b)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not synchronisation
	}

	start := time.Now()
	r := culprit(t, idx, `{"time":"2026-11-25T10:00:01Z","msg":"x"}`+"\n", "ingest", "-")
	took := time.Since(start)
	if r.code != 2 || !strings.Contains(r.stderr, "in use") {
		t.Errorf("second ingest on a held index: want exit 2 and an 'in use' message\n%s", r)
	}
	// Not a timed assertion on performance: a hang is what this guards against.
	if took > 8*time.Second {
		t.Errorf("second ingest took %v to give up, want about a second", took)
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
