package query

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestConfigKey(t *testing.T) {
	cases := []struct{ typ, msg, want string }{
		{"KeyError", "'PROMO_RULES_PATH'", "PROMO_RULES_PATH"},
		{"", "KeyError: 'DATABASE_URL'", "DATABASE_URL"},
		{"KeyError", "'discount'", ""}, // a data bug, not config
		{"Error", "environment variable STRIPE_KEY is not set", "STRIPE_KEY"},
		{"ConfigError", "missing required config key payments.currency", "payments.currency"},
		{"IllegalArgumentException", "Could not resolve placeholder 'app.rates.url' in value \"${app.rates.url}\"", "app.rates.url"},
		{"", "required key RATES_URL missing value", "RATES_URL"},
		{"", "invalid setting timeout_ms", "timeout_ms"},
		{"TypeError", "cannot read properties of undefined (reading 'id')", ""},
		{"", "connection refused", ""},
	}
	for _, c := range cases {
		if got := configKey(c.typ, c.msg, ""); got != c.want {
			t.Errorf("configKey(%q, %q) = %q, want %q", c.typ, c.msg, got, c.want)
		}
	}
}

// healthyOrders is two hours of successful orders traffic.
func healthyOrders(c *corpus) {
	c.traffic("orders", "ok", routes, users(40), t0, t0.Add(2*time.Hour), 10*time.Second)
}

func TestMisconfigurationAfterDeploy(t *testing.T) {
	var c corpus
	healthyOrders(&c)
	c.deploy(t0.Add(50*time.Minute), "orders", "1.8.0")
	c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
	c.failures("bad", failSpec{service: "orders", typ: "KeyError", msg: "'PAYMENT_URL'", fp: "fp-cfg",
		from: t0.Add(60*time.Minute + 5*time.Second), to: t0.Add(80 * time.Minute), step: 30 * time.Second,
		routes: routes[:1], users: users(30)})
	r, err := New(c.store(), Options{}).Request(t.Context(), "bad-2")
	if err != nil {
		t.Fatal(err)
	}
	v := r.Verdict
	if v == nil || v.Cause != CauseMisconfiguration {
		t.Fatalf("verdict = %+v, want misconfiguration", v)
	}
	if !strings.Contains(v.Summary, "PAYMENT_URL") || !strings.Contains(v.Summary, "orders 1.9.0") {
		t.Errorf("summary = %q, want the key and the deploy named", v.Summary)
	}
	if r.Deploy == nil || !r.Deploy.Suspect || r.Deploy.Version != "1.9.0" {
		t.Errorf("deploy = %+v, want orders 1.9.0 blamed (the deploy dropped the key)", r.Deploy)
	}
	if !strings.Contains(strings.Join(v.NextSteps, "\n"), "roll back orders 1.9.0 to 1.8.0") {
		t.Errorf("next steps = %q, want the rollback", v.NextSteps)
	}
}

func TestMisconfigurationAtStartup(t *testing.T) {
	var c corpus
	healthyOrders(&c)
	c.add(Event{Time: t0.Add(59 * time.Minute), Service: "orders", Message: "orders starting on :8080"})
	c.failures("bad", failSpec{service: "orders", typ: "Error", msg: "environment variable DATABASE_URL is not set", fp: "fp-cfg",
		from: t0.Add(59*time.Minute + 5*time.Second), to: t0.Add(70 * time.Minute), step: 30 * time.Second,
		routes: routes[:1], users: users(30)})
	r, err := New(c.store(), Options{}).Request(t.Context(), "bad-2")
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict == nil || r.Verdict.Cause != CauseMisconfiguration || !strings.Contains(r.Verdict.Summary, "DATABASE_URL") ||
		!strings.Contains(r.Verdict.Summary, "since it started") {
		t.Fatalf("verdict = %+v, want misconfiguration of DATABASE_URL since the start-up", r.Verdict)
	}
	if r.Deploy != nil && r.Deploy.Suspect {
		t.Errorf("deploy %+v blamed without a deploy", r.Deploy)
	}
}

