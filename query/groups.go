package query

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Errors lists the error groups (one per fingerprint) with occurrences in
// [o.Since, o.Until) and, if set, in o.Service: type, message and service of
// the first occurrence, count, distinct requests, last seen, endpoints and
// users affected in the range; first seen, first request ID, suspect deploy
// and "new" over everything ingested (an error that has been failing for a
// week is not new because the range starts today); and the verdict cause by
// the same rules as Request. With no range and no service the numbers are
// exactly those of Request's group.
//
// Sort "count" (default) lists the most frequent first, "first_seen" the
// newest first. The Store calls grow with the number of groups listed, not
// with the number of events: one facet for the list, then about five calls
// per group listed; baseline facets only for the groups whose cause needs
// them.
func (inv *Investigator) Errors(ctx context.Context, o ErrorsOptions) ([]ErrorGroup, error) {
	sortBy := strings.ToLower(strings.TrimSpace(o.Sort))
	switch sortBy {
	case "", "count":
		sortBy = "count"
	case "first_seen", "first-seen", "first":
		sortBy = "first_seen"
	default:
		return nil, fmt.Errorf("unknown sort %q (want count or first_seen)", o.Sort)
	}
	if o.Limit < 0 {
		return nil, fmt.Errorf("negative limit %d", o.Limit)
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Until.After(o.Since) {
		return nil, fmt.Errorf("empty time range: until %s is not after since %s", fmtTime(o.Until), fmtTime(o.Since))
	}
	sc := &groupScope{rf: Filter{Since: o.Since, Until: o.Until, Service: o.Service}}
	rf := sc.rf
	rf.ErrorsOnly = true
	// Every group: a cap here silently dropped the rarest groups, and with
	// first_seen the newest ones (the facet's memory is one count per
	// group).
	fc, err := inv.groupList(ctx, sc, rf)
	if err != nil {
		return nil, fmt.Errorf("error groups: %w", err)
	}
	if len(fc.Buckets) == 0 {
		return []ErrorGroup{}, nil
	}
	// With no range and no service, a group's first occurrence over
	// everything is its first in rf: the one pass has it.
	firstOf := func(ctx context.Context, fp string) (*Event, int, error) {
		if e := sc.ends[fp]; e != nil && sc.rf == (Filter{}) {
			first := e.First
			return &first, e.Count, nil
		}
		return inv.firstOccurrence(ctx, fp)
	}

	type work struct {
		fp    string
		count int
		first *Event
		total int
	}
	ws := make([]work, 0, len(fc.Buckets))
	for _, b := range fc.Buckets {
		if b.Value != "" {
			ws = append(ws, work{fp: b.Value, count: b.Count})
		}
	}
	limit := inv.concurrency()
	if limit > 1 {
		// The groups are analysed at once and share the span and deploys:
		// read them before, so that no analysis writes sc.
		if err := inv.load(ctx, sc); err != nil {
			return nil, err
		}
	}
	if sortBy == "first_seen" {
		// Every group's first occurrence is needed to sort.
		err := inv.each(ctx, len(ws), limit, func(ctx context.Context, i int) (err error) {
			ws[i].first, ws[i].total, err = firstOf(ctx, ws[i].fp)
			return err
		})
		if err != nil {
			return nil, err
		}
		sort.SliceStable(ws, func(i, j int) bool {
			a, b := ws[i].first, ws[j].first
			if a == nil || b == nil {
				return b == nil && a != nil
			}
			if !a.Time.Equal(b.Time) {
				return a.Time.After(b.Time)
			}
			return ws[i].fp < ws[j].fp
		})
	}
	if o.Limit > 0 && len(ws) > o.Limit {
		ws = ws[:o.Limit]
	}

	if o.Buckets > 0 {
		if err := inv.load(ctx, sc); err != nil {
			return nil, err
		}
	}
	// Each group is analysed on its own (one at a time unless the Store is
	// Concurrent); a nil entry is a group with nothing left to show.
	listed := make([]*ErrorGroup, len(ws))
	err = inv.each(ctx, len(ws), limit, func(ctx context.Context, i int) error {
		w := ws[i]
		first, total := w.first, w.total
		var err error
		if first == nil {
			if first, total, err = firstOf(ctx, w.fp); err != nil {
				return err
			}
			if first == nil {
				return nil // gone since the facet: the index changed under us
			}
		}
		an, err := inv.analyse(ctx, w.fp, analyseCause, nil, sc, first, total)
		if err != nil {
			return err
		}
		if an == nil {
			return nil
		}
		cause, err := inv.cause(ctx, &an.f)
		if err != nil {
			return err
		}
		an.blamed(cause)
		f := &an.f
		g := ErrorGroup{
			Fingerprint: w.fp, Type: first.ErrorType, Message: errorMessage(first), Service: first.Service,
			Count: f.count, Requests: f.requests, FirstSeen: f.firstSeen, LastSeen: f.lastSeen,
			FirstRequestID: f.firstRequestID, EndpointsAffected: f.endpointsAffected, UsersAffected: f.usersAffected,
			Deploy: an.suspect, New: regression(f, inv.opt), Cause: cause,
		}
		if g.WrapperOf, g.Wraps, err = inv.wrappedRoots(ctx, sc, rf, w.fp, f.firstRequestID); err != nil {
			return err
		}
		if o.Buckets > 0 {
			from, to := o.Since, o.Until
			if from.IsZero() {
				from = sc.span.First.Truncate(time.Second)
			}
			if to.IsZero() {
				to = sc.span.Last.Truncate(time.Second).Add(time.Second)
			}
			if to.After(from) {
				gf := Filter{Fingerprint: w.fp, ErrorsOnly: true, Service: o.Service}
				if g.Histogram, err = inv.store.Histogram(ctx, gf, from, to, o.Buckets); err != nil {
					return fmt.Errorf("histogram of %s: %w", w.fp, err)
				}
			}
		}
		listed[i] = &g
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]ErrorGroup, 0, len(ws))
	for _, g := range listed {
		if g != nil {
			out = append(out, *g)
		}
	}
	if sortBy == "count" {
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Count != out[j].Count {
				return out[i].Count > out[j].Count
			}
			return out[i].FirstSeen.Before(out[j].FirstSeen)
		})
	}
	// A wrapper defines no cause of its own: it takes the cause and deploy
	// of the group it wraps most, when that group is listed, and blames no
	// deploy of its own service.
	byFP := make(map[string]int, len(out))
	for i := range out {
		byFP[out[i].Fingerprint] = i
	}
	for i := range out {
		g := &out[i]
		if g.WrapperOf == "" {
			continue
		}
		g.New = false
		if j, ok := byFP[g.WrapperOf]; ok && out[j].WrapperOf == "" {
			g.Cause, g.Deploy = out[j].Cause, out[j].Deploy
		} else if g.Deploy != nil && g.Deploy.Suspect {
			d := *g.Deploy
			d.Suspect = false
			g.Deploy = &d
		}
	}
	// Root errors first: an upstream's reports of downstream failures repeat
	// them (often twice per request) and would otherwise head the list.
	sort.SliceStable(out, func(i, j int) bool { return out[i].WrapperOf == "" && out[j].WrapperOf != "" })
	return out, nil
}

