package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/query/chart"
	"github.com/culprit-dev/culprit/tui/components/input"
)

// homeModel is the first screen: an input for a request ID or a query, the
// error histogram over the ingested window, and the top error groups.
type homeModel struct {
	c             *common
	width, height int
	input         input.Model
	listFocus     bool

	span      query.Span
	spanKnown bool
	spanErr   error
	deploys   []query.Deploy

	groupsSeq   int
	groups      []query.ErrorGroup
	groupsKnown bool
	groupsErr   error
	sparks      map[string][]int // sparklines fetched for groups that came without one
	sparksAsked bool
	sel, top    int

	histSeq   int
	hist      []query.TimeBucket
	stale     bool // groups not refreshed since the index last moved (live.go)
	histWidth int  // width the histogram was asked for (0: not asked)
	histErr   error
}

func newHome(c *common) homeModel {
	in := input.New()
	in.Prompt = c.st.G.Cursor + " "
	in.Placeholder = "paste a request ID, or search: status:>=500 timeout"
	in.Styles = c.st.Input
	in.Focus()
	return homeModel{c: c, input: in, groupsSeq: 1}
}

func (m homeModel) init() tea.Cmd {
	return groupsCmd(m.c.ctx, m.c.b, m.groupsSeq)
}

func (m *homeModel) setSize(w, h int) {
	m.width, m.height = w, h
	m.input.SetWidth(w - 1)
}

// typing reports whether keys go to the input (not when the index is empty:
// there is nothing to search, and q must quit).
func (m homeModel) typing() bool { return !m.listFocus && !m.empty() }

// empty reports an index with nothing ingested.
func (m homeModel) empty() bool { return m.spanKnown && m.span.Events == 0 }

func (m homeModel) update(msg tea.Msg) (homeModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case spanMsg:
		m.span, m.spanErr, m.spanKnown = msg.span, msg.err, msg.err == nil
		return m, tea.Batch(m.histCmd(), m.sparkCmds())
	case deploysMsg:
		if msg.err == nil {
			m.deploys = msg.deploys
		}
	case groupsMsg:
		if msg.seq != m.groupsSeq {
			return m, nil
		}
		m.groups, m.groupsErr, m.groupsKnown = rankGroups(msg.groups), msg.err, true
		m.sel = min(m.sel, max(len(m.groups)-1, 0))
		return m, m.sparkCmds()
	case groupHistMsg:
		if msg.seq != m.groupsSeq {
			return m, nil
		}
		sparks := make(map[string][]int, len(m.sparks)+1)
		for k, v := range m.sparks {
			sparks[k] = v
		}
		sparks[msg.fingerprint] = bucketCounts(msg.buckets)
		m.sparks = sparks
	case homeHistMsg:
		if msg.seq != m.histSeq {
			return m, nil
		}
		m.hist, m.histErr = msg.buckets, msg.err
	case tea.PasteMsg:
		if m.empty() {
			return m, nil
		}
		text := oneLine(msg.Content)
		m.listFocus = false
		m.input.Focus()
		if id, ok := query.RecognizeRequestID(text); ok {
			m.input.SetValue(id.ID)
			return m, openRequest(id.ID, true)
		}
		m.input.SetValue(text)
	case tea.KeyPressMsg:
		if m.empty() {
			return m, nil
		}
		if m.typing() {
			switch {
			case key.Matches(msg, k.Enter):
				return m, m.submit()
			case key.Matches(msg, k.ArrowDown), key.Matches(msg, k.NextPane):
				if len(m.groups) > 0 {
					m.listFocus = true
					m.input.Blur()
				}
			default:
				m.input, _ = m.input.Update(msg)
			}
			return m, nil
		}
		rows := m.listRows()
		switch {
		case key.Matches(msg, k.Up):
			if m.sel == 0 {
				m.listFocus = false
				m.input.Focus()
			} else {
				m.sel--
			}
		case key.Matches(msg, k.Down):
			m.sel = min(m.sel+1, len(m.groups)-1)
		case key.Matches(msg, k.PageUp):
			m.sel = max(m.sel-max(rows, 1), 0)
		case key.Matches(msg, k.PageDown):
			m.sel = min(m.sel+max(rows, 1), len(m.groups)-1)
		case key.Matches(msg, k.Top):
			m.sel = 0
		case key.Matches(msg, k.Bottom):
			m.sel = len(m.groups) - 1
		case key.Matches(msg, k.Input), key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
			m.listFocus = false
			m.input.Focus()
		case key.Matches(msg, k.Enter):
			if g, ok := m.selected(); ok && g.FirstRequestID != "" {
				return m, openRequest(g.FirstRequestID, false)
			}
		case key.Matches(msg, k.Explore):
			if g, ok := m.selected(); ok {
				return m, openExplore(fieldFilter("fingerprint", g.Fingerprint))
			}
		}
		m.sel = max(m.sel, 0)
		m.top = follow(m.top, m.sel, m.listRows())
	}
	return m, nil
}

