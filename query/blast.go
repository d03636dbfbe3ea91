package query

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Scopes of a blast radius.
const (
	ScopeSingleEndpoint   = "single-endpoint"
	ScopeSeveralEndpoints = "several-endpoints"
	ScopeMostEndpoints    = "most-endpoints"
	UserScopeSpecific     = "specific-users"
	UserScopeBroad        = "broad"
	// ScopeUnknown is the scope (and user scope) when the failures carry no
	// route (no user), so nothing can be said about their spread.
	ScopeUnknown = "unknown"
)

// outlierFields are the dimensions compared between failures and baseline.
var outlierFields = []string{"route", "user", "service", "host", "version", "status"}

const (
	groupFacetSize    = 10 // values listed per dimension among the failures
	baselineFacetSize = 50 // values per dimension of the baseline
	maxOutliers       = 6
	minOutlierEvents  = 3 // fewer failures than this say nothing about shares
)

// analysisMode selects how much an analysis computes.
type analysisMode int

const (
	analyseFull  analysisMode = iota // a Report: everything
	analyseCause                     // an ErrorGroup: only what its cause needs
)

// analysis is everything known about one error group.
type analysis struct {
	group   Group
	first   Event // the first occurrence
	span    Span
	deploys []Deploy
	suspect *DeployRef
	nearby  []DeployRef
	blast   *BlastRadius // nil in analyseCause mode
	f       facts
}

// facts are the numbers the verdict rules read.
type facts struct {
	service, errType, errMsg string
	depKind                  string // the dependency-failure pattern matched, if any
	firstSeen, lastSeen      time.Time
	firstRequestID           string
	count, requests          int
	span                     Span
	serviceBefore            bool   // the failing service logged before the suspect deploy (set when it is a candidate)
	route                    string // the first occurrence's route
	routeBefore              bool   // a line on that route, of any service, is logged before the suspect deploy
	deploys                  []Deploy
	suspect                  *DeployRef // the deploy shown (not necessarily blamed)
	host                     string     // the host of the error shown
	candidate                bool       // suspect is a deploy of the error's service that reached its host
	rollback                 *Deploy    // the rollback of suspect, if the history has one
	fromRequests             bool       // endpoints and users come from the failures' whole requests
	configKey                string     // the config key or env var the error names as missing or invalid
	startedAt                time.Time  // the start-up the misconfiguration followed, if not a deploy
	crash                    *crash     // the crash of the service the request failed to reach (a Report only)
	dependency               string     // the dependency a timeout waited on (a Report only)
	latency                  *latency   // that dependency's latency before and during
	rate                     *errorRate // the 5xx rate in the window and before (a Report only)

	windowFrom, windowTo time.Time
	groupFilter          Filter // the group's events inside the window

	endpointsAffected int
	singleRoute       string // the route when exactly one is affected
	endpointsActive   int    // -1: not computed yet
	usersAffected     int
	usersActive       int // in the window, all endpoints; -1: not computed yet
	usersOnEndpoint   int // in the window, on singleRoute; -1: not computed or n/a
}

// blastWindow is the window the blast radius compares over: the group's
// [first, last] seen, on whole seconds (index time ranges may be second
// granular), capped at BlastWindow from the onset and padded to at least
// MinBlastWindow.
func (o Options) blastWindow(first, last time.Time) (from, to time.Time) {
	from = first.UTC().Truncate(time.Second)
	to = last.UTC().Truncate(time.Second).Add(time.Second)
	if o.BlastWindow > 0 && to.Sub(from) > o.BlastWindow {
		to = from.Add(o.BlastWindow)
	}
	if d := to.Sub(from); d < o.MinBlastWindow {
		half := ((o.MinBlastWindow - d) / 2).Truncate(time.Second)
		from = from.Add(-half)
		to = from.Add(o.MinBlastWindow)
	}
	return from, to
}

