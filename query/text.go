package query

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/culprit-dev/culprit/query/chart"
)

// TextOptions control the text renderers.
type TextOptions struct {
	// Color adds ANSI colours and emphasis. The caller decides: a terminal,
	// and NO_COLOR unset.
	Color bool
	// Width is the terminal width in columns: one-line rows are truncated to
	// it and prose is wrapped to it. 0 or less means no truncation (output
	// to a pipe or a file); bars and sparklines are then laid out for 80.
	Width int
}

func (o TextOptions) layout() int {
	if o.Width <= 0 {
		return 80
	}
	return max(o.Width, 40)
}

// painter applies ANSI SGR styles when colour is on.
type painter struct{ on bool }

const (
	sgrBold    = "1"
	sgrDim     = "2"
	sgrRed     = "31"
	sgrGreen   = "32"
	sgrYellow  = "33"
	sgrBlue    = "34"
	sgrMagenta = "35"
	sgrCyan    = "36"
)

func (p painter) style(s string, codes ...string) string {
	if !p.on || s == "" || len(codes) == 0 {
		return s
	}
	return "\x1b[" + strings.Join(codes, ";") + "m" + s + "\x1b[0m"
}

func (p painter) head(s string) string { return p.style(s, sgrBold) }
func (p painter) dim(s string) string  { return p.style(s, sgrDim) }

func causeColor(cause string) []string {
	switch cause {
	case CauseDeployment:
		return []string{sgrBold, sgrRed}
	case CauseDependency:
		return []string{sgrBold, sgrMagenta}
	case CausePreExisting:
		return []string{sgrBold, sgrBlue}
	case CauseDataBug:
		return []string{sgrBold, sgrYellow}
	case CauseCodePath:
		return []string{sgrBold, sgrCyan}
	case CauseCrash, CauseMisconfiguration:
		return []string{sgrBold, sgrRed}
	}
	return []string{sgrBold}
}

func levelColor(level string) []string {
	switch levelRank[level] {
	case 6, 5:
		return []string{sgrRed}
	case 4:
		return []string{sgrYellow}
	case 1, 2:
		return []string{sgrDim}
	}
	return nil
}

// tw is a text writer that remembers the first error, so that renderers
// read as a sequence of lines.
type tw struct {
	w   *bufio.Writer
	err error
}

func (t *tw) line(s string) {
	if t.err != nil {
		return
	}
	if _, err := t.w.WriteString(s); err != nil {
		t.err = err
		return
	}
	if err := t.w.WriteByte('\n'); err != nil {
		t.err = err
	}
}

func (t *tw) flush() error {
	if t.err == nil {
		t.err = t.w.Flush()
	}
	if t.err != nil {
		return fmt.Errorf("write: %w", t.err)
	}
	return nil
}

// clock formats the time of day in UTC, to the millisecond.
func clock(t time.Time) string { return t.UTC().Format("15:04:05.000") }

// stamp formats a date and time in UTC, to the millisecond.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }

// shortStamp formats month, day and time of day in UTC, to the second.
func shortStamp(t time.Time) string { return t.UTC().Format("01-02 15:04:05") }

// signedDuration writes an offset in seconds with its sign: "-6 s", "+12 min".
func signedDuration(sec float64) string {
	switch {
	case sec < 0:
		return "-" + humanDuration(-sec)
	case sec > 0:
		return "+" + humanDuration(sec)
	}
	return "0 s"
}

// wrap breaks s into lines of at most w columns, the first prefixed with
// first and the rest with rest (same width). w <= 0 keeps one line.
func wrap(s string, w int, first, rest string) []string {
	if w <= 0 || width(first)+width(s) <= w {
		return []string{first + s}
	}
	avail := w - width(first)
	if avail < 10 {
		avail = 10
	}
	var lines []string
	cur, prefix := "", first
	for _, word := range strings.Fields(s) {
		for width(word) > avail { // a word longer than the line: cut it
			if cur != "" {
				lines = append(lines, prefix+cur)
				cur, prefix = "", rest
			}
			cut := truncateRaw(word, avail, true)
			lines = append(lines, prefix+cut)
			prefix = rest
			word = word[len(cut):]
		}
		switch {
		case cur == "":
			cur = word
		case width(cur)+1+width(word) <= avail:
			cur += " " + word
		default:
			lines = append(lines, prefix+cur)
			cur, prefix = word, rest
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, prefix+cur)
	}
	return lines
}

// fit truncates a one-line row to the width (if any).
func (o TextOptions) fit(s string) string { return truncate(s, o.Width) }

