package index

import (
	"strings"
	"time"
)

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// fixture returns nine hand-written events covering the query features:
// words inside URLs and dotted names, JSON escapes and nested values, a
// text line, statuses and durations, a zero time, equal times in two
// sources, values longer than a bleve term and a NUL byte, words with
// digits. Keys used by the tests: A1..A6 (api.log), I1 (inv.log),
// O1 (orders.log), L1 (long.log).
func fixture() []Event {
	longPath := "/x" + strings.Repeat("x", 300)
	return []Event{
		{ // A1
			Time: t0, Level: "info", Message: "request started", Service: "api", RequestID: "r-1",
			Method: "POST", Path: "/v1/inventory/reserve", Route: "POST /v1/inventory/reserve", User: "alice",
			Source: "api.log", Line: 1,
			Raw: []byte(`{"time":"2024-05-01T10:00:00Z","level":"info","msg":"request started","service":"api","request_id":"r-1","method":"POST","path":"/v1/inventory/reserve","user_id":"alice"}`),
		},
		{ // I1
			Time: t0.Add(500 * time.Millisecond), Level: "error", Message: "reserve failed", Service: "inventory", RequestID: "r-1",
			Error: "dial tcp 10.0.0.7:5432: connect: connection refused", ErrorType: "ConnectionError", Status: 500, DurationMS: 1500.5,
			Stack: "goroutine 1 [running]:\nmain.reserve()\n\t/src/inv/reserve.go:42 +0x1d", Fingerprint: "fp-conn", IsError: true,
			Source: "inv.log", Line: 1,
			Raw: []byte(`{"time":"2024-05-01T10:00:00.5Z","level":"error","msg":"reserve failed","service":"inventory","request_id":"r-1","error":"dial tcp 10.0.0.7:5432: connect: connection refused","error_type":"ConnectionError","status":500,"duration_ms":1500.5,"stack":"goroutine 1 [running]:\nmain.reserve()\n\t/src/inv/reserve.go:42 +0x1d"}`),
		},
		{ // O1
			Time: t0.Add(time.Second), Level: "warn", Message: "slow query on svc.orders.Handler", Service: "orders", RequestID: "r-2",
			Method: "GET", Path: "/api/orders/17", Route: "GET /api/orders/{id}", Status: 200, DurationMS: 250, User: "bob",
			Source: "orders.log", Line: 1,
			Raw: []byte(`{"time":"2024-05-01T10:00:01Z","level":"warn","msg":"slow query on svc.orders.Handler","service":"orders","request_id":"r-2","method":"GET","path":"/api/orders/17","status":200,"duration_ms":250,"user_id":"bob","extra":{"note":"Café crème naïve"}}`),
		},
		{ // A2: a text line at the same time as O1
			Time: t0.Add(time.Second), Message: "plain text line with Connection REFUSED words", Service: "api",
			Text: true, Untimed: true, Source: "api.log", Line: 2,
			Raw: []byte(`plain text line with Connection REFUSED words`),
		},
		{ // A3
			Time: t0.Add(2 * time.Second), Level: "info", Message: "not found", Service: "api", RequestID: "r-3", Status: 404, User: "carol",
			Source: "api.log", Line: 3,
			Raw: []byte(`{"time":"2024-05-01T10:00:02Z","level":"info","msg":"not found","service":"api","request_id":"r-3","status":404,"user_id":"carol","tags":["alpha","beta-gamma"],"note":"a \"quoted\" caf\u00e9 \ud83d\ude00 emoji"}`),
		},
		{ // A4
			Time: t0.Add(3*time.Second + 123456789), Level: "fatal", Message: "panic: runtime error", Service: "api", RequestID: "r-3",
			Status: 503, User: "carol", Host: "api-1", Version: "v2.0.1", Fingerprint: "fp-panic", IsError: true,
			Source: "api.log", Line: 4,
			Raw: []byte(`{"time":"2024-05-01T10:00:03.123456789Z","level":"fatal","msg":"panic: runtime error","service":"api","request_id":"r-3","status":503,"user_id":"carol","host":"api-1","version":"v2.0.1"}`),
		},
		{ // A5: no time at all
			Message: "no time at all", Service: "api", Untimed: true, Source: "api.log", Line: 5,
			Raw: []byte(`{"msg":"no time at all","service":"api"}`),
		},
		{ // L1: values longer than a bleve term, a NUL byte
			Time: t0.Add(4 * time.Second), Level: "debug", Message: "long path", Path: longPath, User: "nul\x00user", Truncated: true,
			Source: "long.log", Line: 1,
			Raw: []byte(`{"time":"2024-05-01T10:00:04Z","level":"debug","msg":"long path","path":"` + longPath + `","user":"nul\u0000user"}`),
		},
		{ // A6: words with digits
			Time: t0.Add(5 * time.Second), Level: "error", Message: "order 12345 failed for sku AB12CD", Service: "api", RequestID: "r-4",
			Status: 502, Error: "upstream returned 502", Fingerprint: "fp-upstream", IsError: true,
			Source: "api.log", Line: 6,
			Raw: []byte(`{"time":"2024-05-01T10:00:05Z","level":"error","msg":"order 12345 failed for sku AB12CD","service":"api","request_id":"r-4","status":502,"error":"upstream returned 502"}`),
		},
	}
}

// fixtureKey names fixture events as the tests do.
var fixtureKey = map[string]string{
	"api.log:1": "A1", "inv.log:1": "I1", "orders.log:1": "O1", "api.log:2": "A2", "api.log:3": "A3",
	"api.log:4": "A4", "api.log:5": "A5", "long.log:1": "L1", "api.log:6": "A6",
}

func fixtureKeys(evs []Event) string {
	var out []string
	for _, e := range evs {
		out = append(out, fixtureKey[key(e)])
	}
	return strings.Join(out, " ")
}
