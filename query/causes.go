package query

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Causes beyond the first rules: a missing or invalid configuration key, a
// process that crashed, and a dependency that slowed down.
const (
	CauseMisconfiguration = "misconfiguration"
	CauseCrash            = "crash"
)

// configPatterns find the configuration key or environment variable an
// error names as missing or invalid. The first group that matched is the
// key. Python's KeyError counts only for an upper-case name (os.environ[...]):
// KeyError: 'discount' is a data bug, KeyError: 'DATABASE_URL' is config.
var configPatterns = []*regexp.Regexp{
	regexp.MustCompile(`KeyError:?\s*['"]([A-Z][A-Z0-9_]{2,})['"]`),
	regexp.MustCompile(`(?i)(?:environment variable|env var|env|config(?:uration)? key|config(?:uration)? (?:value|setting|option)|setting|property|parameter)\s+['"\x60]?([A-Za-z_][A-Za-z0-9_.\-]*)['"\x60]?\s+(?:is\s+)?(?:not set|not defined|missing|required|undefined|empty|invalid|unset|must be set)`),
	regexp.MustCompile(`(?i)(?:missing|required|undefined|unset|invalid|no value for|empty)\s+(?:required\s+)?(?:environment variable|env var|config(?:uration)? key|config(?:uration)?|setting|property|option|key)s?\s*[:=]?\s*['"\x60]?([A-Za-z_][A-Za-z0-9_.\-]*)`),
	regexp.MustCompile(`(?i)could not resolve placeholder '([A-Za-z0-9_.\-]+)'`),
	regexp.MustCompile(`(?i)required key ([A-Za-z0-9_]+) missing value`),
	regexp.MustCompile(`os\.environ\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\]`),
	regexp.MustCompile(`process\.env\.([A-Z_][A-Z0-9_]*) is (?:undefined|not set)`),
}

// configKey returns the configuration key an error names as missing or
// invalid, or "".
func configKey(errType, msg, stack string) string {
	text := errType + ": " + msg + "\n" + stackHeaders(stack)
	for _, re := range configPatterns {
		if m := re.FindStringSubmatch(text); m != nil {
			k := strings.TrimRight(m[1], ".-")
			switch strings.ToLower(k) {
			case "", "is", "the", "a", "an", "for", "value", "key":
				continue
			}
			return k
		}
	}
	return ""
}

// startupRE matches the line a process logs when it starts.
var startupRE = regexp.MustCompile(`(?i)\b(starting|started|listening|ready to accept|server (is )?(up|running)|booted|initiali[sz]ed|boot(ing)? )\b`)

// startupQuery finds candidate start-up lines with the search syntax.
const startupQuery = "(starting OR started OR listening OR ready OR booted OR initialized OR initialised)"

// misconfigured reports whether the misconfiguration rule holds: the error
// names a missing or invalid configuration key, and it first appeared
// after a deploy of its service (the candidate) or soon after the service
// started. It fills f.startedAt when a start-up explains it.
func (inv *Investigator) misconfigured(ctx context.Context, f *facts) (bool, error) {
	if f.configKey == "" {
		return false, nil
	}
	if f.candidate && f.suspect != nil {
		return true, nil
	}
	res, err := inv.store.Find(ctx, Filter{Service: f.service, Since: f.firstSeen.Add(-10 * time.Minute), Until: f.firstSeen.Add(time.Second),
		Query: startupQuery}, FindOptions{Limit: 20, Order: NewestFirst})
	if err != nil {
		return false, fmt.Errorf("start-up of %s: %w", f.service, err)
	}
	for _, e := range res.Events {
		if startupRE.MatchString(e.Message) {
			f.startedAt = e.Time
			return true, nil
		}
	}
	return false, nil
}

// crash is a process that died, as its logs show it.
type crash struct {
	service   string
	at        time.Time // the crash output (panic, fatal error, uncaught exception)
	errType   string
	message   string
	line      *Event
	restarted time.Time // its next start-up line, zero if none
	trigger   bool      // it died while this request was in flight
}

// crashRE matches the first line of a crash: a Go panic or fatal error, an
// uncaught exception (Node, Java), a Python traceback's end, a signal.
var crashRE = regexp.MustCompile(`^(?:panic|fatal error|Uncaught ?(?:Exception|Error)?|Exception in thread "[^"]*"|Segmentation fault|SIGSEGV|SIGABRT|Killed|OOMKilled|FATAL ERROR)[: ]\s*(.*)$`)

// crashQuery finds candidate crash lines with the search syntax.
const crashQuery = "(panic OR fatal OR uncaught OR exception OR segmentation OR sigsegv OR killed OR level:fatal)"