// cell pads s to a column of w; on a terminal it also truncates s to w,
// while piped output (Width 0) keeps the whole value, as promised for
// output that is not a terminal.
func (o TextOptions) cell(s string, w int) string {
	if o.Width <= 0 {
		if d := w - width(s); d > 0 {
			return s + strings.Repeat(" ", d)
		}
		return s
	}
	return pad(s, w)
}

// seg is a piece of a row and its style.
type seg struct {
	s     string
	codes []string
}

func plainSeg(s string) seg                { return seg{s: s} }
func styled(s string, codes ...string) seg { return seg{s, codes} }

// row joins segments into one line truncated to the width, measuring the
// text before styling it so that escape codes never count or get cut.
func (o TextOptions) row(p painter, segs ...seg) string {
	var b strings.Builder
	left := o.Width
	for _, sg := range segs {
		s := sg.s
		if o.Width > 0 {
			if left <= 0 {
				break
			}
			if w := width(s); w > left {
				s, left = truncate(s, left), 0
			} else {
				left -= w
			}
		}
		b.WriteString(p.style(s, sg.codes...))
	}
	return b.String()
}

// WriteReportText renders a Report for a human at 3 a.m.: the verdict first,
// then the request's timeline, the root error and its stack trace (in-app
// frames marked ▸), the first occurrence with a sparkline of the group
// (the suspect deploy marked ▼), the deploys around it, the blast radius,
// the evidence and the next steps. Every string from the logs is
// sanitised; rows are truncated to o.Width.
func WriteReportText(w io.Writer, r *Report, o TextOptions) error {
	t := &tw{w: bufio.NewWriter(w)}
	p := painter{o.Color}
	if r == nil {
		return fmt.Errorf("nil report")
	}
	if !r.Found {
		t.line(p.style("NOT FOUND", sgrBold, sgrYellow) + "  request " + SanitizeLine(r.RequestID))
		if r.Hint != "" {
			for _, l := range wrap(SanitizeLine(r.Hint), o.Width, "", "") {
				t.line(l)
			}
		}
		return t.flush()
	}
	writeVerdictHead(t, p, r, o)
	writeTimeline(t, p, r, o)
	if r.Error != nil {
		writeRootError(t, p, r.Error, o)
	}
	if r.Group != nil {
		writeGroup(t, p, r.Group, r.Deploy, o)
	}
	if r.Error != nil && r.Group != nil {
		writeDeployRefs(t, p, r.DeploysNearby, o)
	}
	if r.BlastRadius != nil {
		writeBlast(t, p, r.BlastRadius, o)
	}
	if r.Compare != nil {
		writeCompare(t, p, r.Compare, o)
	}
	if v := r.Verdict; v != nil {
		if len(v.Evidence) > 0 {
			t.line("")
			t.line(p.head("EVIDENCE"))
			for _, e := range v.Evidence {
				for _, l := range wrap(Sanitize(e), o.Width, "• ", "  ") {
					t.line(l)
				}
			}
		}
		if len(v.NextSteps) > 0 {
			t.line("")
			t.line(p.head("NEXT STEPS"))
			for i, s := range v.NextSteps {
				for _, l := range wrap(Sanitize(s), o.Width, strconv.Itoa(i+1)+". ", "   ") {
					t.line(l)
				}
			}
		}
	}
	return t.flush()
}

