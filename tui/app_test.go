package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/culprit-dev/culprit/query"
)

// run calls cmd and returns its message, unpacking a batch of one.
func run(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no Cmd")
	}
	return cmd()
}

// find returns the first message of type T among msgs.
func find[T any](msgs []tea.Msg) (T, bool) {
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func TestPasteOpensInvestigation(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)

	// The paste carries whitespace and quotes around the ID.
	m, cmd := step(m, pasteMsg("  \""+regression+"\"\n"))
	if got := m.home.input.Value(); got != regression {
		t.Fatalf("input after paste = %q, want %q", got, regression)
	}
	open, ok := run(t, cmd).(openRequestMsg)
	if !ok || open.id != regression || !open.search {
		t.Fatalf("paste Cmd = %#v, want openRequestMsg{%q, search}", open, regression)
	}
	m, cmd = step(m, open)
	if m.pendingID != regression {
		t.Errorf("pendingID = %q, want %q while the request is in flight", m.pendingID, regression)
	}
	if !strings.Contains(screenText(m), "investigating "+regression) {
		t.Errorf("title does not show the request in flight:\n%s", screenText(m))
	}
	cmd = unbatch(t, cmd, func(msg tea.Msg) bool { _, ok := msg.(reportMsg); return ok })
	rep, ok := run(t, cmd).(reportMsg)
	if !ok || rep.err != nil || rep.report.RequestID != regression {
		t.Fatalf("request Cmd = %#v, want the report of %s", rep, regression)
	}
	m, _ = step(m, rep)
	if m.screen != screenInvestigation || m.inv.report.RequestID != regression {
		t.Fatalf("screen = %v (report %v), want the investigation of %s", m.screen, m.inv.report, regression)
	}
	if m.inv.focus != paneStack {
		t.Errorf("initial focus = %v, want the stack trace pane", m.inv.focus)
	}
	if m.pendingID != "" || m.loading() {
		t.Errorf("still loading after the report: pendingID=%q", m.pendingID)
	}
	if got := f.requests; len(got) != 1 || got[0] != regression {
		t.Errorf("Backend.Request calls = %q, want exactly [%s]", got, regression)
	}
}

// unbatch returns the Cmd (or the Cmd inside a batch) whose message
// satisfies want, running the others.
func unbatch(t *testing.T, cmd tea.Cmd, want func(tea.Msg) bool) tea.Cmd {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		if want(msg) {
			return func() tea.Msg { return msg }
		}
	}
	t.Fatal("no Cmd yields the wanted message")
	return nil
}

func TestEnterDecidesIDOrSearch(t *testing.T) {
	cases := []struct {
		name, input string
		screen      screen
		query       string // explore query, when the screen is explore
		found       bool
	}{
		{"known id", regression, screenInvestigation, "", true},
		{"a word is a search", "panic", screenExplore, "panic", false},
		{"the placeholder's own example is a search", "timeout", screenExplore, "timeout", false},
		{"foo:bar is a search", "route:foo", screenExplore, "route:foo", false},
		{"quotes reach the search", `"panic recovered"`, screenExplore, `"panic recovered"`, false},
		{"parentheses reach the search", `(panic OR refused)`, screenExplore, `(panic OR refused)`, false},
		{"uppercase uuid", strings.ToUpper(regression), screenInvestigation, "", true},
		{"id after a header name", "X-Request-Id: " + regression, screenInvestigation, "", true},
		{"unknown id found nowhere", unknownReq, screenInvestigation, "", false},
		{"query with spaces", "panic recovered", screenExplore, "panic recovered", false},
		{"field query", "status:500", screenExplore, "status:500", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := started(t, newFake(), 80, 24)
			m, _ = typeText(t, m, c.input)
			m, _ = send(t, m, keyPress("enter"))
			if m.screen != c.screen {
				t.Fatalf("screen after enter on %q = %v, want %v", c.input, m.screen, c.screen)
			}
			switch c.screen {
			case screenExplore:
				if m.explore.query != c.query {
					t.Errorf("explore query = %q, want %q", m.explore.query, c.query)
				}
				if !m.explore.totalKnown || (m.explore.total == 0 && c.query != "timeout" && c.query != "route:foo") {
					t.Errorf("explore has no results for %q", c.query)
				}
			case screenInvestigation:
				if m.inv.report.Found != c.found {
					t.Errorf("report found = %v, want %v", m.inv.report.Found, c.found)
				}
			}
		})
	}
}