func (m homeModel) selected() (query.ErrorGroup, bool) {
	if m.sel < 0 || m.sel >= len(m.groups) {
		return query.ErrorGroup{}, false
	}
	return m.groups[m.sel], true
}

// submit decides what the input is (query.RecognizeRequestID): a request
// ID, bare or inside a header, key=value, JSON or URL, is investigated
// (and searched as text if the index does not know it); anything else
// opens the explore screen on the text as typed, quotes and parentheses
// included.
func (m homeModel) submit() tea.Cmd {
	s := strings.TrimSpace(m.input.Value())
	if s == "" {
		return statusCmd("paste a request ID, or type a search query", false)
	}
	if id, ok := query.RecognizeRequestID(s); ok {
		return openRequest(id.ID, true)
	}
	return openExplore(s)
}

// oneLine is pasted text on one line: trimmed, line breaks and tabs made
// spaces (the input is one line).
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s))
}

func openRequest(id string, search bool) tea.Cmd {
	return func() tea.Msg { return openRequestMsg{id: id, search: search} }
}

func openLine(ev query.ReportEvent) tea.Cmd {
	return func() tea.Msg { return openLineMsg{ev: ev} }
}

// openExploreOldest opens explore on q, oldest line first.
func openExploreOldest(q string) tea.Cmd {
	return func() tea.Msg { return openExploreMsg{query: q, oldest: true} }
}

func openExplore(q string) tea.Cmd {
	return func() tea.Msg { return openExploreMsg{query: q} }
}

// openContext opens explore on the lines of service (and host, if known)
// within contextWindow of t.
func openContext(service, host string, t time.Time) tea.Cmd {
	return func() tea.Msg {
		return openExploreMsg{query: contextAround(service, host, t), until: t.Add(contextWindow)}
	}
}

// chartRows is the height of the error histogram for a body height.
func chartRows(h int) int {
	switch {
	case h >= 34:
		return 6
	case h >= 26:
		return 4
	case h >= 14:
		return 2
	default:
		return 0
	}
}

// histCmd asks for the error histogram when the span is known and the
// chart width changed.
func (m *homeModel) histCmd() tea.Cmd {
	w := m.width - 2
	if !m.spanKnown || m.span.Events == 0 || w < 10 || w == m.histWidth {
		return nil
	}
	m.histWidth = w
	m.histSeq++
	return homeHistCmd(m.c.ctx, m.c.b, m.histSeq, m.span, w)
}

// sparkCmds fetches sparklines for groups that came without a histogram.
func (m *homeModel) sparkCmds() tea.Cmd {
	if !m.spanKnown || !m.groupsKnown || m.sparksAsked || m.span.Events == 0 {
		return nil
	}
	m.sparksAsked = true
	from, to := spanBounds(m.span)
	var cmds []tea.Cmd
	for _, g := range m.groups {
		if len(g.Histogram) == 0 && g.Fingerprint != "" {
			cmds = append(cmds, groupHistCmd(m.c.ctx, m.c.b, m.groupsSeq, g.Fingerprint, from, to, 24))
		}
	}
	return tea.Batch(cmds...)
}

// listRows is how many group rows fit.
func (m homeModel) listRows() int {
	h := m.height - 3 // intro, input, blank
	if c := chartRows(m.height); c > 0 {
		h -= c + 4 // rule, rows, markers, axis, blank
	}
	return max(h-2, 0) // rule, header
}

func (m homeModel) view() []string {
	st := m.c.st
	w := m.width
	if m.empty() {
		return emptyIndexView(st, w)
	}
	lines := []string{
		st.Subtle.Render("Paste a failing request ID to investigate it, or type a search query."),
		m.input.View(),
		"",
	}
	if c := chartRows(m.height); c > 0 {
		lines = append(lines, m.chartView(w, c)...)
		lines = append(lines, "")
	}
	lines = append(lines, m.groupsView(w, m.listRows())...)
	return lines
}

