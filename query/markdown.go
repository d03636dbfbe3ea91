package query

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MarkdownOptions configure WriteReportMarkdown.
type MarkdownOptions struct {
	// Command is how the reproduce section invokes culprit: "culprit" when
	// empty. Include any global flag the reader needs ("culprit --index
	// /var/lib/culprit").
	Command string
	// MaxEvents caps the timeline table (0: 50). The full count is stated.
	MaxEvents int
}

// WriteReportMarkdown renders a Report as Markdown for an incident channel
// or a postmortem: the verdict, its evidence, the root error with its
// culprit frame and stack trace, the first occurrence, the deploys around
// it, the blast radius, the next steps and the commands that reproduce the
// investigation. Every string from the logs is sanitised (no control
// character reaches a terminal that prints the file) and escaped for
// Markdown (a message cannot open a link, an image, HTML or a table
// cell); stacks and raw lines go in fenced code blocks whose fence is
// longer than any backtick run inside.
func WriteReportMarkdown(w io.Writer, r *Report, o MarkdownOptions) error {
	if r == nil {
		return fmt.Errorf("nil report")
	}
	if o.Command == "" {
		o.Command = "culprit"
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = 50
	}
	b := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	id := SanitizeLine(r.RequestID)
	if !r.Found {
		p("# Request %s: not found\n\n", mdCode(id))
		if r.Hint != "" {
			p("%s\n\n", mdText(r.Hint))
		}
		writeMarkdownReproduce(b, r, o)
		return b.Flush()
	}
	cause := "no error"
	if r.Verdict != nil {
		cause = strings.ReplaceAll(r.Verdict.Cause, "-", " ")
	} else if r.Error != nil {
		cause = CauseUnknown
	}
	p("# Request %s: %s\n\n", mdCode(id), cause)

	p("## Verdict\n\n")
	switch {
	case r.Verdict != nil:
		p("**%s**: %s\n\n", mdText(r.Verdict.Cause), mdText(r.Verdict.Summary))
	case r.Error != nil:
		p("No verdict: %s\n\n", mdText(joinNonEmpty(": ", r.Error.Type, r.Error.Message)))
	default:
		p("The request logged no error event.\n\n")
	}
	svcs := make([]string, len(r.Services))
	for i, s := range r.Services {
		svcs[i] = mdText(s)
	}
	line := fmt.Sprintf("Request %s: %s", mdCode(id), plural(r.EventsTotal, "event"))
	if len(svcs) > 0 {
		line += " across " + strings.Join(svcs, " → ")
	}
	if n := len(r.Events); n > 0 {
		a, z := r.Events[0].Time, r.Events[n-1].Time
		line += fmt.Sprintf(", %s UTC → %s (%s)", stamp(a), clock(z), humanDuration(z.Sub(a).Seconds()))
	}
	p("%s.\n\n", line)

	if v := r.Verdict; v != nil && len(v.Evidence) > 0 {
		p("## Evidence\n\n")
		for _, e := range v.Evidence {
			p("- %s\n", mdText(e))
		}
		p("\n")
	}
	if e := r.Error; e != nil {
		writeMarkdownError(b, e)
	}
	if g := r.Group; g != nil {
		p("## First occurrence\n\n")
		p("- first seen: %s UTC in request %s\n", stamp(g.FirstSeen), mdCode(SanitizeLine(orDash(g.FirstRequestID))))
		p("- last seen: %s UTC\n", stamp(g.LastSeen))
		p("- seen %s in %s\n", plural(g.Count, "time"), plural(g.Requests, "request"))
		p("- fingerprint %s\n\n", mdCode(SanitizeLine(g.Fingerprint)))
	}
	if r.Error != nil && r.Group != nil {
		writeMarkdownDeploys(b, r)
	}
	if br := r.BlastRadius; br != nil {
		writeMarkdownBlast(b, br)
	}
	if c := r.Compare; c != nil {
		writeMarkdownCompare(b, c)
	}
	writeMarkdownTimeline(b, r, o)
	if v := r.Verdict; v != nil && len(v.NextSteps) > 0 {
		p("## Next steps\n\n")
		for i, s := range v.NextSteps {
			p("%d. %s\n", i+1, mdText(s))
		}
		p("\n")
	}
	writeMarkdownReproduce(b, r, o)
	return b.Flush()
}

