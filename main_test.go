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
	"syscall"
	"testing"
	"time"
)

// These tests run the built binary, as a user would: what only a process
// shows (exit codes, signals, kill -9, a lock held by another process) and
// the request goldens of the sample incident (testdata/incident). Every
// command is tested in-process, with buffers, in query/cli.

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
				t.Errorf("cases.json: expectation \"error\" can only be null, got %v", want)
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
			t.Errorf("cases.json: unknown expectation %q (checkExpect does not know it)", k)
		}
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
	var again struct{ Events int }
	if r := culprit(t, idx, "", "ingest", "--json", logs); json.Unmarshal([]byte(r.stdout), &again) != nil || again.Events != 0 {
		t.Errorf("a third ingest added %d events, want 0\n%s", again.Events, r)
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

// holdIndex starts `culprit ingest -` on idx with a stdin that stays open,
// writes one line, and returns once the process holds the index (its pid
// is in the index's lock file): a condition, not a sleep.
func holdIndex(t *testing.T, idx string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	holder := exec.Command(culpritBin(t), "ingest", "--index", idx, "-")
	var stderr bytes.Buffer
	holder.Stderr = &stderr
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		if holder.ProcessState == nil {
			holder.Process.Kill()
			holder.Wait()
		}
	})
	fmt.Fprintln(stdin, `{"time":"2026-11-25T10:00:00Z","level":"info","msg":"hold"}`)
	pid := strconv.Itoa(holder.Process.Pid)
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(idx, "lock"))
		if strings.TrimSpace(string(b)) == pid {
			return holder, &stderr
		}
		if time.Now().After(deadline) {
			t.Fatalf("culprit ingest (pid %s) did not take the index lock within 20 s; stderr:\n%s", pid, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIndexHeldByAnotherProcessFailsFast(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "idx")
	holdIndex(t, idx)
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

// TestInterruptExits130: SIGINT (and SIGTERM) stop an ingest blocked on an
// open pipe, and it exits 130 with the index usable.
func TestInterruptExits130(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		idx := filepath.Join(t.TempDir(), "idx")
		holder, stderr := holdIndex(t, idx)
		if err := holder.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- holder.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("%v: ingest ended with %v, want exit 130 and 'interrupted'\n%s", sig, err, stderr.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%v: ingest still running 20 s after the signal", sig)
		}
		// The index is left usable (how much of the pipe was committed
		// depends on when the signal came; ingest's tests cover that).
		if n := eventCount(t, idx); n > 1 {
			t.Errorf("%v: %d events committed from a pipe that carried 1 line", sig, n)
		}
	}
}

// TestExitCodes: what scripts see of a real process.
func TestExitCodes(t *testing.T) {
	idx := incidentIndex(t)
	for _, c := range []struct {
		stdin string
		args  []string
		code  int
	}{
		{"", []string{"status"}, 0},
		{"", []string{"search", "status:>=500", "--limit", "1"}, 0},
		{"", []string{"search", "nosuchwordanywhere"}, 1},
		{"", []string{"request", "no-such-request"}, 1},
		{"", []string{"request", "-"}, 2},
		{"", []string{"search", "x", "--limit", "-1"}, 2},
		{"", []string{"ingest", "--max-line", "0", "x.log"}, 2},
		{"", []string{"frobnicate"}, 2},
	} {
		// An error is a "culprit: ..." line on stderr and nothing on
		// stdout; "no results" (1) may add a plain note on stderr, never an
		// error line.
		r := culprit(t, idx, c.stdin, c.args...)
		isErr := r.stdout == "" && strings.HasPrefix(r.stderr, "culprit: ")
		if r.code != c.code || (c.code == 2) != isErr {
			t.Errorf("culprit %q: exit %d, want %d (an error line on stderr only for 2)\n%s", c.args, r.code, c.code, r)
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
