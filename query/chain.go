package query

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// callGraph is who called whom in one request, as its lines say: a line
// whose parent span is another service's span was called by that service,
// and an error that names another service of the request ("upstream
// inventory request failed", "checkout responded 502") was logged by its
// caller.
type callGraph struct {
	down map[string]map[string]bool // caller -> callees
	// entry is the service the request entered by: the one no other
	// service of the request calls, earliest first; "" when unknown.
	entry string
}

func (g *callGraph) edge(from, to string) {
	if from == "" || to == "" || from == to {
		return
	}
	if g.down[from] == nil {
		g.down[from] = map[string]bool{}
	}
	g.down[from][to] = true
}

// reaches reports whether b is downstream of a (a calls b, directly or not).
func (g *callGraph) reaches(a, b string) bool {
	if a == b || len(g.down) == 0 {
		return false
	}
	seen := map[string]bool{a: true}
	stack := []string{a}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := range g.down[s] {
			if c == b {
				return true
			}
			if !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	return false
}

// buildCallGraph reads the calls between the services of a request.
func buildCallGraph(evs []Event) *callGraph {
	g := &callGraph{down: map[string]map[string]bool{}}
	spanSvc := map[string]string{}
	for i := range evs {
		if s := evs[i].SpanID; s != "" {
			if _, ok := spanSvc[s]; !ok {
				spanSvc[s] = evs[i].Service
			}
		}
	}
	for i := range evs {
		if p := evs[i].ParentSpanID; p != "" {
			g.edge(spanSvc[p], evs[i].Service)
		}
	}
	svcs := services(evs)
	for i := range evs {
		e := &evs[i]
		if !e.IsError {
			continue
		}
		text := strings.ToLower(e.ErrorType + " " + errorMessage(e) + " " + e.Message)
		for _, s := range svcs {
			if s != e.Service && mentions(text, strings.ToLower(s)) {
				g.edge(e.Service, s)
			}
		}
	}
	called := map[string]bool{}
	for _, cs := range g.down {
		for c := range cs {
			called[c] = true
		}
	}
	for _, s := range svcs {
		if !called[s] && len(g.down[s]) > 0 {
			g.entry = s
			break
		}
	}
	return g
}

// mentions reports whether text names word as a whole word (inventory in
// "upstream inventory request failed", not in "inventory_item").
func mentions(text, word string) bool {
	if len(word) < 2 {
		return false
	}
	for off := 0; ; {
		i := strings.Index(text[off:], word)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(word)
		if (i == 0 || !isWordByte(text[i-1])) && (j == len(text) || !isWordByte(text[j])) {
			return true
		}
		off = i + 1
	}
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// ClockOffset is a service's clock offset against the service the request
// entered by, estimated from the request's lines: every line of the trace
// happened within the entry service's span, so a service whose lines
// all sort before (or after) that span runs behind (ahead).
type ClockOffset struct {
	Service   string  `json:"service"`
	Reference string  `json:"reference"`
	Seconds   float64 `json:"seconds"` // negative: behind the reference
	// Min and Max bound the offset: the service's lines fit in the
	// reference span only for offsets in [min, max].
	Min float64 `json:"min_seconds"`
	Max float64 `json:"max_seconds"`
}

// Statement says the offset the way the evidence reads.
func (c ClockOffset) Statement() string {
	dir := "ahead of"
	if c.Seconds < 0 {
		dir = "behind"
	}
	return fmt.Sprintf("%s's clock runs %s %s %s", c.Service, humanDuration(c.Seconds), dir, c.Reference)
}

// minSkew is the smallest offset reported: below it, ordering by time is
// as good as logging precision and network latency allow anyway.
const minSkew = 100 * time.Millisecond

// clockOffsets estimates the clock offset of each service of a request
// against its entry service. The reference is the entry service's span
// with a duration that encloses the request (a "request completed" line:
// [time - duration, time]). A service whose lines are observed in
// [cs, ce] has an offset d with ce - pe <= d <= cs - ps; the estimate is
// the middle of that interval. Only offsets whose interval excludes zero by
// minSkew are returned: those are certain, not noise.
func clockOffsets(evs []Event, g *callGraph) []ClockOffset {
	if g.entry == "" {
		return nil
	}
	var ps, pe time.Time
	for i := range evs {
		e := &evs[i]
		if e.Service != g.entry || e.DurationMS <= 0 || math.IsNaN(e.DurationMS) {
			continue
		}
		end := e.Time
		start := end.Add(-time.Duration(e.DurationMS * float64(time.Millisecond)))
		if ps.IsZero() || end.Sub(start) > pe.Sub(ps) {
			ps, pe = start, end
		}
	}
	if ps.IsZero() {
		return nil
	}
	type obs struct{ s, e time.Time }
	seen := map[string]*obs{}
	var order []string
	for i := range evs {
		e := &evs[i]
		if e.Service == g.entry || e.Service == "" {
			continue
		}
		start := e.Time
		if e.DurationMS > 0 && !math.IsNaN(e.DurationMS) {
			start = e.Time.Add(-time.Duration(e.DurationMS * float64(time.Millisecond)))
		}
		o := seen[e.Service]
		if o == nil {
			o = &obs{start, e.Time}
			seen[e.Service] = o
			order = append(order, e.Service)
			continue
		}
		if start.Before(o.s) {
			o.s = start
		}
		if e.Time.After(o.e) {
			o.e = e.Time
		}
	}
	var out []ClockOffset
	for _, s := range order {
		o := seen[s]
		lo := o.e.Sub(pe)
		hi := o.s.Sub(ps)
		if lo > hi {
			continue // the lines do not fit the span at any offset: no estimate
		}
		if lo < minSkew && hi > -minSkew {
			continue // zero is possible
		}
		mid := (lo + hi) / 2
		out = append(out, ClockOffset{
			Service: s, Reference: g.entry,
			Seconds: roundTenth(mid.Seconds()), Min: round3(lo.Seconds()), Max: round3(hi.Seconds()),
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	return out
}

func roundTenth(x float64) float64 { return math.Round(x*10) / 10 }

// rootByChain picks the root error of a request from its call graph: the
// error of the deepest service in the call chain. An error event is passed
// over when a service it calls (directly or not) also logged an error
// event in the request: it wraps that failure, whatever the clocks say.
// Among the errors left, one that carries an error (a message, type or
// stack, not only a status) wins, then one that does not read as an
// upstream failure, then the earliest by the skew-corrected clock. ok is false when the graph says nothing (no spans,
// no error naming another service): the caller then orders by time.
func rootByChain(evs []Event, cands []int, g *callGraph, offsets []ClockOffset) (int, bool) {
	if len(g.down) == 0 || len(cands) == 0 {
		return -1, false
	}
	off := map[string]time.Duration{}
	for _, o := range offsets {
		off[o.Service] = time.Duration(o.Seconds * float64(time.Second))
	}
	var keep []int
	for _, c := range cands {
		wrapper := false
		for _, d := range cands {
			if g.reaches(evs[c].Service, evs[d].Service) && !g.reaches(evs[d].Service, evs[c].Service) {
				wrapper = true
				break
			}
		}
		if !wrapper {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		return -1, false
	}
	best := keep[0]
	for _, c := range keep[1:] {
		a, b := &evs[c], &evs[best]
		ta, tb := carriesError(a), carriesError(b)
		if ta != tb {
			if ta {
				best = c
			}
			continue
		}
		wa, wb := wrapsUpstream(a), wrapsUpstream(b)
		if wa != wb {
			if !wa {
				best = c
			}
			continue
		}
		if a.Time.Add(-off[a.Service]).Before(b.Time.Add(-off[b.Service])) {
			best = c
		}
	}
	return best, true
}

// carriesError reports an error event with an error of its own: a message,
// type or stack, not only a failed status.
func carriesError(e *Event) bool {
	return e.Stack != "" || e.Error != "" || e.ErrorType != "" || e.Fingerprint != ""
}
