package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/query"
)

// The fake incident: orders 1.9.0 (deployed 14:30:00) panics on
// GET /api/orders/{id} for users of a legacy plan; the database is down
// 15:05–15:06 (connection refused on every endpoint); inventory has raised
// KeyError 'sku' for some catalog searches since the start of the logs.

var (
	t0         = time.Date(2025, 11, 25, 14, 0, 0, 0, time.UTC)
	fixedNow   = time.Date(2025, 11, 25, 16, 0, 0, 0, time.UTC)
	regression = "7f3a9c2e-1b4d-4e8a-9f10-2c3d4e5f6a7b"
	firstReq   = "0c1d2e3f-aaaa-4bbb-8ccc-000000000001"
	outageReq  = "5e6f7a8b-0000-4111-8222-333344445555"
	successReq = "9a8b7c6d-1111-4222-8333-444455556666"
	unknownReq = "00000000-dead-beef-0000-000000000000"
)

const goPanic = `panic: runtime error: invalid memory address or nil pointer dereference [recovered]
	panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6f1c3a]

goroutine 1842 [running]:
runtime/debug.Stack()
	/usr/local/go/src/runtime/debug/stack.go:26 +0x5e
main.(*server).recoverer.func1()
	/app/orders/middleware.go:41 +0x85
panic({0x8a5e40?, 0xd3c2f0?})
	/usr/local/go/src/runtime/panic.go:785 +0x132
main.applyDiscount(...)
	/app/orders/pricing.go:57
main.(*server).getOrder(0xc0001a2000, {0xa01d28, 0xc0002b41c0}, 0xc0002c6000)
	/app/orders/handlers.go:88 +0x2f4
net/http.HandlerFunc.ServeHTTP(0xc000184a80?, {0xa01d28?, 0xc0002b41c0?}, 0xc0002c6000?)
	/usr/local/go/src/net/http/server.go:2220 +0x29
net/http.(*ServeMux).ServeHTTP(0xc0000e2780?, {0xa01d28, 0xc0002b41c0}, 0xc0002c6000)
	/usr/local/go/src/net/http/server.go:2747 +0x1ca
main.(*server).recoverer.func2({0xa01d28, 0xc0002b41c0}, 0xc0002c6000)
	/app/orders/middleware.go:45 +0x6a
net/http.serverHandler.ServeHTTP({0xc0001b6000?}, {0xa01d28?, 0xc0002b41c0?}, 0x6?)
	/usr/local/go/src/net/http/server.go:3210 +0x8e
net/http.(*conn).serve(0xc0001c8000, {0xa02370, 0xc0001a4030})
	/usr/local/go/src/net/http/server.go:2092 +0x5d0
created by net/http.(*Server).Serve in goroutine 1
	/usr/local/go/src/net/http/server.go:3360 +0x485`

const panicFP = "f3c1a9e07b2d4c58"

// hostile is log text that tries to clear the screen and write the
// clipboard; it must reach the terminal neutralised.
const hostile = "user agent \x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07evil\x9b31m"

// fakeBackend is a Backend over the incident: the real Investigator over
// the shared fake store (storetest.Fake) holding events and deploys, built
// at the first call so that a test may edit events first, except for the
// screens' fixtures. Request answers the scripted IDs (regression,
// firstReq, outageReq, successReq: hand-written reports the goldens render,
// whose lines are not among the generated events) as written, and an
// unknown ID with a hint naming the scripted IDs that share its prefix;
// Errors lists the hand-written groups of the home goldens. It records
// calls, can fail the next one, and can claim a huge total to test paging.
type fakeBackend struct {
	mu       sync.Mutex
	events   []query.Event // oldest first
	deploys  []query.Deploy
	store    *query.Investigator // over events and deploys, once used
	reports  map[string]*query.Report
	groups   []query.ErrorGroup
	span     query.Span
	searches []query.SearchOptions
	requests []string
	virtual  int // when > 0: Search claims this many hits and synthesises them
	// virtualNoErrors: the synthesised hits hold no error line (else one
	// every 1000).
	virtualNoErrors bool
	failNext        error
}

