package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/query/chart"
	"github.com/culprit-dev/culprit/tui/components/input"
	"github.com/culprit-dev/culprit/tui/components/prettyjson"
)

// exploreFocus is the part of the explore screen that takes keys.
type exploreFocus int

const (
	focusInput exploreFocus = iota
	focusResults
	focusDetail
	focusFacets
	numFocus
)

// exploreModel searches the logs: a query, a virtualised results table
// fetched a page at a time, the selected line's JSON, facets and a
// histogram of the hits.
type exploreModel struct {
	c             *common
	width, height int
	input         input.Model
	focus         exploreFocus
	span          query.Span
	rng           int    // index into timeRanges
	query         string // the query the results are for
	ran           bool

	seq    int             // query generation; results for another are dropped
	gen    context.Context // the generation's context, cancelled by the next run
	cancel context.CancelFunc

	total      int
	totalKnown bool
	pages      map[int][]query.Event // copy-on-write
	inflight   map[int]bool          // copy-on-write
	err        error
	cursor     int
	top        int
	detailOff  int
	jump       int // pending n/N across an unloaded page: +1 or -1
	jumpFrom   int // where that n/N started

	facets    []query.Facet
	facetsErr error
	facetRow  int
	facetCol  int
	hist      []query.TimeBucket
	deploys   []query.Deploy // for the histogram's markers
	oldest    bool           // results oldest first (o toggles)
	histWidth int
	histErr   error
	typingTag int

	// Follow mode (F), see follow.go.
	following  bool
	newRows    int                   // rows that arrived while scrolled away
	refreshing bool                  // a follow refresh waits for its first page
	stale      map[int][]query.Event // the rows shown until the refresh's pages arrive
	staleShift int                   // row i of the refresh is row i-staleShift of stale
	snap       followSnap            // what the refresh in flight started from
}

func newExplore(c *common) exploreModel {
	in := input.New()
	in.Prompt = "query" + c.st.G.Cursor + " "
	in.Placeholder = `words, "a phrase", service:orders status:>=500 route:"GET /api/orders/{id}"`
	in.Styles = c.st.Input
	return exploreModel{c: c, input: in, rng: len(timeRanges) - 1}
}

func (m *exploreModel) setSize(w, h int) {
	m.width, m.height = w, h
	m.input.SetWidth(w)
}

func (m exploreModel) typing() bool { return m.focus == focusInput }

func (m *exploreModel) setFocus(f exploreFocus) {
	m.focus = (f + numFocus) % numFocus
	if m.focus == focusInput {
		m.input.Focus()
	} else {
		m.input.Blur()
	}
}

// open starts the screen on q (focus on the results when there is a
// query, on the input when there is none).
func (m exploreModel) open(q string, span query.Span) (exploreModel, tea.Cmd) {
	m.span = span
	m.input.SetValue(q)
	if q == "" {
		m.setFocus(focusInput)
	} else {
		m.setFocus(focusResults)
	}
	return m.run()
}

// resume re-asks for what a superseded run left in flight, after the
// screen comes back from the navigation history.
func (m exploreModel) resume() (exploreModel, tea.Cmd) {
	if !m.ran {
		return m, nil
	}
	if m.err != nil { // the query failed (or was cut short): run it again
		return m.run()
	}
	ctx, cancel := context.WithCancel(m.c.ctx)
	m.gen, m.cancel = ctx, cancel
	m.inflight = map[int]bool{}
	var cmds []tea.Cmd
	if !m.totalKnown {
		m.inflight[0] = true
		cmds = append(cmds, pageCmd(ctx, m.c.b, m.seq, m.searchOptions(), 0))
	}
	m.jump = 0
	if m.facets == nil && m.facetsErr == nil {
		cmds = append(cmds, facetsCmd(ctx, m.c.b, m.seq, m.filter()))
	}
	if m.hist == nil && m.histErr == nil {
		m.histWidth = 0
		cmds = append(cmds, m.histCmd(ctx))
	}
	m, c := m.ensurePages(ctx)
	return m, tea.Batch(append(cmds, c)...)
}