// groupScope is what several analyses share: the range and service that
// restrict counts (zero for a Report: everything ingested), and the span and
// deploy history, fetched once.
type groupScope struct {
	rf      Filter // Since, Until, Service only
	span    Span
	deploys []Deploy
	loaded  bool
	// ends, when not nil, holds each group's count and last occurrence
	// within rf (and its first within rf), by fingerprint, from one
	// GroupEnds pass (Errors).
	ends map[string]*GroupEnds
	// linesBefore caches whether a service or a route (the filter, with
	// Until) has lines before a deploy; mu guards it, as Errors analyses
	// groups at once on a Concurrent store.
	mu          sync.Mutex
	linesBefore map[Filter]bool
	// facets, when not nil, holds each group's facets within rf
	// (groupSummaryFields, groupFacetSize values), by fingerprint, from
	// the same pass (a GroupSummarizer).
	facets map[string][]Facet
}

func (inv *Investigator) load(ctx context.Context, sc *groupScope) error {
	if sc.loaded {
		return nil
	}
	sp, err := inv.store.Span(ctx)
	if err != nil {
		return fmt.Errorf("span: %w", err)
	}
	deploys, err := inv.store.Deploys(ctx)
	if err != nil {
		return fmt.Errorf("deploys: %w", err)
	}
	sc.span, sc.deploys, sc.loaded = sp, deploys, true
	return nil
}

// linesBefore reports whether f (a service or a route) selects any line
// before t. A deploy is only shown to have introduced an error when the logs
// that would hold earlier occurrences reach back before it: the failing
// service's own, or its endpoint's traffic in any service (a service that
// logs only its errors) — another service's older logs on other endpoints
// say nothing. The hour before t is asked first: the Find counts every
// match, and a service that logs steadily answers there.
func (inv *Investigator) linesBefore(ctx context.Context, sc *groupScope, f Filter, t time.Time) (bool, error) {
	f.Until = t
	sc.mu.Lock()
	got, ok := sc.linesBefore[f]
	sc.mu.Unlock()
	if ok {
		return got, nil
	}
	asks := []Filter{f}
	if hour := t.Add(-time.Hour); sc.span.First.Before(hour) {
		near, far := f, f
		near.Since, far.Until = hour, hour
		asks = []Filter{near, far}
	}
	for _, q := range asks {
		res, err := inv.store.Find(ctx, q, FindOptions{Limit: 1, Order: NewestFirst})
		if err != nil {
			return false, fmt.Errorf("lines of %s%s before %s: %w", f.Service, f.Route, fmtTime(t), err)
		}
		if got = len(res.Events) > 0; got {
			break
		}
	}
	sc.mu.Lock()
	if sc.linesBefore == nil {
		sc.linesBefore = map[Filter]bool{}
	}
	sc.linesBefore[f] = got
	sc.mu.Unlock()
	return got, nil
}

// firstOccurrence returns the group's first occurrence over everything
// ingested (ties in source order) and its total count; nil if none.
func (inv *Investigator) firstOccurrence(ctx context.Context, fp string) (*Event, int, error) {
	res, err := inv.store.Find(ctx, Filter{Fingerprint: fp, ErrorsOnly: true}, FindOptions{Limit: 1, Order: OldestFirst})
	if err != nil {
		return nil, 0, fmt.Errorf("first occurrence of %s: %w", fp, err)
	}
	if len(res.Events) == 0 {
		return nil, 0, nil
	}
	return &res.Events[0], res.Total, nil
}

