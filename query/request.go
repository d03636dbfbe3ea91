package query

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	// requestPage is the page size used to read a request's events.
	requestPage = 1000
	// MaxRequestEvents caps the events of one request kept in a Report. A
	// request ID shared by more lines than this is almost certainly not a
	// request ID (a constant such as "-"); the Report says how many there
	// were in EventsTotal.
	MaxRequestEvents = 20000
	// histogramBuckets is the number of bars of a group's sparkline.
	histogramBuckets = 48
	// hintIDs is how many near request IDs an unknown-ID hint lists.
	hintIDs = 5
)

// Request investigates one request ID: its events across services in time
// order, the root error and the wrappers logged after it, the error's group
// over everything ingested, the suspect deploy and the deploys near the first
// occurrence, the blast radius and a verdict.
//
// An ID with no events is not an error: the Report has Found false and a
// Hint (near IDs by prefix, or why nothing can be found). A request without
// an error event has Error, Group, Deploy, BlastRadius and Verdict nil.
//
// The number of Store round trips does not depend on the number of events:
// about a dozen for a failed request (fewer with a MultiFaceter).
func (inv *Investigator) Request(ctx context.Context, id string) (*Report, error) {
	id = strings.TrimSpace(id)
	if len(id) >= 2 && (id[0] == '"' || id[0] == '\'' || id[0] == '`') && id[len(id)-1] == id[0] {
		id = strings.TrimSpace(id[1 : len(id)-1]) // pasted with its JSON quotes
	}
	if id == "" {
		return nil, errors.New("empty request id")
	}
	r := &Report{RequestID: id, Services: []string{}, Events: []ReportEvent{}, DeploysNearby: []DeployRef{},
		TraceIDs: []string{}, LinkedIDs: []LinkedID{}}
	x, err := inv.expandRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	evs := x.events
	linked := x.linked
	var byEvent []string
	if len(evs) == 0 && idLike(id) {
		// No line has it as its request id or trace id: the lines holding
		// it in any value (a logger named "service:<id>", a task_uuid, a
		// message) are the request. This finds what `culprit search ID`
		// finds.
		var total int
		if evs, total, byEvent, err = inv.tokenEvents(ctx, id); err != nil {
			return nil, err
		}
		if len(evs) > 0 && byEvent[0] == MatchWords {
			// Only the ID's words, inside longer tokens: a truncated ID is
			// better answered by the IDs it starts (the hint); anything
			// else is the request.
			_, ids, err := inv.nearIDs(ctx, id)
			if err != nil {
				return nil, err
			}
			if len(ids) > 0 {
				evs = nil
			}
		}
		x.total, linked = total, byEvent
	}
	matched := func(i int) string {
		if byEvent != nil {
			return byEvent[i]
		}
		return matchOf(&evs[i], id)
	}
	if len(evs) == 0 {
		if r.Hint, err = inv.hint(ctx, id); err != nil {
			return nil, err
		}
		return r, nil
	}
	r.Found = true
	r.EventsTotal = x.total
	r.LinkedIDs = x.ids
	r.Bound = x.bound
	r.Services = services(evs)
	r.TraceIDs = traceIDs(evs)
	r.Events = make([]ReportEvent, len(evs))
	for i := range evs {
		r.Events[i] = reportEvent(&evs[i])
		r.Events[i].LinkedBy = linked[i]
		r.Events[i].MatchedBy = matched(i)
	}
	g := buildCallGraph(evs)
	r.ClockOffsets = clockOffsets(evs, g)

	ri := rootWith(evs, g, r.ClockOffsets)
	if ri < 0 {
		return r, nil // the request succeeded
	}
	root := &evs[ri]
	r.Error = rootError(evs, ri, g, matched)
	if root.Fingerprint == "" {
		// No fingerprint: its other occurrences cannot be found.
		r.Verdict = ungroupedVerdict(r.Error)
		return r, nil
	}

	an, err := inv.analyse(ctx, root.Fingerprint, analyseFull, root, &groupScope{}, nil, 0)
	if err != nil {
		return nil, err
	}
	if an == nil {
		// The index does not find the fingerprint it just returned: report
		// what the request itself shows.
		r.Verdict = ungroupedVerdict(r.Error)
		return r, nil
	}
	r.Group = &an.group
	r.Deploy = an.suspect
	r.DeploysNearby = an.nearby
	r.BlastRadius = an.blast
	if err := inv.requestFacts(ctx, r, evs, ri, g, &an.f); err != nil {
		return nil, err
	}
	cause, err := inv.cause(ctx, &an.f)
	if err != nil {
		return nil, err
	}
	an.blamed(cause)
	v := verdict(cause, an, inv.opt)
	for _, o := range r.ClockOffsets {
		v.Evidence = append(v.Evidence, o.Statement()+" (estimated from this request; the root error was chosen by the call chain, not by time)")
	}
	r.Verdict = &v
	return r, nil
}