// crashCorpus: gateway calls inventory; inventory panics (plain-text crash
// output, as the Go runtime prints it, with no service of its own) at
// crashAt and starts again 2 s later. Request "hit" was in flight when it
// died; request "refused" came after.
func crashCorpus() *corpus {
	var c corpus
	c.traffic("gateway", "ok", routes, users(40), t0, t0.Add(2*time.Hour), 10*time.Second)
	crashAt := t0.Add(time.Hour)
	ms := time.Millisecond
	for i := range 20 {
		at := t0.Add(time.Duration(30+i) * time.Minute)
		tr := fmt.Sprintf("%032x", i+1)
		c.add(Event{Time: at, Service: "inventory", TraceID: tr, SpanID: "bbbbbbbb00000002", ParentSpanID: "aaaaaaaa00000001", Message: "request completed", Status: 200, DurationMS: 3})
		c.add(Event{Time: at.Add(5 * ms), Service: "gateway", RequestID: fmt.Sprintf("g-%d", i), TraceID: tr, SpanID: "aaaaaaaa00000001", Route: routes[0], Status: 200, Message: "request completed", DurationMS: 8})
	}
	hit := "ffffffffffffffffffffffffffffff01"
	c.add(Event{Time: crashAt.Add(-2 * ms), Service: "inventory", TraceID: hit, SpanID: "bbbbbbbb00000009", ParentSpanID: "aaaaaaaa00000009", Message: "reserving stock"})
	c.add(Event{Time: crashAt, Source: "inventory.log", Message: "panic: runtime error: index out of range [12] with length 10"})
	c.add(Event{Time: crashAt, Source: "inventory.log", Message: "goroutine 780 [running]:"})
	c.add(Event{Time: crashAt.Add(3 * ms), Service: "gateway", RequestID: "hit", TraceID: hit, SpanID: "aaaaaaaa00000009", Route: routes[1], User: "u-001",
		Level: "error", Status: 502, ErrorType: "UpstreamError", Error: "upstream inventory request failed: socket hang up", DurationMS: 6})
	c.add(Event{Time: crashAt.Add(time.Second), Service: "gateway", RequestID: "refused", Route: routes[2], User: "u-002",
		Level: "error", Status: 502, ErrorType: "UpstreamError", Error: "upstream inventory request failed: connect ECONNREFUSED 10.0.0.7:8080", DurationMS: 1})
	c.add(Event{Time: crashAt.Add(2 * time.Second), Service: "inventory", Message: "inventory starting", Host: "inventory-0"})
	return &c
}

func TestCrashTriggeredByTheRequest(t *testing.T) {
	r, err := New(crashCorpus().store(), Options{}).Request(t.Context(), "hit")
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict == nil || r.Verdict.Cause != CauseCrash {
		t.Fatalf("verdict = %+v, want crash", r.Verdict)
	}
	if e := r.Error; e == nil || e.Service != "inventory" || e.Type != "panic" || !strings.HasPrefix(e.Message, "runtime error: index out of range") {
		t.Errorf("root error = %+v, want inventory's panic (it died while the request was in flight)", e)
	}
	text := strings.Join(append([]string{r.Verdict.Summary}, r.Verdict.Evidence...), "\n")
	for _, want := range []string{"inventory crashed", "restarted 2 s later", "likely trigger", "was down 2 s"} {
		if !strings.Contains(text, want) {
			t.Errorf("verdict lacks %q:\n%s", want, text)
		}
	}
}

func TestCrashSeenAsRefusedConnections(t *testing.T) {
	r, err := New(crashCorpus().store(), Options{}).Request(t.Context(), "refused")
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict == nil || r.Verdict.Cause != CauseCrash {
		t.Fatalf("verdict = %+v, want crash", r.Verdict)
	}
	if r.Error == nil || r.Error.Service != "gateway" {
		t.Errorf("root error = %+v, want the gateway's refused connection (inventory was already down)", r.Error)
	}
	if !strings.Contains(strings.Join(r.Verdict.Evidence, "\n"), "before this request reached it") {
		t.Errorf("evidence = %q, want the crash placed before the request", r.Verdict.Evidence)
	}
}

