package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/culprit-dev/culprit/query"
)

// Text layout helpers. All widths are terminal cells.

// trunc cuts s (which may hold ANSI styles) to at most w cells, ending in
// an ellipsis when it had to cut.
func (s *styles) trunc(str string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(str) <= w {
		return str
	}
	return ansi.Truncate(str, w, s.G.Ellipsis)
}

// fit cuts or pads s to exactly w cells.
func (s *styles) fit(str string, w int) string {
	str = s.trunc(str, w)
	if pad := w - ansi.StringWidth(str); pad > 0 {
		str += strings.Repeat(" ", pad)
	}
	return str
}

// fitRight is fit with the text aligned right.
func (s *styles) fitRight(str string, w int) string {
	str = s.trunc(str, w)
	if pad := w - ansi.StringWidth(str); pad > 0 {
		str = strings.Repeat(" ", pad) + str
	}
	return str
}

// block fits lines into a w×h rectangle: each line cut or padded to w,
// missing lines blank, extra lines dropped.
func (s *styles) block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = s.fit(l, w)
	}
	return out
}

// joinColumns puts two blocks of equal height side by side with a gap.
func joinColumns(left, right []string, gap int) []string {
	out := make([]string, max(len(left), len(right)))
	sp := strings.Repeat(" ", gap)
	for i := range out {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = l + sp + r
	}
	return out
}

// wrap word-wraps plain text to w cells, breaking words longer than a line.
func wrap(str string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Hardwrap(ansi.Wordwrap(str, w, ""), w, true), "\n")
}

// rule draws "── title ──────── right" across w cells in style st.
func (s *styles) rule(title, right string, w int, st lipgloss.Style) string {
	r := s.G.Rule
	head := r + r + " " + title + " "
	tail := ""
	if right != "" {
		tail = " " + right + " " + r
	}
	fill := w - ansi.StringWidth(head) - ansi.StringWidth(tail)
	if fill < 1 {
		tail = ""
		fill = w - ansi.StringWidth(head)
	}
	line := head + strings.Repeat(r, max(fill, 0)) + tail
	return st.Render(s.trunc(line, w))
}

// allocate shares avail lines between panes that would like wants lines
// each: the focused pane first (so that at 80×24 it gets the room), then the
// others in equal shares, and whatever is left back to the focused one.
func allocate(avail int, wants []int, focus int) []int {
	got := make([]int, len(wants))
	if avail <= 0 {
		return got
	}
	others := 0
	for i, w := range wants {
		if i != focus {
			others += w
		}
	}
	if focus >= 0 && focus < len(wants) {
		// The focused pane gets what it wants, up to all the room the
		// others don't need, but at least two thirds of the room.
		share := max(avail-others, avail*2/3)
		got[focus] = min(wants[focus], share)
		avail -= got[focus]
	}
	// Water-fill the others.
	for avail > 0 {
		hungry := 0
		for i, w := range wants {
			if i != focus && got[i] < w {
				hungry++
			}
		}
		if hungry == 0 {
			break
		}
		each := max(avail/hungry, 1)
		for i, w := range wants {
			if i == focus || got[i] >= w || avail == 0 {
				continue
			}
			n := min(each, w-got[i], avail)
			got[i] += n
			avail -= n
		}
	}
	if focus >= 0 && focus < len(wants) && avail > 0 {
		got[focus] += min(avail, wants[focus]-got[focus])
	}
	return got
}

// clampOffset keeps a scroll offset within [0, n-visible].
func clampOffset(off, n, visible int) int {
	return max(0, min(off, n-visible))
}

// follow scrolls a list so that the cursor stays within rows lines.
func follow(top, cursor, rows int) int {
	if rows <= 0 {
		return cursor
	}
	if cursor < top {
		top = cursor
	}
	if cursor >= top+rows {
		top = cursor - rows + 1
	}
	return max(top, 0)
}

// count formats n with thousands separators: 12,345.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// compactDur formats a duration compactly: 6s, 4m12s, 2h5m, 3d4h.
func compactDur(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		m, s := int(d.Minutes()), int(d.Seconds())%60
		if s == 0 || m >= 10 {
			return fmt.Sprintf("%dm", m)
		}
		return fmt.Sprintf("%dm%ds", m, s)
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	default:
		days, h := int(d.Hours())/24, int(d.Hours())%24
		if h == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%dh", days, h)
	}
}

// offset formats signed seconds: -6s, +12m.
func offset(sec float64) string {
	// Under 10 s, tenths, as the verdict says them ("2.5 s before"): a
	// rounded "-3s" beside "2.5 s" in the banner reads as a contradiction.
	if a := math.Abs(sec); a < 10 && a >= 0.05 && math.Round(a) != math.Round(a*10)/10 {
		return fmt.Sprintf("%+.1fs", sec)
	}
	d := time.Duration(sec * float64(time.Second))
	if d.Round(time.Second) == 0 {
		return "0s"
	}
	if d < 0 {
		return "-" + compactDur(d)
	}
	return "+" + compactDur(d)
}

// ago formats how long before now t was: "3h ago", "in 2m" for the future.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "in " + compactDur(d)
	}
	if d < time.Second {
		return "just now"
	}
	return compactDur(d) + " ago"
}

// clock formats a time for a table: UTC, with the date when the span of
// the data covers more than one day.
func clock(t time.Time, withDate bool) string {
	t = t.UTC()
	if withDate {
		return t.Format("01-02 15:04:05")
	}
	return t.Format("15:04:05.000")
}

// multiDay reports whether [a, b] crosses a UTC date.
func multiDay(a, b time.Time) bool {
	ya, ma, da := a.UTC().Date()
	yb, mb, db := b.UTC().Date()
	return ya != yb || ma != mb || da != db
}

// bucketCounts extracts the counts of a histogram.
func bucketCounts(bs []query.TimeBucket) []int {
	out := make([]int, len(bs))
	for i, b := range bs {
		out[i] = b.Count
	}
	return out
}

// expandTabs replaces tabs with spaces (to the next multiple of 4), which
// keeps width computations right.
func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}
