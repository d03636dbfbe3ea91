package victorialogs

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/syntax"
)

// Store is a culprit store on a VictoriaLogs server or cluster frontend. It
// is safe for concurrent use.
type Store struct {
	c  client
	fr *foreign // nil: rows culprit did not write are not read (foreign.go)
}

// Open connects to the store at rawURL (see ParseURL) and checks that it
// answers a query (so that wrong credentials fail here, not later).
func Open(ctx context.Context, rawURL string) (*Store, error) {
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	s := New(cfg, nil)
	if err := s.c.query(ctx, fKind+":="+kindEv+" | limit 0", func(map[string]string) error { return nil }); err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(cfg.Base), err)
	}
	return s, nil
}

// New returns a store for cfg that talks through hc (nil: a default
// client). It does not contact the server.
func New(cfg Config, hc *http.Client) *Store {
	if hc == nil {
		hc = &http.Client{}
	}
	return &Store{c: client{cfg: cfg, http: hc, slots: make(chan struct{}, maxInFlight)}}
}

// Concurrency is how many error groups query analyses at once on this
// store (query.Concurrent): each group is a chain of questions, each a
// round trip that mostly waits on the server, so several chains at once
// take about as long as one. The client never has more than maxInFlight
// queries at the server whatever the callers ask.
func (s *Store) Concurrency() int { return groupConcurrency }

const (
	// groupConcurrency is what Concurrency returns.
	groupConcurrency = 8
	// maxInFlight bounds the queries one store has at the server at once.
	// A server runs 2 per CPU core by default (up to 16) and queues the
	// rest for at most 10 s (-search.maxConcurrentRequests,
	// -search.maxQueueDuration), then fails them: a bound keeps one
	// culprit from filling that queue.
	maxInFlight = 8
)

