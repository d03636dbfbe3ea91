package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// containsLine reports whether row of the screen shows group g (its count
// and the start of its message).
func containsLine(screen string, row int, g query.ErrorGroup) bool {
	lines := strings.Split(screen, "\n")
	return row < len(lines) && strings.Contains(lines[row], count(g.Count)) && strings.Contains(lines[row], g.Message[:6])
}

// rowOf is the terminal row at which pane p's content line `line` is
// drawn, from the layout (the title line is row 0).
func rowOf(t *testing.T, m invModel, p paneID, line int) (x, y int) {
	t.Helper()
	for y := 0; y < m.height; y++ {
		for _, x := range []int{2, m.width - 3} {
			if q, l, ok := m.paneAt(x, y); ok && q == p && l == line {
				return x, y + 1
			}
		}
	}
	t.Fatalf("pane %v line %d is not on screen", p, line)
	return 0, 0
}

func TestMouseWheelScrollsPaneUnderPointer(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := started(t, newFake(), sz[0], sz[1])
		m, _ = send(t, m, pasteMsg(regression))
		x, y := rowOf(t, m.inv, paneBlast, m.inv.off[paneBlast])
		before := m.inv.off[paneBlast]
		m, _ = send(t, m, tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelDown})
		if m.inv.off[paneBlast] != before+wheelStep {
			t.Errorf("%v: wheel down over the blast radius: offset %d, want %d", sz, m.inv.off[paneBlast], before+wheelStep)
		}
		if m.inv.focus != paneStack {
			t.Errorf("%v: the wheel moved the focus to %v", sz, m.inv.focus)
		}
		m, _ = send(t, m, tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelUp})
		if m.inv.off[paneBlast] != before {
			t.Errorf("%v: wheel up: offset %d, want %d", sz, m.inv.off[paneBlast], before)
		}
	}
}

func TestMouseClickSelectsThenOpens(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := started(t, newFake(), sz[0], sz[1])
		m, _ = send(t, m, pasteMsg(regression))
		x, y := rowOf(t, m.inv, paneTimeline, 0)
		m, _ = send(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
		if m.inv.focus != paneTimeline || m.inv.cur[paneTimeline] != 0 || m.screen != screenInvestigation {
			t.Fatalf("%v: click on the first timeline line: focus %v cursor %d screen %v", sz, m.inv.focus, m.inv.cur[paneTimeline], m.screen)
		}
		m, _ = send(t, m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
		if m.screen != screenLine || m.line.ev.Message != "incoming request" {
			t.Fatalf("%v: second click: screen %v line %q, want the line view", sz, m.screen, m.line.ev.Message)
		}
	}
}

func TestMouseHome(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := started(t, newFake(), sz[0], sz[1])
		hit := -1
		var y int
		for y = 0; y < sz[1]; y++ {
			if i, ok := m.home.rowAt(y); ok && i == 1 {
				hit = i
				break
			}
		}
		if hit < 0 {
			t.Fatalf("%v: the second group row is not on screen", sz)
		}
		if got := screenText(m); !containsLine(got, y+1, m.home.groups[1]) {
			t.Fatalf("%v: row %d of the screen does not show group 1:\n%s", sz, y+1, got)
		}
		m, _ = send(t, m, tea.MouseClickMsg{X: 5, Y: y + 1, Button: tea.MouseLeft})
		if !m.home.listFocus || m.home.sel != 1 {
			t.Fatalf("%v: click on group 1: focus %v sel %d", sz, m.home.listFocus, m.home.sel)
		}
		m, _ = send(t, m, tea.MouseWheelMsg{X: 5, Y: y + 1, Button: tea.MouseWheelDown})
		if m.home.sel != min(1+wheelStep, len(m.home.groups)-1) {
			t.Errorf("%v: wheel down: sel %d", sz, m.home.sel)
		}
	}
}

func TestMouseExplore(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := started(t, newFake(), sz[0], sz[1])
		m, _ = send(t, m, openExploreMsg{query: "failed"})
		// Find the screen row of result 2 by its text.
		e, _ := m.explore.event(2)
		y := -1
		for i, l := range strings.Split(screenText(m), "\n") {
			if strings.Contains(l, clock(e.Time, false)) {
				y = i
				break
			}
		}
		if y < 0 {
			t.Fatalf("%v: result 2 is not on screen", sz)
		}
		m, _ = send(t, m, tea.MouseClickMsg{X: 4, Y: y, Button: tea.MouseLeft})
		if m.explore.focus != focusResults || m.explore.cursor != 2 {
			t.Fatalf("%v: click on result 2: focus %v cursor %d", sz, m.explore.focus, m.explore.cursor)
		}
		m, _ = send(t, m, tea.MouseClickMsg{X: 4, Y: y, Button: tea.MouseLeft})
		if m.screen != screenInvestigation {
			t.Errorf("%v: a second click did not open the line's request (screen %v)", sz, m.screen)
		}
		// A click on the input focuses it.
		m2 := started(t, newFake(), sz[0], sz[1])
		m2, _ = send(t, m2, openExploreMsg{query: "failed"})
		m2, _ = send(t, m2, tea.MouseClickMsg{X: 10, Y: 1, Button: tea.MouseLeft})
		if !m2.explore.typing() {
			t.Errorf("%v: a click on the query line did not focus the input", sz)
		}
	}
}
