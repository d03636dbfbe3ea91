package logline

import (
	"testing"

	"github.com/culprit-dev/culprit/index"
)

// benchLines are typical request log lines of about 350 bytes, one per
// common logger shape: flat (zap), nested (pino), dotted keys (ECS).
var benchLines = [][]byte{
	[]byte(`{"level":"info","ts":1795528931.0518222,"logger":"http","caller":"formats/main.go:117","msg":"request completed","service":"checkout-api","version":"v1.14.2","request_id":"d1a7f0ba-a320-4a7b-a91f-d65335bf9d7f","method":"GET","path":"/api/orders/1042","status":200,"duration":0.0124,"user_id":"u-1017","host":"checkout-7f9c-x2"}`),
	[]byte(`{"level":30,"time":1795531200275,"pid":22184,"hostname":"orders-7c9f6b5d4-h2x8q","service":"orders-api","req":{"id":"9b8e7d6c-1a2b-4c3d-8e9f-0a1b2c3d4e5f","method":"GET","url":"/api/orders/1042?expand=items","remoteAddress":"127.0.0.1"},"userId":"u-2231","res":{"statusCode":200},"responseTime":6,"msg":"request completed"}`),
	[]byte(`{"log.level":"info","@timestamp":"2026-11-24T14:44:50.388Z","service.name":"orders-api","service.version":"1.14.2","host.hostname":"orders-6d4c8b7f5-m9w2l","event.duration":1886096,"http":{"request":{"method":"GET","id":"b7e23ec2-9a1f-4c4b-8d3e-2f6a1c0d9e88"},"response":{"status_code":200}},"url":{"path":"/api/orders/1042"},"user":{"id":"u-1017"},"message":"handled request"}`),
}

// benchParse parses each line with its own source's mapping and reports
// lines per second.
func benchParse(b *testing.B, lines [][]byte) {
	maps := make([]*Mapping, len(lines))
	size := 0
	for i, l := range lines {
		m, err := Detect([][]byte{l}, nil)
		if err != nil {
			b.Fatal(err)
		}
		maps[i] = m
		size += len(l)
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	var ev index.Event
	n := 0
	for b.Loop() {
		i := n % len(lines)
		maps[i].Parse(lines[i], &ev)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkParse measures Parse on typical ~350-byte request lines.
func BenchmarkParse(b *testing.B) { benchParse(b, benchLines) }

// BenchmarkParseError measures Parse on error lines: stack parsing and
// fingerprinting included.
func BenchmarkParseError(b *testing.B) {
	benchParse(b, [][]byte{
		[]byte(`{"level":"error","ts":1795528931.0988777,"msg":"checkout failed","service":"checkout-api","request_id":"4498fc55-1782-43c7-aca1-abb097f037f3","method":"POST","path":"/api/checkout","status":500,"error":"reserve inventory for SKU-1042: pq: deadlock detected","stacktrace":"main.writeZap\n\texample.com/shop/cmd/formats/main.go:123\nmain.main\n\texample.com/shop/cmd/formats/main.go:95\nruntime.main\n\truntime/proc.go:290"}`),
		[]byte(`{"level":50,"time":1795531200269,"service":"orders-api","req":{"id":"9b8e7d6c-1a2b-4c3d-8e9f-0a1b2c3d4e5f","method":"POST","url":"/api/checkout"},"err":{"type":"TypeError","message":"Cannot read properties of undefined (reading 'price')","stack":"TypeError: Cannot read properties of undefined (reading 'price')\n    at /srv/shop.js:17:70\n    at Array.reduce (<anonymous>)\n    at priceCart (/srv/shop.js:17:21)\n    at checkout (/srv/shop.js:22:17)"},"msg":"checkout failed"}`),
	})
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

// BenchmarkParseTraced measures Parse on lines that carry trace context
// (W3C keys, a log4j2 contextMap, ECS trace.id): the cost of findTrace.
func BenchmarkParseTraced(b *testing.B) {
	benchParse(b, [][]byte{
		[]byte(`{"duration_ms":14.151,"host":"gateway-0","level":"info","message":"request completed","method":"GET","request_id":"d67a0a61-f709-4958-bc97-06508247ae4c","route":"GET /api/wallet","service":"gateway","span_id":"489bd0a06167818b","status":200,"timestamp":"2026-12-04T20:55:11.380Z","trace_id":"fd653a9c0ac8b274c78ea2bfd76c56d4","url":"/api/wallet","user_id":"u-1019","version":"1.12.0"}`),
		[]byte(`{"instant":{"epochSecond":1796417711,"nanoOfSecond":376520442},"thread":"pool-2-thread-3","level":"INFO","loggerName":"com.example.payments.Main","message":"wallet read: 0 EUR spent","endOfBatch":false,"contextMap":{"parentId":"489bd0a06167818b","spanId":"c9becf6f7233dcf3","traceId":"fd653a9c0ac8b274c78ea2bfd76c56d4"},"threadId":19,"service":"payments","host":"payments-0","version":"3.3.2"}`),
		[]byte(`{"@timestamp":"2026-12-04T20:55:15.133155903Z","db.statement":"SELECT qty FROM stock WHERE sku = $1","event.duration":4888,"log.level":"info","message":"query executed","parent.id":"4c0adca1007eda76","service.name":"db","span.id":"1908560906300e4b","trace.id":"586864e37b7998866e5860bbbcce7173"}`),
	})
}
