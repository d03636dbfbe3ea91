package index

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFindQueries(t *testing.T) {
	ix := buildIndex(t, fixture(), 0)
	long := "/x" + strings.Repeat("x", 300)
	cases := []struct {
		query string
		want  string // fixture keys, oldest first
	}{
		{"", "A5 A1 I1 A2 O1 A3 A4 L1 A6"},
		{"reserve", "A1 I1"},              // a word inside a URL path, and of "main.reserve()"
		{"inventory", "A1 I1"},            // URL path and service
		{"orders", "O1"},                  // a dotted name
		{"handler", "O1"},                 // case-insensitive, dotted name
		{"/v1/inventory/reserve", "A1"},   // a path: its words, consecutive
		{`"connection refused"`, "I1 A2"}, // phrase, any case
		{"connection refused", "I1 A2"},   // both words
		{"refused connection", "I1 A2"},   // both words, any order
		{`"refused connection"`, ""},      // phrase order matters
		{"café", "O1 A3"},                 // nested object; \u00e9 escape
		{"naïve", "O1"},                   // non-ASCII word
		{"quoted", "A3"},                  // inside an escaped quote
		{"beta", "A3"},                    // array element
		{"😀", ""},                         // not a letter or digit: error tested below
		{"10.0.0.7", "I1"},                // dotted digits: consecutive words
		{"5432", "I1"},                    // a word with digits (Bloom filter path)
		{"12345", "A6"},                   //
		{"ab12cd", "A6"},                  // lowercased
		{"12345 failed", "A6"},            //
		{"99999", ""},                     //
		{"status:500", "I1"},              //
		{"status:>=500", "I1 A4 A6"},      //
		{"status:>404", "I1 A4 A6"},       //
		{"status:<300", "O1"},             // missing statuses never match
		{"status:>=404 AND status:<=500", "I1 A3"},
		{"status:5*", "I1 A4 A6"},     // pattern over the number
		{"duration:>1000", "I1"},      //
		{"duration:<=250", "O1"},      //
		{"duration_ms:250", "O1"},     //
		{"level:error", "I1 A6"},      //
		{"level:ERROR", "I1 A6"},      // level folds case
		{"is_error:true", "I1 A4 A6"}, //
		{"is_error:false", "A5 A1 A2 O1 A3 L1"},
		{"service:api", "A5 A1 A2 A3 A4 A6"}, //
		{"service:api -level:info", "A5 A2 A4 A6"},
		{"service:api NOT level:info", "A5 A2 A4 A6"},
		{"+service:api +status:>=500", "A4 A6"},
		{"service:api AND status:>=500", "A4 A6"},
		{"service:inventory OR service:orders", "I1 O1"},
		{"(service:inventory OR service:orders) refused", "I1"},
		{"service:inventory OR service:orders refused", "I1"}, // AND binds tighter
		{"NOT service:api", "I1 O1 L1"},
		{`route:"POST /v1/inventory/reserve"`, "A1"},
		{"route:POST*", "A1"},
		{"route:post*", ""}, // route is case-sensitive
		{"method:post", "A1"},
		{"path:/api/orders/*", "O1"},
		{"user:/c.*/", "A3 A4"},
		{"user:alicee~1", "A1"},
		{"refsed~1", "I1 A2"},
		{"reser*", "A1 I1"},
		{"re?erve", "A1 I1"},
		{"/rese.ve/", "A1 I1"},
		{"request_id:r-1", "A1 I1"},
		{"request_id:r-1 refused", "I1"},
		{"fingerprint:fp-panic", "A4"},
		{"source:api.log", "A5 A1 A2 A3 A4 A6"},
		{"host:api-1 version:v2.0.1", "A4"},
		{"error_type:ConnectionError", "I1"},
		{`time:>="2024-05-01T10:00:01Z"`, "A2 O1 A3 A4 L1 A6"},
		{`time:<"2024-05-01T10:00:00.5Z"`, "A5 A1"},
		{`time:"2024-05-01T10:00:03.123456789Z"`, "A4"},
		{"message:reserve", "I1"},
		{"message:connection", "A2"},
		{"error:refused", "I1"},
		{"stack:reserve", "I1"},
		{`stack:"main reserve"`, "I1"},
		{"msg:slow", "O1"},
		{"path:" + long, "L1"},
		{"path:/x*", "L1"},
		{"user:nul*", "L1"},
		{"error:upstream~1 OR message:panic", "A4 A6"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			res, err := ix.Find(t.Context(), Filter{Query: c.query}, FindOptions{Limit: 100})
			if c.query == "😀" {
				if !errors.Is(err, ErrInvalidQuery) {
					t.Fatalf("Find(%q) error = %v, want ErrInvalidQuery", c.query, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Find(%q): %v", c.query, err)
			}
			if got := fixtureKeys(res.Events); got != c.want || res.Total != len(res.Events) {
				t.Errorf("Find(%q) = %q (total %d), want %q", c.query, got, res.Total, c.want)
			}
		})
	}
}

func TestFindFilters(t *testing.T) {
	ix := buildIndex(t, fixture(), 0)
	cases := []struct {
		name string
		f    Filter
		o    FindOptions
		want string
	}{
		{"request", Filter{RequestID: "r-1"}, FindOptions{}, "A1 I1"},
		{"errors of a service", Filter{Service: "api", ErrorsOnly: true}, FindOptions{}, "A4 A6"},
		{"min level", Filter{MinLevel: "warn"}, FindOptions{}, "I1 O1 A4 A6"},
		{"level", Filter{Level: "ERROR"}, FindOptions{}, "I1 A6"},
		{"fingerprint", Filter{Fingerprint: "fp-conn"}, FindOptions{}, "I1"},
		{"user and route", Filter{User: "alice", Route: "POST /v1/inventory/reserve"}, FindOptions{}, "A1"},
		{"window", Filter{Since: t0.Add(time.Second), Until: t0.Add(3 * time.Second)}, FindOptions{}, "A2 O1 A3"},
		{"since is inclusive to the ns", Filter{Since: t0.Add(3*time.Second + 123456789)}, FindOptions{}, "A4 L1 A6"},
		{"until is exclusive to the ns", Filter{Until: t0.Add(3*time.Second + 123456789)}, FindOptions{}, "A5 A1 I1 A2 O1 A3"},
		{"until one ns later", Filter{Until: t0.Add(3*time.Second + 123456790)}, FindOptions{}, "A5 A1 I1 A2 O1 A3 A4"},
		{"filter and query", Filter{Service: "api", Query: "status:>=500"}, FindOptions{}, "A4 A6"},
		{"newest first", Filter{Service: "api"}, FindOptions{Order: NewestFirst}, "A6 A4 A3 A2 A1 A5"},
		{"page", Filter{}, FindOptions{Offset: 2, Limit: 3}, "I1 A2 O1"},
		{"page newest", Filter{}, FindOptions{Offset: 1, Limit: 2, Order: NewestFirst}, "L1 A4"},
		{"past the end", Filter{}, FindOptions{Offset: 50}, ""},
		{"nothing", Filter{RequestID: "nope"}, FindOptions{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := ix.Find(t.Context(), c.f, c.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := fixtureKeys(res.Events); got != c.want {
				t.Errorf("Find(%+v, %+v) = %q, want %q", c.f, c.o, got, c.want)
			}
			all, _ := ix.Find(t.Context(), c.f, FindOptions{Limit: 1000})
			if res.Total != len(all.Events) {
				t.Errorf("Total = %d, want %d", res.Total, len(all.Events))
			}
		})
	}
	if _, err := ix.Find(t.Context(), Filter{MinLevel: "loud"}, FindOptions{}); err == nil {
		t.Error("Find with MinLevel loud: no error")
	}
}

// TestFindEventsRoundTrip checks that Find returns every field of every
// event as it was added.
func TestFindEventsRoundTrip(t *testing.T) {
	evs := fixture()
	ix := buildIndex(t, evs, 0)
	res, err := ix.Find(t.Context(), Filter{}, FindOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]Event{}
	for _, e := range evs {
		byKey[key(e)] = e
	}
	if len(res.Events) != len(evs) {
		t.Fatalf("got %d events, want %d", len(res.Events), len(evs))
	}
	for _, got := range res.Events {
		want := byKey[key(got)]
		if !got.Time.Equal(want.Time) || got.Time.Location() != time.UTC {
			t.Errorf("%s: Time = %v, want %v in UTC", key(got), got.Time, want.Time)
		}
		got.Time, want.Time = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", key(got), got, want)
		}
	}
}

func TestFacet(t *testing.T) {
	ix := buildIndex(t, fixture(), 0)
	cases := []struct {
		field string
		f     Filter
		size  int
		want  Facet
	}{
		{"service", Filter{}, 2, Facet{Field: "service", Total: 9, Missing: 1, Other: 1, Distinct: 3,
			Buckets: []Bucket{{Value: "api", Count: 6}, {Value: "inventory", Count: 1}}}},
		{"service", Filter{}, 0, Facet{Field: "service", Total: 9, Missing: 1, Distinct: 3,
			Buckets: []Bucket{{Value: "api", Count: 6}, {Value: "inventory", Count: 1}, {Value: "orders", Count: 1}}}},
		{"status", Filter{}, 3, Facet{Field: "status", Total: 9, Missing: 4, Other: 2, Distinct: 5,
			Buckets: []Bucket{{Value: "200", Count: 1}, {Value: "404", Count: 1}, {Value: "500", Count: 1}}}},
		{"level", Filter{Service: "api"}, 10, Facet{Field: "level", Total: 6, Missing: 2, Distinct: 3,
			Buckets: []Bucket{{Value: "info", Count: 2}, {Value: "error", Count: 1}, {Value: "fatal", Count: 1}}}},
		{"user", Filter{ErrorsOnly: true}, 10, Facet{Field: "user", Total: 3, Missing: 2, Distinct: 1,
			Buckets: []Bucket{{Value: "carol", Count: 1}}}},
		{"source", Filter{Query: "refused"}, 10, Facet{Field: "source", Total: 2, Distinct: 2,
			Buckets: []Bucket{{Value: "api.log", Count: 1}, {Value: "inv.log", Count: 1}}}},
		{"route", Filter{RequestID: "none"}, 10, Facet{Field: "route", Buckets: []Bucket{}}},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			got, err := ix.Facet(t.Context(), c.f, c.field, c.size)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Facet(%+v, %s, %d) =\n %+v\nwant %+v", c.f, c.field, c.size, got, c.want)
			}
		})
	}
	if _, err := ix.Facet(t.Context(), Filter{}, "message", 10); err == nil {
		t.Error("Facet(message): no error")
	}
}

