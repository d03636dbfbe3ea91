package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/tui/components/input"
)

// screen is what the body of the TUI shows.
type screen int

const (
	screenHome screen = iota
	screenInvestigation
	screenExplore
	screenLine
	screenCompare
)

// frame is a place in the navigation history that Esc returns to.
type frame struct {
	screen  screen
	inv     invModel
	explore exploreModel
	line    lineModel
	compare compareModel
}

// Model is the TUI's root model. It implements tea.Model with value
// receivers; build it with New.
type Model struct {
	c       *common
	opts    Options
	screen  screen
	back    []frame
	home    homeModel
	inv     invModel
	explore exploreModel
	line    lineModel
	compare compareModel
	cmpSeq  int // the comparison asked for last; older answers are dropped

	width, height int
	span          query.Span
	spanKnown     bool
	feed          liveState // live.go: pause, ingest rate, last arrival

	help     help.Model
	showHelp bool
	helpOff  int         // scroll offset of the help
	cmdline  input.Model // the ":" command line, focused while open
	spinner  spinner.Model
	spinning bool

	reqSeq    int                // latest request resolution; older reports are dropped
	pendingID string             // the request being resolved, "" when none
	reqCancel context.CancelFunc // cancels the request being resolved

	status    string
	statusErr bool
	statusSeq int
}

// New builds the TUI over b. Nothing is fetched until the program runs
// Init.
func New(b Backend, o Options) Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	ascii := envASCII()
	c := &common{
		ctx:   context.Background(),
		b:     b,
		st:    newStyles(o.NoColor, ascii),
		keys:  newKeyMap(ascii),
		now:   o.Now,
		ascii: ascii,
		tick:  tea.Tick,

		saveDir: o.SaveDir,
	}
	return newModel(c, o)
}

func newModel(c *common, o Options) Model {
	h := help.New()
	h.Styles = c.st.Help
	if c.ascii {
		h.Ellipsis = "..."
		h.ShortSeparator = " | "
	}
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.st.Key))
	if c.ascii {
		sp.Spinner = spinner.Line
	}
	return Model{
		c:       c,
		cmdline: newCmdline(c),
		opts:    o,
		home:    newHome(c),
		explore: newExplore(c),
		help:    h,
		spinner: sp,
		width:   80,
		height:  24,
	}
}

// Run runs the TUI on the terminal until the user quits or ctx is
// cancelled.
func Run(ctx context.Context, b Backend, o Options) error {
	m := New(b, o)
	m.c.ctx = ctx
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if o.NoColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	tm, closeLog := withFrameLog(m)
	defer closeLog()
	if _, err := tea.NewProgram(tm, opts...).Run(); err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

// Init fetches the span, the deploys and the error groups, and opens the
// request of Options.RequestID if there is one.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{spanCmd(m.c.ctx, m.c.b), deploysCmd(m.c.ctx, m.c.b), m.home.init(), m.liveTick()}
	if id := query.ExtractRequestID(m.opts.RequestID); id != "" {
		cmds = append(cmds, func() tea.Msg { return openRequestMsg{id: id} })
	}
	return tea.Batch(cmds...)
}