// analyse gathers the group of fingerprint fp and what the verdict needs.
// The first occurrence (first, with the group's total over everything) is
// always over everything ingested; counts, last occurrence and spread are
// within sc.rf. first may be nil: it is then looked up. rep, when not nil,
// is the event the caller shows as the error (the request's root error);
// else the first occurrence represents the group. The result is nil when
// the fingerprint has no error event.
func (inv *Investigator) analyse(ctx context.Context, fp string, mode analysisMode, rep *Event, sc *groupScope, first *Event, total int) (*analysis, error) {
	gf := Filter{Fingerprint: fp, ErrorsOnly: true}
	if first == nil {
		var err error
		if first, total, err = inv.firstOccurrence(ctx, fp); err != nil || first == nil {
			return nil, err
		}
	}
	rgf := gf
	rgf.Since, rgf.Until, rgf.Service = sc.rf.Since, sc.rf.Until, sc.rf.Service
	var lastRes Result
	if e := sc.ends[fp]; e != nil {
		// The same answer as the Find below, from the one pass.
		lastRes = Result{Events: []Event{e.Last}, Total: e.Count}
	} else {
		var err error
		if lastRes, err = inv.store.Find(ctx, rgf, FindOptions{Limit: 1, Order: NewestFirst}); err != nil {
			return nil, fmt.Errorf("last occurrence of %s: %w", fp, err)
		}
	}
	if len(lastRes.Events) == 0 {
		if rgf != gf {
			return nil, nil // nothing in range
		}
		lastRes.Events = []Event{*first}
	}
	count := total
	if rgf != gf {
		count = lastRes.Total
	}
	if err := inv.load(ctx, sc); err != nil {
		return nil, err
	}
	last := &lastRes.Events[0]
	an := &analysis{first: *first, span: sc.span, deploys: sc.deploys}
	an.group = Group{
		Fingerprint: fp, Count: count, FirstSeen: first.Time, FirstRequestID: requestOf(first),
		LastSeen: last.Time, Histogram: []TimeBucket{},
	}
	if rep == nil {
		rep = first
	}
	f := &an.f
	*f = facts{
		service: rep.Service, errType: rep.ErrorType, errMsg: errorMessage(rep),
		depKind:   dependencyKind(rep.ErrorType, errorMessage(rep), rep.Stack),
		firstSeen: first.Time, lastSeen: last.Time, firstRequestID: requestOf(first),
		count: count, span: sc.span, deploys: sc.deploys,
		endpointsActive: -1, usersActive: -1, usersOnEndpoint: -1,
	}
	if f.depKind == "" && rep != first {
		f.depKind = dependencyKind(first.ErrorType, errorMessage(first), first.Stack)
	}
	f.configKey = configKey(rep.ErrorType, errorMessage(rep), rep.Stack)
	f.host = rep.Host
	an.suspect, f.candidate, an.nearby = placeDeploys(sc.deploys, f.firstSeen, f.service, f.host, rep.Version, inv.opt)
	f.suspect = an.suspect
	if f.candidate {
		f.rollback = rollbackAfter(sc.deploys, an.suspect)
		var err error
		if f.serviceBefore, err = inv.linesBefore(ctx, sc, Filter{Service: f.service}, an.suspect.Time); err != nil {
			return nil, err
		}
		if f.route = first.Route; f.route != "" && !f.serviceBefore {
			if f.routeBefore, err = inv.linesBefore(ctx, sc, Filter{Route: f.route}, an.suspect.Time); err != nil {
				return nil, err
			}
		}
	}
	onset := f.firstSeen
	if !sc.rf.Since.IsZero() && sc.rf.Since.After(onset) {
		onset = sc.rf.Since
	}
	f.windowFrom, f.windowTo = inv.opt.blastWindow(onset, f.lastSeen)
	f.groupFilter = rgf
	if f.windowFrom.After(onset) || !f.windowTo.After(f.lastSeen) {
		f.groupFilter.Since, f.groupFilter.Until = f.windowFrom, f.windowTo
	}

	if mode == analyseCause {
		fcs, err := inv.causeFacets(ctx, sc, rgf, f)
		if err != nil {
			return nil, err
		}
		an.group.Requests = requestCount(fcs[0], fcs[1])
		f.requests = an.group.Requests
		f.setAffected(fcs[2], fcs[3])
		return an, nil
	}

	fcs, err := inv.groupFacets(ctx, rgf, f, outlierFields)
	if err != nil {
		return nil, err
	}
	an.group.Requests = requestCount(fcs[0], fcs[1])
	f.requests = an.group.Requests
	failures := fcs[2:]
	if failures[0].Missing*2 > failures[0].Total {
		// Most failures were logged without a route: take the endpoint
		// and user of their requests, from every line of them.
		routes, users, ok, err := inv.requestContext(ctx, f.groupFilter)
		if err != nil {
			return nil, err
		}
		if ok {
			failures[0], failures[1] = routes, users
			f.fromRequests = true
		}
	}
	f.setAffected(failures[0], failures[1])

	wf := Filter{Since: f.windowFrom, Until: f.windowTo}
	base, err := inv.facets(ctx, wf, outlierFields, baselineFacetSize)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	f.endpointsActive = base[0].Distinct
	f.usersActive = base[1].Distinct
	if err := inv.usersOnEndpoint(ctx, f); err != nil {
		return nil, err
	}
	outliers, err := inv.outliers(ctx, wf, failures, base)
	if err != nil {
		return nil, err
	}
	an.blast = &BlastRadius{
		Endpoints:         endpointCounts(failures[0]),
		EndpointsAffected: f.endpointsAffected,
		EndpointsActive:   f.endpointsActive,
		Users:             userCounts(failures[1]),
		UsersAffected:     f.usersAffected,
		UsersActive:       f.usersActive,
		UsersOnEndpoint:   max(f.usersOnEndpoint, 0),
		Services:          bucketValues(failures[2]),
		Scope:             scopeOf(f.endpointsAffected, f.endpointsActive),
		UserScope:         userScopeOf(f.usersAffected, f.userDenominator()),
		Outliers:          outliers,
		WindowStart:       f.windowFrom,
		WindowEnd:         f.windowTo,
	}

	hFrom, hTo := histogramRange(f.firstSeen, f.lastSeen, an.suspect, sc.span, histogramBuckets)
	hs, err := inv.store.Histogram(ctx, gf, hFrom, hTo, histogramBuckets)
	if err != nil {
		return nil, fmt.Errorf("histogram of %s: %w", fp, err)
	}
	if hs != nil {
		an.group.Histogram = hs
	}
	return an, nil
}

