package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// TestStore checks that a store keeps the contract. open must write events
// and deploys through the store's own write path (as ingest would: events
// in the order given, deploys as one history) and return the store ready to
// query; TestStore only reads from it.
//
// It checks Find with every Filter field and both orders, the search syntax
// (every kind of leaf, negation, AND/OR, case), paging without a duplicate
// or a gap, totals, the round trip of every event field, facets (counts,
// order, size, missing, other, distinct), histograms (bucket starts and
// counts), the deploy history and the span, each against answers written
// out below, and that errors are errors: a malformed query wraps
// model.ErrInvalidQuery, a cancelled context is reported.
func TestStore(t *testing.T, open func(t *testing.T, events []model.Event, deploys []model.Deploy) Store) {
	t.Helper()
	evs, ds := Corpus()
	s := open(t, evs, ds)
	if s == nil {
		t.Fatal("open returned a nil store")
	}
	t.Run("Events", func(t *testing.T) { testEvents(t, s) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, s) })
	t.Run("Syntax", func(t *testing.T) { testSyntax(t, s) })
	t.Run("InvalidQueries", func(t *testing.T) { testInvalid(t, s) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, s) })
	t.Run("Facets", func(t *testing.T) { testFacets(t, s) })
	t.Run("Histogram", func(t *testing.T) { testHistogram(t, s) })
	t.Run("Deploys", func(t *testing.T) { testDeploys(t, s) })
	t.Run("Span", func(t *testing.T) { testSpan(t, s) })
	t.Run("Cancelled", func(t *testing.T) { testCancelled(t, s) })
}

// allKeys is the whole corpus, oldest first.
var allKeys = strings.Fields(`api:1 api:2 orders:1 api:3 inv:1 api:4 orders:2 inv:2 orders:3
	api:5 orders:4 inv:3 inv:4 api:6 orders:5 api:7 plain:1 plain:2`)

func key(e *model.Event) string { return fmt.Sprintf("%s:%d", e.Source, e.Line) }

func keys(evs []model.Event) []string {
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = key(&evs[i])
	}
	return out
}

func reversed(ks []string) []string {
	out := slices.Clone(ks)
	slices.Reverse(out)
	return out
}

// find runs a Find that must succeed.
func find(t *testing.T, s Store, f model.Filter, o model.FindOptions) model.Result {
	t.Helper()
	res, err := s.Find(t.Context(), f, o)
	if err != nil {
		t.Fatalf("Find(%+v, %+v): %v", f, o, err)
	}
	return res
}

// checkFind checks that f selects want (keys, oldest first) in both
// orders, with the right total.
func checkFind(t *testing.T, s Store, f model.Filter, want []string) {
	t.Helper()
	for _, o := range []model.Order{model.OldestFirst, model.NewestFirst} {
		w := want
		if o == model.NewestFirst {
			w = reversed(want)
		}
		res, err := s.Find(t.Context(), f, model.FindOptions{Limit: 100, Order: o})
		if err != nil {
			t.Errorf("Find(%s, order %d): %v", describe(f), o, err)
			continue
		}
		if got := keys(res.Events); !slices.Equal(got, w) || res.Total != len(w) {
			t.Errorf("Find(%s, order %d) = %v (total %d), want %v (total %d)", describe(f), o, got, res.Total, w, len(w))
		}
	}
}

// describe renders a filter's set fields.
func describe(f model.Filter) string {
	var b strings.Builder
	v := reflect.ValueOf(f)
	for i := range v.NumField() {
		if fv := v.Field(i); !fv.IsZero() {
			if b.Len() > 0 {
				b.WriteString(" ")
			}
			if tm, ok := fv.Interface().(time.Time); ok {
				fmt.Fprintf(&b, "%s=T0+%s", v.Type().Field(i).Name, tm.Sub(T0))
				continue
			}
			fmt.Fprintf(&b, "%s=%q", v.Type().Field(i).Name, fmt.Sprint(fv.Interface()))
		}
	}
	return "{" + b.String() + "}"
}

