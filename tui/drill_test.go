package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/culprit-dev/culprit/query"
)

// focusPane tabs the investigation to pane p.
func focusPane(t *testing.T, m Model, p paneID) Model {
	t.Helper()
	for range numPanes {
		if m.inv.focus == p {
			return m
		}
		m, _ = send(t, m, keyPress("tab"))
	}
	t.Fatalf("tab never reached pane %v", p)
	return m
}

// timelineLine opens the line view on the regression's panic line.
func timelineLine(t *testing.T, m Model) Model {
	t.Helper()
	m, _ = send(t, m, pasteMsg(regression))
	m = focusPane(t, m, paneTimeline)
	for range 3 {
		m, _ = send(t, m, keyPress("j"))
	}
	m, _ = send(t, m, keyPress("enter"))
	return m
}

// stackFrame opens explore on the culprit frame of the regression.
func stackFrame(t *testing.T, m Model) Model {
	t.Helper()
	m, _ = send(t, m, pasteMsg(regression))
	m = focusPane(t, m, paneStack)
	m, _ = send(t, m, keyPress("enter"))
	return m
}

func TestTimelineEnterOpensLine(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := timelineLine(t, started(t, newFake(), sz[0], sz[1]))
			if m.screen != screenLine || m.line.ev.Message != "panic recovered" {
				t.Fatalf("screen %v line %q, want the line view of the panic line", m.screen, m.line.ev.Message)
			}
			out := screenText(m)
			// The JSON is pretty-printed and wrapped, never cut.
			for _, want := range []string{`"host": "orders-7c9f-2"`, "must wrap instead of", `\u001b[31mred`} {
				if !strings.Contains(strings.ReplaceAll(out, "\n ", ""), want) && !strings.Contains(out, want) {
					t.Errorf("line view lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(m.View().Content, "\x1b[31mred") {
				t.Error("the line's escape reached the terminal")
			}
			checkLayout(t, m, sz[0], sz[1])
			golden.RequireEqual(t, out)

			// y copies the line, sanitised.
			_, d := send(t, m, keyPress("y"))
			var clip string
			for _, msg := range d.msgs {
				if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
					clip = fmt.Sprint(msg)
				}
			}
			if !strings.Contains(clip, `"host":"orders-7c9f-2"`) || strings.ContainsRune(clip, 0x1b) {
				t.Errorf("y copied %q, want the raw line without escapes", clip)
			}
			// esc goes back to the investigation, cursor where it was.
			back, _ := send(t, m, keyPress("esc"))
			if back.screen != screenInvestigation || back.inv.cur[paneTimeline] != 3 {
				t.Errorf("esc: screen %v cursor %d, want the investigation at timeline line 3", back.screen, back.inv.cur[paneTimeline])
			}
		})
	}
}

func TestLineContext(t *testing.T) {
	m := timelineLine(t, started(t, newFake(), 120, 40))
	m, _ = send(t, m, keyPress("c"))
	if m.screen != screenExplore {
		t.Fatalf("c: screen %v, want explore", m.screen)
	}
	q := m.explore.query
	for _, want := range []string{"+service:orders", "+host:orders-7c9f-2", `+time:>="2025-11-25T15:10:42.106Z"`, `+time:<="2025-11-25T15:11:42.106Z"`} {
		if !strings.Contains(q, want) {
			t.Errorf("context query %q lacks %q", q, want)
		}
	}
	// From the investigation directly, c on a timeline line does the same.
	m2 := started(t, newFake(), 80, 24)
	m2, _ = send(t, m2, pasteMsg(regression))
	m2 = focusPane(t, m2, paneTimeline)
	m2, _ = send(t, m2, keyPress("c"))
	if m2.screen != screenExplore || !strings.Contains(m2.explore.query, "+service:gateway") {
		t.Errorf("c on the first timeline line: screen %v query %q", m2.screen, m2.explore.query)
	}
}