func writeMarkdownError(b *bufio.Writer, e *RootError) {
	fmt.Fprintf(b, "## Root error\n\n")
	fmt.Fprintf(b, "**%s**\n\n", mdText(joinNonEmpty(": ", e.Type, e.Message)))
	var where []string
	for _, s := range []string{e.Service, e.Route, e.Source} {
		if s != "" {
			where = append(where, mdCode(SanitizeLine(s)))
		}
	}
	where = append(where, stamp(e.Time)+" UTC")
	fmt.Fprintf(b, "In %s.\n\n", strings.Join(where, " · "))
	if f := e.Culprit(); f != nil {
		fmt.Fprintf(b, "Culprit frame: %s\n\n", mdCode(SanitizeLine(f.Text)))
	}
	if strings.TrimSpace(e.Stack) != "" {
		fmt.Fprint(b, mdFence(e.CopyText(), ""))
	}
	if len(e.Chain) > 0 {
		fmt.Fprintf(b, "Logged upstream after it:\n\n")
		for _, c := range e.Chain {
			fmt.Fprintf(b, "- %s %s: %s\n", clock(c.Time), mdText(c.Service), mdText(withError(c.Message, c.Error)))
		}
		fmt.Fprintln(b)
	}
}

func writeMarkdownDeploys(b *bufio.Writer, r *Report) {
	fmt.Fprintf(b, "## Deploys\n\n")
	if len(r.DeploysNearby) == 0 {
		fmt.Fprintf(b, "No deploy near the first occurrence.\n\n")
		return
	}
	fmt.Fprintf(b, "| time (UTC) | service | version | commit | author | offset from first occurrence | |\n")
	fmt.Fprintf(b, "|---|---|---|---|---|---|---|\n")
	for _, d := range r.DeploysNearby {
		tag := ""
		if d.Suspect {
			tag = "**suspect**"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", stamp(d.Time), mdText(orDash(d.Service)),
			mdText(orDash(d.Version)), mdCode(SanitizeLine(orDash(shortCommit(d.Commit)))), mdText(orDash(d.Author)),
			signedDuration(d.OffsetSeconds), tag)
	}
	fmt.Fprintln(b)
}

func writeMarkdownBlast(b *bufio.Writer, br *BlastRadius) {
	fmt.Fprintf(b, "## Blast radius\n\n")
	fmt.Fprintf(b, "- window: %s → %s UTC\n", stamp(br.WindowStart), stamp(br.WindowEnd))
	fmt.Fprintf(b, "- endpoints: %d of %d active (%s)\n", br.EndpointsAffected, br.EndpointsActive, mdText(br.Scope))
	fmt.Fprintf(b, "- users: %d of %d active (%s)\n", br.UsersAffected, br.UsersActive, mdText(br.UserScope))
	if len(br.Services) > 0 {
		s := make([]string, len(br.Services))
		for i, v := range br.Services {
			s[i] = mdText(v)
		}
		fmt.Fprintf(b, "- services: %s\n", strings.Join(s, ", "))
	}
	for i, e := range br.Endpoints {
		if i == 0 {
			fmt.Fprintf(b, "- failures by endpoint:")
		}
		sep := ","
		if i == len(br.Endpoints)-1 {
			sep = ""
		}
		fmt.Fprintf(b, " %s %d%s", mdCode(SanitizeLine(e.Route)), e.Count, sep)
		if i == len(br.Endpoints)-1 {
			fmt.Fprintln(b)
		}
	}
	for _, ol := range br.Outliers {
		fmt.Fprintf(b, "- over-represented: %s=%s, %.0f%% of failures vs %.0f%% of all requests\n",
			mdText(ol.Field), mdCode(SanitizeLine(ol.Value)), ol.FailureShare*100, ol.BaselineShare*100)
	}
	fmt.Fprintln(b)
}