// testEvents: every event comes back whole, in both orders.
func testEvents(t *testing.T, s Store) {
	written, _ := Corpus()
	res := find(t, s, model.Filter{}, model.FindOptions{Limit: 100})
	if got := keys(res.Events); !slices.Equal(got, allKeys) || res.Total != len(allKeys) {
		t.Fatalf("Find(all) = %v (total %d), want %v (total %d)", got, res.Total, allKeys, len(allKeys))
	}
	byKey := map[string]model.Event{}
	for _, e := range written {
		byKey[key(&e)] = e
	}
	for _, got := range res.Events {
		want := byKey[key(&got)]
		if !got.Time.Equal(want.Time) || got.Time.Location() != time.UTC {
			t.Errorf("%s: time %v, want %v in UTC", key(&got), got.Time, want.Time)
		}
		got.Time, want.Time = time.Time{}, time.Time{}
		if string(got.Raw) != string(want.Raw) {
			t.Errorf("%s: raw %q, want %q", key(&got), got.Raw, want.Raw)
		}
		got.Raw, want.Raw = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read back\n%+v\nwant\n%+v", key(&got), got, want)
		}
	}
	res = find(t, s, model.Filter{}, model.FindOptions{Limit: 100, Order: model.NewestFirst})
	if got := keys(res.Events); !slices.Equal(got, reversed(allKeys)) {
		t.Errorf("Find(all, newest first) = %v, want %v", got, reversed(allKeys))
	}
	// Limit 0 means 100.
	res = find(t, s, model.Filter{}, model.FindOptions{})
	if len(res.Events) != len(allKeys) {
		t.Errorf("Find with Limit 0 returned %d events, want all %d (the default limit is 100)", len(res.Events), len(allKeys))
	}
}

// testFilters: every Filter field alone and combined.
func testFilters(t *testing.T, s Store) {
	sec := func(n int) time.Time { return at(n) }
	cases := []struct {
		f    model.Filter
		want string
	}{
		{model.Filter{RequestID: "r-1"}, "api:1 api:2 orders:1"},
		{model.Filter{RequestID: "r-3"}, "api:4 orders:2"},
		{model.Filter{RequestID: "r-"}, ""},
		{model.Filter{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}, "api:4 orders:2"},
		{model.Filter{TraceID: "4bf92f35"}, ""},
		{model.Filter{Fingerprint: "fp-db"}, "orders:2 orders:5"},
		{model.Filter{Service: "orders"}, "orders:1 orders:2 orders:3 orders:4 orders:5"},
		{model.Filter{Service: "inventory"}, "inv:1 inv:2 inv:3 inv:4"},
		{model.Filter{Service: "Orders"}, ""}, // a keyword is case-sensitive
		{model.Filter{Level: "error"}, "api:4 orders:2 inv:3 api:6 orders:5"},
		{model.Filter{Level: "ERROR"}, "api:4 orders:2 inv:3 api:6 orders:5"},
		{model.Filter{MinLevel: "warn"}, "api:3 api:4 orders:2 inv:2 orders:3 inv:3 api:6 orders:5"},
		{model.Filter{MinLevel: "Fatal"}, "orders:3"},
		{model.Filter{MinLevel: "trace"}, "api:1 api:2 orders:1 api:3 inv:1 api:4 orders:2 inv:2 orders:3 api:5 orders:4 inv:3 api:6 orders:5 api:7"},
		{model.Filter{Route: "POST /api/orders"}, "api:3 api:4"},
		{model.Filter{Route: "GET /orders/{id}/ship"}, "orders:4"},
		{model.Filter{User: "bob"}, "api:3 inv:1 api:6"},
		{model.Filter{ErrorsOnly: true}, "api:4 orders:2 orders:3 inv:3 api:6 orders:5"},
		{model.Filter{Since: sec(3), Until: sec(5)}, "api:4 orders:2 inv:2 orders:3"},
		{model.Filter{Since: sec(9), Until: sec(10)}, "orders:5"},
		{model.Filter{Since: sec(10)}, "api:7 plain:1 plain:2"},
		{model.Filter{Until: sec(1)}, "api:1"},
		{model.Filter{Since: sec(12)}, ""},
		{model.Filter{Service: "api", ErrorsOnly: true}, "api:4 api:6"},
		{model.Filter{Service: "orders", User: "carol"}, "orders:2"},
		{model.Filter{RequestID: "r-3", Level: "error", Fingerprint: "fp-db"}, "orders:2"},
		{model.Filter{Service: "api", Query: "status:>=500"}, "api:4 api:6"},
		{model.Filter{MinLevel: "error", Since: sec(4), Until: sec(9), Query: "-service:api"}, "orders:3 inv:3"},
	}
	for _, c := range cases {
		checkFind(t, s, c.f, strings.Fields(c.want))
	}
}

