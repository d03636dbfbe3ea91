package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// DryRun shows each source's mapping with sample values and the lines it
// cannot place, writes nothing, and never prints log content raw.
func TestDryRun(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "orders.log")
	writeFile(t, p, `{"ts":"2026-11-25T10:00:00Z","lvl":"info","msg":"hi \u001b]52;c;AAAA\u0007 there","rid":"r-1"}
not json at all `+"\x1b[2J"+`
{"lvl":"warn","msg":"no time here"}
{"ts":"2026-11-25T10:00:02Z","lvl":"error","msg":"boom","thrown":{"name":"java.lang.IllegalStateException","message":"no stock","extendedStackTrace":[{"class":"shop.Orders","method":"reserve","file":"Orders.java","line":42}]}}
`)
	before, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = DryRun(t.Context(), Options{Paths: []string{p, filepath.Join(dir, "missing.log")}}, &out)
	var pe *PathErrors
	if !errors.As(err, &pe) || len(pe.Errs) != 1 {
		t.Fatalf("DryRun error = %v, want the missing path reported", err)
	}
	got := out.String()
	for _, want := range []string{
		"orders.log: 4 lines read",
		`time           ← ts`, `"2026-11-25T10:00:00Z"`,
		`level          ← lvl`,
		`service        ← (file name)`, `"orders"`,
		`error_type     ← thrown`, `"java.lang.IllegalStateException"`,
		`stack          ← thrown`,
		"2 of 4 lines not placed:",
		"line 2 (not JSON (kept as text)): not json at all \\x1b[2J",
		"line 3 (no time):",
		"missing.log",
		"\n  parent_span_id ← -\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, got)
		}
	}
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("dry run printed raw control characters:\n%q", got)
	}
	after, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("dry run wrote files: %d entries before, %d after", len(before), len(after))
	}
}

// A dry run of a stream that never ends stops when its context is
// cancelled while it waits for more lines.
func TestDryRunStreamIsInterruptible(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString(`{"time":"2026-11-25T10:00:00Z","msg":"a"}` + "\n"); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	in := &signalReader{f: r, waiting: waiting}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- DryRun(ctx, Options{Paths: []string{"-"}, Stdin: in}, io.Discard) }()
	<-waiting // the first line is read, the next read blocks
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("DryRun of an open pipe after cancel = %v, want context.Canceled", err)
	}
}

// signalReader closes waiting when a read comes after some data was read:
// a read that will block on the open pipe.
type signalReader struct {
	f       *os.File
	got     bool
	waiting chan struct{}
	once    sync.Once
}

func (s *signalReader) Read(p []byte) (int, error) {
	if s.got {
		s.once.Do(func() { close(s.waiting) })
	}
	n, err := s.f.Read(p)
	s.got = s.got || n > 0
	return n, err
}

func (s *signalReader) Close() error { return s.f.Close() }

// TestDryRunEmptyDirectory: a directory argument holding no file to read is
// reported, as in a real run; one holding a file is not.
func TestDryRunEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(filepath.Join(empty, ".hidden"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(empty, ".hidden", "a.log"), `{"msg":"hidden"}`+"\n")
	writeFile(t, filepath.Join(logs, "a.log"), `{"msg":"a"}`+"\n")
	var out bytes.Buffer
	err := DryRun(t.Context(), Options{Paths: []string{empty, logs}}, &out)
	var pe *PathErrors
	if !errors.As(err, &pe) || len(pe.Errs) != 1 || pe.Errs[0].Path != empty || !errors.Is(pe.Errs[0].Err, ErrNoFiles) {
		t.Fatalf("DryRun error = %v, want the empty directory alone reported", err)
	}
	if !strings.Contains(out.String(), empty+": no files in this directory") {
		t.Errorf("dry run output does not name the empty directory:\n%s", out.String())
	}
}

func TestUnder(t *testing.T) {
	for _, c := range []struct {
		f, d string
		want bool
	}{
		{"logs/a.log", "logs", true}, {"logs", "logs", true}, {"logs2/a.log", "logs", false},
		{"a.log", ".", true}, {"../a.log", ".", false}, {"/abs/a.log", ".", false},
		{"/x/y/z", "/x", true}, {"/x/y/z", "/", true}, {"/xy/z", "/x", false},
	} {
		if got := Under(c.f, c.d); got != c.want {
			t.Errorf("Under(%q, %q) = %v, want %v", c.f, c.d, got, c.want)
		}
	}
}
