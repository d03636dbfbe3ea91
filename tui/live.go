package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// The TUI follows new data by itself: every liveEvery it asks the index's
// span again (a cheap call, through the writer's socket when an ingest
// runs), and when it changed it refreshes what is on screen: the span, the
// histogram and the error groups of the home screen, explore's query when
// explore follows (F, explorefollow.go), an open investigation or
// comparison. The selected group stays selected (found again by
// fingerprint), so the cursor does not jump under the user. p pauses all of
// it. See docs/follow.md.
//
// A refresh is one command that asks for everything, one query after the
// other, and one message that applies it all (one frame, no half-updated
// screen). Its queries run on the writer while it ingests, and cost more as
// the index grows: so at most one refresh is in flight, and after one that
// took d the next waits until liveCost*d has passed (ticks are skipped),
// which keeps a TUI from taking more than 1/(1+liveCost) of the writer's
// time however large the index, instead of piling queries up.

// liveEvery is how often the TUI looks for new data.
const liveEvery = time.Second

// liveCost is how many times its own duration a refresh waits before the
// next one.
const liveCost = 4

// rateWindow is how far back the ingest rate of the title line looks.
const rateWindow = 10 * time.Second

// liveState is what the title line says about live data.
type liveState struct {
	paused  bool
	samples []liveSample // event counts seen within rateWindow, oldest first
	arrived time.Time    // when the event count last grew (zero: not seen)

	refreshing bool // a refresh is in flight
	skip       int  // looks to let pass before the next refresh
	every      int  // looks between refreshes, as the last one's cost set it
}

type liveSample struct {
	at     time.Time
	events int
}

// observe records the event count seen at now.
func (l liveState) observe(events int, now time.Time) liveState {
	if n := len(l.samples); n > 0 && events > l.samples[n-1].events {
		l.arrived = now
	}
	keep := l.samples[:0:0]
	for _, s := range l.samples {
		if now.Sub(s.at) <= rateWindow {
			keep = append(keep, s)
		}
	}
	l.samples = append(keep, liveSample{now, events})
	return l
}

// rate is the events indexed per second over the samples, and whether
// there are enough to say.
func (l liveState) rate() (float64, bool) {
	if len(l.samples) < 2 {
		return 0, false
	}
	a, b := l.samples[0], l.samples[len(l.samples)-1]
	dt := b.at.Sub(a.at).Seconds()
	if dt <= 0 {
		return 0, false
	}
	return float64(max(b.events-a.events, 0)) / dt, true
}

// liveTickMsg asks for a look at the span; liveSpanMsg answers it (tick:
// the look of a tick, which schedules the next).
type (
	liveTickMsg struct{}
	liveSpanMsg struct {
		span query.Span
		err  error
		tick bool
	}
	// liveRefreshMsg carries every answer of one refresh, and how long
	// they took.
	liveRefreshMsg struct {
		msgs []tea.Msg
		took time.Duration
	}
	// liveGroupsMsg is a groupsMsg fetched because data arrived.
	liveGroupsMsg struct{ groupsMsg }
	// liveReportMsg is the open investigation's request, investigated
	// again because data arrived.
	liveReportMsg struct {
		report *query.Report
		err    error
	}
	// liveCompareMsg is the open comparison, made again because data
	// arrived (up to the newest line at asOf).
	liveCompareMsg struct {
		compareMsg
		asOf time.Time
	}
)

func (m Model) liveTick() tea.Cmd {
	return m.c.tick(liveEvery, func(time.Time) tea.Msg { return liveTickMsg{} })
}

// togglePause pauses or resumes live updates.
func (m Model) togglePause() (Model, tea.Cmd) {
	m.feed.paused = !m.feed.paused
	if m.feed.paused {
		return m.setStatus("live updates paused (p resumes)", false)
	}
	m.feed.samples = nil // the rate restarts from now
	m, cmd := m.setStatus("live updates resumed", false)
	ctx, b := m.c.ctx, m.c.b
	m.feed.skip = 0
	return m, tea.Batch(cmd, func() tea.Msg { // look at once
		s, err := b.Span(ctx)
		return liveSpanMsg{span: s, err: err}
	})
}

