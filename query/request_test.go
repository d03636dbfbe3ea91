package query

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	_ Store        = (*countingStore)(nil)
	_ MultiFaceter = multiStore{}
)

var t0 = time.Date(2025, 1, 6, 14, 0, 0, 0, time.UTC)

var routes = []string{"GET /api/orders/{id}", "POST /api/orders", "GET /api/cart", "POST /api/checkout", "GET /api/users/{id}/profile"}

const goStack = `goroutine 42 [running]:
runtime/debug.Stack()
	/usr/local/go/src/runtime/debug/stack.go:26 +0x5e
main.(*server).middleware.func1.1()
	/app/orders/main.go:140 +0x9c
panic({0x6f5c80?, 0x9b1a30?})
	/usr/local/go/src/runtime/panic.go:785 +0x132
main.(*server).profile(0xc000010000, {0x7a3b20, 0xc0000a4000}, 0xc0000b6000)
	/app/orders/main.go:212 +0x1d
net/http.HandlerFunc.ServeHTTP(0xc0000a2000?, {0x7a3b20?, 0xc0000a4000?}, 0x0?)
	/usr/local/go/src/net/http/server.go:2294 +0x29
net/http.(*ServeMux).ServeHTTP(0x0?, {0x7a3b20, 0xc0000a4000}, 0xc0000b6000)
	/usr/local/go/src/net/http/server.go:2822 +0x1c4
net/http.serverHandler.ServeHTTP({0xc0000c8000?}, {0x7a3b20?, 0xc0000a4000?}, 0x6?)
	/usr/local/go/src/net/http/server.go:3301 +0x8e
net/http.(*conn).serve(0xc0000b4000, {0x7a4000, 0xc0000a6000})
	/usr/local/go/src/net/http/server.go:2102 +0x625
created by net/http.(*Server).Serve in goroutine 1
	/usr/local/go/src/net/http/server.go:3454 +0x485`

// failSpec describes a run of failures of one error group.
type failSpec struct {
	service, typ, msg, fp string
	from, to              time.Time
	step                  time.Duration
	routes, users         []string
}

// failures adds one failed request per step: its error event (with route,
// user and a stack) under request id prefix-N.
func (c *corpus) failures(prefix string, s failSpec) {
	for i, t := 0, s.from; !t.After(s.to); i, t = i+1, t.Add(s.step) {
		c.add(Event{Time: t, Service: s.service, RequestID: fmt.Sprintf("%s-%d", prefix, i), Route: s.routes[i%len(s.routes)],
			User: s.users[i%len(s.users)], Level: "error", Message: "handler failed", ErrorType: s.typ, Error: s.msg,
			Stack: goStack, Fingerprint: s.fp, Host: "h1", Version: "1.0"})
	}
}

