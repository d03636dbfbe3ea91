package index

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const (
	crashLines  = 40000
	crashCommit = 1500
)

// ingestHelper runs in a child process (see TestMain): it resumes ingesting
// the synthetic corpus into dir from its checkpoint, committing every
// crashCommit lines and printing each commit, until all crashLines lines
// are in.
func ingestHelper(dir string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	ix, err := Open(dir, Options{})
	if err != nil {
		return fail(err)
	}
	cp, _, err := ix.Checkpoint("synth")
	if err != nil {
		return fail(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		return fail(err)
	}
	evs, _ := synthCorpus(crashLines, 7)
	for i := int(cp.Lines); i < len(evs); i++ {
		if err := w.Add(&evs[i]); err != nil {
			return fail(err)
		}
		if (i+1)%crashCommit == 0 || i+1 == len(evs) {
			if err := w.Commit(Checkpoint{Key: "synth", Lines: int64(i + 1)}); err != nil {
				return fail(err)
			}
			fmt.Println("committed", i+1)
		}
	}
	if err := ix.Close(); err != nil {
		return fail(err)
	}
	fmt.Println("done")
	return 0
}

// TestKillResume kills an ingesting process with SIGKILL at random moments,
// resumes it from its checkpoint each time, and checks that the final index
// holds every line exactly once, verbatim.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several processes")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills, midway := 0, 0 // killed runs, and those that had committed
	for run := 0; ; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "CULPRIT_INDEX_HELPER="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var timer <-chan time.Time
		if run < 6 {
			timer = time.After(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		}
		done, killed, commits := false, false, 0
	wait:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break wait
				}
				done = done || l == "done"
				if strings.HasPrefix(l, "committed") {
					commits++
				}
			case <-timer:
				cmd.Process.Kill()
				killed = true
				timer = nil
			}
		}
		err = cmd.Wait()
		if killed && !done {
			kills++
			midway += min(commits, 1)
		}
		if !killed && err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, stderr.String())
		}
		if done {
			break
		}
	}
	t.Logf("%d kills, %d after a commit", kills, midway)
	ix, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	counts := countKeys(t, ix)
	if len(counts) != crashLines {
		t.Errorf("%d distinct lines, want %d", len(counts), crashLines)
	}
	for k, n := range counts {
		if n != 1 {
			t.Errorf("%s is in the index %d times", k, n)
		}
	}
	evs, _ := synthCorpus(crashLines, 7)
	for _, i := range []int{0, 1499, 1500, 7777, crashLines - 1} {
		res, err := ix.Find(t.Context(), Filter{Query: "source:" + evs[i].Source + " request_id:" + evs[i].RequestID}, FindOptions{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range res.Events {
			if e.Line == evs[i].Line {
				found = string(e.Raw) == string(evs[i].Raw)
			}
		}
		if !found {
			t.Errorf("line %d is missing or altered", evs[i].Line)
		}
	}
	if cp, _, _ := ix.Checkpoint("synth"); cp.Lines != crashLines {
		t.Errorf("checkpoint at %d lines, want %d", cp.Lines, crashLines)
	}
}
