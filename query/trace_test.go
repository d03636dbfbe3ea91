package query

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const (
	traceA = "4bf92f3577b34da6a3ce929d0e0e4736"
	traceB = "0af7651916cd43dd8448eb211c80319c"
)

// tracedRequest adds one request through gateway (which alone logs the
// request id), checkout and inventory (which log only the trace id, as
// their request id too, as ingest does), with checkout's clock off by skew.
func tracedRequest(c *corpus, at time.Time, rid, trace string, skew time.Duration, fail bool) {
	ms := time.Millisecond
	c.add(Event{Time: at, Service: "gateway", RequestID: rid, TraceID: trace, SpanID: "aaaa000000000001", Route: "POST /api/checkout", User: "u-7", Message: "request started"})
	c.add(Event{Time: at.Add(5*ms + skew), Service: "checkout", RequestID: trace, TraceID: trace, SpanID: "bbbb000000000002", ParentSpanID: "aaaa000000000001", Message: "placing order"})
	c.add(Event{Time: at.Add(10 * ms), Service: "inventory", RequestID: trace, TraceID: trace, SpanID: "cccc000000000003", ParentSpanID: "bbbb000000000002", Message: "reserving", Host: "inv-1", Version: "2.0"})
	if fail {
		c.add(Event{Time: at.Add(12 * ms), Service: "inventory", RequestID: trace, TraceID: trace, SpanID: "cccc000000000003", Level: "error",
			ErrorType: "*stock.Error", Error: "negative stock", Stack: goStack, Host: "inv-1", Version: "2.0"})
		c.add(Event{Time: at.Add(20*ms + skew), Service: "checkout", RequestID: trace, TraceID: trace, SpanID: "bbbb000000000002", Level: "error",
			ErrorType: "HTTPError", Error: "reserve failed: 500"})
		c.add(Event{Time: at.Add(30 * ms), Service: "gateway", RequestID: rid, TraceID: trace, SpanID: "aaaa000000000001", Level: "error", Status: 502,
			Message: "request failed", DurationMS: 30, Route: "POST /api/checkout", User: "u-7"})
		return
	}
	c.add(Event{Time: at.Add(30 * ms), Service: "gateway", RequestID: rid, TraceID: trace, SpanID: "aaaa000000000001", Status: 201,
		Message: "request completed", DurationMS: 30, Route: "POST /api/checkout", User: "u-7"})
}

func TestRequestFollowsTrace(t *testing.T) {
	var c corpus
	tracedRequest(&c, t0, "req-1", traceA, 0, true)
	tracedRequest(&c, t0.Add(time.Second), "req-2", traceB, 0, false)
	r, err := New(c.store(), Options{}).Request(t.Context(), "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(r.Services, ","), "gateway,checkout,inventory"; got != want {
		t.Errorf("services = %s, want %s (the trace joins the services that log no request id)", got, want)
	}
	if len(r.Events) != 6 || r.EventsTotal != 6 {
		t.Fatalf("events = %d (total %d), want the 6 lines of trace A only", len(r.Events), r.EventsTotal)
	}
	for _, e := range r.Events {
		want := LinkedTraceID
		if e.Service == "gateway" {
			want = LinkedRequestID
		}
		if e.LinkedBy != want {
			t.Errorf("%s %q linked_by = %q, want %q", e.Service, e.Message, e.LinkedBy, want)
		}
	}
	if len(r.TraceIDs) != 1 || r.TraceIDs[0] != traceA {
		t.Errorf("trace_ids = %v, want [%s]", r.TraceIDs, traceA)
	}
	if len(r.LinkedIDs) != 2 || r.LinkedIDs[0].Via != "pasted" || r.LinkedIDs[1] != (LinkedID{ID: traceA, Via: LinkedTraceID, Events: 6}) {
		t.Errorf("linked_ids = %+v, want the pasted id, then trace A (6 events)", r.LinkedIDs)
	}
	if r.Error == nil || r.Error.Service != "inventory" {
		t.Fatalf("root error = %+v, want inventory's (the deepest service of the chain)", r.Error)
	}
	if r.Bound != "" {
		t.Errorf("bound = %q, want none", r.Bound)
	}
}

