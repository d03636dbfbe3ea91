// Package tui is culprit's interactive incident screen, a Bubble Tea v2
// program: a home screen to paste a failing request ID (or type a search),
// with the top error groups and an error histogram marked with deploys; an
// investigation screen (verdict, request timeline, stack trace, first
// occurrence, deploys, blast radius, next steps); and an explore screen to
// search the logs with facets and a virtualised results table.
//
// It talks to the rest of culprit only through the Backend interface, which
// *query.Investigator implements. Allowed imports: package query of this
// module (never index or ingest), the standard library, charm.land/bubbletea/v2,
// charm.land/bubbles/v2, charm.land/lipgloss/v2, github.com/charmbracelet/x/ansi
// and colorprofile, and its own sub-packages under tui/components.
//
// Every Backend call runs in a tea.Cmd; its result comes back as a message
// tagged with a sequence number, and results for a superseded request or
// query are dropped.
package tui
