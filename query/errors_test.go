package query

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// incidentCorpus is two hours of traffic with four error groups: a
// regression after an orders deploy, a database outage seen by inventory, a
// pre-existing KeyError and a data-specific TypeError.
func incidentCorpus() *corpus {
	var c corpus
	us := users(40)
	c.traffic("orders", "ok", routes, us, t0, t0.Add(2*time.Hour), 10*time.Second)
	c.deploy(t0.Add(30*time.Minute), "gateway", "4.1.0")
	c.deploy(t0.Add(60*time.Minute), "orders", "1.9.0")
	c.deploy(t0.Add(100*time.Minute), "inventory", "2.0.1")
	c.failures("reg", failSpec{service: "orders", typ: "*errors.errorString", msg: "assignment to entry in nil map", fp: "fp-nilmap",
		from: t0.Add(60*time.Minute + 6*time.Second), to: t0.Add(90 * time.Minute), step: 30 * time.Second,
		routes: routes[:2], users: us[:12]})
	c.failures("db", failSpec{service: "inventory", typ: "*url.Error", msg: `Post "http://db:5432/q": context deadline exceeded`, fp: "fp-db",
		from: t0.Add(70 * time.Minute), to: t0.Add(75 * time.Minute), step: 5 * time.Second,
		routes: []string{"POST /v1/inventory/reserve"}, users: us})
	c.failures("old", failSpec{service: "orders", typ: "KeyError", msg: "'discount'", fp: "fp-old",
		from: t0.Add(40 * time.Second), to: t0.Add(110 * time.Minute), step: 5 * time.Minute,
		routes: routes[1:3], users: us})
	c.failures("data", failSpec{service: "orders", typ: "TypeError", msg: "cannot read properties of null (reading 'loyalty')", fp: "fp-data",
		from: t0.Add(50 * time.Minute), to: t0.Add(70 * time.Minute), step: 2 * time.Minute,
		routes: routes[:1], users: routeUsers(0, us)[1:2]})
	return &c
}

func incidentStore() *countingStore { return incidentCorpus().store() }