// run starts a new query generation: earlier results are dropped and
// requests still in flight are cancelled.
func (m exploreModel) run() (exploreModel, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(m.c.ctx)
	m.gen, m.cancel = ctx, cancel
	m.seq++
	m.query = strings.TrimSpace(m.input.Value())
	m.ran = true
	m.total, m.totalKnown, m.err = 0, false, nil
	m.pages = map[int][]query.Event{}
	m.inflight = map[int]bool{0: true}
	m.cursor, m.top, m.detailOff, m.jump = 0, 0, 0, 0
	m.stale, m.staleShift, m.refreshing, m.newRows = nil, 0, false, 0
	m.facets, m.facetsErr = nil, nil
	m.hist, m.histErr, m.histWidth = nil, nil, 0
	return m, tea.Batch(
		pageCmd(ctx, m.c.b, m.seq, m.searchOptions(), 0),
		facetsCmd(ctx, m.c.b, m.seq, m.filter()),
		m.histCmd(ctx),
	)
}

func (m exploreModel) searchOptions() query.SearchOptions {
	f := m.filter()
	order := query.NewestFirst
	if m.oldest {
		order = query.OldestFirst
	}
	return query.SearchOptions{Query: f.Query, Since: f.Since, Until: f.Until, Order: order}
}

func (m exploreModel) filter() query.Filter {
	f := query.Filter{Query: m.query}
	if d := timeRanges[m.rng].d; d > 0 && !m.span.Last.IsZero() {
		f.Since = m.span.Last.Add(-d)
	}
	return f
}

// histCmd asks for the histogram of the hits at the current width.
func (m *exploreModel) histCmd(ctx context.Context) tea.Cmd {
	w := m.width - 2
	if w < 10 || m.span.Events == 0 {
		return nil
	}
	m.histWidth = w
	f := m.filter()
	from, to := spanBounds(m.span)
	if !f.Since.IsZero() {
		from = f.Since
	}
	return exploreHistCmd(ctx, m.c.b, m.seq, f, from, to, w)
}

// rows is how many result rows are visible.
func (m exploreModel) rows() int {
	l := m.layout()
	return l.results
}