// testSyntax: every kind of leaf of the search syntax, its operators and
// case rules.
func testSyntax(t *testing.T, s Store) {
	cases := []struct{ q, want string }{
		// Words: any string value of the line or canonical field, any case.
		{"refused", "api:4 orders:2 orders:5 plain:1"},
		{"REFUSED", "api:4 orders:2 orders:5 plain:1"},
		{"sku", "inv:2 inv:3"},
		{"5432", "orders:2 orders:5"}, // a word with digits
		{"acme", "api:7"},             // a nested JSON value
		{"tenant", ""},                // a JSON key is not searched
		{"eu", "inv:1 api:7"},
		{"traceback", "inv:4"}, // a text line
		{"shipped", "orders:4"},
		{"fp", ""}, // the fingerprint is not a word of the line
		{"nothingmatches", ""},
		// Phrases: consecutive words.
		{`"connection refused"`, "api:4 orders:2 orders:5 plain:1"},
		{`"refused connection"`, ""},
		{`"abc 123"`, "inv:2"},
		{"/api/orders/7", "api:5"},
		{`"orders id ship"`, "orders:4"}, // a derived field's words
		// Wildcards, regular expressions and fuzzy terms on words.
		{"time*", "api:6"},
		{"reser?ed", "inv:1"},
		{"/shi(p|pped)/", "orders:4"},
		{"timout~1", "api:6"},
		// Keyword fields: the whole value.
		{"service:orders", "orders:1 orders:2 orders:3 orders:4 orders:5"},
		{"service:ORDERS", ""},
		{"service:order", ""},
		{"level:ERROR", "api:4 orders:2 inv:3 api:6 orders:5"},
		{"level:Fatal", "orders:3"},
		{"method:get", "api:1 api:2 api:5"},
		{`route:"GET /api/orders/{id}"`, "api:1 api:2 api:5"},
		{`route:"GET /orders/{id}/ship"`, "orders:4"},
		{"route:POST*", "api:3 api:4 api:6"},
		{"path:/v1/*", "api:6"},
		{"user:/[a-c].*/", "api:1 api:2 orders:1 api:3 inv:1 api:4 orders:2 api:5 api:6"},
		{"user:alce~1", "api:1 api:2 orders:1 api:5"},
		{"host:h2", "orders:1 orders:2 orders:3 orders:4 orders:5"},
		{"version:1.1", "api:6 api:7"},
		{"error_type:KeyError", "inv:3"},
		{`error_type:"*net.OpError"`, "orders:2 orders:5"},
		{"fingerprint:fp-db", "orders:2 orders:5"},
		{"request_id:r-3", "api:4 orders:2"},
		{"trace_id:4bf92f3577b34da6a3ce929d0e0e4736", "api:4 orders:2"},
		{"span_id:00f067aa0ba902b7", "api:4"},
		{"parent_span_id:00f067aa0ba902b7", "orders:2"},
		{"trace_id:4bf92f35*", "api:4 orders:2"},
		{"source:inv", "inv:1 inv:2 inv:3 inv:4"},
		{"source:pl*", "plain:1 plain:2"},
		// Numbers and ranges.
		{"status:500", "orders:2 orders:5"},
		{"status:>=500", "api:4 orders:2 api:6 orders:5"},
		{"status:>500", "api:4 api:6"},
		{"status:<300", "api:2 api:3"},
		{"status:<=404", "api:2 api:3 api:5"},
		{"status:5??", "api:4 orders:2 api:6 orders:5"},
		{"duration:>100", "api:3 api:6"},
		{"duration:<=4", "inv:1 api:5"},
		{"duration_ms:12.5", "api:2"},
		// Time.
		{`time:>="2024-05-01T10:00:09Z"`, "orders:5 api:7 plain:1 plain:2"},
		{"time:<2024-05-01T10:00:01Z", "api:1"},
		{`time:"2024-05-01T12:00:03+02:00"`, "api:4 orders:2"},
		// Booleans.
		{"is_error:true", "api:4 orders:2 orders:3 inv:3 api:6 orders:5"},
		{"is_error:false", "api:1 api:2 orders:1 api:3 inv:1 inv:2 api:5 orders:4 inv:4 api:7 plain:1 plain:2"},
		// Text fields: a word of that field only.
		{"message:refused", "plain:1"},
		{"msg:shipped", "orders:4"},
		{"error:refused", "api:4 orders:2 orders:5"},
		{"stack:goroutine", "orders:2 orders:3"},
		{`stack:"save.go"`, "orders:3"},
		// Negation, AND, OR, grouping.
		{"-service:api", "orders:1 inv:1 orders:2 inv:2 orders:3 orders:4 inv:3 inv:4 orders:5 plain:1 plain:2"},
		{"NOT refused service:api", "api:1 api:2 api:3 api:5 api:6 api:7"},
		{"service:api AND status:>=500", "api:4 api:6"},
		{"service:api status:>=500", "api:4 api:6"},
		{"service:api && status:>=500", "api:4 api:6"},
		{"shipped OR keyerror", "orders:4 inv:3"},
		{"shipped || keyerror", "orders:4 inv:3"},
		{"(service:api OR service:orders) is_error:true", "api:4 orders:2 orders:3 api:6 orders:5"},
		{"service:api OR service:orders is_error:true", "api:1 api:2 api:3 api:4 orders:2 orders:3 api:5 api:6 orders:5 api:7"},
		{"refused -source:plain", "api:4 orders:2 orders:5"},
		{"+refused", "api:4 orders:2 orders:5 plain:1"},
		{"refused^2", "api:4 orders:2 orders:5 plain:1"},
		{"  ", strings.Join(allKeys, " ")},
	}
	for _, c := range cases {
		checkFind(t, s, model.Filter{Query: c.q}, strings.Fields(c.want))
	}
}

