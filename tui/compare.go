package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// compareModel shows the service of a request's error before and after
// its suspect deploy (query.DeployComparison): b on an investigation. It is
// live: when data arrives the comparison is made again (live.go), since
// the window after a recent deploy is still filling and a rollback's
// verdict can change; it says up to which line's time it counts.
type compareModel struct {
	c             *common
	width, height int
	report        *query.Report // what is compared, to compare again
	cmp           *query.DeployComparison
	asOf          time.Time // the newest line in the index when compared
	off           int
}

func (m *compareModel) setSize(w, h int) { m.width, m.height = w, h }

func (m compareModel) update(msg tea.Msg) (compareModel, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	n, vis := len(m.lines()), max(m.height-1, 1)
	m.off, _ = scrollKey(kp, m.c.keys, m.off, n, vis)
	return m, nil
}

func (m compareModel) view() []string {
	st := m.c.st
	c := m.cmp
	title := "Before and after " + query.SanitizeLine(strings.TrimSpace(c.Deploy.Service+" "+c.Deploy.Version))
	lines := m.lines()
	vis := max(m.height-1, 1)
	off := clampOffset(m.off, len(lines), vis)
	pos := ""
	if len(lines) > vis {
		pos = fmt.Sprintf("%d-%d/%d", off+1, min(off+vis, len(lines)), len(lines))
	}
	out := []string{st.rule(title, pos, m.width, st.Focused)}
	for _, l := range lines[off:min(off+vis, len(lines))] {
		out = append(out, " "+l)
	}
	return out
}

// lines is the comparison as rows of text for the current width.
func (m compareModel) lines() []string {
	st := m.c.st
	c := m.cmp
	w := m.width - 1
	var out []string
	out = append(out, st.Subtle.Render(st.trunc(fmt.Sprintf("service %s, %s either side of the deploy at %s UTC",
		query.SanitizeLine(c.Service), compactDur(secs(c.WindowSeconds)), c.Deploy.Time.UTC().Format("2006-01-02 15:04:05")), w)))
	if !m.asOf.IsZero() {
		out = append(out, st.Subtle.Render(st.trunc("counted up to the newest line, "+m.asOf.UTC().Format("2006-01-02 15:04:05")+" UTC (updated as lines arrive)", w)))
	}
	out = append(out, "")
	const lw, cw = 14, 22
	row := func(label, before, after string) string {
		return st.trunc(st.Subtle.Render(st.fit(label, lw))+st.fitRight(before, cw)+"  "+st.fitRight(after, cw), w)
	}
	b, a := c.Before, c.After
	out = append(out,
		st.Bold.Render(row("", "before", "after")),
		row("responses", count(b.Responses), count(a.Responses)),
		row("5xx rate", pct1(b.ErrorRate), highlight(st, pct1(a.ErrorRate), a.ErrorRate > 2*b.ErrorRate && a.Errors >= 3)),
		row("this error", count(b.Occurrences), highlight(st, count(a.Occurrences), a.Occurrences > b.Occurrences)),
		row("status", statusMix(b.Status), statusMix(a.Status)),
		row("p50 ms", ms(b.P50MS, b.Durations), ms(a.P50MS, a.Durations)),
		row("p95 ms", ms(b.P95MS, b.Durations), ms(a.P95MS, a.Durations)),
	)
	for _, by := range []struct {
		name string
		rows []query.CompareRow
	}{{"By version", c.ByVersion}, {"By host", c.ByHost}} {
		out = append(out, "", st.Bold.Render(by.name+" (both windows)"))
		if len(by.rows) == 0 {
			out = append(out, st.Subtle.Render("  no "+strings.ToLower(strings.TrimPrefix(by.name, "By "))+" in these lines"))
			continue
		}
		for _, r := range by.rows {
			mark := "  "
			line := fmt.Sprintf("%s 5xx %s of %s responses, %s of this error", pct1(r.ErrorRate), count(r.Errors), count(r.Responses), count(r.Occurrences))
			text := st.fit(query.SanitizeLine(r.Value), 20) + " " + line
			if r.Outlier {
				mark = st.G.Suspect + " "
				text = st.Suspect.Render(st.trunc(text+"  stands out", w-2))
			}
			out = append(out, st.trunc(mark+text, w))
		}
	}
	if l := c.Later; l != nil {
		what := "A later deploy"
		if l.Rollback {
			what = "The rollback"
		}
		out = append(out, "", st.Bold.Render(fmt.Sprintf("%s: %s %s at %s UTC", what, query.SanitizeLine(l.Deploy.Service),
			query.SanitizeLine(l.Deploy.Version), l.Deploy.Time.UTC().Format("15:04:05"))))
		verdict := st.Error.Render("the error went on after it")
		if l.Stopped {
			verdict = st.OK.Render("the error stopped after it")
		} else if l.Before == 0 {
			verdict = st.Subtle.Render("the error had already stopped before it")
		}
		out = append(out, st.trunc(fmt.Sprintf("  %s occurrences in the %s before it, %s after: ", count(l.Before), compactDur(secs(l.WindowSeconds)), count(l.After))+verdict, w))
	}
	for _, n := range c.Notes {
		out = append(out, "", st.Subtle.Render(st.trunc(n, w)))
	}
	return out
}

func highlight(st *styles, s string, on bool) string {
	if on {
		return st.Error.Render(s)
	}
	return s
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func pct1(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func ms(v float64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}

// statusMix is "2xx 346 4xx 23".
func statusMix(m map[string]int) string {
	var parts []string
	for _, k := range []string{"2xx", "3xx", "4xx", "5xx"} {
		if n := m[k]; n > 0 {
			parts = append(parts, k+" "+count(n))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