// routeUsers returns the users the traffic generator sends to routes[r].
func routeUsers(r int, us []string) []string {
	seen := map[string]bool{}
	var out []string
	for i := r; i < 720; i += len(routes) {
		u := us[(i*7)%len(us)]
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// scenario is a corpus with two hours of healthy traffic plus one error
// group, and the request to investigate.
type scenario struct {
	name      string
	build     func(c *corpus)
	id        string
	cause     string
	suspect   string // "service version" of the suspect deploy, "" for none
	summary   string // substring of the verdict summary
	scope     string
	userScope string
	evidence  string // substring of one evidence line, if set
}

func verdictScenarios() []scenario {
	us := users(40)
	healthy := func(c *corpus) { c.traffic("orders", "ok", routes, us, t0, t0.Add(2*time.Hour), 10*time.Second) }
	return []scenario{
		{
			name: "deployment regression",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(30*time.Minute), "gateway", "4.1.0")
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CauseDeployment, suspect: "orders 1.9.0",
			summary: "Deployment regression: orders 1.9.0, deployed 6 s before the first occurrence — rollback candidate",
			scope:   ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			name: "regression needs logs from before the deploy",
			build: func(c *corpus) {
				c.traffic("orders", "ok", routes, us, t0.Add(61*time.Minute), t0.Add(2*time.Hour), 10*time.Second)
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(61*time.Minute + 20*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CausePreExisting, suspect: "orders 1.9.0", summary: "Pre-existing error",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			// Another service's older logs say nothing about this one: the
			// failing service logs only from after its deploy.
			name: "regression needs the failing service's logs from before the deploy",
			build: func(c *corpus) {
				c.traffic("gateway", "gw", routes[2:], us, t0, t0.Add(2*time.Hour), 10*time.Second)
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CauseUnknown, suspect: "orders 1.9.0", summary: "Cause unknown",
			evidence: "orders logged nothing before that deploy",
			scope:    ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			// A service that logs only its errors: its endpoint's traffic,
			// logged by the gateway before the deploy, is the evidence.
			name: "regression from the endpoint's traffic before the deploy",
			build: func(c *corpus) {
				c.traffic("gateway", "gw", routes, us, t0, t0.Add(2*time.Hour), 10*time.Second)
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CauseDeployment, suspect: "orders 1.9.0",
			summary:  "Deployment regression: orders 1.9.0, deployed 6 s before the first occurrence — rollback candidate",
			evidence: "GET /api/orders/{id} was requested before that deploy (orders logged nothing before it), and the logs, which start 1 h before it",
			scope:    ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			name: "regression needs no occurrence before the deploy",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.failures("early", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(20 * time.Minute), to: t0.Add(20 * time.Minute), step: time.Minute,
					routes: routes[:2], users: us[12:13]})
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CauseUnknown, suspect: "", summary: "Cause unknown",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			name: "dependency failure by kind beats a fresh deploy",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.failures("bad", failSpec{service: "orders", typ: "*net.OpError", msg: "dial tcp 10.0.0.5:5432: connect: connection refused", fp: "fp-refused",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(70 * time.Minute), step: 30 * time.Second,
					routes: routes[:1], users: us})
			},
			id: "bad-1", cause: CauseDependency, suspect: "orders 1.9.0", summary: "Dependency failure (connection refused) in orders: *net.OpError: dial tcp 10.0.0.5:5432: connect: connection refused — check the dependency's health; orders 1.9.0 was deployed 6 s before",
			scope: ScopeSingleEndpoint, userScope: UserScopeBroad,
		},
		{
			name: "dependency failure by breadth",
			build: func(c *corpus) {
				healthy(c)
				c.failures("bad", failSpec{service: "orders", typ: "ValueError", msg: "unexpected result set", fp: "fp-wide",
					from: t0.Add(50 * time.Minute), to: t0.Add(70 * time.Minute), step: 20 * time.Second,
					routes: routes[:4], users: us})
			},
			id: "bad-5", cause: CauseDependency, suspect: "", summary: "spans 4 of 5 active endpoints",
			scope: ScopeMostEndpoints, userScope: UserScopeBroad,
		},
		{
			name: "pre-existing",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(60*time.Minute), "gateway", "4.1.0")
				c.failures("bad", failSpec{service: "orders", typ: "KeyError", msg: "'discount'", fp: "fp-old",
					from: t0.Add(40 * time.Second), to: t0.Add(110 * time.Minute), step: 5 * time.Minute,
					routes: routes[1:3], users: us})
			},
			id: "bad-14", cause: CausePreExisting, suspect: "", summary: "present since the start of the logs (first seen 40 s in)",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			name: "pre-existing despite other services starting up after the logs begin",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(5*time.Second), "db", "0.7.2")
				c.deploy(t0.Add(10*time.Second), "gateway", "2.4.0")
				c.failures("bad", failSpec{service: "orders", typ: "KeyError", msg: "'sku'", fp: "fp-old",
					from: t0.Add(40 * time.Second), to: t0.Add(110 * time.Minute), step: 5 * time.Minute,
					routes: routes[1:3], users: us})
			},
			id: "bad-14", cause: CausePreExisting, suspect: "gateway 2.4.0", summary: "present since the start of the logs (first seen 40 s in)",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			name: "not pre-existing when its own service was deployed in between",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(10*time.Second), "orders", "1.8.4")
				c.failures("bad", failSpec{service: "orders", typ: "KeyError", msg: "'sku'", fp: "fp-old",
					from: t0.Add(40 * time.Second), to: t0.Add(110 * time.Minute), step: 5 * time.Minute,
					routes: routes[1:3], users: us})
			},
			id: "bad-14", cause: CauseDeployment, suspect: "orders 1.8.4", summary: "Deployment regression: orders 1.8.4",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			name: "data-specific bug",
			build: func(c *corpus) {
				healthy(c)
				c.failures("bad", failSpec{service: "orders", typ: "TypeError", msg: "cannot read properties of null (reading 'loyalty')", fp: "fp-data",
					from: t0.Add(50 * time.Minute), to: t0.Add(70 * time.Minute), step: 2 * time.Minute,
					routes: routes[:1], users: routeUsers(0, us)[1:2]})
			},
			id: "bad-2", cause: CauseDataBug, suspect: "", summary: "only 1 of 8 users of GET /api/orders/{id} hit it",
			scope: ScopeSingleEndpoint, userScope: UserScopeSpecific,
		},
		{
			name: "code-path bug on a rarely used endpoint",
			build: func(c *corpus) {
				healthy(c)
				c.failures("bad", failSpec{service: "orders", typ: "ZeroDivisionError", msg: "division by zero", fp: "fp-code",
					from: t0.Add(50 * time.Minute), to: t0.Add(70 * time.Minute), step: 20 * time.Second,
					routes: routes[:1], users: routeUsers(0, us)})
			},
			id: "bad-2", cause: CauseCodePath, suspect: "", summary: "Code-path bug: every failure is on GET /api/orders/{id}",
			scope: ScopeSingleEndpoint, userScope: UserScopeBroad,
		},
		{
			name: "regression rolled back: the errors stopped",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(30*time.Minute), "orders", "1.8.0")
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.deploy(t0.Add(80*time.Minute), "orders", "1.8.0")
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(80 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CauseDeployment, suspect: "orders 1.9.0", summary: "Deployment regression: orders 1.9.0",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad, evidence: "the errors stopped after the rollback at 2025-01-06T15:20:00.000Z to 1.8.0",
		},
		{
			name: "errors that go on after the rollback were not caused by the deploy",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(30*time.Minute), "orders", "1.8.0")
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.deploy(t0.Add(70*time.Minute), "orders", "1.8.0")
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CauseUnknown, suspect: "orders 1.9.0", summary: "Cause unknown",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad, evidence: "the errors went on after the rollback",
		},
		{
			name: "a canary on another host is not the cause",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.deploys[len(c.deploys)-1].Hosts = "h2"
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CauseUnknown, suspect: "orders 1.9.0", summary: "Cause unknown",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
		{
			name: "a canary on the failing host is",
			build: func(c *corpus) {
				healthy(c)
				c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
				c.deploys[len(c.deploys)-1].Hosts = "h1"
				c.failures("bad", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
					from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
					routes: routes[:2], users: us[:12]})
			},
			id: "bad-3", cause: CauseDeployment, suspect: "orders 1.9.0", summary: "Deployment regression: orders 1.9.0",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad, evidence: "the deploy went to h1 only, and the error is on h1",
		},
		{
			name: "unknown",
			build: func(c *corpus) {
				healthy(c)
				c.failures("bad", failSpec{service: "orders", typ: "RuntimeError", msg: "weird state", fp: "fp-unknown",
					from: t0.Add(50 * time.Minute), to: t0.Add(70 * time.Minute), step: 20 * time.Second,
					routes: routes[:2], users: us[:10]})
			},
			id: "bad-2", cause: CauseUnknown, suspect: "", summary: "Cause unknown",
			scope: ScopeSeveralEndpoints, userScope: UserScopeBroad,
		},
	}
}