func TestUnknownIDScreen(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, pasteMsg(unknownReq))
	out := screenText(m)
	for _, want := range []string{"NOT FOUND", unknownReq, `No request ID starts with "00000000"`, "1,800 events", "enter search the logs"} {
		if !strings.Contains(out, want) {
			t.Errorf("unknown-id screen lacks %q:\n%s", want, out)
		}
	}
	// Enter searches the text instead.
	m, _ = send(t, m, keyPress("enter"))
	if m.screen != screenExplore || m.explore.query != quoteValue(unknownReq) {
		t.Errorf("enter on the unknown-id screen: screen %v query %q, want explore on %q", m.screen, m.explore.query, quoteValue(unknownReq))
	}
}

func TestOptionsRequestIDOpensOnIt(t *testing.T) {
	f := newFake()
	m := newTestModel(t, f, 80, 24)
	m.opts.RequestID = " " + regression + " "
	m, _ = drain(t, m, m.Init())
	if m.screen != screenInvestigation || m.inv.report.RequestID != regression {
		t.Fatalf("screen = %v, want the investigation of %s", m.screen, regression)
	}
	// An unknown ID given on the command line is not searched as text.
	f = newFake()
	m = newTestModel(t, f, 80, 24)
	m.opts.RequestID = "panic"
	m, _ = drain(t, m, m.Init())
	if m.screen != screenInvestigation || m.inv.report.Found {
		t.Fatalf("screen = %v, want the not-found investigation", m.screen)
	}
	if len(f.searches) != 0 {
		t.Errorf("searched %v for an ID given on the command line", f.searches)
	}
}

func TestEscGoesBack(t *testing.T) {
	m := started(t, newFake(), 120, 40)
	m, _ = send(t, m, pasteMsg(regression))
	if m.screen != screenInvestigation {
		t.Fatalf("screen = %v, want investigation", m.screen)
	}
	// f opens the first occurrence; Esc returns to the reported request.
	m, _ = send(t, m, keyPress("f"))
	if m.inv.report.RequestID != firstReq {
		t.Fatalf("after f: request %s, want the first one %s", m.inv.report.RequestID, firstReq)
	}
	m, _ = send(t, m, keyPress("esc"))
	if m.screen != screenInvestigation || m.inv.report.RequestID != regression {
		t.Fatalf("after esc: screen %v request %v, want the investigation of %s", m.screen, m.inv.report.RequestID, regression)
	}
	// e explores the group; Enter on a line investigates it; Esc twice
	// comes back to the same explore state, then to the investigation.
	m, _ = send(t, m, keyPress("e"))
	if m.screen != screenExplore || m.explore.query != "fingerprint:"+panicFP {
		t.Fatalf("after e: screen %v query %q", m.screen, m.explore.query)
	}
	m, _ = send(t, m, keyPress("j"))
	m, _ = send(t, m, keyPress("j"))
	cursor, seq := m.explore.cursor, m.explore.seq
	e, _ := m.explore.event(cursor)
	m, _ = send(t, m, keyPress("enter"))
	if m.screen != screenInvestigation || m.inv.report.RequestID != e.RequestID {
		t.Fatalf("enter on line %d: screen %v, want the investigation of %s", cursor, m.screen, e.RequestID)
	}
	m, _ = send(t, m, keyPress("esc"))
	if m.screen != screenExplore || m.explore.cursor != cursor || m.explore.seq != seq {
		t.Fatalf("esc: screen %v cursor %d seq %d, want explore at %d (seq %d)", m.screen, m.explore.cursor, m.explore.seq, cursor, seq)
	}
	m, _ = send(t, m, keyPress("esc"))
	m, _ = send(t, m, keyPress("esc"))
	if m.screen != screenHome {
		t.Fatalf("screen = %v after going all the way back, want home", m.screen)
	}
	m, _ = send(t, m, keyPress("esc"))
	if m.screen != screenHome {
		t.Fatalf("esc on home left it: %v", m.screen)
	}
}

func TestExploreBackRestoresQuery(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = typeText(t, m, "panic recovered")
	m, _ = send(t, m, keyPress("enter"))
	m, _ = send(t, m, keyPress("enter")) // investigate the first line
	if m.screen != screenInvestigation {
		t.Fatalf("screen = %v, want investigation", m.screen)
	}
	m, _ = send(t, m, keyPress("e")) // explore its fingerprint: a new query
	if m.explore.query != "fingerprint:"+panicFP {
		t.Fatalf("query = %q", m.explore.query)
	}
	m, _ = send(t, m, keyPress("esc"))
	m, _ = send(t, m, keyPress("esc"))
	if m.screen != screenExplore || m.explore.query != "panic recovered" || !m.explore.totalKnown {
		t.Fatalf("back on explore: screen %v query %q loaded %v, want the first query's results", m.screen, m.explore.query, m.explore.totalKnown)
	}
}

