package cli

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDoctor: a damaged index is an error naming the file (exit 2) for
// queries and for doctor; doctor --rebuild recovers it (ingesting the
// sources again) and every command answers as before.
func TestDoctor(t *testing.T) {
	idx := filepath.Join(t.TempDir(), "idx")
	if r := culprit(t, idx, "", "ingest", "--deploys", incidentDeploys, incidentLogs); r.code != 0 {
		t.Fatalf("ingest: %s", r)
	}
	if r := culprit(t, idx, "", "doctor"); r.code != 0 || !strings.Contains(r.stdout, "is sound") {
		t.Fatalf("doctor on a sound index: %s", r)
	}
	before := culprit(t, idx, "", "search", "status:>=500", "--limit", "100000", "--json", "--oldest")
	if before.code != 0 {
		t.Fatal(before)
	}
	p := filepath.Join(idx, "blocks.pack")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []float64{0.2, 0.5, 0.8} {
		b[int(float64(len(b))*f)] ^= 0x5a
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := culprit(t, idx, "", "search", "status:>=500", "--limit", "100000", "--json", "--oldest"); r.code != 2 || !strings.Contains(r.err, "blocks.pack") {
		t.Errorf("search over a damaged block: want exit 2 naming blocks.pack\n%s", r)
	}
	if r := culprit(t, idx, "", "ingest", incidentLogs); r.code != 2 || !strings.Contains(r.err, "blocks.pack") {
		t.Errorf("re-ingest over a damaged index: want exit 2 naming blocks.pack\n%s", r)
	}
	r := culprit(t, idx, "", "doctor")
	if r.code != 2 || !strings.Contains(r.stdout, "blocks.pack: block ") || !strings.Contains(r.err, "doctor --rebuild") {
		t.Errorf("doctor on a damaged index: want exit 2 and the problems\n%s", r)
	}
	r = culprit(t, idx, "", "doctor", "--rebuild")
	if r.code != 0 || !strings.Contains(r.stdout, "rebuilt") {
		t.Fatalf("doctor --rebuild: %s", r)
	}
	dirs, _ := filepath.Glob(idx + ".damaged-*")
	if len(dirs) != 1 {
		t.Errorf("the damaged index is not kept beside the new one: %v", dirs)
	}
	if r := culprit(t, idx, "", "doctor"); r.code != 0 {
		t.Errorf("doctor after --rebuild: %s", r)
	}
	after := culprit(t, idx, "", "search", "status:>=500", "--limit", "100000", "--json", "--oldest")
	if after.code != 0 || after.stdout != before.stdout {
		t.Errorf("after rebuild and re-ingest, search differs from the intact index: %d lines, want %d",
			strings.Count(after.stdout, "\n"), strings.Count(before.stdout, "\n"))
	}
}

// TestDamagedBlockMessages flips one byte at a time at spread offsets of
// blocks.pack and runs errors, a streaming search and a request batch on
// each copy. Every failure is exit 2 with a last stderr line naming the
// damaged file and what to run, never a request the user did not name;
// a streaming search that printed lines first says its output is
// incomplete and how many lines it holds.
func TestDamagedBlockMessages(t *testing.T) {
	src := filepath.Join(t.TempDir(), "idx")
	if r := culprit(t, src, "", "ingest", incidentLogs); r.code != 0 {
		t.Fatalf("ingest: %s", r)
	}
	pack, err := os.ReadFile(filepath.Join(src, "blocks.pack"))
	if err != nil {
		t.Fatal(err)
	}
	ids := culprit(t, src, "", "search", "status:>=500", "--limit", "3", "--json")
	var batch strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(ids.stdout), "\n") {
		var ev struct {
			ReqID string `json:"reqId"`
			Req   struct {
				ID string `json:"id"`
			} `json:"req"`
			RequestID string `json:"request_id"`
		}
		if json.Unmarshal([]byte(l), &ev) == nil {
			batch.WriteString(ev.RequestID + ev.Req.ID + ev.ReqID + "\n")
		}
	}
	const probes = 24
	failed := map[string]int{}
	incomplete := 0
	for i := range probes {
		off := len(pack) * (2*i + 1) / (2 * probes)
		idx := filepath.Join(t.TempDir(), "idx")
		copyDir(t, src, idx)
		b := slices.Clone(pack)
		b[off] ^= 0xff
		if err := os.WriteFile(filepath.Join(idx, "blocks.pack"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"errors"},
			{"errors", "--json"},
			{"search", "", "--json", "--limit", "100000", "--oldest"},
			{"request", "-", "--json"},
		} {
			r := culprit(t, idx, batch.String(), args...)
			if r.code == 0 || r.code == 1 {
				continue // the damage is in a part this question does not read
			}
			failed[args[0]]++
			lines := strings.Split(strings.TrimSpace(r.err), "\n")
			last := lines[len(lines)-1]
			if r.code != 2 || !strings.Contains(last, "blocks.pack: block ") || !strings.Contains(last, "culprit doctor") {
				t.Errorf("byte %d, %v: want exit 2 and a last line naming the block and doctor\n%s", off, args, r)
			}
			if args[0] == "errors" && strings.Contains(r.err, "request") {
				t.Errorf("byte %d, %v: the message names a request the user did not ask for\n%s", off, args, r)
			}
			if n := strings.Count(r.stdout, "\n"); args[0] == "search" && n > 0 {
				incomplete++
				if want := "output incomplete: stopped after " + count(n, "line") + ": index is damaged: "; !strings.HasPrefix(last, "culprit: "+want) {
					t.Errorf("byte %d, search printed %d lines then failed; last stderr line = %q, want it to start %q", off, n, last, want)
				}
			}
		}
	}
	if failed["errors"] == 0 || failed["search"] == 0 || incomplete == 0 {
		t.Errorf("the probes damaged nothing these commands read (failures %v, incomplete searches %d): move them", failed, incomplete)
	}
}

// copyDir copies the regular files of the directory tree src to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil // the lock's socket
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}