// slowDB: checkout calls db; db's queries take ~2 ms, then 2.5 s from
// slowAt; checkout's calls time out.
func slowDB(timeoutErr bool) *corpus {
	var c corpus
	c.traffic("checkout", "ok", routes, users(40), t0, t0.Add(2*time.Hour), 10*time.Second)
	slowAt := t0.Add(time.Hour)
	for i := range 240 {
		at := t0.Add(30*time.Minute + time.Duration(i)*15*time.Second)
		d := 2.0 + float64(i%3)
		if !at.Before(slowAt) {
			d = 2500
		}
		c.add(Event{Time: at, Service: "db", Message: "query executed", DurationMS: d, TraceID: fmt.Sprintf("%032x", i+1), ParentSpanID: "cccccccc00000001", SpanID: fmt.Sprintf("%016x", i+1)})
	}
	for i := range 10 {
		at := slowAt.Add(time.Duration(i)*30*time.Second + 3*time.Second)
		tr := fmt.Sprintf("%032x", 1000+i)
		c.add(Event{Time: at.Add(-2500 * time.Millisecond), Service: "db", Message: "query executed", DurationMS: 2500, TraceID: tr, SpanID: "dddddddd00000001", ParentSpanID: "cccccccc00000002"})
		e := Event{Time: at, Service: "checkout", RequestID: fmt.Sprintf("slow-%d", i), TraceID: tr, SpanID: "cccccccc00000002", Route: routes[3],
			User: fmt.Sprintf("u-%03d", i+1), Level: "error", Status: 500, ErrorType: "TimeoutError", Error: "timed out"}
		if !timeoutErr {
			e.ErrorType, e.Error = "OrderError", "order could not be placed"
		}
		c.add(e)
	}
	return &c
}

func TestDependencyNamedWithItsLatency(t *testing.T) {
	r, err := New(slowDB(true).store(), Options{}).Request(t.Context(), "slow-3")
	if err != nil {
		t.Fatal(err)
	}
	v := r.Verdict
	if v == nil || v.Cause != CauseDependency || !strings.Contains(v.Summary, "calling db") {
		t.Fatalf("verdict = %+v, want a dependency failure calling db", v)
	}
	ev := strings.Join(v.Evidence, "\n")
	if !strings.Contains(ev, "db's latency rose from p50") || !strings.Contains(ev, "p95 2.5 s") {
		t.Errorf("evidence = %s\nwant db's p50/p95 before and during", ev)
	}
	if !strings.Contains(ev, "5xx rate") {
		t.Errorf("evidence = %s\nwant the 5xx rate against the window before", ev)
	}
}

func TestDependencyFromLatencyAlone(t *testing.T) {
	r, err := New(slowDB(false).store(), Options{}).Request(t.Context(), "slow-3")
	if err != nil {
		t.Fatal(err)
	}
	if v := r.Verdict; v == nil || v.Cause != CauseDependency || !strings.Contains(v.Summary, "latency of db") {
		t.Fatalf("verdict = %+v, want a dependency failure from db's latency (the error itself names no dependency)", v)
	}
}