func TestInvestigationFocusAndScroll(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, pasteMsg(regression))
	if m.inv.focus != paneStack {
		t.Fatalf("focus = %v, want stack", m.inv.focus)
	}
	order := []paneID{paneFirst, paneDeploys, paneBlast, paneNext, paneTimeline, paneStack}
	for _, want := range order {
		m, _ = send(t, m, keyPress("tab"))
		if m.inv.focus != want {
			t.Fatalf("tab: focus = %v, want %v", m.inv.focus, want)
		}
	}
	m, _ = send(t, m, keyPress("shift+tab"))
	if m.inv.focus != paneTimeline {
		t.Fatalf("shift+tab: focus = %v, want timeline", m.inv.focus)
	}
	m, _ = send(t, m, keyPress("tab")) // back on the stack
	// j moves the focused pane's cursor from frame line to frame line
	// (scrolling to keep it in view); G reaches the end; g the top.
	first := m.inv.cur[paneStack]
	if first < 0 || m.inv.targets[paneStack][first].kind != targetQuery {
		t.Fatalf("stack cursor at %d, want it on the first frame line", first)
	}
	m, _ = send(t, m, keyPress("j"))
	m, _ = send(t, m, keyPress("j"))
	if want := m.inv.nextTarget(paneStack, m.inv.nextTarget(paneStack, first, 1), 1); m.inv.cur[paneStack] != want {
		t.Fatalf("cursor after jj = %d, want %d (two frame lines down)", m.inv.cur[paneStack], want)
	}
	if m.inv.off[paneTimeline] != 0 || m.inv.cur[paneTimeline] != 0 {
		t.Fatalf("jj on the stack moved the timeline: off %v cur %v", m.inv.off, m.inv.cur)
	}
	m, _ = send(t, m, keyPress("G"))
	l := m.inv.layout()
	if want := len(m.inv.lines[paneStack]) - l.vis[paneStack]; m.inv.off[paneStack] != want {
		t.Fatalf("G: offset %d, want %d", m.inv.off[paneStack], want)
	}
	if !strings.Contains(screenText(m), "created by net/http.(*Server).Serve") {
		t.Errorf("the end of the stack is not on screen after G:\n%s", screenText(m))
	}
	m, _ = send(t, m, keyPress("j")) // past the end: stays
	if want := len(m.inv.lines[paneStack]) - l.vis[paneStack]; m.inv.off[paneStack] != want {
		t.Fatalf("j past the end: offset %d, want %d", m.inv.off[paneStack], want)
	}
	m, _ = send(t, m, keyPress("g"))
	if m.inv.off[paneStack] != 0 {
		t.Fatalf("g: offset %d, want 0", m.inv.off[paneStack])
	}
}

func TestCopyKeys(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, pasteMsg(regression))
	exact := func(want string) func(string) bool { return func(s string) bool { return s == want } }
	cases := []struct {
		key    string
		want   func(string) bool
		status string
	}{
		{"y", exact(regression), "copied request id"},
		{"Y", exact(strings.TrimRight(goPanic, "\n")), "copied the error and its stack trace (27 lines)"},
		{"s", func(s string) bool {
			return strings.HasPrefix(s, "# Request `"+regression+"`: deployment regression") &&
				strings.Contains(s, "## Reproduce") && strings.Contains(s, "## Blast radius") && strings.Contains(s, "## Before and after orders 1.9.0")
		}, "copied the investigation as Markdown"},
	}
	for _, c := range cases {
		m2, d := send(t, m, keyPress(c.key))
		var clip []string
		for _, msg := range d.msgs {
			if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
				clip = append(clip, fmt.Sprint(msg))
			}
		}
		if len(clip) != 1 || !c.want(clip[0]) {
			t.Errorf("%s: clipboard writes %q", c.key, clip)
		}
		if !strings.Contains(m2.status, c.status) || !strings.Contains(screenText(m2), c.status) {
			t.Errorf("%s: status %q, want it to say %q", c.key, m2.status, c.status)
		}
		if len(d.timers) != 1 {
			t.Errorf("%s: %d timers, want the status expiry", c.key, len(d.timers))
			continue
		}
		m2, _ = send(t, m2, d.timers[0].msg)
		if m2.status != "" {
			t.Errorf("%s: status %q still shown after it expired", c.key, m2.status)
		}
	}
}

func TestSaveMarkdown(t *testing.T) {
	dir := t.TempDir()
	m := started(t, newFake(), 80, 24, func(c *common) { c.saveDir = dir })
	m, _ = send(t, m, pasteMsg(regression))
	m, _ = send(t, m, keyPress("S"))
	path := filepath.Join(dir, "culprit-"+regression+".md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("S saved nothing: %v (status %q)", err, m.status)
	}
	for _, want := range []string{"## Verdict", "## Root error", "## Deploys", "## Next steps", "## Reproduce"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("saved markdown lacks %q", want)
		}
	}
	if !strings.Contains(m.status, "saved the investigation to "+path) {
		t.Errorf("status %q does not name the file", m.status)
	}
}

