package query

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"
)

// DeployComparison compares the failing error's service before and after
// the suspect deploy, in two windows of equal length on either side of it:
// error rate, status mix and latency, the same per version and per host
// (a canary on one host stands out), and, when a later deploy of the
// service followed (a rollback or a fix), whether the error stopped after
// it. `culprit request ID --json --compare` prints it as "compare"; the
// TUI's b key shows it.
type DeployComparison struct {
	Service       string       `json:"service"`
	Deploy        DeployRef    `json:"deploy"`
	WindowSeconds float64      `json:"window_seconds"` // the length of each side
	Before        CompareSide  `json:"before"`
	After         CompareSide  `json:"after"`
	ByVersion     []CompareRow `json:"by_version"` // both windows together
	ByHost        []CompareRow `json:"by_host"`
	Later         *LaterDeploy `json:"later_deploy"` // null when no later deploy of the service
	Notes         []string     `json:"notes,omitempty"`
}

// CompareSide is one window of a comparison.
type CompareSide struct {
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	Lines     int            `json:"lines"`     // every line of the service
	Responses int            `json:"responses"` // lines with an HTTP status
	Errors    int            `json:"errors"`    // responses with status >= 500
	ErrorRate float64        `json:"error_rate"`
	Status    map[string]int `json:"status"` // "2xx", "3xx", "4xx", "5xx"
	P50MS     float64        `json:"p50_ms"` // of the lines that carry a duration; 0 when none
	P95MS     float64        `json:"p95_ms"`
	Durations int            `json:"durations"` // how many durations the percentiles are of
	// Occurrences of the failing error's fingerprint.
	Occurrences int `json:"occurrences"`
}

// CompareRow is one version or host over both windows.
type CompareRow struct {
	Value       string  `json:"value"`
	Responses   int     `json:"responses"`
	Errors      int     `json:"errors"`
	ErrorRate   float64 `json:"error_rate"`
	Occurrences int     `json:"occurrences"`
	// Outlier: its error rate is more than twice the rest's, on at least
	// three errors: the canary, the bad host.
	Outlier bool `json:"outlier"`
}

// LaterDeploy is the next deploy of the service after the suspect one, and
// the failing error's occurrences in equal windows before and after it.
type LaterDeploy struct {
	Deploy DeployRef `json:"deploy"`
	// Rollback: it put back the version deployed before the suspect.
	Rollback bool `json:"rollback"`
	Before   int  `json:"before"`
	After    int  `json:"after"`
	// Stopped: the error occurred before it and not after it.
	Stopped       bool    `json:"stopped"`
	WindowSeconds float64 `json:"window_seconds"`
}

// maxCompareWindow caps each side of a comparison; maxDurations caps the
// durations read for the percentiles of one side.
const (
	maxCompareWindow = time.Hour
	minCompareWindow = time.Minute
	maxDurations     = 5000
)

