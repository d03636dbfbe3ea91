package victorialogs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/syntax"
)

// GroupEnds returns, for every value of field over the events matching f,
// how many events carry it and the first and last of them in Find's order
// (time, then source, then line), most frequent first, ties by value;
// events without the field are left out. Each value's count and ends are
// exactly what Find with f and field = value answers.
//
// When f translates exactly it is three queries sent at once, whatever the
// number of values: a count per value (stats by field) and the first and
// the last row of each value (sort by Find's order, partition by field,
// limit 1). The error groups' list asks it once where it would otherwise
// ask a facet and then two Finds (four requests) per group, one group after
// the other. Otherwise the matching events are streamed once, in Find's
// order.
func (s *Store) GroupEnds(ctx context.Context, f model.Filter, field string) ([]model.GroupEnds, error) {
	fl, err := syntax.FacetField(field)
	if err != nil {
		return nil, err
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
		return s.groupEndsStreamed(ctx, f, e, fl, on)
	}
	q := e.q + " !" + fl.Name + `:""`
	byValue := map[string]*model.GroupEnds{}
	get := func(v string) *model.GroupEnds {
		g := byValue[v]
		if g == nil {
			g = &model.GroupEnds{Value: v}
			byValue[v] = g
		}
		return g
	}
	// The three answers fill different parts of the groups; one lock
	// keeps the map whole.
	var mu sync.Mutex
	fields := eventFields
	if !slices.Contains(fields, fl.Name) {
		fields = append(slices.Clip(fields), fl.Name)
	}
	end := func(desc string, set func(g *model.GroupEnds, ev model.Event)) func() error {
		sort := fmt.Sprintf(" | sort by (_time%s, %s%s, %s%s) partition by (%s) limit 1", desc, fSort, desc, fID, desc, fl.Name)
		return func() error {
			return s.c.query(ctx, q+sort+pipeFields(fields), func(r map[string]string) error {
				ev, err := decodeEvent(r)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				set(get(r[fl.Name]), ev)
				return nil
			})
		}
	}
	err = parallel(
		func() error {
			return s.c.query(ctx, q+" | stats by ("+fl.Name+") count() as n", func(r map[string]string) error {
				n, err := strconv.Atoi(r["n"])
				if err != nil {
					return fmt.Errorf("victorialogs: group ends of %s: count %q: %w", fl.Name, r["n"], err)
				}
				mu.Lock()
				defer mu.Unlock()
				get(r[fl.Name]).Count += n
				return nil
			})
		},
		end("", func(g *model.GroupEnds, ev model.Event) { g.First = ev }),
		end(" desc", func(g *model.GroupEnds, ev model.Event) { g.Last = ev }),
	)
	if err != nil {
		return nil, err
	}
	out := make([]model.GroupEnds, 0, len(byValue))
	for v, g := range byValue {
		if v == "" {
			continue
		}
		if g.Count == 0 || g.First.Time.IsZero() || g.Last.Time.IsZero() {
			// Rows written between the three queries: the answers do not
			// describe one state of the store.
			return nil, fmt.Errorf("victorialogs: group ends of %s: %q has %d rows but its ends were not found (the store changed while it was read; ask again)", fl.Name, printable(v), g.Count)
		}
		out = append(out, *g)
	}
	sortGroupEnds(out)
	return out, nil
}

// groupEndsStreamed is GroupEnds over a superset translation or shipped
// rows: the matching events are read once and each value keeps its count,
// its first and its last event in Find's order.
func (s *Store) groupEndsStreamed(ctx context.Context, f model.Filter, e expr, fl syntax.Field, foreign bool) ([]model.GroupEnds, error) {
	byValue := map[string]*model.GroupEnds{}
	add := func(ev *model.Event) {
		v, _ := fl.Value(ev)
		if v == "" {
			return
		}
		g := byValue[v]
		if g == nil {
			byValue[v] = &model.GroupEnds{Value: v, Count: 1, First: *ev, Last: *ev}
			return
		}
		g.Count++
		// Rows come in Find's order (culprit's rows) or in none (shipped
		// rows): compare, and let the stream order decide full ties, as
		// Find's last key (the row id) does.
		if compareEvents(ev, &g.First) < 0 {
			g.First = *ev
		}
		if compareEvents(ev, &g.Last) >= 0 {
			g.Last = *ev
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
	out := make([]model.GroupEnds, 0, len(byValue))
	for _, g := range byValue {
		out = append(out, *g)
	}
	sortGroupEnds(out)
	return out, nil
}

// compareEvents orders events as Find does: time, source, line.
func compareEvents(a, b *model.Event) int {
	return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Line, b.Line))
}

// sortGroupEnds puts the most frequent values first, ties by value.
func sortGroupEnds(gs []model.GroupEnds) {
	slices.SortFunc(gs, func(a, b model.GroupEnds) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
}
