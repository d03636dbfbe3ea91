package tui

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/query/chart"
)

// paneID names the investigation panes, in focus order.
type paneID int

const (
	paneTimeline paneID = iota
	paneStack
	paneFirst
	paneDeploys
	paneBlast
	paneNext
	numPanes
)

var paneTitles = [numPanes]string{
	"Request timeline", "Stack trace", "First occurrence", "Deploys", "Blast radius", "Next steps & evidence",
}

// hscrollStep is how far ←/→ scroll a pane sideways.
const hscrollStep = 16

// wideLayout: two columns of panes from this width on.
const wideLayout = 110

// invModel is the investigation of one request.
type invModel struct {
	c             *common
	width, height int
	span          query.Span
	report        *query.Report
	focus         paneID
	off           [numPanes]int
	lines         [numPanes][]string // content, built for the current width
	targets       [numPanes][]target // what enter opens on each line; nil: nothing
	cur           [numPanes]int      // the cursor's line in panes with targets
	hoff          [numPanes]int      // horizontal scroll, in cells
	summary       [numPanes]string
	// openCount is the group's count when the investigation was opened;
	// the report is fetched again as data arrives (live.go), and the
	// difference is shown as new occurrences.
	openCount int
}

// targetKind is what a line of a pane opens.
type targetKind int

const (
	targetNone  targetKind = iota
	targetEvent            // a line of the request: the line view
	targetQuery            // a stack frame or a blast-radius row: explore
)

// target is what enter opens on one line of a pane.
type target struct {
	kind  targetKind
	event int    // index into Report.Events
	query string // explore query
	first bool   // where the cursor starts (the culprit frame)
	// oldest: explore oldest first (a frame's first occurrence on top).
	oldest bool
}

func newInvestigation(c *common, r *query.Report, span query.Span, w, h int) invModel {
	m := invModel{c: c, report: r, span: span, focus: paneTimeline}
	if r.Group != nil {
		m.openCount = r.Group.Count
	}
	if r.Error != nil {
		m.focus = paneStack
	}
	// Open the deploys pane on the suspect: on a small terminal it may be the
	// only deploy line shown.
	for i, d := range r.DeploysNearby {
		if d.Suspect {
			m.off[paneDeploys] = i
		}
	}
	m.setSize(w, h)
	return m
}

func (m *invModel) setSize(w, h int) {
	m.width, m.height = w, h
	m.build()
	vis := m.layout().vis
	for p := range numPanes {
		if c := m.cur[p]; c < 0 || c >= len(m.targets[p]) || m.targets[p][c].kind == targetNone {
			m.cur[p] = m.nextTarget(p, -1, 1)
			for i, t := range m.targets[p] {
				if t.first {
					m.cur[p] = i
					if i >= vis[p] { // bring the culprit frame into view, a little below the top
						m.off[p] = clampOffset(i-2, len(m.lines[p]), vis[p])
					}
					break
				}
			}
		}
	}
}

// nextTarget is the first line after (dir 1) or before (dir -1) line from
// that opens something, or from itself when there is none (-1 when the
// pane has no target at all).
func (m invModel) nextTarget(p paneID, from, dir int) int {
	ts := m.targets[p]
	for i := from + dir; i >= 0 && i < len(ts); i += dir {
		if ts[i].kind != targetNone {
			return i
		}
	}
	if from >= 0 && from < len(ts) && ts[from].kind != targetNone {
		return from
	}
	return -1
}

// cursorIntoView moves the focused pane's cursor onto a target among the
// lines a scroll left visible, if it is no longer among them.
func (m *invModel) cursorIntoView(vis int) {
	p := m.focus
	c, off := m.cur[p], m.off[p]
	if c < 0 || (c >= off && c < off+vis) {
		return
	}
	if c < off {
		if n := m.nextTarget(p, off-1, 1); n >= off && n < off+vis {
			m.cur[p] = n
		}
		return
	}
	if n := m.nextTarget(p, off+vis, -1); n >= off && n < off+vis {
		m.cur[p] = n
	}
}

// selected is the target under the focused pane's cursor.
func (m invModel) selected() (target, bool) {
	c := m.cur[m.focus]
	if c < 0 || c >= len(m.targets[m.focus]) {
		return target{}, false
	}
	t := m.targets[m.focus][c]
	return t, t.kind != targetNone
}