func TestFacetsMatchFacetPerField(t *testing.T) {
	ix := buildIndex(t, fixture(), 0)
	fields := []string{"service", "status", "level", "user", "route", "source"}
	for _, f := range []Filter{{}, {Service: "api"}, {ErrorsOnly: true}, {Query: "refused"}, {RequestID: "none"}} {
		got, err := ix.Facets(t.Context(), f, fields, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i, field := range fields {
			want, err := ix.Facet(t.Context(), f, field, 2)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got[i], want) {
				t.Errorf("Facets(%+v)[%s] = %+v, want %+v (Facet)", f, field, got[i], want)
			}
		}
	}
	if _, err := ix.Facets(t.Context(), Filter{}, []string{"service", "message"}, 10); err == nil {
		t.Error("Facets with an unknown field: no error")
	}
}

func TestHistogram(t *testing.T) {
	ix := buildIndex(t, fixture(), 0)
	cases := []struct {
		name     string
		f        Filter
		from, to time.Time
		n        int
		want     []int
	}{
		{"seconds", Filter{}, t0, t0.Add(6 * time.Second), 6, []int{2, 2, 1, 1, 1, 1}},
		{"uneven width", Filter{}, t0, t0.Add(5 * time.Second), 2, []int{5, 2}}, // [0,2.5) [2.5,5)
		{"errors", Filter{ErrorsOnly: true}, t0, t0.Add(6 * time.Second), 3, []int{1, 1, 1}},
		{"filter window inside", Filter{Since: t0.Add(time.Second)}, t0, t0.Add(2 * time.Second), 2, []int{0, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ix.Histogram(t.Context(), c.f, c.from, c.to, c.n)
			if err != nil {
				t.Fatal(err)
			}
			var counts []int
			for i, b := range got {
				counts = append(counts, b.Count)
				wantStart := c.from.Add(c.to.Sub(c.from) * time.Duration(i) / time.Duration(c.n))
				if !b.Start.Equal(wantStart) {
					t.Errorf("bucket %d starts at %v, want %v", i, b.Start, wantStart)
				}
			}
			if !reflect.DeepEqual(counts, c.want) {
				t.Errorf("Histogram = %v, want %v", counts, c.want)
			}
		})
	}
	if _, err := ix.Histogram(t.Context(), Filter{}, t0, t0, 3); err == nil {
		t.Error("empty range: no error")
	}
	if _, err := ix.Histogram(t.Context(), Filter{}, t0, t0.Add(time.Hour), 0); err == nil {
		t.Error("0 buckets: no error")
	}
}