func newFake() *fakeBackend {
	f := &fakeBackend{reports: map[string]*query.Report{}}
	f.deploys = []query.Deploy{
		{Time: t0.Add(-time.Hour), Service: "orders", Version: "1.8.2", Commit: "9e1f0c2", Author: "dana", Environment: "production"},
		{Time: t0, Service: "gateway", Version: "2.4.0", Commit: "4b7d2aa", Author: "ci-bot", Environment: "production"},
		{Time: t0, Service: "inventory", Version: "3.1.0", Commit: "c0ffee1", Author: "ci-bot", Environment: "production"},
		{Time: t0.Add(30 * time.Minute), Service: "orders", Version: "1.9.0", Commit: "a1b2c3d", Author: "alice", Environment: "production"},
		{Time: t0.Add(60 * time.Minute), Service: "gateway", Version: "2.4.1", Commit: "77e8f90", Author: "bob", Environment: "production"},
	}
	f.events = incidentEvents()
	f.span = query.Span{Events: len(f.events), Deploys: len(f.deploys), First: f.events[0].Time, Last: f.events[len(f.events)-1].Time}
	f.reports[regression] = regressionReport()
	f.reports[firstReq] = firstReport()
	f.reports[outageReq] = outageReport()
	f.reports[successReq] = &query.Report{
		RequestID: successReq, Found: true, Services: []string{"gateway", "orders"},
		Events: []query.ReportEvent{
			{Time: t0.Add(10 * time.Minute), Service: "gateway", Level: "info", Message: "request completed", Method: "GET", Path: "/api/orders/1001", Status: 200, RequestID: successReq, Source: "logs/gateway.jsonl:1201"},
			{Time: t0.Add(10*time.Minute + 3*time.Millisecond), Service: "orders", Level: "info", Message: "order fetched", Method: "GET", Path: "/api/orders/1001", Route: "GET /api/orders/{id}", Status: 200, RequestID: successReq, Source: "logs/orders.jsonl:801"},
		},
	}
	f.groups = []query.ErrorGroup{
		{Fingerprint: panicFP, Type: "runtime.Error", Message: "runtime error: invalid memory address or nil pointer dereference", Service: "orders",
			Count: 412, Requests: 377, FirstSeen: t0.Add(30*time.Minute + 6214*time.Millisecond), LastSeen: t0.Add(89*time.Minute + 51*time.Second),
			FirstRequestID: firstReq, EndpointsAffected: 1, UsersAffected: 9, New: true, Cause: query.CauseDeployment, Histogram: panicHistogram()},
		{Fingerprint: "d4e5f6a7b8c9d0e1", Type: "*net.OpError", Message: "dial tcp 127.0.0.1:5433: connect: connection refused", Service: "orders",
			Count: 238, Requests: 201, FirstSeen: t0.Add(65 * time.Minute), LastSeen: t0.Add(66 * time.Minute), FirstRequestID: outageReq,
			EndpointsAffected: 5, UsersAffected: 48, Cause: query.CauseDependency},
		{Fingerprint: "0a1b2c3d4e5f6a7b", Type: "KeyError", Message: "'sku'", Service: "inventory",
			Count: 57, Requests: 57, FirstSeen: t0.Add(41 * time.Second), LastSeen: t0.Add(88 * time.Minute), FirstRequestID: "1111aaaa-2222-4333-8444-555566667777",
			EndpointsAffected: 1, UsersAffected: 30, Cause: query.CausePreExisting},
	}
	return f
}

func panicHistogram() []query.TimeBucket {
	var h []query.TimeBucket
	for i := range 30 {
		n := 0
		if i >= 10 {
			n = 8 + (i*7)%13
		}
		h = append(h, query.TimeBucket{Start: t0.Add(time.Duration(i) * 3 * time.Minute), Count: n})
	}
	return h
}

// rawLine is an orders/gateway log line as the services write it.
type rawLine struct {
	Time      string  `json:"time"`
	Level     string  `json:"level"`
	Msg       string  `json:"msg"`
	Service   string  `json:"service"`
	RequestID string  `json:"request_id,omitempty"`
	Method    string  `json:"method,omitempty"`
	Path      string  `json:"path,omitempty"`
	Route     string  `json:"route,omitempty"`
	Status    int     `json:"status,omitempty"`
	UserID    string  `json:"user_id,omitempty"`
	Duration  float64 `json:"duration_ms,omitempty"`
	Version   string  `json:"version,omitempty"`
	Error     string  `json:"error,omitempty"`
	Stack     string  `json:"stack,omitempty"`
}

