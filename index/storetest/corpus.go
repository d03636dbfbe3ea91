package storetest

import (
	"encoding/json"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// T0 is the time of the corpus's first event: every other time is a whole
// number of seconds after it.
var T0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return T0.Add(time.Duration(sec) * time.Second) }

// line describes one corpus line: the event, extra JSON members of the
// original line, and canonical fields that are derived (not in the line).
type line struct {
	ev      model.Event
	extra   map[string]any
	derived []string
}

const (
	dbError   = "dial tcp 10.0.0.5:5432: connect: connection refused"
	dbStack   = "goroutine 1 [running]:\nmain.load()\n\t/app/orders/db.go:42"
	saveStack = "goroutine 7 [running]:\nmain.save()\n\t/app/orders/save.go:9"
)

// corpusLines is the corpus. Sources are "api", "orders", "inv" and
// "plain"; a key "api:4" names a line. Oldest first (ties by source, then
// line) the keys are:
//
//	api:1 api:2 orders:1 api:3 inv:1 api:4 orders:2 inv:2 orders:3
//	api:5 orders:4 inv:3 inv:4 api:6 orders:5 api:7 plain:1 plain:2
//
// Errors (IsError): api:4 api:6 orders:2 orders:3 orders:5 inv:3.
func corpusLines() []line {
	api := func(n int64, sec int, e model.Event) model.Event {
		e.Source, e.Line, e.Time, e.Service, e.Host = "api", n, at(sec), "api", "h1"
		if e.Version == "" {
			e.Version = "1.0"
		}
		return e
	}
	orders := func(n int64, sec int, e model.Event) model.Event {
		e.Source, e.Line, e.Time, e.Service, e.Host, e.Version = "orders", n, at(sec), "orders", "h2", "2.0"
		return e
	}
	inv := func(n int64, sec int, e model.Event) model.Event {
		e.Source, e.Line, e.Time, e.Service = "inv", n, at(sec), "inventory"
		if !e.Text {
			e.Host, e.Version = "h3", "3.2"
		}
		return e
	}
	plain := func(n int64, sec int, e model.Event) model.Event {
		e.Source, e.Line, e.Time, e.Text = "plain", n, at(sec), true
		return e
	}
	return []line{
		{ev: api(1, 0, model.Event{Level: "info", Message: "request started", RequestID: "r-1", Method: "GET", Path: "/api/orders/1", Route: "GET /api/orders/{id}", User: "alice"})},
		{ev: api(2, 1, model.Event{Level: "info", Message: "request completed", RequestID: "r-1", Method: "GET", Path: "/api/orders/1", Route: "GET /api/orders/{id}", User: "alice", Status: 200, DurationMS: 12.5})},
		{ev: api(3, 2, model.Event{Level: "warn", Message: "slow request", RequestID: "r-2", Method: "POST", Path: "/api/orders", Route: "POST /api/orders", User: "bob", Status: 201, DurationMS: 950})},
		{ev: api(4, 3, model.Event{Level: "error", Message: "upstream failed", RequestID: "r-3", Method: "POST", Path: "/api/orders", Route: "POST /api/orders", User: "carol", Status: 502, DurationMS: 30,
			Error: "connection refused by orders", ErrorType: "UpstreamError", Fingerprint: "fp-up", IsError: true,
			TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7"})},
		{ev: api(5, 5, model.Event{Level: "info", Message: "request completed", RequestID: "r-4", Method: "GET", Path: "/api/orders/7", Route: "GET /api/orders/{id}", User: "alice", Status: 404, DurationMS: 3})},
		{ev: api(6, 8, model.Event{Level: "error", Message: "Timeout waiting for inventory", RequestID: "r-5", Method: "POST", Path: "/v1/inventory/reserve", Route: "POST /v1/inventory/reserve", User: "bob", Status: 504, DurationMS: 5000,
			Version: "1.1", Error: "context deadline exceeded", ErrorType: "TimeoutError", Fingerprint: "fp-timeout", IsError: true})},
		{ev: api(7, 10, model.Event{Level: "debug", Message: "cache miss key=user:42", Version: "1.1"}),
			extra: map[string]any{"ctx": map[string]any{"tenant": "acme", "region": "eu-west-1"}}},

		{ev: orders(1, 1, model.Event{Level: "info", Message: "loading order 1", RequestID: "r-1", User: "alice"})},
		{ev: orders(2, 3, model.Event{Level: "error", Message: "query failed", RequestID: "r-3", User: "carol", Status: 500,
			Error: dbError, ErrorType: "*net.OpError", Stack: dbStack, Fingerprint: "fp-db", IsError: true,
			TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "b7ad6b7169203331", ParentSpanID: "00f067aa0ba902b7"})},
		{ev: orders(3, 4, model.Event{Level: "fatal", Message: "panic: assignment to entry in nil map", RequestID: "r-6",
			ErrorType: "runtime.Error", Stack: saveStack, Fingerprint: "fp-panic", IsError: true})},
		// The route is derived from the path by the ingester: not in the line.
		{ev: orders(4, 6, model.Event{Level: "info", Message: "order shipped", RequestID: "r-7", User: "dave", Path: "/orders/7/ship", Route: "GET /orders/{id}/ship"}),
			derived: []string{"route"}},
		{ev: orders(5, 9, model.Event{Level: "error", Message: "query failed", RequestID: "r-8", User: "erin", Status: 500,
			Error: dbError, ErrorType: "*net.OpError", Fingerprint: "fp-db", IsError: true})},

		{ev: inv(1, 2, model.Event{Level: "info", Message: "reserved 3 items in warehouse eu-1", RequestID: "r-2", User: "bob", DurationMS: 4})},
		{ev: inv(2, 4, model.Event{Level: "warn", Message: "stock low for sku ABC-123"})},
		{ev: inv(3, 7, model.Event{Level: "error", Message: "lookup failed", RequestID: "r-9", User: "erin",
			Error: "KeyError: 'sku'", ErrorType: "KeyError", Fingerprint: "fp-key", IsError: true})},
		// A text line without a time of its own: it took the previous one's.
		{ev: inv(4, 7, model.Event{Message: "  Traceback (most recent call last):", Text: true, Untimed: true})},

		{ev: plain(1, 11, model.Event{Message: "plain text mentions Connection Refused too"})},
		{ev: plain(2, 11, model.Event{Message: "second plain line", Untimed: true})},
	}
}

// Corpus returns the events and deploys TestStore loads, each event with
// its original line in Raw (a JSON object, or the text of a text line) as
// an ingester would produce. Deploys come in no particular order and one
// time is not in UTC. Each call returns fresh slices.
func Corpus() ([]model.Event, []model.Deploy) {
	var evs []model.Event
	for _, l := range corpusLines() {
		e := l.ev
		if e.Text {
			e.Raw = []byte(e.Message)
		} else {
			e.Raw = rawJSON(&e, l.extra, l.derived)
		}
		evs = append(evs, e)
	}
	cet := time.FixedZone("CET", 3600)
	deploys := []model.Deploy{
		{Time: at(7).In(cet), Service: "api", Version: "1.1", Commit: "a11", Author: "bob", Environment: "prod", Source: "deploys.json", Line: 1,
			Hosts: "api-1", Status: "deployed", Description: "canary 1.1"},
		{Time: T0.Add(-30 * time.Minute), Service: "inventory", Version: "3.2", Commit: "c32", Author: "ci", Environment: "prod", Source: "deploys.json", Line: 2},
		{Time: T0.Add(-time.Hour), Service: "orders", Version: "2.0", Commit: "b20", Author: "dana", Environment: "prod", Source: "deploys.json", Line: 3},
		{Time: T0.Add(-30 * time.Minute), Service: "api", Version: "1.0", Commit: "a10", Author: "ci", Environment: "prod", Source: "deploys.json", Line: 4},
	}
	return evs, deploys
}

// rawJSON renders e as the JSON line a service would have logged.
func rawJSON(e *model.Event, extra map[string]any, derived []string) []byte {
	obj := map[string]any{"time": e.Time.Format(time.RFC3339Nano)}
	str := func(k, v string) {
		if v != "" {
			obj[k] = v
		}
	}
	str("level", e.Level)
	str("msg", e.Message)
	str("service", e.Service)
	str("host", e.Host)
	str("version", e.Version)
	str("request_id", e.RequestID)
	str("trace_id", e.TraceID)
	str("span_id", e.SpanID)
	str("parent_span_id", e.ParentSpanID)
	str("method", e.Method)
	str("path", e.Path)
	str("route", e.Route)
	str("user", e.User)
	str("error", e.Error)
	str("error_type", e.ErrorType)
	str("stack", e.Stack)
	if e.Status != 0 {
		obj["status"] = e.Status
	}
	if e.DurationMS != 0 {
		obj["duration_ms"] = e.DurationMS
	}
	for k, v := range extra {
		obj[k] = v
	}
	for _, k := range derived {
		delete(obj, k)
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		panic(err) // maps of strings and numbers always marshal
	}
	return raw
}