// moveCursor moves the focused pane's cursor by dir; it reports false when
// the pane has no further target that way (the caller scrolls instead).
func (m *invModel) moveCursor(dir, vis int) bool {
	p := m.focus
	if m.cur[p] < 0 {
		return false
	}
	n := m.nextTarget(p, m.cur[p], dir)
	if n == m.cur[p] {
		return false
	}
	m.cur[p] = n
	m.off[p] = clampOffset(follow(m.off[p], n, vis), len(m.lines[p]), vis)
	return true
}

// layout is where the panes go for the current size.
type invLayout struct {
	banner []string
	wide   bool
	colW   [numPanes]int // content width of each pane
	vis    [numPanes]int // visible content lines of each pane
	column [2][]paneID
}

func (m invModel) columns() (wide bool, left, right int) {
	if m.width >= wideLayout && m.height >= 20 {
		left = m.width * 55 / 100
		return true, left, m.width - left - 1
	}
	return false, m.width, m.width
}

func (m invModel) layout() invLayout {
	var l invLayout
	l.banner = m.bannerLines()
	wide, lw, rw := m.columns()
	l.wide = wide
	if wide {
		l.column = [2][]paneID{{paneTimeline, paneStack}, {paneFirst, paneDeploys, paneBlast, paneNext}}
	} else {
		l.column = [2][]paneID{{paneTimeline, paneStack, paneFirst, paneDeploys, paneBlast, paneNext}}
	}
	avail := m.height - 1 - len(l.banner) // header line
	for ci, col := range l.column {
		w := lw
		if ci == 1 {
			w = rw
		}
		wants := make([]int, len(col))
		focus := -1
		for i, p := range col {
			wants[i] = len(m.lines[p])
			l.colW[p] = w
			if p == m.focus {
				focus = i
			}
		}
		got := allocate(avail-len(col), wants, focus)
		for i, p := range col {
			l.vis[p] = got[i]
		}
	}
	return l
}

// contentWidth is the width pane content is built for.
func (m invModel) contentWidth(p paneID) int {
	wide, lw, rw := m.columns()
	if wide && p >= paneFirst {
		return rw - 1
	}
	if wide {
		return lw - 1
	}
	return m.width - 1
}

func (m invModel) update(msg tea.Msg) (invModel, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	k := m.c.keys
	r := m.report
	if !r.Found {
		if key.Matches(kp, k.Enter) {
			return m, openExplore(textQuery(r.RequestID))
		}
		return m, nil
	}
	vis := m.layout().vis[m.focus]
	n := len(m.lines[m.focus])
	off := &m.off[m.focus]
	switch {
	case key.Matches(kp, k.NextPane):
		m.focus = (m.focus + 1) % numPanes
	case key.Matches(kp, k.PrevPane):
		m.focus = (m.focus + numPanes - 1) % numPanes
	case key.Matches(kp, k.Down):
		if !m.moveCursor(1, vis) {
			*off = clampOffset(*off+1, n, vis)
		}
	case key.Matches(kp, k.Up):
		if !m.moveCursor(-1, vis) {
			*off = clampOffset(*off-1, n, vis)
		}
	case key.Matches(kp, k.Left):
		m.hscroll(-hscrollStep)
	case key.Matches(kp, k.Right):
		m.hscroll(hscrollStep)
	case key.Matches(kp, k.Enter):
		t, ok := m.selected()
		switch {
		case !ok:
			return m, statusCmd("nothing to open here: tab to the timeline, the stack trace or the blast radius", false)
		case t.kind == targetEvent:
			return m, openLine(r.Events[t.event])
		case t.oldest:
			return m, openExploreOldest(t.query)
		default:
			return m, openExplore(t.query)
		}
	case key.Matches(kp, k.Context):
		if t, ok := m.selected(); ok && t.kind == targetEvent {
			e := r.Events[t.event]
			return m, openContext(e.Service, hostOf(e.Fields), e.Time)
		}
		return m, statusCmd("c opens the context of a timeline line: tab to the timeline", false)
	case key.Matches(kp, k.PageDown):
		*off = clampOffset(*off+max(vis-1, 1), n, vis)
		m.cursorIntoView(vis)
	case key.Matches(kp, k.PageUp):
		*off = clampOffset(*off-max(vis-1, 1), n, vis)
		m.cursorIntoView(vis)
	case key.Matches(kp, k.Top):
		*off = 0
		m.cursorIntoView(vis)
	case key.Matches(kp, k.Bottom):
		*off = clampOffset(n, n, vis)
		m.cursorIntoView(vis)
	case key.Matches(kp, k.CopyID):
		return m, tea.Batch(tea.SetClipboard(r.RequestID), statusCmd("copied request id "+query.SanitizeLine(r.RequestID)+" to the clipboard (OSC 52)", false))
	case key.Matches(kp, k.CopyStack):
		if r.Error == nil {
			return m, statusCmd("no error to copy", true)
		}
		text := r.Error.CopyText()
		return m, tea.Batch(tea.SetClipboard(text), statusCmd(fmt.Sprintf("copied the error and its stack trace (%s) to the clipboard (OSC 52)", plural(strings.Count(text, "\n")+1, "line")), false))
	case key.Matches(kp, k.Compare):
		if r.Deploy == nil {
			return m, statusCmd("no suspect deploy to compare around", true)
		}
		return m, func() tea.Msg { return openCompareMsg{report: r} }
	case key.Matches(kp, k.Share):
		return m, shareCmd(m.c.ctx, m.c.b, r)
	case key.Matches(kp, k.Save):
		return m, saveCmd(m.c.ctx, m.c.b, r, m.c.saveDir)
	case key.Matches(kp, k.First):
		g := r.Group
		switch {
		case g == nil || g.FirstRequestID == "":
			return m, statusCmd("no first occurrence: this request has no error group", true)
		case g.FirstRequestID == r.RequestID:
			return m, statusCmd("this request is the first occurrence", false)
		}
		return m, openRequest(g.FirstRequestID, false)
	case key.Matches(kp, k.Explore):
		// From the timeline: this request's lines; elsewhere: every
		// occurrence of its error.
		if m.focus != paneTimeline && r.Error != nil && r.Error.Fingerprint != "" {
			return m, openExplore(fieldFilter("fingerprint", r.Error.Fingerprint))
		}
		return m, openExplore(fieldFilter("request_id", r.RequestID))
	}
	return m, nil
}