func TestFileSafe(t *testing.T) {
	for in, want := range map[string]string{"r-1": "r-1", "../../etc/passwd": "_.._etc_passwd", "": "request", "a b/c": "a_b_c"} {
		if got := fileSafe(in); got != want {
			t.Errorf("fileSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStaleReportDropped(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)
	// Ask for A, then for B before A answers.
	m, cmdA := step(m, openRequestMsg{id: outageReq})
	m, cmdB := step(m, openRequestMsg{id: regression})
	isReport := func(msg tea.Msg) bool { _, ok := msg.(reportMsg); return ok }
	repB := run(t, unbatch(t, cmdB, isReport))
	repA := run(t, unbatch(t, cmdA, isReport))
	m, _ = step(m, repB)
	m, _ = step(m, repA) // late: dropped
	if m.inv.report.RequestID != regression {
		t.Fatalf("showing %s, want %s (the stale report must be dropped)", m.inv.report.RequestID, regression)
	}
	if len(m.back) != 1 {
		t.Errorf("history has %d frames, want 1", len(m.back))
	}

	// Esc while a request is in flight cancels it.
	m = started(t, f, 80, 24)
	m, cmd := step(m, openRequestMsg{id: regression})
	m, _ = send(t, m, keyPress("esc"))
	m, _ = step(m, run(t, unbatch(t, cmd, isReport)))
	if m.screen != screenHome {
		t.Fatalf("screen = %v, want home: the cancelled request's report must be dropped", m.screen)
	}
}

func TestBackendErrorShown(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)
	f.failNext = errors.New("index locked by pid 4242")
	m, _ = send(t, m, pasteMsg(regression))
	if m.screen != screenHome {
		t.Fatalf("screen = %v, want to stay home on an error", m.screen)
	}
	if !strings.Contains(screenText(m), "index locked by pid 4242") {
		t.Errorf("error not shown:\n%s", screenText(m))
	}
}

func TestQuitVersusTyping(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	// On the empty home input, q quits.
	if _, d := send(t, m, keyPress("q")); !d.quit {
		t.Fatal("q on the empty home input did not quit")
	}
	// Once the input holds text, q is a letter.
	m2, _ := typeText(t, m, "s")
	m2, d := send(t, m2, keyPress("q"))
	if d.quit || m2.home.input.Value() != "sq" {
		t.Fatalf("q while typing: quit=%v input=%q, want the letter typed", d.quit, m2.home.input.Value())
	}
	// ? on an empty input opens the help, on a non-empty one it types.
	m3, _ := send(t, m, keyPress("?"))
	if !m3.showHelp {
		t.Fatal("? on an empty input did not open the help")
	}
	m3, _ = send(t, m2, keyPress("?"))
	if m3.showHelp || m3.home.input.Value() != "sq?" {
		t.Fatalf("? after text: help=%v input=%q", m3.showHelp, m3.home.input.Value())
	}
	// In the error list, q quits.
	m4, _ := send(t, m, keyPress("down"))
	if !m4.home.listFocus {
		t.Fatal("down did not move to the error groups")
	}
	if _, d = send(t, m4, keyPress("q")); !d.quit {
		t.Fatal("q in the list did not quit")
	}
	// ctrl+c always quits, even while typing.
	if _, d = send(t, m2, keyPress("ctrl+c")); !d.quit {
		t.Fatal("ctrl+c while typing did not quit")
	}
	// Explore input: q types after text; in the results it quits.
	m5, _ := send(t, m, openExploreMsg{query: ""})
	if !m5.explore.typing() {
		t.Fatal("explore with no query should focus its input")
	}
	m5, _ = typeText(t, m5, "s")
	m6, d := send(t, m5, keyPress("q"))
	if d.quit || m6.explore.input.Value() != "sq" {
		t.Fatalf("q in the explore input: quit=%v input=%q", d.quit, m6.explore.input.Value())
	}
	m6, _ = send(t, m6, keyPress("tab"))
	if _, d = send(t, m6, keyPress("q")); !d.quit {
		t.Fatal("q in explore results did not quit")
	}
}

func TestHomeListNavigation(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)
	m, _ = send(t, m, keyPress("down"))
	m, _ = send(t, m, keyPress("j"))
	if m.home.sel != 1 {
		t.Fatalf("sel = %d, want 1", m.home.sel)
	}
	m, _ = send(t, m, keyPress("enter"))
	if m.screen != screenInvestigation || m.inv.report.RequestID != outageReq {
		t.Fatalf("enter on group 2: screen %v, want the investigation of its first request %s", m.screen, outageReq)
	}
	m, _ = send(t, m, keyPress("esc"))
	m, _ = send(t, m, keyPress("k"))
	m, _ = send(t, m, keyPress("k")) // above the first group: back in the input
	if m.home.listFocus || !m.home.input.Focused() {
		t.Fatal("k above the first group did not focus the input")
	}
}

func TestEmptyIndex(t *testing.T) {
	m := started(t, &emptyBackend{*newFake()}, 80, 24)
	out := screenText(m)
	if !strings.Contains(out, "culprit ingest") || !strings.Contains(out, "index is empty") {
		t.Fatalf("empty index screen does not say what to run:\n%s", out)
	}
	if _, d := send(t, m, keyPress("q")); !d.quit {
		t.Fatal("q did not quit on the empty-index screen")
	}
}

func TestExplorePagingIsVirtual(t *testing.T) {
	f := newFake()
	f.virtual = 500_000
	m := started(t, f, 80, 24)
	m, _ = send(t, m, openExploreMsg{query: "status:>=200"})
	if m.explore.total != 500_000 {
		t.Fatalf("total = %d, want 500000", m.explore.total)
	}
	offsets := func() []int {
		var o []int
		for _, s := range f.searches {
			o = append(o, s.Offset)
			if s.Limit != pageSize {
				t.Errorf("search limit %d, want %d", s.Limit, pageSize)
			}
		}
		return o
	}
	if got := offsets(); len(got) != 1 || got[0] != 0 {
		t.Fatalf("searches after open: offsets %v, want [0]", got)
	}
	// Page down until the cursor crosses into the second page: it asks
	// for page 1 (prefetch), once.
	for i := 0; m.explore.cursor < pageSize && i < 200; i++ {
		m, _ = send(t, m, keyPress("pgdown"))
	}
	if got := offsets(); len(got) != 2 || got[1] != pageSize {
		t.Fatalf("after paging down: offsets %v, want [0 %d]", got, pageSize)
	}
	// G jumps to the end and fetches only the last page.
	m, _ = send(t, m, keyPress("G"))
	got := offsets()
	if last := got[len(got)-1]; last != 500_000-pageSize {
		t.Fatalf("after G: offsets %v, want the last page %d", got, 500_000-pageSize)
	}
	if len(got) > 4 {
		t.Fatalf("after G: %d searches %v: fetched pages nobody looks at", len(got), got)
	}
	if e, ok := m.explore.event(499_999); !ok || e.Message != "virtual line 499999" {
		t.Fatalf("last row = %q (%v), want virtual line 499999", e.Message, ok)
	}
	if !strings.Contains(screenText(m), "line 500,000 of 500,000") {
		t.Errorf("status does not show the position:\n%s", screenText(m))
	}
	if len(m.explore.pages) > maxPages {
		t.Errorf("%d pages cached, want <= %d", len(m.explore.pages), maxPages)
	}
}

func TestExploreNextError(t *testing.T) {
	f := newFake()
	f.virtual = 5000 // an error line every 1000: 999, 1999, ...
	m := started(t, f, 80, 24)
	m, _ = send(t, m, openExploreMsg{query: "x"})
	m, _ = send(t, m, keyPress("n"))
	if m.explore.cursor != 999 {
		t.Fatalf("n: cursor %d, want 999 (across unloaded pages)", m.explore.cursor)
	}
	m, _ = send(t, m, keyPress("n"))
	if m.explore.cursor != 1999 {
		t.Fatalf("n: cursor %d, want 1999", m.explore.cursor)
	}
	m, _ = send(t, m, keyPress("N"))
	if m.explore.cursor != 999 {
		t.Fatalf("N: cursor %d, want 999", m.explore.cursor)
	}
	m, d := send(t, m, keyPress("N"))
	if m.explore.cursor != 999 {
		t.Fatalf("N with no earlier error: cursor %d, want it to stay at 999", m.explore.cursor)
	}
	if _, ok := find[statusMsg](d.msgs); !ok {
		t.Error("N with no earlier error gave no status")
	}
}

func TestExploreStaleResultsDropped(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)
	m, cmd1 := step(m, openExploreMsg{query: "panic"})
	// A second query before the first answers.
	m, _ = step(m, keyPress("/"))
	m.explore.input.SetValue("refused")
	m, cmd2 := step(m, keyPress("enter"))
	m, _ = drain(t, m, cmd2)
	want := m.explore.total
	m, _ = drain(t, m, cmd1) // late pages, facets, histogram of "panic"
	if m.explore.query != "refused" || m.explore.total != want {
		t.Fatalf("query %q total %d, want refused with %d hits: stale results were applied", m.explore.query, m.explore.total, want)
	}
	for _, fc := range m.explore.facets {
		for _, b := range fc.Buckets {
			if b.Value == "inventory" || b.Value == "gateway" {
				t.Errorf("facet %s holds %s from the stale query", fc.Field, b.Value)
			}
		}
	}
}

