package tui

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// incidentCase is one entry of testdata/incident/cases.json.
type incidentCase struct {
	Name      string `json:"name"`
	RequestID string `json:"request_id"`
	Expect    struct {
		Cause          string `json:"cause"`
		SuspectVersion string `json:"suspect_version"`
		StackContains  string `json:"stack_contains"`
	} `json:"expect"`
}

// TestTmuxEndToEnd drives the real binary in a detached tmux session over
// the bundled incident: ingest, open the TUI, paste the regression case's
// request ID, and read the screen.
func TestTmuxEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("tmux end-to-end run: skipped in -short mode")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux end-to-end run: tmux is not installed")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	incident := filepath.Join(root, "testdata", "incident")
	for _, p := range []string{"cases.json", "deploys.json", "logs"} {
		if _, err := os.Stat(filepath.Join(incident, p)); err != nil {
			t.Fatalf("tmux end-to-end run: the committed sample incident is incomplete: %v", err)
		}
	}
	rc := regressionCase(t, filepath.Join(incident, "cases.json"))

	tmp := t.TempDir()
	bin := filepath.Join(tmp, "culprit")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("tmux end-to-end run: go build: %v\n%s", err, out)
	}
	idx := filepath.Join(tmp, "index")
	ingest := exec.CommandContext(t.Context(), bin, "ingest", "--index", idx,
		"--deploys", filepath.Join(incident, "deploys.json"), filepath.Join(incident, "logs"))
	if out, err := ingest.CombinedOutput(); err != nil {
		t.Fatalf("culprit ingest: %v\n%s", err, out)
	}

	sock := fmt.Sprintf("culprit-test-%d", os.Getpid())
	tm := func(args ...string) (string, error) {
		cmd := exec.CommandContext(t.Context(), tmux, append([]string{"-L", sock, "-f", "/dev/null"}, args...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { tm("kill-server") })
	shell := fmt.Sprintf("env LANG=C.UTF-8 LC_ALL= TERM=xterm-256color %q tui --index %q", bin, idx)
	if out, err := tm("new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40", "-c", tmp, shell); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	capture := func() string {
		out, _ := tm("capture-pane", "-p", "-J", "-t", "e2e")
		return out
	}
	waitFor := func(what string, ok func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			s := capture()
			if ok(s) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("tmux: waited 10s for %s; the screen:\n%s", what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("the home screen", func(s string) bool { return strings.Contains(s, "Top error groups (") })

	// Paste the request ID as a terminal paste (bracketed when the program
	// asked for it), inside the sentence a support ticket carries it in.
	if out, err := tm("set-buffer", "--", " customer says their order failed, X-Request-Id: "+rc.RequestID+" (at 17:15)\n"); err != nil {
		t.Fatalf("tmux set-buffer: %v\n%s", err, out)
	}
	if out, err := tm("paste-buffer", "-p", "-t", "e2e"); err != nil {
		t.Fatalf("tmux paste-buffer: %v\n%s", err, out)
	}
	verdict := strings.ToUpper(strings.ReplaceAll(rc.Expect.Cause, "-", " "))
	wants := []string{rc.RequestID, verdict, rc.Expect.SuspectVersion, rc.Expect.StackContains, "SUSPECT"}
	waitFor(fmt.Sprintf("the investigation showing %q", wants), func(s string) bool {
		for _, w := range wants {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})

	keys := func(k ...string) {
		t.Helper()
		if out, err := tm(append([]string{"send-keys", "-t", "e2e"}, k...)...); err != nil {
			t.Fatalf("tmux send-keys: %v\n%s", err, out)
		}
	}

	// The stack cursor starts on the culprit frame: enter lists every
	// event whose stack holds it.
	keys("Enter")
	waitFor("explore on the culprit frame", func(s string) bool {
		return strings.Contains(s, `query› stack:"main.loyaltyDiscount"`) && strings.Contains(s, " hits") &&
			strings.Contains(s, "panic recovered")
	})

	// Back, then S saves the investigation as Markdown in the working
	// directory.
	keys("Escape")
	waitFor("the investigation again", func(s string) bool { return strings.Contains(s, verdict) })
	keys("S")
	md := filepath.Join(tmp, "culprit-"+rc.RequestID+".md")
	waitFor("the saved-file status", func(s string) bool { return strings.Contains(s, "saved the investigation to") })
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatalf("S: %v", err)
	}
	for _, sec := range []string{"# Request `" + rc.RequestID + "`: " + strings.ReplaceAll(rc.Expect.Cause, "-", " "),
		"## Verdict", "## Evidence", "## Root error", "Culprit frame: `", "## First occurrence", "## Deploys", "**suspect**",
		"## Blast radius", "## Timeline", "## Next steps", "## Reproduce", "culprit request " + rc.RequestID} {
		if !strings.Contains(string(b), sec) {
			t.Errorf("saved Markdown lacks %q:\n%s", sec, b)
		}
	}

	keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := tm("has-session", "-t", "e2e"); err != nil {
			break // the program exited and took the session with it
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit the TUI; the screen:\n%s", capture())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func regressionCase(t *testing.T, path string) incidentCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []incidentCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, c := range cases {
		if c.Name == "regression" {
			if c.RequestID == "" || c.Expect.SuspectVersion == "" || c.Expect.StackContains == "" || c.Expect.Cause == "" {
				t.Fatalf("%s: the regression case lacks request_id or expectations: %+v", path, c)
			}
			return c
		}
	}
	t.Fatalf("%s has no \"regression\" case", path)
	return incidentCase{}
}
