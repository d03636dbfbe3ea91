package victorialogs_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/index/syntax"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// atoms are clauses over the storetest corpus: every kind of leaf, exact
// and inexact translations, matching and not.
var atoms = []string{
	"refused", `"connection refused"`, "Timeout", "request", "orders", "eu", "acme", "sku", "abc", "42",
	"message:failed", "error:refused", "stack:main", "service:api", "service:inventory", "level:ERROR",
	"method:get", "user:bob", "host:h2", "version:1.1", "route:GET*", "user:/[a-c].*/", "path:/api/orders",
	"status:>=500", "status:404", "status:5??", "duration:<10", "duration:>=950", "is_error:true",
	"is_error:false", "source:plain", "source:/or.*/", "fingerprint:fp-db", "request_id:r-3",
	"time*", "reser?ve", "timout~1", "querry~1", "user:bop~1", "/v1/inventory/reserve", "traceback",
	`time:>="2024-05-01T10:00:05Z"`, "time:<2024-05-01T10:00:04Z",
}

// randomQuery combines atoms with AND, OR, NOT and parentheses.
func randomQuery(r *rand.Rand, depth int) string {
	if depth == 0 || r.IntN(3) == 0 {
		a := atoms[r.IntN(len(atoms))]
		if r.IntN(5) == 0 {
			return "-" + a
		}
		return a
	}
	l, rt := randomQuery(r, depth-1), randomQuery(r, depth-1)
	switch r.IntN(4) {
	case 0:
		return l + " OR " + rt
	case 1:
		return "(" + l + " OR " + rt + ")"
	case 2:
		return "NOT (" + l + ") " + rt
	}
	return l + " " + rt
}

// Random combinations of every kind of clause select the same events, in
// the same order with the same totals and pages (small pages, and reads of
// every match), and give the same facets, group ends, group summaries
// and histograms (odd bucket widths included), from VictoriaLogs as from
// the reference store (storetest.Fake, which evaluates Match on every
// event).
func TestRandomQueriesAgreeWithReference(t *testing.T) {
	t.Run("single node", func(t *testing.T) { agree(t, vltest.Start(t)) })
	t.Run("cluster", func(t *testing.T) { agree(t, vltest.StartCluster(t, 2).Frontend) })
}

func agree(t *testing.T, srv *vltest.Server) {
	evs, ds := storetest.Corpus()
	ref := storetest.NewFake(evs, ds)
	s := openStore(t, srv)
	load(t, s, evs, ds)
	r := rand.New(rand.NewPCG(13, 1))
	n := 300
	if testing.Short() {
		n = 60
	}
	for range n {
		f := model.Filter{Query: randomQuery(r, 3)}
		if r.IntN(4) == 0 {
			f.MinLevel = "warn"
		}
		o := model.FindOptions{Limit: 1 + r.IntN(6), Offset: r.IntN(4), Order: model.Order(r.IntN(2))}
		if r.IntN(4) == 0 {
			// A read of every match (the total then comes from the page
			// unless the page is full or empty), from before, inside or
			// past the end of the matches.
			o.Limit, o.Offset = 1000, r.IntN(20)
		}
		want, werr := ref.Find(t.Context(), f, o)
		got, gerr := s.Find(t.Context(), f, o)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("Find(%+v): error %v, reference %v", f, gerr, werr)
		}
		if werr != nil {
			continue
		}
		if fmt.Sprint(lineKeys(got.Events)) != fmt.Sprint(lineKeys(want.Events)) || got.Total != want.Total {
			t.Errorf("Find(%q, %+v) = %v total %d, reference %v total %d", f.Query, o, lineKeys(got.Events), got.Total, lineKeys(want.Events), want.Total)
		}
		field := []string{"service", "status", "level", "user", "source"}[r.IntN(5)]
		wf, _ := ref.Facet(t.Context(), f, field, 2)
		gf, err := s.Facet(t.Context(), f, field, 2)
		if err != nil {
			t.Fatalf("Facet(%q, %s): %v", f.Query, field, err)
		}
		if !reflect.DeepEqual(gf, wf) {
			t.Errorf("Facet(%q, %s) = %+v, reference %+v", f.Query, field, gf, wf)
		}
		if got, want := groupEnds(t, s, f, field), refGroupEnds(t, ref, f, field); got != want {
			t.Errorf("GroupEnds(%q, %s) =\n%s\nreference\n%s", f.Query, field, got, want)
		}
		sf := summaryFields[r.IntN(len(summaryFields))]
		if got, want := summaries(t, s, f, sf), refSummaries(t, ref, f, sf); got != want {
			t.Errorf("GroupSummaries(%q, %v) =\n%s\nreference\n%s", f.Query, sf, got, want)
		}
		from := storetest.T0.Add(time.Duration(r.IntN(4000)-1000) * time.Millisecond)
		to := from.Add(time.Duration(1+r.IntN(15000)) * time.Millisecond)
		nb := 1 + r.IntN(7)
		wh, _ := ref.Histogram(t.Context(), f, from, to, nb)
		gh, err := s.Histogram(t.Context(), f, from, to, nb)
		if err != nil {
			t.Fatalf("Histogram(%q): %v", f.Query, err)
		}
		if !reflect.DeepEqual(gh, wh) {
			t.Errorf("Histogram(%q, T0%+v, %s, %d) = %v, reference %v", f.Query, from.Sub(storetest.T0), to.Sub(from), nb, gh, wh)
		}
	}
}