// Update handles a message: global keys and window size first, then
// navigation and results, then the active screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := m.update(msg)
	// Keep the spinner turning while anything is loading.
	if m.loading() && !m.spinning {
		m.spinning = true
		cmd = tea.Batch(cmd, m.spinner.Tick)
	}
	return m, cmd
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	if lm, cmd, ok := m.live(msg); ok { // live.go: new data refreshes home
		return lm, cmd
	}
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.resize(msg.Width, msg.Height)
	case spinner.TickMsg:
		if !m.loading() {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case spanMsg:
		if msg.err != nil {
			m.status, m.statusErr = "index: "+query.SanitizeLine(msg.err.Error()), true
		} else {
			m.span, m.spanKnown = msg.span, true
			m.explore.span = msg.span
			m.inv.span = msg.span
			m.inv.build() // "ago" counts from the newest event: redraw with it
		}
		var hc, ec tea.Cmd
		m.home, hc = m.home.update(msg)
		m.explore, ec = m.explore.resized() // the histogram needs the span
		return m, tea.Batch(hc, ec)
	case deploysMsg:
		if msg.err == nil {
			m.explore.deploys = msg.deploys
		}
		var cmd tea.Cmd
		m.home, cmd = m.home.update(msg)
		return m, cmd
	case groupsMsg, groupHistMsg, homeHistMsg:
		var cmd tea.Cmd
		m.home, cmd = m.home.update(msg)
		return m, cmd
	case pageMsg, followMsg, facetsMsg, exploreHistMsg, debounceMsg:
		var cmd tea.Cmd
		m.explore, cmd = m.explore.update(msg)
		return m, cmd
	case openRequestMsg:
		m.cancelRequest()
		m.reqSeq++
		m.pendingID = msg.id
		ctx, cancel := context.WithCancel(m.c.ctx)
		m.reqCancel = cancel
		return m, resolveCmd(ctx, m.c.b, m.reqSeq, msg.id, msg.search)
	case reportMsg:
		if msg.seq != m.reqSeq {
			return m, nil
		}
		m.cancelRequest()
		if msg.err != nil {
			return m.setStatus(fmt.Sprintf("request %s: %s", query.SanitizeLine(msg.id), query.SanitizeLine(msg.err.Error())), true)
		}
		m.push()
		m.screen = screenInvestigation
		m.inv = newInvestigation(m.c, msg.report, m.span, m.width, m.bodyHeight())
		return m, nil
	case searchInsteadMsg:
		if msg.seq != m.reqSeq {
			return m, nil
		}
		m.cancelRequest()
		return m.openExplore(msg.query)
	case openExploreMsg:
		m, cmd := m.openExploreOrder(msg.query, msg.oldest)
		if !msg.until.IsZero() && m.spanKnown && msg.until.After(m.span.Last) {
			// A context still being written follows by itself; F stops it.
			m.explore.following = true
		}
		return m, cmd
	case openCompareMsg:
		m.cmpSeq++
		m, cmd := m.setStatus("comparing before and after the deploy"+m.c.st.G.Ellipsis, false)
		return m, tea.Batch(cmd, compareCmd(m.c.ctx, m.c.b, m.cmpSeq, msg.report))
	case compareMsg:
		switch {
		case msg.seq != m.cmpSeq || m.screen != screenInvestigation:
			return m, nil
		case msg.err != nil:
			return m.setStatus("compare: "+query.SanitizeLine(msg.err.Error()), true)
		case msg.cmp == nil:
			return m.setStatus("no suspect deploy to compare around", true)
		}
		m.push()
		m.screen = screenCompare
		m.compare = compareModel{c: m.c, report: msg.report, cmp: msg.cmp, asOf: m.span.Last, width: m.width, height: m.bodyHeight()}
		m.status = ""
		return m, nil
	case openLineMsg:
		m.push()
		m.screen = screenLine
		m.line = newLineView(m.c, msg.ev, m.width, m.bodyHeight())
		return m, nil
	case statusMsg:
		return m.setStatus(msg.text, msg.err)
	case clipboardMsg:
		m, cmd := m.setStatus(msg.status, false)
		return m, tea.Batch(tea.SetClipboard(msg.text), cmd)
	case clearStatusMsg:
		if msg.seq == m.statusSeq {
			m.status = ""
		}
		return m, nil
	case tea.MouseWheelMsg:
		return m.wheel(msg)
	case tea.MouseClickMsg:
		return m.click(msg)
	case tea.PasteMsg:
		if m.showHelp {
			return m, nil
		}
		if m.cmdline.Focused() {
			var cmd tea.Cmd
			m.cmdline, cmd = m.cmdline.Update(msg)
			return m, cmd
		}
		return m.updateScreen(msg)
	case tea.KeyPressMsg:
		if key.Matches(msg, k.ForceQuit) {
			return m, tea.Quit
		}
		if m.cmdline.Focused() {
			return m.cmdlineKey(msg)
		}
		if m.showHelp {
			n := len(m.helpView())
			switch {
			case key.Matches(msg, k.Help), key.Matches(msg, k.Back):
				m.showHelp, m.helpOff = false, 0
			case key.Matches(msg, k.Quit):
				return m, tea.Quit
			case key.Matches(msg, k.Down):
				m.helpOff = clampOffset(m.helpOff+1, n, m.bodyHeight())
			case key.Matches(msg, k.Up):
				m.helpOff = clampOffset(m.helpOff-1, n, m.bodyHeight())
			case key.Matches(msg, k.PageDown):
				m.helpOff = clampOffset(m.helpOff+m.bodyHeight()-1, n, m.bodyHeight())
			case key.Matches(msg, k.PageUp):
				m.helpOff = clampOffset(m.helpOff-m.bodyHeight()+1, n, m.bodyHeight())
			}
			return m, nil
		}
		if key.Matches(msg, k.Help) && m.inputEmpty() {
			m.showHelp = true
			return m, nil
		}
		if key.Matches(msg, k.Quit) && m.inputEmpty() {
			// q types a q once the input holds text; on an empty input it
			// quits, as everywhere else.
			return m, tea.Quit
		}
		if !m.typing() {
			switch {
			case key.Matches(msg, k.Command):
				m.cmdline.Focus()
				return m, nil
			case key.Matches(msg, k.Pause):
				return m.togglePause()
			case key.Matches(msg, k.Quit):
				return m, tea.Quit
			case key.Matches(msg, k.Help):
				m.showHelp = true
				return m, nil
			}
		}
		if key.Matches(msg, k.Back) {
			return m.goBack()
		}
		return m.updateScreen(msg)
	}
	return m, nil
}