func TestExploreDebounce(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)
	m, _ = send(t, m, openExploreMsg{query: ""})
	before := len(f.searches)
	m, d := typeText(t, m, "refused")
	if len(f.searches) != before {
		t.Fatalf("typing searched %d times before the pause", len(f.searches)-before)
	}
	if len(d.timers) != len("refused") {
		t.Fatalf("%d debounce timers, want one per key", len(d.timers))
	}
	m, _ = send(t, m, d.timers[0].msg) // an early timer: stale
	if len(f.searches) != before {
		t.Fatal("a stale debounce timer ran a search")
	}
	m, _ = send(t, m, d.timers[len(d.timers)-1].msg)
	if len(f.searches) != before+1 || m.explore.query != "refused" {
		t.Fatalf("after the pause: %d searches, query %q; want one search for refused", len(f.searches)-before, m.explore.query)
	}
	if !m.explore.typing() {
		t.Error("the debounced search took the focus from the input")
	}
}

func TestFacetEnterAddsFilter(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)
	m, _ = send(t, m, openExploreMsg{query: "failed"})
	m, _ = send(t, m, keyPress("tab")) // detail
	m, _ = send(t, m, keyPress("tab")) // facets
	if m.explore.focus != focusFacets {
		t.Fatalf("focus = %v, want facets", m.explore.focus)
	}
	svc, _ := m.explore.facet(0)
	if len(svc.Buckets) < 2 {
		t.Fatalf("service facet %+v, want two services for \"failed\"", svc)
	}
	m, _ = send(t, m, keyPress("right")) // the second service
	pick := svc.Buckets[1].Value
	m, _ = send(t, m, keyPress("enter"))
	want := "+failed +service:" + pick
	if got := m.explore.input.Value(); got != want {
		t.Fatalf("query after enter = %q, want %q", got, want)
	}
	last := f.searches[len(f.searches)-1]
	if last.Query != want {
		t.Fatalf("search ran %q, want %q", last.Query, want)
	}
	for _, fc := range m.explore.facets[:1] {
		if len(fc.Buckets) != 1 || fc.Buckets[0].Value != pick {
			t.Errorf("service facet after filtering = %+v, want only %s", fc.Buckets, pick)
		}
	}
}