// testInvalid: malformed queries and filters are errors wrapping
// model.ErrInvalidQuery from every method that takes a filter.
func testInvalid(t *testing.T, s Store) {
	ctx := t.Context()
	for _, f := range []model.Filter{
		{Query: "foo:bar"},
		{Query: "(a OR b"},
		{Query: "status:abc"},
		{Query: `"unterminated`},
		{Query: "service:>5"},
		{MinLevel: "loud"},
	} {
		if _, err := s.Find(ctx, f, model.FindOptions{}); !errors.Is(err, model.ErrInvalidQuery) {
			t.Errorf("Find(%s) error = %v, want one wrapping model.ErrInvalidQuery", describe(f), err)
		}
		if _, err := s.Facet(ctx, f, "service", 5); !errors.Is(err, model.ErrInvalidQuery) {
			t.Errorf("Facet(%s) error = %v, want one wrapping model.ErrInvalidQuery", describe(f), err)
		}
		if _, err := s.Histogram(ctx, f, T0, at(12), 4); !errors.Is(err, model.ErrInvalidQuery) {
			t.Errorf("Histogram(%s) error = %v, want one wrapping model.ErrInvalidQuery", describe(f), err)
		}
	}
}

// testPaging: pages of every size, in both orders, cover the result once
// each, and every page carries the total.
func testPaging(t *testing.T, s Store) {
	filters := []struct {
		f    model.Filter
		want []string
	}{
		{model.Filter{}, allKeys},
		{model.Filter{ErrorsOnly: true}, strings.Fields("api:4 orders:2 orders:3 inv:3 api:6 orders:5")},
		{model.Filter{Query: "service:api OR service:inventory"}, strings.Fields("api:1 api:2 api:3 inv:1 api:4 inv:2 api:5 inv:3 inv:4 api:6 api:7")},
	}
	for _, c := range filters {
		for _, o := range []model.Order{model.OldestFirst, model.NewestFirst} {
			want := c.want
			if o == model.NewestFirst {
				want = reversed(want)
			}
			for _, limit := range []int{1, 2, 4, 5, len(want), 100} {
				var got []string
				for off := 0; off < len(want)+limit; off += limit {
					res := find(t, s, c.f, model.FindOptions{Limit: limit, Offset: off, Order: o})
					if res.Total != len(want) {
						t.Errorf("Find(%s, limit %d, offset %d, order %d): total %d, want %d", describe(c.f), limit, off, o, res.Total, len(want))
					}
					if n := min(limit, max(len(want)-off, 0)); len(res.Events) != n {
						t.Errorf("Find(%s, limit %d, offset %d, order %d): %d events, want %d", describe(c.f), limit, off, o, len(res.Events), n)
					}
					got = append(got, keys(res.Events)...)
				}
				if !slices.Equal(got, want) {
					t.Errorf("Find(%s, order %d) in pages of %d = %v, want %v", describe(c.f), o, limit, got, want)
				}
			}
		}
	}
}