// updateScreen passes msg to the active screen.
func (m Model) updateScreen(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.screen {
	case screenHome:
		m.home, cmd = m.home.update(msg)
	case screenInvestigation:
		m.inv, cmd = m.inv.update(msg)
	case screenExplore:
		m.explore, cmd = m.explore.update(msg)
	case screenLine:
		m.line, cmd = m.line.update(msg)
	case screenCompare:
		m.compare, cmd = m.compare.update(msg)
	}
	return m, cmd
}

func (m Model) resize(w, h int) (Model, tea.Cmd) {
	m.width, m.height = max(w, 1), max(h, 1)
	bh := m.bodyHeight()
	m.help.SetWidth(m.width)
	m.cmdline.SetWidth(m.width)
	m.home.setSize(m.width, bh)
	m.explore.setSize(m.width, bh)
	m.line.setSize(m.width, bh)
	m.compare.setSize(m.width, bh)
	if m.inv.report != nil {
		m.inv.setSize(m.width, bh)
	}
	for i := range m.back {
		if m.back[i].inv.report != nil {
			m.back[i].inv.setSize(m.width, bh)
		}
		m.back[i].explore.setSize(m.width, bh)
		m.back[i].line.setSize(m.width, bh)
		m.back[i].compare.setSize(m.width, bh)
	}
	var ec tea.Cmd
	m.explore, ec = m.explore.resized()
	return m, tea.Batch(m.home.histCmd(), ec)
}

// bodyHeight is the height of a screen: all but the title and footer.
func (m Model) bodyHeight() int { return max(m.height-2, 1) }

// typing reports whether keys go to a text input (so q types a q).
func (m Model) typing() bool {
	switch m.screen {
	case screenHome:
		return m.home.typing()
	case screenExplore:
		return m.explore.typing()
	}
	return false
}

// inputEmpty reports whether the focused input (if any) is empty, so that
// "?" opens the help instead of typing a lone "?".
func (m Model) inputEmpty() bool {
	switch {
	case m.screen == screenHome && m.home.typing():
		return m.home.input.Value() == ""
	case m.screen == screenExplore && m.explore.typing():
		return m.explore.input.Value() == ""
	}
	return true
}

// loading reports whether a Backend call the user waits for is in flight.
func (m Model) loading() bool {
	if m.pendingID != "" {
		return true
	}
	if m.screen == screenExplore && m.explore.ran && m.explore.stale == nil && (len(m.explore.inflight) > 0 || (m.explore.facets == nil && m.explore.facetsErr == nil)) {
		return true
	}
	return (!m.spanKnown && m.home.spanErr == nil) || !m.home.groupsKnown
}

// push saves the current screen on the navigation history.
func (m *Model) push() {
	m.back = append(m.back, frame{screen: m.screen, inv: m.inv, explore: m.explore, line: m.line, compare: m.compare})
	if len(m.back) > 50 {
		m.back = m.back[1:]
	}
}