// ensurePages asks for the pages the visible rows (and the next screenful)
// need, and evicts far pages beyond maxPages.
func (m exploreModel) ensurePages(ctx context.Context) (exploreModel, tea.Cmd) {
	if !m.totalKnown || m.total == 0 {
		return m, nil
	}
	rows := max(m.rows(), 1)
	first := max(m.top-rows, 0) / pageSize
	last := min(m.top+2*rows, m.total-1) / pageSize
	var cmds []tea.Cmd
	inflight := m.inflight
	for p := first; p <= last; p++ {
		if _, ok := m.pages[p]; ok || inflight[p] {
			continue
		}
		if len(cmds) == 0 {
			inflight = copyMap(m.inflight)
		}
		inflight[p] = true
		cmds = append(cmds, pageCmd(ctx, m.c.b, m.seq, m.searchOptions(), p))
	}
	m.inflight = inflight
	if len(m.pages) > maxPages {
		keep := map[int][]query.Event{}
		cp := m.cursor / pageSize
		for p, evs := range m.pages {
			if abs(p-cp) <= maxPages/2 {
				keep[p] = evs
			}
		}
		m.pages = keep
	}
	return m, tea.Batch(cmds...)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func copyMap[K comparable, V any](in map[K]V) map[K]V {
	out := make(map[K]V, len(in)+1)
	for k, v := range in {
		out[k] = v
	}
	return out
}

// event returns row i if its page is loaded.
func (m exploreModel) event(i int) (query.Event, bool) {
	if i < 0 || (m.totalKnown && i >= m.total) {
		return query.Event{}, false
	}
	evs, ok := m.pages[i/pageSize]
	if !ok || i%pageSize >= len(evs) {
		return m.staleEvent(i)
	}
	return evs[i%pageSize], true
}

func (m exploreModel) update(msg tea.Msg) (exploreModel, tea.Cmd) {
	switch msg := msg.(type) {
	case pageMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.inflight = copyMap(m.inflight)
		delete(m.inflight, msg.page)
		if msg.err != nil {
			if !canceled(msg.err) {
				m.err = msg.err
			}
			return m, nil
		}
		m.pages = copyMap(m.pages)
		m.pages[msg.page] = msg.res.Events
		m.total, m.totalKnown = msg.res.Total, true
		m.cursor = min(m.cursor, max(m.total-1, 0))
		var jumpCmd tea.Cmd
		if m.jump != 0 {
			m, jumpCmd = m.scanError(m.jump)
		}
		m, cmd := m.ensurePages(m.ctx())
		return m, tea.Batch(jumpCmd, cmd)
	case followMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if m.refreshing && msg.err == nil {
			m = m.settle(msg)
		}
		return m.update(msg.pageMsg)
	case facetsMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.facets, m.facetsErr = msg.facets, msg.err
		if canceled(msg.err) {
			m.facetsErr = nil
		}
	case exploreHistMsg:
		if msg.seq != m.seq || msg.width != m.histWidth {
			return m, nil
		}
		m.hist, m.histErr = msg.buckets, msg.err
		if canceled(msg.err) {
			m.histErr = nil
		}
	case debounceMsg:
		if msg.tag != m.typingTag || strings.TrimSpace(m.input.Value()) == m.query {
			return m, nil
		}
		return m.run()
	case tea.PasteMsg:
		if !m.typing() {
			m.setFocus(focusInput)
		}
		return m.edit(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

// ctx is the context of the current generation's requests.
func (m exploreModel) ctx() context.Context {
	if m.gen != nil {
		return m.gen
	}
	return m.c.ctx
}

// resized re-asks for the histogram at the new width and for the pages the
// new number of rows shows.
func (m exploreModel) resized() (exploreModel, tea.Cmd) {
	if !m.ran {
		return m, nil
	}
	var hc tea.Cmd
	if m.histWidth != m.width-2 {
		hc = m.histCmd(m.ctx())
	}
	m.top = follow(m.top, m.cursor, max(m.rows(), 1))
	m, pc := m.ensurePages(m.ctx())
	return m, tea.Batch(hc, pc)
}

// edit passes a key or paste to the input and schedules a debounced run.
func (m exploreModel) edit(msg tea.Msg) (exploreModel, tea.Cmd) {
	before := m.input.Value()
	m.input, _ = m.input.Update(msg)
	if m.input.Value() == before {
		return m, nil
	}
	m.typingTag++
	tag := m.typingTag
	return m, m.c.tick(debounceDelay, func(_ time.Time) tea.Msg { return debounceMsg{tag: tag} })
}

func (m exploreModel) key(msg tea.KeyPressMsg) (exploreModel, tea.Cmd) {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.NextPane):
		m.setFocus(m.focus + 1)
		return m, nil
	case key.Matches(msg, k.PrevPane):
		m.setFocus(m.focus - 1)
		return m, nil
	}
	if m.focus == focusInput {
		switch {
		case key.Matches(msg, k.Enter):
			m.setFocus(focusResults)
			return m.run()
		case key.Matches(msg, k.ArrowDown):
			m.setFocus(focusResults)
			return m, nil
		}
		return m.edit(msg)
	}
	for i, b := range k.Ranges {
		if key.Matches(msg, b) {
			if m.rng == i && m.ran {
				return m, nil
			}
			m.rng = i
			return m.run()
		}
	}
	if key.Matches(msg, k.Input) {
		m.setFocus(focusInput)
		return m, nil
	}
	if key.Matches(msg, k.Follow) {
		return m.toggleFollow()
	}
	switch m.focus {
	case focusResults:
		return m.resultsKey(msg)
	case focusDetail:
		return m.detailKey(msg)
	case focusFacets:
		return m.facetsKey(msg)
	}
	return m, nil
}

func (m exploreModel) resultsKey(msg tea.KeyPressMsg) (exploreModel, tea.Cmd) {
	k := m.c.keys
	rows := max(m.rows(), 1)
	last := max(m.total-1, 0)
	prev := m.cursor
	switch {
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, last)
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.PageDown):
		m.cursor = min(m.cursor+rows, last)
	case key.Matches(msg, k.PageUp):
		m.cursor = max(m.cursor-rows, 0)
	case key.Matches(msg, k.Top):
		m.cursor = 0
	case key.Matches(msg, k.Bottom):
		m.cursor = last
	case key.Matches(msg, k.NextErr):
		return m.findError(+1)
	case key.Matches(msg, k.PrevErr):
		return m.findError(-1)
	case key.Matches(msg, k.Enter):
		return m, m.openSelected()
	case key.Matches(msg, k.Context):
		if e, ok := m.event(m.cursor); ok {
			return m, openContext(e.Service, e.Host, e.Time)
		}
	case key.Matches(msg, k.Order):
		m.oldest = !m.oldest
		m.input.SetValue(m.query)
		return m.run()
	case key.Matches(msg, k.CopyID):
		if e, ok := m.event(m.cursor); ok && e.RequestID != "" {
			return m, tea.Batch(tea.SetClipboard(e.RequestID), statusCmd("copied request id "+query.SanitizeLine(e.RequestID)+" to the clipboard (OSC 52)", false))
		}
		return m, statusCmd("this line has no request id", true)
	}
	return m.moved(prev)
}