// b is a facet bucket.
func b(v string, n int) model.Bucket { return model.Bucket{Value: v, Count: n} }

// testFacets: exact counts, most frequent first, ties by value, size, and
// what is missing or beyond the size.
func testFacets(t *testing.T, s Store) {
	cases := []struct {
		f     model.Filter
		field string
		size  int
		want  model.Facet
	}{
		{model.Filter{}, "service", 0, model.Facet{Total: 18, Missing: 2, Distinct: 3,
			Buckets: []model.Bucket{b("api", 7), b("orders", 5), b("inventory", 4)}}},
		{model.Filter{}, "service", 2, model.Facet{Total: 18, Missing: 2, Other: 4, Distinct: 3,
			Buckets: []model.Bucket{b("api", 7), b("orders", 5)}}},
		{model.Filter{}, "level", 10, model.Facet{Total: 18, Missing: 3, Distinct: 5,
			Buckets: []model.Bucket{b("info", 6), b("error", 5), b("warn", 2), b("debug", 1), b("fatal", 1)}}},
		{model.Filter{Service: "api"}, "level", 10, model.Facet{Total: 7, Distinct: 4,
			Buckets: []model.Bucket{b("info", 3), b("error", 2), b("debug", 1), b("warn", 1)}}},
		{model.Filter{}, "status", 3, model.Facet{Total: 18, Missing: 11, Other: 3, Distinct: 6,
			Buckets: []model.Bucket{b("500", 2), b("200", 1), b("201", 1)}}},
		{model.Filter{ErrorsOnly: true}, "user", 10, model.Facet{Total: 6, Missing: 1, Distinct: 3,
			Buckets: []model.Bucket{b("carol", 2), b("erin", 2), b("bob", 1)}}},
		{model.Filter{ErrorsOnly: true}, "fingerprint", 2, model.Facet{Total: 6, Other: 3, Distinct: 5,
			Buckets: []model.Bucket{b("fp-db", 2), b("fp-key", 1)}}},
		{model.Filter{Query: "refused"}, "source", 10, model.Facet{Total: 4, Distinct: 3,
			Buckets: []model.Bucket{b("orders", 2), b("api", 1), b("plain", 1)}}},
		{model.Filter{}, "route", 10, model.Facet{Total: 18, Missing: 11, Distinct: 4,
			Buckets: []model.Bucket{b("GET /api/orders/{id}", 3), b("POST /api/orders", 2), b("GET /orders/{id}/ship", 1), b("POST /v1/inventory/reserve", 1)}}},
		{model.Filter{}, "host", 10, model.Facet{Total: 18, Missing: 3, Distinct: 3,
			Buckets: []model.Bucket{b("h1", 7), b("h2", 5), b("h3", 3)}}},
		{model.Filter{}, "version", 10, model.Facet{Total: 18, Missing: 3, Distinct: 4,
			Buckets: []model.Bucket{b("1.0", 5), b("2.0", 5), b("3.2", 3), b("1.1", 2)}}},
		{model.Filter{Service: "api"}, "request_id", 10, model.Facet{Total: 7, Missing: 1, Distinct: 5,
			Buckets: []model.Bucket{b("r-1", 2), b("r-2", 1), b("r-3", 1), b("r-4", 1), b("r-5", 1)}}},
		{model.Filter{}, "error_type", 1, model.Facet{Total: 18, Missing: 12, Other: 4, Distinct: 5,
			Buckets: []model.Bucket{b("*net.OpError", 2)}}},
		{model.Filter{}, "method", 10, model.Facet{Total: 18, Missing: 12, Distinct: 2,
			Buckets: []model.Bucket{b("GET", 3), b("POST", 3)}}},
		{model.Filter{}, "path", 1, model.Facet{Total: 18, Missing: 11, Other: 5, Distinct: 5,
			Buckets: []model.Bucket{b("/api/orders", 2)}}},
		{model.Filter{Service: "nope"}, "service", 10, model.Facet{}},
	}
	norm := func(fc model.Facet) model.Facet {
		if len(fc.Buckets) == 0 {
			fc.Buckets = nil
		}
		return fc
	}
	for _, c := range cases {
		c.want.Field = c.field
		got, err := s.Facet(t.Context(), c.f, c.field, c.size)
		if err != nil {
			t.Errorf("Facet(%s, %s, %d): %v", describe(c.f), c.field, c.size, err)
			continue
		}
		if !reflect.DeepEqual(norm(got), norm(c.want)) {
			t.Errorf("Facet(%s, %s, %d) =\n%+v\nwant\n%+v", describe(c.f), c.field, c.size, got, c.want)
		}
	}
	for _, field := range []string{"message", "time", "duration", "nope", ""} {
		if _, err := s.Facet(t.Context(), model.Filter{}, field, 5); err == nil {
			t.Errorf("Facet of %q: no error, want one (not a facet field)", field)
		}
	}
	mf, ok := s.(MultiFaceter)
	if !ok {
		return
	}
	fields := []string{"service", "status", "user", "source", "level", "fingerprint"}
	for _, f := range []model.Filter{{}, {ErrorsOnly: true}, {Query: "refused OR shipped"}} {
		fcs, err := mf.Facets(t.Context(), f, fields, 2)
		if err != nil {
			t.Errorf("Facets(%s): %v", describe(f), err)
			continue
		}
		if len(fcs) != len(fields) {
			t.Errorf("Facets(%s) returned %d facets, want %d", describe(f), len(fcs), len(fields))
			continue
		}
		for i, field := range fields {
			one, err := s.Facet(t.Context(), f, field, 2)
			if err != nil || !reflect.DeepEqual(norm(fcs[i]), norm(one)) {
				t.Errorf("Facets(%s)[%s] = %+v, Facet = %+v (%v): they must agree", describe(f), field, fcs[i], one, err)
			}
		}
	}
	if _, err := mf.Facets(t.Context(), model.Filter{}, []string{"service", "message"}, 2); err == nil {
		t.Errorf("Facets with a non-facet field: no error")
	}
}