// build renders every pane's content for the current width.
func (m *invModel) build() {
	r := m.report
	if r == nil || !r.Found {
		return
	}
	// The timeline is built at its natural width: the pane cuts it to its
	// own and ←/→ scroll it sideways, so no message is lost to a column.
	m.lines[paneTimeline], m.targets[paneTimeline], m.summary[paneTimeline] = m.timeline(max(m.contentWidth(paneTimeline), naturalWidth))
	m.lines[paneStack], m.targets[paneStack], m.summary[paneStack] = m.stackPane(m.contentWidth(paneStack))
	m.lines[paneFirst], m.summary[paneFirst] = m.firstPane(m.contentWidth(paneFirst))
	m.lines[paneDeploys], m.summary[paneDeploys] = m.deploysPane(m.contentWidth(paneDeploys))
	m.lines[paneBlast], m.targets[paneBlast], m.summary[paneBlast] = m.blastPane(m.contentWidth(paneBlast))
	m.lines[paneNext], m.summary[paneNext] = m.nextPane(m.contentWidth(paneNext))
}

func (m invModel) view() []string {
	st := m.c.st
	r := m.report
	if !r.Found {
		return m.notFoundView()
	}
	l := m.layout()
	out := []string{m.headerLine()}
	out = append(out, l.banner...)
	var cols [2][]string
	for ci, col := range l.column {
		for _, p := range col {
			cols[ci] = append(cols[ci], m.paneView(p, l.colW[p], l.vis[p])...)
		}
	}
	if l.wide {
		_, lw, rw := m.columns()
		h := max(len(cols[0]), len(cols[1]))
		out = append(out, joinColumns(st.block(cols[0], lw, h), st.block(cols[1], rw, h), 1)...)
	} else {
		out = append(out, cols[0]...)
	}
	return out
}

// paneView draws a pane: its title rule and vis lines of content.
func (m invModel) paneView(p paneID, w, vis int) []string {
	st := m.c.st
	lines := m.lines[p]
	off := clampOffset(m.off[p], len(lines), vis)
	title := paneTitles[p]
	if s := m.summary[p]; s != "" {
		title += " " + st.G.Dot + " " + s
	}
	pos := ""
	if len(lines) > vis {
		pos = fmt.Sprintf("%d-%d/%d", off+1, min(off+vis, len(lines)), len(lines))
		if vis == 0 {
			pos = plural(len(lines), "line")
		}
	}
	style := st.Blurred
	if p == m.focus {
		title = st.G.Cursor + " " + title
		style = st.Focused
	}
	out := []string{st.rule(title, pos, w, style)}
	cur := -1
	if p == m.focus {
		cur = m.cur[p]
	}
	for i := off; i < min(off+vis, len(lines)); i++ {
		l := lines[i]
		if h := m.hoff[p]; h > 0 {
			l = ansi.Cut(l, h, ansi.StringWidth(l))
		}
		if i == cur {
			out = append(out, st.Selected.Render(st.fit(st.G.Cursor+ansi.Strip(l), w)))
			continue
		}
		out = append(out, st.trunc(" "+l, w))
	}
	return out
}

