package query

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeStore is an in-memory Store that really filters, sorts, pages, facets
// and counts, so that query's logic is tested against the Store contract
// rather than against canned answers. It counts its calls.
type fakeStore struct {
	evs     []Event // in source order
	deploys []Deploy

	mu    sync.Mutex
	calls map[string]int
}

func newFakeStore(evs []Event, deploys []Deploy) *fakeStore {
	s := &fakeStore{evs: append([]Event(nil), evs...), deploys: append([]Deploy(nil), deploys...), calls: map[string]int{}}
	// Stable: events with the same time stay in source order.
	sort.SliceStable(s.evs, func(i, j int) bool { return s.evs[i].Time.Before(s.evs[j].Time) })
	sort.SliceStable(s.deploys, func(i, j int) bool { return s.deploys[i].Time.Before(s.deploys[j].Time) })
	return s
}

func (s *fakeStore) count(method string) {
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()
}

func (s *fakeStore) totalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

func (s *fakeStore) resetCalls() {
	s.mu.Lock()
	s.calls = map[string]int{}
	s.mu.Unlock()
}

func (s *fakeStore) match(ctx context.Context, f Filter) ([]*Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := parseFakeQuery(f.Query)
	if err != nil {
		return nil, err
	}
	var out []*Event
	for i := range s.evs {
		e := &s.evs[i]
		switch {
		case f.RequestID != "" && e.RequestID != f.RequestID,
			f.Fingerprint != "" && e.Fingerprint != f.Fingerprint,
			f.Service != "" && e.Service != f.Service,
			f.Level != "" && e.Level != f.Level,
			f.MinLevel != "" && levelRank[e.Level] < levelRank[f.MinLevel],
			f.Route != "" && e.Route != f.Route,
			f.User != "" && e.User != f.User,
			f.ErrorsOnly && !e.IsError,
			!f.Since.IsZero() && e.Time.Before(f.Since),
			!f.Until.IsZero() && !e.Time.Before(f.Until),
			!q.matches(e):
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

func (s *fakeStore) Find(ctx context.Context, f Filter, o FindOptions) (Result, error) {
	s.count("Find")
	m, err := s.match(ctx, f)
	if err != nil {
		return Result{}, err
	}
	if o.Order == NewestFirst {
		for i, j := 0, len(m)-1; i < j; i, j = i+1, j-1 {
			m[i], m[j] = m[j], m[i]
		}
	}
	lim := o.Limit
	if lim == 0 {
		lim = 100
	}
	res := Result{Total: len(m), Events: []Event{}}
	for i := o.Offset; i < len(m) && i < o.Offset+lim; i++ {
		res.Events = append(res.Events, *m[i])
	}
	return res, nil
}

func fieldValue(e *Event, field string) string {
	switch field {
	case "service":
		return e.Service
	case "route":
		return e.Route
	case "user":
		return e.User
	case "host":
		return e.Host
	case "version":
		return e.Version
	case "status":
		if e.Status > 0 {
			return strconv.Itoa(e.Status)
		}
		return ""
	case "level":
		return e.Level
	case "fingerprint":
		return e.Fingerprint
	case "request_id":
		return e.RequestID
	case "error_type":
		return e.ErrorType
	case "message":
		return e.Message
	case "error":
		return e.Error
	case "method":
		return e.Method
	case "path":
		return e.Path
	}
	return ""
}

func (s *fakeStore) Facet(ctx context.Context, f Filter, field string, size int) (Facet, error) {
	s.count("Facet")
	return s.facet(ctx, f, field, size)
}

func (s *fakeStore) facet(ctx context.Context, f Filter, field string, size int) (Facet, error) {
	m, err := s.match(ctx, f)
	if err != nil {
		return Facet{}, err
	}
	fc := Facet{Field: field, Total: len(m), Buckets: []Bucket{}}
	counts := map[string]int{}
	for _, e := range m {
		v := fieldValue(e, field)
		if v == "" {
			fc.Missing++
			continue
		}
		counts[v]++
	}
	fc.Distinct = len(counts)
	for v, c := range counts {
		fc.Buckets = append(fc.Buckets, Bucket{Value: v, Count: c})
	}
	sort.Slice(fc.Buckets, func(i, j int) bool {
		a, b := fc.Buckets[i], fc.Buckets[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Value < b.Value
	})
	if size > 0 && len(fc.Buckets) > size {
		for _, b := range fc.Buckets[size:] {
			fc.Other += b.Count
		}
		fc.Buckets = fc.Buckets[:size]
	}
	return fc, nil
}

func (s *fakeStore) Histogram(ctx context.Context, f Filter, from, to time.Time, n int) ([]TimeBucket, error) {
	s.count("Histogram")
	if n <= 0 || !to.After(from) {
		return nil, fmt.Errorf("bad histogram %d over %s..%s", n, from, to)
	}
	f.Since, f.Until = maxTime(f.Since, from), minTime(f.Until, to)
	m, err := s.match(ctx, f)
	if err != nil {
		return nil, err
	}
	step := to.Sub(from) / time.Duration(n)
	hs := make([]TimeBucket, n)
	for i := range hs {
		hs[i].Start = from.Add(time.Duration(i) * step)
	}
	for _, e := range m {
		i := int(e.Time.Sub(from) / step)
		if i >= n {
			i = n - 1
		}
		hs[i].Count++
	}
	return hs, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func (s *fakeStore) Deploys(ctx context.Context) ([]Deploy, error) {
	s.count("Deploys")
	return append([]Deploy(nil), s.deploys...), ctx.Err()
}

func (s *fakeStore) Span(ctx context.Context) (Span, error) {
	s.count("Span")
	sp := Span{Events: len(s.evs), Deploys: len(s.deploys)}
	if len(s.evs) > 0 {
		sp.First, sp.Last = s.evs[0].Time, s.evs[len(s.evs)-1].Time
	}
	return sp, ctx.Err()
}

// multiFakeStore adds MultiFaceter to fakeStore.
type multiFakeStore struct{ *fakeStore }

func (s multiFakeStore) Facets(ctx context.Context, f Filter, fields []string, size int) ([]Facet, error) {
	s.count("Facets")
	out := make([]Facet, len(fields))
	for i, field := range fields {
		fc, err := s.facet(ctx, f, field, size)
		if err != nil {
			return nil, err
		}
		out[i] = fc
	}
	return out, nil
}

// fakeQuery is the subset of the query-string syntax the fake understands:
// space-separated clauses that must all hold, each field:value (exact),
// field:"quoted value" (exact), field:prefix* (prefix), status:>=N, or a
// bare word matched case-insensitively against the words of the line.
// AND is ignored.
type fakeQuery []fakeClause

type fakeClause struct {
	field, value string
	prefix       bool
	minNum       int
}

func parseFakeQuery(q string) (fakeQuery, error) {
	var out fakeQuery
	for q = strings.TrimSpace(q); q != ""; q = strings.TrimSpace(q) {
		var tok strings.Builder
		inQuote, esc, quoted := false, false, false
		i := 0
		for ; i < len(q); i++ {
			c := q[i]
			switch {
			case esc:
				tok.WriteByte(c)
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inQuote, quoted = !inQuote, true
			case c == ' ' && !inQuote:
				goto done
			default:
				tok.WriteByte(c)
			}
		}
	done:
		if inQuote {
			return nil, fmt.Errorf("unterminated quote in %q", q)
		}
		raw := q[:i]
		q = q[i:]
		t := tok.String()
		if t == "AND" {
			continue
		}
		var c fakeClause
		if k := strings.IndexByte(t, ':'); k > 0 && !strings.HasPrefix(raw, `"`) {
			c.field, c.value = t[:k], t[k+1:]
			switch {
			case strings.HasPrefix(c.value, ">="):
				n, err := strconv.Atoi(c.value[2:])
				if err != nil {
					return nil, fmt.Errorf("bad number in %q", t)
				}
				c.minNum, c.value = n, ""
			case !quoted && strings.HasSuffix(raw, "*"):
				c.prefix, c.value = true, strings.TrimSuffix(c.value, "*")
			}
		} else {
			c.value = strings.ToLower(t)
		}
		out = append(out, c)
	}
	return out, nil
}

func (q fakeQuery) matches(e *Event) bool {
	for _, c := range q {
		switch {
		case c.field == "":
			words := strings.ToLower(strings.Join([]string{e.Message, e.Error, e.ErrorType, e.Route, e.Path, e.Service, e.User, e.RequestID}, " "))
			if !strings.Contains(words, c.value) {
				return false
			}
		case c.minNum > 0:
			n, _ := strconv.Atoi(fieldValue(e, c.field))
			if n < c.minNum {
				return false
			}
		case c.prefix:
			if !strings.HasPrefix(fieldValue(e, c.field), c.value) {
				return false
			}
		default:
			if fieldValue(e, c.field) != c.value {
				return false
			}
		}
	}
	return true
}

// corpus builds events the way ingest would: source order, line numbers,
// an original JSON line, IsError and a fingerprint for error events.
type corpus struct {
	evs     []Event
	deploys []Deploy
	line    int64
}

// add appends e, filling Source, Line, Raw and IsError.
func (c *corpus) add(e Event) {
	c.line++
	if e.Source == "" {
		e.Source = e.Service + ".log"
	}
	e.Line = c.line
	if e.Level == "" {
		e.Level = "info"
	}
	e.IsError = e.IsError || levelRank[e.Level] >= 5 || e.Status >= 500 || e.Stack != ""
	if e.IsError && e.Fingerprint == "" {
		e.Fingerprint = "fp-" + e.Service + "-" + strings.ToLower(strings.Fields(e.Message + " x")[0])
	}
	if !e.IsError {
		e.Fingerprint = ""
	}
	obj := map[string]any{"time": e.Time.Format(time.RFC3339Nano), "level": e.Level, "msg": e.Message, "service": e.Service}
	for k, v := range map[string]string{"request_id": e.RequestID, "route": e.Route, "user_id": e.User, "error": e.Error,
		"error_type": e.ErrorType, "stack": e.Stack, "host": e.Host, "version": e.Version} {
		if v != "" {
			obj[k] = v
		}
	}
	if e.Status > 0 {
		obj["status"] = e.Status
	}
	e.Raw, _ = json.Marshal(obj)
	c.evs = append(c.evs, e)
}

func (c *corpus) deploy(t time.Time, service, version string) {
	c.deploys = append(c.deploys, Deploy{Time: t, Service: service, Version: version,
		Commit: "c0ffee" + version, Author: "dev", Environment: "prod", Source: "deploys.json", Line: int64(len(c.deploys) + 1)})
}

// traffic adds one successful request (an access line) every step in
// [from, to), cycling through routes and users, with ids prefix-N.
func (c *corpus) traffic(service, prefix string, routes, users []string, from, to time.Time, step time.Duration) {
	for i, t := 0, from; t.Before(to); i, t = i+1, t.Add(step) {
		c.add(Event{Time: t, Service: service, RequestID: fmt.Sprintf("%s-%d", prefix, i), Route: routes[i%len(routes)],
			User: users[(i*7)%len(users)], Status: 200, Message: "request completed", Host: "h1", Version: "1.0"})
	}
}

func (c *corpus) store() *fakeStore { return newFakeStore(c.evs, c.deploys) }

func users(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("u-%03d", i+1)
	}
	return out
}
