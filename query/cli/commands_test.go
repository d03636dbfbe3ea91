package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clipperhouse/displaywidth"
)

// TestRequestMatchesGoldens runs every case of the sample incident
// in-process and compares with the goldens the binary tests check.
func TestRequestMatchesGoldens(t *testing.T) {
	idx := incidentIndex(t)
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			r := culprit(t, idx, "", "request", c.RequestID, "--json")
			want, err := os.ReadFile(filepath.Join(goldenDir, "request-"+c.Name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if r.stdout != string(want) {
				t.Errorf("request %s --json differs from the golden\n--- got\n%s", c.RequestID, r.stdout)
			}
			wantCode := ExitOK
			if f, ok := c.Expect["found"].(bool); ok && !f {
				wantCode = ExitNoResults
			}
			if r.code != wantCode {
				t.Errorf("exit %d, want %d", r.code, wantCode)
			}
		})
	}
}

func TestRequestText(t *testing.T) {
	idx := incidentIndex(t)
	id := caseID(t, "regression")
	for _, tty := range []bool{false, true} {
		tm := newTerm(t, tty, "")
		tm.env.Width = 72
		r := tm.run(t, idx, "request", "  '"+id+"' ")
		if r.code != 0 {
			t.Fatalf("tty=%v: exit %d\n%s", tty, r.code, r)
		}
		if !strings.Contains(strings.ToLower(r.stdout), "deployment regression") {
			t.Errorf("tty=%v: text report lacks the verdict:\n%s", tty, r.stdout)
		}
		hasESC := strings.ContainsRune(r.stdout, 0x1b)
		if hasESC != tty {
			t.Errorf("tty=%v: colour escapes present = %v", tty, hasESC)
		}
		for i, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
			if w := displaywidth.String(stripSGR(l)); tty && w > 72 {
				t.Errorf("tty: line %d is %d columns, wider than the terminal (72): %q", i+1, w, l)
			}
		}
	}
	// NO_COLOR on a terminal: no colour.
	tm := newTerm(t, true, "")
	tm.env.Getenv = func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}
	if r := tm.run(t, idx, "request", id); strings.ContainsRune(r.stdout, 0x1b) {
		t.Errorf("NO_COLOR: escapes in the report")
	}
}

func TestRequestBatchFromStdin(t *testing.T) {
	idx := incidentIndex(t)
	cs := loadCases(t)
	var ids []string
	for _, c := range cs {
		ids = append(ids, "  "+c.RequestID+"  ")
	}
	stdin := strings.Join(ids, "\n") + "\n\n"
	r := culprit(t, idx, stdin, "request", "-", "--json")
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
	if r.code != ExitNoResults { // cases.json includes an unknown ID
		t.Errorf("exit %d with an unknown ID in the batch, want 1", r.code)
	}
	text := culprit(t, idx, stdin, "request", "-")
	if n := strings.Count(text.stdout, "NOT FOUND"); n != 1 || text.code != ExitNoResults {
		t.Errorf("text batch: %d NOT FOUND, exit %d\n%s", n, text.code, text)
	}
}

func TestRequestEmptyStdinIsAnError(t *testing.T) {
	idx := incidentIndex(t)
	for _, stdin := range []string{"", "\n  \n\t\n"} {
		r := culprit(t, idx, stdin, "request", "-", "--json")
		if r.code != ExitError || r.stdout != "" || !strings.Contains(r.err, "no request ID on standard input") {
			t.Errorf("request - with stdin %q: want exit 2 and a message\n%s", stdin, r)
		}
	}
	long := strings.Repeat("x", 2<<20)
	if r := culprit(t, idx, long, "request", "-"); r.code != ExitError || !strings.Contains(r.err, "reading request IDs") {
		t.Errorf("request - with a 2 MiB line: want exit 2\n%s", r)
	}
}

func TestUnknownRequestAndMissingIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	r := culprit(t, dir, "", "request", "abc", "--json")
	if r.code != 1 || !strings.Contains(r.stdout, `"found": false`) || !strings.Contains(r.stdout, "culprit ingest") {
		t.Errorf("request on a missing index: want exit 1, found:false and a hint\n%s", r)
	}
	for _, args := range [][]string{{"errors"}, {"search", "x"}, {"deploys"}, {"status"}} {
		r = culprit(t, dir, "", args...)
		if r.code != 2 || !strings.Contains(r.err, "culprit ingest") {
			t.Errorf("%v on a missing index: want exit 2 and a hint\n%s", args, r)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("a query created the index directory %s", dir)
	}
}

func TestErrors(t *testing.T) {
	idx := incidentIndex(t)
	r := culprit(t, idx, "", "errors", "--json")
	var groups []struct {
		Fingerprint string `json:"fingerprint"`
		Count       int    `json:"count"`
		Cause       string `json:"cause"`
		WrapperOf   string `json:"wrapper_of"`
		FirstSeen   string `json:"first_seen"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &groups) != nil || len(groups) < 3 {
		t.Fatalf("errors --json: want >= 3 groups\n%s", r)
	}
	causes := map[string]bool{}
	for i, g := range groups {
		causes[g.Cause] = true
		if i > 0 && (groups[i-1].WrapperOf == "") == (g.WrapperOf == "") && g.Count > groups[i-1].Count {
			t.Errorf("groups not sorted by count: %d after %d", g.Count, groups[i-1].Count)
		}
	}
	for _, want := range []string{"deployment-regression", "dependency-failure", "pre-existing"} {
		if !causes[want] {
			t.Errorf("no error group with cause %s among %v", want, causes)
		}
	}
	r = culprit(t, idx, "", "errors", "--sort", "first_seen", "--limit", "2", "--service", "orders", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &groups); r.code != 0 || err != nil || len(groups) == 0 || len(groups) > 2 {
		t.Fatalf("errors --sort first_seen --limit 2:\n%s", r)
	}
	if len(groups) == 2 && groups[0].FirstSeen < groups[1].FirstSeen {
		t.Errorf("--sort first_seen: %s before %s, want newest first", groups[0].FirstSeen, groups[1].FirstSeen)
	}
	tm := newTerm(t, true, "")
	if r := tm.run(t, idx, "errors"); r.code != 0 || !strings.Contains(r.stdout, "COUNT") || !strings.Contains(r.stdout, "deployment-regression") {
		t.Errorf("errors text:\n%s", r)
	}
	// A range with no errors: exit 1, [] with --json, a note without.
	if r := culprit(t, idx, "", "errors", "--since", "2020-01-01", "--until", "2020-01-02", "--json"); r.code != 1 || r.stdout != "[]\n" || r.err != "" {
		t.Errorf("errors in an empty range --json:\n%s", r)
	}
	if r := culprit(t, idx, "", "errors", "--since", "2020-01-01", "--until", "2020-01-02"); r.code != 1 || !strings.Contains(r.err, "no error groups between 2020-01-01T00:00:00.000Z and 2020-01-02T00:00:00.000Z") {
		t.Errorf("errors in an empty range:\n%s", r)
	}
}

func TestSearch(t *testing.T) {
	idx := incidentIndex(t)
	r := culprit(t, idx, "", "search", "status:>=500", "--limit", "5", "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 5 {
		t.Fatalf("search status:>=500 --limit 5: want 5 lines\n%s", r)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("search --json line is not JSON: %s", l)
		}
	}
	r = culprit(t, idx, "", "search", "status:>=500", "--limit", "3", "--oldest", "--since", "30m", "--level", "WARNING", "--service", "orders")
	if r.code != 0 || !strings.Contains(r.stdout, "TIME (UTC)") || !strings.Contains(r.err, "3 of ") {
		t.Errorf("search text with --limit: want a table and a note\n%s", r)
	}
	if r := culprit(t, idx, "", "search", "nosuchwordanywhere"); r.code != 1 || !strings.Contains(r.err, "no lines match nosuchwordanywhere") {
		t.Errorf("search without hits: want exit 1 and a note\n%s", r)
	}
	if r := culprit(t, idx, "", "search", "nosuchwordanywhere", "--json"); r.code != 1 || r.stdout != "" || r.err != "" {
		t.Errorf("search --json without hits: want exit 1 and no output\n%s", r)
	}
	if r := culprit(t, idx, "", "search", "status:>=500 AND ("); r.code != 2 {
		t.Errorf("invalid query: exit %d, want 2\n%s", r.code, r)
	}
}

func TestDeploysAndStatus(t *testing.T) {
	idx := incidentIndex(t)
	r := culprit(t, idx, "", "deploys", "--json")
	var ds []struct {
		Time    time.Time `json:"time"`
		Service string    `json:"service"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &ds) != nil || len(ds) == 0 {
		t.Fatalf("deploys --json:\n%s", r)
	}
	for i := 1; i < len(ds); i++ {
		if ds[i].Time.Before(ds[i-1].Time) {
			t.Errorf("deploys not in time order at %d", i)
		}
	}
	if r := newTerm(t, true, "").run(t, idx, "deploys"); r.code != 0 || !strings.Contains(r.stdout, "VERSION") {
		t.Errorf("deploys text:\n%s", r)
	}
	r = culprit(t, idx, "", "status")
	for _, want := range []string{"index    " + idx, "events   ", "deploys  ", "window   2026-11-25T17:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r)
		}
	}
	// An index without deploys.
	dir := t.TempDir()
	logf := writeFile(t, dir, "a.log", `{"time":"2026-11-25T10:00:00Z","msg":"a"}`+"\n")
	culprit(t, filepath.Join(dir, "idx"), "", "ingest", logf)
	if r := culprit(t, filepath.Join(dir, "idx"), "", "deploys", "--json"); r.code != 1 || r.stdout != "[]\n" {
		t.Errorf("no deploys --json: want [] and exit 1\n%s", r)
	}
	if r := culprit(t, filepath.Join(dir, "idx"), "", "deploys"); r.code != 1 || !strings.Contains(r.err, "no deploys ingested") {
		t.Errorf("no deploys: want a note and exit 1\n%s", r)
	}
	// An empty index: null times, no window.
	empty := filepath.Join(dir, "empty")
	culprit(t, empty, "", "ingest", writeFile(t, dir, "blank.log", ""))
	if r := culprit(t, empty, "", "status", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"first":null`) {
		t.Errorf("status of an empty index:\n%s", r)
	}
}

func TestTUIWiring(t *testing.T) {
	idx := incidentIndex(t)
	tm := newTerm(t, true, "")
	if r := tm.run(t, idx, "tui", " `r-123`. "); r.code != 0 || len(tm.tuiRuns) != 1 || tm.tuiRuns[0].RequestID != "r-123" {
		t.Fatalf("tui ID: %v, runs %+v", r, tm.tuiRuns)
	}
	if now := tm.tuiRuns[0].Now; now == nil || !now().Equal(fixedNow) {
		t.Errorf("the TUI does not get the injected clock")
	}
	if r := tm.run(t, idx); r.code != 0 || len(tm.tuiRuns) != 2 || tm.tuiRuns[1].RequestID != "" {
		t.Errorf("culprit without a command on a terminal: %v, runs %+v", r, tm.tuiRuns)
	}
	pipe := newTerm(t, false, "")
	for _, args := range [][]string{{}, {"tui"}} {
		if r := pipe.run(t, idx, args...); r.code != 2 || !strings.Contains(r.err, "terminal") || len(pipe.tuiRuns) != 0 {
			t.Errorf("culprit %v without a terminal: want exit 2\n%s", args, r)
		}
	}
}

func TestDemo(t *testing.T) {
	r := culprit(t, "", "", "demo") // no --index: a temporary one
	if r.code != 0 || !strings.Contains(strings.ToLower(r.stdout), "deployment regression") || !strings.Contains(r.stdout, "temporary index") {
		t.Fatalf("demo:\n%s", r)
	}
	keep := filepath.Join(t.TempDir(), "kept")
	tm := newTerm(t, true, "")
	if r := tm.run(t, keep, "demo"); r.code != 0 || len(tm.tuiRuns) != 1 || tm.tuiRuns[0].RequestID != caseID(t, "regression") {
		t.Fatalf("demo on a terminal opens the TUI on the regression case: %v %+v", r, tm.tuiRuns)
	}
	if n := statusEvents(t, keep); n == 0 {
		t.Errorf("demo --index kept no index")
	}
	tm = newTerm(t, false, "")
	tm.env.Demo = nil
	if r := tm.run(t, "", "demo"); r.code != 2 {
		t.Errorf("demo without a sample incident: %v", r)
	}
}

func TestExitCode(t *testing.T) {
	ctx := t.Context()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var sb strings.Builder
	cases := []struct {
		ctx  context.Context
		err  error
		want int
		msg  string
	}{
		{ctx, nil, 0, ""},
		{ctx, &NoResultsError{}, 1, ""},
		{ctx, &NoResultsError{Msg: "nothing\x1b]0;x\x07"}, 1, "nothing\\x1b]0;x\\x07\n"},
		{ctx, flagErrorf("--x: bad"), 2, "culprit: --x: bad\nRun 'culprit --help' for usage.\n"},
		{ctx, os.ErrPermission, 2, "culprit: permission denied\n"},
		{cancelled, context.Canceled, 130, "culprit: interrupted\n"},
		{cancelled, os.ErrClosed, 130, "culprit: file already closed\nculprit: interrupted\n"},
	}
	for _, c := range cases {
		sb.Reset()
		if got := ExitCode(c.ctx, c.err, &sb); got != c.want || sb.String() != c.msg {
			t.Errorf("ExitCode(%v) = %d, %q; want %d, %q", c.err, got, sb.String(), c.want, c.msg)
		}
	}
	if (&NoResultsError{}).Error() == "" || (&NoResultsError{Msg: "m"}).Error() != "m" {
		t.Error("NoResultsError.Error")
	}
}

func TestRootHelpListsExitCodes(t *testing.T) {
	r := culprit(t, "", "", "--help")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{"0 found", "1 not found", "2 error", "130 interrupted", "ingest", "request", "errors", "search", "deploys", "status", "tui", "demo"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// TestRequestStdinStreams: `request -` reports each ID as its line arrives
// (tail -f ids | culprit request - --json), and Ctrl-C while it waits for
// the next line ends it (exit 130) instead of waiting for stdin to close.
func TestRequestStdinStreams(t *testing.T) {
	idx := incidentIndex(t)
	id := loadCases(t)[0].RequestID
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	defer inW.Close()
	tm := newTerm(t, false, "")
	tm.env.In, tm.env.Out = inR, outW
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	code := make(chan int, 1)
	go func() { code <- Run(ctx, []string{"--index", idx, "request", "-", "--json"}, tm.env) }()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	go io.WriteString(inW, id+"\n")
	select {
	case line := <-lines:
		if !strings.Contains(line, `"request_id":"`+id+`"`) {
			t.Fatalf("first report: %q", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no report for the first ID while stdin stays open")
	}
	cancel() // stdin stays open: the read of the next ID never ends
	go func() {
		for range lines {
		}
	}()
	select {
	case c := <-code:
		if c != 130 {
			t.Errorf("exit %d after Ctrl-C, want 130", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("request - did not end on Ctrl-C while stdin was open")
	}
}

// TestRequestStdinLongLine: a line of `request -` input over the limit is
// an error naming the line, after the reports of the lines before it.
func TestRequestStdinLongLine(t *testing.T) {
	idx := incidentIndex(t)
	id := loadCases(t)[0].RequestID
	r := culprit(t, idx, id+"\n"+strings.Repeat("a", maxIDLine+1)+"\n", "request", "-", "--json")
	if r.code != 2 || !strings.Contains(r.err, "output incomplete: stopped after 1 report: reading request IDs from stdin: line 2 is longer than 1048576 bytes") || !strings.Contains(r.stdout, id) {
		t.Errorf("want the first report, then exit 2 naming line 2\n%s", r)
	}
}
