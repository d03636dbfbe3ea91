// Package vltest starts VictoriaLogs servers for tests: a single node, or a
// cluster of plain single nodes behind a frontend started with
// -storageNode. Each server listens on 127.0.0.1 with a port the kernel
// chooses (read back from the server's log), keeps its data in a test
// directory, and is killed when the test ends.
//
// The server binary is the pinned release, built once with
//
//	CGO_ENABLED=0 go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@v1.52.1
//
// and found in $CULPRIT_VL_BIN, $GOBIN, each $GOPATH/bin or $PATH. When it
// is missing and CULPRIT_VL_REQUIRED=1 (CI sets it), the first test that
// needs it builds it that way and fails if the build fails; without
// CULPRIT_VL_REQUIRED the test is skipped, saying how to install it.
//
// Allowed imports: the standard library.
package vltest

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the pinned VictoriaLogs release the tests run against.
const Version = "v1.52.1"

// Install is the command that builds the pinned server.
const Install = "CGO_ENABLED=0 go install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@" + Version

// startTimeout bounds how long a server may take to print its address.
const startTimeout = 60 * time.Second

// Binary returns the path of the victoria-logs binary. Without one, when
// CULPRIT_VL_REQUIRED=1, it builds the pinned release once (go install,
// 35–60 s) and fails the test if that fails; otherwise it skips the test.
func Binary(t testing.TB) string {
	t.Helper()
	p, err := find()
	if err != nil && os.Getenv("CULPRIT_VL_REQUIRED") == "1" {
		buildOnce.Do(func() { buildOut, buildErr = build() })
		if buildErr != nil {
			t.Fatalf("victoria-logs not found and %s failed (CULPRIT_VL_REQUIRED=1): %v\n%s", Install, buildErr, buildOut)
		}
		p, err = find()
		if err != nil {
			t.Fatalf("victoria-logs not found in $CULPRIT_VL_BIN, $GOBIN, $GOPATH/bin or $PATH even after %s", Install)
		}
	}
	if err != nil {
		t.Skip("victoria-logs not found in $CULPRIT_VL_BIN, $GOBIN, $GOPATH/bin or $PATH; install the pinned server with: " +
			Install + " (or set CULPRIT_VL_REQUIRED=1 to build it, and to make its absence a failure)")
	}
	if v := version(p); v != Version {
		t.Logf("%s is VictoriaLogs %q, not the pinned %s; reinstall with: %s", p, v, Version, Install)
	}
	return p
}

var (
	buildOnce sync.Once
	buildOut  []byte
	buildErr  error
)

// build installs the pinned release where go install puts binaries.
func build() ([]byte, error) {
	cmd := exec.Command("go", "install", "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@"+Version)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	return cmd.CombinedOutput()
}

// version returns the VictoriaLogs module version a binary was built from
// by go install ("" when unknown, as in release builds).
func version(path string) string {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return ""
	}
	if bi.Main.Path == "github.com/VictoriaMetrics/VictoriaLogs" {
		return bi.Main.Version
	}
	return ""
}

// find looks for the binary where go install puts it, then in $PATH.
func find() (string, error) {
	var cands []string
	if p := os.Getenv("CULPRIT_VL_BIN"); p != "" {
		cands = append(cands, p)
	}
	if d := goEnv("GOBIN"); d != "" {
		cands = append(cands, filepath.Join(d, "victoria-logs"))
	}
	for _, d := range filepath.SplitList(goEnv("GOPATH")) {
		if d != "" {
			cands = append(cands, filepath.Join(d, "bin", "victoria-logs"))
		}
	}
	for _, c := range cands {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return c, nil
		}
	}
	return exec.LookPath("victoria-logs")
}

// goEnv returns a Go environment variable from the environment or, when
// unset, from the go command (which knows the defaults).
func goEnv(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Server is one running victoria-logs process.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL string
	// Addr is its host:port.
	Addr string

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	mu   sync.Mutex
	log  bytes.Buffer // the server's output, for failure messages
	once sync.Once
}

// listenRE finds the address in "started server at http://127.0.0.1:PORT/".
var listenRE = regexp.MustCompile(`started server at http://(127\.0\.0\.1:[0-9]+)/`)

// Start runs a victoria-logs process with its data in a fresh test
// directory, retention wide enough for any test corpus, and the extra
// flags given. It returns once the server has printed the address it
// listens on, and kills it when the test ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := Binary(t)
	args := append([]string{
		"-httpListenAddr=127.0.0.1:0",
		"-storageDataPath=" + t.TempDir(),
		"-retentionPeriod=100y",
		"-futureRetention=100y",
		"-insert.maxLineSizeBytes=16MiB",
		"-loggerLevel=INFO",
	}, extra...)
	cmd := exec.Command(bin, args...)
	setProcAttr(cmd)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		t.Fatalf("start %s: %v", bin, err)
	}
	w.Close()
	s := &Server{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			s.mu.Lock()
			s.log.Write(sc.Bytes())
			s.log.WriteByte('\n')
			s.mu.Unlock()
			if m := listenRE.FindSubmatch(sc.Bytes()); m != nil && !sent {
				addr <- string(m[1])
				sent = true
			}
		}
	}()
	go func() {
		cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(s.Stop)
	select {
	case a := <-addr:
		s.Addr, s.URL = a, "http://"+a
	case <-s.done:
		t.Fatalf("victoria-logs exited before listening:\n%s", s.Log())
	case <-time.After(startTimeout):
		s.Stop()
		t.Fatalf("victoria-logs printed no listen address within %s:\n%s", startTimeout, s.Log())
	}
	return s
}

// Stop kills the server and waits for it to exit. It is safe to call more
// than once.
func (s *Server) Stop() {
	s.once.Do(func() {
		if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			fmt.Fprintf(os.Stderr, "vltest: kill victoria-logs: %v\n", err)
		}
		<-s.done
	})
}

// Log returns what the server printed so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// Cluster is a frontend spreading rows over storage nodes.
type Cluster struct {
	// Frontend serves /insert and /select and routes them to Storage.
	Frontend *Server
	// Storage are the storage nodes (plain single nodes).
	Storage []*Server
}

// StartCluster starts n storage nodes and a frontend started with
// -storageNode listing them and the extra flags given.
func StartCluster(t testing.TB, n int, frontendFlags ...string) *Cluster {
	t.Helper()
	c := &Cluster{}
	var addrs []string
	for range n {
		s := Start(t)
		c.Storage = append(c.Storage, s)
		addrs = append(addrs, s.Addr)
	}
	c.Frontend = Start(t, append([]string{"-storageNode=" + strings.Join(addrs, ",")}, frontendFlags...)...)
	return c
}
