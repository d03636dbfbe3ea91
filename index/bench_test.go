package index

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	benchLines  = flag.Int("index.lines", 200_000, "lines in the BenchmarkWriter corpus")
	benchCommit = flag.Int("index.commit", 8192, "lines between commits in BenchmarkWriter (ingest's cadence)")
	benchFind   = flag.Int("index.findlines", 200_000, "lines in the BenchmarkFind* index")
)

// synthCorpus returns n synthetic events (Raw owned by each event) and their
// total size as input bytes (lines plus newlines).
func synthCorpus(n int, seed uint64) ([]Event, int64) {
	s := newSynth(seed, "/var/log/app/"+strconv.FormatUint(seed, 10)+".log")
	evs := make([]Event, n)
	var size int64
	for i := range evs {
		s.next(&evs[i])
		evs[i].Raw = bytes.Clone(evs[i].Raw)
		size += int64(len(evs[i].Raw)) + 1
	}
	return evs, size
}

// dirSize is the total size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// cpuTime returns the CPU time (user and system) the process has used, 0
// where unsupported: unlike wall time it is little affected by other
// processes sharing the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWriter ingests a synthetic corpus (-index.lines lines, ~360
// bytes each, a few % with stack traces) into a fresh index per iteration,
// committing every -index.commit lines. It reports lines/s, CPU time per
// line (steadier than wall time on a shared machine) and the index size as
// a multiple of the input. (Peak RSS is measured on culprit ingest: here
// the pre-generated corpus would dominate it.)
func BenchmarkWriter(b *testing.B) {
	evs, size := synthCorpus(*benchLines, 1)
	b.SetBytes(size)
	b.ReportAllocs()
	var ratio float64
	var lines int
	cpu0 := cpuTime()
	for b.Loop() {
		dir := b.TempDir()
		ix, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		w, err := ix.NewWriter()
		if err != nil {
			b.Fatal(err)
		}
		for i := range evs {
			if err := w.Add(&evs[i]); err != nil {
				b.Fatal(err)
			}
			if (i+1)%*benchCommit == 0 {
				if err := w.Commit(Checkpoint{Key: "bench", Lines: int64(i + 1)}); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := w.Commit(Checkpoint{Key: "bench", Lines: int64(len(evs))}); err != nil {
			b.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		lines += len(evs)
		ratio = float64(dirSize(dir)) / float64(size)
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(lines), "cpu-µs/line")
	b.ReportMetric(ratio, "index/input")
}

var (
	findOnce sync.Once
	findDir  string
	findEvs  []Event
)

// findIndex builds (once per process) an index of -index.findlines
// synthetic lines for the BenchmarkFind* benchmarks.
func findIndex(b *testing.B) *Index {
	findOnce.Do(func() {
		dir, err := os.MkdirTemp("", "culprit-bench-")
		if err != nil {
			b.Fatal(err)
		}
		findDir = dir
		findEvs, _ = synthCorpus(*benchFind, 2)
		ix, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		w, err := ix.NewWriter()
		if err != nil {
			b.Fatal(err)
		}
		for i := range findEvs {
			if err := w.Add(&findEvs[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Commit(); err != nil {
			b.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
	})
	if findDir == "" {
		b.Fatal("no bench index")
	}
	ix, err := Open(findDir, Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	return ix
}

// BenchmarkFindRequest looks up a request ID and fetches its events on an
// open index (each lookup a different request, so mostly cold blocks).
func BenchmarkFindRequest(b *testing.B) {
	ix := findIndex(b)
	i := 0
	for b.Loop() {
		id := findEvs[(i*7919)%len(findEvs)].RequestID
		i++
		res, err := ix.Find(b.Context(), Filter{RequestID: id}, FindOptions{})
		if err != nil || res.Total == 0 {
			b.Fatal(res.Total, err)
		}
	}
}

// BenchmarkFindRequestOpen is BenchmarkFindRequest including opening the
// index read-only, as one `culprit request ID` does.
func BenchmarkFindRequestOpen(b *testing.B) {
	findIndex(b)
	i := 0
	for b.Loop() {
		ix, err := Open(findDir, Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		id := findEvs[(i*7919)%len(findEvs)].RequestID
		i++
		res, err := ix.Find(b.Context(), Filter{RequestID: id}, FindOptions{})
		if err != nil || res.Total == 0 {
			b.Fatal(res.Total, err)
		}
		ix.Close()
	}
}

// BenchmarkFindFacetWindow computes the distinct users active in a one-hour
// window and the routes over the whole index, with warm caches.
func BenchmarkFindFacetWindow(b *testing.B) {
	ix := findIndex(b)
	since := findEvs[len(findEvs)/2].Time
	for b.Loop() {
		if _, err := ix.Facet(b.Context(), Filter{Since: since, Until: since.Add(time.Hour)}, "user", 0); err != nil {
			b.Fatal(err)
		}
		if _, err := ix.Facet(b.Context(), Filter{}, "route", 10); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindWordNewest searches a word and returns the 50 newest matches
// with the exact total.
func BenchmarkFindWordNewest(b *testing.B) {
	ix := findIndex(b)
	for b.Loop() {
		res, err := ix.Find(b.Context(), Filter{Query: "reserve"}, FindOptions{Limit: 50, Order: NewestFirst})
		if err != nil || res.Total == 0 {
			b.Fatal(res.Total, err)
		}
	}
}

func TestMain(m *testing.M) {
	if dir := os.Getenv("CULPRIT_INDEX_HELPER"); dir != "" {
		os.Exit(ingestHelper(dir))
	}
	code := m.Run()
	if findDir != "" {
		os.RemoveAll(findDir)
	}
	os.Exit(code)
}