func emptyIndexView(st *styles, w int) []string {
	text := []string{
		st.Heading.Render("The index is empty: nothing has been ingested yet."),
		"",
		"Ingest your logs (JSON lines from any common logger, .gz, directories or - for",
		"stdin) and your deploy history, then open the TUI again:",
		"",
		st.Key.Render("    culprit ingest --deploys deploys.json logs/"),
		st.Key.Render("    culprit tui"),
		"",
		"The index lives in ./.culprit unless --index DIR or $CULPRIT_INDEX say otherwise;",
		"run both commands with the same one.",
		"",
		st.Subtle.Render("q quits."),
	}
	out := make([]string, 0, len(text))
	for _, l := range text {
		out = append(out, st.trunc(l, w))
	}
	return out
}

// chartView draws the error histogram over the whole span with the
// deploys marked above it.
func (m homeModel) chartView(w, rows int) []string {
	st := m.c.st
	cw := w - 2
	from, to := spanBounds(m.span)
	withDate := multiDay(from, to)
	right := ""
	if m.spanKnown {
		right = fmt.Sprintf("%s %s %s UTC", axisTime(from, withDate), st.G.Dot, axisTime(m.span.Last, withDate))
	}
	out := []string{st.rule("Errors over the ingested window", right, w, st.Heading)}
	switch {
	case m.spanErr != nil:
		return append(out, st.Error.Render(st.trunc("index: "+query.SanitizeLine(m.spanErr.Error()), w)))
	case m.histErr != nil:
		return append(out, st.Error.Render(st.trunc("histogram: "+query.SanitizeLine(m.histErr.Error()), w)))
	case !m.spanKnown || m.hist == nil:
		return append(out, st.Subtle.Render("loading"+st.G.Ellipsis))
	}
	counts := bucketCounts(m.hist)
	total, peak := 0, 0
	for _, c := range counts {
		total += c
		peak = max(peak, c)
	}
	out = append(out, " "+st.Marker.Render(markerRow(m.deploys, from, to, cw, st.G)))
	for _, r := range chart.Columns(counts, cw, rows, st.G.Chart) {
		out = append(out, " "+st.Spark.Render(r))
	}
	bw := time.Duration(0)
	if len(counts) > 0 {
		bw = to.Sub(from) / time.Duration(len(counts))
	}
	axis := fmt.Sprintf("%s error events, peak %s per %s", count(total), count(peak), compactDur(bw))
	out = append(out, " "+st.Subtle.Render(st.trunc(axis, cw)))
	return out
}

// axisTime labels a chart axis.
func axisTime(t time.Time, withDate bool) string {
	if withDate {
		return t.UTC().Format("01-02 15:04")
	}
	return t.UTC().Format("15:04:05")
}

// markerRow places a marker (and, where there is room, "service version")
// at the column of each deploy inside [from, to).
func markerRow(ds []query.Deploy, from, to time.Time, w int, g glyphs) string {
	if w <= 0 || !to.After(from) {
		return ""
	}
	cells := make([]string, w)
	for i := range cells {
		cells[i] = " "
	}
	span := to.Sub(from)
	var cols []int
	var labels []string
	for _, d := range ds {
		if d.Time.Before(from) || !d.Time.Before(to) {
			continue
		}
		c := int(int64(w) * int64(d.Time.Sub(from)) / int64(span))
		cols = append(cols, min(c, w-1))
		labels = append(labels, asciiLabel(strings.TrimSpace(d.Service+" "+d.Version)))
	}
	for i, c := range cols {
		cells[c] = g.Marker
		next := w
		if i+1 < len(cols) {
			next = cols[i+1]
		}
		l := labels[i]
		if c+1+len(l) < next && c+1+len(l) <= w {
			for j, r := range l {
				cells[c+1+j] = string(r)
			}
		}
	}
	return strings.Join(cells, "")
}

// asciiLabel keeps printable ASCII only, so that one rune is one cell.
func asciiLabel(s string) string {
	b := []rune(s)
	for i, r := range b {
		if r < 0x20 || r > 0x7e {
			b[i] = '?'
		}
	}
	return string(b)
}