func TestStackFrameEnterSearchesFrame(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := stackFrame(t, started(t, newFake(), sz[0], sz[1]))
			if m.screen != screenExplore || m.explore.query != `stack:"main.applyDiscount"` {
				t.Fatalf("enter on the culprit frame: screen %v query %q", m.screen, m.explore.query)
			}
			if !m.explore.totalKnown || m.explore.total == 0 {
				t.Fatalf("no event matches the frame")
			}
			for i := range min(m.explore.total, pageSize) {
				e, ok := m.explore.event(i)
				if ok && !strings.Contains(e.Stack, "main.applyDiscount") {
					t.Fatalf("result %d has no such frame: %q", i, e.Message)
				}
			}
			checkLayout(t, m, sz[0], sz[1])
			golden.RequireEqual(t, screenText(m))

			// Oldest first: the frame's first occurrence is on top, and c
			// opens the lines around it.
			first, _ := m.explore.event(0)
			second, _ := m.explore.event(1)
			if !m.explore.oldest || second.Time.Before(first.Time) || !strings.Contains(screenText(m), "oldest first") {
				t.Fatalf("results are not oldest first: %v then %v", first.Time, second.Time)
			}
			m, _ = send(t, m, keyPress("c"))
			want := contextAround(first.Service, first.Host, first.Time)
			if m.explore.query != want || !m.explore.totalKnown || m.explore.total == 0 {
				t.Errorf("c on the first occurrence: query %q (%d hits), want %q", m.explore.query, m.explore.total, want)
			}
		})
	}
}

func TestStackFrameArgumentsDropped(t *testing.T) {
	m := started(t, newFake(), 120, 40)
	m, _ = send(t, m, pasteMsg(regression))
	m = focusPane(t, m, paneStack)
	m, _ = send(t, m, keyPress("j")) // the file line of the culprit frame
	m, _ = send(t, m, keyPress("j")) // main.(*server).getOrder(0xc0001a2000, …)
	m, _ = send(t, m, keyPress("enter"))
	if m.explore.query != `stack:"main.(*server).getOrder"` || m.explore.total == 0 {
		t.Fatalf("enter on a frame with arguments: query %q, %d hits", m.explore.query, m.explore.total)
	}
}

func TestBlastRowEnterFilters(t *testing.T) {
	m := started(t, newFake(), 120, 40)
	m, _ = send(t, m, pasteMsg(regression))
	m = focusPane(t, m, paneBlast)
	if tg, ok := m.inv.selected(); !ok || !strings.Contains(tg.query, `route:"GET /api/orders/{id}"`) {
		t.Fatalf("blast cursor starts on %+v, want the endpoint row", tg)
	}
	m, _ = send(t, m, keyPress("j")) // the first user
	m, _ = send(t, m, keyPress("enter"))
	if want := "+fingerprint:" + panicFP + " +user:u-legacy-07"; m.screen != screenExplore || m.explore.query != want {
		t.Fatalf("enter on a user row: screen %v query %q, want %q", m.screen, m.explore.query, want)
	}
}

func TestEnterOnPaneWithoutTargets(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, pasteMsg(regression))
	m = focusPane(t, m, paneDeploys)
	m, _ = send(t, m, keyPress("enter"))
	if m.screen != screenInvestigation || !strings.Contains(m.status, "nothing to open here") {
		t.Errorf("enter on the deploys pane: screen %v status %q", m.screen, m.status)
	}
}

func TestCompareScreen(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := started(t, newFake(), sz[0], sz[1])
			m, _ = send(t, m, pasteMsg(regression))
			m, _ = send(t, m, keyPress("b"))
			if m.screen != screenCompare || m.compare.cmp == nil {
				t.Fatalf("b: screen %v, status %q; want the before/after screen", m.screen, m.status)
			}
			out := screenText(m)
			for _, want := range []string{"Before and after orders 1.9.0", "5xx rate", "p95 ms", "By version", "1.9.0", "100.0%"} {
				if !strings.Contains(out, want) {
					t.Errorf("compare screen lacks %q:\n%s", want, out)
				}
			}
			checkLayout(t, m, sz[0], sz[1])
			golden.RequireEqual(t, out)
			back, _ := send(t, m, keyPress("esc"))
			if back.screen != screenInvestigation {
				t.Errorf("esc: screen %v, want the investigation", back.screen)
			}
		})
	}
	// A stale comparison (another request opened since) is dropped.
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, pasteMsg(regression))
	m, cmd := step(m, openCompareMsg{report: m.inv.report})
	m, _ = step(m, openCompareMsg{report: m.inv.report})
	msg := run(t, unbatch(t, cmd, func(msg tea.Msg) bool { _, ok := msg.(compareMsg); return ok }))
	if m2, _ := step(m, msg); m2.screen != screenInvestigation {
		t.Errorf("a superseded comparison opened the screen")
	}
}

