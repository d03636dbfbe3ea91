package tui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/tui/components/prettyjson"
)

// contextWindow is how far around a line its context reaches.
const contextWindow = 30 * time.Second

// lineModel shows one log line whole: its original JSON pretty-printed
// and wrapped (never cut), scrollable; y copies it, c opens its context.
type lineModel struct {
	c             *common
	width, height int
	ev            query.ReportEvent
	off           int
}

func newLineView(c *common, ev query.ReportEvent, w, h int) lineModel {
	return lineModel{c: c, ev: ev, width: w, height: h}
}

func (m *lineModel) setSize(w, h int) { m.width, m.height = w, h }

// raw is the line as it was logged: the original object, or the message of
// a text line.
func (m lineModel) raw() string {
	if len(m.ev.Fields) > 0 && string(m.ev.Fields) != "null" {
		return string(m.ev.Fields)
	}
	return m.ev.Message
}

// content is the pretty-printed line, sanitised, wrapped to w.
func (m lineModel) content(w int) []string {
	var src []string
	if len(m.ev.Fields) > 0 && string(m.ev.Fields) != "null" {
		if ls, err := prettyjson.Lines(m.ev.Fields, "  "); err == nil {
			src = ls
		}
	}
	if src == nil {
		src = strings.Split(m.raw(), "\n")
	}
	var out []string
	for _, l := range src {
		out = append(out, wrap(expandTabs(query.Sanitize(l)), max(w, 8))...)
	}
	return out
}

func (m lineModel) rows() int { return max(m.height-3, 1) }

func (m lineModel) update(msg tea.Msg) (lineModel, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	k := m.c.keys
	n, vis := len(m.content(m.width-1)), m.rows()
	if off, ok := scrollKey(kp, k, m.off, n, vis); ok {
		m.off = off
		return m, nil
	}
	switch {
	case key.Matches(kp, k.CopyID):
		// The clipboard gets the line sanitised: pasted into a terminal it
		// must not carry the escapes a hostile line may hold.
		text := query.Sanitize(m.raw())
		return m, tea.Batch(tea.SetClipboard(text), statusCmd(fmt.Sprintf("copied the line (%d bytes) to the clipboard (OSC 52)", len(text)), false))
	case key.Matches(kp, k.Context):
		return m, openContext(m.ev.Service, hostOf(m.ev.Fields), m.ev.Time)
	case key.Matches(kp, k.Explore):
		if m.ev.RequestID != "" {
			return m, openExplore(fieldFilter("request_id", m.ev.RequestID))
		}
	}
	return m, nil
}

func (m lineModel) view() []string {
	st := m.c.st
	e := m.ev
	head := []string{clock(e.Time, true), query.SanitizeLine(e.Service)}
	if h := hostOf(e.Fields); h != "" {
		head = append(head, query.SanitizeLine(h))
	}
	head = append(head, strings.ToUpper(query.SanitizeLine(e.Level)))
	if e.Status != 0 {
		head = append(head, fmt.Sprint(e.Status))
	}
	lines := m.content(m.width - 1)
	vis := m.rows()
	off := clampOffset(m.off, len(lines), vis)
	pos := ""
	if len(lines) > vis {
		pos = fmt.Sprintf("%d-%d/%d", off+1, min(off+vis, len(lines)), len(lines))
	}
	out := []string{
		st.Bold.Render(st.trunc(strings.Join(head, "  "+st.G.Dot+"  "), m.width)),
		st.rule("Line "+query.SanitizeLine(e.Source), pos, m.width, st.Focused),
	}
	for _, l := range lines[off:min(off+vis, len(lines))] {
		out = append(out, " "+l)
	}
	return out
}

// contextQuery selects the lines around e: the same service (and host,
// when the line names one) within contextWindow either side.
func contextQuery(e query.ReportEvent) string {
	return contextAround(e.Service, hostOf(e.Fields), e.Time)
}

// contextAround selects the lines of service (and host, if known) within
// contextWindow of t.
func contextAround(service, host string, t time.Time) string {
	var q string
	if service != "" {
		q = fieldFilter("service", service)
	}
	if host != "" {
		q = addClause(q, fieldFilter("host", host))
	}
	q = addClause(q, `time:>=`+quoteValue(t.Add(-contextWindow).UTC().Format(time.RFC3339Nano)))
	return addClause(q, `time:<=`+quoteValue(t.Add(contextWindow).UTC().Format(time.RFC3339Nano)))
}

// hostOf is the host a JSON log line names (host, hostname, host.name,
// or {"host": {"name": …}}), or "".
func hostOf(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '{' {
		return ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return ""
	}
	for _, k := range []string{"host", "hostname", "host.name", "host_name"} {
		v, ok := obj[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) == nil && s != "" {
			return s
		}
		var nested struct {
			Name     string `json:"name"`
			Hostname string `json:"hostname"`
		}
		if json.Unmarshal(v, &nested) == nil {
			if nested.Name != "" {
				return nested.Name
			}
			if nested.Hostname != "" {
				return nested.Hostname
			}
		}
	}
	return ""
}
