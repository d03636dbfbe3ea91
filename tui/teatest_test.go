package tui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestProgramPasteToInvestigation runs the real program loop: paste a
// request ID on the home screen, wait for the investigation, quit.
func TestProgramPasteToInvestigation(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_CTYPE", "")
	t.Setenv("LANG", "C.UTF-8")
	m := New(newFake(), Options{Now: func() time.Time { return fixedNow }})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	contains := func(s string) func([]byte) bool {
		return func(out []byte) bool { return bytes.Contains([]byte(ansi.Strip(string(out))), []byte(s)) }
	}
	teatest.WaitFor(t, tm.Output(), contains("regression"), teatest.WithDuration(10*time.Second))
	tm.Send(tea.PasteMsg{Content: "\n" + regression + "\n"})
	teatest.WaitFor(t, tm.Output(), contains("DEPLOYMENT REGRESSION"), teatest.WithDuration(10*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	final := tm.FinalModel(t).(Model)
	if final.screen != screenInvestigation || final.inv.report.RequestID != regression {
		t.Fatalf("final screen %v, want the investigation of %s", final.screen, regression)
	}
	golden.RequireEqual(t, ansi.Strip(final.View().Content))
}
