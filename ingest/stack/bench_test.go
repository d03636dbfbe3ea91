package stack

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse parses the traces of testdata/stacks in turn, as ingest
// does for every error event with a stack, and names the fingerprint frames.
func BenchmarkParse(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(stacksDir, "*.txt"))
	if len(files) == 0 {
		b.Fatalf("no stacks in %s", stacksDir)
	}
	var stacks []string
	size := 0
	for _, f := range files {
		s, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		stacks = append(stacks, string(s))
		size += len(s)
	}
	b.SetBytes(int64(size / len(stacks)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		Parse(stacks[n%len(stacks)]).FingerprintFrames()
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "stacks/s")
}