// naturalWidth is the width the timeline is built for: wide enough for
// any message a log line carries on one line.
const naturalWidth = 1000

// hscroll scrolls the focused pane sideways by n cells, within its widest
// line.
func (m *invModel) hscroll(n int) {
	p := m.focus
	widest := 0
	for _, l := range m.lines[p] {
		widest = max(widest, ansi.StringWidth(l))
	}
	w := m.layout().colW[p] - 1
	m.hoff[p] = max(0, min(m.hoff[p]+n, widest-w))
}

func (m invModel) headerLine() string {
	st := m.c.st
	r := m.report
	parts := []string{st.Bold.Render("Request " + query.SanitizeLine(r.RequestID))}
	if len(r.Services) > 0 {
		svcs := make([]string, len(r.Services))
		for i, s := range r.Services {
			svcs[i] = query.SanitizeLine(s)
		}
		parts = append(parts, strings.Join(svcs, " "+st.G.Arrow+" "))
	}
	parts = append(parts, plural(len(r.Events), "line"))
	if len(r.Events) > 0 {
		parts = append(parts, r.Events[0].Time.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return st.trunc(strings.Join(parts, "  "+st.G.Dot+"  "), m.width)
}

// bannerLines is the verdict: cause, summary and, when there is room, the
// first evidence.
func (m invModel) bannerLines() []string {
	st := m.c.st
	r := m.report
	w := m.width
	label, summary, cause := "NO ERROR", "This request logged no error event.", ""
	var evidence []string
	switch {
	case r.Verdict != nil:
		cause = r.Verdict.Cause
		label = strings.ToUpper(strings.ReplaceAll(cause, "-", " "))
		summary = query.SanitizeLine(r.Verdict.Summary)
		evidence = r.Verdict.Evidence
	case r.Error != nil:
		label, cause = "ERROR", query.CauseUnknown
		summary = query.SanitizeLine(r.Error.Type + ": " + r.Error.Message)
	}
	lbl := " " + label + " "
	maxSummary := 2
	if m.height >= 30 {
		maxSummary = 3
	}
	lw := len(lbl) + 1
	wrapped := wrap(summary, max(w-lw, 10))
	if len(wrapped) > maxSummary {
		wrapped = wrapped[:maxSummary]
		wrapped[maxSummary-1] = st.trunc(wrapped[maxSummary-1]+st.G.Ellipsis+st.G.Ellipsis, w-lw)
	}
	out := []string{st.cause(cause).Render(lbl) + " " + st.Bold.Render(wrapped[0])}
	for _, l := range wrapped[1:] {
		out = append(out, strings.Repeat(" ", lw)+st.Bold.Render(l))
	}
	if n := bannerEvidence(m.height); n > 0 {
		for _, e := range evidence[:min(n, len(evidence))] {
			out = append(out, st.trunc(strings.Repeat(" ", lw)+st.G.Bullet+" "+query.SanitizeLine(trimStamps(e)), w))
		}
	}
	return out
}

// bannerEvidence is how many evidence lines the banner shows at a height.
func bannerEvidence(h int) int {
	switch {
	case h >= 40:
		return 3
	case h >= 30:
		return 2
	default:
		return 0
	}
}

func (m invModel) notFoundView() []string {
	st := m.c.st
	r := m.report
	w := m.width
	out := []string{
		st.CauseUnknown.Render(" NOT FOUND ") + " " + st.Bold.Render(st.trunc("No log line carries request ID "+query.SanitizeLine(r.RequestID), w-12)),
		"",
	}
	if r.Hint != "" {
		for _, l := range strings.Split(query.Sanitize(r.Hint), "\n") {
			out = append(out, wrap(expandTabs(l), w)...)
		}
		out = append(out, "")
	}
	if m.span.Events > 0 {
		out = append(out, wrap(fmt.Sprintf("The index holds %s events from %s to %s UTC.", count(m.span.Events),
			m.span.First.UTC().Format("2006-01-02 15:04:05"), m.span.Last.UTC().Format("2006-01-02 15:04:05")), w)...)
	} else {
		out = append(out, "The index is empty: run `culprit ingest --deploys deploys.json logs/` first.")
	}
	out = append(out,
		wrap("Check the ID (a prefix is enough to find the nearest ones above), and that the logs of the time it failed were ingested.", w)...)
	out = append(out, "",
		st.Key.Render("enter")+" search the logs for this text   "+st.Key.Render("esc")+" back")
	return out
}

// timeline: one line per event of the request, across services.
func (m invModel) timeline(w int) ([]string, []target, string) {
	st := m.c.st
	r := m.report
	svcW := 4
	for _, e := range r.Events {
		svcW = max(svcW, len(e.Service))
	}
	svcW = min(svcW, 12)
	rootSrc := ""
	if r.Error != nil {
		rootSrc = r.Error.Source
	}
	withDate := len(r.Events) > 0 && multiDay(r.Events[0].Time, r.Events[len(r.Events)-1].Time)
	out := make([]string, 0, len(r.Events))
	targets := make([]target, 0, len(r.Events)+1)
	for i, e := range r.Events {
		targets = append(targets, target{kind: targetEvent, event: i})
		mark := " "
		if rootSrc != "" && e.Source == rootSrc {
			mark = st.G.Root
		}
		status := "   "
		if e.Status != 0 {
			status = fmt.Sprintf("%3d", e.Status)
		}
		text := eventText(e.Message, e.Method, e.Path)
		lvl := strings.ToUpper(e.Level)
		if lvl == "" {
			lvl = "-"
		}
		head := mark + " " + clock(e.Time, withDate) + " " + st.fit(query.SanitizeLine(e.Service), svcW) + " "
		lvlCell := st.level(e.Level).Render(st.fit(lvl, 5))
		statusCell := status
		if e.Status >= 500 {
			statusCell = st.Error.Render(status)
		}
		rest := st.trunc(text, max(w-ansi.StringWidth(head)-5-1-3-1, 0))
		if e.IsError {
			rest = st.Error.Render(rest)
		}
		line := head + lvlCell + " " + statusCell + " " + rest
		if mark != " " {
			line = st.StackHeader.Render(mark) + line[len(mark):]
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		out = append(out, st.Subtle.Render("no lines"))
	}
	sum := plural(len(r.Events), "line") + ", " + plural(len(r.Services), "service")
	if r.EventsTotal > len(r.Events) {
		more := fmt.Sprintf("%s more lines not shown: e (here) explores them all", count(r.EventsTotal-len(r.Events)))
		out = append(out, st.Subtle.Render(st.trunc(more, w)))
		sum = fmt.Sprintf("%s of %s lines, %s", count(len(r.Events)), count(r.EventsTotal), plural(len(r.Services), "service"))
	}
	return out, targets, sum
}

// eventText is what a timeline or results row says about an event.
func eventText(msg, method, path string) string {
	text := query.SanitizeLine(msg)
	if path != "" && !strings.Contains(msg, path) {
		req := strings.TrimSpace(query.SanitizeLine(method + " " + path))
		if text == "" {
			return req
		}
		return text + "  " + req
	}
	return text
}

// stackPane: the root error and its stack trace, in-app frames
// highlighted, then the wrappers logged upstream.
func (m invModel) stackPane(w int) ([]string, []target, string) {
	st := m.c.st
	e := m.report.Error
	if e == nil {
		return []string{st.OK.Render("No error event in this request.")}, nil, "no error"
	}
	head := query.SanitizeLine(e.Message)
	if e.Type != "" {
		head = query.SanitizeLine(e.Type) + ": " + head
	}
	var out []string
	for _, l := range wrap(head, w) {
		out = append(out, st.StackHeader.Render(l))
	}
	where := []string{}
	for _, s := range []string{e.Service, e.Route, e.Source} {
		if s != "" {
			where = append(where, query.SanitizeLine(s))
		}
	}
	where = append(where, e.Time.UTC().Format("15:04:05.000"))
	out = append(out, st.Subtle.Render(st.trunc("in "+strings.Join(where, " "+st.G.Dot+" "), naturalWidth)))
	// One model of stacks: the lines, their kinds and the culprit frame
	// come from query (ingest/stack), as in the CLI's reports.
	frames := query.StackLines(e.Stack)
	if c := e.Culprit(); c != nil {
		out = append(out, st.Subtle.Render("at ")+st.StackApp.Render(st.trunc(query.SanitizeLine(c.Text), w-3)))
	}
	if len(frames) == 0 {
		out = append(out, st.Subtle.Render("no stack trace was logged with this error"))
	} else {
		out = append(out, "")
	}
	nFrames, app := 0, 0
	targets := make([]target, len(out), len(out)+len(frames))
	for _, f := range frames {
		if q := query.FrameQuery(f.Text); q != "" && f.Kind != query.StackHeader {
			targets = append(targets, target{kind: targetQuery, query: q, first: f.Culprit && f.Frame, oldest: true})
		} else {
			targets = append(targets, target{})
		}
		text := st.trunc(expandTabs(query.Sanitize(f.Text)), naturalWidth) // the pane cuts it; ←/→ scroll
		if f.Frame {
			nFrames++
			if f.Kind == query.StackApp {
				app++
			}
		}
		switch f.Kind {
		case query.StackApp:
			out = append(out, st.StackApp.Render(text))
		case query.StackLib:
			out = append(out, st.StackLib.Render(text))
		default:
			out = append(out, st.Bold.Render(text))
		}
	}
	if len(e.Chain) > 0 {
		out = append(out, "", st.Subtle.Render("Logged upstream after it:"))
		for _, c := range e.Chain {
			out = append(out, st.trunc(fmt.Sprintf("  %s %s  %s", clock(c.Time, false), query.SanitizeLine(c.Service), eventText(c.Message, c.Method, c.Path)), w))
		}
	}
	sum := query.SanitizeLine(e.Type)
	if sum == "" {
		sum = query.SanitizeLine(e.Service)
	}
	if nFrames > 0 {
		sum += fmt.Sprintf(" %s %s, %d in-app", st.G.Dot, plural(nFrames, "frame"), app)
	}
	return out, targets, strings.TrimSpace(sum)
}

// firstPane: when the error first appeared, in which request, how often.
func (m invModel) firstPane(w int) ([]string, string) {
	st := m.c.st
	g := m.report.Group
	if g == nil {
		return []string{st.Subtle.Render("No error group: the request did not fail.")}, ""
	}
	// "ago" counts from the newest ingested event: the logs are often
	// yesterday's, and "31h ago" says nothing about the incident.
	now := m.c.now()
	if !m.span.Last.IsZero() {
		now = m.span.Last
	}
	const lw = 12
	row := func(label, v string) string { return st.Subtle.Render(st.fit(label, lw)) + v }
	req := query.SanitizeLine(g.FirstRequestID)
	if g.FirstRequestID == m.report.RequestID {
		req += st.Subtle.Render("  (this request)")
	} else {
		req += "  " + st.Key.Render("f") + st.Subtle.Render(" open it")
	}
	out := []string{
		row("first seen", g.FirstSeen.UTC().Format("2006-01-02 15:04:05.000")+st.Subtle.Render(" UTC, "+ago(g.FirstSeen, now))),
		row("request", req),
		row("last seen", g.LastSeen.UTC().Format("2006-01-02 15:04:05.000")+st.Subtle.Render(" UTC, "+ago(g.LastSeen, now))),
		row("count", fmt.Sprintf("%s events in %s requests", count(g.Count), count(g.Requests))),
	}
	news := ""
	if n := m.newSince(); n > 0 {
		out = append(out, row("", st.Selected.Render(plural(n, "new occurrence")+" since you opened it")))
		news = fmt.Sprintf(" %s %s new", st.G.Dot, count(n))
	}
	if len(g.Histogram) > 0 {
		sw := max(w-lw, 4)
		counts := bucketCounts(g.Histogram)
		spark := chart.Sparkline(counts, sw, st.G.Chart)
		if d := m.report.Deploy; d != nil {
			if c, ok := histColumn(g.Histogram, d.Time, sw); ok {
				marks := strings.Repeat(" ", c) + st.G.Marker + " " + asciiLabel(strings.TrimSpace(d.Service+" "+d.Version))
				out = append(out, row("", st.Marker.Render(st.trunc(marks, sw))))
			}
		}
		out = append(out, row("trend", st.Spark.Render(spark)))
		out = append(out, row("", st.Subtle.Render(st.trunc(fmt.Sprintf("%s %s %s UTC",
			g.Histogram[0].Start.UTC().Format("15:04"), st.G.Arrow, g.LastSeen.UTC().Format("15:04")), sw))))
	}
	out = append(out, row("fingerprint", st.Subtle.Render(st.trunc(query.SanitizeLine(g.Fingerprint), max(w-lw, 1)))))
	return out, fmt.Sprintf("%s, %s%s in %s requests%s", clock(g.FirstSeen, false)[:8], count(g.Count), timesSign(st), count(g.Requests), news)
}

// newSince is how many occurrences of the group arrived since the
// investigation was opened.
func (m invModel) newSince() int {
	if g := m.report.Group; g != nil && g.Count > m.openCount {
		return g.Count - m.openCount
	}
	return 0
}

// refreshed takes the report fetched again for the same request: the
// panes show its figures, the focus, cursors and scroll stay.
func (m invModel) refreshed(r *query.Report) invModel {
	if r == nil || !r.Found || m.report == nil || r.RequestID != m.report.RequestID {
		return m
	}
	m.report = r
	m.setSize(m.width, m.height)
	return m
}

func timesSign(st *styles) string {
	if st.G.Rule == "-" {
		return "x"
	}
	return "×"
}

// histColumn is the sparkline cell (of a sparkline resampled to w cells)
// that holds t, if t falls inside the histogram.
func histColumn(h []query.TimeBucket, t time.Time, w int) (int, bool) {
	if len(h) == 0 || t.Before(h[0].Start) {
		return 0, false
	}
	bw := time.Minute
	if len(h) > 1 {
		bw = h[1].Start.Sub(h[0].Start)
	}
	if bw <= 0 {
		return 0, false
	}
	i := int(t.Sub(h[0].Start) / bw)
	if i >= len(h) {
		return 0, false
	}
	per := 1
	if len(h) > w {
		per = (len(h) + w - 1) / w
	}
	return i / per, true
}

// deploysPane: deploys around the first occurrence, the suspect marked.
func (m invModel) deploysPane(w int) ([]string, string) {
	st := m.c.st
	r := m.report
	if r.Group == nil {
		return []string{st.Subtle.Render("No error, so no suspect deploy.")}, ""
	}
	ds := r.DeploysNearby
	if r.Deploy != nil {
		found := false
		for _, d := range ds {
			if d.Time.Equal(r.Deploy.Time) && d.Service == r.Deploy.Service && d.Version == r.Deploy.Version {
				found = true
			}
		}
		if !found {
			// Badged only if the verdict blames it (Suspect): the deploy
			// shown for context is the nearest one, not a suspect.
			ds = append([]query.DeployRef{*r.Deploy}, ds...)
		}
	}
	if len(ds) == 0 {
		return []string{st.Subtle.Render("No deploy near the first occurrence: nothing to roll back.")}, "none nearby"
	}
	const timeW, offW, tagW = 8, 7, 8
	whatW := 0
	for _, d := range ds {
		whatW = max(whatW, ansi.StringWidth(query.SanitizeLine(d.Service+" "+d.Version)))
	}
	whatW = min(whatW, 24)
	var out []string
	sum := "no suspect"
	for _, d := range ds {
		mark, tag := "  ", ""
		if d.Suspect {
			mark, tag = st.G.Suspect+" ", "SUSPECT"
			sum = fmt.Sprintf("suspect %s %s, %s", query.SanitizeLine(d.Service), query.SanitizeLine(d.Version), offset(d.OffsetSeconds))
		}
		what := strings.TrimSpace(query.SanitizeLine(d.Service) + " " + query.SanitizeLine(d.Version))
		when := clock(d.Time, false)[:8]
		if math.Abs(d.OffsetSeconds) >= 24*3600 {
			when = d.Time.UTC().Format("01-02") // a day or more away: the date says more than the hour
		}
		line := mark + st.fit(when, timeW) + " " + st.fitRight(offset(d.OffsetSeconds), offW) + "  " +
			st.fit(what, whatW) + " " + st.fit(tag, tagW) + " " + query.SanitizeLine(d.Commit) + " " + query.SanitizeLine(d.Author)
		if d.Environment != "" {
			line += " (" + query.SanitizeLine(d.Environment) + ")"
		}
		line = st.trunc(strings.TrimRight(line, " "), w)
		if d.Suspect {
			line = st.Suspect.Render(line)
		}
		out = append(out, line)
	}
	out = append(out, st.Subtle.Render(st.trunc("offsets are from the first occurrence; negative = before it", w)))
	return out, sum
}

// blastPane: who and what the failure hits, against all traffic.
func (m invModel) blastPane(w int) ([]string, []target, string) {
	st := m.c.st
	b := m.report.BlastRadius
	if b == nil {
		return []string{st.Subtle.Render("No error, so no blast radius.")}, nil, ""
	}
	var targets []target
	// Rows filter explore on the error's group and the row's value.
	fp := ""
	if m.report.Error != nil {
		fp = m.report.Error.Fingerprint
	}
	filterBy := func(field, value string) target {
		q := fieldFilter(field, value)
		if fp != "" {
			q = addClause(fieldFilter("fingerprint", fp), q)
		}
		return target{kind: targetQuery, query: q}
	}

	const lw = 12
	row := func(label, v string) string { return st.Subtle.Render(st.fit(label, lw)) + st.trunc(v, max(w-lw, 1)) }
	scope := strings.ReplaceAll(b.Scope, "-", " ")
	users := strings.ReplaceAll(b.UserScope, "-", " ")
	svcs := make([]string, len(b.Services))
	for i, s := range b.Services {
		svcs[i] = query.SanitizeLine(s)
	}
	out := []string{
		row("endpoints", fmt.Sprintf("%d of %d active endpoints (%s)", b.EndpointsAffected, b.EndpointsActive, scope)),
		row("users", fmt.Sprintf("%d of %d active users (%s)", b.UsersAffected, b.UsersActive, users)),
		row("services", strings.Join(svcs, ", ")),
	}
	pad := func() {
		for len(targets) < len(out) {
			targets = append(targets, target{})
		}
	}
	if !b.WindowStart.IsZero() {
		out = append(out, row("window", b.WindowStart.UTC().Format("15:04:05")+" "+st.G.Arrow+" "+b.WindowEnd.UTC().Format("15:04:05")+" UTC"))
	}
	labelW := min(max(w*2/5, 12), 36)
	barW := max(w-labelW-10, 4)
	type item = struct {
		field, value string
		n            int
	}
	bars := func(title string, items []item) {
		if len(items) == 0 {
			return
		}
		out = append(out, "", st.Bold.Render(title))
		hi := 0
		for _, it := range items {
			hi = max(hi, it.n)
		}
		for _, it := range items {
			pad()
			targets = append(targets, filterBy(it.field, it.value))
			out = append(out, " "+st.fit(query.SanitizeLine(it.value), labelW-1)+" "+st.Bar.Render(st.fit(chart.Bar(it.n, hi, barW, st.G.Chart), barW))+" "+count(it.n))
		}
	}
	var eps, us []item
	for _, e := range b.Endpoints {
		eps = append(eps, item{"route", e.Route, e.Count})
	}
	for i, u := range b.Users {
		if i == 8 {
			break
		}
		us = append(us, item{"user", u.User, u.Count})
	}
	bars("Failures by endpoint", eps)
	bars("Failures by user", us)
	if len(b.Outliers) > 0 {
		out = append(out, "", st.Bold.Render("Over-represented among the failures"))
		for _, o := range b.Outliers {
			pad()
			targets = append(targets, filterBy(o.Field, o.Value))
			out = append(out, st.trunc(fmt.Sprintf(" %s=%s  %s of failures vs %s of all requests",
				query.SanitizeLine(o.Field), query.SanitizeLine(o.Value), pct(o.FailureShare), pct(o.BaselineShare)), w))
		}
	}
	pad()
	return out, targets, fmt.Sprintf("%d/%d endpoints, %d/%d users", b.EndpointsAffected, b.EndpointsActive, b.UsersAffected, b.UsersActive)
}

// plural formats "1 line", "3 lines".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return count(n) + " " + what + "s"
}

func pct(f float64) string {
	return fmt.Sprintf("%.0f%%", f*100)
}

// nextPane: the verdict's evidence and next steps.
func (m invModel) nextPane(w int) ([]string, string) {
	st := m.c.st
	v := m.report.Verdict
	if v == nil {
		return []string{st.Subtle.Render("No verdict: the request did not fail.")}, ""
	}
	var out []string
	hang := func(prefix, text string) {
		pw := ansi.StringWidth(prefix)
		for i, l := range wrap(query.SanitizeLine(text), max(w-pw, 8)) {
			if i == 0 {
				out = append(out, prefix+l)
			} else {
				out = append(out, strings.Repeat(" ", pw)+l)
			}
		}
	}
	if len(v.NextSteps) > 0 {
		out = append(out, st.Bold.Render("Next steps"))
		for i, s := range v.NextSteps {
			hang(fmt.Sprintf("%d. ", i+1), s)
		}
	}
	if len(v.Evidence) > 0 {
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, st.Bold.Render("Evidence"))
		for _, e := range v.Evidence {
			hang(st.G.Bullet+" ", trimStamps(e))
		}
	}
	return out, causeLabel(v.Cause)
}

// stampFraction is the sub-millisecond part of an RFC 3339 time in prose.
var stampFraction = regexp.MustCompile(`(T\d{2}:\d{2}:\d{2}\.\d{3})\d+`)

// trimStamps cuts the RFC 3339 times in a verdict's evidence to the
// millisecond: nanoseconds are noise on a screen.
func trimStamps(s string) string {
	return stampFraction.ReplaceAllString(s, "$1")
}