// testHistogram: bucket starts, counts, and the filter's own time bounds.
func testHistogram(t *testing.T, s Store) {
	cases := []struct {
		f        model.Filter
		from, to time.Time
		n        int
		starts   []time.Time
		counts   []int
	}{
		{model.Filter{}, T0, at(12), 4, []time.Time{T0, at(3), at(6), at(9)}, []int{5, 5, 4, 4}},
		{model.Filter{ErrorsOnly: true}, T0, at(12), 3, []time.Time{T0, at(4), at(8)}, []int{2, 2, 2}},
		{model.Filter{}, at(2), at(5), 3, []time.Time{at(2), at(3), at(4)}, []int{2, 2, 2}},
		{model.Filter{Since: at(4)}, T0, at(12), 2, []time.Time{T0, at(6)}, []int{3, 8}},
		{model.Filter{Until: at(4)}, at(2), at(12), 2, []time.Time{at(2), at(7)}, []int{4, 0}},
		{model.Filter{Query: "service:orders"}, T0.Add(-time.Hour), T0.Add(time.Hour), 2, []time.Time{T0.Add(-time.Hour), T0}, []int{0, 5}},
		// Uneven widths: starts are from + i*(to-from)/n, rounded down to
		// the nanosecond; an event at t goes to floor((t-from)*n/(to-from)).
		{model.Filter{}, T0, at(10), 3, []time.Time{T0, T0.Add(3333333333), T0.Add(6666666666)}, []int{7, 4, 4}},
		{model.Filter{Service: "nope"}, T0, at(12), 2, []time.Time{T0, at(6)}, []int{0, 0}},
	}
	for _, c := range cases {
		hs, err := s.Histogram(t.Context(), c.f, c.from, c.to, c.n)
		if err != nil {
			t.Errorf("Histogram(%s, T0+%s, T0+%s, %d): %v", describe(c.f), c.from.Sub(T0), c.to.Sub(T0), c.n, err)
			continue
		}
		var starts []time.Time
		var counts []int
		for _, h := range hs {
			starts = append(starts, h.Start)
			counts = append(counts, h.Count)
		}
		same := len(starts) == len(c.starts)
		for i := 0; same && i < len(starts); i++ {
			same = starts[i].Equal(c.starts[i])
		}
		if !same || !slices.Equal(counts, c.counts) {
			t.Errorf("Histogram(%s, T0+%s, T0+%s, %d) = starts %v counts %v, want starts %v counts %v",
				describe(c.f), c.from.Sub(T0), c.to.Sub(T0), c.n, starts, counts, c.starts, c.counts)
		}
	}
	for _, c := range []struct {
		from, to time.Time
		n        int
	}{{T0, at(10), 0}, {T0, at(10), -1}, {at(10), at(10), 3}, {at(10), T0, 3}} {
		if _, err := s.Histogram(t.Context(), model.Filter{}, c.from, c.to, c.n); err == nil {
			t.Errorf("Histogram(T0+%s, T0+%s, %d): no error", c.from.Sub(T0), c.to.Sub(T0), c.n)
		}
	}
}

