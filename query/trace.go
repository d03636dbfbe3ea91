package query

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxLinkedIDs bounds the ids a request expands to: the pasted ID plus the
// trace ids and request ids found on its lines, transitively.
const MaxLinkedIDs = 20

// How a line of a request was linked to the pasted ID (ReportEvent.LinkedBy).
const (
	// LinkedRequestID: the line's request_id is one of the request's ids
	// (the pasted ID, or a request id found on a line of its trace).
	LinkedRequestID = "request_id"
	// LinkedTraceID: the line's trace_id is one of the request's ids (the
	// pasted ID when it is a trace id, or the trace id of its lines).
	LinkedTraceID = "trace_id"
)

// LinkedID is one id a request expanded to, and how it was found.
type LinkedID struct {
	ID string `json:"id"`
	// Via is "pasted" for the ID the user gave, else the field of the
	// lines it was read from: "trace_id" or "request_id".
	Via string `json:"via"`
	// Events is how many lines carry it (as request_id or trace_id).
	Events int `json:"events"`
}

// maxDerivedLines: an id read from the request's lines that more lines
// than this carry is not followed (a placeholder, not a request).
const maxDerivedLines = 5000

// derivableID reports whether an id read from a line may be followed: at
// least 6 characters with a digit (request ids, trace ids), not a
// placeholder such as "-", "none" or "unknown".
func derivableID(id string) bool {
	return len(id) >= 6 && strings.ContainsAny(id, "0123456789")
}

// expansion is the outcome of following a request ID through its traces.
type expansion struct {
	events []Event
	linked []string // LinkedBy per event
	via    []string // the id each event was linked by
	ids    []LinkedID
	total  int    // distinct matches known (a lower bound when bounded)
	bound  string // why the expansion stopped early, "" if it did not
}

// expandRequest reads every line of the request: the lines carrying the
// pasted ID as request_id or trace_id, then the lines of any service
// carrying a trace id or request id found on those, transitively, up to
// MaxLinkedIDs ids and MaxRequestEvents lines. Events are oldest first,
// each once.
func (inv *Investigator) expandRequest(ctx context.Context, id string) (*expansion, error) {
	x := &expansion{}
	type pending struct{ id, via string }
	queue := []pending{{id, "pasted"}}
	if l := strings.ToLower(id); l != id && isHexString(l) {
		queue = append(queue, pending{l, "pasted"}) // trace ids are stored lowercase
	}
	seenID := map[string]bool{}
	for _, q := range queue {
		seenID[q.id] = true
	}
	seenLine := map[string]bool{}
	for qi := 0; qi < len(queue); qi++ {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		q := queue[qi]
		maxTotal := 0 // the pasted ID: whatever carries it
		if q.via != "pasted" {
			maxTotal = maxDerivedLines
		}
		evs, total, err := inv.idEvents(ctx, q.id, MaxRequestEvents-len(x.events), maxTotal)
		if err != nil {
			return nil, err
		}
		if total == 0 && q.via == "pasted" && qi > 0 {
			continue
		}
		if q.via != "pasted" && total > maxDerivedLines {
			// A placeholder shared by unrelated lines ("unknown", a
			// constant), not one request's id: not followed.
			x.bound = fmt.Sprintf("did not follow %s %s: %d lines carry it", q.via, q.id, total)
			continue
		}
		x.ids = append(x.ids, LinkedID{ID: q.id, Via: q.via, Events: total})
		added := 0
		for i := range evs {
			e := &evs[i]
			key := e.Source + "\x00" + strconv.FormatInt(e.Line, 10)
			if seenLine[key] {
				continue
			}
			seenLine[key] = true
			added++
			if len(x.events) >= MaxRequestEvents {
				continue
			}
			// A service that logs only a trace id has it as its request id
			// too (ingest falls back to it): say trace_id then.
			by := LinkedRequestID
			if e.TraceID != "" && (e.TraceID == q.id || strings.HasSuffix(q.id, e.TraceID) || e.RequestID != q.id) {
				by = LinkedTraceID
			}
			x.events = append(x.events, *e)
			x.linked = append(x.linked, by)
			x.via = append(x.via, q.id)
			for _, next := range []pending{{e.TraceID, LinkedTraceID}, {e.RequestID, LinkedRequestID}} {
				if next.id == "" || seenID[next.id] || !derivableID(next.id) {
					continue
				}
				if len(seenID) >= MaxLinkedIDs {
					x.bound = fmt.Sprintf("followed the first %d ids of the request (trace and request ids); more lines may belong to it", MaxLinkedIDs)
					continue
				}
				seenID[next.id] = true
				queue = append(queue, pending{next.id, next.via})
			}
		}
		x.total += added + max(total-len(evs), 0)
		if len(x.events) >= MaxRequestEvents && x.total > len(x.events) {
			x.bound = fmt.Sprintf("kept the first %d of its lines", MaxRequestEvents)
		}
	}
	if len(x.ids) > 0 && x.ids[0].Events == 0 && len(x.events) == 0 {
		return x, nil
	}
	x.sort()
	return x, nil
}

// sort orders the events oldest first, ties in source order.
func (x *expansion) sort() {
	idx := make([]int, len(x.events))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ea, eb := &x.events[idx[a]], &x.events[idx[b]]
		if !ea.Time.Equal(eb.Time) {
			return ea.Time.Before(eb.Time)
		}
		if ea.Source != eb.Source {
			return false // keep the order the store gave
		}
		return ea.Line < eb.Line
	})
	evs := make([]Event, len(idx))
	linked := make([]string, len(idx))
	via := make([]string, len(idx))
	for i, j := range idx {
		evs[i], linked[i], via[i] = x.events[j], x.linked[j], x.via[j]
	}
	x.events, x.linked, x.via = evs, linked, via
}