func event(l rawLine, src string, line int64) query.Event {
	raw, _ := json.Marshal(l)
	t, _ := time.Parse(time.RFC3339Nano, l.Time)
	e := query.Event{
		Time: t, Level: strings.ToLower(l.Level), Message: l.Msg, RequestID: l.RequestID, Service: l.Service,
		Version: l.Version, Method: l.Method, Path: l.Path, Route: l.Route, Status: l.Status, User: l.UserID,
		DurationMS: l.Duration, Error: l.Error, Stack: l.Stack, Source: src, Line: line, Raw: raw,
	}
	e.IsError = e.Level == "error" || e.Status >= 500 || e.Stack != ""
	switch {
	case !e.IsError:
	case e.Stack != "":
		e.Fingerprint = panicFP
	case strings.Contains(e.Error, "connection refused"):
		e.Fingerprint = "d4e5f6a7b8c9d0e1"
	case strings.Contains(e.Error, "KeyError"):
		e.Fingerprint = "0a1b2c3d4e5f6a7b"
	}
	return e
}

// incidentEvents generates the logs: steady traffic every 3 s, and the
// three failures.
func incidentEvents() []query.Event {
	routes := []struct{ method, path, route string }{
		{"GET", "/api/orders/%d", "GET /api/orders/{id}"},
		{"POST", "/api/orders", "POST /api/orders"},
		{"GET", "/api/users/%d/profile", "GET /api/users/{id}/profile"},
		{"GET", "/api/catalog/search", "GET /api/catalog/search"},
		{"GET", "/api/cart", "GET /api/cart"},
		{"POST", "/api/checkout", "POST /api/checkout"},
	}
	var evs []query.Event
	lines := map[string]int64{}
	add := func(l rawLine) {
		src := "logs/" + l.Service + ".jsonl"
		lines[src]++
		evs = append(evs, event(l, src, lines[src]))
	}
	for i := range 1800 {
		t := t0.Add(time.Duration(i) * 3 * time.Second)
		r := routes[i%len(routes)]
		path := r.path
		if strings.Contains(path, "%d") {
			path = fmt.Sprintf(path, 1000+i%97)
		}
		id := fmt.Sprintf("%08x-0000-4000-8000-%012d", i, i)
		user := fmt.Sprintf("u-%03d", i%52)
		version := "1.8.2"
		if t.After(t0.Add(30 * time.Minute)) {
			version = "1.9.0"
		}
		base := rawLine{Time: t.Format(time.RFC3339Nano), Service: "gateway", RequestID: id, Method: r.method, Path: path, UserID: user}
		switch {
		case i%311 == 14:
			l := base
			l.Service, l.Level, l.Msg, l.Path = "inventory", "ERROR", "catalog search failed", "/api/catalog/search"
			l.Error = "KeyError: 'sku'"
			add(l)
		case t.After(t0.Add(65*time.Minute)) && t.Before(t0.Add(66*time.Minute)):
			l := base
			l.Service, l.Level, l.Msg, l.Version, l.Route, l.Status = "orders", "ERROR", "query failed", version, r.route, 500
			l.Error = "dial tcp 127.0.0.1:5433: connect: connection refused"
			add(l)
		case r.route == "GET /api/orders/{id}" && t.After(t0.Add(30*time.Minute)) && i%4 == 0:
			l := base
			l.Service, l.Level, l.Msg, l.Version, l.Route, l.Status = "orders", "ERROR", "panic recovered", version, r.route, 500
			l.Error, l.Stack = "runtime error: invalid memory address or nil pointer dereference", goPanic
			add(l)
		default:
			l := base
			// The route, as ingest derives it from the method and path.
			l.Level, l.Msg, l.Route, l.Status, l.Duration = "INFO", "request completed", r.route, 200, float64(3+i%40)
			if i == 500 {
				l.Msg = hostile
			}
			add(l)
		}
	}
	return evs
}