func TestRequestVerdicts(t *testing.T) {
	for _, sc := range verdictScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			var c corpus
			sc.build(&c)
			for _, multi := range []bool{false, true} {
				var st Store = c.store()
				if multi {
					st = multiStore{c.store()}
				}
				r, err := New(st, Options{}).Request(t.Context(), sc.id)
				if err != nil {
					t.Fatalf("Request(%q): %v", sc.id, err)
				}
				if !r.Found || r.Verdict == nil || r.BlastRadius == nil || r.Group == nil {
					t.Fatalf("Request(%q) = found %v verdict %v blast %v group %v, want all set", sc.id, r.Found, r.Verdict, r.BlastRadius, r.Group)
				}
				if r.Verdict.Cause != sc.cause {
					t.Errorf("multi=%v cause = %s, want %s\nsummary: %s\nevidence: %q", multi, r.Verdict.Cause, sc.cause, r.Verdict.Summary, r.Verdict.Evidence)
				}
				if !strings.Contains(r.Verdict.Summary, sc.summary) {
					t.Errorf("summary = %q, want it to contain %q", r.Verdict.Summary, sc.summary)
				}
				got := ""
				if r.Deploy != nil {
					got = r.Deploy.Service + " " + r.Deploy.Version
				}
				if got != sc.suspect {
					t.Errorf("deploy shown = %q, want %q", got, sc.suspect)
				}
				// Suspect means blamed: only a deployment regression flags
				// the deploy, in deploy and in deploys_nearby alike.
				blamed := sc.cause == CauseDeployment
				if r.Deploy != nil && r.Deploy.Suspect != blamed {
					t.Errorf("deploy.suspect = %v under %s, want %v", r.Deploy.Suspect, r.Verdict.Cause, blamed)
				}
				for _, d := range r.DeploysNearby {
					if d.Suspect && (!blamed || d.Version != r.Deploy.Version) {
						t.Errorf("deploys_nearby flags %s %s suspect under %s", d.Service, d.Version, r.Verdict.Cause)
					}
				}
				if sc.evidence != "" && !strings.Contains(strings.Join(r.Verdict.Evidence, "\n"), sc.evidence) {
					t.Errorf("evidence = %q, want a line containing %q", r.Verdict.Evidence, sc.evidence)
				}
				if r.BlastRadius.Scope != sc.scope || r.BlastRadius.UserScope != sc.userScope {
					t.Errorf("scope = %s/%s, want %s/%s (blast %+v)", r.BlastRadius.Scope, r.BlastRadius.UserScope, sc.scope, sc.userScope, *r.BlastRadius)
				}
				if len(r.Verdict.Evidence) == 0 || len(r.Verdict.NextSteps) == 0 {
					t.Errorf("verdict without evidence or next steps: %+v", *r.Verdict)
				}
			}
		})
	}
}

func TestRequestRootErrorAndChain(t *testing.T) {
	var c corpus
	c.traffic("gateway", "ok", routes, users(10), t0, t0.Add(10*time.Minute), 10*time.Second)
	at := t0.Add(5 * time.Minute)
	ms := time.Millisecond
	c.add(Event{Time: at, Service: "gateway", RequestID: "r-wrap", Route: "POST /api/checkout", Message: "request started"})
	c.add(Event{Time: at.Add(2 * ms), Service: "orders", RequestID: "r-wrap", Route: "POST /api/checkout", Message: "checkout"})
	c.add(Event{Time: at.Add(8 * ms), Service: "orders", RequestID: "r-wrap", Level: "error", Message: "something odd"})
	c.add(Event{Time: at.Add(10 * ms), Service: "inventory", RequestID: "r-wrap", Level: "error", Message: "reserve failed",
		ErrorType: "*inventory.StockError", Error: "sku SKU-1001: negative stock", Stack: goStack})
	c.add(Event{Time: at.Add(20 * ms), Service: "orders", RequestID: "r-wrap", Level: "error", Message: "reserve stock",
		Error: "inventory: returned status 500"})
	c.add(Event{Time: at.Add(30 * ms), Service: "gateway", RequestID: "r-wrap", Level: "error", Status: 502, Message: "upstream failed"})
	c.add(Event{Time: at.Add(31 * ms), Service: "gateway", RequestID: "r-wrap", Status: 502, Message: "request completed", Route: "POST /api/checkout"})

	r, err := New(c.store(), Options{}).Request(t.Context(), "r-wrap")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != 7 || r.EventsTotal != 7 {
		t.Fatalf("events = %d (total %d), want 7", len(r.Events), r.EventsTotal)
	}
	if got, want := strings.Join(r.Services, ","), "gateway,orders,inventory"; got != want {
		t.Errorf("services = %s, want %s", got, want)
	}
	e := r.Error
	if e == nil || e.Service != "inventory" || e.Message != "sku SKU-1001: negative stock" || e.Type != "*inventory.StockError" {
		t.Fatalf("root error = %+v, want the inventory stock error", e)
	}
	if e.Source != "inventory.log:4"+"" && !strings.HasPrefix(e.Source, "inventory.log:") {
		t.Errorf("root source = %q", e.Source)
	}
	if e.Route != "" && e.Route != "POST /api/checkout" {
		t.Errorf("root route = %q", e.Route)
	}
	var chain []string
	for _, x := range e.Chain {
		chain = append(chain, x.Service+":"+x.Message)
	}
	if got, want := strings.Join(chain, " | "), "orders:reserve stock | gateway:upstream failed | gateway:request completed"; got != want {
		t.Errorf("chain = %s, want %s", got, want)
	}
	if !e.Time.Equal(at.Add(10 * ms)) {
		t.Errorf("root time = %s", e.Time)
	}
	if r.Events[0].Fields == nil {
		t.Errorf("event fields = nil, want the original object")
	}
}