func lineKeys(evs []model.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = fmt.Sprintf("%s:%d", e.Source, e.Line)
	}
	return out
}

// groupEnds renders GroupEnds' answer: value, count, first and last line.
func groupEnds(t *testing.T, s *victorialogs.Store, f model.Filter, field string) string {
	t.Helper()
	gs, err := s.GroupEnds(t.Context(), f, field)
	if err != nil {
		t.Fatalf("GroupEnds(%q, %s): %v", f.Query, field, err)
	}
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "%s %d %v\n", g.Value, g.Count, lineKeys([]model.Event{g.First, g.Last}))
	}
	return b.String()
}

// refGroupEnds is GroupEnds by its definition: every match in Find's
// order, grouped by value; a value's first and last match are its ends.
func refGroupEnds(t *testing.T, ref *storetest.Fake, f model.Filter, field string) string {
	t.Helper()
	res, err := ref.Find(t.Context(), f, model.FindOptions{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	fl, err := syntax.FacetField(field)
	if err != nil {
		t.Fatal(err)
	}
	byValue := map[string]*model.GroupEnds{}
	for _, ev := range res.Events {
		v, _ := fl.Value(&ev)
		if v == "" {
			continue
		}
		g := byValue[v]
		if g == nil {
			g = &model.GroupEnds{Value: v, First: ev}
			byValue[v] = g
		}
		g.Count++
		g.Last = ev
	}
	gs := make([]*model.GroupEnds, 0, len(byValue))
	for _, g := range byValue {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *model.GroupEnds) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "%s %d %v\n", g.Value, g.Count, lineKeys([]model.Event{g.First, g.Last}))
	}
	return b.String()
}

// summaryFields are sets of facets asked with group summaries: what
// query's Errors asks of every group (about one combination per event),
// and fields whose combinations repeat over a group's events.
var summaryFields = [][]string{{"request_id", "trace_id", "route", "user"}, {"service", "level", "status"}}

// summaries renders GroupSummaries by fingerprint: each group's ends and
// its facets of fields, two values each.
func summaries(t *testing.T, s *victorialogs.Store, f model.Filter, fields []string) string {
	t.Helper()
	gs, err := s.GroupSummaries(t.Context(), f, "fingerprint", fields, 2)
	if err != nil {
		t.Fatalf("GroupSummaries(%q): %v", f.Query, err)
	}
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "%s %d %v\n", g.Value, g.Count, lineKeys([]model.Event{g.First, g.Last}))
		for _, fc := range g.Facets {
			fmt.Fprintf(&b, "  %+v\n", fc)
		}
	}
	return b.String()
}

// refSummaries is GroupSummaries by its definition: each group's ends,
// and the reference's facets with the filter narrowed to the group.
func refSummaries(t *testing.T, ref *storetest.Fake, f model.Filter, fields []string) string {
	t.Helper()
	ends := refGroupEnds(t, ref, f, "fingerprint")
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(ends, "\n"), "\n") {
		if line == "" {
			continue
		}
		b.WriteString(line + "\n")
		gf := f
		gf.Fingerprint = strings.Fields(line)[0]
		for _, field := range fields {
			fc, err := ref.Facet(t.Context(), gf, field, 2)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  %+v\n", fc)
		}
	}
	return b.String()
}
