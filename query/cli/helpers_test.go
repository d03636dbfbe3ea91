package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/tui"
)

// The tests run every command in-process, as main does, with buffers for
// the streams, TTY on and off, over real indexes built in temporary
// directories from the sample incident (testdata/incident) or small corpora.

// Paths are relative to the repository's root, where TestMain runs the
// tests, so that events carry the same source names as in the goldens.
const (
	incidentDir     = "testdata/incident"
	incidentLogs    = incidentDir + "/logs"
	incidentDeploys = incidentDir + "/deploys.json"
	goldenDir       = "testdata/golden"
)

// fixedNow is the tests' clock.
var fixedNow = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// term is a test process: its Env and the buffers behind it.
type term struct {
	env      *Env
	out, err *bytes.Buffer
	tuiRuns  []tui.Options // what RunTUI was called with
}

// newTerm returns a test process whose stdout and stderr are terminals (tty)
// or pipes, with stdin as given and the index in dir.
func newTerm(t *testing.T, tty bool, stdin string) *term {
	t.Helper()
	tm := &term{out: &bytes.Buffer{}, err: &bytes.Buffer{}}
	tm.env = &Env{
		In: strings.NewReader(stdin), Out: tm.out, Err: tm.err,
		InTTY: tty, OutTTY: tty, ErrTTY: tty, Width: 100,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return fixedNow },
		RunTUI: func(_ context.Context, _ tui.Backend, o tui.Options) error {
			tm.tuiRuns = append(tm.tuiRuns, o)
			return nil
		},
		Demo: os.DirFS(incidentDir),
	}
	return tm
}

// result of one in-process run.
type result struct {
	code        int
	stdout, err string
}

func (r result) String() string {
	return "exit " + itoa(r.code) + "\n--- stdout\n" + r.stdout + "\n--- stderr\n" + r.err
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// run runs culprit args with the index in dir (unless args set --index).
func (tm *term) run(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return tm.runCtx(t.Context(), dir, args...)
}

func (tm *term) runCtx(ctx context.Context, dir string, args ...string) result {
	tm.out.Reset()
	tm.err.Reset()
	if dir != "" {
		args = append([]string{"--index", dir}, args...)
	}
	code := Run(ctx, args, tm.env)
	return result{code, tm.out.String(), tm.err.String()}
}

// culprit runs args on a piped (non-TTY) process with stdin.
func culprit(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	return newTerm(t, false, stdin).run(t, dir, args...)
}

var (
	incidentOnce sync.Once
	incidentIdx  string
	incidentErr  string
)

// incidentIndex ingests the sample incident once per test binary and
// returns the index directory. Tests must not write to it.
func incidentIndex(t *testing.T) string {
	t.Helper()
	incidentOnce.Do(func() {
		dir, err := os.MkdirTemp("", "culprit-cli-test-")
		if err != nil {
			incidentErr = err.Error()
			return
		}
		incidentIdx = filepath.Join(dir, "idx")
		tm := newTerm(t, false, "")
		if r := tm.runCtx(context.Background(), incidentIdx, "ingest", "--deploys", incidentDeploys, incidentLogs); r.code != 0 {
			incidentErr = "ingest of the incident failed:\n" + r.String()
		}
	})
	if incidentErr != "" {
		t.Fatal(incidentErr)
	}
	return incidentIdx
}

func TestMain(m *testing.M) {
	if err := os.Chdir("../.."); err != nil {
		panic(err)
	}
	code := m.Run()
	if incidentIdx != "" {
		os.RemoveAll(filepath.Dir(incidentIdx))
	}
	os.Exit(code)
}

// incidentCase is one entry of testdata/incident/cases.json.
type incidentCase struct {
	Name      string         `json:"name"`
	RequestID string         `json:"request_id"`
	Expect    map[string]any `json:"expect"`
}

func loadCases(t *testing.T) []incidentCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(incidentDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs []incidentCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	return cs
}

func caseID(t *testing.T, name string) string {
	t.Helper()
	for _, c := range loadCases(t) {
		if c.Name == name {
			return c.RequestID
		}
	}
	t.Fatalf("cases.json has no case %q", name)
	return ""
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// ingestSummary is the part of `ingest --json` the tests read.
type ingestSummary struct {
	Sources []struct {
		Path      string            `json:"path"`
		Source    string            `json:"source"`
		Status    string            `json:"status"`
		Lines     int64             `json:"lines"`
		Events    int64             `json:"events"`
		TextLines int64             `json:"text_lines"`
		Fields    map[string]string `json:"fields"`
		First     string            `json:"first"`
		Last      string            `json:"last"`
	} `json:"sources"`
	Events  int64 `json:"events"`
	Deploys int   `json:"deploys"`
	Failed  []struct {
		Path  string `json:"path"`
		Error string `json:"error"`
	} `json:"failed"`
}

func parseSummary(t *testing.T, r result) ingestSummary {
	t.Helper()
	var s ingestSummary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("ingest --json printed invalid JSON: %v\n%s", err, r)
	}
	return s
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// stripSGR removes the colour sequences the text renderers emit.
func stripSGR(s string) string { return sgr.ReplaceAllString(s, "") }

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)
