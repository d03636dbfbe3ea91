package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// Explore's follow mode (F, as in less): while it is on, each time the
// index moves (live.go notices it) the query runs again in the background.
// Until the new first page is there the screen keeps showing what it
// showed: the old pages stay as the "stale" rows, shifted by the number of
// rows that arrived, so nothing is cleared and nothing flickers. The cursor
// never moves under the user: at the newest end it stays there (the new rows
// come into view, as less's F does); scrolled away, it stays on the same
// line and the status line counts the rows that arrived ("N new"), until
// the user goes back to the newest end. See docs/follow.md.

// toggleFollow turns follow mode on (going to the newest end and looking
// for news at once) or off.
func (m exploreModel) toggleFollow() (exploreModel, tea.Cmd) {
	m.following = !m.following
	if !m.following {
		return m, statusCmd("follow off", false)
	}
	prev := m.cursor
	m.cursor, m.newRows = m.newestRow(), 0
	m, cmd := m.moved(prev)
	m, rc := m.refresh(m.span)
	return m, tea.Batch(cmd, rc, statusCmd("following: new matching lines come in as they are indexed (F stops)", false))
}

// newestRow is the row of the newest line in the current order.
func (m exploreModel) newestRow() int {
	if m.oldest {
		return max(m.total-1, 0)
	}
	return 0
}

// atNewest reports whether the cursor is on the newest line.
func (m exploreModel) atNewest() bool { return m.cursor == m.newestRow() }

// refresh runs the query again over span, keeping what is on screen until
// the answers arrive. It does nothing unless following a query that has
// answered.
func (m exploreModel) refresh(span query.Span) (exploreModel, tea.Cmd) {
	if !m.following || !m.ran || !m.totalKnown {
		return m, nil
	}
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(m.c.ctx)
	m.gen, m.cancel = ctx, cancel
	m.seq++
	m.span = span
	if !m.refreshing {
		// A refresh superseding one still waiting keeps the older rows:
		// the pages of the superseded one are not all there.
		m.stale, m.staleShift = m.pages, 0
	}
	m.refreshing = true
	m.err, m.jump = nil, 0
	m.pages = map[int][]query.Event{}
	m.inflight = map[int]bool{0: true}
	return m, tea.Batch(
		pageCmd(ctx, m.c.b, m.seq, m.searchOptions(), 0),
		facetsCmd(ctx, m.c.b, m.seq, m.filter()),
		m.histCmd(ctx),
	)
}

// settle places the refreshed results, total rows now, under the cursor:
// rows that arrived are counted, and the cursor stays on its line unless it
// was on the newest one.
func (m exploreModel) settle(total int) exploreModel {
	m.refreshing = false
	delta := total - m.total
	tailing := m.atNewest()
	if !m.oldest {
		// Newest first: the new rows come in at the top, pushing the others
		// down.
		m.staleShift += delta
		if !tailing && delta > 0 {
			m.cursor += delta
			m.top += delta
		}
	}
	if !tailing && delta > 0 {
		m.newRows += delta
	}
	m.total = total
	if tailing {
		m.cursor = m.newestRow()
		m.top = follow(m.top, m.cursor, max(m.rows(), 1))
	}
	m.cursor = min(max(m.cursor, 0), max(total-1, 0))
	m.top = min(max(m.top, 0), m.cursor)
	return m
}

// staleEvent is row i from the rows shown before a refresh, while the
// refresh's page for it is not there yet.
func (m exploreModel) staleEvent(i int) (query.Event, bool) {
	if m.stale == nil {
		return query.Event{}, false
	}
	j := i - m.staleShift
	if j < 0 {
		return query.Event{}, false
	}
	evs, ok := m.stale[j/pageSize]
	if !ok || j%pageSize >= len(evs) {
		return query.Event{}, false
	}
	return evs[j%pageSize], true
}
