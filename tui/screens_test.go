package tui

// Tests of the keys, the help, the command line and the home and explore
// refinements of issue 14 (the mouse has mouse_test.go).

import (
	"strings"
	"testing"

	"github.com/culprit-dev/culprit/query"
)

func TestCommandLineAddsFilters(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := started(t, newFake(), sz[0], sz[1])
		m, _ = send(t, m, pasteMsg(regression))
		m, _ = send(t, m, keyPress(":"))
		if !m.cmdline.Focused() {
			t.Fatalf("%v: : did not open the command line", sz)
		}
		m, _ = typeText(t, m, "service:orders -level:debug")
		if !strings.Contains(screenText(m), ":service:orders -level:debug") {
			t.Errorf("%v: the command line is not in the footer:\n%s", sz, screenText(m))
		}
		m, _ = send(t, m, keyPress("enter"))
		want := "+fingerprint:" + panicFP + " +service:orders -level:debug"
		if m.screen != screenExplore || m.explore.query != want {
			t.Fatalf("%v: screen %v query %q, want explore on %q", sz, m.screen, m.explore.query, want)
		}
		// On explore, it narrows the query.
		m, _ = send(t, m, keyPress(":"))
		m, _ = typeText(t, m, "status:500")
		m, _ = send(t, m, keyPress("enter"))
		if m.explore.query != want+" +status:500" || len(m.back) != 2 {
			t.Errorf("%v: explore query %q (history %d), want %q in place", sz, m.explore.query, len(m.back), want+" +status:500")
		}
		// esc cancels, :q quits.
		m, _ = send(t, m, keyPress(":"))
		m, _ = send(t, m, keyPress("esc"))
		if m.cmdline.Focused() || m.screen != screenExplore {
			t.Errorf("%v: esc left the command line open or left the screen", sz)
		}
		m, _ = send(t, m, keyPress(":"))
		m, _ = typeText(t, m, "q")
		if _, d := send(t, m, keyPress("enter")); !d.quit {
			t.Errorf("%v: :q did not quit", sz)
		}
	}
}

func TestHelpListsEveryKeyAndScrolls(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, pasteMsg(regression))
	m, _ = send(t, m, keyPress("?"))
	seen := screenText(m)
	for range 40 {
		m, _ = send(t, m, keyPress("j"))
		seen += screenText(m)
	}
	m.showHelp = false
	squeeze := strings.NewReplacer(" ", "", "\n", "")
	flat := squeeze.Replace(seen) // a long description wraps
	for _, g := range m.bindings().FullHelp() {
		for _, b := range g {
			if !strings.Contains(flat, squeeze.Replace(b.Help().Desc)) {
				t.Errorf("the help never shows %q (%s)", b.Help().Desc, b.Help().Key)
			}
		}
	}
	for _, want := range []string{"Everywhere", "Mouse: the wheel", "Search syntax"} {
		if !strings.Contains(seen, want) {
			t.Errorf("scrolling the help never shows %q", want)
		}
	}
}

func TestRankGroups(t *testing.T) {
	flat := make([]query.TimeBucket, 8)
	up := make([]query.TimeBucket, 8)
	for i := range flat {
		flat[i].Count = 5
		if i >= 6 {
			up[i].Count = 9
		}
	}
	gs := []query.ErrorGroup{
		{Fingerprint: "old-big", Count: 900, Histogram: flat},
		{Fingerprint: "wrapper", Count: 950, WrapperOf: "x", New: true},
		{Fingerprint: "rising", Count: 18, Histogram: up},
		{Fingerprint: "new-small", Count: 12, New: true},
		{Fingerprint: "new-big", Count: 40, New: true},
		{Fingerprint: "old-small", Count: 3},
	}
	var got []string
	for _, g := range rankGroups(gs) {
		got = append(got, g.Fingerprint)
	}
	want := "new-big new-small rising old-big old-small wrapper"
	if strings.Join(got, " ") != want {
		t.Errorf("rankGroups = %v, want %s", got, want)
	}
	if gs[0].Fingerprint != "old-big" {
		t.Error("rankGroups modified its input")
	}
}

func TestMalformedQueryErrorShownOnce(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		m := started(t, newFake(), sz[0], sz[1])
		m, _ = send(t, m, openExploreMsg{query: `status:>=abc (`})
		if m.explore.err == nil {
			t.Fatalf("%v: the malformed query did not fail", sz)
		}
		out := screenText(m)
		if strings.Count(out, "search") != 1 || !strings.Contains(out, `search failed: invalid query "status:>=abc ("`) {
			t.Errorf("%v: want one \"search failed: invalid query …\":\n%s", sz, out)
		}
		msg := query.SanitizeLine(m.explore.err.Error())
		msg = strings.TrimPrefix(msg, "search: ")[:20]
		if n := strings.Count(out, msg); n != 1 {
			t.Errorf("%v: the error %q is on screen %d times, want once:\n%s", sz, msg, n, out)
		}
	}
}

func TestOffsetMatchesVerdictPrecision(t *testing.T) {
	for sec, want := range map[float64]string{-2.502: "-2.5s", -6.214: "-6.2s", 3: "+3s", -6: "-6s", 0.01: "0s", -1806.214: "-30m", 1793.786: "+29m"} {
		if got := offset(sec); got != want {
			t.Errorf("offset(%v) = %q, want %q", sec, got, want)
		}
	}
}

func TestFacetsScrollOnShortTerminal(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, openExploreMsg{query: "failed"})
	if strings.Contains(screenText(m), "version ") {
		t.Fatalf("the version facet is already shown at 80x24; the test proves nothing")
	}
	for m.explore.focus != focusFacets {
		m, _ = send(t, m, keyPress("tab"))
	}
	for range 6 {
		m, _ = send(t, m, keyPress("j"))
	}
	out := screenText(m)
	for _, want := range []string{"version  1.9.0", "user     u-", "4-7/7"} {
		if !strings.Contains(out, want) {
			t.Errorf("after moving down the facets, %q is not shown:\n%s", want, out)
		}
	}
	checkLayout(t, m, 80, 24)
}
