//go:build linux

package reliability

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// rssBound is the peak resident set size allowed to an ingest, whatever
// its input (a normal 1M-line ingest peaks near 150 MiB on a loaded CI
// machine; runs of blank lines used to cost ~400 B each, kept to the end).
const rssBound = 300 << 20

func checkRSS(t *testing.T, what string, r run) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit %d\n%s", what, r.code, r.stderr)
	}
	t.Logf("%s: peak RSS %.1f MiB", what, float64(r.maxRSS)/(1<<20))
	if r.maxRSS > rssBound {
		t.Errorf("%s: peak RSS %d MiB, want at most %d MiB", what, r.maxRSS>>20, rssBound>>20)
	}
}

func TestMemoryIsBounded(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()

	t.Run("2 Mi blank lines", func(t *testing.T) {
		p := filepath.Join(dir, "blank.log")
		write(t, p, strings.Repeat("\n", 2<<20))
		checkRSS(t, "blank lines", exeMeasured(t, "ingest", "--index", filepath.Join(dir, "idx-blank"), p))
	})
	t.Run("gzip bomb of newlines", func(t *testing.T) {
		// 64 Mi newlines in 64 KB: at ~400 B a line it took 25 GiB.
		p := filepath.Join(dir, "bomb.log.gz")
		f, err := os.Create(p)
		must(t, err)
		zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
		chunk := bytes.Repeat([]byte{'\n'}, 1<<20)
		for range 64 {
			zw.Write(chunk)
		}
		must(t, zw.Close())
		must(t, f.Close())
		checkRSS(t, "gzip bomb", exeMeasured(t, "ingest", "--index", filepath.Join(dir, "idx-bomb"), p))
	})
	t.Run("blank lines then JSON", func(t *testing.T) {
		p := filepath.Join(dir, "late.log")
		write(t, p, strings.Repeat("   \n", 1<<18)+lines("late", 0, 2000))
		r := exeMeasured(t, "ingest", "--index", filepath.Join(dir, "idx-late"), p)
		checkRSS(t, "blank lines then JSON", r)
		if n := census(t, filepath.Join(dir, "idx-late"), false); n != 1<<18+2000 {
			t.Errorf("%d events, want every whitespace line and JSON line", n)
		}
	})
	t.Run("200k normal lines", func(t *testing.T) {
		p := filepath.Join(dir, "normal.log")
		write(t, p, lines("n", 0, 200000))
		checkRSS(t, "200k lines", exeMeasured(t, "ingest", "--index", filepath.Join(dir, "idx-normal"), p))
	})
}

// waitOpened waits until process pid holds path open.
func waitOpened(t *testing.T, pid int, path string) {
	t.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ents, _ := os.ReadDir(fds)
		for _, e := range ents {
			if l, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && l == path {
				return
			}
		}
	}
	t.Fatalf("process %d did not open %s", pid, path)
}

// TestSignalsStopStreams: a named pipe given as a path stops on SIGINT or
// SIGTERM within seconds, whether its writer never came or stays silent,
// and what was read is committed.
func TestSignalsStopStreams(t *testing.T) {
	skipShort(t)
	for _, c := range []struct {
		name   string
		sig    syscall.Signal
		writer bool
	}{
		{"SIGINT, no writer", syscall.SIGINT, false},
		{"SIGTERM, no writer", syscall.SIGTERM, false},
		{"SIGINT, silent writer", syscall.SIGINT, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "live.fifo")
			must(t, syscall.Mkfifo(fifo, 0o600))
			idx := filepath.Join(dir, "idx")
			cmd, out, errb := start(t, "ingest", "--index", idx, fifo)
			if c.writer {
				w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // returns once the ingest opened it
				must(t, err)
				defer w.Close()
				_, err = io.WriteString(w, lines("fifo", 0, 25))
				must(t, err)
				// Wait until the ingest has read them: the pipe is empty.
				for deadline := time.Now().Add(10 * time.Second); ; {
					n, err := unix.IoctlGetInt(int(w.Fd()), unix.TIOCINQ)
					must(t, err)
					if n == 0 {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("the ingest did not read the pipe (%d bytes left)", n)
					}
					time.Sleep(10 * time.Millisecond)
				}
			} else {
				// Wait until the child has opened the pipe (a probe
				// writer would end the stream: it is read to EOF).
				waitOpened(t, cmd.Process.Pid, fifo)
			}
			sent := time.Now()
			must(t, cmd.Process.Signal(c.sig))
			done := make(chan run, 1)
			go func() { done <- wait(t, cmd, out, errb) }()
			select {
			case r := <-done:
				if took := time.Since(sent); took > 10*time.Second {
					t.Errorf("exited %v after the signal", took)
				}
				if r.code != 130 {
					t.Errorf("exit %d, want 130\n%s", r.code, r.stderr)
				}
			case <-time.After(15 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 15 s after %v", c.sig)
			}
			if c.writer {
				if n := census(t, idx, true); n != 25 {
					t.Errorf("%d events committed, want the 25 lines read", n)
				}
			}
		})
	}
}
