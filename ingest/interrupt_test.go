//go:build linux

package ingest

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pipelineGoroutines lists the goroutines of an ingest pipeline still
// running.
func pipelineGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "ingest.(*lineReader).run") || strings.Contains(g, "ingest.parallelParse") || strings.Contains(g, "ingest.(*pollReader).Read") {
			out = append(out, g)
		}
	}
	return out
}

// runCancelled runs an ingest of paths/stdin, cancels it once the progress
// output holds signal, and returns what Run returned and how long it took
// to return after the cancel.
func runCancelled(t *testing.T, o Options, signal string, sink *fakeSink) (Summary, time.Duration, error) {
	t.Helper()
	prog := &signalWriter{first: make(chan struct{})}
	o.Progress = prog
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var cancelled time.Time
	go func() {
		prog.waitFor(signal)
		cancelled = time.Now()
		cancel()
	}()
	type result struct {
		sum Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := Run(ctx, o, sink)
		done <- result{sum, err}
	}()
	select {
	case r := <-done:
		if g := pipelineGoroutines(); len(g) > 0 {
			t.Errorf("goroutines left running after Run returned:\n%s", strings.Join(g, "\n\n"))
		}
		return r.sum, time.Since(cancelled), r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("Run did not return 20 s after it started (signal %q)", signal)
	}
	return Summary{}, 0, nil
}

func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "live.fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFIFOWithoutWriterIsInterruptible(t *testing.T) {
	fifo := mkfifo(t)
	sum, took, err := runCancelled(t, Options{Paths: []string{fifo}}, "live.fifo", newFakeSink())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if took > 10*time.Second || sum.Events != 0 {
		t.Errorf("returned %v after the cancel with %d events, want promptly with none", took, sum.Events)
	}
}

func TestFIFOWithLiveWriterIsInterruptible(t *testing.T) {
	fifo := mkfifo(t)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		io.WriteString(w, jlines("live", 0, 10))
		<-t.Context().Done() // the writer stays: only the cancel ends the read
	}()
	sink := newFakeSink()
	sum, took, err := runCancelled(t, Options{Paths: []string{fifo}}, " 10 lines ", sink)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if took > 10*time.Second {
		t.Errorf("returned %v after the cancel", took)
	}
	if sum.Events != 10 || len(sink.events()) != 10 {
		t.Errorf("%d events reported, %d committed, want the 10 read", sum.Events, len(sink.events()))
	}
}

func TestStdinPipeIsInterruptible(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	io.WriteString(w, jlines("stdin", 0, 10)+`{"msg":"half a li`)
	sink := newFakeSink()
	sum, took, err := runCancelled(t, Options{Paths: []string{"-"}, Stdin: r}, " 10 lines ", sink)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if took > 10*time.Second {
		t.Errorf("returned %v after the cancel", took)
	}
	if sum.Events != 10 || len(sink.events()) != 10 {
		t.Errorf("%d events reported, %d committed, want the 10 whole lines", sum.Events, len(sink.events()))
	}
}

func TestDeploysFromFIFOAreInterruptible(t *testing.T) {
	fifo := mkfifo(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Options{Deploys: []string{fifo}}, newFakeSink())
		done <- err
	}()
	// Cancel once the run holds the pipe open (it waits for a writer).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if holdsOpen(fifo) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run did not open the pipe")
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return 5 s after the cancel")
	}
}

// holdsOpen reports whether this process has path open.
func holdsOpen(path string) bool {
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && l == path {
			return true
		}
	}
	return false
}
