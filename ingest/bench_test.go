package ingest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// nopSink accepts everything and keeps nothing.
type nopSink struct{}

func (nopSink) Checkpoint(string) (index.Checkpoint, bool, error) {
	return index.Checkpoint{}, false, nil
}
func (nopSink) Add(*index.Event) error                    { return nil }
func (nopSink) Commit(...index.Checkpoint) error          { return nil }
func (nopSink) AddDeploys(ds []index.Deploy) (int, error) { return len(ds), nil }

// benchCorpus is n zap-style lines: mostly HTTP access logs, some errors
// with a stack.
func benchCorpus(n int) []byte {
	var b bytes.Buffer
	routes := []string{"/api/orders/%d", "/api/users/%d/cart", "/v1/inventory/reserve", "/healthz"}
	for i := range n {
		ts := float64(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC).Unix()) + float64(i)/1000
		route := routes[i%len(routes)]
		if i%len(routes) < 2 {
			route = fmt.Sprintf(route, i%977)
		}
		if i%50 == 0 {
			fmt.Fprintf(&b, `{"level":"error","ts":%.3f,"caller":"orders/handler.go:88","msg":"reserve failed","service":"orders","request_id":"req-%08x","method":"POST","path":%q,"status":500,"user_id":"u%d","error":"dial tcp 10.0.3.%d:5432: connect: connection refused","stacktrace":"main.reserve\n\t/src/orders/handler.go:88\nmain.serve\n\t/src/orders/server.go:41"}`+"\n",
				ts, i, route, i%313, i%250)
			continue
		}
		fmt.Fprintf(&b, `{"level":"info","ts":%.3f,"caller":"orders/handler.go:52","msg":"request done","service":"orders","request_id":"req-%08x","method":"GET","path":%q,"status":200,"duration_ms":%d,"user_id":"u%d","host":"orders-%d"}`+"\n",
			ts, i, route, i%900, i%313, i%4)
	}
	return b.Bytes()
}

// BenchmarkRun measures the pipeline (reading, splitting, detection,
// parsing) into a sink that does nothing.
func BenchmarkRun(b *testing.B) {
	const n = 200_000
	data := benchCorpus(n)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	lines := 0
	for b.Loop() {
		sum, err := Run(b.Context(), Options{Paths: []string{"-"}, Stdin: bytes.NewReader(data)}, nopSink{})
		if err != nil || sum.Events != n {
			b.Fatalf("Run: %d events, %v", sum.Events, err)
		}
		lines += n
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkRunIndex measures ingest end to end into a real index on disk.
func BenchmarkRunIndex(b *testing.B) {
	const n = 50_000
	data := benchCorpus(n)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	lines := 0
	for b.Loop() {
		ix, err := index.Open(b.TempDir(), index.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s, err := NewIndexSink(ix)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := Run(b.Context(), Options{Paths: []string{"-"}, Stdin: bytes.NewReader(data)}, s)
		if err != nil || sum.Events != n {
			b.Fatalf("Run: %d events, %v", sum.Events, err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		lines += n
	}
	b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
}