func regressionReport() *query.Report {
	ft := t0.Add(30*time.Minute + 6214*time.Millisecond)
	at := t0.Add(71*time.Minute + 12*time.Second + 100*time.Millisecond)
	ev := func(d time.Duration, svc, lvl, msg string, status int, src string) query.ReportEvent {
		return query.ReportEvent{Time: at.Add(d), Service: svc, Level: lvl, Message: msg, Method: "GET", Path: "/api/orders/1042",
			Route: "GET /api/orders/{id}", Status: status, User: "u-legacy-07", RequestID: regression, Source: src, IsError: lvl == "error"}
	}
	chain := []query.ReportEvent{
		ev(9*time.Millisecond, "gateway", "error", "upstream orders returned 500", 500, "logs/gateway.jsonl:8812"),
	}
	return &query.Report{
		RequestID: regression, Found: true, Services: []string{"gateway", "orders"},
		Events: []query.ReportEvent{
			ev(0, "gateway", "info", "incoming request", 0, "logs/gateway.jsonl:8810"),
			ev(2*time.Millisecond, "orders", "info", "loading order", 0, "logs/orders.jsonl:5120"),
			ev(4*time.Millisecond, "orders", "debug", "applying discount for plan legacy "+hostile, 0, "logs/orders.jsonl:5121"),
			withFields(ev(6*time.Millisecond, "orders", "error", "panic recovered", 500, "logs/orders.jsonl:5122"),
				`{"time":"2025-11-25T15:11:12.106Z","level":"ERROR","msg":"panic recovered","service":"orders","host":"orders-7c9f-2",`+
					`"request_id":"`+regression+`","error":"runtime error: invalid memory address or nil pointer dereference",`+
					`"note":"a long value that does not fit on one line of a narrow terminal and must wrap instead of being cut \u001b[31mred"}`),
			chain[0],
			ev(10*time.Millisecond, "gateway", "info", "request completed", 500, "logs/gateway.jsonl:8813"),
		},
		Error: &query.RootError{
			Fingerprint: panicFP, Type: "runtime.Error", Message: "runtime error: invalid memory address or nil pointer dereference",
			Stack: goPanic, Service: "orders", Route: "GET /api/orders/{id}", Time: at.Add(6 * time.Millisecond),
			Source: "logs/orders.jsonl:5122", Chain: chain,
		},
		Group: &query.Group{Fingerprint: panicFP, Count: 412, Requests: 377, FirstSeen: ft, FirstRequestID: firstReq,
			LastSeen: t0.Add(89*time.Minute + 51*time.Second), Histogram: panicHistogram()},
		Deploy: &query.DeployRef{Time: t0.Add(30 * time.Minute), Service: "orders", Version: "1.9.0", Commit: "a1b2c3d", Author: "alice",
			Environment: "production", OffsetSeconds: -6.214, Suspect: true},
		DeploysNearby: []query.DeployRef{
			{Time: t0, Service: "gateway", Version: "2.4.0", Commit: "4b7d2aa", Author: "ci-bot", Environment: "production", OffsetSeconds: -1806.214},
			{Time: t0, Service: "inventory", Version: "3.1.0", Commit: "c0ffee1", Author: "ci-bot", Environment: "production", OffsetSeconds: -1806.214},
			{Time: t0.Add(30 * time.Minute), Service: "orders", Version: "1.9.0", Commit: "a1b2c3d", Author: "alice", Environment: "production", OffsetSeconds: -6.214, Suspect: true},
			{Time: t0.Add(60 * time.Minute), Service: "gateway", Version: "2.4.1", Commit: "77e8f90", Author: "bob", Environment: "production", OffsetSeconds: 1793.786},
		},
		BlastRadius: &query.BlastRadius{
			Endpoints:         []query.EndpointCount{{Route: "GET /api/orders/{id}", Count: 412}},
			EndpointsAffected: 1, EndpointsActive: 6,
			Users:         []query.UserCount{{User: "u-legacy-07", Count: 61}, {User: "u-legacy-12", Count: 55}, {User: "u-legacy-03", Count: 49}, {User: "u-legacy-31", Count: 40}},
			UsersAffected: 9, UsersActive: 52, Services: []string{"orders", "gateway"},
			Scope: "single-endpoint", UserScope: "specific-users",
			Outliers: []query.Outlier{
				{Field: "route", Value: "GET /api/orders/{id}", FailureShare: 1, BaselineShare: 0.18},
				{Field: "version", Value: "1.9.0", FailureShare: 1, BaselineShare: 0.41},
			},
			WindowStart: ft, WindowEnd: t0.Add(89*time.Minute + 51*time.Second),
		},
		Verdict: &query.Verdict{
			Cause:   query.CauseDeployment,
			Summary: "Deployment regression: orders 1.9.0, deployed 6 s before the first occurrence — rollback candidate",
			Evidence: []string{
				"first seen 14:30:06, 6 s after orders 1.9.0 was deployed (14:30:00)",
				"the logs cover 30 min before that deploy and the error never occurs in them",
				"only GET /api/orders/{id} fails (1 of 6 endpoints), for 9 of 52 users",
			},
			NextSteps: []string{
				"Roll back orders to 1.8.2 (commit 9e1f0c2).",
				"Diff a1b2c3d against 9e1f0c2 around main.applyDiscount (orders/pricing.go:57).",
				"Check the legacy-plan users' orders for a nil discount.",
			},
		},
	}
}

