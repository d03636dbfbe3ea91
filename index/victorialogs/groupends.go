package victorialogs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/syntax"
)

// GroupEnds returns, for every value of field over the events matching f,
// how many events carry it and the first and last of them in Find's order
// (time, then source, then line), most frequent first, ties by value;
// events without the field are left out. Each value's count and ends are
// exactly what Find with f and field = value answers.
//
// When f translates exactly it is two steps, whatever the number of
// values: one stats query gives each value's count and its first and last
// time (stats by field: count, min and max of _time, cheap columns); then
// the rows of each value at exactly those times are fetched and the server
// orders the few ties as Find does (sort … partition by field limit 1), the
// first ends and the last ends at once. The error groups' list asks it once
// where it would otherwise ask a facet and then two Finds (four requests)
// per group, one group after the other. (A partitioned sort over all the
// matches reads every row's sort columns and fields: 2 s at 4.5M lines,
// where the two steps take a tenth of that.) Otherwise the matching events
// are streamed once, in Find's order.
func (s *Store) GroupEnds(ctx context.Context, f model.Filter, field string) ([]model.GroupEnds, error) {
	sums, err := s.GroupSummaries(ctx, f, field, nil, 0)
	if err != nil {
		return nil, err
	}
	out := make([]model.GroupEnds, len(sums))
	for i := range sums {
		out[i] = sums[i].GroupEnds
	}
	return out, nil
}