// Compare compares the service of r's root error before and after r's
// suspect deploy. It returns nil when r has no error or no suspect deploy.
func (inv *Investigator) Compare(ctx context.Context, r *Report) (*DeployComparison, error) {
	if r == nil || r.Error == nil || r.Deploy == nil {
		return nil, nil
	}
	svc := r.Error.Service
	if svc == "" {
		svc = r.Deploy.Service
	}
	d := *r.Deploy
	span, err := inv.store.Span(ctx)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	deploys, err := inv.store.Deploys(ctx)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	prev, next := neighbourDeploys(deploys, d)

	// Each side as long as the quieter of: an hour, the time since the
	// previous deploy of the service (or the start of the logs), the time
	// to the next one (or the end of the logs).
	w := maxCompareWindow
	start, end := span.First, span.Last.Add(time.Millisecond)
	if prev != nil && prev.Time.After(start) {
		start = prev.Time
	}
	if next != nil && next.Time.Before(end) {
		end = next.Time
	}
	w = min(w, d.Time.Sub(start), end.Sub(d.Time))
	c := &DeployComparison{Service: svc, Deploy: d}
	if w < minCompareWindow {
		w = minCompareWindow
		c.Notes = append(c.Notes, "the logs or the neighbouring deploys leave less than a minute on one side: the windows overlap them")
	}
	c.WindowSeconds = w.Seconds()
	fp := r.Error.Fingerprint
	if c.Before, err = inv.compareSide(ctx, svc, fp, d.Time.Add(-w), d.Time); err != nil {
		return nil, err
	}
	if c.After, err = inv.compareSide(ctx, svc, fp, d.Time, d.Time.Add(w)); err != nil {
		return nil, err
	}
	if c.ByVersion, err = inv.compareBy(ctx, svc, fp, "version", d.Time.Add(-w), d.Time.Add(w)); err != nil {
		return nil, err
	}
	if c.ByHost, err = inv.compareBy(ctx, svc, fp, "host", d.Time.Add(-w), d.Time.Add(w)); err != nil {
		return nil, err
	}
	c.ByVersion, c.ByHost = nonNil(c.ByVersion), nonNil(c.ByHost)
	if next != nil {
		if c.Later, err = inv.laterDeploy(ctx, fp, d, *next, prev, span); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// neighbourDeploys are the deploys of d's service just before and just
// after d.
func neighbourDeploys(ds []Deploy, d DeployRef) (prev, next *Deploy) {
	for i := range ds {
		x := &ds[i]
		if x.Service != d.Service || (x.Time.Equal(d.Time) && x.Version == d.Version) {
			continue
		}
		if x.Time.Before(d.Time) && (prev == nil || x.Time.After(prev.Time)) {
			prev = x
		}
		if x.Time.After(d.Time) && (next == nil || x.Time.Before(next.Time)) {
			next = x
		}
	}
	return prev, next
}

func (inv *Investigator) compareCount(ctx context.Context, f Filter) (int, error) {
	res, err := inv.store.Find(ctx, f, FindOptions{Limit: 1})
	if err != nil {
		return 0, fmt.Errorf("compare: %w", err)
	}
	return res.Total, nil
}

func (inv *Investigator) compareSide(ctx context.Context, svc, fp string, from, to time.Time) (CompareSide, error) {
	s := CompareSide{From: from, To: to, Status: map[string]int{}}
	base := Filter{Service: svc, Since: from, Until: to}
	var err error
	if s.Lines, err = inv.compareCount(ctx, base); err != nil {
		return s, err
	}
	resp := base
	resp.Query = "status:>=100"
	fc, err := inv.store.Facet(ctx, resp, "status", 100)
	if err != nil {
		return s, fmt.Errorf("compare: %w", err)
	}
	for _, b := range fc.Buckets {
		n, err := strconv.Atoi(b.Value)
		if err != nil || n < 100 || n > 599 {
			continue
		}
		s.Responses += b.Count
		s.Status[strconv.Itoa(n/100)+"xx"] += b.Count
		if n >= 500 {
			s.Errors += b.Count
		}
	}
	if s.Responses > 0 {
		s.ErrorRate = float64(s.Errors) / float64(s.Responses)
	}
	if fp != "" {
		if s.Occurrences, err = inv.compareCount(ctx, Filter{Fingerprint: fp, Since: from, Until: to}); err != nil {
			return s, err
		}
	}
	dur := base
	dur.Query = "duration:>=0"
	res, err := inv.store.Find(ctx, dur, FindOptions{Limit: maxDurations})
	if err != nil {
		return s, fmt.Errorf("compare: %w", err)
	}
	var ds []float64
	for _, e := range res.Events {
		if e.DurationMS >= 0 {
			ds = append(ds, e.DurationMS)
		}
	}
	s.Durations = len(ds)
	if len(ds) > 0 {
		sort.Float64s(ds)
		s.P50MS, s.P95MS = percentile(ds, 0.50), percentile(ds, 0.95)
	}
	return s, nil
}

// percentile of sorted values, nearest rank.
func percentile(sorted []float64, p float64) float64 {
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// compareBy breaks both windows down by a field (version, host).
func (inv *Investigator) compareBy(ctx context.Context, svc, fp, field string, from, to time.Time) ([]CompareRow, error) {
	resp := Filter{Service: svc, Since: from, Until: to, Query: "status:>=100"}
	all, err := inv.store.Facet(ctx, resp, field, 20)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	errs := resp
	errs.Query = "status:>=500"
	bad, err := inv.store.Facet(ctx, errs, field, 100)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	occ := map[string]int{}
	if fp != "" {
		fc, err := inv.store.Facet(ctx, Filter{Fingerprint: fp, Since: from, Until: to}, field, 100)
		if err != nil {
			return nil, fmt.Errorf("compare: %w", err)
		}
		for _, b := range fc.Buckets {
			occ[b.Value] = b.Count
		}
	}
	errCount := map[string]int{}
	for _, b := range bad.Buckets {
		errCount[b.Value] = b.Count
	}
	var rows []CompareRow
	totalResp, totalErr := 0, 0
	for _, b := range all.Buckets {
		row := CompareRow{Value: b.Value, Responses: b.Count, Errors: errCount[b.Value], Occurrences: occ[b.Value]}
		if row.Responses > 0 {
			row.ErrorRate = float64(row.Errors) / float64(row.Responses)
		}
		totalResp += row.Responses
		totalErr += row.Errors
		rows = append(rows, row)
	}
	if len(rows) < 2 {
		return rows, nil // nothing to stand out from
	}
	for i := range rows {
		r := &rows[i]
		restResp, restErr := totalResp-r.Responses, totalErr-r.Errors
		restRate := 0.0
		if restResp > 0 {
			restRate = float64(restErr) / float64(restResp)
		}
		r.Outlier = r.Errors >= 3 && r.ErrorRate > 2*restRate
	}
	slices.SortStableFunc(rows, func(a, b CompareRow) int {
		switch {
		case a.ErrorRate > b.ErrorRate:
			return -1
		case a.ErrorRate < b.ErrorRate:
			return 1
		}
		return b.Responses - a.Responses
	})
	return rows, nil
}

// laterDeploy counts the error around the next deploy of the service.
func (inv *Investigator) laterDeploy(ctx context.Context, fp string, suspect DeployRef, next Deploy, prev *Deploy, span Span) (*LaterDeploy, error) {
	l := &LaterDeploy{Deploy: DeployRef{Time: next.Time, Service: next.Service, Version: next.Version, Commit: next.Commit,
		Author: next.Author, Environment: next.Environment, OffsetSeconds: next.Time.Sub(suspect.Time).Seconds() + suspect.OffsetSeconds}}
	l.Rollback = prev != nil && prev.Version != "" && prev.Version == next.Version
	w := min(maxCompareWindow, next.Time.Sub(suspect.Time), span.Last.Add(time.Millisecond).Sub(next.Time))
	if w <= 0 || fp == "" {
		return l, nil
	}
	l.WindowSeconds = w.Seconds()
	var err error
	if l.Before, err = inv.compareCount(ctx, Filter{Fingerprint: fp, Since: next.Time.Add(-w), Until: next.Time}); err != nil {
		return nil, err
	}
	// A minute's grace after the deploy: instances drain.
	if l.After, err = inv.compareCount(ctx, Filter{Fingerprint: fp, Since: next.Time.Add(min(time.Minute, w/4)), Until: next.Time.Add(w)}); err != nil {
		return nil, err
	}
	l.Stopped = l.Before > 0 && l.After == 0
	return l, nil
}
