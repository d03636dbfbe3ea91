package tui

import (
	"strings"
	"testing"

	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/query"
)

// *query.Investigator is the Backend main.go passes to Run.
var _ Backend = (*query.Investigator)(nil)

// TestWithInvestigator drives the TUI over the real Investigator: home
// lists its error groups, Enter on the regression's group opens an
// investigation with the stack's culprit frame and the suspect deploy.
func TestWithInvestigator(t *testing.T) {
	f := newFake()
	inv := query.New(storetest.NewFake(f.events, f.deploys), query.Options{})
	m := started(t, inv, 120, 40)
	if !m.home.groupsKnown || m.home.groupsErr != nil || len(m.home.groups) == 0 {
		t.Fatalf("home groups: known=%v err=%v n=%d", m.home.groupsKnown, m.home.groupsErr, len(m.home.groups))
	}
	sel := -1
	for i, g := range m.home.groups {
		if g.Fingerprint == panicFP {
			sel = i
		}
	}
	if sel < 0 {
		t.Fatalf("no group for the panic among %+v", m.home.groups)
	}
	m, _ = send(t, m, keyPress("down"))
	for range sel {
		m, _ = send(t, m, keyPress("j"))
	}
	m, _ = send(t, m, keyPress("enter"))
	if m.screen != screenInvestigation || m.inv.report == nil || !m.inv.report.Found {
		t.Fatalf("screen %v report %+v, want an investigation", m.screen, m.inv.report)
	}
	out := screenText(m)
	for _, want := range []string{"at main.applyDiscount (orders/pricing.go:57)", "orders 1.9.0", "SUSPECT", "GET /api/orders/{id}"} {
		if !strings.Contains(out, want) {
			t.Errorf("investigation screen lacks %q:\n%s", want, out)
		}
	}
	checkLayout(t, m, 120, 40)
	// The unknown-ID screen carries the Investigator's hint.
	m, _ = send(t, m, keyPress("esc"))
	m, _ = send(t, m, keyPress("k"))
	m, _ = send(t, m, pasteMsg("zzzz-no-such-request-42"))
	if m.screen != screenInvestigation || m.inv.report.Found || m.inv.report.Hint == "" {
		t.Fatalf("unknown id: screen %v report %+v, want not found with a hint", m.screen, m.inv.report)
	}
	if !strings.Contains(screenText(m), m.inv.report.Hint[:20]) {
		t.Errorf("the hint is not on screen:\n%s", screenText(m))
	}
}
