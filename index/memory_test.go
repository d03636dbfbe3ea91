package index

import (
	"fmt"
	"slices"
	"testing"
	"time"

	bquery "github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// bleveExpansions returns, for every regexp query in the bleve query that
// plans f, the number of dictionary terms bleve expands it to (one term
// searcher, with its buffers, per term).
func bleveExpansions(t *testing.T, ix *Index, f Filter) []int {
	t.Helper()
	root, err := compileFilter(f)
	if err != nil {
		t.Fatal(err)
	}
	root.prepare()
	if err := ix.limitExpansions(root); err != nil {
		t.Fatal(err)
	}
	adv, err := ix.bl.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []int
	var walk func(q bquery.Query)
	walk = func(q bquery.Query) {
		switch q := q.(type) {
		case *bquery.RegexpQuery:
			n, err := countTerms(r.(bindex.IndexReaderRegexp), q.FieldVal, q.Regexp, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		case *bquery.DisjunctionQuery:
			for _, k := range q.Disjuncts {
				walk(k)
			}
		case *bquery.ConjunctionQuery:
			for _, k := range q.Conjuncts {
				walk(k)
			}
		}
	}
	if q := root.bleveQuery(); q != nil {
		walk(q)
	}
	return out
}

// manyIDs returns n events of one source, each with its own request id and
// user, and two services.
func manyIDs(n int) []Event {
	t0 := time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC)
	evs := make([]Event, n)
	for i := range evs {
		svc := []string{"api", "orders"}[i%2]
		raw := fmt.Sprintf(`{"ts":%q,"service":%q,"request_id":"r-%05d","user":"u-%05d","msg":"served"}`, t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), svc, i, i)
		evs[i] = Event{Time: t0.Add(time.Duration(i) * time.Second), Service: svc, RequestID: fmt.Sprintf("r-%05d", i),
			User: fmt.Sprintf("u-%05d", i), Message: "served", Source: "app.log", Line: int64(i + 1), Raw: []byte(raw)}
	}
	return evs
}

// TestPatternExpansionBounded: a wildcard or regexp on a keyword field with
// a value per line must not expand to every value in bleve (memory grew
// with the number of distinct values: 3 GiB for request_id:* on a million
// lines); the answer stays exact.
func TestPatternExpansionBounded(t *testing.T) {
	defer func(n int) { maxExpansion = n }(maxExpansion)
	maxExpansion = 16
	evs := manyIDs(600)
	ix := buildIndex(t, evs, 0)
	for _, q := range []string{"request_id:*", "user:u-0*", "request_id:/r-0[0-4].*/", "service:*", "request_id:r-0000?", "NOT user:u-001*"} {
		f := Filter{Query: q}
		for _, n := range bleveExpansions(t, ix, f) {
			if n > maxExpansion {
				t.Errorf("%s: bleve expands a pattern to %d terms, want at most %d", q, n, maxExpansion)
			}
		}
		want := naiveFind(t, evs, f, OldestFirst)
		res, err := ix.Find(t.Context(), f, FindOptions{Limit: 1000})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got := keys(res.Events); res.Total != len(want) || fmt.Sprint(got) != fmt.Sprint(keys(want)) {
			t.Errorf("%s: %d events (total %d), want %d", q, len(got), res.Total, len(want))
		}
	}
	// A narrow pattern still prunes in bleve: no value of request_id
	// (blocks have short terms), one short term (r-0000). (bleve is
	// asked even of an index this small.)
	defer func(v int) { fewBlocks = v }(fewBlocks)
	fewBlocks = 0
	if got := bleveExpansions(t, ix, Filter{Query: "request_id:r-0000?"}); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("request_id:r-0000? expansions = %v, want [0 1]", got)
	}
	p, err := ix.plan(t.Context(), Filter{Query: "request_id:r-0000?"})
	if err != nil {
		t.Fatal(err)
	}
	if all := len(p.blocks); len(p.nums) != 1 || all < 3 {
		t.Errorf("request_id:r-0000?: %d candidate blocks of %d, want 1", len(p.nums), all)
	}
}

// TestFindEach: FindEach hands out exactly Find's events in Find's order
// (any order, offset and limit), and holds only the hits of blocks that
// overlap in time, not every hit: search ” --limit 1000000 held a million
// events (1.25 GiB).
func TestFindEach(t *testing.T) {
	var evs []Event
	for s := range 3 {
		part, _ := synthCorpus(3000, uint64(s+1))
		evs = append(evs, part...)
	}
	ix := buildIndex(t, evs, 2000)
	maxPending := 0
	pendingHook = func(n int) { maxPending = max(maxPending, n) }
	defer func() { pendingHook = nil }()
	for _, f := range []Filter{{}, {ErrorsOnly: true}, {Query: "status:>=400"}, {Query: "NOT level:info"}} {
		for _, order := range []Order{OldestFirst, NewestFirst} {
			all := naiveFind(t, evs, f, order)
			for _, o := range []FindOptions{{Order: order}, {Order: order, Limit: 7}, {Order: order, Offset: 100, Limit: 50}, {Order: order, Offset: len(all) + 1}} {
				var got []string
				total, err := ix.FindEach(t.Context(), f, o, func(e *Event) error {
					got = append(got, key(*e))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				want := all[min(o.Offset, len(all)):]
				if o.Limit > 0 && len(want) > o.Limit {
					want = want[:o.Limit]
				}
				if total != len(all) || fmt.Sprint(got) != fmt.Sprint(keys(want)) {
					t.Errorf("FindEach(%+v, %+v): %d events (total %d), want %d (total %d); first difference at %d",
						f, o, len(got), total, len(want), len(all), firstDiff(got, keys(want)))
				}
			}
		}
	}
	// Three sources interleaved in time: at most a few blocks per source
	// overlap any instant.
	if lim := 3 * 3 * blockMaxLines; maxPending == 0 || maxPending > lim {
		t.Errorf("FindEach held up to %d hits at once, want at most %d of %d events", maxPending, lim, len(evs))
	}
}
