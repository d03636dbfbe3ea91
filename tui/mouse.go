package tui

import (
	tea "charm.land/bubbletea/v2"
)

// wheelStep is how many lines one notch of the mouse wheel scrolls.
const wheelStep = 3

// Mouse: the wheel scrolls what is under the pointer (a pane of the
// investigation) or the screen's list; a click focuses the pane under it
// and puts the cursor on the row it hit, and a click on the row that
// already has the cursor opens it, as enter does. Coordinates are the
// terminal's: row 0 is the title line, the screen's body starts at row 1.

func (m Model) wheel(msg tea.MouseWheelMsg) (Model, tea.Cmd) {
	if m.showHelp {
		return m, nil
	}
	dir := 0
	switch msg.Button {
	case tea.MouseWheelUp:
		dir = -1
	case tea.MouseWheelDown:
		dir = 1
	default:
		return m, nil
	}
	if m.screen == screenInvestigation && m.inv.report != nil && m.inv.report.Found {
		if p, _, ok := m.inv.paneAt(msg.X, msg.Y-1); ok {
			m.inv.scroll(p, dir*wheelStep)
			return m, nil
		}
		return m, nil
	}
	k := tea.KeyPressMsg{Code: tea.KeyDown}
	if dir < 0 {
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	}
	if m.screen == screenHome && m.home.typing() {
		// The wheel scrolls the list, not the input.
		m.home.listFocus = true
		m.home.input.Blur()
	}
	var cmds []tea.Cmd
	for range wheelStep {
		var cmd tea.Cmd
		m, cmd = m.updateScreen(k)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

func (m Model) click(msg tea.MouseClickMsg) (Model, tea.Cmd) {
	if m.showHelp || msg.Button != tea.MouseLeft {
		return m, nil
	}
	y := msg.Y - 1
	switch m.screen {
	case screenInvestigation:
		if m.inv.report == nil || !m.inv.report.Found {
			return m, nil
		}
		p, line, ok := m.inv.paneAt(msg.X, y)
		if !ok {
			return m, nil
		}
		again := m.inv.focus == p && line >= 0 && m.inv.cur[p] == line
		m.inv.focus = p
		if line >= 0 && line < len(m.inv.targets[p]) && m.inv.targets[p][line].kind != targetNone {
			m.inv.cur[p] = line
			if again {
				var cmd tea.Cmd
				m.inv, cmd = m.inv.update(tea.KeyPressMsg{Code: tea.KeyEnter})
				return m, cmd
			}
		}
	case screenExplore:
		f, row, ok := m.explore.hit(msg.X, y)
		if !ok {
			return m, nil
		}
		again := m.explore.focus == f && f == focusResults && row == m.explore.cursor
		m.explore.setFocus(f)
		if f == focusResults && row >= 0 {
			if again {
				return m.updateScreen(tea.KeyPressMsg{Code: tea.KeyEnter})
			}
			prev := m.explore.cursor
			m.explore.cursor = row
			var cmd tea.Cmd
			m.explore, cmd = m.explore.moved(prev)
			return m, cmd
		}
	case screenHome:
		if i, ok := m.home.rowAt(y); ok {
			again := m.home.listFocus && m.home.sel == i
			m.home.listFocus = true
			m.home.input.Blur()
			m.home.sel = i
			if again {
				return m.updateScreen(tea.KeyPressMsg{Code: tea.KeyEnter})
			}
		} else if y == 1 { // the input line
			m.home.listFocus = false
			m.home.input.Focus()
		}
	}
	return m, nil
}

// paneAt is the pane at body coordinates (x, y) and the content line
// under them (-1 on the pane's title rule).
func (m invModel) paneAt(x, y int) (paneID, int, bool) {
	l := m.layout()
	top := 1 + len(l.banner) // the header line, then the banner
	_, lw, _ := m.columns()
	ci := 0
	if l.wide && x > lw {
		ci = 1
	} else if l.wide && x == lw {
		return 0, 0, false // the gap between the columns
	}
	row := top
	for _, p := range l.column[ci] {
		if y == row {
			return p, -1, true
		}
		if y > row && y <= row+l.vis[p] {
			off := clampOffset(m.off[p], len(m.lines[p]), l.vis[p])
			line := off + y - row - 1
			if line >= len(m.lines[p]) {
				return p, -1, true
			}
			return p, line, true
		}
		row += 1 + l.vis[p]
	}
	return 0, 0, false
}

// scroll moves pane p's view by n lines; the cursor follows when it would
// leave the view.
func (m *invModel) scroll(p paneID, n int) {
	vis := m.layout().vis[p]
	m.off[p] = clampOffset(m.off[p]+n, len(m.lines[p]), vis)
	focus := m.focus
	m.focus = p
	m.cursorIntoView(vis)
	m.focus = focus
}

// hit is the explore part at body coordinates (x, y) and, on the
// results, the result index under them (-1 on the title rule).
func (m exploreModel) hit(x, y int) (exploreFocus, int, bool) {
	l := m.layout()
	if y == 0 {
		return focusInput, -1, true
	}
	top := 2 + l.histRows
	resultsEnd := top + 1 + l.results // rule + rows
	detailEnd := resultsEnd + 1 + l.detail
	if l.wide {
		detailEnd = resultsEnd
	}
	row := func() int {
		if y == top {
			return -1
		}
		i := follow(m.top, m.cursor, l.results) + y - top - 1
		if !m.totalKnown || i >= m.total {
			return -1
		}
		return i
	}
	switch {
	case y < top:
		return 0, 0, false
	case l.wide && y < resultsEnd && x > l.resultsW:
		return focusDetail, -1, true
	case y < resultsEnd:
		return focusResults, row(), true
	case !l.wide && y < detailEnd:
		return focusDetail, -1, true
	case l.facetLines > 0 && y < detailEnd+1+l.facetLines:
		return focusFacets, -1, true
	}
	return 0, 0, false
}

// rowAt is the error group drawn at body row y, if any.
func (m homeModel) rowAt(y int) (int, bool) {
	if m.empty() || !m.groupsKnown || len(m.groups) == 0 {
		return 0, false
	}
	first := 3 // intro, input, blank
	if c := chartRows(m.height); c > 0 {
		first += len(m.chartView(m.width, c)) + 1
	}
	first += 2 // rule, header
	rows := m.listRows()
	top := follow(m.top, m.sel, rows)
	i := top + y - first
	if y < first || y >= first+rows || i >= len(m.groups) {
		return 0, false
	}
	return i, true
}