// crashOf looks for the crash of service around a request that failed
// reaching it (connection refused or reset, socket hang up): a crash line
// in its logs between 2 minutes before the error and just after it,
// followed by a start-up. from and to are the request's span.
func (inv *Investigator) crashOf(ctx context.Context, service string, from, to time.Time, reset bool) (*crash, error) {
	srcs, err := inv.store.Facet(ctx, Filter{Service: service}, "source", 20)
	if err != nil {
		return nil, fmt.Errorf("sources of %s: %w", service, err)
	}
	if len(srcs.Buckets) == 0 {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString("(")
	for i, b := range srcs.Buckets {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString(queryField("source", b.Value))
	}
	q.WriteString(") AND " + crashQuery)
	res, err := inv.store.Find(ctx, Filter{Query: q.String(), Since: from.Add(-2 * time.Minute), Until: to.Add(5 * time.Second)},
		FindOptions{Limit: 50, Order: NewestFirst})
	if err != nil {
		return nil, fmt.Errorf("crash of %s: %w", service, err)
	}
	for i := range res.Events {
		e := &res.Events[i]
		c := crashLine(e)
		if c == nil {
			continue
		}
		c.service = service
		up, err := inv.store.Find(ctx, Filter{Service: service, Since: c.at, Until: c.at.Add(10 * time.Minute), Query: startupQuery},
			FindOptions{Limit: 20, Order: OldestFirst})
		if err != nil {
			return nil, fmt.Errorf("restart of %s: %w", service, err)
		}
		for _, u := range up.Events {
			if startupRE.MatchString(u.Message) && u.Time.After(c.at) {
				c.restarted = u.Time
				break
			}
		}
		// The request triggered it when its connection was reset (the
		// process died with the request in flight; a refused connection
		// found it dead already) and the crash falls in its span. Crash
		// output without a time of its own took the previous line's: it
		// happened at or after that, before the restart.
		last := c.at
		if e.Untimed {
			last = to
			if !c.restarted.IsZero() && c.restarted.Before(last) {
				last = c.restarted
			}
		}
		c.trigger = reset && !c.at.After(to.Add(time.Second)) && !last.Before(from.Add(-100*time.Millisecond))
		return c, nil
	}
	return nil, nil
}

// crashLine reads a crash from one line: a crash line of plain-text output,
// or a fatal-level event with an error.
func crashLine(e *Event) *crash {
	msg := strings.TrimSpace(e.Message)
	if m := crashRE.FindStringSubmatch(msg); m != nil {
		typ, rest := msg, m[1]
		if i := strings.IndexByte(msg, ':'); i > 0 {
			typ = msg[:i]
		}
		return &crash{at: e.Time, errType: typ, message: rest, line: e}
	}
	if e.Level == "fatal" && (e.Stack != "" || e.ErrorType != "") {
		return &crash{at: e.Time, errType: e.ErrorType, message: errorMessage(e), line: e}
	}
	return nil
}

// crashedCallee returns the service a failed call names (its connection
// was refused or reset): a service of the request's call graph the root's
// service calls, or one the error names; reset says the connection was
// reset (the callee died during the call).
func crashedCallee(root *Event, g *callGraph) (service string, reset bool) {
	if root == nil {
		return "", false
	}
	kind := dependencyKind(root.ErrorType, errorMessage(root), root.Stack)
	if kind != "connection refused" && kind != "connection reset" && kind != "upstream 5xx" {
		return "", false
	}
	return calleeNamed(root, g), kind == "connection reset"
}

func calleeNamed(root *Event, g *callGraph) string {
	text := strings.ToLower(root.ErrorType + " " + errorMessage(root) + " " + root.Message)
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !(r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
		if w == root.Service {
			continue
		}
		for s := range g.down[root.Service] {
			if strings.EqualFold(s, w) {
				return s
			}
		}
	}
	// "upstream inventory request failed": the word after "upstream".
	if m := upstreamNameRE.FindStringSubmatch(text); m != nil && m[1] != strings.ToLower(root.Service) {
		return m[1]
	}
	return ""
}

var upstreamNameRE = regexp.MustCompile(`upstream ([a-z][a-z0-9_-]+)`)

// latency is a dependency's response times before and during a failure.
type latency struct {
	service                    string
	before, during             []float64 // milliseconds
	p50b, p95b, p50d, p95d     float64
	beforeFrom, duringFrom, to time.Time
}

// dependencyLatency compares the durations a dependency logged in the
// window before the failure with those during it.
func (inv *Investigator) dependencyLatency(ctx context.Context, dep string, first, last time.Time) (*latency, error) {
	d := max(last.Sub(first), time.Minute)
	lt := &latency{service: dep, beforeFrom: first.Add(-2 * d), duringFrom: first, to: last.Add(time.Second)}
	read := func(from, to time.Time) ([]float64, error) {
		res, err := inv.store.Find(ctx, Filter{Service: dep, Since: from, Until: to, Query: "duration:>0"}, FindOptions{Limit: 5000, Order: NewestFirst})
		if err != nil {
			return nil, fmt.Errorf("durations of %s: %w", dep, err)
		}
		var ms []float64
		for _, e := range res.Events {
			if e.DurationMS > 0 && !math.IsNaN(e.DurationMS) {
				ms = append(ms, e.DurationMS)
			}
		}
		sort.Float64s(ms)
		return ms, nil
	}
	var err error
	if lt.before, err = read(lt.beforeFrom, first); err != nil {
		return nil, err
	}
	if lt.during, err = read(first, lt.to); err != nil {
		return nil, err
	}
	if len(lt.before) == 0 || len(lt.during) == 0 {
		return nil, nil
	}
	lt.p50b, lt.p95b = quantile(lt.before, 0.5), quantile(lt.before, 0.95)
	lt.p50d, lt.p95d = quantile(lt.during, 0.5), quantile(lt.during, 0.95)
	return lt, nil
}

// slower reports a latency that rose enough to explain failures: the p95
// or the median during is at least 3 times what it was before, and 50 ms
// more (the median, when the slowdown began before the first error and
// the tail of the window before already holds it).
func (lt *latency) slower() bool {
	return lt != nil && (lt.p95d >= 3*lt.p95b && lt.p95d-lt.p95b >= 50 || lt.p50d >= 3*lt.p50b && lt.p50d-lt.p50b >= 50)
}

func (lt *latency) String() string {
	return fmt.Sprintf("%s's latency rose from p50 %s / p95 %s (%s before) to p50 %s / p95 %s (%s during)",
		lt.service, fmtMS(lt.p50b), fmtMS(lt.p95b), plural(len(lt.before), "call"), fmtMS(lt.p50d), fmtMS(lt.p95d), plural(len(lt.during), "call"))
}

func fmtMS(ms float64) string {
	if ms >= 1000 {
		return humanDuration(ms / 1000)
	}
	if ms < 1 {
		return fmt.Sprintf("%.2f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// quantile of sorted xs (nearest rank).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}

// timeoutDependency names the dependency a timeout in the root's service
// waited on: among the services the root's service calls in the request,
// the one whose lines are slowest (the longest duration), else one the
// error names.
func timeoutDependency(root *Event, evs []Event, g *callGraph) string {
	best, bestMS := "", 0.0
	for i := range evs {
		e := &evs[i]
		if !g.down[root.Service][e.Service] {
			continue
		}
		if e.DurationMS > bestMS || best == "" {
			best, bestMS = e.Service, e.DurationMS
		}
	}
	text := strings.ToLower(errorMessage(root) + " " + root.ErrorType)
	for s := range g.down[root.Service] {
		if mentions(text, strings.ToLower(s)) {
			return s
		}
	}
	return best
}

// errorRate is the 5xx rate in the failure's window against the window of
// the same length before it.
type errorRate struct {
	during, duringTotal, before, beforeTotal int
}

// rate5xx counts the responses with a status, and those of 5xx, in
// [from, to) and in the window as long before it: two histograms of two
// buckets. nil when neither window has a 5xx (nothing to compare).
func (inv *Investigator) rate5xx(ctx context.Context, from, to time.Time) (*errorRate, error) {
	start := from.Add(-to.Sub(from))
	bad, err := inv.store.Histogram(ctx, Filter{Query: "status:>=500"}, start, to, 2)
	if err != nil {
		return nil, fmt.Errorf("5xx rate: %w", err)
	}
	if len(bad) != 2 || bad[0].Count+bad[1].Count == 0 {
		return nil, nil
	}
	all, err := inv.store.Histogram(ctx, Filter{Query: "status:>=100"}, start, to, 2)
	if err != nil {
		return nil, fmt.Errorf("5xx rate: %w", err)
	}
	if len(all) != 2 {
		return nil, nil
	}
	return &errorRate{before: bad[0].Count, during: bad[1].Count, beforeTotal: all[0].Count, duringTotal: all[1].Count}, nil
}

func (r *errorRate) String() string {
	pct := func(n, t int) string {
		if t == 0 {
			return "no responses"
		}
		return fmt.Sprintf("%.1f%% of %s", 100*float64(n)/float64(t), plural(t, "response"))
	}
	return fmt.Sprintf("5xx rate %s in the window, against %s in the window as long before it", pct(r.during, r.duringTotal), pct(r.before, r.beforeTotal))
}