// groupSummaryFields are the facets of each group a GroupSummarizer is
// asked for with the list, in groupFacets' order.
var groupSummaryFields = []string{"request_id", "trace_id", "route", "user"}

// groupList returns the error groups in rf as a facet of fingerprints
// (every group). When the Store is a GroupSummarizer or a GroupEnder it
// also records each group's count, first and last occurrence in rf in
// sc.ends, in the same pass, so that no group needs its own Finds for
// them; a GroupSummarizer also gives each group's facets (sc.facets).
func (inv *Investigator) groupList(ctx context.Context, sc *groupScope, rf Filter) (Facet, error) {
	if gsum, ok := inv.store.(GroupSummarizer); ok {
		gs, err := gsum.GroupSummaries(ctx, rf, "fingerprint", groupSummaryFields, groupFacetSize)
		if err != nil {
			return Facet{}, err
		}
		fc := Facet{Field: "fingerprint", Distinct: len(gs), Buckets: make([]Bucket, 0, len(gs))}
		sc.ends = make(map[string]*GroupEnds, len(gs))
		sc.facets = make(map[string][]Facet, len(gs))
		for i := range gs {
			fc.Buckets = append(fc.Buckets, Bucket{Value: gs[i].Value, Count: gs[i].Count})
			sc.ends[gs[i].Value] = &gs[i].GroupEnds
			sc.facets[gs[i].Value] = gs[i].Facets
		}
		return fc, nil
	}
	ge, ok := inv.store.(GroupEnder)
	if !ok {
		return inv.store.Facet(ctx, rf, "fingerprint", 0)
	}
	gs, err := ge.GroupEnds(ctx, rf, "fingerprint")
	if err != nil {
		return Facet{}, err
	}
	fc := Facet{Field: "fingerprint", Distinct: len(gs), Buckets: make([]Bucket, 0, len(gs))}
	sc.ends = make(map[string]*GroupEnds, len(gs))
	for i := range gs {
		fc.Buckets = append(fc.Buckets, Bucket{Value: gs[i].Value, Count: gs[i].Count})
		sc.ends[gs[i].Value] = &gs[i]
	}
	return fc, nil
}