func TestRootErrorTieAcrossTimePrecisions(t *testing.T) {
	// pino logs whole milliseconds, slog nanoseconds: the gateway's wrapper
	// sorts before the orders panic it wraps, in the same millisecond.
	at := t0.Add(5*time.Minute + 123*time.Millisecond)
	evs := []Event{
		{Time: at.Add(-40 * time.Millisecond), Service: "gateway", RequestID: "r", Message: "incoming request"},
		{Time: at.Add(-39*time.Millisecond + 417*time.Microsecond), Service: "orders", RequestID: "r", Message: "start"},
		{Time: at, Service: "gateway", RequestID: "r", IsError: true, Level: "error", Error: "upstream orders returned 500", Stack: "Error: upstream\n    at x (/app/gw.js:1:1)"},
		{Time: at.Add(612 * time.Microsecond), Service: "orders", RequestID: "r", IsError: true, Level: "error", Error: "runtime error: invalid memory address", Stack: goStack},
		{Time: at.Add(2 * time.Millisecond), Service: "gateway", RequestID: "r", IsError: true, Status: 502, Message: "request errored"},
	}
	if got := rootIndex(evs); got != 3 {
		t.Fatalf("rootIndex = %d, want 3 (the orders panic, not the gateway wrapper logged in the same millisecond)", got)
	}
	re := rootError(evs, 3, buildCallGraph(evs), func(int) string { return MatchRequestID })
	if len(re.Chain) != 2 || re.Chain[0].Service != "gateway" || re.Chain[1].Status != 502 {
		t.Errorf("chain = %+v, want the gateway wrapper and the 502", re.Chain)
	}
	// Without a start line the gateway joins with its wrapper; the wrapper
	// still reads as an upstream failure and loses the tie.
	noStart := append([]Event{evs[1]}, evs[2:]...)
	if got := rootIndex(noStart); got != 2 {
		t.Errorf("rootIndex without the gateway's start line = %d, want 2 (the orders panic)", got)
	}
	// A millisecond-precision wrapper logged after a nanosecond-precision
	// error is later, whatever the services.
	later := []Event{evs[1], evs[3], evs[2], evs[4]}
	later[2].Time = at.Add(time.Millisecond)
	if got := rootIndex(later); got != 1 {
		t.Errorf("rootIndex = %d, want 1 (the panic logged before the wrapper's millisecond)", got)
	}
	// Nanosecond digits are a precision of their own: 583 ns before the
	// wrapper's millisecond is before it.
	ns := []Event{
		{Time: at.Add(-2 * time.Second), Service: "orders", RequestID: "r", Message: "start"},
		{Time: at.Add(-583), Service: "orders", RequestID: "r", IsError: true, Level: "error", Error: "db: context deadline exceeded"},
		{Time: at, Service: "gateway", RequestID: "r", IsError: true, Level: "error", Error: "UpstreamError: orders returned 500", ErrorType: "UpstreamError"},
	}
	if got := rootIndex(ns); got != 1 {
		t.Errorf("rootIndex = %d, want 1 (orders logged 583 ns before the gateway's millisecond)", got)
	}
	// A wrapper that names the service it calls wraps that service's
	// error even when a skewed clock puts it clearly earlier.
	evs[2].Time = at.Add(-5 * time.Millisecond)
	if got := rootIndex(evs); got != 3 {
		t.Errorf("rootIndex = %d, want 3 (the gateway error names orders: it wraps the orders panic whatever the clocks say)", got)
	}
}

func TestRootIndexFallsBackToFirstErrorEvent(t *testing.T) {
	evs := []Event{
		{Message: "start"},
		{Message: "request completed", Status: 500, IsError: true},
		{Message: "later", Level: "error", IsError: true},
	}
	if got := rootIndex(evs); got != 1 {
		t.Errorf("rootIndex = %d, want 1 (the first error event when none has a message or stack)", got)
	}
	if got := rootIndex(evs[:1]); got != -1 {
		t.Errorf("rootIndex(no errors) = %d, want -1", got)
	}
}

func TestRequestSucceeded(t *testing.T) {
	var c corpus
	c.traffic("orders", "ok", routes, users(10), t0, t0.Add(10*time.Minute), 10*time.Second)
	r, err := New(c.store(), Options{}).Request(t.Context(), "ok-5")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Found || len(r.Events) != 1 || r.Error != nil || r.Group != nil || r.Deploy != nil || r.BlastRadius != nil || r.Verdict != nil {
		t.Errorf("Request(ok-5) = %+v, want found with one event and nothing else", r)
	}
	if r.DeploysNearby == nil || r.Services == nil {
		t.Errorf("nil slices in %+v", r)
	}
}

func TestRequestUnknownID(t *testing.T) {
	var c corpus
	c.traffic("orders", "ok", routes, users(10), t0, t0.Add(10*time.Minute), 10*time.Second)
	c.add(Event{Time: t0.Add(time.Minute), Service: "orders", RequestID: "7f3a9c2e-5b1d-4c1e-9a7b-0d2c3e4f5a6b", Message: "x"})
	cases := []struct {
		id, want string
	}{
		{"7f3a9c", "request IDs starting with 7f3a9c: 7f3a9c2e-5b1d-4c1e-9a7b-0d2c3e4f5a6b"},
		{"7F3A9C2E", "request IDs starting with 7f3a9c2e: 7f3a9c2e-5b1d-4c1e-9a7b-0d2c3e4f5a6b"},
		{"ok-5000000", "request IDs starting with ok-50: ok-50"},
		{"ok-", "request IDs starting with ok-: ok-59, ok-58, ok-57, ok-56, ok-55"},
		{"nope", "no request nope among 61 events from 2025-01-06T14:00:00.000Z to 2025-01-06T14:09:50.000Z"},
		{`a"b\c*`, "no request a\"b\\c* among"},
	}
	inv := New(c.store(), Options{})
	for _, tc := range cases {
		r, err := inv.Request(t.Context(), tc.id)
		if err != nil {
			t.Fatalf("Request(%q): %v", tc.id, err)
		}
		if r.Found || len(r.Events) != 0 || r.Error != nil {
			t.Errorf("Request(%q) found %v with %d events, want not found", tc.id, r.Found, len(r.Events))
		}
		if !strings.Contains(r.Hint, tc.want) {
			t.Errorf("Request(%q).Hint = %q, want it to contain %q", tc.id, r.Hint, tc.want)
		}
	}

	r, err := New(newCountingStore(nil, nil), Options{}).Request(t.Context(), "abc")
	if err != nil {
		t.Fatal(err)
	}
	if r.Found || !strings.Contains(r.Hint, "index is empty") {
		t.Errorf("empty index: %+v", r)
	}
	if r, err := inv.Request(t.Context(), ` "ok-5" `); err != nil || !r.Found || r.RequestID != "ok-5" {
		t.Errorf("Request(quoted id) = %+v, %v; want ok-5 found", r, err)
	}
	if _, err := inv.Request(t.Context(), "  "); err == nil {
		t.Error("Request(blank) succeeded, want an error")
	}
}