func TestSpan(t *testing.T) {
	ix := buildIndex(t, fixture(), 0)
	got, err := ix.Span(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := Span{Events: 9, First: time.Time{}, Last: t0.Add(5 * time.Second)}
	if got.Events != want.Events || !got.First.Equal(want.First) || !got.Last.Equal(want.Last) || got.Deploys != 0 {
		t.Errorf("Span = %+v, want %+v", got, want)
	}
}

// TestFindAgainstNaive compares Find, Facet and Histogram on a synthetic
// corpus (several blocks per source, two sources, small commits) with a
// direct evaluation of each query on every event.
func TestFindAgainstNaive(t *testing.T) {
	// bleve is asked even though the index has few blocks.
	defer func(v int) { fewBlocks = v }(fewBlocks)
	fewBlocks = 0
	a, _ := synthCorpus(2500, 11)
	b, _ := synthCorpus(2500, 12)
	evs := append(append(append([]Event{}, a...), b...), fixture()...)
	ix := buildIndex(t, evs, 1700)
	sample := evs[1234]
	other := evs[3999]
	queries := []Filter{
		{},
		{RequestID: sample.RequestID},
		{Query: "request_id:" + other.RequestID},
		{User: sample.User, ErrorsOnly: true},
		{Query: "reserve"},
		{Query: "inventory reserve -service:inventory"},
		{Query: `"connection refused"`},
		{Query: "refused OR timeout"},
		{Query: "alpha bravo"},
		{Query: "status:>=500"},
		{Query: "status:>=400 status:<500"},
		{Query: "duration:>1000 level:warn"},
		{Query: "duration:<1"},
		{Query: words(sample.RequestID)[0]}, // a word with digits (Bloom filter)
		{Query: sample.RequestID},           // uuid: five consecutive words
		{Query: strings.TrimPrefix(sample.User, "u-")},
		{Query: "handler.go"},
		{Query: "goroutine running"},
		{Query: "stack:handler"},
		{Query: "message:cache"},
		{Query: "echo*"},
		{Query: "cach*"},
		{Query: "user:u-1*"},
		{Query: "/char.*e/"},
		{Query: "foxtrt~1"},
		{Query: "NOT level:info NOT level:debug"},
		{Query: "route:" + `"` + sample.Route + `"` + " OR service:auth"},
		{Query: "is_error:true -stack:goroutine"},
		{Service: "payments", Since: evs[1000].Time, Until: evs[2000].Time},
		{MinLevel: "warn", Since: evs[3000].Time.Add(-time.Nanosecond)},
		{Query: "version:v1.2 host:orders-1"},
		{Query: "source:" + sample.Source + " -status:200"},
	}
	for _, f := range queries {
		name := fmt.Sprintf("%+v", f)
		t.Run(name, func(t *testing.T) {
			for _, order := range []Order{OldestFirst, NewestFirst} {
				want := naiveFind(t, evs, f, order)
				got, err := ix.Find(t.Context(), f, FindOptions{Limit: len(evs), Order: order})
				if err != nil {
					t.Fatal(err)
				}
				if got.Total != len(want) || !reflect.DeepEqual(keys(got.Events), keys(want)) {
					t.Fatalf("order %d: Find total %d, naive %d; first diff at %d", order, got.Total, len(want), firstDiff(keys(got.Events), keys(want)))
				}
				page, err := ix.Find(t.Context(), f, FindOptions{Limit: 7, Offset: 5, Order: order})
				if err != nil {
					t.Fatal(err)
				}
				if wp := want[min(5, len(want)):min(12, len(want))]; page.Total != len(want) || !reflect.DeepEqual(keys(page.Events), keys(wp)) {
					t.Fatalf("order %d page: %v, want %v", order, keys(page.Events), keys(wp))
				}
			}
			want := naiveFind(t, evs, f, OldestFirst)
			for _, field := range []string{"service", "user", "status", "route"} {
				fc, err := ix.Facet(t.Context(), f, field, 3)
				if err != nil {
					t.Fatal(err)
				}
				if wf := naiveFacet(want, field, 3); !reflect.DeepEqual(fc, wf) {
					t.Errorf("Facet(%s) = %+v, want %+v", field, fc, wf)
				}
			}
			from, to := evs[0].Time, evs[2499].Time
			h, err := ix.Histogram(t.Context(), f, from, to, 7)
			if err != nil {
				t.Fatal(err)
			}
			if wh := naiveHistogram(want, from, to, 7); !reflect.DeepEqual(h, wh) {
				t.Errorf("Histogram = %v, want %v", h, wh)
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func naiveFacet(evs []Event, field string, size int) Facet {
	fc := Facet{Field: field, Total: len(evs)}
	counts := map[string]int{}
	for i := range evs {
		var v string
		switch field {
		case "status":
			if evs[i].Status != 0 {
				v = itoa(evs[i].Status)
			}
		case "source":
			v = evs[i].Source
		default:
			v = kwValue(&evs[i], facetFields[field])
		}
		if v == "" {
			fc.Missing++
			continue
		}
		counts[v]++
	}
	fc.Distinct = len(counts)
	fc.Buckets = []Bucket{}
	for v, n := range counts {
		fc.Buckets = append(fc.Buckets, Bucket{Value: v, Count: n})
	}
	sortBuckets(fc.Buckets)
	if len(fc.Buckets) > size {
		fc.Buckets = fc.Buckets[:size]
	}
	fc.Other = fc.Total - fc.Missing
	for _, b := range fc.Buckets {
		fc.Other -= b.Count
	}
	return fc
}

func sortBuckets(bs []Bucket) {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && (bs[j].Count > bs[j-1].Count || bs[j].Count == bs[j-1].Count && bs[j].Value < bs[j-1].Value); j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

func naiveHistogram(evs []Event, from, to time.Time, n int) []TimeBucket {
	out := make([]TimeBucket, n)
	span := to.Sub(from)
	for i := range out {
		out[i].Start = from.Add(span * time.Duration(i) / time.Duration(n)).UTC()
	}
	for _, e := range evs {
		if e.Time.Before(from) || !e.Time.Before(to) {
			continue
		}
		k := int(int64(e.Time.Sub(from)) * int64(n) / int64(span))
		out[k].Count++
	}
	return out
}