func writeVerdictHead(t *tw, p painter, r *Report, o TextOptions) {
	switch {
	case r.Verdict != nil:
		t.line(p.style(strings.ToUpper(strings.ReplaceAll(r.Verdict.Cause, "-", " ")), causeColor(r.Verdict.Cause)...))
		for _, l := range wrap(Sanitize(r.Verdict.Summary), o.Width, "", "") {
			t.line(p.head(l))
		}
	case r.Error == nil:
		t.line(p.style("NO ERROR", sgrBold, sgrGreen))
		t.line("The request logged no error event.")
	}
	t.line("")
	svcs := make([]string, len(r.Services))
	for i, s := range r.Services {
		svcs[i] = SanitizeLine(s)
	}
	head := fmt.Sprintf("Request %s: %s", SanitizeLine(r.RequestID), plural(len(r.Events), "event"))
	if r.EventsTotal > len(r.Events) {
		head = fmt.Sprintf("Request %s: first %d of %d events", SanitizeLine(r.RequestID), len(r.Events), r.EventsTotal)
	}
	if len(svcs) > 0 {
		head += " across " + strings.Join(svcs, ", ")
	}
	for _, l := range wrap(head, o.Width, "", "  ") {
		t.line(p.head(l))
	}
	if n := len(r.Events); n > 0 {
		a, b := r.Events[0].Time, r.Events[n-1].Time
		t.line(fmt.Sprintf("%s UTC → %s (%s)", stamp(a), clock(b), humanDuration(b.Sub(a).Seconds())))
		switch r.Events[0].MatchedBy {
		case MatchToken:
			t.line("No line has it as its request id: these lines hold it in a value (a logger name, a task id, a message).")
		case MatchWords:
			t.line("No line holds it whole: these lines hold its words.")
		}
	}
	if len(r.LinkedIDs) > 1 {
		var ids []string
		for _, l := range r.LinkedIDs[1:] {
			ids = append(ids, l.Via+" "+SanitizeLine(shortFP(l.ID)))
		}
		for _, l := range wrap("followed "+strings.Join(ids, ", "), o.Width, "", "  ") {
			t.line(p.dim(l))
		}
	}
	if r.Bound != "" {
		for _, l := range wrap("bounded: "+SanitizeLine(r.Bound), o.Width, "", "  ") {
			t.line(p.dim(l))
		}
	}
}

// eventRow is one line of a timeline or of search results.
func eventRow(p painter, when string, service, level string, status int, route, path, msg string, o TextOptions) string {
	st := ""
	if status > 0 {
		st = strconv.Itoa(status)
	}
	lv := strings.ToUpper(level)
	if lv == "" {
		lv = "-"
	}
	where := route
	if where == "" {
		where = path
	}
	rest := SanitizeLine(msg)
	if where != "" {
		rest = SanitizeLine(where) + "  " + rest
	}
	return o.row(p,
		plainSeg(when+" "+o.cell(SanitizeLine(service), 10)+" "),
		styled(pad(lv, 5), levelColor(level)...),
		plainSeg(" "+padLeft(st, 3)+" "+rest))
}

func writeTimeline(t *tw, p painter, r *Report, o TextOptions) {
	if len(r.Events) == 0 {
		return
	}
	t.line("")
	t.line(p.head("TIMELINE"))
	for _, e := range r.Events {
		t.line(eventRow(p, clock(e.Time), e.Service, e.Level, e.Status, e.Route, e.Path, withError(e.Message, e.Error), o))
	}
}

// withError appends an event's error text to its message unless the
// message already says it.
func withError(msg, errText string) string {
	if errText == "" || strings.Contains(msg, errText) {
		return msg
	}
	if msg == "" {
		return errText
	}
	return msg + ": " + errText
}

// maxLibRun is how many consecutive runtime/library lines of a stack trace
// are shown before the rest of the run is folded.
const maxLibRun = 4

func writeRootError(t *tw, p painter, e *RootError, o TextOptions) {
	t.line("")
	loc := []string{}
	for _, s := range []string{e.Service, e.Route, e.Source} {
		if s != "" {
			loc = append(loc, SanitizeLine(s))
		}
	}
	t.line(o.row(p, styled("ROOT ERROR", sgrBold), plainSeg("  "+strings.Join(loc, " · "))))
	msg := joinNonEmpty(": ", e.Type, e.Message)
	for _, l := range wrap(SanitizeLine(msg), o.Width, "", "  ") {
		t.line(p.style(l, sgrBold, sgrRed))
	}
	writeStack(t, p, e, o)
	if len(e.Chain) > 0 {
		t.line(p.dim("then, logged after it:"))
		for _, c := range e.Chain {
			t.line(eventRow(p, clock(c.Time), c.Service, c.Level, c.Status, c.Route, c.Path, withError(c.Message, c.Error), o))
		}
	}
}

func writeStack(t *tw, p painter, e *RootError, o TextOptions) {
	if strings.TrimSpace(e.Stack) == "" {
		return
	}
	if f := e.Culprit(); f != nil {
		t.line(o.row(p, plainSeg("at "), styled(SanitizeLine(f.Text), sgrBold)))
	}
	lines := StackLines(e.Stack)
	show := func(i int) {
		text := SanitizeLine(strings.ReplaceAll(lines[i].Text, "\t", "    "))
		switch lines[i].Kind {
		case StackApp:
			t.line(o.row(p, styled("▸ "+text, sgrBold)))
		case StackLib:
			t.line(o.row(p, styled("  "+text, sgrDim)))
		default:
			t.line(o.fit("  " + text))
		}
	}
	for i := 0; i < len(lines); {
		if lines[i].Kind != StackLib {
			show(i)
			i++
			continue
		}
		j := i
		for j < len(lines) && lines[j].Kind == StackLib {
			j++
		}
		if j-i <= maxLibRun+1 {
			for ; i < j; i++ {
				show(i)
			}
			continue
		}
		for k := i; k < i+maxLibRun; k++ {
			show(k)
		}
		t.line(p.dim(fmt.Sprintf("  … %d more runtime/library lines", j-i-maxLibRun)))
		i = j
	}
}

