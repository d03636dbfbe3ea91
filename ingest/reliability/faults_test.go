//go:build linux

package reliability

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestKillSoak kills the ingest with SIGKILL at varied moments, again and
// again, while a live file grows, then lets one run complete: every line
// is in the index exactly once, and a further run adds nothing.
func TestKillSoak(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	live := filepath.Join(logs, "api.log")
	total := 0
	for i, n := range []int{60000, 25000} {
		tag := []string{"api", "web"}[i]
		write(t, filepath.Join(logs, tag+".log"), lines(tag, 0, n))
		total += n
	}
	write(t, filepath.Join(logs, "old.log.gz"), gz(t, lines("old", 0, 30000)))
	total += 30000
	idx := filepath.Join(dir, "idx")

	// Each cycle appends to the live file (so there is always work to
	// interrupt) and kills the run after 20..720 ms, until 6 runs were
	// killed mid-ingest (at most 30 cycles). A run that completes before
	// its kill means this machine is fast: the next cycle appends twice as
	// much, so the soak does not depend on the machine's speed.
	killed, cycles, next, appendN := 0, 0, 60000, 5000
	for ; killed < 6 && cycles < 30; cycles++ {
		f, err := os.OpenFile(live, os.O_APPEND|os.O_WRONLY, 0)
		must(t, err)
		_, err = f.WriteString(lines("api", next, appendN))
		must(t, err)
		must(t, f.Close())
		next += appendN
		total += appendN
		d := time.Duration(20+(cycles*137)%700) * time.Millisecond
		cmd, out, errb := start(t, "ingest", "--index", idx, logs)
		timer := time.AfterFunc(d, func() { cmd.Process.Signal(syscall.SIGKILL) })
		r := wait(t, cmd, out, errb)
		timer.Stop()
		switch {
		case r.killed:
			killed++
		case r.code != 0:
			t.Fatalf("run ended with exit %d: %s", r.code, r.stderr)
		default:
			appendN = min(2*appendN, 320000)
		}
	}
	t.Logf("%d of %d runs killed mid-ingest", killed, cycles)
	if killed < 6 {
		t.Errorf("only %d of %d runs were killed mid-ingest: the soak did not exercise recovery", killed, cycles)
	}
	ingest(t, idx, logs)
	if n := census(t, idx, true); n != total {
		t.Errorf("after %d kills and a completing run the index holds %d events, want %d", killed, n, total)
	}
	if s := ingest(t, idx, logs); s.Events != 0 {
		t.Errorf("a further run added %d events", s.Events)
	}
}

// TestRotationVariants: rename rotation, compression of the rotated file,
// a symlink and a hard link add nothing; copytruncate reads only the new
// lines; a truly new file is read in full.
func TestRotationVariants(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	app := filepath.Join(logs, "app.log")
	idx := filepath.Join(dir, "idx")
	want := 0
	check := func(step string, added int) {
		t.Helper()
		s := ingest(t, idx, logs)
		want += added
		if s.Events != int64(added) {
			t.Errorf("%s: added %d events, want %d (%+v)", step, s.Events, added, s.Sources)
		}
		if n := census(t, idx, true); n != want {
			t.Fatalf("%s: index holds %d events, want %d", step, n, want)
		}
	}
	write(t, app, lines("app", 0, 1000))
	check("first ingest", 1000)

	must(t, os.Rename(app, app+".1"))
	write(t, app, lines("app", 1000, 200))
	check("rename rotation", 200)

	data, err := os.ReadFile(app + ".1")
	must(t, err)
	write(t, app+".1.gz", gz(t, string(data)))
	must(t, os.Remove(app+".1"))
	check("compressed rotation", 0)

	must(t, os.Symlink(app+".1.gz", filepath.Join(logs, "link.log.gz")))
	must(t, os.Link(app, filepath.Join(logs, "hard.log")))
	check("symlink and hard link", 0)

	// copytruncate: the live file is copied, then truncated in place and
	// written again.
	f, err := os.OpenFile(app, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString(lines("app", 1200, 30))
	must(t, err)
	must(t, f.Close())
	data, err = os.ReadFile(app)
	must(t, err)
	write(t, app+".2", string(data))
	must(t, os.Truncate(app, 0))
	f, err = os.OpenFile(app, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString(lines("app", 1230, 20))
	must(t, err)
	must(t, f.Close())
	check("copytruncate", 50)

	write(t, filepath.Join(logs, "new.log"), lines("new", 0, 77))
	check("new file", 77)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPartialAndVerbatimLines: an unterminated last line is held back,
// never stored twice, stored whole once completed (or as is with --final);
// whitespace-only lines are events and a CRLF line keeps its CR.
func TestPartialAndVerbatimLines(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	idx := filepath.Join(dir, "idx")
	path := filepath.Join(dir, "svc.log")
	write(t, path, line("svc", 0)+"\r\n"+"  \t\n"+"\n"+line("svc", 1)[:40])
	old := time.Now().Add(-time.Hour)
	must(t, os.Chtimes(path, old, old)) // however old, a fragment waits
	s := ingest(t, idx, path)
	if s.Events != 2 || s.Sources[0].Held != 1 {
		t.Errorf("first run: %d events, held %d, want 2 (the CRLF line, the blank one), 1", s.Events, s.Sources[0].Held)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteString(line("svc", 1)[40:] + "\n" + line("svc", 2))
	must(t, err)
	must(t, f.Close())
	if s = ingest(t, idx, path); s.Events != 1 {
		t.Errorf("completed line: %d events, want 1", s.Events)
	}
	if s = ingest(t, idx, "--final", path); s.Events != 1 {
		t.Errorf("--final: %d events, want the last line", s.Events)
	}
	if n := census(t, idx, true); n != 4 {
		t.Errorf("index holds %d events, want 4", n)
	}
	raw := map[int64]string{}
	for _, ev := range events(t, idx) {
		raw[ev.Line] = string(ev.Raw)
	}
	if want := line("svc", 0) + "\r"; raw[1] != want {
		t.Errorf("line 1 = %q, want the CRLF line verbatim %q", raw[1], want)
	}
	if raw[2] != "  \t" {
		t.Errorf("line 2 = %q, want the whitespace verbatim", raw[2])
	}
	if raw[4] != line("svc", 1) || raw[5] != line("svc", 2) {
		t.Errorf("lines 4, 5 = %q, %q, want them whole", raw[4], raw[5])
	}
}