// moved follows the cursor after it moved from prev: scroll, reset the
// detail pane, fetch the pages now needed.
func (m exploreModel) moved(prev int) (exploreModel, tea.Cmd) {
	if m.cursor != prev {
		m.detailOff = 0
	}
	if m.atNewest() {
		m.newRows = 0 // the user has seen them
	}
	m.top = follow(m.top, m.cursor, max(m.rows(), 1))
	return m.ensurePages(m.ctx())
}

func (m exploreModel) openSelected() tea.Cmd {
	e, ok := m.event(m.cursor)
	switch {
	case !ok:
		return statusCmd("this line is still loading", true)
	case e.RequestID == "":
		return statusCmd("this line has no request id to investigate", true)
	}
	return openRequest(e.RequestID, false)
}

// maxScan bounds how far n/N look for an error line (fetching pages as
// they go), so that a huge result set without errors is never read whole.
const maxScan = 10 * pageSize

// findError moves the cursor to the next (dir +1) or previous (-1) error
// line, within maxScan lines.
func (m exploreModel) findError(dir int) (exploreModel, tea.Cmd) {
	m.jumpFrom = m.cursor
	return m.scanError(dir)
}

// scanError continues a findError from the cursor. Across a page not
// loaded yet it asks for the page and resumes when it arrives.
func (m exploreModel) scanError(dir int) (exploreModel, tea.Cmd) {
	m.jump = 0
	from := m.jumpFrom
	for i := m.cursor + dir; i >= 0 && (!m.totalKnown || i < m.total); i += dir {
		if abs(i-from) > maxScan {
			m.cursor = from
			return m, statusCmd(fmt.Sprintf("no error line within %s lines; try adding is_error:true to the query", count(maxScan)), false)
		}
		e, ok := m.event(i)
		if !ok {
			p := i / pageSize
			m.jump = dir
			m.cursor = i - dir // resume from the last loaded row before the gap
			if m.inflight[p] {
				return m, nil
			}
			m.inflight = copyMap(m.inflight)
			m.inflight[p] = true
			return m, pageCmd(m.ctx(), m.c.b, m.seq, m.searchOptions(), p)
		}
		if e.IsError {
			m.cursor = i
			return m.moved(from)
		}
	}
	m.cursor = from
	return m, statusCmd("no more error lines in this direction", false)
}

func (m exploreModel) detailKey(msg tea.KeyPressMsg) (exploreModel, tea.Cmd) {
	k := m.c.keys
	n := len(m.detailLines(m.detailWidth()))
	vis := m.layout().detail
	if off, ok := scrollKey(msg, k, m.detailOff, n, vis); ok {
		m.detailOff = off
		return m, nil
	}
	if key.Matches(msg, k.Enter) {
		return m, m.openSelected()
	}
	return m, nil
}

func (m exploreModel) facetsKey(msg tea.KeyPressMsg) (exploreModel, tea.Cmd) {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Up):
		m.facetRow = max(m.facetRow-1, 0)
	case key.Matches(msg, k.Down):
		m.facetRow = min(m.facetRow+1, len(facetFields)-1)
	case key.Matches(msg, k.Left):
		m.facetCol = max(m.facetCol-1, 0)
	case key.Matches(msg, k.Right):
		m.facetCol++
	case key.Matches(msg, k.Enter):
		f, ok := m.facet(m.facetRow)
		if !ok || len(f.Buckets) == 0 {
			return m, nil
		}
		b := f.Buckets[min(m.facetCol, len(f.Buckets)-1)]
		m.input.SetValue(addClause(m.input.Value(), fieldFilter(f.Field, b.Value)))
		m.facetCol = 0
		return m.run()
	}
	if f, ok := m.facet(m.facetRow); ok {
		m.facetCol = min(m.facetCol, max(len(f.Buckets)-1, 0))
	}
	return m, nil
}

func (m exploreModel) facet(row int) (query.Facet, bool) {
	if row < 0 || row >= len(m.facets) {
		return query.Facet{}, false
	}
	return m.facets[row], true
}