// goBack handles Esc: cancel a pending request, else return to the
// previous screen.
func (m Model) goBack() (Model, tea.Cmd) {
	if m.pendingID != "" {
		m.cancelRequest()
		m.reqSeq++ // its report will be dropped
		return m.setStatus("cancelled", false)
	}
	if len(m.back) == 0 {
		if m.screen != screenHome {
			m.screen = screenHome
		}
		return m, nil
	}
	f := m.back[len(m.back)-1]
	m.back = m.back[:len(m.back)-1]
	m.screen = f.screen
	m.inv = f.inv
	m.line = f.line
	m.compare = f.compare
	var cmd tea.Cmd
	if f.explore.seq != m.explore.seq {
		// The restored query gets a new generation number: the one it had
		// may have been reused by the query it replaces.
		seq := max(m.explore.seq, f.explore.seq) + 1
		if m.explore.cancel != nil {
			m.explore.cancel()
		}
		m.explore = f.explore
		m.explore.seq = seq
		m.explore, cmd = m.explore.resume()
	}
	return m, cmd
}

// cancelRequest stops the request being resolved, if any.
func (m *Model) cancelRequest() {
	if m.reqCancel != nil {
		m.reqCancel()
		m.reqCancel = nil
	}
	m.pendingID = ""
}

func (m Model) openExplore(q string) (Model, tea.Cmd) { return m.openExploreOrder(q, false) }

// openExploreOrder opens explore on q, oldest line first when oldest.
func (m Model) openExploreOrder(q string, oldest bool) (Model, tea.Cmd) {
	m.push()
	m.screen = screenExplore
	var cmd tea.Cmd
	m.explore.oldest = oldest
	m.explore, cmd = m.explore.open(q, m.span)
	return m, cmd
}

func (m Model) setStatus(text string, isErr bool) (Model, tea.Cmd) {
	m.statusSeq++
	m.status, m.statusErr = text, isErr
	seq := m.statusSeq
	return m, m.c.tick(statusDuration, func(time.Time) tea.Msg { return clearStatusMsg{seq: seq} })
}

// View draws the title line, the active screen (or the help) and the
// footer, in exactly the terminal's size.
func (m Model) View() tea.View {
	st := m.c.st
	w, bh := m.width, m.bodyHeight()
	var body []string
	switch {
	case m.showHelp:
		body = m.helpView()
		body = body[clampOffset(m.helpOff, len(body), bh):]
	case m.screen == screenInvestigation:
		body = m.inv.view()
	case m.screen == screenExplore:
		body = m.explore.view()
	case m.screen == screenLine:
		body = m.line.view()
	case m.screen == screenCompare:
		body = m.compare.view()
	default:
		body = m.home.view()
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.titleLine())
	lines = append(lines, st.block(body, w, bh)...)
	if m.height > 1 {
		lines = append(lines, st.fit(m.footer(), w))
	}
	content := strings.Join(lines[:min(len(lines), m.height)], "\n")
	if m.c.ascii {
		content = asciiOnly(content)
	}
	v := tea.NewView(content)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "culprit"
	return v
}

func (m Model) titleLine() string {
	st := m.c.st
	left := st.Title.Render("culprit")
	switch m.screen {
	case screenHome:
		left += " " + st.Subtle.Render("home")
	case screenInvestigation:
		left += " " + st.Subtle.Render("investigation")
	case screenExplore:
		left += " " + st.Subtle.Render("explore")
	case screenLine:
		left += " " + st.Subtle.Render("line")
	case screenCompare:
		left += " " + st.Subtle.Render("before/after")
	}
	if m.showHelp {
		left += " " + st.Subtle.Render("help")
	}
	right := ""
	if m.pendingID != "" {
		right = "investigating " + query.SanitizeLine(m.pendingID) + " "
	}
	if m.loading() {
		right = m.spinner.View() + " " + right
	} else if m.spanKnown {
		right = fmt.Sprintf("%s events %s %s deploys", count(m.span.Events), st.G.Dot, count(m.span.Deploys))
	}
	if ls := m.liveStatus(); ls != "" {
		// What is live comes first; the counts go when both do not fit,
		// and a long list of followed paths is cut.
		if ansi.StringWidth(left)+ansi.StringWidth(ls)+ansi.StringWidth(right)+4 <= m.width {
			right = ls + " " + st.G.Dot + " " + right
		} else {
			right = st.trunc(ls, max(m.width-ansi.StringWidth(left)-2, 1))
		}
	}
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return st.trunc(left, m.width)
	}
	return left + strings.Repeat(" ", gap) + st.Subtle.Render(right)
}