func TestErrorsGroups(t *testing.T) {
	st := incidentStore()
	inv := New(st, Options{})
	gs, err := inv.Errors(t.Context(), ErrorsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gs {
		got = append(got, fmt.Sprintf("%s %d %s new=%v", g.Fingerprint, g.Count, g.Cause, g.New))
	}
	want := []string{
		"fp-db 61 dependency-failure new=false",
		"fp-nilmap 60 deployment-regression new=true",
		"fp-old 22 pre-existing new=false",
		"fp-data 11 data-specific-bug new=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Errors() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	g := gs[1]
	if g.Type != "*errors.errorString" || g.Message != "assignment to entry in nil map" || g.Service != "orders" || g.Requests != 60 ||
		g.FirstRequestID != "reg-0" || g.EndpointsAffected != 2 || g.UsersAffected != 12 || g.Deploy == nil || g.Deploy.Version != "1.9.0" ||
		g.Deploy.OffsetSeconds != -6 || !g.FirstSeen.Equal(t0.Add(60*time.Minute+6*time.Second)) || !g.LastSeen.Equal(t0.Add(89*time.Minute+36*time.Second)) {
		t.Errorf("regression group = %+v", g)
	}
	if g.Histogram != nil {
		t.Errorf("histogram without Buckets: %v", g.Histogram)
	}

	// The cause of each group is the cause Request gives its first request.
	for _, g := range gs {
		r, err := inv.Request(t.Context(), g.FirstRequestID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict == nil || r.Verdict.Cause != g.Cause {
			t.Errorf("group %s: Errors cause %s, Request(%s) cause %v", g.Fingerprint, g.Cause, g.FirstRequestID, r.Verdict)
		}
		if r.Group.Count != g.Count || r.Group.Requests != g.Requests || !r.Group.FirstSeen.Equal(g.FirstSeen) || !r.Group.LastSeen.Equal(g.LastSeen) {
			t.Errorf("group %s: Errors %+v, Request group %+v", g.Fingerprint, g, *r.Group)
		}
	}
}

func TestErrorsOptions(t *testing.T) {
	inv := New(incidentStore(), Options{})
	fps := func(o ErrorsOptions) string {
		t.Helper()
		gs, err := inv.Errors(t.Context(), o)
		if err != nil {
			t.Fatalf("Errors(%+v): %v", o, err)
		}
		var out []string
		for _, g := range gs {
			out = append(out, fmt.Sprintf("%s:%d", g.Fingerprint, g.Count))
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name string
		o    ErrorsOptions
		want string
	}{
		{"newest first", ErrorsOptions{Sort: "first_seen"}, "fp-db:61 fp-nilmap:60 fp-data:11 fp-old:22"},
		{"limit", ErrorsOptions{Limit: 2}, "fp-db:61 fp-nilmap:60"},
		{"limit newest first", ErrorsOptions{Sort: "first_seen", Limit: 1}, "fp-db:61"},
		{"service", ErrorsOptions{Service: "inventory"}, "fp-db:61"},
		{"range counts in range", ErrorsOptions{Since: t0.Add(80 * time.Minute), Until: t0.Add(2 * time.Hour)}, "fp-nilmap:20 fp-old:6"},
		{"empty range", ErrorsOptions{Since: t0.Add(3 * time.Hour)}, ""},
	}
	for _, tc := range cases {
		if got := fps(tc.o); got != tc.want {
			t.Errorf("%s: Errors = %q, want %q", tc.name, got, tc.want)
		}
	}
	// A range keeps first seen over everything ingested, and the cause.
	gs, err := inv.Errors(t.Context(), ErrorsOptions{Since: t0.Add(80 * time.Minute), Buckets: 12})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if g.Fingerprint == "fp-old" && (!g.FirstSeen.Equal(t0.Add(40*time.Second)) || g.Cause != CausePreExisting) {
			t.Errorf("fp-old in range = %+v, want first seen at the start and pre-existing", g)
		}
		if len(g.Histogram) != 12 {
			t.Errorf("%s histogram has %d buckets, want 12", g.Fingerprint, len(g.Histogram))
		}
		n := 0
		for _, h := range g.Histogram {
			n += h.Count
		}
		if n != g.Count {
			t.Errorf("%s histogram holds %d, count %d", g.Fingerprint, n, g.Count)
		}
	}
	for _, bad := range []ErrorsOptions{{Sort: "size"}, {Limit: -1}, {Since: t0.Add(time.Hour), Until: t0}} {
		if _, err := inv.Errors(t.Context(), bad); err == nil {
			t.Errorf("Errors(%+v) succeeded, want an error", bad)
		}
	}
}

// TestErrorsStoreCalls: the calls grow with the groups listed, not with the
// events, and the baseline is fetched only when a rule needs it.
func TestErrorsStoreCalls(t *testing.T) {
	c := incidentCorpus()
	for i := range 40 {
		fp := fmt.Sprintf("fp-many-%02d", i)
		c.failures("m"+fmt.Sprint(i), failSpec{service: "orders", typ: "E", msg: "m", fp: fp,
			from: t0.Add(time.Duration(5+i) * time.Minute), to: t0.Add(time.Duration(5+i)*time.Minute + 10*time.Second), step: 5 * time.Second,
			routes: routes[:1], users: users(2)})
	}
	st := c.store()
	gs, err := New(st, Options{}).Errors(t.Context(), ErrorsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 44 {
		t.Fatalf("groups = %d, want 44", len(gs))
	}
	calls := st.totalCalls()
	// Per group: its facets (trace_id among them), first and last
	// occurrence, and its first request read to tell a wrapper.
	if calls > 3+8*len(gs) {
		t.Errorf("store calls = %d for %d groups, want at most %d", calls, len(gs), 3+8*len(gs))
	}
	t.Logf("Errors: %d store calls for %d groups (%v)", calls, len(gs), st.calls)
}

func TestSearch(t *testing.T) {
	inv := New(incidentStore(), Options{})
	res, err := inv.Search(t.Context(), SearchOptions{Query: "deadline", Service: "inventory", Since: t0.Add(72 * time.Minute), Order: NewestFirst})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 37 || len(res.Events) != 37 {
		t.Errorf("search total %d, %d events; want 37", res.Total, len(res.Events))
	}
	if len(res.Events) > 1 && res.Events[0].Time.Before(res.Events[1].Time) {
		t.Error("not newest first")
	}
	res, err = inv.Search(t.Context(), SearchOptions{Level: "WARNING"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 154 || len(res.Events) != 50 {
		t.Errorf("level warn and worse: total %d, page %d; want 154 and the default limit 50", res.Total, len(res.Events))
	}
	for _, bad := range []SearchOptions{{Level: "loud"}, {Offset: -1}, {Since: t0.Add(time.Hour), Until: t0}} {
		if _, err := inv.Search(t.Context(), bad); err == nil {
			t.Errorf("Search(%+v) succeeded, want an error", bad)
		}
	}
}

func TestErrorsListsUpstreamWrappersAfterRootErrors(t *testing.T) {
	c := incidentCorpus()
	// The gateway reports every regression failure twice (its own error log
	// and its access line with the error), so its group outnumbers the
	// root cause's.
	for i := 0; ; i++ {
		id := fmt.Sprintf("reg-%d", i)
		var root *Event
		for j := range c.evs {
			if c.evs[j].RequestID == id {
				root = &c.evs[j]
			}
		}
		if root == nil {
			break
		}
		for k := 1; k <= 2; k++ {
			c.add(Event{Time: root.Time.Add(time.Duration(k) * time.Millisecond), Service: "gateway", RequestID: id,
				Route: root.Route, User: root.User, Level: "error", Status: 502, ErrorType: "UpstreamError",
				Error: "upstream orders returned 500", Fingerprint: "fp-wrap", Stack: "UpstreamError: upstream orders returned 500\n    at x (/app/gw.js:1:1)"})
		}
	}
	inv := New(c.store(), Options{})
	for _, sortBy := range []string{"count", "first_seen"} {
		gs, err := inv.Errors(t.Context(), ErrorsOptions{Sort: sortBy})
		if err != nil {
			t.Fatal(err)
		}
		last := gs[len(gs)-1]
		if last.Fingerprint != "fp-wrap" || last.WrapperOf != "fp-nilmap" {
			t.Errorf("sort %s: last group = %s (wrapper of %q), want fp-wrap wrapping fp-nilmap", sortBy, last.Fingerprint, last.WrapperOf)
		}
		for _, g := range gs[:len(gs)-1] {
			if g.WrapperOf != "" {
				t.Errorf("sort %s: %s marked as a wrapper of %s", sortBy, g.Fingerprint, g.WrapperOf)
			}
		}
	}
}

// TestErrorsListsEveryGroup: more than a thousand groups are all listed,
// and sorting by first_seen puts the newest first (a cap of 1,000 most
// frequent groups used to drop the newest, rarest ones).
func TestErrorsListsEveryGroup(t *testing.T) {
	var c corpus
	const n = 1201
	for i := range n {
		// Older groups have more occurrences: the newest is the rarest.
		c.failures(fmt.Sprintf("g%d", i), failSpec{service: "orders", typ: "E", msg: fmt.Sprintf("failure %d", i), fp: fmt.Sprintf("fp-%04d", i),
			from: t0.Add(time.Duration(i) * time.Minute), to: t0.Add(time.Duration(i)*time.Minute + time.Duration(n-i)/400*time.Second), step: time.Second,
			routes: routes[:1], users: []string{"u"}})
	}
	inv := New(c.store(), Options{})
	for _, sortBy := range []string{"count", "first_seen"} {
		gs, err := inv.Errors(t.Context(), ErrorsOptions{Sort: sortBy})
		if err != nil {
			t.Fatal(err)
		}
		if len(gs) != n {
			t.Fatalf("Errors(sort %s) listed %d groups, want %d", sortBy, len(gs), n)
		}
		if sortBy == "first_seen" && gs[0].Fingerprint != fmt.Sprintf("fp-%04d", n-1) {
			t.Errorf("Errors(sort first_seen) starts with %s, want the newest group fp-%04d", gs[0].Fingerprint, n-1)
		}
	}
}

// enderStore adds GroupEnder to countingStore, answering it as the
// interface defines it: a facet, then each value's first and last Find.
type enderStore struct{ *countingStore }

func (s enderStore) GroupEnds(ctx context.Context, f Filter, field string) ([]GroupEnds, error) {
	s.count("GroupEnds")
	fc, err := s.fake.Facet(ctx, f, field, 0)
	if err != nil {
		return nil, err
	}
	out := make([]GroupEnds, 0, len(fc.Buckets))
	for _, b := range fc.Buckets {
		vf := f
		if field != "fingerprint" {
			return nil, fmt.Errorf("enderStore: field %s", field)
		}
		vf.Fingerprint = b.Value
		first, err := s.fake.Find(ctx, vf, FindOptions{Limit: 1, Order: OldestFirst})
		if err != nil {
			return nil, err
		}
		last, err := s.fake.Find(ctx, vf, FindOptions{Limit: 1, Order: NewestFirst})
		if err != nil {
			return nil, err
		}
		out = append(out, GroupEnds{Value: b.Value, Count: first.Total, First: first.Events[0], Last: last.Events[0]})
	}
	return out, nil
}

// TestErrorsGroupEnder: with a GroupEnder store the groups are the same,
// with or without a range or service (a range's first seen stays over
// everything), and each group makes two Finds fewer.
func TestErrorsGroupEnder(t *testing.T) {
	c := incidentCorpus()
	for _, o := range []ErrorsOptions{{}, {Sort: "first_seen"}, {Limit: 2}, {Service: "orders"},
		{Since: t0.Add(80 * time.Minute), Until: t0.Add(2 * time.Hour), Buckets: 6}, {Since: t0.Add(65 * time.Minute), Service: "orders"}} {
		plain, ender := c.store(), enderStore{c.store()}
		want, err := New(plain, Options{}).Errors(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := New(ender, Options{}).Errors(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%+v: no groups", o)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: with GroupEnds\n%+v\nwithout\n%+v", o, got, want)
		}
		finds := ender.calls["Find"]
		if o == (ErrorsOptions{}) && finds > plain.calls["Find"]-2*len(want) {
			t.Errorf("%+v: %d Finds with GroupEnds, %d without, want %d fewer", o, finds, plain.calls["Find"], 2*len(want))
		}
	}
}

// concurrentStore is a Concurrent enderStore whose Finds and Facets fail
// for one fingerprint when failFP is set.
type concurrentStore struct {
	enderStore
	failFP string
}

func (s concurrentStore) Concurrency() int { return 4 }

func (s concurrentStore) Find(ctx context.Context, f Filter, o FindOptions) (Result, error) {
	if s.failFP != "" && f.Fingerprint == s.failFP {
		return Result{}, errors.New("store down")
	}
	return s.countingStore.Find(ctx, f, o)
}

func (s concurrentStore) Facet(ctx context.Context, f Filter, field string, size int) (Facet, error) {
	if s.failFP != "" && f.Fingerprint == s.failFP {
		return Facet{}, errors.New("store down")
	}
	return s.countingStore.Facet(ctx, f, field, size)
}

// TestErrorsConcurrent: a Concurrent store has its groups analysed at
// once, and the list is the same as one group at a time gives, for every
// sort, range and limit; one group's failure fails the whole list.
func TestErrorsConcurrent(t *testing.T) {
	c := incidentCorpus()
	for _, o := range []ErrorsOptions{{}, {Sort: "first_seen"}, {Limit: 2}, {Service: "orders"},
		{Since: t0.Add(80 * time.Minute), Until: t0.Add(2 * time.Hour), Buckets: 6}, {Sort: "first_seen", Since: t0.Add(65 * time.Minute), Service: "orders"}} {
		want, err := New(c.store(), Options{}).Errors(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 2 {
			t.Fatalf("%+v: %d groups, want several", o, len(want))
		}
		cs := concurrentStore{enderStore: enderStore{c.store()}}
		got, err := New(cs, Options{}).Errors(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: concurrent\n%+v\none at a time\n%+v", o, got, want)
		}
		cs.failFP = want[len(want)-1].Fingerprint
		if gs, err := New(cs, Options{}).Errors(t.Context(), o); err == nil {
			t.Errorf("%+v: a Find of %s failed, yet Errors listed %d groups and no error", o, cs.failFP, len(gs))
		}
	}
}
