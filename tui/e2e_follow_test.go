package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTmuxFollow drives `culprit tui --follow DIR` in a detached tmux
// session: a line with a new error appended to a followed file shows on
// the home screen without a key press.
func TestTmuxFollow(t *testing.T) {
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
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "culprit")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	logs := filepath.Join(tmp, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(logs, "app.jsonl")
	line := func(sec int, msg, errText string) string {
		return fmt.Sprintf(`{"timestamp":"2026-12-04T10:00:%02dZ","level":"error","service":"checkout","message":%q,"error":%q,"request_id":"r-%d","status":500}`+"\n", sec, msg, errText, sec)
	}
	if err := os.WriteFile(app, []byte(line(0, "first failure", "ValueError: bad coupon")), 0o644); err != nil {
		t.Fatal(err)
	}

	sock := fmt.Sprintf("culprit-follow-%d", os.Getpid())
	tm := func(args ...string) (string, error) {
		out, err := exec.CommandContext(t.Context(), tmux, append([]string{"-L", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { tm("kill-server") })
	shell := fmt.Sprintf("env LANG=C.UTF-8 LC_ALL= TERM=xterm-256color %q tui --index %q --follow %q", bin, filepath.Join(tmp, "index"), logs)
	if out, err := tm("new-session", "-d", "-s", "follow", "-x", "120", "-y", "40", "-c", tmp, shell); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	capture := func() string {
		out, _ := tm("capture-pane", "-p", "-J", "-t", "follow")
		return out
	}
	// waitFor polls the screen (no key is sent) until ok or a minute passed (a ceiling for a loaded machine: it returns as soon as ok).
	waitFor := func(what string, ok func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			s := capture()
			if ok(s) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("tmux: waited 1m for %s; the screen:\n%s", what, s)
			}
			time.Sleep(100 * time.Millisecond) // poll interval, not synchronisation
		}
	}
	waitFor("the home screen with the first error", func(s string) bool {
		return strings.Contains(s, "ValueError: bad coupon") && strings.Contains(s, "following "+logs)
	})

	f, err := os.OpenFile(app, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(line(5, "vault down", "VaultUnreachableError: card vault timed out")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor("the appended error on the home screen", func(s string) bool {
		return strings.Contains(s, "VaultUnreachableError: card vault timed out") && strings.Contains(s, "2 events")
	})

	if out, err := tm("send-keys", "-t", "follow", "q"); err != nil {
		t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := tm("has-session", "-t", "follow"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit the TUI; the screen:\n%s", capture())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