func firstReport() *query.Report {
	r := regressionReport()
	c := *r
	c.RequestID = firstReq
	c.Events = []query.ReportEvent{{Time: r.Group.FirstSeen, Service: "orders", Level: "error", Message: "panic recovered", Status: 500, RequestID: firstReq, Source: "logs/orders.jsonl:2017", IsError: true}}
	e := *r.Error
	e.Time, e.Source, e.Chain = r.Group.FirstSeen, "logs/orders.jsonl:2017", nil
	c.Error = &e
	return &c
}

func outageReport() *query.Report {
	ft := t0.Add(65 * time.Minute)
	return &query.Report{
		RequestID: outageReq, Found: true, Services: []string{"gateway", "orders"},
		Events: []query.ReportEvent{
			{Time: ft, Service: "orders", Level: "error", Message: "query failed", Method: "POST", Path: "/api/checkout", Status: 500, RequestID: outageReq, Source: "logs/orders.jsonl:6001", IsError: true},
		},
		Error: &query.RootError{Fingerprint: "d4e5f6a7b8c9d0e1", Type: "*net.OpError", Message: "dial tcp 127.0.0.1:5433: connect: connection refused",
			Service: "orders", Route: "POST /api/checkout", Time: ft, Source: "logs/orders.jsonl:6001"},
		Group:         &query.Group{Fingerprint: "d4e5f6a7b8c9d0e1", Count: 238, Requests: 201, FirstSeen: ft, FirstRequestID: outageReq, LastSeen: ft.Add(time.Minute)},
		DeploysNearby: []query.DeployRef{{Time: t0.Add(60 * time.Minute), Service: "gateway", Version: "2.4.1", OffsetSeconds: -300}},
		BlastRadius:   &query.BlastRadius{EndpointsAffected: 5, EndpointsActive: 6, UsersAffected: 48, UsersActive: 52, Scope: "most-endpoints", UserScope: "broad", Services: []string{"orders"}},
		Verdict: &query.Verdict{Cause: query.CauseDependency, Summary: "Dependency failure: connection refused by 127.0.0.1:5433 on 5 of 6 endpoints",
			Evidence: []string{"connection refused is a dependency error"}, NextSteps: []string{"Check the database's health."}},
	}
}

func (f *fakeBackend) Request(ctx context.Context, id string) (*query.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, id)
	if err := f.failNext; err != nil {
		f.failNext = nil
		return nil, err
	}
	if r, ok := f.reports[id]; ok {
		return r, nil
	}
	if r, err := f.inv().Request(ctx, id); err != nil || r.Found {
		return r, err
	}
	hint := ""
	var near []string
	for k := range f.reports {
		if len(id) >= 4 && strings.HasPrefix(k, id[:4]) {
			near = append(near, k)
		}
	}
	slices.Sort(near)
	if len(near) > 0 {
		hint = "Nearest request IDs by prefix: " + strings.Join(near, ", ")
	} else {
		hint = fmt.Sprintf("No request ID starts with %q.", id[:min(len(id), 8)])
	}
	return &query.Report{RequestID: id, Found: false, Hint: hint}, nil
}