// addClause adds a required clause to a query in the search syntax (bleve
// query strings: "+" marks a clause that must hold; without any "+" a
// query's clauses are alternatives). The existing clauses become required
// too, so that the new filter narrows the results instead of widening them.
func addClause(q, clause string) string {
	toks := splitQuery(q)
	for i, t := range toks {
		if t == clause || t == "+"+clause {
			return q // already there
		}
		if !strings.HasPrefix(t, "+") && !strings.HasPrefix(t, "-") {
			toks[i] = "+" + t
		}
	}
	if len(toks) == 0 {
		return clause
	}
	return strings.Join(append(toks, "+"+clause), " ")
}

// splitQuery splits a query on spaces outside double quotes.
func splitQuery(q string) []string {
	var toks []string
	var b strings.Builder
	inQuote, esc := false, false
	for _, r := range q {
		switch {
		case esc:
			esc = false
		case r == '\\':
			esc = true
		case r == '"':
			inQuote = !inQuote
		case r == ' ' && !inQuote:
			if b.Len() > 0 {
				toks = append(toks, b.String())
				b.Reset()
			}
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() > 0 {
		toks = append(toks, b.String())
	}
	return toks
}

// exploreLayout is where the explore parts go.
type exploreLayout struct {
	histRows   int
	wide       bool
	resultsW   int
	detailW    int
	results    int // visible result rows
	detail     int // visible detail lines
	facetLines int
	middleH    int
}

// shownFacets is how many facets the height has room for.
func (m exploreModel) shownFacets() int {
	if m.height >= 30 {
		return len(facetFields)
	}
	return smallFacets
}

func (m exploreModel) layout() exploreLayout {
	var l exploreLayout
	h := m.height - 2 // input, status
	switch {
	case h >= 30:
		l.histRows = 5 // deploy markers, bars, time axis
	case h >= 16:
		l.histRows = 3 // bars, time axis
	default:
		l.histRows = 0
	}
	h -= l.histRows
	if m.height >= 16 {
		l.facetLines = m.shownFacets()
		h -= l.facetLines + 1
	}
	l.middleH = max(h, 2)
	l.wide = m.width >= 120
	if l.wide {
		l.resultsW = m.width * 58 / 100
		l.detailW = m.width - l.resultsW - 1
		l.results = max(l.middleH-1, 1)
		l.detail = max(l.middleH-1, 0)
		return l
	}
	l.resultsW, l.detailW = m.width, m.width
	avail := max(l.middleH-2, 1) // two rules
	big := avail * 2 / 3
	if m.focus == focusDetail {
		l.detail, l.results = big, avail-big
	} else {
		l.results, l.detail = big, avail-big
	}
	l.results = max(l.results, 1)
	return l
}

func (m exploreModel) detailWidth() int { return m.layout().detailW - 1 }

// detailLines is the selected line's original JSON, pretty-printed.
func (m exploreModel) detailLines(w int) []string {
	e, ok := m.event(m.cursor)
	if !ok {
		return nil
	}
	var raw []string
	if !e.Text && len(e.Raw) > 0 {
		if ls, err := prettyjson.Lines(e.Raw, "  "); err == nil {
			raw = ls
		}
	}
	if raw == nil { // a text line, or JSON that did not parse
		raw = strings.Split(string(e.Raw), "\n")
		if len(e.Raw) == 0 {
			raw = strings.Split(e.Message, "\n")
		}
	}
	out := make([]string, 0, len(raw))
	for _, l := range raw {
		out = append(out, m.c.st.trunc(expandTabs(query.Sanitize(l)), w))
	}
	return out
}

func (m exploreModel) view() []string {
	st := m.c.st
	w := m.width
	l := m.layout()
	out := []string{m.input.View(), m.statusLine()}
	if l.histRows > 0 {
		out = append(out, m.histView(w, l.histRows)...)
	}
	results := m.resultsView(l.resultsW, l.results)
	detail := m.detailView(l.detailW, l.detail)
	if l.wide {
		h := max(len(results), len(detail))
		out = append(out, joinColumns(st.block(results, l.resultsW, h), st.block(detail, l.detailW, h), 1)...)
	} else {
		out = append(out, st.block(results, w, l.results+1)...)
		out = append(out, st.block(detail, w, l.detail+1)...)
	}
	if l.facetLines > 0 {
		out = append(out, m.facetsView(w)...)
	}
	return out
}

func (m exploreModel) statusLine() string {
	st := m.c.st
	var parts []string
	switch {
	case m.err != nil:
		// The store's errors already say "search: …": say it once.
		msg := strings.TrimPrefix(query.SanitizeLine(m.err.Error()), "search: ")
		return st.Error.Render(st.trunc("search failed: "+msg, m.width))
	case !m.ran:
		parts = append(parts, "type a query and press enter")
	case !m.totalKnown:
		parts = append(parts, "searching"+st.G.Ellipsis)
	default:
		parts = append(parts, st.Bold.Render(count(m.total)+" hits"))
	}
	var rs []string
	for i, r := range timeRanges {
		lbl := fmt.Sprintf("%d:%s", i+1, r.label)
		if i == m.rng {
			lbl = st.Selected.Render(lbl)
		}
		rs = append(rs, lbl)
	}
	parts = append(parts, "range "+strings.Join(rs, " "))
	if f := m.filter(); !f.Since.IsZero() && !m.span.Last.IsZero() {
		// The active range in absolute times: "last 15m" of logs that may
		// be days old says nothing by itself.
		withDate := multiDay(f.Since, m.span.Last)
		parts = append(parts, axisTime(f.Since, withDate)+" "+st.G.Arrow+" "+axisTime(m.span.Last, withDate)+" UTC")
	}
	if m.totalKnown && m.total > 0 {
		order := "newest first"
		if m.oldest {
			order = "oldest first"
		}
		parts = append(parts, fmt.Sprintf("line %s of %s, %s", count(m.cursor+1), count(m.total), order))
	}
	if m.following {
		f := "following"
		if m.newRows > 0 {
			top := "g"
			if m.oldest {
				top = "G"
			}
			f = fmt.Sprintf("%s new (%s: newest)", count(m.newRows), top)
		}
		parts = append([]string{st.Selected.Render(f)}, parts...)
	}
	return st.trunc(strings.Join(parts, "  "+st.G.Dot+"  "), m.width)
}

func (m exploreModel) histView(w, rows int) []string {
	st := m.c.st
	switch {
	case m.err != nil:
		return st.block(nil, w, rows) // the status line says why, once
	case m.histErr != nil:
		return st.block([]string{st.Error.Render(st.trunc("histogram: "+query.SanitizeLine(m.histErr.Error()), w))}, w, rows)
	case m.hist == nil:
		return st.block(nil, w, rows)
	}
	// Deploy markers above the bars (from 4 rows), the time axis below.
	from, to := m.hist[0].Start, m.hist[len(m.hist)-1].Start
	if n := len(m.hist); n > 1 {
		to = to.Add(m.hist[1].Start.Sub(m.hist[0].Start))
	}
	barRows := max(rows-1, 1)
	var out []string
	if rows >= 4 {
		barRows--
		out = append(out, " "+st.Marker.Render(markerRow(m.deploys, from, to, w-2, st.G)))
	}
	for _, c := range chart.Columns(bucketCounts(m.hist), w-2, barRows, st.G.Chart) {
		out = append(out, " "+st.Spark.Render(c))
	}
	if rows >= 2 {
		withDate := multiDay(from, to)
		left, right := axisTime(from, withDate), axisTime(to, withDate)+" UTC"
		gap := w - 2 - len(left) - len(right)
		axis := left + " " + st.G.Arrow + " " + right
		if gap > 0 {
			axis = left + strings.Repeat(" ", gap) + right
		}
		out = append(out, " "+st.Subtle.Render(st.trunc(axis, w-2)))
	}
	return out
}

func (m exploreModel) resultsView(w, rows int) []string {
	st := m.c.st
	style := st.Blurred
	title := "Results"
	if m.focus == focusResults {
		style, title = st.Focused, st.G.Cursor+" Results"
	}
	pos := ""
	if m.totalKnown && m.total > rows {
		pos = fmt.Sprintf("%s-%s", count(m.top+1), count(min(m.top+rows, m.total)))
	}
	out := []string{st.rule(title, pos, w, style)}
	switch {
	case m.err != nil:
		return out
	case m.totalKnown && m.total == 0:
		return append(out, st.Subtle.Render(" no lines match"), st.Subtle.Render(st.trunc(" try fewer words, another time range (1-5), or a field filter like service:orders", w)))
	}
	withDate := multiDay(m.span.First, m.span.Last)
	top := follow(m.top, m.cursor, rows)
	for i := top; i < top+rows && (!m.totalKnown || i < m.total); i++ {
		e, ok := m.event(i)
		if !ok {
			out = append(out, st.Subtle.Render("  "+st.G.Ellipsize))
			continue
		}
		line := m.resultRow(e, w, withDate, i == m.cursor)
		out = append(out, line)
	}
	return out
}

func (m exploreModel) resultRow(e query.Event, w int, withDate, sel bool) string {
	st := m.c.st
	cur := "  "
	if sel {
		cur = st.G.Cursor + " "
	}
	lvl := strings.ToUpper(e.Level)
	if lvl == "" {
		lvl = "-"
	}
	status := "   "
	if e.Status != 0 {
		status = fmt.Sprintf("%3d", e.Status)
	}
	ts := clock(e.Time, withDate)
	// The error text right after the message, before the request line: on
	// an error row it is what the reader scans for.
	msg := e.Message
	if e.Error != "" && !strings.Contains(msg, e.Error) {
		msg = strings.TrimSpace(msg + ": " + e.Error)
		if e.Message == "" {
			msg = e.Error
		}
	}
	text := eventText(msg, e.Method, e.Path)
	head := cur + ts + " " + st.fit(query.SanitizeLine(e.Service), 10) + " "
	restW := max(w-ansi.StringWidth(head)-5-1-3-1, 0)
	if sel && m.focus == focusResults {
		return st.Selected.Render(st.fit(head+st.fit(lvl, 5)+" "+status+" "+st.trunc(text, restW), w))
	}
	cell := st.trunc(text, restW)
	if e.IsError {
		cell = st.Error.Render(cell)
	}
	return head + st.level(e.Level).Render(st.fit(lvl, 5)) + " " + status + " " + cell
}

func (m exploreModel) detailView(w, rows int) []string {
	st := m.c.st
	style := st.Blurred
	title := "Line"
	if e, ok := m.event(m.cursor); ok {
		title = "Line " + query.SanitizeLine(fmt.Sprintf("%s:%d", e.Source, e.Line))
	}
	if m.focus == focusDetail {
		style, title = st.Focused, st.G.Cursor+" "+title
	}
	lines := m.detailLines(w - 1)
	off := clampOffset(m.detailOff, len(lines), rows)
	pos := ""
	if len(lines) > rows {
		pos = fmt.Sprintf("%d-%d/%d", off+1, min(off+rows, len(lines)), len(lines))
	}
	out := []string{st.rule(title, pos, w, style)}
	for _, l := range lines[off:min(off+rows, len(lines))] {
		out = append(out, " "+l)
	}
	return out
}

func (m exploreModel) facetsView(w int) []string {
	st := m.c.st
	style := st.Blurred
	title := "Facets"
	if m.focus == focusFacets {
		style, title = st.Focused, st.G.Cursor+" Facets"
	}
	// A short terminal shows a window of the facets that follows the
	// facet cursor, so version, host and user stay reachable.
	shown := m.shownFacets()
	top := follow(0, m.facetRow, shown)
	right := "enter adds a filter"
	if shown < len(facetFields) {
		right = fmt.Sprintf("%d-%d/%d %s %s", top+1, top+shown, len(facetFields), st.G.Dot, right)
	}
	out := []string{st.rule(title, right, w, style)}
	if m.facetsErr != nil && m.err != nil {
		return out // the query failed: the status line says why, once
	}
	if m.facetsErr != nil {
		return append(out, st.Error.Render(st.trunc("facets: "+query.SanitizeLine(m.facetsErr.Error()), w)))
	}
	for i := top; i < top+shown; i++ {
		field := facetFields[i]
		f, ok := m.facet(i)
		line := st.Subtle.Render(st.fit(field, 8))
		if !ok {
			out = append(out, line)
			continue
		}
		for j, b := range f.Buckets {
			cell := query.SanitizeLine(b.Value) + " " + count(b.Count)
			if m.focus == focusFacets && i == m.facetRow && j == m.facetCol {
				cell = st.Selected.Render(cell)
			}
			line += " " + cell + " "
		}
		if f.Other > 0 {
			line += st.Subtle.Render(fmt.Sprintf(" +%s more", count(f.Other)))
		}
		out = append(out, st.trunc(line, w))
	}
	return out
}