func TestExploreTimeRange(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)
	m, _ = send(t, m, openExploreMsg{query: "completed"})
	all := m.explore.total
	m, _ = send(t, m, keyPress("1"))
	last := f.searches[len(f.searches)-1]
	if want := f.span.Last.Add(-15 * 60e9); !last.Since.Equal(want) {
		t.Fatalf("1: since %v, want %v (15m before the newest event)", last.Since, want)
	}
	if m.explore.total >= all || m.explore.total == 0 {
		t.Fatalf("1: %d hits, want fewer than the %d of all time", m.explore.total, all)
	}
	if want := "15:14:57 → 15:29:57 UTC"; !strings.Contains(screenText(m), want) {
		t.Errorf("1: the range's absolute times %q are not on screen:\n%s", want, screenText(m))
	}
	m, _ = send(t, m, keyPress("5"))
	if m.explore.total != all {
		t.Fatalf("5: %d hits, want all %d", m.explore.total, all)
	}
}

func TestAddClause(t *testing.T) {
	cases := []struct{ q, clause, want string }{
		{"", "service:orders", "service:orders"},
		{"timeout", "service:orders", "+timeout +service:orders"},
		{`+status:>=500 "connection refused"`, `route:"GET /api/orders/{id}"`, `+status:>=500 +"connection refused" +route:"GET /api/orders/{id}"`},
		{"-level:debug panic", "service:orders", "-level:debug +panic +service:orders"},
		{"+service:orders", "service:orders", "+service:orders"},
	}
	for _, c := range cases {
		if got := addClause(c.q, c.clause); got != c.want {
			t.Errorf("addClause(%q, %q) = %q, want %q", c.q, c.clause, got, c.want)
		}
	}
}