func TestPlaceDeploys(t *testing.T) {
	first := t0.Add(time.Hour)
	d := func(off time.Duration, svc, ver string) Deploy {
		return Deploy{Time: first.Add(off), Service: svc, Version: ver}
	}
	failed := d(-time.Minute, "orders", "broken")
	failed.Status = "failed"
	failed28 := d(5*time.Second, "orders", "2.8.0")
	failed28.Status = "failed"
	canary := d(-3*time.Minute, "orders", "canary")
	canary.Hosts = "orders-1"
	o := Options{}.withDefaults()
	cases := []struct {
		name      string
		deploys   []Deploy
		service   string
		host      string
		version   string // the version the error's line names
		want      string // version of the deploy shown, "" for none
		candidate bool   // it is a regression candidate (same service, reached the host)
		nearby    []string
	}{
		{"none", nil, "orders", "", "", "", false, nil},
		{"never after first seen", []Deploy{d(time.Second, "orders", "after"), d(-10*time.Minute, "gateway", "before")}, "orders", "", "", "before", false,
			[]string{"before*", "after"}},
		{"at first seen counts", []Deploy{d(0, "orders", "same-instant")}, "orders", "", "", "same-instant", true, []string{"same-instant*"}},
		{"same service preferred within the window", []Deploy{d(-20*time.Minute, "orders", "mine"), d(-2*time.Minute, "gateway", "theirs")},
			"orders", "", "", "mine", true, []string{"mine*", "theirs"}},
		{"same service case-insensitive", []Deploy{d(-20*time.Minute, "Orders", "mine"), d(-2*time.Minute, "gateway", "theirs")},
			"orders", "", "", "mine", true, []string{"mine*", "theirs"}},
		{"same service outside the window loses to the latest", []Deploy{d(-45*time.Minute, "orders", "mine"), d(-2*time.Minute, "gateway", "theirs")},
			"orders", "", "", "theirs", false, []string{"mine", "theirs*"}},
		{"latest of any service when none is ours", []Deploy{d(-3*time.Hour, "db", "old"), d(-50*time.Minute, "gateway", "g")},
			"orders", "", "", "g", false, []string{"g*"}},
		{"shown even when far", []Deploy{d(-5*time.Hour, "db", "far"), d(3*time.Hour, "db", "later")}, "orders", "", "", "far", false, []string{"far*"}},
		{"latest same-service among several", []Deploy{d(-25*time.Minute, "orders", "a"), d(-5*time.Minute, "orders", "b")}, "orders", "", "", "b", true,
			[]string{"a", "b*"}},
		{"a failed deploy never ran its version", []Deploy{d(-10*time.Minute, "orders", "good"), failed}, "orders", "", "", "good", true,
			[]string{"good*", "broken"}},
		{"a canary applies to its hosts", []Deploy{d(-20*time.Minute, "orders", "base"), canary}, "orders", "orders-1", "", "canary", true,
			[]string{"base", "canary*"}},
		{"a deploy of another version than the error's is not its regression", []Deploy{d(-20*time.Minute, "orders", "2.7.1"), d(-time.Minute, "gateway", "g"), failed28},
			"orders", "", "2.8.0", "g", false, []string{"2.7.1", "g*", "2.8.0"}},
		{"versions the history does not know are not compared", []Deploy{d(-20*time.Minute, "orders", "2.7.1")},
			"orders", "", "build-77", "2.7.1", true, []string{"2.7.1*"}},
		{"a canary does not apply to other hosts", []Deploy{d(-20*time.Minute, "orders", "base"), canary}, "orders", "orders-0", "", "base", true,
			[]string{"base*", "canary"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, cand, nearby := placeDeploys(tc.deploys, first, tc.service, tc.host, tc.version, o)
			got := ""
			if s != nil {
				got = s.Version
				if s.Time.After(first) {
					t.Errorf("shown deploy %s is after first seen", s.Version)
				}
				if s.Suspect {
					t.Error("placeDeploys flagged a suspect: only the verdict blames")
				}
			}
			if got != tc.want || cand != tc.candidate {
				t.Errorf("shown = %q (candidate %v), want %q (%v)", got, cand, tc.want, tc.candidate)
			}
			var ns []string
			for _, n := range nearby {
				v := n.Version
				if s != nil && n.Time.Equal(s.Time) && n.Version == s.Version {
					v += "*"
				}
				if n.Suspect {
					t.Errorf("nearby %s flagged suspect", n.Version)
				}
				ns = append(ns, v)
				if want := n.Time.Sub(first).Seconds(); n.OffsetSeconds != want {
					t.Errorf("offset of %s = %v, want %v", n.Version, n.OffsetSeconds, want)
				}
			}
			if strings.Join(ns, ",") != strings.Join(tc.nearby, ",") {
				t.Errorf("nearby = %v, want %v", ns, tc.nearby)
			}
		})
	}
}