// sparkline draws a group's histogram, one cell per bucket.
func sparkline(hs []TimeBucket) string {
	counts := make([]int, len(hs))
	for i, h := range hs {
		counts[i] = h.Count
	}
	return chart.Sparkline(counts, len(counts), chart.Unicode)
}

func writeGroup(t *tw, p painter, g *Group, d *DeployRef, o TextOptions) {
	t.line("")
	t.line(o.row(p, styled("FIRST OCCURRENCE", sgrBold), styled("  fingerprint "+SanitizeLine(shortFP(g.Fingerprint)), sgrDim)))
	t.line(o.fit(fmt.Sprintf("first seen  %s UTC  request %s", stamp(g.FirstSeen), SanitizeLine(orDash(g.FirstRequestID)))))
	t.line(fmt.Sprintf("last seen   %s UTC", stamp(g.LastSeen)))
	t.line(fmt.Sprintf("seen        %s in %s", plural(g.Count, "time"), plural(g.Requests, "request")))
	hs := g.Histogram
	if len(hs) < 2 {
		return
	}
	step := hs[1].Start.Sub(hs[0].Start)
	end := hs[len(hs)-1].Start.Add(step)
	const indent = "  "
	if d != nil && step > 0 && !d.Time.Before(hs[0].Start) && d.Time.Before(end) {
		col := int(d.Time.Sub(hs[0].Start) / step)
		t.line(o.row(p, plainSeg(indent+strings.Repeat(" ", col)), styled("▼", sgrRed),
			plainSeg(" "+SanitizeLine(joinNonEmpty(" ", d.Service, d.Version))+" deployed")))
	} else if d != nil {
		what := "the nearest deploy"
		if d.Suspect {
			what = "the suspect deploy"
		}
		t.line(indent + p.dim("("+what+" is before the chart)"))
	}
	t.line(indent + p.style(sparkline(hs), sgrRed))
	left, right := shortStamp(hs[0].Start), shortStamp(end)
	gap := len(hs) - width(left) - width(right)
	if gap < 1 {
		t.line(p.dim(indent + left + " → " + right))
	} else {
		t.line(p.dim(indent + left + strings.Repeat(" ", gap) + right))
	}
	t.line(p.dim(fmt.Sprintf("%s%d bars of %s", indent, len(hs), humanDuration(step.Seconds()))))
}

func writeDeployRefs(t *tw, p painter, ds []DeployRef, o TextOptions) {
	t.line("")
	if len(ds) == 0 {
		t.line(p.head("DEPLOYS") + "  none near the first occurrence")
		return
	}
	t.line(p.head("DEPLOYS") + "  around the first occurrence")
	for _, d := range ds {
		mark := "  "
		if d.Suspect {
			mark = "▶ "
		}
		row := mark + shortStamp(d.Time) + "  " + o.cell(SanitizeLine(orDash(d.Service)), 12) + " " +
			o.cell(SanitizeLine(orDash(d.Version)), 10) + " " + o.cell(SanitizeLine(orDash(shortCommit(d.Commit))), 8) + " " +
			padLeft(signedDuration(d.OffsetSeconds), 12)
		if a := SanitizeLine(d.Author); a != "" {
			row += "  " + a
		}
		if len(d.Hosts) > 0 {
			row += "  on " + SanitizeLine(strings.Join(d.Hosts, ","))
		}
		if failedDeploy(&Deploy{Status: d.Status}) {
			row += "  (" + SanitizeLine(d.Status) + ": never ran)"
		}
		if d.Suspect {
			row += "  (suspect)"
		}
		if d.Suspect {
			t.line(o.row(p, styled(row, sgrBold, sgrRed)))
		} else {
			t.line(o.row(p, plainSeg(row)))
		}
	}
}

func shortCommit(c string) string {
	if len(c) > 8 {
		return c[:8]
	}
	return c
}

// maxBarRows is how many endpoints or users the blast radius draws.
const maxBarRows = 5