func (f *fakeBackend) Errors(ctx context.Context, o query.ErrorsOptions) ([]query.ErrorGroup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	gs := slices.Clone(f.groups)
	if o.Limit > 0 && len(gs) > o.Limit {
		gs = gs[:o.Limit]
	}
	return gs, nil
}

// inv returns the Investigator over the shared fake store; f.mu is held.
func (f *fakeBackend) Compare(ctx context.Context, r *query.Report) (*query.DeployComparison, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inv().Compare(ctx, r)
}

func (f *fakeBackend) inv() *query.Investigator {
	if f.store == nil {
		f.store = query.New(storetest.NewFake(f.events, f.deploys), query.Options{})
	}
	return f.store
}

func (f *fakeBackend) Search(ctx context.Context, o query.SearchOptions) (query.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searches = append(f.searches, o)
	if err := f.failNext; err != nil {
		f.failNext = nil
		return query.Result{}, err
	}
	limit := o.Limit
	if limit == 0 {
		limit = 50
	}
	if f.virtual > 0 {
		var evs []query.Event
		for i := o.Offset; i < min(o.Offset+limit, f.virtual); i++ {
			e := f.events[i%len(f.events)]
			e.Message = fmt.Sprintf("virtual line %d", i)
			e.IsError = i%1000 == 999 && !f.virtualNoErrors
			evs = append(evs, e)
		}
		return query.Result{Events: evs, Total: f.virtual}, nil
	}
	return f.inv().Search(ctx, o)
}

func (f *fakeBackend) Facet(ctx context.Context, fl query.Filter, field string, size int) (query.Facet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inv().Facet(ctx, fl, field, size)
}

func (f *fakeBackend) Histogram(ctx context.Context, fl query.Filter, from, to time.Time, n int) ([]query.TimeBucket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inv().Histogram(ctx, fl, from, to, n)
}

func (f *fakeBackend) Deploys(ctx context.Context) ([]query.Deploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inv().Deploys(ctx)
}

func (f *fakeBackend) Span(ctx context.Context) (query.Span, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inv().Span(ctx)
}

// emptyBackend is an index with nothing ingested.
type emptyBackend struct{ fakeBackend }

func (e *emptyBackend) Span(ctx context.Context) (query.Span, error) { return query.Span{}, nil }

func (e *emptyBackend) Errors(ctx context.Context, o query.ErrorsOptions) ([]query.ErrorGroup, error) {
	return nil, nil
}

// TestDeploysPaneBadgesOnlyTheBlamed checks that a deploy shown only as the
// nearest one (Suspect false: the verdict does not blame it) is listed but
// never badged, whether or not deploys_nearby holds it.
func TestDeploysPaneBadgesOnlyTheBlamed(t *testing.T) {
	c := &common{st: newStyles(true, false), keys: newKeyMap(false), now: func() time.Time { return fixedNow }}
	for _, inNearby := range []bool{true, false} {
		r := regressionReport()
		r.Verdict.Cause = query.CauseDependency
		r.Deploy.Suspect = false
		var nearby []query.DeployRef
		for _, d := range r.DeploysNearby {
			d.Suspect = false
			if !inNearby && d.Service == r.Deploy.Service && d.Version == r.Deploy.Version {
				continue
			}
			nearby = append(nearby, d)
		}
		r.DeploysNearby = nearby
		m := newInvestigation(c, r, query.Span{}, 200, 60)
		lines, sum := m.deploysPane(200)
		text := strings.Join(lines, "\n")
		if !strings.Contains(text, "orders 1.9.0") {
			t.Errorf("inNearby=%v: the nearest deploy is not listed:\n%s", inNearby, text)
		}
		if strings.Contains(text, "SUSPECT") || strings.Contains(sum, "suspect orders") {
			t.Errorf("inNearby=%v: a deploy the verdict does not blame is badged:\n%s\n(summary %q)", inNearby, text, sum)
		}
	}
}

func withFields(e query.ReportEvent, raw string) query.ReportEvent {
	e.Fields = json.RawMessage(raw)
	return e
}