// GroupSummaries is GroupEnds with, per value, the facets of fields over
// the events that carry it (size values each, 0: all), each what Facet
// answers with f narrowed to the value: for the error list, every group's
// requests, traces, routes and users with the list itself. The first step
// of GroupEnds then counts the combinations of field's value and the
// fields' values (stats by (fingerprint, request_id, trace_id, route,
// user) count(), min(_time), max(_time)): one scan of the matches, about
// one row per failed request, where a facet query per group read each
// group's events again.
func (s *Store) GroupSummaries(ctx context.Context, f model.Filter, field string, fields []string, size int) ([]model.GroupSummary, error) {
	fl, err := syntax.FacetField(field)
	if err != nil {
		return nil, err
	}
	fls := make([]syntax.Field, len(fields))
	for i, name := range fields {
		if fls[i], err = syntax.FacetField(name); err != nil {
			return nil, err
		}
	}
	e, err := filter(f)
	if err != nil {
		return nil, err
	}
	on, err := s.foreignMode(ctx)
	if err != nil {
		return nil, err
	}
	if on || !e.exact {
		return s.summariesStreamed(ctx, f, e, fl, fields, fls, size, on)
	}
	q := e.q + " !" + fl.Name + `:""`
	by := []string{fl.Name}
	for _, x := range fls {
		if !slices.Contains(by, x.Name) {
			by = append(by, x.Name)
		}
	}
	type group struct {
		n           int
		first, last time.Time
		counts      []map[string]int
	}
	byValue := map[string]*group{}
	var order []string
	stats := fmt.Sprintf(" | stats by (%s) count() as culprit_n, min(_time) as culprit_t0, max(_time) as culprit_t1", strings.Join(by, ", "))
	err = s.c.query(ctx, q+stats, func(r map[string]string) error {
		v := r[fl.Name]
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(r["culprit_n"])
		if err != nil {
			return fmt.Errorf("victorialogs: group ends of %s: count %q: %w", fl.Name, r["culprit_n"], err)
		}
		var t [2]time.Time
		for i, name := range []string{"culprit_t0", "culprit_t1"} {
			if t[i], err = time.Parse(time.RFC3339Nano, r[name]); err != nil {
				return fmt.Errorf("victorialogs: group ends of %s: time %q: %w", fl.Name, r[name], err)
			}
		}
		g := byValue[v]
		if g == nil {
			g = &group{first: t[0], last: t[1], counts: make([]map[string]int, len(fls))}
			for i := range g.counts {
				g.counts[i] = map[string]int{}
			}
			byValue[v] = g
			order = append(order, v)
		}
		g.n += n
		if t[0].Before(g.first) {
			g.first = t[0]
		}
		if t[1].After(g.last) {
			g.last = t[1]
		}
		for i, x := range fls {
			g.counts[i][r[x.Name]] += n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return []model.GroupSummary{}, nil
	}
	gs := make([]model.GroupSummary, len(order))
	spans := make([][2]time.Time, len(order))
	index := make(map[string]int, len(order))
	for i, v := range order {
		g := byValue[v]
		gs[i].Value, gs[i].Count = v, g.n
		spans[i] = [2]time.Time{g.first, g.last}
		index[v] = i
		if len(fls) > 0 {
			gs[i].Facets = make([]model.Facet, len(fls))
			for j, x := range fls {
				gs[i].Facets[j] = facet(fields[j], x, g.counts[j], size)
			}
		}
	}
	evFields := eventFields
	if !slices.Contains(evFields, fl.Name) {
		evFields = append(slices.Clip(evFields), fl.Name)
	}
	// ends fetches, for every value, the row Find puts first (last: the
	// row it puts last) among those at the value's first (last) time, in
	// as few queries as the server's query length allows.
	var mu sync.Mutex
	ends := func(last bool) []func() error {
		desc, k := "", 0
		if last {
			desc, k = " desc", 1
		}
		terms := make([]string, len(gs))
		for i := range gs {
			// The time first, as a range: the server then skips every
			// block outside it by its header (with _time:>= and _time:<=
			// after the value, the same query took 2.5 times as long).
			t := fmtTime(spans[i][k])
			terms[i] = fmt.Sprintf("(_time:[%s, %s] %s:=%s)", t, t, fl.Name, quote(gs[i].Value))
		}
		sort := fmt.Sprintf(") | sort by (_time%s, %s%s, %s%s) partition by (%s) limit 1", desc, fSort, desc, fID, desc, fl.Name)
		var fns []func() error
		for _, eq := range packQueries(q+" (", " or ", sort+pipeFields(evFields), terms) {
			fns = append(fns, func() error {
				return s.c.query(ctx, eq, func(r map[string]string) error {
					i, ok := index[r[fl.Name]]
					if !ok {
						return nil
					}
					ev, err := decodeEvent(r)
					if err != nil {
						return err
					}
					mu.Lock()
					defer mu.Unlock()
					if last {
						gs[i].Last = ev
					} else {
						gs[i].First = ev
					}
					return nil
				})
			})
		}
		return fns
	}
	if err := parallel(append(ends(false), ends(true)...)...); err != nil {
		return nil, err
	}
	for _, g := range gs {
		if g.First.Time.IsZero() || g.Last.Time.IsZero() {
			// The row at the value's first or last time is gone: the
			// two steps did not see one state of the store.
			return nil, fmt.Errorf("victorialogs: group ends of %s: no row of %q at its first or last time (the store changed while it was read; ask again)", fl.Name, printable(g.Value))
		}
	}
	sortSummaries(gs)
	return gs, nil
}

// summariesStreamed is GroupSummaries over a superset translation or
// shipped rows: the matching events are read once and each value keeps
// its count, its first and last event in Find's order and its fields'
// counts.
func (s *Store) summariesStreamed(ctx context.Context, f model.Filter, e expr, fl syntax.Field, fields []string, fls []syntax.Field, size int, foreign bool) ([]model.GroupSummary, error) {
	type group struct {
		ends   model.GroupEnds
		counts []map[string]int
	}
	byValue := map[string]*group{}
	add := func(ev *model.Event) {
		v, _ := fl.Value(ev)
		if v == "" {
			return
		}
		g := byValue[v]
		if g == nil {
			g = &group{ends: model.GroupEnds{Value: v, First: *ev, Last: *ev}, counts: make([]map[string]int, len(fls))}
			for i := range g.counts {
				g.counts[i] = map[string]int{}
			}
			byValue[v] = g
		}
		g.ends.Count++
		// Rows come in Find's order (culprit's rows) or in none (shipped
		// rows): compare, and let the stream order decide full ties, as
		// Find's last key (the row id) does.
		if compareEvents(ev, &g.ends.First) < 0 {
			g.ends.First = *ev
		}
		if compareEvents(ev, &g.ends.Last) >= 0 {
			g.ends.Last = *ev
		}
		for i, x := range fls {
			fv, _ := x.Value(ev)
			g.counts[i][fv]++
		}
	}
	var err error
	if foreign {
		err = s.eachForeign(ctx, f, add)
	} else {
		err = s.eachMatch(ctx, f, e, fmt.Sprintf(" | sort by (_time, %s, %s)", fSort, fID), add)
	}
	if err != nil {
		return nil, err
	}
	out := make([]model.GroupSummary, 0, len(byValue))
	for _, g := range byValue {
		sum := model.GroupSummary{GroupEnds: g.ends}
		if len(fls) > 0 {
			sum.Facets = make([]model.Facet, len(fls))
			for j, x := range fls {
				sum.Facets[j] = facet(fields[j], x, g.counts[j], size)
			}
		}
		out = append(out, sum)
	}
	sortSummaries(out)
	return out, nil
}

// compareEvents orders events as Find does: time, source, line.
func compareEvents(a, b *model.Event) int {
	return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line))
}

// sortSummaries puts the most frequent values first, ties by value.
func sortSummaries(gs []model.GroupSummary) {
	slices.SortFunc(gs, func(a, b model.GroupSummary) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
}
