package cli

import (
	"os"
	"path/filepath"
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