// requestFacts adds what the request's own lines tell the verdict: the
// crash of the service it failed to reach (which becomes the root error
// when the request was in flight as it died), the dependency a timeout
// waited on and its latency before and during, and the 5xx rate.
func (inv *Investigator) requestFacts(ctx context.Context, r *Report, evs []Event, ri int, g *callGraph, f *facts) error {
	root := &evs[ri]
	if callee, reset := crashedCallee(root, g); callee != "" {
		c, err := inv.crashOf(ctx, callee, requestStart(evs), root.Time, reset)
		if err != nil {
			return err
		}
		f.crash = c
		if c != nil && c.trigger {
			chain := append([]ReportEvent{reportEvent(root)}, r.Error.Chain...)
			r.Error = &RootError{Type: c.errType, Message: c.message, Stack: crashStack(c.line), Service: c.service,
				Route: r.Error.Route, Time: c.at, Source: sourceOf(c.line), Chain: chain}
		}
	}
	if len(g.down[root.Service]) > 0 && (f.depKind == "timeout" || f.depKind == "") {
		if dep := timeoutDependency(root, evs, g); dep != "" {
			lt, err := inv.dependencyLatency(ctx, dep, f.firstSeen, f.lastSeen)
			if err != nil {
				return err
			}
			switch {
			case f.depKind == "timeout":
				f.dependency, f.latency = dep, lt
			case lt.slower():
				f.depKind, f.dependency, f.latency = "latency of "+dep, dep, lt
			}
		}
	}
	rate, err := inv.rate5xx(ctx, f.windowFrom, f.windowTo)
	if err != nil {
		return err
	}
	f.rate = rate
	return nil
}

// requestStart is when the request began: its earliest line, or the start
// of a line's span (time minus duration) if earlier.
func requestStart(evs []Event) time.Time {
	t := evs[0].Time
	for i := range evs {
		s := evs[i].Time
		if d := evs[i].DurationMS; d > 0 && d < 1e9 {
			s = s.Add(-time.Duration(d * float64(time.Millisecond)))
		}
		if s.Before(t) {
			t = s
		}
	}
	return t
}

// crashStack is the stack of a crash line, when the line carries one.
func crashStack(e *Event) string {
	if e == nil {
		return ""
	}
	return e.Stack
}