func TestDependencyKind(t *testing.T) {
	cases := []struct {
		typ, msg, stack, want string
	}{
		{"", "dial tcp 10.0.0.5:5432: connect: connection refused", "", "connection refused"},
		{"", "Error: connect ECONNREFUSED 127.0.0.1:6379", "", "connection refused"},
		{"", "read tcp 10.0.0.1:4000->10.0.0.5:5432: i/o timeout", "", "timeout"},
		{"", "context deadline exceeded", "", "timeout"},
		{"", "getaddrinfo ENOTFOUND db.internal", "", "DNS failure"},
		{"", "lookup db on 10.0.0.2:53: no such host", "", "DNS failure"},
		{"", "pq: sorry, too many clients already", "", "connection pool exhausted"},
		{"", "HikariPool-1 - Connection is not available, request timed out after 30000ms.", "", "connection pool exhausted"},
		{"", "upstream inventory returned status 503", "", "upstream 5xx"},
		{"", "502 Bad Gateway", "", "upstream 5xx"},
		{"requests.exceptions.ConnectionError", "Max retries exceeded", "", "connection refused"},
		{"ETIMEDOUT", "", "", "timeout"},
		{"", "read: connection reset by peer", "", "connection reset"},
		{"", "boom", "Traceback (most recent call last):\n  File \"/app/db.py\", line 3, in q\n    conn.connect(timeout=3)\nConnectionRefusedError: [Errno 111] Connection refused", "connection refused"},
		{"", "boom", "java.net.SocketTimeoutException: Read timed out\n\tat java.net.SocketInputStream.read(SocketInputStream.java:150)", "timeout"},
		// Not dependencies: frames and code lines that merely mention timeouts.
		{"", "assignment to entry in nil map", "goroutine 1 [running]:\nnet/http.(*timeoutHandler).ServeHTTP(0xc0)\n\t/usr/local/go/src/net/http/server.go:3500 +0x1", ""},
		{"", "division by zero", "Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in requestWithTimeout\n    x = 1 / 0\nZeroDivisionError: division by zero", ""},
		{"KeyError", "'discount'", "", ""},
		{"", "order 503 not found", "", ""},
	}
	for _, tc := range cases {
		if got := dependencyKind(tc.typ, tc.msg, tc.stack); got != tc.want {
			t.Errorf("dependencyKind(%q, %q, stack) = %q, want %q", tc.typ, tc.msg, got, tc.want)
		}
	}
}

func TestScopes(t *testing.T) {
	cases := []struct {
		aff, act int
		want     string
	}{
		{0, 5, ScopeUnknown}, {1, 5, ScopeSingleEndpoint}, {2, 3, ScopeSeveralEndpoints},
		{3, 6, ScopeMostEndpoints}, {3, 7, ScopeSeveralEndpoints}, {4, 5, ScopeMostEndpoints},
	}
	for _, tc := range cases {
		if got := scopeOf(tc.aff, tc.act); got != tc.want {
			t.Errorf("scopeOf(%d, %d) = %s, want %s", tc.aff, tc.act, got, tc.want)
		}
	}
	ucases := []struct {
		aff, act int
		want     string
	}{
		{0, 5, ScopeUnknown}, {1, 1, UserScopeBroad}, {1, 5, UserScopeSpecific}, {2, 5, UserScopeBroad},
		{5, 20, UserScopeSpecific}, {5, 24, UserScopeSpecific}, {6, 24, UserScopeBroad}, {20, 100, UserScopeSpecific}, {21, 100, UserScopeBroad},
	}
	for _, tc := range ucases {
		if got := userScopeOf(tc.aff, tc.act); got != tc.want {
			t.Errorf("userScopeOf(%d, %d) = %s, want %s", tc.aff, tc.act, got, tc.want)
		}
	}
}

func TestBlastRadiusNumbers(t *testing.T) {
	var sc scenario
	for _, s := range verdictScenarios() {
		if s.name == "data-specific bug" {
			sc = s
		}
	}
	var c corpus
	sc.build(&c)
	r, err := New(c.store(), Options{}).Request(t.Context(), sc.id)
	if err != nil {
		t.Fatal(err)
	}
	b := r.BlastRadius
	victim := routeUsers(0, users(40))[1]
	if b.EndpointsAffected != 1 || b.EndpointsActive != 5 || b.UsersAffected != 1 || b.UsersActive != 40 || b.UsersOnEndpoint != 8 {
		t.Errorf("blast = %+v", *b)
	}
	if len(b.Endpoints) != 1 || b.Endpoints[0] != (EndpointCount{"GET /api/orders/{id}", 11}) {
		t.Errorf("endpoints = %+v", b.Endpoints)
	}
	if len(b.Users) != 1 || b.Users[0].User != victim {
		t.Errorf("users = %+v, want %s", b.Users, victim)
	}
	if got := strings.Join(b.Services, ","); got != "orders" {
		t.Errorf("services = %s", got)
	}
	found := map[string]Outlier{}
	for _, o := range b.Outliers {
		found[o.Field+"="+o.Value] = o
		if o.FailureShare < 2*o.BaselineShare || o.FailureShare-o.BaselineShare < 0.2 {
			t.Errorf("outlier %+v is not over-represented", o)
		}
	}
	if o, ok := found["user="+victim]; !ok || o.FailureShare != 1 || o.BaselineShare > 0.2 {
		t.Errorf("user outlier = %+v (all %+v)", o, b.Outliers)
	}
	if o, ok := found["route=GET /api/orders/{id}"]; !ok || o.FailureShare != 1 || o.BaselineShare < 0.15 || o.BaselineShare > 0.3 {
		t.Errorf("route outlier = %+v (all %+v)", o, b.Outliers)
	}
	if _, ok := found["service=orders"]; ok {
		t.Error("service orders is all of the traffic, not an outlier")
	}
	if g := r.Group; g.Count != 11 || g.Requests != 11 || g.FirstRequestID != "bad-0" || !g.FirstSeen.Equal(t0.Add(50*time.Minute)) ||
		!g.LastSeen.Equal(t0.Add(70*time.Minute)) || len(g.Histogram) != histogramBuckets {
		t.Errorf("group = %+v", *g)
	}
	total := 0
	for _, h := range r.Group.Histogram {
		total += h.Count
	}
	if total != 11 {
		t.Errorf("histogram holds %d occurrences, want 11", total)
	}
}

