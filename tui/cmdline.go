package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/tui/components/input"
)

// The command line: ":" opens it in the footer on any screen that is not
// taking text. What is typed there is a filter (clauses of the search
// syntax) added to what is on screen: on explore, to its query; on an
// investigation, to its error group (or the request's lines when it has
// no error); on home, it starts a search. ":q" quits.

func newCmdline(c *common) input.Model {
	in := input.New()
	in.Prompt = ":"
	in.Placeholder = "filter, e.g. service:orders status:>=500 -level:debug (enter applies, esc cancels)"
	in.Styles = c.st.Input
	return in
}

func (m Model) cmdlineKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Back):
		m.cmdline.Blur()
		return m, nil
	case key.Matches(msg, k.Enter):
		text := strings.TrimSpace(m.cmdline.Value())
		m.cmdline.Blur()
		m.cmdline.SetValue("")
		return m.runCommand(text)
	}
	var cmd tea.Cmd
	m.cmdline, cmd = m.cmdline.Update(msg)
	return m, cmd
}

// runCommand applies a command line.
func (m Model) runCommand(text string) (Model, tea.Cmd) {
	switch text {
	case "":
		return m, nil
	case "q", "quit":
		return m, tea.Quit
	}
	switch m.screen {
	case screenExplore:
		m.explore.input.SetValue(withFilters(m.explore.query, text))
		var cmd tea.Cmd
		m.explore, cmd = m.explore.run()
		return m, cmd
	case screenInvestigation:
		r := m.inv.report
		base := ""
		switch {
		case r == nil:
		case r.Error != nil && r.Error.Fingerprint != "":
			base = fieldFilter("fingerprint", r.Error.Fingerprint)
		default:
			base = fieldFilter("request_id", r.RequestID)
		}
		return m.openExplore(withFilters(base, text))
	case screenLine:
		return m.openExplore(withFilters(contextQuery(m.line.ev), text))
	}
	return m.openExplore(withFilters("", text))
}

// withFilters adds each clause of text to q; a clause with - stays a
// negation.
func withFilters(q, text string) string {
	for _, t := range splitQuery(text) {
		t = strings.TrimPrefix(t, "+")
		switch {
		case t == "":
		case strings.HasPrefix(t, "-"):
			q = strings.TrimSpace(mustAll(q) + " " + t)
		default:
			q = addClause(q, t)
		}
	}
	return q
}

// mustAll marks every plain clause of q as required (+), so that adding a
// negation keeps q's meaning.
func mustAll(q string) string {
	toks := splitQuery(q)
	for i, t := range toks {
		if !strings.HasPrefix(t, "+") && !strings.HasPrefix(t, "-") {
			toks[i] = "+" + t
		}
	}
	return strings.Join(toks, " ")
}
