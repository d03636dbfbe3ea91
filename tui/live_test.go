package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// growingBackend is the fake whose span and groups the test changes, as an
// ingest running meanwhile would.
type growingBackend struct {
	*fakeBackend
	mu     sync.Mutex
	span   query.Span
	groups []query.ErrorGroup
}

func (g *growingBackend) Span(context.Context) (query.Span, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.span, nil
}

func (g *growingBackend) Errors(context.Context, query.ErrorsOptions) ([]query.ErrorGroup, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.groups, nil
}

func (g *growingBackend) set(span query.Span, groups []query.ErrorGroup) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.span, g.groups = span, groups
}

// The home screen shows new data without a key press, and the selected
// group stays selected when the order of the groups changes.
func TestHomeRefreshesOnNewData(t *testing.T) {
	f := newFake()
	a := query.ErrorGroup{Fingerprint: "aaaa", Type: "TimeoutError", Message: "upstream timed out", Service: "orders", Count: 5, FirstSeen: t0, LastSeen: t0}
	b := query.ErrorGroup{Fingerprint: "bbbb", Type: "KeyError", Message: "missing sku", Service: "inventory", Count: 3, FirstSeen: t0, LastSeen: t0}
	g := &growingBackend{fakeBackend: f}
	sp := f.span
	g.set(sp, []query.ErrorGroup{a, b})
	m := started(t, g, 100, 30)
	// Select the second group.
	m, _ = send(t, m, keyPress("down"))
	m, _ = send(t, m, keyPress("down"))
	sel, ok := m.home.selected()
	if !ok || sel.Fingerprint != "bbbb" {
		t.Fatalf("selected %+v, want bbbb", sel)
	}

	// Nothing new: a tick changes nothing and asks again later.
	m, d := send(t, m, liveTickMsg{})
	if len(d.timers) != 1 {
		t.Fatalf("a tick without news set %d timers, want 1", len(d.timers))
	}

	// New data: b overtakes a and a third group appears.
	sp.Events += 40
	b.Count, a.Count = 40, 6
	c := query.ErrorGroup{Fingerprint: "cccc", Type: "PanicError", Message: "nil map write", Service: "gateway", Count: 1, FirstSeen: t0, LastSeen: t0}
	g.set(sp, []query.ErrorGroup{b, a, c})
	m, d = send(t, m, liveTickMsg{})
	if len(d.timers) != 1 {
		t.Fatalf("a tick with news set %d timers, want 1", len(d.timers))
	}
	if m.span.Events != sp.Events || len(m.home.groups) != 3 {
		t.Fatalf("after new data: span %d events, %d groups; want %d, 3", m.span.Events, len(m.home.groups), sp.Events)
	}
	if sel, ok := m.home.selected(); !ok || sel.Fingerprint != "bbbb" {
		t.Fatalf("selection moved to %+v, want bbbb", sel)
	}
	if v := screenText(m); !strings.Contains(v, "nil map write") {
		t.Fatalf("the new group is not on the home screen:\n%s", v)
	}
}

// A refresh runs the writer's queries, which cost more as the index grows:
// one is in flight at a time, and after one that took d the next waits
// liveCost*d, which the title says, instead of piling queries up.
func TestLiveRefreshBacksOff(t *testing.T) {
	f := newFake()
	m := started(t, f, 120, 30)

	// A look while a refresh is in flight starts no other.
	before := m.span.Events
	appendProbes(f, 1)
	m, cmd := step(m, liveTickMsg{})
	m, rc := step(m, run(t, unbatch(t, cmd, func(msg tea.Msg) bool { _, ok := msg.(liveSpanMsg); return ok })))
	if !m.feed.refreshing {
		t.Fatal("new data started no refresh")
	}
	seq := m.home.groupsSeq
	appendProbes(f, 1)
	m2, _ := step(m, liveSpanMsg{span: query.Span{Events: m.span.Events + 2}})
	if m2.home.groupsSeq != seq || !m2.feed.refreshing {
		t.Fatal("a second refresh started while one was in flight")
	}
	m, _ = drain(t, m, rc)
	if m.feed.refreshing || m.span.Events != before+1 {
		t.Fatalf("the refresh did not end: refreshing %v, %d events", m.feed.refreshing, m.span.Events)
	}

	// A refresh that took 1 s (by the TUI's clock, a second a reading)
	// makes the next wait 4 s: 3 looks pass without one, the 4th refreshes;
	// the title says it updates every 5 s (the refresh, then the wait).
	now := fixedNow
	m.c.now = func() time.Time { now = now.Add(time.Second); return now }
	m, _ = send(t, m, liveTickMsg{})
	m.c.now = func() time.Time { return now }
	events := m.span.Events
	if m.feed.every != 4 || !strings.Contains(strings.SplitN(screenText(m), "\n", 2)[0], "updates every 5s") {
		t.Fatalf("after a 1 s refresh: every %d looks, title %q", m.feed.every, strings.SplitN(screenText(m), "\n", 2)[0])
	}
	appendProbes(f, 3)
	for i := range 3 {
		if m, _ = send(t, m, liveTickMsg{}); m.span.Events != events {
			t.Fatalf("look %d refreshed already (%d events)", i+1, m.span.Events)
		}
	}
	m, _ = send(t, m, liveTickMsg{})
	if m.span.Events != events+3 || m.feed.every != 0 {
		t.Fatalf("after the wait: %d events (want %d), every %d (want 0)", m.span.Events, events+3, m.feed.every)
	}
}

// The error groups are the costliest refresh: they are not asked while
// another screen is shown, and are at the first look back on home, even
// when the index has not moved since.
func TestHomeRefreshedOnlyOnScreen(t *testing.T) {
	f := newFake()
	m := started(t, f, 120, 30)
	m, _ = send(t, m, openExploreMsg{query: "probe"})
	seq := m.home.groupsSeq
	appendProbes(f, 2)
	m, _ = send(t, m, liveTickMsg{})
	if m.home.groupsSeq != seq || !m.home.stale || m.span.Events != 1802 {
		t.Fatalf("on explore: groups asked %d times, stale %v, %d events; want 0, true, 1802", m.home.groupsSeq-seq, m.home.stale, m.span.Events)
	}
	m, _ = send(t, m, keyPress("esc"))
	m, _ = send(t, m, liveTickMsg{})
	if m.home.groupsSeq != seq+1 || m.home.stale {
		t.Fatalf("back on home: groups asked %d times, stale %v; want 1, false", m.home.groupsSeq-seq, m.home.stale)
	}
	m, _ = send(t, m, liveTickMsg{})
	if m.home.groupsSeq != seq+1 {
		t.Fatal("a look without news asked the groups again")
	}
}