// TestOutlierExactBaselineCount: a failing value beyond the baseline's top
// buckets is counted exactly, not guessed.
func TestOutlierExactBaselineCount(t *testing.T) {
	var c corpus
	many := users(120)
	c.traffic("orders", "ok", routes, many, t0, t0.Add(2*time.Hour), 5*time.Second)
	c.failures("bad", failSpec{service: "orders", typ: "TypeError", msg: "bad data", fp: "fp-data",
		from: t0.Add(50 * time.Minute), to: t0.Add(70 * time.Minute), step: 2 * time.Minute,
		routes: routes, users: []string{"zz-rare"}})
	st := c.store()
	r, err := New(st, Options{}).Request(t.Context(), "bad-1")
	if err != nil {
		t.Fatal(err)
	}
	var got *Outlier
	for i, o := range r.BlastRadius.Outliers {
		if o.Field == "user" {
			got = &r.BlastRadius.Outliers[i]
		}
	}
	// Window events with a user: the traffic of [50 min, 70 min + 1 s) plus 11 failures.
	want := round3(11.0 / float64(20*60/5+1+11))
	if got == nil || got.Value != "zz-rare" || got.BaselineShare != want {
		t.Errorf("user outlier = %+v, want zz-rare with baseline share %v", got, want)
	}
}

func TestRequestStoreCalls(t *testing.T) {
	build := func(n int) *corpus {
		var c corpus
		c.traffic("orders", "ok", routes, users(40), t0, t0.Add(2*time.Hour), 10*time.Second)
		c.deploy(t0.Add(time.Hour), "orders", "1.9.0")
		c.failures("bad", failSpec{service: "orders", typ: "E", msg: "nil map", fp: "fp-x",
			from: t0.Add(61 * time.Minute), to: t0.Add(80 * time.Minute), step: 30 * time.Second,
			routes: routes[:1], users: users(3)})
		for i := range n {
			c.add(Event{Time: t0.Add(61*time.Minute + time.Duration(i)*time.Millisecond), Service: "orders", RequestID: "bad-0", Message: "step"})
		}
		return &c
	}
	calls := func(st Store, fs *countingStore) int {
		fs.resetCalls()
		if _, err := New(st, Options{}).Request(t.Context(), "bad-0"); err != nil {
			t.Fatal(err)
		}
		return fs.totalCalls()
	}
	small, big := build(3), build(2500)
	fsSmall, fsBig := small.store(), big.store()
	cs, cb := calls(fsSmall, fsSmall), calls(fsBig, fsBig)
	// 2503 events take three pages instead of one: two more Finds, nothing per event.
	if cb != cs+2 {
		t.Errorf("store calls: %d for a 4-event request, %d for a 2504-event one; want only the 2 extra pages", cs, cb)
	}
	if cs > 24 {
		t.Errorf("store calls = %d, want at most 24 (one Facet per field, request_id and trace_id included; two histograms for the 5xx rate)", cs)
	}
	m := multiStore{small.store()}
	if cm := calls(m, m.countingStore); cm > 12 {
		t.Errorf("store calls with a MultiFaceter = %d, want at most 12", cm)
	}
	t.Logf("store calls per Request: %d (Facet per field), MultiFaceter fewer", cs)
}

func TestRequestCapsEvents(t *testing.T) {
	var c corpus
	for i := range MaxRequestEvents + 5 {
		c.add(Event{Time: t0.Add(time.Duration(i) * time.Millisecond), Service: "s", RequestID: "-", Message: "x"})
	}
	r, err := New(c.store(), Options{}).Request(t.Context(), "-")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != MaxRequestEvents || r.EventsTotal != MaxRequestEvents+5 {
		t.Errorf("events = %d of %d, want %d of %d", len(r.Events), r.EventsTotal, MaxRequestEvents, MaxRequestEvents+5)
	}
}

func TestBlastWindow(t *testing.T) {
	o := Options{}.withDefaults()
	cases := []struct {
		first, last time.Time
		from, to    time.Time
	}{
		{t0.Add(500 * time.Millisecond), t0.Add(500 * time.Millisecond), t0.Add(-149 * time.Second), t0.Add(151 * time.Second)},
		{t0, t0.Add(30 * time.Minute), t0, t0.Add(30*time.Minute + time.Second)},
		{t0, t0.Add(5 * time.Hour), t0, t0.Add(time.Hour)},
	}
	for _, tc := range cases {
		from, to := o.blastWindow(tc.first, tc.last)
		if !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("blastWindow(%s, %s) = %s, %s; want %s, %s", tc.first, tc.last, from, to, tc.from, tc.to)
		}
	}
}