// parallel runs the queries fns at once (each request is mostly server
// time) and returns the first error once all have returned.
func parallel(fns ...func() error) error {
	if len(fns) == 1 {
		return fns[0]()
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Close releases the store's idle connections. It never fails; it is
// there so the store can stand where a closable index does.
func (s *Store) Close() error {
	s.c.http.CloseIdleConnections()
	return nil
}

// pipeFields renders a fields pipe.
func pipeFields(names []string) string { return " | fields " + strings.Join(names, ", ") }

// Find returns the page o asks for of the events matching f, ordered by
// time, then source, then line (NewestFirst: the reverse), and the total.
func (s *Store) Find(ctx context.Context, f model.Filter, o model.FindOptions) (model.Result, error) {
	e, err := filter(f)
	if err != nil {
		return model.Result{}, err
	}
	limit := o.Limit
	if limit <= 0 {
		limit = 100
	}
	offset := max(o.Offset, 0)
	desc := ""
	if o.Order == model.NewestFirst {
		desc = " desc"
	}
	if on, err := s.foreignMode(ctx); on || err != nil {
		if err != nil {
			return model.Result{}, err
		}
		return s.findForeign(ctx, f, o, offset, limit)
	}
	sort := fmt.Sprintf(" | sort by (_time%s, %s%s, %s%s)", desc, fSort, desc, fID, desc)
	if !e.exact {
		return s.findFiltered(ctx, f, e, sort, offset, limit)
	}
	var res model.Result
	q := e.q + fmt.Sprintf("%s offset %d limit %d", sort, offset, limit) + pipeFields(eventFields)
	page := func() error {
		return s.c.query(ctx, q, func(r map[string]string) error {
			ev, err := decodeEvent(r)
			if err != nil {
				return err
			}
			res.Events = append(res.Events, ev)
			return nil
		})
	}
	total := func() (err error) {
		res.Total, err = s.count(ctx, e.q)
		return err
	}
	if limit < readAll {
		// A top of many matches (a search page, a first occurrence): the
		// page is usually full, so the total is asked at once.
		if err := parallel(page, total); err != nil {
			return model.Result{}, err
		}
		return res, nil
	}
	// A read of every match (a request's lines): the page usually holds
	// them all, and then it is the total.
	if err := page(); err != nil {
		return model.Result{}, err
	}
	switch n := len(res.Events); {
	case n > 0 && n < limit:
		res.Total = offset + n
	case n == 0 && offset == 0:
		res.Total = 0
	default:
		if err := total(); err != nil {
			return model.Result{}, err
		}
	}
	return res, nil
}

// readAll is the smallest page Find takes for a read of every match rather
// than a top of many (query reads a request's lines 1,000 at a time): its
// total is asked only when the page is full, which saves a query per
// request read in errors and request.
const readAll = 1000

// findFiltered pages through a superset, keeping the events f matches.
func (s *Store) findFiltered(ctx context.Context, f model.Filter, e expr, sort string, offset, limit int) (model.Result, error) {
	var res model.Result
	err := s.eachMatch(ctx, f, e, sort, func(ev *model.Event) {
		if res.Total >= offset && res.Total < offset+limit {
			res.Events = append(res.Events, *ev)
		}
		res.Total++
	})
	if err != nil {
		return model.Result{}, err
	}
	return res, nil
}

// eachMatch streams the rows of the superset e (in the order of the pipe
// sort, which may be empty) and calls fn with each event f matches.
func (s *Store) eachMatch(ctx context.Context, f model.Filter, e expr, sort string, fn func(ev *model.Event)) error {
	n, err := syntax.FromFilter(f)
	if err != nil {
		return err
	}
	return s.c.query(ctx, e.q+sort+pipeFields(eventFields), func(r map[string]string) error {
		ev, err := decodeEvent(r)
		if err != nil {
			return err
		}
		if n.Match(&ev) {
			fn(&ev)
		}
		return nil
	})
}

// count returns the number of rows q selects.
func (s *Store) count(ctx context.Context, q string) (int, error) {
	rows, err := s.c.queryRows(ctx, q+" | stats count() as n")
	if err != nil {
		return 0, err
	}
	return intField(rows, "n")
}

// intField reads a number from the single row of a stats answer (no row:
// 0).
func intField(rows []map[string]string, name string) (int, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	v := rows[0][name]
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("victorialogs: stats %s = %q: %w", name, v, err)
	}
	return n, nil
}

// Facet returns the distribution of field over the events matching f:
// every count is exact.
func (s *Store) Facet(ctx context.Context, f model.Filter, field string, size int) (model.Facet, error) {
	fcs, err := s.Facets(ctx, f, []string{field}, size)
	if err != nil {
		return model.Facet{}, err
	}
	return fcs[0], nil
}

// Facets returns one facet per field, in order, each what Facet returns.
func (s *Store) Facets(ctx context.Context, f model.Filter, fields []string, size int) ([]model.Facet, error) {
	fls := make([]syntax.Field, len(fields))
	for i, name := range fields {
		fl, err := syntax.FacetField(name)
		if err != nil {
			return nil, err
		}
		fls[i] = fl
	}
	e, err := filter(f)
	if err != nil {
		return nil, err
	}
	counts := make([]map[string]int, len(fields))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	on, err := s.foreignMode(ctx)
	if err != nil {
		return nil, err
	}
	if on {
		err = s.eachForeign(ctx, f, func(ev *model.Event) {
			for i, fl := range fls {
				v, _ := fl.Value(ev)
				counts[i][v]++
			}
		})
		if err != nil {
			return nil, err
		}
	} else if e.exact && together(f, fls) {
		// One scan: the count of each combination of values, summed per
		// field below.
		names := make([]string, len(fls))
		for i, fl := range fls {
			names[i] = fl.Name
		}
		q := e.q + " | stats by (" + strings.Join(names, ", ") + ") count() as n"
		err := s.c.query(ctx, q, func(r map[string]string) error {
			n, err := strconv.Atoi(r["n"])
			if err != nil {
				return fmt.Errorf("victorialogs: facets %s: count %q: %w", strings.Join(names, ", "), r["n"], err)
			}
			for i, name := range names {
				counts[i][r[name]] += n
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	} else if e.exact {
		fns := make([]func() error, len(fls))
		for i, fl := range fls {
			q := e.q + " | stats by (" + fl.Name + ") count() as n"
			fns[i] = func() error {
				return s.c.query(ctx, q, func(r map[string]string) error {
					n, err := strconv.Atoi(r["n"])
					if err != nil {
						return fmt.Errorf("victorialogs: facet %s: count %q: %w", fl.Name, r["n"], err)
					}
					counts[i][r[fl.Name]] += n
					return nil
				})
			}
		}
		if err := parallel(fns...); err != nil {
			return nil, err
		}
	} else {
		err := s.eachMatch(ctx, f, e, "", func(ev *model.Event) {
			for i, fl := range fls {
				v, _ := fl.Value(ev)
				counts[i][v]++
			}
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]model.Facet, len(fields))
	for i, fl := range fls {
		out[i] = facet(fields[i], fl, counts[i], size)
	}
	return out, nil
}

// together tells whether the facets of fls over f are best asked as one
// query over the combinations of their values: one scan of the matches
// then replaces one per field (an error group's request_id, trace_id,
// route and user facets: one query where there were four, each reading
// every event of the group). That pays when the combinations are few: when
// one field is a request or trace id (about one value per request, so the
// combinations are hardly more than its values), or when f is one error
// group (the group's own events: a user meets the error on a route or
// two). Fields of few values each over many events (the baseline's route,
// user, service, host, version and status over a window of all traffic)
// could combine into one row per event, so they are asked one query each.
func together(f model.Filter, fls []syntax.Field) bool {
	if len(fls) < 2 {
		return false
	}
	if f.Fingerprint != "" {
		return true
	}
	for _, fl := range fls {
		if fl.Name == "request_id" || fl.Name == "trace_id" {
			return true
		}
	}
	return false
}

// facet builds a facet from the count of each value ("" counts the events
// without the field).
func facet(name string, fl syntax.Field, counts map[string]int, size int) model.Facet {
	fc := model.Facet{Field: name}
	for v, n := range counts {
		fc.Total += n
		if v == "" && fl.Kind != syntax.Source {
			fc.Missing += n
			continue
		}
		fc.Buckets = append(fc.Buckets, model.Bucket{Value: v, Count: n})
	}
	fc.Distinct = len(fc.Buckets)
	slices.SortFunc(fc.Buckets, func(a, b model.Bucket) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	if fc.Buckets == nil {
		fc.Buckets = []model.Bucket{}
	}
	if size > 0 && len(fc.Buckets) > size {
		fc.Buckets = fc.Buckets[:size]
	}
	fc.Other = fc.Total - fc.Missing
	for _, b := range fc.Buckets {
		fc.Other -= b.Count
	}
	return fc
}

// Histogram counts the events matching f in n buckets over [from, to):
// bucket i starts at from + i·(to−from)/n, rounded down to the nanosecond,
// and holds the events t with ⌊(t−from)·n/(to−from)⌋ = i.
func (s *Store) Histogram(ctx context.Context, f model.Filter, from, to time.Time, n int) ([]model.TimeBucket, error) {
	if n <= 0 {
		return nil, fmt.Errorf("histogram: %d buckets", n)
	}
	span := to.Sub(from)
	if span <= 0 {
		return nil, fmt.Errorf("histogram: empty range [%s, %s)", from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	}
	if span == time.Duration(1<<63-1) {
		return nil, fmt.Errorf("histogram: range too long")
	}
	if f.Since.IsZero() || f.Since.Before(from) {
		f.Since = from
	}
	if f.Until.IsZero() || f.Until.After(to) {
		f.Until = to
	}
	e, err := filter(f)
	if err != nil {
		return nil, err
	}
	out := make([]model.TimeBucket, n)
	for i := range out {
		hi, lo := bits.Mul64(uint64(span), uint64(i))
		q, _ := bits.Div64(hi, lo, uint64(n))
		out[i].Start = from.Add(time.Duration(q)).UTC()
	}
	on, err := s.foreignMode(ctx)
	if err != nil {
		return nil, err
	}
	if on || !e.exact {
		each := func(fn func(ev *model.Event)) error { return s.eachMatch(ctx, f, e, "", fn) }
		if on {
			each = func(fn func(ev *model.Event)) error { return s.eachForeign(ctx, f, fn) }
		}
		err := each(func(ev *model.Event) {
			d := ev.Time.Sub(from)
			hi, lo := bits.Mul64(uint64(d), uint64(n))
			k, _ := bits.Div64(hi, lo, uint64(span))
			out[k].Count++
		})
		return out, err
	}
	// Bucket i holds the t with i·span ≤ (t−from)·n < (i+1)·span, that is
	// from + ⌈i·span/n⌉ ≤ t < from + ⌈(i+1)·span/n⌉: one conditional
	// count per bucket, in one pass.
	bound := func(i int) time.Time {
		hi, lo := bits.Mul64(uint64(span), uint64(i))
		q, r := bits.Div64(hi, lo, uint64(n))
		if r != 0 {
			q++
		}
		return from.Add(time.Duration(q))
	}
	var b strings.Builder
	b.WriteString(e.q)
	b.WriteString(" | stats ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "count() if (_time:>=%s _time:<%s) as b%d", fmtTime(bound(i)), fmtTime(bound(i+1)), i)
	}
	rows, err := s.c.queryRows(ctx, b.String())
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Count, err = intField(rows, "b"+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Deploys returns the deploy history, oldest first, ties by service,
// version and commit, each deploy once.
func (s *Store) Deploys(ctx context.Context) ([]model.Deploy, error) {
	seen := map[string]bool{}
	var out []model.Deploy
	err := s.c.query(ctx, fKind+":="+kindDep+pipeFields(deployFields), func(r map[string]string) error {
		if seen[r[fID]] {
			return nil
		}
		seen[r[fID]] = true
		d, err := decodeDeploy(r)
		if err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b model.Deploy) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Commit, b.Commit))
	})
	return out, nil
}

// Span returns the event and deploy counts and the event time window.
func (s *Store) Span(ctx context.Context) (model.Span, error) {
	var sp model.Span
	kind := fKind + ":=" + kindEv
	if on, err := s.foreignMode(ctx); err != nil {
		return sp, err
	} else if on {
		kind = foreignKind
	}
	rows, err := s.c.queryRows(ctx, kind+" | stats count() as n, min(_time) as first, max(_time) as last")
	if err != nil {
		return sp, err
	}
	if sp.Events, err = intField(rows, "n"); err != nil {
		return sp, err
	}
	if sp.Events > 0 {
		for _, p := range []struct {
			name string
			t    *time.Time
		}{{"first", &sp.First}, {"last", &sp.Last}} {
			t, err := time.Parse(time.RFC3339Nano, rows[0][p.name])
			if err != nil {
				return sp, fmt.Errorf("victorialogs: span %s %q: %w", p.name, rows[0][p.name], err)
			}
			*p.t = t.UTC()
		}
	}
	rows, err = s.c.queryRows(ctx, fKind+":="+kindDep+" | stats count_uniq("+fID+") as n")
	if err != nil {
		return sp, err
	}
	sp.Deploys, err = intField(rows, "n")
	return sp, err
}