// groupFacets returns request_id's and trace_id's facets over all of the
// group's events, followed by the facets of fields over f.groupFilter (its
// events inside the blast window): one round trip when the window covers
// the whole group.
func (inv *Investigator) groupFacets(ctx context.Context, gf Filter, f *facts, fields []string) ([]Facet, error) {
	if f.groupFilter == gf {
		fcs, err := inv.facets(ctx, gf, append([]string{"request_id", "trace_id"}, fields...), groupFacetSize)
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", gf.Fingerprint, err)
		}
		return fcs, nil
	}
	req, err := inv.facets(ctx, gf, []string{"request_id", "trace_id"}, 1)
	if err != nil {
		return nil, fmt.Errorf("group %s: %w", gf.Fingerprint, err)
	}
	fcs, err := inv.facets(ctx, f.groupFilter, fields, groupFacetSize)
	if err != nil {
		return nil, fmt.Errorf("group %s in its window: %w", gf.Fingerprint, err)
	}
	return append(req, fcs...), nil
}

// causeFacets returns groupFacets(rgf, f, route and user), from the
// group's summary when the list gave one: all of it when the blast window
// covers the whole group, else its requests and traces, with the routes
// and users of the window asked of the store.
func (inv *Investigator) causeFacets(ctx context.Context, sc *groupScope, rgf Filter, f *facts) ([]Facet, error) {
	fields := []string{"route", "user"}
	sum := sc.facets[rgf.Fingerprint]
	if sum == nil {
		return inv.groupFacets(ctx, rgf, f, fields)
	}
	if f.groupFilter == rgf {
		return sum, nil
	}
	fcs, err := inv.facets(ctx, f.groupFilter, fields, groupFacetSize)
	if err != nil {
		return nil, fmt.Errorf("group %s in its window: %w", rgf.Fingerprint, err)
	}
	return append([]Facet{sum[0], sum[1]}, fcs...), nil
}

// requestOf is the id of the request an event belongs to: its request id,
// else its trace id (a service that logs only the trace).
func requestOf(e *Event) string {
	if e.RequestID != "" {
		return e.RequestID
	}
	return e.TraceID
}