func TestRequestByTraceID(t *testing.T) {
	var c corpus
	tracedRequest(&c, t0, "req-1", traceA, 0, true)
	tracedRequest(&c, t0.Add(time.Second), "req-2", traceB, 0, false)
	for _, id := range []string{traceA, strings.ToUpper(traceA)} {
		r, err := New(c.store(), Options{}).Request(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Found || len(r.Events) != 6 {
			t.Fatalf("Request(%s): found %v, %d events, want the 6 lines of the trace", id, r.Found, len(r.Events))
		}
		if got := strings.Join(r.Services, ","); got != "gateway,checkout,inventory" {
			t.Errorf("Request(%s): services = %s", id, got)
		}
		for _, e := range r.Events {
			if e.Service == "gateway" && e.LinkedBy != LinkedTraceID {
				t.Errorf("gateway line linked_by = %q, want trace_id (the pasted ID is its trace id)", e.LinkedBy)
			}
		}
	}
}

func TestRequestExpansionBounds(t *testing.T) {
	var c corpus
	// One request id whose lines carry 30 trace ids (a batch job, or a
	// constant id): the expansion follows at most MaxLinkedIDs ids.
	for i := range 30 {
		tr := fmt.Sprintf("%032x", i+1)
		c.add(Event{Time: t0.Add(time.Duration(i) * time.Second), Service: "batch", RequestID: "job-1", TraceID: tr, Message: "item"})
		c.add(Event{Time: t0.Add(time.Duration(i)*time.Second + time.Millisecond), Service: "worker", RequestID: tr, TraceID: tr, Message: "work"})
	}
	r, err := New(c.store(), Options{}).Request(t.Context(), "job-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.LinkedIDs) > MaxLinkedIDs {
		t.Errorf("linked ids = %d, want at most %d", len(r.LinkedIDs), MaxLinkedIDs)
	}
	if r.Bound == "" || !strings.Contains(r.Bound, fmt.Sprint(MaxLinkedIDs)) {
		t.Errorf("bound = %q, want it to say the id bound was hit", r.Bound)
	}
	if got, want := len(r.Events), 30+MaxLinkedIDs-1; got != want {
		t.Errorf("events = %d, want %d (the 30 batch lines and the worker lines of the %d traces followed)", got, want, MaxLinkedIDs-1)
	}
}

func TestRequestLineBoundIsSaid(t *testing.T) {
	var c corpus
	for i := range MaxRequestEvents + 5 {
		c.add(Event{Time: t0.Add(time.Duration(i) * time.Millisecond), Service: "s", RequestID: "-", Message: "x"})
	}
	r, err := New(c.store(), Options{}).Request(t.Context(), "-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Bound, fmt.Sprint(MaxRequestEvents)) {
		t.Errorf("bound = %q, want it to say only %d lines were kept", r.Bound, MaxRequestEvents)
	}
}

func TestRootByChainIgnoresSkew(t *testing.T) {
	// checkout's clock runs 1.5 s ahead: its wrapper sorts after
	// everything, and inventory's root error sorts first anyway; with the
	// clock 1.5 s behind, checkout's wrapper sorts before inventory's error.
	for _, skew := range []time.Duration{1500 * time.Millisecond, -1500 * time.Millisecond} {
		var c corpus
		tracedRequest(&c, t0, "req-1", traceA, skew, true)
		evs := c.evs
		ri := rootIndex(evs)
		if ri < 0 || evs[ri].Service != "inventory" {
			t.Errorf("skew %s: root = %d (%+v), want inventory's error", skew, ri, evs[max(ri, 0)])
		}
	}
}

func TestRootWrapperNamingDownstream(t *testing.T) {
	// No spans: the gateway's error names orders, so it wraps orders'
	// error even though a skewed clock logs it 2 s earlier.
	evs := []Event{
		{Time: t0, Service: "gateway", RequestID: "r", IsError: true, Level: "error", ErrorType: "UpstreamError", Error: "upstream orders responded 500"},
		{Time: t0.Add(2 * time.Second), Service: "orders", RequestID: "r", IsError: true, Level: "error", Error: "pq: relation missing", Stack: goStack},
	}
	if ri := rootIndex(evs); ri != 1 {
		t.Errorf("rootIndex = %d, want 1 (orders' error, which the gateway's names)", ri)
	}
}

func TestClockOffsets(t *testing.T) {
	var c corpus
	tracedRequest(&c, t0, "req-1", traceA, -1500*time.Millisecond, false)
	g := buildCallGraph(c.evs)
	if g.entry != "gateway" {
		t.Fatalf("entry = %q, want gateway", g.entry)
	}
	offs := clockOffsets(c.evs, g)
	if len(offs) != 1 || offs[0].Service != "checkout" {
		t.Fatalf("offsets = %+v, want checkout's only (inventory's clock is right)", offs)
	}
	if got, want := offs[0].Statement(), "checkout's clock runs 1.5 s behind gateway"; got != want {
		t.Errorf("statement = %q, want %q", got, want)
	}
	if offs[0].Min > -1.5 || offs[0].Max < -1.5 {
		t.Errorf("bounds [%v, %v] exclude the true offset -1.5", offs[0].Min, offs[0].Max)
	}
	// A request with right clocks shows no offset.
	var ok corpus
	tracedRequest(&ok, t0, "req-1", traceA, 0, false)
	if offs := clockOffsets(ok.evs, buildCallGraph(ok.evs)); len(offs) != 0 {
		t.Errorf("offsets with right clocks = %+v, want none", offs)
	}
}

func TestRequestSkipsPlaceholderIDs(t *testing.T) {
	// The gateway logs a placeholder request id on a line of the trace,
	// and a constant shared by thousands of unrelated lines: neither is
	// followed.
	var c corpus
	tracedRequest(&c, t0, "req-1", traceA, 0, true)
	c.add(Event{Time: t0.Add(40 * time.Millisecond), Service: "gateway", RequestID: "-", TraceID: traceA, Message: "audit"})
	c.add(Event{Time: t0.Add(41 * time.Millisecond), Service: "gateway", RequestID: "batch-000001", TraceID: traceA, Message: "audit"})
	for i := range maxDerivedLines + 10 {
		c.add(Event{Time: t0.Add(time.Duration(i) * time.Second), Service: "batch", RequestID: "-", Message: "tick"})
		c.add(Event{Time: t0.Add(time.Duration(i)*time.Second + 1), Service: "batch", RequestID: "batch-000001", Message: "tick"})
	}
	r, err := New(c.store(), Options{}).Request(t.Context(), "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != 8 {
		t.Errorf("events = %d, want the 8 lines of the trace only", len(r.Events))
	}
	if !strings.Contains(r.Bound, "batch-000001") {
		t.Errorf("bound = %q, want it to say the shared id was not followed", r.Bound)
	}
}