func TestPasteRecognisesRequestID(t *testing.T) {
	cases := []struct {
		name, paste string
		screen      screen
		query       string // explore query, when the screen is explore
	}{
		{"quoted id", "  \"" + regression + "\",\n", screenInvestigation, ""},
		{"uppercase uuid", strings.ToUpper(regression), screenInvestigation, ""},
		{"id in a sentence", "hi, a customer says request " + regression + " failed at checkout", screenInvestigation, ""},
		{"header", "X-Request-Id: " + regression, screenInvestigation, ""},
		{"json fragment", `{"level":"error","request_id":"` + regression + `"}`, screenInvestigation, ""},
		{"url", "https://shop.example/o/1?request_id=" + regression + "&x=1", screenInvestigation, ""},
		{"quoted phrase stays a phrase", `"panic recovered"`, screenExplore, `"panic recovered"`},
		{"field query", "status:500", screenExplore, "status:500"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			m := started(t, f, 80, 24)
			m, _ = send(t, m, pasteMsg(c.paste))
			if c.screen == screenExplore {
				// A search is pasted into the input as it is, and runs on enter.
				if got := m.home.input.Value(); m.screen != screenHome || got != c.paste {
					t.Fatalf("after pasting %q: screen %v, input %q; want it in the home input", c.paste, m.screen, got)
				}
				m, _ = send(t, m, keyPress("enter"))
			}
			if m.screen != c.screen {
				t.Fatalf("screen after pasting %q = %v, want %v", c.paste, m.screen, c.screen)
			}
			switch c.screen {
			case screenInvestigation:
				if !m.inv.report.Found || m.inv.report.RequestID != regression {
					t.Errorf("investigation of %q, want the found report of %s", m.inv.report.RequestID, regression)
				}
			case screenExplore:
				if m.explore.query != c.query {
					t.Errorf("explore query = %q, want %q", m.explore.query, c.query)
				}
			}
		})
	}
}

func TestSanitizedLogText(t *testing.T) {
	f := newFake()
	m := started(t, f, 240, 40)
	m, _ = send(t, m, pasteMsg(regression))
	m, _ = send(t, m, keyPress("tab"))
	m, _ = send(t, m, keyPress("tab"))
	m, _ = send(t, m, keyPress("tab"))
	m, _ = send(t, m, keyPress("tab"))
	m, _ = send(t, m, keyPress("tab")) // timeline, whose 3rd line is hostile
	views := []string{m.View().Content}
	// The line view of the hostile timeline line (a text line: no JSON to
	// escape it), and its Markdown.
	m2 := m
	for range 2 {
		m2, _ = send(t, m2, keyPress("j"))
	}
	m2, _ = send(t, m2, keyPress("enter"))
	if m2.screen != screenLine {
		t.Fatalf("enter on the hostile line: screen %v", m2.screen)
	}
	views = append(views, m2.View().Content)
	var md strings.Builder
	if err := query.WriteReportMarkdown(&md, m.inv.report, query.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	views = append(views, md.String())
	// The explore screen on the hostile line.
	m, _ = send(t, m, openExploreMsg{query: "agent"})
	views = append(views, m.View().Content)
	for i, v := range views {
		if strings.Contains(v, "\x1b]52") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\u009b") || strings.Contains(v, "\a") {
			t.Errorf("view %d lets a terminal control sequence from the logs through", i)
		}
		shown := `\x1b[2J\x1b`
		if i == 2 {
			shown = `\\x1b\[2J\\x1b` // Markdown escapes the backslash and the bracket
		}
		if !strings.Contains(v, shown) {
			t.Errorf("view %d does not show the neutralised sequence:\n%s", i, ansi.Strip(v))
		}
	}
}

func TestResizeKeepsLayout(t *testing.T) {
	sizes := [][2]int{{80, 24}, {120, 40}, {60, 18}, {200, 60}, {40, 12}, {100, 30}, {20, 6}}
	screens := map[string]func(Model) Model{
		"home":          func(m Model) Model { return m },
		"investigation": func(m Model) Model { m, _ = send(t, m, pasteMsg(regression)); return m },
		"outage":        func(m Model) Model { m, _ = send(t, m, pasteMsg(outageReq)); return m },
		"success":       func(m Model) Model { m, _ = send(t, m, pasteMsg(successReq)); return m },
		"unknown":       func(m Model) Model { m, _ = send(t, m, pasteMsg(unknownReq)); return m },
		"explore": func(m Model) Model {
			m, _ = send(t, m, openExploreMsg{query: "failed"})
			m, _ = send(t, m, keyPress("tab"))
			return m
		},
		"help": func(m Model) Model { m, _ = send(t, m, keyPress("?")); return m },
	}
	for name, open := range screens {
		m := open(started(t, newFake(), 80, 24))
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				m2, _ := send(t, m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				checkLayout(t, m2, sz[0], sz[1])
				// Keys still work at this size.
				for _, k := range []string{"tab", "j", "G", "pgdown", "g"} {
					m2, _ = send(t, m2, keyPress(k))
				}
				checkLayout(t, m2, sz[0], sz[1])
			})
		}
	}
	var _ = query.Span{}
}