// requestCount is how many requests a group's events belong to: the
// distinct request ids, or trace ids when more of its events carry those
// (services that log only the trace).
func requestCount(reqs, traces Facet) int {
	if traces.Total-traces.Missing > reqs.Total-reqs.Missing {
		return traces.Distinct
	}
	return reqs.Distinct
}

// setAffected records the failures' spread over routes and users.
func (f *facts) setAffected(routes, users Facet) {
	f.endpointsAffected = routes.Distinct
	f.singleRoute = ""
	if routes.Distinct == 1 && len(routes.Buckets) == 1 {
		f.singleRoute = routes.Buckets[0].Value
	}
	f.usersAffected = users.Distinct
}

// userDenominator is what the affected users are compared with: the users
// active on the one affected endpoint when there is one (a code-path bug on
// a rarely used endpoint hits everyone who uses it, a small share of all
// users), else all users active in the window.
func (f *facts) userDenominator() int {
	if f.singleRoute != "" && f.usersOnEndpoint >= 0 {
		return f.usersOnEndpoint
	}
	return f.usersActive
}

// usersOnEndpoint fills f.usersOnEndpoint when exactly one endpoint is
// affected.
func (inv *Investigator) usersOnEndpoint(ctx context.Context, f *facts) error {
	if f.singleRoute == "" || f.usersOnEndpoint >= 0 {
		return nil
	}
	fc, err := inv.store.Facet(ctx, Filter{Route: f.singleRoute, Since: f.windowFrom, Until: f.windowTo}, "user", 1)
	if err != nil {
		return fmt.Errorf("users of %s: %w", f.singleRoute, err)
	}
	f.usersOnEndpoint = fc.Distinct
	return nil
}

// scopeOf classifies how many endpoints a failure spans.
func scopeOf(affected, active int) string {
	switch {
	case affected <= 0:
		return ScopeUnknown
	case affected == 1:
		return ScopeSingleEndpoint
	case affected >= 3 && 2*affected >= active:
		return ScopeMostEndpoints
	}
	return ScopeSeveralEndpoints
}

// userScopeOf classifies how many users a failure hits: specific users when
// they are at most a fifth of the active users, or at most 5 of 20 or more.
func userScopeOf(affected, active int) string {
	switch {
	case affected <= 0 || active <= 0:
		return ScopeUnknown
	case 5*affected <= active || (active >= 20 && affected <= 5):
		return UserScopeSpecific
	}
	return UserScopeBroad
}

func endpointCounts(fc Facet) []EndpointCount {
	out := make([]EndpointCount, 0, len(fc.Buckets))
	for _, b := range fc.Buckets {
		out = append(out, EndpointCount{Route: b.Value, Count: b.Count})
	}
	return out
}

func userCounts(fc Facet) []UserCount {
	out := make([]UserCount, 0, len(fc.Buckets))
	for _, b := range fc.Buckets {
		out = append(out, UserCount{User: b.Value, Count: b.Count})
	}
	return out
}

func bucketValues(fc Facet) []string {
	out := make([]string, 0, len(fc.Buckets))
	for _, b := range fc.Buckets {
		out = append(out, b.Value)
	}
	return out
}

