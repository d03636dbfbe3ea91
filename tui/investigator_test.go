package tui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/query"
)

// *query.Investigator is the Backend main.go passes to Run.
var _ Backend = (*query.Investigator)(nil)

// storeFake is a query.Store over the fake incident's events, so that the
// TUI can be driven through the real Investigator.
type storeFake struct{ f *fakeBackend }

func (s storeFake) pick(fl query.Filter) []query.Event {
	var out []query.Event
	for _, e := range s.f.events {
		switch {
		case fl.RequestID != "" && e.RequestID != fl.RequestID,
			fl.Fingerprint != "" && e.Fingerprint != fl.Fingerprint,
			fl.Service != "" && e.Service != fl.Service,
			fl.Level != "" && e.Level != fl.Level,
			fl.MinLevel != "" && levelRank(e.Level) < levelRank(fl.MinLevel),
			fl.Route != "" && e.Route != fl.Route,
			fl.User != "" && e.User != fl.User,
			fl.ErrorsOnly && !e.IsError,
			!fl.Since.IsZero() && e.Time.Before(fl.Since),
			!fl.Until.IsZero() && !e.Time.Before(fl.Until):
			continue
		}
		if prefix, ok := strings.CutPrefix(fl.Query, "request_id:"); ok && strings.HasSuffix(prefix, "*") {
			if !strings.HasPrefix(e.RequestID, strings.Trim(prefix, `"*`)) {
				continue
			}
		} else if !match(e, fl.Query) {
			continue
		}
		out = append(out, e)
	}
	return out
}

func levelRank(l string) int {
	return slices.Index([]string{"trace", "debug", "info", "warn", "error", "fatal"}, l)
}

func (s storeFake) Find(ctx context.Context, fl query.Filter, o query.FindOptions) (query.Result, error) {
	evs := s.pick(fl)
	if o.Order == query.NewestFirst {
		slices.Reverse(evs)
	}
	limit := o.Limit
	if limit == 0 {
		limit = 100
	}
	total := len(evs)
	return query.Result{Events: slices.Clone(evs[min(o.Offset, total):min(o.Offset+limit, total)]), Total: total}, nil
}

func (s storeFake) Facet(ctx context.Context, fl query.Filter, field string, size int) (query.Facet, error) {
	counts := map[string]int{}
	evs := s.pick(fl)
	fc := query.Facet{Field: field, Total: len(evs)}
	for _, e := range evs {
		v := map[string]string{
			"service": e.Service, "route": e.Route, "user": e.User, "host": e.Host, "version": e.Version,
			"level": e.Level, "fingerprint": e.Fingerprint, "request_id": e.RequestID, "error_type": e.ErrorType,
		}[field]
		if field == "status" && e.Status != 0 {
			v = strconv.Itoa(e.Status)
		}
		if v == "" {
			fc.Missing++
			continue
		}
		counts[v]++
	}
	for v, n := range counts {
		fc.Buckets = append(fc.Buckets, query.Bucket{Value: v, Count: n})
	}
	slices.SortFunc(fc.Buckets, func(a, b query.Bucket) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	fc.Distinct = len(fc.Buckets)
	if size > 0 && len(fc.Buckets) > size {
		for _, b := range fc.Buckets[size:] {
			fc.Other += b.Count
		}
		fc.Buckets = fc.Buckets[:size]
	}
	return fc, nil
}

func (s storeFake) Histogram(ctx context.Context, fl query.Filter, from, to time.Time, n int) ([]query.TimeBucket, error) {
	if n <= 0 || !to.After(from) {
		return nil, nil
	}
	bw := to.Sub(from) / time.Duration(n)
	out := make([]query.TimeBucket, n)
	for i := range out {
		out[i].Start = from.Add(time.Duration(i) * bw)
	}
	fl.Since, fl.Until = from, to
	for _, e := range s.pick(fl) {
		out[min(int(e.Time.Sub(from)/bw), n-1)].Count++
	}
	return out, nil
}

func (s storeFake) Deploys(ctx context.Context) ([]query.Deploy, error) { return s.f.Deploys(ctx) }

func (s storeFake) Span(ctx context.Context) (query.Span, error) { return s.f.Span(ctx) }

// TestWithInvestigator drives the TUI over the real Investigator: home
// lists its error groups, Enter on the regression's group opens an
// investigation with the stack's culprit frame and the suspect deploy.
func TestWithInvestigator(t *testing.T) {
	inv := query.New(storeFake{newFake()}, query.Options{})
	m := started(t, inv, 120, 40)
	if !m.home.groupsKnown || m.home.groupsErr != nil || len(m.home.groups) == 0 {
		t.Fatalf("home groups: known=%v err=%v n=%d", m.home.groupsKnown, m.home.groupsErr, len(m.home.groups))
	}
	sel := -1
	for i, g := range m.home.groups {
		if g.Fingerprint == panicFP {
			sel = i
		}
	}
	if sel < 0 {
		t.Fatalf("no group for the panic among %+v", m.home.groups)
	}
	m, _ = send(t, m, keyPress("down"))
	for range sel {
		m, _ = send(t, m, keyPress("j"))
	}
	m, _ = send(t, m, keyPress("enter"))
	if m.screen != screenInvestigation || m.inv.report == nil || !m.inv.report.Found {
		t.Fatalf("screen %v report %+v, want an investigation", m.screen, m.inv.report)
	}
	out := screenText(m)
	for _, want := range []string{"at main.applyDiscount(...)", "orders 1.9.0", "SUSPECT", "GET /api/orders/{id}"} {
		if !strings.Contains(out, want) {
			t.Errorf("investigation screen lacks %q:\n%s", want, out)
		}
	}
	checkLayout(t, m, 120, 40)
	// The unknown-ID screen carries the Investigator's hint.
	m, _ = send(t, m, keyPress("esc"))
	m, _ = send(t, m, keyPress("k"))
	m, _ = send(t, m, pasteMsg("zzzz-no-such-request"))
	if m.screen != screenInvestigation || m.inv.report.Found || m.inv.report.Hint == "" {
		t.Fatalf("unknown id: screen %v report %+v, want not found with a hint", m.screen, m.inv.report)
	}
	if !strings.Contains(screenText(m), m.inv.report.Hint[:20]) {
		t.Errorf("the hint is not on screen:\n%s", screenText(m))
	}
}