func TestTimelineScrollsSideways(t *testing.T) {
	m := started(t, newFake(), 120, 40)
	m, _ = send(t, m, pasteMsg(regression))
	m = focusPane(t, m, paneTimeline)
	row := func(m Model) string {
		for _, l := range strings.Split(screenText(m), "\n") {
			if strings.Contains(l, "15:11:12.109") || strings.Contains(l, "returned 500") {
				return l
			}
		}
		return ""
	}
	if strings.Contains(row(m), "/api/orders/1042") {
		t.Fatalf("the row already fits; the test proves nothing:\n%s", row(m))
	}
	for range 3 {
		m, _ = send(t, m, keyPress("l"))
	}
	if !strings.Contains(row(m), "/api/orders/1042") {
		t.Errorf("after l l l the end of the message is not visible:\n%s", screenText(m))
	}
	checkLayout(t, m, 120, 40)
	for range 10 {
		m, _ = send(t, m, keyPress("h"))
	}
	if m.inv.hoff[paneTimeline] != 0 {
		t.Errorf("h did not scroll back to the start: %d", m.inv.hoff[paneTimeline])
	}
}

func TestStackScrollsSideways(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, pasteMsg(regression))
	m = focusPane(t, m, paneStack)
	m, _ = send(t, m, keyPress("j"))
	m, _ = send(t, m, keyPress("j"))
	m, _ = send(t, m, keyPress("j"))
	m, _ = send(t, m, keyPress("j")) // net/http.HandlerFunc.ServeHTTP(…, 0xc0002c6000?)
	if strings.Contains(screenText(m), "0xc0002c6000?)") {
		t.Fatalf("the frame already fits at 80 columns; the test proves nothing")
	}
	for range 2 {
		m, _ = send(t, m, keyPress("right"))
	}
	if !strings.Contains(screenText(m), "0xc0002c6000?)") {
		t.Errorf("→ does not reveal the end of a long frame:\n%s", screenText(m))
	}
	checkLayout(t, m, 80, 24)
}

// The before/after screen is live: when lines arrive it compares again
// (the window after a recent deploy is still filling), keeps the scroll,
// and says up to which line it counts.
func TestCompareLive(t *testing.T) {
	f := newFake()
	m := started(t, f, 120, 40)
	m, _ = send(t, m, pasteMsg(regression))
	m, _ = send(t, m, keyPress("b"))
	if m.screen != screenCompare {
		t.Fatalf("b: screen %v, status %q", m.screen, m.status)
	}
	m, _ = send(t, m, keyPress("j"))
	off, was := m.compare.off, m.compare.cmp.After.Responses
	if !strings.Contains(screenText(m), "counted up to the newest line") {
		t.Fatalf("the screen does not say what it counts:\n%s", screenText(m))
	}
	// A 500 of the service after the deploy happens again three times, at
	// the same moment.
	c := m.compare.cmp
	f.mu.Lock()
	var copies []query.Event
	for _, e := range f.events {
		if e.Service == c.Service && e.Status >= 500 && e.Time.After(c.Deploy.Time) && e.Time.Before(c.Deploy.Time.Add(secs(c.WindowSeconds))) {
			for i := range 3 {
				c := e
				c.Line = int64(90000 + i)
				copies = append(copies, c)
			}
			break
		}
	}
	f.events = append(f.events, copies...)
	f.store = nil
	f.mu.Unlock()
	if len(copies) == 0 {
		t.Fatal("the fake has no 500 after the deploy")
	}
	m, _ = send(t, m, liveTickMsg{})
	if got := m.compare.cmp.After.Responses; got != was+3 || m.compare.off != off || m.screen != screenCompare {
		t.Fatalf("after 3 more 500s: %d responses after (want %d), offset %d (want %d), screen %v", got, was+3, m.compare.off, off, m.screen)
	}
	// Paused, it stays as it is.
	m, _ = send(t, m, keyPress("p"))
	f.mu.Lock()
	f.events = append(f.events, copies[0])
	f.events[len(f.events)-1].Line = 99999
	f.store = nil
	f.mu.Unlock()
	m, _ = send(t, m, liveTickMsg{})
	if got := m.compare.cmp.After.Responses; got != was+3 {
		t.Fatalf("paused, the comparison changed: %d responses after", got)
	}
}
