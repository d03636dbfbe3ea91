//go:build linux

package reliability

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// statusEvents asks another culprit process how many events the index
// holds (through the writer's socket while one runs).
func statusEvents(t *testing.T, idx string) int {
	t.Helper()
	r := exe(t, "status", "--json", "--index", idx)
	if r.code != 0 && strings.Contains(r.stderr, "no index at") {
		return 0 // the follower has not created it yet
	}
	if r.code != 0 {
		t.Fatalf("status while following: exit %d\n%s", r.code, r.stderr)
	}
	var st struct {
		Events int `json:"events"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status: %v\n%s", err, r.stdout)
	}
	return st.Events
}

// waitEvents polls another process until it sees n events, and returns
// how long that took.
func waitEvents(t *testing.T, idx string, n int, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got := statusEvents(t, idx)
		if got == n {
			return time.Since(start)
		}
		if got > n {
			t.Fatalf("another process sees %d events, want %d", got, n)
		}
		if time.Since(start) > limit {
			t.Fatalf("another process still sees %d events after %v, want %d", got, limit, n)
		}
	}
}

func appendTo(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// A line appended to a followed file becomes visible to another process
// while the follower runs (how fast is a benchmark, scripts/bench/follow.sh,
// not an assertion here); the follower ends cleanly on SIGINT.
func TestFollowVisible(t *testing.T) {
	dir := t.TempDir()
	idx, logs := filepath.Join(dir, "idx"), filepath.Join(dir, "logs")
	app := filepath.Join(logs, "app.log")
	write(t, app, lines("v", 0, 100))
	cmd, out, errb := start(t, "ingest", "--follow", "--index", idx, logs)
	defer cmd.Process.Kill()
	waitEvents(t, idx, 100, 30*time.Second)

	var took []time.Duration
	n := 100
	for i := 0; i < 5; i++ {
		appendTo(t, app, lines("v", n, 1))
		n++
		took = append(took, waitEvents(t, idx, n, 30*time.Second))
	}
	slices.Sort(took)
	t.Logf("write to visible in another process: %v", took)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := wait(t, cmd, out, errb)
	if r.code != 130 || r.killed {
		t.Fatalf("follower after SIGINT: exit %d\n%s", r.code, r.stderr)
	}
	if got := census(t, idx, true); got != n {
		t.Fatalf("index holds %d events, want %d", got, n)
	}
}

// kill -9 during follow, while lines keep arriving, then a restart: every
// line is in the index exactly once.
func TestFollowKill9(t *testing.T) {
	dir := t.TempDir()
	idx, logs := filepath.Join(dir, "idx"), filepath.Join(dir, "logs")
	files := []string{filepath.Join(logs, "a.log"), filepath.Join(logs, "b.log")}
	n := 0
	for _, f := range files {
		write(t, f, lines(filepath.Base(f), 0, 2000))
		n += 2000
	}
	next := 2000
	for cycle := 0; cycle < 3; cycle++ {
		cmd, out, errb := start(t, "ingest", "--follow", "--index", idx, logs)
		// Lines keep arriving; the follower is killed once another process
		// saw some of them, with more just written.
		for i := 0; i < 5; i++ {
			for _, f := range files {
				appendTo(t, f, lines(filepath.Base(f), next, 300))
				n += 300
			}
			next += 300
		}
		deadline := time.Now().Add(30 * time.Second)
		for statusEvents(t, idx) == 0 && time.Now().Before(deadline) {
		}
		for _, f := range files {
			appendTo(t, f, lines(filepath.Base(f), next, 500))
			n += 500
		}
		next += 500
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if r := wait(t, cmd, out, errb); !r.killed {
			t.Fatalf("cycle %d: follower was not killed: exit %d\n%s", cycle, r.code, r.stderr)
		}
	}
	ingest(t, idx, logs)
	if got := census(t, idx, true); got != n {
		t.Fatalf("after kill -9 cycles and a restart: %d events, want %d", got, n)
	}
}