func TestBlastRadiusFromWholeRequests(t *testing.T) {
	// payments fails on payments-1 only and logs neither route nor user;
	// the gateway logs both for the same traces.
	var c corpus
	c.traffic("gateway", "ok", routes, users(40), t0, t0.Add(2*time.Hour), 10*time.Second)
	for i := range 12 {
		at := t0.Add(time.Hour + time.Duration(i)*20*time.Second)
		tr := fmt.Sprintf("%032x", i+1)
		c.add(Event{Time: at, Service: "payments", Host: "payments-1", Version: "3.4.0", TraceID: tr, SpanID: "bbbbbbbb00000002", ParentSpanID: "aaaaaaaa00000001",
			Level: "error", ErrorType: "ArithmeticException", Error: "Non-terminating decimal expansion", Fingerprint: "fp-pay"})
		c.add(Event{Time: at.Add(time.Millisecond), Service: "gateway", RequestID: fmt.Sprintf("p-%d", i), TraceID: tr, SpanID: "aaaaaaaa00000001",
			Route: routes[3], User: fmt.Sprintf("u-%03d", i+1), Level: "error", Status: 502, Message: "upstream payments responded 500"})
	}
	r, err := New(c.store(), Options{}).Request(t.Context(), "p-4")
	if err != nil {
		t.Fatal(err)
	}
	if r.Error == nil || r.Error.Service != "payments" {
		t.Fatalf("root error = %+v, want payments'", r.Error)
	}
	b := r.BlastRadius
	if b == nil || len(b.Endpoints) != 1 || b.Endpoints[0].Route != routes[3] || b.Endpoints[0].Count != 12 {
		t.Fatalf("endpoints = %+v, want %s for all 12 requests (from the gateway's lines)", b, routes[3])
	}
	if b.UsersAffected != 12 {
		t.Errorf("users affected = %d, want 12", b.UsersAffected)
	}
	has := func(field, value string) bool {
		for _, o := range b.Outliers {
			if o.Field == field && o.Value == value {
				return true
			}
		}
		return false
	}
	if !has("host", "payments-1") || !has("version", "3.4.0") {
		t.Errorf("outliers = %+v, want host=payments-1 and version=3.4.0", b.Outliers)
	}
}

func TestWrapperGroupListsEveryDownstreamBug(t *testing.T) {
	// The gateway logs one generic wrapper for two different downstream
	// bugs: its group wraps both and defines no cause of its own.
	var c corpus
	c.traffic("gateway", "ok", routes, users(40), t0, t0.Add(2*time.Hour), 10*time.Second)
	for i := range 10 {
		at := t0.Add(time.Hour + time.Duration(i)*time.Minute)
		tr := fmt.Sprintf("%032x", i+1)
		svc, fp := "checkout", "fp-checkout-bug"
		if i%2 == 1 {
			svc, fp = "inventory", "fp-inventory-bug"
		}
		c.add(Event{Time: at, Service: svc, TraceID: tr, SpanID: "bbbbbbbb00000002", ParentSpanID: "aaaaaaaa00000001", Level: "error",
			ErrorType: "E", Error: svc + " failed", Fingerprint: fp})
		c.add(Event{Time: at.Add(time.Millisecond), Service: "gateway", RequestID: fmt.Sprintf("w-%d", i), TraceID: tr, SpanID: "aaaaaaaa00000001",
			Level: "error", Status: 502, ErrorType: "UpstreamError", Error: "upstream responded 502", Fingerprint: "fp-gateway-wrapper"})
	}
	gs, err := New(c.store(), Options{}).Errors(t.Context(), ErrorsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var w *ErrorGroup
	for i := range gs {
		if gs[i].Fingerprint == "fp-gateway-wrapper" {
			w = &gs[i]
		}
	}
	if w == nil {
		t.Fatal("no gateway group")
	}
	if w.WrapperOf == "" || len(w.Wraps) != 2 {
		t.Errorf("gateway group wrapper_of %q wraps %v, want both downstream groups", w.WrapperOf, w.Wraps)
	}
	if gs[len(gs)-1].Fingerprint != "fp-gateway-wrapper" {
		t.Errorf("the wrapper group is not listed after the root groups")
	}
	for _, g := range gs {
		if g.Fingerprint == w.WrapperOf && (w.Cause != g.Cause || w.New) {
			t.Errorf("wrapper cause %q (new %v), want the wrapped group's %q and not new", w.Cause, w.New, g.Cause)
		}
	}
}