func (m Model) footer() string {
	st := m.c.st
	if m.cmdline.Focused() {
		return m.cmdline.View()
	}
	if m.status != "" {
		if m.statusErr {
			return st.StatusErr.Render(m.status)
		}
		return st.Status.Render(m.status)
	}
	return m.help.ShortHelpView(m.bindings().ShortHelp())
}

// bindings are the keys of what is on screen.
func (m Model) bindings() bindings {
	k := m.c.keys
	switch {
	case m.showHelp:
		return k.helpHelp()
	case m.screen == screenInvestigation && m.inv.report != nil && !m.inv.report.Found:
		return k.notFoundHelp()
	case m.screen == screenInvestigation:
		return k.investigationHelp()
	case m.screen == screenExplore:
		return k.exploreHelp(m.explore.typing())
	case m.screen == screenLine:
		return k.lineHelp()
	case m.screen == screenCompare:
		return k.compareHelp()
	case m.home.empty():
		return bindings{short: []key.Binding{k.Quit}}
	default:
		return k.homeHelp(m.home.typing())
	}
}

// keyTable lists every binding, one "key  description" per cell, in as
// many columns as the width holds (filled top to bottom): no binding is
// cut off, whatever the width.
func (m Model) keyTable(groups [][]key.Binding) []string {
	st := m.c.st
	var keys, descs []string
	seen := map[string]bool{}
	kw := 0
	for _, g := range groups {
		for _, b := range g {
			if !b.Enabled() || seen[b.Help().Key] {
				continue
			}
			seen[b.Help().Key] = true
			keys, descs = append(keys, b.Help().Key), append(descs, b.Help().Desc)
			kw = max(kw, ansi.StringWidth(b.Help().Key))
		}
	}
	cellW := 0
	for _, d := range descs {
		cellW = max(cellW, kw+1+ansi.StringWidth(d))
	}
	cols := max(1, min((m.width+3)/(cellW+3), 3))
	colW := m.width
	if cols > 1 {
		colW = (m.width - 3*(cols-1)) / cols
	}
	if cols == 1 { // one column: long descriptions wrap under themselves
		var out []string
		for i := range keys {
			for j, l := range wrap(descs[i], max(m.width-kw-1, 10)) {
				k := strings.Repeat(" ", kw)
				if j == 0 {
					k = st.Key.Render(st.fit(keys[i], kw))
				}
				out = append(out, k+" "+st.Help.FullDesc.Render(l))
			}
		}
		return out
	}
	rows := (len(keys) + cols - 1) / cols
	out := make([]string, rows)
	for i := range keys {
		r, c := i%rows, i/rows
		cell := st.Key.Render(st.fit(keys[i], kw)) + " " + st.Help.FullDesc.Render(descs[i])
		if c > 0 {
			out[r] += "   "
		}
		if c < cols-1 {
			cell = st.fit(cell, colW)
		}
		out[r] += cell
	}
	for r := range out {
		out[r] = st.trunc(out[r], m.width)
	}
	return out
}

func (m Model) helpView() []string {
	st := m.c.st
	// m is a copy: clearing showHelp here makes bindings() describe the
	// screen under the help overlay without changing the running model.
	m.showHelp = false
	b := m.bindings()
	out := []string{st.Heading.Render("Keys"), ""}
	out = append(out, m.keyTable(b.FullHelp())...)
	out = append(out, "", st.Heading.Render("Everywhere"))
	out = append(out, wrap(": opens a command line that adds filters (search clauses) to what is on screen, :q quits; "+
		"esc goes back one step; q quits when no input holds text; ctrl+c always quits. "+
		"Mouse: the wheel scrolls the pane under the pointer, a click selects a pane or a row, a second click opens it.", m.width)...)
	out = append(out, "", st.Heading.Render("Search syntax"))
	out = append(out, wrap(`Words match any word of a line; "a phrase" matches words in order; `+
		`field:value for request_id service host version method path route user level error_type fingerprint; `+
		`status:>=500 and duration:>1000 (ms) for ranges; a clause prefixed with + must hold, with - must not. `+
		`In explore, 1-5 keep the last 15m/1h/6h/24h/all of the logs.`, m.width)...)
	out = append(out, "", st.Subtle.Render("? or esc closes this help."))
	return out
}
