package query

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// maxErrorGroups caps the groups Errors considers (the most frequent).
const maxErrorGroups = 1000

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
	fc, err := inv.store.Facet(ctx, rf, "fingerprint", maxErrorGroups)
	if err != nil {
		return nil, fmt.Errorf("error groups: %w", err)
	}
	if len(fc.Buckets) == 0 {
		return []ErrorGroup{}, nil
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
	if sortBy == "first_seen" {
		// Every group's first occurrence is needed to sort.
		for i := range ws {
			if ws[i].first, ws[i].total, err = inv.firstOccurrence(ctx, ws[i].fp); err != nil {
				return nil, err
			}
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
	out := make([]ErrorGroup, 0, len(ws))
	for _, w := range ws {
		first, total := w.first, w.total
		if first == nil {
			if first, total, err = inv.firstOccurrence(ctx, w.fp); err != nil {
				return nil, err
			}
			if first == nil {
				continue // gone since the facet: the index changed under us
			}
		}
		an, err := inv.analyse(ctx, w.fp, analyseCause, nil, sc, first, total)
		if err != nil {
			return nil, err
		}
		if an == nil {
			continue
		}
		cause, err := inv.cause(ctx, &an.f)
		if err != nil {
			return nil, err
		}
		an.blamed(cause)
		f := &an.f
		g := ErrorGroup{
			Fingerprint: w.fp, Type: first.ErrorType, Message: errorMessage(first), Service: first.Service,
			Count: f.count, Requests: f.requests, FirstSeen: f.firstSeen, LastSeen: f.lastSeen,
			FirstRequestID: f.firstRequestID, EndpointsAffected: f.endpointsAffected, UsersAffected: f.usersAffected,
			Deploy: an.suspect, New: regression(f, inv.opt), Cause: cause,
		}
		if wrapsUpstream(first) {
			if g.WrapperOf, err = inv.wrappedRoot(ctx, f.firstRequestID, w.fp); err != nil {
				return nil, err
			}
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
					return nil, fmt.Errorf("histogram of %s: %w", w.fp, err)
				}
			}
		}
		out = append(out, g)
	}
	if sortBy == "count" {
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Count != out[j].Count {
				return out[i].Count > out[j].Count
			}
			return out[i].FirstSeen.Before(out[j].FirstSeen)
		})
	}
	// Root errors first: an upstream's reports of downstream failures repeat
	// them (often twice per request) and would otherwise head the list.
	sort.SliceStable(out, func(i, j int) bool { return out[i].WrapperOf == "" && out[j].WrapperOf != "" })
	return out, nil
}

// wrappedRoot returns the fingerprint of the root error of request id when
// it is not fp: the group fp then only reports, upstream, a failure that
// started downstream. "" when fp is the request's root error itself.
func (inv *Investigator) wrappedRoot(ctx context.Context, id, fp string) (string, error) {
	if id == "" {
		return "", nil
	}
	res, err := inv.store.Find(ctx, Filter{RequestID: id}, FindOptions{Limit: MaxRequestEvents, Order: OldestFirst})
	if err != nil {
		return "", fmt.Errorf("request %s: %w", id, err)
	}
	ri := rootIndex(res.Events)
	if ri < 0 || res.Events[ri].Fingerprint == "" || res.Events[ri].Fingerprint == fp {
		return "", nil
	}
	return res.Events[ri].Fingerprint, nil
}