func writeMarkdownTimeline(b *bufio.Writer, r *Report, o MarkdownOptions) {
	if len(r.Events) == 0 {
		return
	}
	fmt.Fprintf(b, "## Timeline\n\n")
	fmt.Fprintf(b, "| time (UTC) | service | level | status | message |\n|---|---|---|---|---|\n")
	for i, e := range r.Events {
		if i == o.MaxEvents {
			break
		}
		status := ""
		if e.Status != 0 {
			status = strconv.Itoa(e.Status)
		}
		msg := withError(e.Message, e.Error)
		if e.Path != "" && !strings.Contains(msg, e.Path) {
			msg = joinNonEmpty("  ", msg, e.Method+" "+e.Path)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", clock(e.Time), mdText(e.Service), mdText(e.Level), status, mdText(msg))
	}
	if n := max(len(r.Events), r.EventsTotal); n > min(len(r.Events), o.MaxEvents) {
		fmt.Fprintf(b, "\n%d of %s shown.\n", min(len(r.Events), o.MaxEvents), plural(n, "line"))
	}
	fmt.Fprintln(b)
}

func writeMarkdownReproduce(b *bufio.Writer, r *Report, o MarkdownOptions) {
	fmt.Fprintf(b, "## Reproduce\n\n")
	var cmds []string
	cmds = append(cmds, o.Command+" request "+ShellQuote(r.RequestID))
	cmds = append(cmds, o.Command+" search "+ShellQuote(queryField("request_id", r.RequestID)))
	if r.Error != nil && r.Error.Fingerprint != "" {
		cmds = append(cmds, o.Command+" search "+ShellQuote(queryField("fingerprint", r.Error.Fingerprint)))
	}
	if r.Group != nil {
		cmds = append(cmds, o.Command+" errors")
	}
	fmt.Fprintf(b, "%s", mdFence(strings.Join(cmds, "\n"), "sh"))
}

// mdSpecial are the characters that Markdown (CommonMark and GFM tables)
// may read as syntax inside a line of prose that follows a prefix of ours
// (so block syntax such as "# " or "1. " at a line start cannot occur):
// code spans, emphasis, links and images, HTML and entities, table cells,
// strikethrough. Dots and hyphens stay readable.
const mdSpecial = "\\`*_[]<>|~&"

// mdText makes one line of log text safe as Markdown prose: sanitised for
// a terminal, on one line, and every Markdown metacharacter
// backslash-escaped, so it renders literally.
func mdText(s string) string {
	s = SanitizeLine(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune(mdSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode is s as an inline code span: delimited by one backtick more than
// the longest run inside it, padded with spaces when it starts or ends
// with a backtick. A pipe is escaped (GFM tables split on it even in a
// code span). s must already be sanitised.
func mdCode(s string) string {
	if s == "" {
		return "``"
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	s = strings.ReplaceAll(s, "|", `\|`)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdFence is s in a fenced code block tagged lang, sanitised for a
// terminal (newlines and tabs kept), with a fence longer than any run of
// backticks in s so it cannot be closed from inside.
func mdFence(s, lang string) string {
	s = strings.TrimRight(Sanitize(s), "\n")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + lang + "\n" + s + "\n" + fence + "\n\n"
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// ShellQuote quotes s for a POSIX shell, after sanitising it: in single
// quotes, each quote inside written as quote, backslash, quote, quote. A
// word of safe characters is left as it is.
func ShellQuote(s string) string {
	s = SanitizeLine(s)
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CopyText is the error as an engineer pastes it: the exception line
// (type and message) followed by the stack trace. A stack that already
// starts with the exception line (Java, Python's last line aside) is kept
// as it is; one that starts elsewhere (a Go "goroutine N [running]:"
// dump) gets the message put before it, as Go prints a panic.
func (e *RootError) CopyText() string {
	if e == nil {
		return ""
	}
	head := joinNonEmpty(": ", e.Type, e.Message)
	st := strings.TrimRight(e.Stack, "\r\n \t")
	if strings.TrimSpace(st) == "" {
		return head
	}
	first, _, _ := strings.Cut(strings.TrimLeft(st, "\r\n"), "\n")
	first = strings.TrimSpace(first)
	if head == "" || (e.Message != "" && strings.Contains(first, firstLine(e.Message))) {
		return st
	}
	return head + "\n\n" + st
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}

func writeMarkdownCompare(b *bufio.Writer, c *DeployComparison) {
	fmt.Fprintf(b, "## Before and after %s %s\n\n", mdText(c.Deploy.Service), mdText(c.Deploy.Version))
	fmt.Fprintf(b, "%s on either side of the deploy (%s UTC), service %s.\n\n", humanDuration(c.WindowSeconds), stamp(c.Deploy.Time), mdText(c.Service))
	fmt.Fprintf(b, "| | before | after |\n|---|---|---|\n")
	fmt.Fprintf(b, "| responses | %d | %d |\n", c.Before.Responses, c.After.Responses)
	fmt.Fprintf(b, "| 5xx rate | %.1f%% | %.1f%% |\n", c.Before.ErrorRate*100, c.After.ErrorRate*100)
	fmt.Fprintf(b, "| this error | %d | %d |\n", c.Before.Occurrences, c.After.Occurrences)
	fmt.Fprintf(b, "| p50 / p95 ms | %.0f / %.0f | %.0f / %.0f |\n\n", c.Before.P50MS, c.Before.P95MS, c.After.P50MS, c.After.P95MS)
	for _, by := range []struct {
		name string
		rows []CompareRow
	}{{"version", c.ByVersion}, {"host", c.ByHost}} {
		for _, r := range by.rows {
			if r.Outlier {
				fmt.Fprintf(b, "- %s %s stands out: %.1f%% 5xx (%d of %d)\n", by.name, mdCode(SanitizeLine(r.Value)), r.ErrorRate*100, r.Errors, r.Responses)
			}
		}
	}
	if l := c.Later; l != nil {
		what := "a later deploy"
		if l.Rollback {
			what = "the rollback"
		}
		verdict := "the error continued"
		if l.Stopped {
			verdict = "the error stopped"
		}
		fmt.Fprintf(b, "- %s to %s at %s UTC: %s before, %d after: %s\n", what, mdText(l.Deploy.Version), stamp(l.Deploy.Time), plural(l.Before, "occurrence"), l.After, verdict)
	}
	fmt.Fprintln(b)
}
