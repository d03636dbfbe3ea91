package logline

import (
	"testing"

	"github.com/culprit-dev/culprit/index"
)

// benchLines are typical lines of about 350 bytes: an access log line of
// each of the common Go and Node loggers.
var benchLines = [][]byte{
	[]byte(`{"level":"info","ts":1795528931.0518222,"logger":"http","caller":"formats/main.go:117","msg":"request completed","service":"checkout-api","version":"v1.14.2","request_id":"d1a7f0ba-a320-4a7b-a91f-d65335bf9d7f","method":"GET","path":"/api/orders/1042","status":200,"duration":0.0124,"user_id":"u-1017","host":"checkout-7f9c-x2"}`),
}

// BenchmarkParse measures Parse on a typical 350-byte zap line and reports
// lines per second.
func BenchmarkParse(b *testing.B) {
	m, err := Detect(benchLines, nil)
	if err != nil {
		b.Fatal(err)
	}
	line := benchLines[0]
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var ev index.Event
	n := 0
	for b.Loop() {
		m.Parse(line, &ev)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkDetect measures choosing a mapping from a 100-line sample.
func BenchmarkDetect(b *testing.B) {
	sample := make([][]byte, 100)
	for i := range sample {
		sample[i] = benchLines[i%len(benchLines)]
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Detect(sample, nil); err != nil {
			b.Fatal(err)
		}
	}
}