func TestCulpritFrame(t *testing.T) {
	cases := []struct{ stack, want string }{
		{goStack, "main.(*server).profile (orders/main.go:212)"},
		{"Traceback (most recent call last):\n  File \"/usr/lib/python3.12/site-packages/flask/app.py\", line 9, in wsgi\n    x()\n  File \"/app/orders.py\", line 12, in checkout\n    total / n\nZeroDivisionError: division by zero",
			"checkout (app/orders.py:12)"},
		{"java.lang.NullPointerException: x\n\tat java.base/java.util.Objects.requireNonNull(Objects.java:209)\n\tat com.acme.orders.Checkout.total(Checkout.java:42)\n\tat org.springframework.web.Foo.bar(Foo.java:1)",
			"com.acme.orders.Checkout.total (Checkout.java:42)"},
		{"TypeError: Cannot read properties of null (reading 'loyalty')\n    at price (/app/src/price.js:14:22)\n    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)",
			"price (src/price.js:14:22)"},
		{trimpathStack, "main.loyaltyDiscount (orders/pricing_loyalty.go:20)"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := culpritText(tc.stack); got != tc.want {
			t.Errorf("culpritText(%.30q) = %q, want %q", tc.stack, got, tc.want)
		}
	}
}

// trimpathStack is debug.Stack() from a binary built with -trimpath (the
// sample incident's orders service): the standard library's files carry no
// GOROOT prefix.
const trimpathStack = `goroutine 586 [running]:
runtime/debug.Stack()
	runtime/debug/stack.go:26 +0x5e
main.main.(*server).middleware.func3.1()
	culprit-incident/orders/main.go:160 +0x111
panic({0x73e4c0?, 0xa77380?})
	runtime/panic.go:860 +0x13a
main.loyaltyDiscount(...)
	culprit-incident/orders/pricing_loyalty.go:20
net/http.HandlerFunc.ServeHTTP(0x1f93be70a0c0?, {0x7c9060?, 0x1f93be617a40?}, 0x1f93be98dcc0?)
	net/http/server.go:2286 +0x29`

func TestClassifyTrimpathGoStack(t *testing.T) {
	lines := StackLines(trimpathStack)
	want := []StackKind{StackHeader, StackLib, StackLib, StackApp, StackApp, StackLib, StackLib, StackApp, StackApp, StackLib, StackLib}
	if len(lines) != len(want) {
		t.Fatalf("StackLines gave %d lines, want %d", len(lines), len(want))
	}
	for i, l := range lines {
		if l.Kind != want[i] {
			t.Errorf("line %d %q: kind %d, want %d", i, l.Text, l.Kind, want[i])
		}
	}
}

func TestPreviousDeploy(t *testing.T) {
	ds := []Deploy{
		{Time: t0.Add(2 * time.Hour), Service: "orders", Version: "1.8.3", Commit: "b"},
		{Time: t0, Service: "orders", Version: "1.8.2", Commit: "a"},
		{Time: t0.Add(3 * time.Hour), Service: "gateway", Version: "2.0.0"},
		{Time: t0.Add(3*time.Hour + time.Minute), Service: "orders", Version: "1.9.0", Commit: "c"},
		{Time: t0.Add(4 * time.Hour), Service: "orders", Version: "1.9.1"},
	}
	s := &DeployRef{Time: ds[3].Time, Service: "orders", Version: "1.9.0"}
	if p := previousDeploy(ds, s); p == nil || p.Version != "1.8.3" {
		t.Errorf("previousDeploy = %+v, want orders 1.8.3", p)
	}
	if p := previousDeploy(ds, &DeployRef{Time: t0, Service: "orders", Version: "1.8.2"}); p != nil {
		t.Errorf("previousDeploy of the first release = %+v, want nil", p)
	}
}

func TestTrimTypePrefix(t *testing.T) {
	cases := []struct{ msg, typ, want string }{
		{"java.lang.NullPointerException: x is null", "java.lang.NullPointerException", "x is null"},
		{"NullPointerException: x is null", "java.lang.NullPointerException", "x is null"},
		{"x is null", "java.lang.NullPointerException", "x is null"},
		{"KeyError: 'sku'", "", "KeyError: 'sku'"},
		{"Error: boom", "*errors.errorString", "Error: boom"},
	}
	for _, c := range cases {
		if got := trimTypePrefix(c.msg, c.typ); got != c.want {
			t.Errorf("trimTypePrefix(%q, %q) = %q, want %q", c.msg, c.typ, got, c.want)
		}
	}
}

// An ID that no event has as its request id is found where it occurs as a
// whole token (a per-request logger name, a task id under an unknown key),
// and the report says so; the ID's words inside longer tokens count only
// when no event holds it whole.
func TestRequestFoundByToken(t *testing.T) {
	t0 := time.Date(2025, 1, 6, 14, 0, 0, 0, time.UTC)
	id := "3c1f9a2e-77b0-4d5e-9c1a-5e6f7a8b9c0d"
	evs := []Event{
		{Time: t0, Service: "worker", Level: "info", Message: "task received",
			Raw: []byte(`{"logger":"worker:` + id + `","msg":"task received"}`)},
		{Time: t0.Add(time.Second), Service: "worker", Level: "error", Message: "task failed", IsError: true,
			Error: "boom", ErrorType: "ValueError", Fingerprint: "fp1",
			Raw: []byte(`{"task_uuid":"` + id + `","msg":"task failed"}`)},
		{Time: t0.Add(2 * time.Second), Service: "worker", Level: "info", Message: "other",
			Raw: []byte(`{"note":"x` + id + `y","msg":"other"}`)},
		{Time: t0.Add(3 * time.Second), Service: "api", Level: "info", RequestID: "r-1", Message: "unrelated",
			Raw: []byte(`{"request_id":"r-1","msg":"unrelated"}`)},
	}
	inv := New(newCountingStore(evs, nil), Options{})
	r, err := inv.Request(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Found || len(r.Events) != 2 {
		t.Fatalf("Request(%s) found %v with %d events, want the 2 events holding it as a token", id, r.Found, len(r.Events))
	}
	for _, e := range r.Events {
		if e.MatchedBy != MatchToken {
			t.Errorf("event %q matched_by %q, want %q", e.Message, e.MatchedBy, MatchToken)
		}
	}
	if r.Error == nil || r.Error.Type != "ValueError" {
		t.Errorf("error = %+v, want the ValueError of the token-matched event", r.Error)
	}
	var text strings.Builder
	if err := WriteReportText(&text, r, TextOptions{Width: 100}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "No line has it as its request id") {
		t.Errorf("the text report does not say how the lines were found:\n%s", text.String())
	}

	// A word is searched, not investigated: it is no ID to find as a token.
	r, err = inv.Request(t.Context(), "failed")
	if err != nil {
		t.Fatal(err)
	}
	if r.Found {
		t.Errorf("Request(failed) found %d events by token, want not found (a word is no ID)", len(r.Events))
	}

	r, err = inv.Request(t.Context(), "r-1")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Found || len(r.Events) != 1 || r.Events[0].MatchedBy != MatchRequestID {
		t.Errorf("Request(r-1) = found %v, events %+v; want 1 event matched by request_id", r.Found, r.Events)
	}
}

func TestHasToken(t *testing.T) {
	cases := []struct {
		s, id string
		want  bool
	}{
		{"service:abc-1", "abc-1", true},
		{`{"uid":"abc-1"}`, "abc-1", true},
		{"xabc-1", "abc-1", false},
		{"abc-12", "abc-1", false},
		{"abc-1_", "abc-1", false},
		{"abc-12 abc-1.", "abc-1", true},
		{"", "abc", false},
	}
	for _, c := range cases {
		if got := hasToken(c.s, c.id); got != c.want {
			t.Errorf("hasToken(%q, %q) = %v, want %v", c.s, c.id, got, c.want)
		}
	}
}