func writeBlast(t *tw, p painter, b *BlastRadius, o TextOptions) {
	t.line("")
	t.line(o.row(p, styled("BLAST RADIUS", sgrBold), plainSeg("  "+b.Scope+", "+b.UserScope)))
	t.line(o.fit(fmt.Sprintf("window     %s → %s UTC, failures against all traffic", shortStamp(b.WindowStart),
		b.WindowEnd.UTC().Format("15:04:05"))))
	lw := o.layout()
	label := min(30, lw/3)
	barW := max(lw-label-2-8-2, 5)
	barW = min(barW, 30)
	rows := func(names []string, counts []int, affected int) {
		peak := 0
		for _, c := range counts {
			peak = max(peak, c)
		}
		shown := min(len(names), maxBarRows)
		for i := range shown {
			t.line(o.row(p, plainSeg("  "+pad(SanitizeLine(names[i]), label)+" "),
				styled(pad(chart.Bar(counts[i], peak, barW, chart.Unicode), barW), sgrRed), plainSeg(" "+strconv.Itoa(counts[i]))))
		}
		if more := affected - shown; more > 0 {
			t.line(p.dim(fmt.Sprintf("  … and %d more", more)))
		}
	}
	t.line(fmt.Sprintf("endpoints  %d of %d active", b.EndpointsAffected, b.EndpointsActive))
	names, counts := []string{}, []int{}
	for _, e := range b.Endpoints {
		names, counts = append(names, e.Route), append(counts, e.Count)
	}
	rows(names, counts, b.EndpointsAffected)
	users := fmt.Sprintf("users      %d of %d active", b.UsersAffected, b.UsersActive)
	if b.UsersOnEndpoint > 0 {
		users += fmt.Sprintf(" (%d on the endpoint)", b.UsersOnEndpoint)
	}
	t.line(o.fit(users))
	names, counts = []string{}, []int{}
	for _, u := range b.Users {
		names, counts = append(names, u.User), append(counts, u.Count)
	}
	rows(names, counts, b.UsersAffected)
	if len(b.Services) > 0 {
		svcs := make([]string, len(b.Services))
		for i, s := range b.Services {
			svcs[i] = SanitizeLine(s)
		}
		t.line(o.fit("services   " + strings.Join(svcs, ", ")))
	}
	if len(b.Outliers) > 0 {
		t.line("outliers   over-represented among the failures:")
		for _, x := range b.Outliers {
			t.line(o.fit(fmt.Sprintf("  %-8s %s  %s of failures vs %s of traffic", x.Field,
				pad(SanitizeLine(x.Value), label), padLeft(percent(x.FailureShare), 4), percent(x.BaselineShare))))
		}
	}
}

// WriteErrorsText renders error groups as a table, two lines per group: the
// numbers, then the error (marked NEW when it first appeared after a deploy
// of its service).
func WriteErrorsText(w io.Writer, gs []ErrorGroup, o TextOptions) error {
	t := &tw{w: bufio.NewWriter(w)}
	p := painter{o.Color}
	if len(gs) == 0 {
		t.line("no error groups")
		return t.flush()
	}
	t.line(o.row(p, styled(fmt.Sprintf("%6s  %5s  %-14s  %-14s  %-10s  %s", "COUNT", "REQS", "FIRST SEEN", "LAST SEEN", "SERVICE", "CAUSE"), sgrBold)))
	for _, g := range gs {
		row := fmt.Sprintf("%6d  %5d  %-14s  %-14s  %s  ", g.Count, g.Requests, shortStamp(g.FirstSeen), shortStamp(g.LastSeen),
			o.cell(SanitizeLine(orDash(g.Service)), 10))
		t.line(o.row(p, plainSeg(row), styled(g.Cause, causeColor(g.Cause)...)))
		msg := SanitizeLine(joinNonEmpty(": ", g.Type, oneLine(g.Message, 500)))
		if msg == "" {
			msg = "(no message)"
		}
		switch {
		case g.WrapperOf != "":
			t.line(o.row(p, plainSeg("        "+msg)))
			what := "↳ reports downstream error " + g.WrapperOf
			if len(g.Wraps) > 1 {
				what = "↳ reports downstream errors " + strings.Join(g.Wraps, ", ")
			}
			t.line(o.row(p, plainSeg("        "), styled(SanitizeLine(what), sgrDim)))
		case g.New:
			t.line(o.row(p, plainSeg("        "), styled("NEW", sgrBold, sgrRed), plainSeg(" "+msg)))
		default:
			t.line(o.row(p, plainSeg("        "+msg)))
		}
	}
	return t.flush()
}

