package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// oddReports are reports a Backend may legitimately return, or that hostile
// logs may produce: they must draw without panicking or breaking the layout.
func oddReports() map[string]*query.Report {
	long := strings.Repeat("x", 5000)
	wide := strings.Repeat("訂單錯誤", 40)
	full := regressionReport()
	hostileAll := regressionReport()
	hostileAll.RequestID = "r-\x1b[31m-1"
	hostileAll.Services = []string{hostile, wide}
	hostileAll.Error.Stack = hostile + "\n\t" + hostile + "\n" + long
	hostileAll.Error.Type = hostile
	hostileAll.Verdict.Summary = hostile + wide
	hostileAll.Verdict.Evidence = []string{hostile, long}
	hostileAll.DeploysNearby[0].Author = hostile
	hostileAll.BlastRadius.Endpoints = append(hostileAll.BlastRadius.Endpoints, query.EndpointCount{Route: wide, Count: 0})
	hostileAll.BlastRadius.Outliers = append(hostileAll.BlastRadius.Outliers, query.Outlier{Field: hostile, Value: long})
	return map[string]*query.Report{
		"zero":            {RequestID: "r-zero", Found: true},
		"not found":       {RequestID: "r-nf"},
		"not found, hint": {RequestID: "r-nf", Hint: "Nearest:\n  r-1\n  r-2\t(tab)\n" + hostile},
		"error only":      {RequestID: "r-e", Found: true, Error: &query.RootError{}},
		"empty group":     {RequestID: "r-g", Found: true, Error: &query.RootError{Stack: "\n\n"}, Group: &query.Group{}, BlastRadius: &query.BlastRadius{}, Verdict: &query.Verdict{}},
		"one bucket":      {RequestID: "r-b", Found: true, Group: &query.Group{Histogram: []query.TimeBucket{{Start: t0, Count: 3}}}, Deploy: &query.DeployRef{Time: t0}},
		"full":            full,
		"hostile":         hostileAll,
		"many events": func() *query.Report {
			r := regressionReport()
			for i := range 3000 {
				r.Events = append(r.Events, query.ReportEvent{Time: t0.Add(time.Duration(i) * time.Millisecond), Service: "svc", Level: "info", Message: long})
			}
			r.EventsTotal = 50_000
			return r
		}(),
	}
}

func TestOddReportsDraw(t *testing.T) {
	sizes := [][2]int{{1, 1}, {2, 3}, {10, 5}, {80, 24}, {119, 19}, {120, 40}, {300, 80}}
	for name, r := range oddReports() {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				m := newTestModel(t, newFake(), sz[0], sz[1])
				m, _ = drain(t, m, m.Init())
				m.reqSeq = 99
				m, _ = send(t, m, reportMsg{seq: 99, id: r.RequestID, report: r})
				checkLayout(t, m, sz[0], sz[1])
				for _, k := range []string{"tab", "G", "j", "pgdown", "shift+tab", "g", "k", "?", "?", "y"} {
					m, _ = send(t, m, keyPress(k))
				}
				checkLayout(t, m, sz[0], sz[1])
				if strings.Contains(m.View().Content, "\x1b[31m-1") {
					t.Error("an escape sequence from the report reached the screen")
				}
			})
		}
	}
}

func TestOddExploreData(t *testing.T) {
	f := newFake()
	// Lines that are not JSON, invalid JSON, huge and hostile.
	for i, raw := range []string{"plain text line " + hostile, `{"broken": `, `{"stack":"` + strings.Repeat(`a\n`, 500) + `"}`, strings.Repeat("{", 100), ""} {
		e := f.events[i]
		e.Raw, e.Text = []byte(raw), !strings.HasPrefix(raw, "{")
		e.Message = "odd " + raw
		f.events[i] = e
	}
	m := started(t, f, 100, 30)
	m, _ = send(t, m, openExploreMsg{query: "odd"})
	for range 6 {
		checkLayout(t, m, 100, 30)
		m, _ = send(t, m, keyPress("j"))
		m, _ = send(t, m, keyPress("tab"))
		m, _ = send(t, m, keyPress("G"))
		m, _ = send(t, m, keyPress("shift+tab"))
	}
	var _ tea.Msg
}
