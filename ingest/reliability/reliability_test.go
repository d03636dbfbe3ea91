//go:build linux

package reliability

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// culprit builds the binary once per test run.
func culprit(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "culprit-reliability-")
		if binErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "culprit"), "github.com/culprit-dev/culprit").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "culprit")
}

// measureEnv makes the test binary a launcher: it runs the command in its
// arguments and prints its exit code and peak RSS. The peak RSS of a child
// counts the memory of the process that forked it (Linux keeps the larger
// of the forking image and the child's), so children whose memory is
// measured are started by this small launcher, not by the test process.
const measureEnv = "CULPRIT_RELIABILITY_MEASURE"

func measure(args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) << 10 // KiB on Linux
	}
	json.NewEncoder(os.Stdout).Encode(run{code: cmd.ProcessState.ExitCode(), maxRSS: rss, stderr: errb.String()}.export())
	return 0
}

type measured struct {
	Code   int    `json:"code"`
	MaxRSS int64  `json:"max_rss"`
	Stderr string `json:"stderr"`
}

func (r run) export() measured { return measured{r.code, r.maxRSS, r.stderr} }

// exeMeasured runs the binary with args through the launcher and returns
// its exit code, stderr and peak RSS.
func exeMeasured(t *testing.T, args ...string) run {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, append([]string{culprit(t)}, args...)...)
	cmd.Env = append(os.Environ(), measureEnv+"=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("launcher: %v", err)
	}
	var m measured
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("launcher output %q: %v", out, err)
	}
	return run{code: m.Code, maxRSS: m.MaxRSS, stderr: m.Stderr}
}

func TestMain(m *testing.M) {
	if os.Getenv(measureEnv) == "1" {
		os.Exit(measure(os.Args[1:]))
	}
	flag.Parse()
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// run is one finished run of the binary.
type run struct {
	stdout, stderr string
	code           int
	killed         bool
	maxRSS         int64 // peak resident set size of the child, bytes (exeMeasured)
}

// start prepares the binary with args.
func start(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(culprit(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out, &errb
}

// wait waits for cmd and describes how it ended.
func wait(t *testing.T, cmd *exec.Cmd, out, errb *bytes.Buffer) run {
	t.Helper()
	err := cmd.Wait()
	r := run{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	ps := cmd.ProcessState
	r.code = ps.ExitCode()
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.killed = ws.Signal() == syscall.SIGKILL
	}
	return r
}

func exe(t *testing.T, args ...string) run {
	t.Helper()
	cmd, out, errb := start(t, args...)
	return wait(t, cmd, out, errb)
}

// line is a distinct JSON log line.
func line(tag string, i int) string {
	ts := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	return fmt.Sprintf(`{"time":%q,"level":"info","service":%q,"msg":"request %d served","request_id":"%s-%08d","status":200}`,
		ts.Format(time.RFC3339Nano), tag, i, tag, i)
}

func lines(tag string, first, n int) string {
	var b strings.Builder
	for i := first; i < first+n; i++ {
		b.WriteString(line(tag, i))
		b.WriteByte('\n')
	}
	return b.String()
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, data string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(data))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// events lists the index's events.
func events(t *testing.T, dir string) []index.Event {
	t.Helper()
	ix, err := index.Open(dir, index.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Find(context.Background(), index.Filter{}, index.FindOptions{Limit: 1 << 22})
	if err != nil {
		t.Fatal(err)
	}
	return res.Events
}

// census opens the index read-only and returns its event count, failing
// the test on a (source, line) held twice, or, when distinct (every line of
// the corpus differs), on a line's bytes held twice.
func census(t *testing.T, dir string, distinct bool) int {
	t.Helper()
	ix, err := index.Open(dir, index.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	res, err := ix.Find(context.Background(), index.Filter{}, index.FindOptions{Limit: 1 << 22})
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[string]bool{}
	byRaw := map[string]bool{}
	dups := 0
	for _, ev := range res.Events {
		k := fmt.Sprintf("%s:%d", ev.Source, ev.Line)
		if byLine[k] || distinct && byRaw[string(ev.Raw)] {
			if dups++; dups <= 5 {
				t.Errorf("stored twice: %s %.80q", k, ev.Raw)
			}
		}
		byLine[k], byRaw[string(ev.Raw)] = true, true
	}
	if dups > 0 {
		t.Errorf("%d lines stored twice", dups)
	}
	if res.Total != len(res.Events) {
		t.Fatalf("index total %d, listed %d", res.Total, len(res.Events))
	}
	return len(res.Events)
}

type summary struct {
	Events  int64 `json:"events"`
	Sources []struct {
		Path    string   `json:"path"`
		Source  string   `json:"source"`
		Status  string   `json:"status"`
		Events  int64    `json:"events"`
		Held    int64    `json:"held"`
		Skipped string   `json:"skipped"`
		Names   []string `json:"names"`
	} `json:"sources"`
}

// ingest runs "culprit ingest --json" to completion and decodes its summary.
func ingest(t *testing.T, idx string, args ...string) summary {
	t.Helper()
	r := exe(t, append([]string{"ingest", "--json", "--index", idx}, args...)...)
	if r.code != 0 {
		t.Fatalf("ingest %v: exit %d\n%s", args, r.code, r.stderr)
	}
	var s summary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("ingest summary: %v\n%s", err, r.stdout)
	}
	return s
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built binary on large inputs")
	}
}