func TestExploreBackGetsFreshGeneration(t *testing.T) {
	f := newFake()
	m := started(t, f, 80, 24)
	m, _ = send(t, m, openExploreMsg{query: "panic"}) // seq 1
	m, _ = send(t, m, keyPress("enter"))              // investigate a line
	m, cmd := step(m, openExploreMsg{query: "refused"})
	// Back to the investigation and to "panic" before "refused" answers.
	m, _ = send(t, m, keyPress("esc"))
	m, _ = send(t, m, keyPress("esc"))
	if m.screen != screenExplore || m.explore.query != "panic" {
		t.Fatalf("screen %v query %q, want explore on panic", m.screen, m.explore.query)
	}
	total := m.explore.total
	m, _ = send(t, m, keyPress("/"))
	m.explore.input.SetValue("completed")
	m, _ = send(t, m, keyPress("enter")) // a new run: its seq must not be the abandoned one's
	want := m.explore.total
	m, _ = drain(t, m, cmd) // the late answers to "refused"
	if m.explore.query != "completed" || m.explore.total != want || want == total {
		t.Fatalf("query %q total %d, want completed with %d: a late answer to an abandoned query was applied", m.explore.query, m.explore.total, want)
	}
}

func TestInvestigationExploreKey(t *testing.T) {
	m := started(t, newFake(), 80, 24)
	m, _ = send(t, m, pasteMsg(regression))
	m2, _ := send(t, m, keyPress("e")) // focus on the stack: the group
	if want := "fingerprint:" + panicFP; m2.explore.query != want {
		t.Errorf("e on the stack: query %q, want %q", m2.explore.query, want)
	}
	m, _ = send(t, m, keyPress("shift+tab")) // the timeline: this request
	m2, _ = send(t, m, keyPress("e"))
	if want := `request_id:` + regression; m2.explore.query != want {
		t.Errorf("e on the timeline: query %q, want %q", m2.explore.query, want)
	}
}

func TestExploreNextErrorIsBounded(t *testing.T) {
	f := newFake()
	f.virtual, f.virtualNoErrors = 500_000, true
	m := started(t, f, 80, 24)
	m, _ = send(t, m, openExploreMsg{query: "x"})
	m, _ = send(t, m, keyPress("j"))
	before := len(f.searches)
	m, d := send(t, m, keyPress("n"))
	if m.explore.cursor != 1 {
		t.Fatalf("n with no error line: cursor %d, want it back at 1", m.explore.cursor)
	}
	if fetched := len(f.searches) - before; fetched > maxScan/pageSize+1 {
		t.Fatalf("n fetched %d pages, want at most %d: it must not read the whole result set", fetched, maxScan/pageSize+1)
	}
	st, ok := find[statusMsg](d.msgs)
	if !ok || !strings.Contains(st.text, "no error line within 2,000 lines") {
		t.Fatalf("status %+v, want it to say how far it looked", st)
	}
}

type spanFails struct{ *fakeBackend }

func (spanFails) Span(ctx context.Context) (query.Span, error) {
	return query.Span{}, errors.New("open index: permission denied")
}

func TestSpanErrorShown(t *testing.T) {
	m := started(t, spanFails{newFake()}, 80, 24)
	if m.loading() {
		t.Error("still loading after the span failed: the spinner would turn forever")
	}
	if out := screenText(m); !strings.Contains(out, "permission denied") || strings.Contains(out, "index is empty") {
		t.Errorf("span error not shown (or shown as an empty index):\n%s", out)
	}
}

// TestAgoFromNewestEventWhenSpanArrivesLate: an investigation opened before
// the span is known (culprit tui ID) redraws its "ago" from the newest
// ingested event once the span arrives, not from the wall clock.
func TestAgoFromNewestEventWhenSpanArrivesLate(t *testing.T) {
	m := newTestModel(t, newFake(), 120, 40)
	r := regressionReport()
	m.reqSeq = 7
	m, _ = send(t, m, reportMsg{seq: 7, id: r.RequestID, report: r})
	last := r.Group.LastSeen.Add(90 * time.Second)
	m, _ = send(t, m, spanMsg{span: query.Span{Events: 10, First: r.Group.FirstSeen.Add(-time.Hour), Last: last}})
	want := "1m30s ago"
	if out := screenText(m); !strings.Contains(out, want) {
		t.Errorf("last seen should read %q (from the newest event), screen:\n%s", want, out)
	}
}