// traceIDs lists the trace ids of evs in order of first appearance.
func traceIDs(evs []Event) []string {
	out := []string{}
	seen := map[string]bool{}
	for i := range evs {
		t := evs[i].TraceID
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// services lists the services of evs in order of first appearance.
func services(evs []Event) []string {
	out := []string{}
	seen := map[string]bool{}
	for i := range evs {
		s := evs[i].Service
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func reportEvent(e *Event) ReportEvent {
	re := ReportEvent{
		Time: e.Time, Service: e.Service, Level: e.Level, Message: e.Message, Error: joinNonEmpty(": ", e.ErrorType, e.Error),
		Method: e.Method, Path: e.Path, Route: e.Route, Status: e.Status, User: e.User,
		RequestID: e.RequestID, Source: sourceOf(e), IsError: e.IsError,
		Host: e.Host, Version: e.Version, TraceID: e.TraceID, SpanID: e.SpanID, ParentSpanID: e.ParentSpanID,
	}
	if obj := object(e); len(obj) > 0 {
		re.Fields = obj
	}
	return re
}

// object is the event's JSON object: its line, or for a line a tool
// prefixed ("[pod/P/C] 2026-... {...}", "api-1  | {...}") the object after
// the prefix.
func object(e *Event) json.RawMessage {
	if obj := e.Object(); len(obj) > 0 {
		if firstNonSpace(obj) == '{' {
			return obj
		}
		return nil
	}
	if e.Text || len(e.Raw) == 0 {
		return nil
	}
	i := bytes.IndexByte(e.Raw, '{')
	if i <= 0 || i > 512 {
		return nil
	}
	obj := bytes.TrimRight(e.Raw[i:], " \t\r\n")
	if !json.Valid(obj) {
		return nil
	}
	return json.RawMessage(obj)
}

func sourceOf(e *Event) string {
	if e.Source == "" && e.Line == 0 {
		return ""
	}
	return e.Source + ":" + strconv.FormatInt(e.Line, 10)
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// rootIndex picks the request's root error (see rootWith).
func rootIndex(evs []Event) int {
	g := buildCallGraph(evs)
	return rootWith(evs, g, clockOffsets(evs, g))
}

// rootWith picks the request's root error: the deepest failure of the call
// chain when the lines say who called whom (rootByChain), else by time
// (rootByTime). -1 when the request has no error event.
func rootWith(evs []Event, g *callGraph, offsets []ClockOffset) int {
	var cands []int
	for i := range evs {
		if evs[i].IsError {
			cands = append(cands, i)
		}
	}
	if ri, ok := rootByChain(evs, cands, g, offsets); ok {
		return ri
	}
	return rootByTime(evs)
}

// rootByTime picks the request's root error: the earliest error event that
// carries a stack trace or an error message (the downstream failure, logged
// before the upstream services that wrap it); failing that, the earliest
// error event. -1 when the request has no error event.
//
// Services log times at different precisions (pino whole milliseconds, slog
// nanoseconds, some loggers whole seconds), so a wrapper can sort before the
// error it wraps when both fall in the same millisecond. When a later
// candidate from another service is within the coarser precision of the
// two, it is preferred if its service joined the request later (the request
// reaches downstream services after upstream ones) or if the current one
// reads as an upstream failure ("upstream orders returned 500", a 502); a
// candidate that itself reads as one never wins a tie.
func rootByTime(evs []Event) int {
	first, best := -1, -1
	var prec map[string]time.Duration
	var joined map[string]time.Time
	for i := range evs {
		e := &evs[i]
		if !e.IsError {
			continue
		}
		if first < 0 {
			first = i
		}
		if e.Stack == "" && e.Error == "" && e.ErrorType == "" {
			continue
		}
		if best < 0 {
			best = i
			prec, joined = servicePrecision(evs), serviceEntry(evs)
			continue
		}
		b := &evs[best]
		if e.Service == b.Service {
			continue
		}
		// b's logged time was rounded down to its precision, so it may
		// have happened after e unless e is at least that much later.
		if e.Time.Sub(b.Time) < prec[b.Service] && !wrapsUpstream(e) && (joined[e.Service].After(joined[b.Service]) || wrapsUpstream(b)) {
			best = i
		}
	}
	if best >= 0 {
		return best
	}
	return first
}

// wrapsUpstream reports whether an error event reads as an upstream
// failure reported by a caller ("upstream orders returned 500", a 502).
func wrapsUpstream(e *Event) bool {
	return e.Status == 502 || e.Status == 503 || e.Status == 504 ||
		dependencyKind(e.ErrorType, errorMessage(e), "") == "upstream 5xx"
}

// servicePrecision is, per service, the unit its events' times in the
// request were rounded to: a second, a millisecond, a microsecond or a
// nanosecond, judged by the finest digits any of its events shows.
func servicePrecision(evs []Event) map[string]time.Duration {
	p := map[string]time.Duration{}
	for i := range evs {
		ns := evs[i].Time.Nanosecond()
		d := time.Second
		switch {
		case ns%int(time.Microsecond) != 0:
			d = time.Nanosecond
		case ns%int(time.Millisecond) != 0:
			d = time.Microsecond
		case ns != 0:
			d = time.Millisecond
		}
		if cur, ok := p[evs[i].Service]; !ok || d < cur {
			p[evs[i].Service] = d
		}
	}
	return p
}

// serviceEntry is the time each service first logged the request.
func serviceEntry(evs []Event) map[string]time.Time {
	m := map[string]time.Time{}
	for i := range evs {
		if _, ok := m[evs[i].Service]; !ok {
			m[evs[i].Service] = evs[i].Time
		}
	}
	return m
}

// rootError describes evs[ri], with the error events logged after it, or
// by a service that calls its service, as the chain of wrappers.
func rootError(evs []Event, ri int, g *callGraph, matched func(int) string) *RootError {
	e := &evs[ri]
	re := &RootError{
		Fingerprint: e.Fingerprint, Type: e.ErrorType, Message: trimTypePrefix(errorMessage(e), e.ErrorType), Stack: e.Stack,
		Service: e.Service, Route: e.Route, Time: e.Time, Source: sourceOf(e),
	}
	if re.Route == "" {
		re.Route = requestRoute(evs, e.Service)
	}
	prec := servicePrecision(evs)
	for i := range evs {
		// The chain: the error events logged after the root, and any that
		// sort before it only because their logger rounds time more coarsely
		// (passed over by rootIndex's precision tie-break, so they wrap it).
		if evs[i].IsError && i != ri && (i > ri || tiedBefore(evs, i, ri, prec) || wrapsBefore(evs, i, ri, g)) {
			ce := reportEvent(&evs[i])
			ce.MatchedBy = matched(i)
			re.Chain = append(re.Chain, ce)
		}
	}
	return re
}

// wrapsBefore reports whether evs[i], sorted before the root evs[ri], is an
// error of a service that calls the root's service and reads as a report
// of that call (it names the service, or an upstream failure): a wrapper a
// skewed clock put first.
func wrapsBefore(evs []Event, i, ri int, g *callGraph) bool {
	e, root := &evs[i], &evs[ri]
	if !g.reaches(e.Service, root.Service) {
		return false
	}
	text := strings.ToLower(e.ErrorType + " " + errorMessage(e) + " " + e.Message)
	return wrapsUpstream(e) || mentions(text, strings.ToLower(root.Service))
}

// tiedBefore reports whether evs[i], sorted before the root evs[ri], is from
// another service and within its own time precision of the root: not an
// earlier, unrelated error event.
func tiedBefore(evs []Event, i, ri int, prec map[string]time.Duration) bool {
	return evs[ri].Time.Sub(evs[i].Time) < prec[evs[i].Service] && evs[i].Service != evs[ri].Service
}

// errorMessage is the error text of an event: its error field, else its
// message.
func errorMessage(e *Event) string {
	if e.Error != "" {
		return e.Error
	}
	return e.Message
}

// trimTypePrefix drops the exception type from the front of an error
// message that repeats it ("java.lang.NullPointerException: x" with type
// java.lang.NullPointerException is "x"), so that "type: message" does not
// name the type twice.
func trimTypePrefix(msg, typ string) string {
	if typ == "" {
		return msg
	}
	short := typ[strings.LastIndexAny(typ, ".:\\/")+1:]
	for _, p := range []string{typ, short} {
		if rest, ok := strings.CutPrefix(msg, p+": "); ok && p != "" {
			return rest
		}
	}
	return msg
}

// requestRoute is the route the request took in service (else anywhere),
// for a root error logged without one.
func requestRoute(evs []Event, service string) string {
	other := ""
	for i := range evs {
		if evs[i].Route == "" {
			continue
		}
		if evs[i].Service == service {
			return evs[i].Route
		}
		if other == "" {
			other = evs[i].Route
		}
	}
	return other
}

// hint explains an unknown request ID: the IDs that start with it (the user
// pasted a truncated ID), or with it in lowercase, or with its first half (a
// typo near the end), or what the index holds.
func (inv *Investigator) hint(ctx context.Context, id string) (string, error) {
	sp, err := inv.store.Span(ctx)
	if err != nil {
		return "", fmt.Errorf("span: %w", err)
	}
	if sp.Events == 0 {
		return "the index is empty: run culprit ingest first", nil
	}
	p, ids, err := inv.nearIDs(ctx, id)
	if err != nil {
		return "", err
	}
	if len(ids) > 0 {
		return fmt.Sprintf("no request %s; request IDs starting with %s: %s", id, p, strings.Join(ids, ", ")), nil
	}
	return fmt.Sprintf("no request %s among %s from %s to %s; check the ID, or ingest the logs that hold it",
		id, plural(sp.Events, "event"), fmtTime(sp.First), fmtTime(sp.Last)), nil
}

// nearIDs returns the request IDs near an unknown id: those starting with
// it, or with it in lowercase, or with its first half (a typo near the end),
// and the prefix that found them.
func (inv *Investigator) nearIDs(ctx context.Context, id string) (string, []string, error) {
	prefixes := []string{id}
	if lower := strings.ToLower(id); lower != id {
		prefixes = append(prefixes, lower) // IDs are usually lowercase hex
	}
	if n := len([]rune(id)); n >= 8 {
		prefixes = append(prefixes, string([]rune(id)[:n/2]))
	}
	for _, p := range prefixes {
		ids, err := inv.idsWithPrefix(ctx, p)
		if err != nil {
			return "", nil, err
		}
		if len(ids) > 0 {
			return p, ids, nil
		}
	}
	return "", nil, nil
}

// idsWithPrefix returns up to hintIDs distinct request IDs starting with p.
func (inv *Investigator) idsWithPrefix(ctx context.Context, p string) ([]string, error) {
	res, err := inv.store.Find(ctx, Filter{Query: "request_id:" + escapeQueryTerm(p) + "*"},
		FindOptions{Limit: 100, Order: NewestFirst})
	if err != nil {
		return nil, fmt.Errorf("request ids starting with %s: %w", p, err)
	}
	var ids []string
	seen := map[string]bool{}
	for i := range res.Events {
		rid := res.Events[i].RequestID
		if rid == "" || seen[rid] || !strings.HasPrefix(rid, p) {
			continue
		}
		seen[rid] = true
		ids = append(ids, rid)
		if len(ids) == hintIDs {
			break
		}
	}
	return ids, nil
}

// queryReserved are the characters the bleve query-string syntax reserves.
const queryReserved = "+-=&|><!(){}[]^\"~*?:\\/ "

// escapeQueryTerm escapes s for use as one term of a query string.
func escapeQueryTerm(s string) string {
	if !strings.ContainsAny(s, queryReserved) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(queryReserved, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// queryField is the query-string clause matching field exactly equal to
// value.
func queryField(field, value string) string {
	var b strings.Builder
	b.WriteString(field)
	b.WriteString(`:"`)
	for _, r := range value {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// fmtTime formats t as culprit prints times: RFC 3339 in UTC, with at least
// millisecond precision (more when t has it).
func fmtTime(t time.Time) string {
	t = t.UTC()
	ns := t.Nanosecond()
	switch {
	case ns%int(time.Millisecond) == 0:
		return t.Format("2006-01-02T15:04:05.000Z07:00")
	case ns%int(time.Microsecond) == 0:
		return t.Format("2006-01-02T15:04:05.000000Z07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000000Z07:00")
}

// How a request's event was matched to the pasted ID (ReportEvent.MatchedBy).
const (
	// MatchRequestID: the event's request id is the ID.
	MatchRequestID = "request_id"
	// MatchToken: no event has the ID as its request id; this one holds it
	// as a whole token in some value (a logger name "orders:<id>", a
	// task_uuid, a message).
	MatchToken = "token"
	// MatchWords: as MatchToken, but the ID's words are found in the line
	// only inside a longer token (no event holds the ID whole).
	MatchWords = "words"
)

// idLike reports whether id can be an identifier worth finding as a token
// in any value: at least 6 characters, one of them a digit, no white space
// (UUIDs, ULIDs, hex and numbered ids). A word such as "panic" is not; it is
// searched, not investigated.
func idLike(id string) bool {
	if len(id) < 6 || strings.ContainsAny(id, " \t\r\n") {
		return false
	}
	return strings.ContainsAny(id, "0123456789")
}

// tokenEvents reads the events whose line holds id as a search term (as
// `culprit search ID` does), oldest first, and says per event how: MatchToken
// when the line holds id as a whole token, else MatchWords. When some event
// holds id whole, those holding only its words are left out.
func (inv *Investigator) tokenEvents(ctx context.Context, id string) ([]Event, int, []string, error) {
	evs, total, err := inv.requestEvents(ctx, Filter{Query: escapeQueryTerm(id)}, id)
	if err != nil || len(evs) == 0 {
		return nil, 0, nil, err
	}
	how := make([]string, len(evs))
	whole := 0
	for i := range evs {
		how[i] = MatchWords
		if eventHasToken(&evs[i], id) {
			how[i] = MatchToken
			whole++
		}
	}
	if whole == 0 || whole == len(evs) {
		return evs, total, how, nil
	}
	kept, keptHow := evs[:0], how[:0]
	for i := range evs {
		if how[i] == MatchToken {
			kept, keptHow = append(kept, evs[i]), append(keptHow, MatchToken)
		}
	}
	return kept, total - (len(evs) - whole), keptHow, nil
}

// eventHasToken reports whether id occurs in the event's line (or, for an
// event without its line, its message, error or stack) as a whole token:
// not preceded or followed by a letter, digit, '-' or '_'.
func eventHasToken(e *Event, id string) bool {
	if len(e.Raw) > 0 {
		return hasToken(string(e.Raw), id)
	}
	for _, s := range []string{e.Message, e.Error, e.Stack, e.User, e.Service, e.Host} {
		if hasToken(s, id) {
			return true
		}
	}
	return false
}

func hasToken(s, id string) bool {
	for i := 0; i <= len(s)-len(id); {
		j := strings.Index(s[i:], id)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(id)
		if (j == 0 || !tokenByte(s[j-1])) && (end == len(s) || !tokenByte(s[end])) {
			return true
		}
		i = j + 1
	}
	return false
}

func tokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c >= 0x80
}

// requestEvents reads the events f selects, oldest first, a page at a time,
// up to MaxRequestEvents. It returns them and the total matched.
func (inv *Investigator) requestEvents(ctx context.Context, f Filter, id string) ([]Event, int, error) {
	var evs []Event
	total := 0
	for {
		res, err := inv.store.Find(ctx, f, FindOptions{Limit: requestPage, Offset: len(evs), Order: OldestFirst})
		if err != nil {
			return nil, 0, fmt.Errorf("request %s: %w", id, err)
		}
		total = res.Total
		evs = append(evs, res.Events...)
		if len(res.Events) == 0 || len(evs) >= total || len(evs) >= MaxRequestEvents {
			break
		}
	}
	if len(evs) > MaxRequestEvents {
		evs = evs[:MaxRequestEvents]
	}
	return evs, total, nil
}

// MatchTraceID: the event's trace id is the pasted ID (a trace id pasted
// from a tracing UI or a support tool).
const MatchTraceID = "trace_id"

// matchOf says how an event of an expanded request carries the pasted ID
// itself: as its request id, as its trace id, or not at all ("": it joined
// through another id of the request; LinkedBy says which).
func matchOf(e *Event, id string) string {
	switch {
	case e.RequestID == id:
		return MatchRequestID
	case e.TraceID != "" && (e.TraceID == id || strings.EqualFold(e.TraceID, id) ||
		len(id) == 32 && strings.EqualFold(e.TraceID, id[16:])):
		return MatchTraceID
	}
	return ""
}