// outliers compares, for each dimension, each value's share among the
// failures with its share of the baseline: a value is over-represented when
// its failure share is at least twice its baseline share and 20 percentage
// points above it. A failure value missing from the baseline's top buckets
// is counted exactly with one more query.
func (inv *Investigator) outliers(ctx context.Context, wf Filter, failures, base []Facet) ([]Outlier, error) {
	out := []Outlier{}
	for i, field := range outlierFields {
		fail, bl := failures[i], base[i]
		failTotal := fail.Total - fail.Missing
		baseTotal := bl.Total - bl.Missing
		if failTotal < minOutlierEvents || baseTotal <= 0 {
			continue
		}
		baseCount := make(map[string]int, len(bl.Buckets))
		for _, b := range bl.Buckets {
			baseCount[b.Value] = b.Count
		}
		for _, b := range fail.Buckets {
			fs := float64(b.Count) / float64(failTotal)
			if fs < 0.2 {
				break // buckets are sorted by count
			}
			bc, ok := baseCount[b.Value]
			if !ok {
				if bl.Other == 0 {
					bc = b.Count // the failures are part of the baseline
				} else {
					n, err := inv.count(ctx, fieldFilter(wf, field, b.Value))
					if err != nil {
						return nil, fmt.Errorf("baseline %s=%s: %w", field, b.Value, err)
					}
					bc = max(n, b.Count)
				}
			}
			bs := float64(bc) / float64(baseTotal)
			if fs >= 2*bs && fs-bs >= 0.2 {
				out = append(out, Outlier{Field: field, Value: b.Value, FailureShare: round3(fs), BaselineShare: round3(bs)})
			}
		}
	}
	out = dropHostsOfServices(out)
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].FailureShare-out[i].BaselineShare > out[j].FailureShare-out[j].BaselineShare
	})
	if len(out) > maxOutliers {
		out = out[:maxOutliers]
	}
	return out, nil
}

// dropHostsOfServices removes host outliers with exactly the shares of a
// service outlier: the host is that service's only pod or machine (logs read
// through kubectl or stern name every pod), and saying it again hides a
// dimension that tells something.
func dropHostsOfServices(out []Outlier) []Outlier {
	type shares struct{ f, b float64 }
	svc := map[shares]bool{}
	for _, o := range out {
		if o.Field == "service" {
			svc[shares{o.FailureShare, o.BaselineShare}] = true
		}
	}
	if len(svc) == 0 {
		return out
	}
	kept := out[:0]
	for _, o := range out {
		if o.Field == "host" && svc[shares{o.FailureShare, o.BaselineShare}] {
			continue
		}
		kept = append(kept, o)
	}
	return kept
}

// fieldFilter narrows f to events whose field equals value.
func fieldFilter(f Filter, field, value string) Filter {
	switch field {
	case "route":
		f.Route = value
	case "user":
		f.User = value
	case "service":
		f.Service = value
	case "status":
		if _, err := strconv.Atoi(value); err == nil {
			f.Query = "status:" + value
			break
		}
		f.Query = queryField(field, value)
	default:
		f.Query = queryField(field, value)
	}
	return f
}

// count returns how many events f matches.
func (inv *Investigator) count(ctx context.Context, f Filter) (int, error) {
	res, err := inv.store.Find(ctx, f, FindOptions{Limit: 1})
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

// histogramRange is the span of a group's sparkline: from a quarter of its
// length before the earlier of the first occurrence and the suspect deploy
// (so the deploy and the quiet time before it show) to an eighth after the
// last occurrence, at least ten minutes, starting no earlier than the logs;
// then widened to n buckets of a round width (5 s, 1 min, 15 min...) aligned
// on the clock, so the axis reads well.
func histogramRange(first, last time.Time, suspect *DeployRef, sp Span, n int) (from, to time.Time) {
	lo := first
	if suspect != nil && suspect.Time.Before(lo) {
		lo = suspect.Time
	}
	d := max(last.Sub(lo), 10*time.Minute)
	from, to = lo.Add(-d/4), last.Add(d/8)
	if !sp.First.IsZero() && from.Before(sp.First) {
		from = sp.First
	}
	step := niceStep(to.Sub(from) / time.Duration(n))
	from = from.UTC().Truncate(step)
	for to.Sub(from) > step*time.Duration(n) { // alignment pushed the end out
		step = niceStep(step + 1)
		from = from.Truncate(step)
	}
	return from, from.Add(step * time.Duration(n))
}

var niceSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// niceStep rounds d up to a round bucket width (whole days beyond a day).
func niceStep(d time.Duration) time.Duration {
	for _, s := range niceSteps {
		if d <= s {
			return s
		}
	}
	day := 24 * time.Hour
	return (d + day - 1) / day * day
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// shortFP abbreviates a fingerprint for text output.
func shortFP(fp string) string {
	fp = strings.TrimSpace(fp)
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}