// live handles the messages of the refresh; ok is false for any other.
func (m Model) live(msg tea.Msg) (_ Model, _ tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case liveTickMsg:
		if m.feed.paused {
			return m, m.liveTick(), true
		}
		ctx, b := m.c.ctx, m.c.b
		return m, func() tea.Msg {
			s, err := b.Span(ctx)
			return liveSpanMsg{span: s, err: err, tick: true}
		}, true
	case liveSpanMsg:
		var next tea.Cmd
		if msg.tick {
			next = m.liveTick()
		}
		if msg.err != nil || !m.spanKnown || m.feed.paused {
			return m, next, true
		}
		m.feed = m.feed.observe(msg.span.Events, m.c.now())
		if m.feed.skip > 0 {
			m.feed.skip--
		}
		stale := msg.span != m.span || (m.screen == screenHome && m.home.stale)
		if !stale || m.feed.refreshing || m.feed.skip > 0 {
			// Nothing new, or not yet: the span still differs at a later
			// look.
			return m, next, true
		}
		m, rc := m.refresh(msg.span)
		return m, tea.Batch(next, rc), true
	case liveRefreshMsg:
		m.feed.refreshing = false
		m.feed.every = int(liveCost * msg.took / liveEvery)
		m.feed.skip = m.feed.every
		cmds := make([]tea.Cmd, 0, len(msg.msgs))
		for _, sub := range msg.msgs {
			var cmd tea.Cmd
			m, cmd = m.update(sub)
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...), true
	case liveReportMsg:
		if msg.err == nil && m.screen == screenInvestigation {
			m.inv = m.inv.refreshed(msg.report)
		}
		return m, nil, true
	case liveCompareMsg:
		// A failed or empty comparison keeps the one on screen.
		if msg.seq == m.cmpSeq && m.screen == screenCompare && msg.err == nil && msg.cmp != nil {
			m.compare.cmp, m.compare.asOf = msg.cmp, msg.asOf
		}
		return m, nil, true
	case liveGroupsMsg:
		fp := ""
		if g, ok := m.home.selected(); ok {
			fp = g.Fingerprint
		}
		var cmd tea.Cmd
		m.home.sparksAsked = false // sparklines of the new counts, and of new groups
		m.home, cmd = m.home.update(msg.groupsMsg)
		for i, g := range m.home.groups {
			if fp != "" && g.Fingerprint == fp {
				m.home.sel = i
				if m.home.sel < m.home.top {
					m.home.top = m.home.sel
				}
				if rows := m.home.listRows(); rows > 0 && m.home.sel >= m.home.top+rows {
					m.home.top = m.home.sel - rows + 1
				}
				break
			}
		}
		return m, cmd, true
	}
	return m, nil, false
}

// refresh starts a refresh of what is on screen for span: one command
// that asks for it all.
func (m Model) refresh(span query.Span) (Model, tea.Cmd) {
	m.feed.refreshing = true
	ctx, b := m.c.ctx, m.c.b
	parts := []tea.Cmd{func() tea.Msg { return spanMsg{span: span} }}
	// The error groups and the error histogram are questions about the
	// whole index: they are asked only while home is on screen, and at the
	// first look after it is shown again.
	m.home.stale = m.screen != screenHome
	if !m.home.stale {
		m.home.groupsSeq++
		m.home.histSeq++
		seq := m.home.groupsSeq
		parts = append(parts, func() tea.Msg {
			if g, ok := groupsCmd(ctx, b, seq)().(groupsMsg); ok {
				return liveGroupsMsg{g}
			}
			return nil
		})
		if w := m.home.width - 2; w >= 10 && span.Events > 0 {
			// The histogram's width stays: spanMsg does not ask it again.
			m.home.histWidth = w
			parts = append(parts, homeHistCmd(ctx, b, m.home.histSeq, span, w))
		}
	}
	switch {
	case m.screen == screenExplore:
		var ec tea.Cmd
		m.explore, ec = m.explore.refresh(span)
		parts = append(parts, ec)
	case m.screen == screenInvestigation && m.inv.report != nil && m.inv.report.Group != nil:
		id := m.inv.report.RequestID
		parts = append(parts, func() tea.Msg {
			r, err := b.Request(ctx, id)
			return liveReportMsg{r, err}
		})
	case m.screen == screenCompare && m.compare.report != nil:
		m.cmpSeq++
		cc := compareCmd(ctx, b, m.cmpSeq, m.compare.report)
		parts = append(parts, func() tea.Msg { return liveCompareMsg{cc().(compareMsg), span.Last} })
	}
	now := m.c.now // the TUI's clock: tests' fixed one makes every refresh free
	return m, func() tea.Msg {
		start := now()
		var msgs []tea.Msg
		for _, p := range parts {
			msgs = appendRun(msgs, p)
		}
		return liveRefreshMsg{msgs: msgs, took: now().Sub(start)}
	}
}

// appendRun runs cmd, and the commands of a batch it returns, one after
// the other, and appends their messages to msgs.
func appendRun(msgs []tea.Msg, cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return msgs
	}
	switch msg := cmd().(type) {
	case nil:
		return msgs
	case tea.BatchMsg:
		for _, c := range msg {
			msgs = appendRun(msgs, c)
		}
		return msgs
	default:
		return append(msgs, msg)
	}
}

// liveStatus is the title line's word on live data: paused, or what is
// followed, the ingest rate and when the last line arrived. It is empty
// when the TUI only reads and nothing arrived.
func (m Model) liveStatus() string {
	st := m.c.st
	if m.feed.paused {
		return st.Selected.Render("PAUSED (p)")
	}
	var parts []string
	if fl := m.opts.Following; len(fl) > 0 {
		names := make([]string, len(fl))
		for i, f := range fl {
			names[i] = query.SanitizeLine(f)
		}
		parts = append(parts, "following "+strings.Join(names, " "))
	}
	if r, ok := m.feed.rate(); ok && (len(m.opts.Following) > 0 || !m.feed.arrived.IsZero()) {
		parts = append(parts, fmt.Sprintf("%s ev/s", count(int(r+0.5))))
	}
	if !m.feed.arrived.IsZero() {
		parts = append(parts, "last line "+ago(m.feed.arrived, m.c.now()))
	}
	if m.feed.every > 0 {
		// The index is large or the writer busy: say so, rather than look
		// stuck.
		parts = append(parts, "updates every "+(time.Duration(m.feed.every+1)*liveEvery).String())
	}
	return strings.Join(parts, " "+st.G.Dot+" ")
}
