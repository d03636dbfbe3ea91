package query

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/culprit-dev/culprit/index/storetest"
)

// countingStore is the shared fake store (storetest.Fake: it really
// filters with the search syntax, sorts, pages, facets and counts, so that
// query's logic is tested against the Store contract rather than canned
// answers) and counts the calls query makes to it, per method. It is not a
// MultiFaceter; multiStore is.
type countingStore struct {
	fake *storetest.Fake

	mu    sync.Mutex
	calls map[string]int
}

func newCountingStore(evs []Event, deploys []Deploy) *countingStore {
	return &countingStore{fake: storetest.NewFake(evs, deploys), calls: map[string]int{}}
}

func (s *countingStore) count(method string) {
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()
}

func (s *countingStore) totalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

func (s *countingStore) resetCalls() {
	s.mu.Lock()
	s.calls = map[string]int{}
	s.mu.Unlock()
}

func (s *countingStore) Find(ctx context.Context, f Filter, o FindOptions) (Result, error) {
	s.count("Find")
	return s.fake.Find(ctx, f, o)
}

func (s *countingStore) Facet(ctx context.Context, f Filter, field string, size int) (Facet, error) {
	s.count("Facet")
	return s.fake.Facet(ctx, f, field, size)
}

func (s *countingStore) Histogram(ctx context.Context, f Filter, from, to time.Time, n int) ([]TimeBucket, error) {
	s.count("Histogram")
	return s.fake.Histogram(ctx, f, from, to, n)
}

func (s *countingStore) Deploys(ctx context.Context) ([]Deploy, error) {
	s.count("Deploys")
	return s.fake.Deploys(ctx)
}

func (s *countingStore) Span(ctx context.Context) (Span, error) {
	s.count("Span")
	return s.fake.Span(ctx)
}

// multiStore adds MultiFaceter to countingStore.
type multiStore struct{ *countingStore }

func (s multiStore) Facets(ctx context.Context, f Filter, fields []string, size int) ([]Facet, error) {
	s.count("Facets")
	return s.fake.Facets(ctx, f, fields, size)
}

// corpus builds events the way ingest would: source order, line numbers,
// an original JSON line, IsError and a fingerprint for error events.
type corpus struct {
	evs     []Event
	deploys []Deploy
	line    int64
}

// add appends e, filling Source, Line, Raw and IsError.
func (c *corpus) add(e Event) {
	c.line++
	if e.Source == "" {
		e.Source = e.Service + ".log"
	}
	e.Line = c.line
	if e.Level == "" {
		e.Level = "info"
	}
	e.IsError = e.IsError || levelRank[e.Level] >= 5 || e.Status >= 500 || e.Stack != ""
	if e.IsError && e.Fingerprint == "" {
		e.Fingerprint = "fp-" + e.Service + "-" + strings.ToLower(strings.Fields(e.Message + " x")[0])
	}
	if !e.IsError {
		e.Fingerprint = ""
	}
	obj := map[string]any{"time": e.Time.Format(time.RFC3339Nano), "level": e.Level, "msg": e.Message, "service": e.Service}
	for k, v := range map[string]string{"request_id": e.RequestID, "route": e.Route, "user_id": e.User, "error": e.Error,
		"error_type": e.ErrorType, "stack": e.Stack, "host": e.Host, "version": e.Version,
		"trace_id": e.TraceID, "span_id": e.SpanID, "parent_span_id": e.ParentSpanID} {
		if v != "" {
			obj[k] = v
		}
	}
	if e.Status > 0 {
		obj["status"] = e.Status
	}
	e.Raw, _ = json.Marshal(obj)
	c.evs = append(c.evs, e)
}

func (c *corpus) deploy(t time.Time, service, version string) {
	c.deploys = append(c.deploys, Deploy{Time: t, Service: service, Version: version,
		Commit: "c0ffee" + version, Author: "dev", Environment: "prod", Source: "deploys.json", Line: int64(len(c.deploys) + 1)})
}

// traffic adds one successful request (an access line) every step in
// [from, to), cycling through routes and users, with ids prefix-N.
func (c *corpus) traffic(service, prefix string, routes, users []string, from, to time.Time, step time.Duration) {
	for i, t := 0, from; t.Before(to); i, t = i+1, t.Add(step) {
		c.add(Event{Time: t, Service: service, RequestID: fmt.Sprintf("%s-%d", prefix, i), Route: routes[i%len(routes)],
			User: users[(i*7)%len(users)], Status: 200, Message: "request completed", Host: "h1", Version: "1.0"})
	}
}

func (c *corpus) store() *countingStore { return newCountingStore(c.evs, c.deploys) }

func users(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("u-%03d", i+1)
	}
	return out
}