// firstBuckets is fc with at most n buckets.
func firstBuckets(fc Facet, n int) Facet {
	if len(fc.Buckets) > n {
		fc.Buckets = fc.Buckets[:n]
	}
	return fc
}

// wrapperSample is how many requests of a group are followed to tell
// whether it only wraps downstream failures.
const wrapperSample = 8

// wrappedRoots tells whether the group fp only reports, upstream, failures
// that started downstream: up to wrapperSample of its requests (in range
// rf) are followed through their traces, and when every one's root error
// is another group, the group wraps those. wrapperOf is the most frequent
// of them, wraps all of them, most frequent first; both empty when some
// request's root is the group itself. A gateway's generic "upstream
// responded 502" group that wraps five different downstream bugs lists all
// five: it does not define a cause of its own.
func (inv *Investigator) wrappedRoots(ctx context.Context, sc *groupScope, rf Filter, fp, firstRequest string) (string, []string, error) {
	if firstRequest == "" {
		return "", nil, nil
	}
	// The first request decides for most groups (one request read): a
	// group that is its own root there is not a wrapper.
	ids := []string{firstRequest}
	count := map[string]int{}
	var order []string
	for i := 0; i < len(ids); i++ {
		x, err := inv.expandRequest(ctx, ids[i])
		if err != nil {
			return "", nil, err
		}
		ri := rootIndex(x.events)
		if ri < 0 || x.events[ri].Fingerprint == "" || x.events[ri].Fingerprint == fp {
			return "", nil, nil
		}
		rfp := x.events[ri].Fingerprint
		if count[rfp] == 0 {
			order = append(order, rfp)
		}
		count[rfp]++
		if i == 0 {
			more, err := inv.sampleRequests(ctx, sc, rf, fp)
			if err != nil {
				return "", nil, err
			}
			for _, id := range more {
				if id != firstRequest {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(order) == 0 {
		return "", nil, nil
	}
	sort.SliceStable(order, func(i, j int) bool { return count[order[i]] > count[order[j]] })
	return order[0], order, nil
}

// sampleRequests returns up to wrapperSample request (or trace) ids of
// the group fp in rf.
func (inv *Investigator) sampleRequests(ctx context.Context, sc *groupScope, rf Filter, fp string) ([]string, error) {
	fcs := sc.facets[fp]
	if fcs == nil {
		gf := rf
		gf.Fingerprint, gf.ErrorsOnly = fp, true
		var err error
		if fcs, err = inv.facets(ctx, gf, []string{"request_id", "trace_id"}, wrapperSample); err != nil {
			return nil, fmt.Errorf("requests of %s: %w", fp, err)
		}
	}
	// The first wrapperSample of a longer list are the facet of that size:
	// both are ordered by count, then value.
	fcs = []Facet{firstBuckets(fcs[0], wrapperSample), firstBuckets(fcs[1], wrapperSample)}
	bs := fcs[0].Buckets
	if len(fcs[1].Buckets) > len(bs) {
		bs = fcs[1].Buckets
	}
	out := make([]string, 0, len(bs))
	for _, b := range bs {
		out = append(out, b.Value)
	}
	return out, nil
}

// concurrency is how many independent questions the Store answers well at
// once: its Concurrency when it is Concurrent, else 1.
func (inv *Investigator) concurrency() int {
	if c, ok := inv.store.(Concurrent); ok {
		return max(c.Concurrency(), 1)
	}
	return 1
}

// each calls fn for 0 ≤ i < n, at most limit at once (in order when limit
// is 1), and returns the first error, after which no more calls start.
func (inv *Investigator) each(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if limit <= 1 {
		for i := range n {
			if err := fn(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error { return fn(ctx, i) })
	}
	return g.Wait()
}