// groupsView draws the error group table with rows lines of groups.
func (m homeModel) groupsView(w, rows int) []string {
	st := m.c.st
	title := "Top error groups"
	if m.groupsKnown && m.groupsErr == nil {
		title = fmt.Sprintf("Top error groups (%d)", len(m.groups))
	}
	out := []string{st.rule(title, "enter: investigate its first request", w, st.Heading)}
	switch {
	case m.groupsErr != nil:
		return append(out, st.Error.Render(st.trunc("errors: "+query.SanitizeLine(m.groupsErr.Error()), w)))
	case !m.groupsKnown:
		return append(out, st.Subtle.Render("loading"+st.G.Ellipsis))
	case len(m.groups) == 0:
		return append(out, st.OK.Render("No error events in the index."))
	}
	withDate := m.spanKnown && multiDay(m.span.First, m.span.Last)
	timeW := 8
	if withDate {
		timeW = 11
	}
	trendW := 10
	if w >= 110 {
		trendW = 20
	}
	const newW, countW, svcW, causeW = 4, 7, 10, 12
	msgW := max(w-2-newW-countW-1-timeW-1-svcW-1-trendW-1-causeW-1, 8)
	hdr := "  " + st.fit("", newW) + st.fitRight("COUNT", countW) + " " + st.fit("FIRST", timeW) + " " +
		st.fit("SERVICE", svcW) + " " + st.fit("ERROR", msgW) + " " + st.fit("TREND", trendW) + " " + st.fit("CAUSE", causeW)
	out = append(out, st.Subtle.Render(st.trunc(hdr, w)))

	m.top = follow(m.top, m.sel, rows) // rows may differ after a resize
	for i := m.top; i < len(m.groups) && i < m.top+rows; i++ {
		g := m.groups[i]
		cur := "  "
		if i == m.sel {
			cur = st.G.Cursor + " "
		}
		mark := ""
		if g.New {
			mark = "NEW"
		}
		first := clock(g.FirstSeen, withDate)
		if !withDate {
			first = first[:8]
		}
		msg := query.SanitizeLine(g.Message)
		if g.Type != "" && !strings.HasPrefix(g.Message, g.Type) {
			msg = query.SanitizeLine(g.Type) + ": " + msg
		}
		counts := bucketCounts(g.Histogram)
		if len(counts) == 0 {
			counts = m.sparks[g.Fingerprint]
		}
		spark := chart.Sparkline(counts, trendW, st.G.Chart)
		row := []string{
			cur,
			st.New.Render(st.fit(mark, newW)),
			st.fitRight(count(g.Count), countW), " ",
			st.fit(first, timeW), " ",
			st.fit(query.SanitizeLine(g.Service), svcW), " ",
			st.fit(msg, msgW), " ",
			st.Spark.Render(st.fit(spark, trendW)), " ",
			st.causeCell(g.Cause, causeW),
		}
		line := strings.Join(row, "")
		if i == m.sel && m.listFocus {
			line = st.Selected.Render(ansi.Strip(line))
		}
		out = append(out, st.trunc(line, w))
	}
	return out
}

// rankGroups orders error groups by significance: root errors that
// appeared after a deploy of their service first, then those whose rate
// is rising, then the other root errors, then the upstream reports of
// downstream failures; count breaks ties. The input is not modified.
func rankGroups(gs []query.ErrorGroup) []query.ErrorGroup {
	out := slices.Clone(gs)
	tier := func(g query.ErrorGroup) int {
		switch {
		case g.WrapperOf != "":
			return 3
		case g.New:
			return 0
		case rising(g.Histogram):
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b query.ErrorGroup) int {
		if ta, tb := tier(a), tier(b); ta != tb {
			return ta - tb
		}
		return b.Count - a.Count
	})
	return out
}

// rising reports whether the last quarter of a histogram holds errors at
// more than twice the rate of the rest (and at least three of them).
func rising(h []query.TimeBucket) bool {
	if len(h) < 4 {
		return false
	}
	cut := len(h) - len(h)/4
	var before, after int
	for i, b := range h {
		if i < cut {
			before += b.Count
		} else {
			after += b.Count
		}
	}
	rb := float64(before) / float64(cut)
	ra := float64(after) / float64(len(h)-cut)
	return after >= 3 && ra > 2*rb
}