// idEvents reads up to limit lines whose request_id or trace_id is id,
// oldest first, and the total that match. A 64-bit trace id (Datadog,
// 16 hex digits) also matches the low half of a 128-bit one. When maxTotal
// > 0 and more lines match, it stops after the first page.
func (inv *Investigator) idEvents(ctx context.Context, id string, limit, maxTotal int) ([]Event, int, error) {
	q := queryField("request_id", id) + " OR " + queryField("trace_id", id)
	if len(id) == 32 && isHexString(id) {
		q += " OR " + queryField("trace_id", id[16:])
	}
	f := Filter{Query: q}
	var evs []Event
	total := 0
	for limit > 0 {
		res, err := inv.store.Find(ctx, f, FindOptions{Limit: min(requestPage, limit), Offset: len(evs), Order: OldestFirst})
		if err != nil {
			return nil, 0, fmt.Errorf("request %s: %w", id, err)
		}
		total = res.Total
		evs = append(evs, res.Events...)
		limit -= len(res.Events)
		if len(res.Events) == 0 || len(evs) >= total || maxTotal > 0 && total > maxTotal {
			break
		}
	}
	if total == 0 && limit <= 0 {
		res, err := inv.store.Find(ctx, f, FindOptions{Limit: 1})
		if err != nil {
			return nil, 0, fmt.Errorf("request %s: %w", id, err)
		}
		total = res.Total
	}
	return evs, total, nil
}

func isHexString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// maxContextTraces bounds the failing requests whose lines are read to find
// the endpoint and user of a failure logged without them.
const maxContextTraces = 200

// requestContext gives a group's failures the endpoint and user of their
// requests when the failing service logs neither (the gateway knows the
// route and the user; a service three calls down does not): the traces of
// the group's events in gf are read whole, and each request counts once
// with the route its entry service answered and the user any of its lines
// names. ok is false when the events carry no trace id.
func (inv *Investigator) requestContext(ctx context.Context, gf Filter) (routes, users Facet, ok bool, err error) {
	tf, err := inv.store.Facet(ctx, gf, "trace_id", maxContextTraces)
	if err != nil {
		return routes, users, false, fmt.Errorf("traces of %s: %w", gf.Fingerprint, err)
	}
	if len(tf.Buckets) == 0 {
		return routes, users, false, nil
	}
	var q strings.Builder
	for i, b := range tf.Buckets {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString(queryField("trace_id", b.Value))
	}
	f := Filter{Query: q.String()}
	if !gf.Since.IsZero() {
		f.Since = gf.Since.Add(-time.Minute) // clocks are skewed; requests take time
	}
	if !gf.Until.IsZero() {
		f.Until = gf.Until.Add(time.Minute)
	}
	res, err := inv.store.Find(ctx, f, FindOptions{Limit: MaxRequestEvents, Order: OldestFirst})
	if err != nil {
		return routes, users, false, fmt.Errorf("requests of %s: %w", gf.Fingerprint, err)
	}
	byTrace := map[string][]Event{}
	for _, e := range res.Events {
		byTrace[e.TraceID] = append(byTrace[e.TraceID], e)
	}
	rc, uc := map[string]int{}, map[string]int{}
	n, noRoute, noUser := 0, 0, 0
	for _, b := range tf.Buckets {
		evs := byTrace[b.Value]
		if len(evs) == 0 {
			continue
		}
		n++
		route, user := entryRouteUser(evs)
		if route == "" {
			noRoute++
		} else {
			rc[route]++
		}
		if user == "" {
			noUser++
		} else {
			uc[user]++
		}
	}
	return countFacet("route", rc, n, noRoute), countFacet("user", uc, n, noUser), n > 0, nil
}

// entryRouteUser is the route a request entered by (the route of its entry
// service's lines, else the first route logged) and its user.
func entryRouteUser(evs []Event) (route, user string) {
	g := buildCallGraph(evs)
	entry := g.entry
	if entry == "" {
		for i := range evs {
			if evs[i].ParentSpanID == "" && evs[i].Route != "" {
				entry = evs[i].Service
				break
			}
		}
	}
	for i := range evs {
		e := &evs[i]
		if route == "" && e.Route != "" && (entry == "" || e.Service == entry) {
			route = e.Route
		}
		if e.User != "" && (user == "" || e.Service == entry) {
			user = e.User
		}
	}
	return route, user
}

// countFacet builds a Facet from counts, most frequent first, ties by value,
// at most groupFacetSize buckets.
func countFacet(field string, counts map[string]int, total, missing int) Facet {
	fc := Facet{Field: field, Total: total, Missing: missing, Distinct: len(counts), Buckets: []Bucket{}}
	for v, c := range counts {
		fc.Buckets = append(fc.Buckets, Bucket{Value: v, Count: c})
	}
	sort.Slice(fc.Buckets, func(i, j int) bool {
		if fc.Buckets[i].Count != fc.Buckets[j].Count {
			return fc.Buckets[i].Count > fc.Buckets[j].Count
		}
		return fc.Buckets[i].Value < fc.Buckets[j].Value
	})
	if len(fc.Buckets) > groupFacetSize {
		for _, b := range fc.Buckets[groupFacetSize:] {
			fc.Other += b.Count
		}
		fc.Buckets = fc.Buckets[:groupFacetSize]
	}
	return fc
}
