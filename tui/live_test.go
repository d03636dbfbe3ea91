package tui

import (
	"context"
	"strings"
	"sync"
	"testing"

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
