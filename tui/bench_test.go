package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// BenchmarkInvestigationView measures the TUI's share of "Enter to drawn":
// the report arrives, the investigation is built for the window and drawn.
// (The query itself is the Backend's; the budget for both is 150 ms.)
func BenchmarkInvestigationView(b *testing.B) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		b.Run(sizeName(sz), func(b *testing.B) {
			f := newFake()
			m := started(b, f, sz[0], sz[1])
			rep, _ := f.Request(b.Context(), regression)
			m.reqSeq, m.pendingID = 1, regression
			b.ReportAllocs()
			for b.Loop() {
				nm, _ := m.Update(reportMsg{seq: 1, id: regression, report: rep})
				_ = nm.(Model).View()
			}
		})
	}
}

// BenchmarkExploreScroll: one cursor step in a results table of 500,000
// hits, pages already loaded, and the redraw.
func BenchmarkExploreScroll(b *testing.B) {
	f := newFake()
	f.virtual = 500_000
	m := started(b, f, 120, 40)
	m, _ = send(b, m, openExploreMsg{query: "x"})
	down, up := tea.KeyPressMsg{Code: tea.KeyDown}, tea.KeyPressMsg{Code: tea.KeyUp}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := down
		if i%200 >= 100 {
			k = up
		}
		i++
		nm, _ := m.Update(k)
		m = nm.(Model)
		_ = m.View()
	}
}

func sizeName(sz [2]int) string {
	return itoa(sz[0]) + "x" + itoa(sz[1])
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
