package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// The TUI follows new data by itself: every liveEvery it asks the index's
// span again (a cheap call, through the writer's socket when an ingest
// runs), and when it changed it fetches the span, the histogram and the
// error groups of the home screen anew. The selected group stays selected
// (found again by fingerprint), so the cursor does not jump under the user.
// See docs/follow.md.

// liveEvery is how often the TUI looks for new data.
const liveEvery = time.Second

// liveTickMsg asks for a look at the span; liveSpanMsg answers it.
type (
	liveTickMsg struct{}
	liveSpanMsg struct {
		span query.Span
		err  error
	}
	// liveGroupsMsg is a groupsMsg fetched because data arrived.
	liveGroupsMsg struct{ groupsMsg }
)

func (m Model) liveTick() tea.Cmd {
	return m.c.tick(liveEvery, func(time.Time) tea.Msg { return liveTickMsg{} })
}

// live handles the messages of the refresh; ok is false for any other.
func (m Model) live(msg tea.Msg) (_ Model, _ tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case liveTickMsg:
		ctx, b := m.c.ctx, m.c.b
		return m, func() tea.Msg {
			s, err := b.Span(ctx)
			return liveSpanMsg{s, err}
		}, true
	case liveSpanMsg:
		next := m.liveTick()
		if msg.err != nil || !m.spanKnown || msg.span == m.span {
			return m, next, true
		}
		m.home.groupsSeq++
		m.home.histWidth = 0 // the histogram is asked again with the new span
		seq, ctx, b := m.home.groupsSeq, m.c.ctx, m.c.b
		span := func() tea.Msg { return spanMsg{span: msg.span} }
		groups := func() tea.Msg {
			if g, ok := groupsCmd(ctx, b, seq)().(groupsMsg); ok {
				return liveGroupsMsg{g}
			}
			return nil
		}
		return m, tea.Batch(next, span, groups), true
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