// WriteEventsText renders search results as a table: time, service, level,
// status, then route and message, one event per line.
func WriteEventsText(w io.Writer, evs []Event, o TextOptions) error {
	t := &tw{w: bufio.NewWriter(w)}
	p := painter{o.Color}
	if len(evs) == 0 {
		t.line("no events")
		return t.flush()
	}
	t.line(o.row(p, styled(fmt.Sprintf("%-18s %-10s %-5s %3s %s", "TIME (UTC)", "SERVICE", "LEVEL", "", "MESSAGE"), sgrBold)))
	for i := range evs {
		e := &evs[i]
		t.line(eventRow(p, e.Time.UTC().Format("01-02 15:04:05.000"), e.Service, e.Level, e.Status, e.Route, e.Path,
			withError(e.Message, joinNonEmpty(": ", e.ErrorType, e.Error)), o))
	}
	return t.flush()
}

// WriteDeploysText renders the deploy history as a table, oldest first.
func WriteDeploysText(w io.Writer, ds []Deploy, o TextOptions) error {
	t := &tw{w: bufio.NewWriter(w)}
	p := painter{o.Color}
	if len(ds) == 0 {
		t.line("no deploys")
		return t.flush()
	}
	t.line(o.row(p, styled(fmt.Sprintf("%-19s  %-12s %-10s %-8s  %-12s %s", "TIME (UTC)", "SERVICE", "VERSION", "COMMIT", "AUTHOR", "ENV"), sgrBold)))
	for _, d := range ds {
		t.line(o.fit(d.Time.UTC().Format("2006-01-02 15:04:05") + "  " + o.cell(SanitizeLine(orDash(d.Service)), 12) + " " +
			o.cell(SanitizeLine(orDash(d.Version)), 10) + " " + o.cell(SanitizeLine(orDash(shortCommit(d.Commit))), 8) + "  " +
			o.cell(SanitizeLine(orDash(d.Author)), 12) + " " + SanitizeLine(d.Environment)))
	}
	return t.flush()
}

// writeCompare writes the before/after comparison (request --compare): the
// same facts as the JSON "compare" block and the Markdown section.
func writeCompare(t *tw, p painter, c *DeployComparison, o TextOptions) {
	t.line("")
	t.line(p.head("BEFORE / AFTER") + "  " + SanitizeLine(c.Deploy.Service) + " " + SanitizeLine(c.Deploy.Version) +
		fmt.Sprintf(", %s either side of %s UTC, service %s", humanDuration(c.WindowSeconds), stamp(c.Deploy.Time), SanitizeLine(c.Service)))
	t.line(fmt.Sprintf("  %-12s %14s %14s", "", "before", "after"))
	t.line(fmt.Sprintf("  %-12s %14d %14d", "responses", c.Before.Responses, c.After.Responses))
	t.line(fmt.Sprintf("  %-12s %13.1f%% %13.1f%%", "5xx rate", c.Before.ErrorRate*100, c.After.ErrorRate*100))
	t.line(fmt.Sprintf("  %-12s %14d %14d", "this error", c.Before.Occurrences, c.After.Occurrences))
	t.line(fmt.Sprintf("  %-12s %14s %14s", "p50/p95 ms", fmt.Sprintf("%.0f/%.0f", c.Before.P50MS, c.Before.P95MS), fmt.Sprintf("%.0f/%.0f", c.After.P50MS, c.After.P95MS)))
	for _, by := range []struct {
		name string
		rows []CompareRow
	}{{"version", c.ByVersion}, {"host", c.ByHost}} {
		for _, r := range by.rows {
			if r.Outlier {
				for _, l := range wrap(fmt.Sprintf("%s %s stands out: %.1f%% 5xx (%d of %d)", by.name, SanitizeLine(r.Value), r.ErrorRate*100, r.Errors, r.Responses), o.Width, "• ", "  ") {
					t.line(l)
				}
			}
		}
	}
	if l := c.Later; l != nil {
		what, verdict := "a later deploy", "the error continued"
		if l.Rollback {
			what = "the rollback"
		}
		if l.Stopped {
			verdict = "the error stopped"
		}
		for _, ln := range wrap(fmt.Sprintf("%s to %s at %s UTC: %s before, %d after: %s", what, SanitizeLine(l.Deploy.Version), stamp(l.Deploy.Time), plural(l.Before, "occurrence"), l.After, verdict), o.Width, "• ", "  ") {
			t.line(ln)
		}
	}
}