// testDeploys: the whole history, oldest first (ties by service), times in
// UTC.
func testDeploys(t *testing.T, s Store) {
	ds, err := s.Deploys(t.Context())
	if err != nil {
		t.Fatalf("Deploys: %v", err)
	}
	want := []string{
		"T0+-1h0m0s orders 2.0 b20 dana prod deploys.json:3",
		"T0+-30m0s api 1.0 a10 ci prod deploys.json:4",
		"T0+-30m0s inventory 3.2 c32 ci prod deploys.json:2",
		"T0+7s api 1.1 a11 bob prod deploys.json:1 hosts=api-1 status=deployed description=canary 1.1",
	}
	var got []string
	for _, d := range ds {
		line := fmt.Sprintf("T0+%s %s %s %s %s %s %s:%d", d.Time.Sub(T0), d.Service, d.Version, d.Commit, d.Author, d.Environment, d.Source, d.Line)
		if d.Hosts != "" || d.Status != "" || d.Description != "" {
			line += fmt.Sprintf(" hosts=%s status=%s description=%s", d.Hosts, d.Status, d.Description)
		}
		got = append(got, line)
		if d.Time.Location() != time.UTC {
			t.Errorf("deploy %s %s: time %v, want UTC", d.Service, d.Version, d.Time)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Deploys() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// testSpan: counts and the event time window.
func testSpan(t *testing.T, s Store) {
	sp, err := s.Span(t.Context())
	if err != nil {
		t.Fatalf("Span: %v", err)
	}
	if sp.Events != 18 || sp.Deploys != 4 || !sp.First.Equal(T0) || !sp.Last.Equal(at(11)) {
		t.Errorf("Span() = %+v, want 18 events, 4 deploys, first T0 (%v), last T0+11s", sp, T0)
	}
}

// testCancelled: a cancelled context stops every query with its error.
func testCancelled(t *testing.T, s Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Find(ctx, model.Filter{}, model.FindOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Find with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.Find(ctx, model.Filter{Query: "refused"}, model.FindOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Find(refused) with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.Facet(ctx, model.Filter{}, "service", 5); !errors.Is(err, context.Canceled) {
		t.Errorf("Facet with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.Histogram(ctx, model.Filter{}, T0, at(12), 4); !errors.Is(err, context.Canceled) {
		t.Errorf("Histogram with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.Deploys(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Deploys with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.Span(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Span with a cancelled context: %v, want context.Canceled", err)
	}
}
