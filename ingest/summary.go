package ingest

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
	"github.com/culprit-dev/culprit/ingest/textsafe"
)

// SourceSummary describes what one source contributed to an ingest run. The
// counts are for this run only (an appended file counts its tail).
type SourceSummary struct {
	// Path is the source as the user named it ("-" for stdin).
	Path string `json:"path"`
	// Source is the name given to its events (Event.Source): Path, plus
	// "#<generation>" for a rotated file or "#<hash>" for a stream.
	Source string `json:"source,omitempty"`
	// Status says how the source was read: "new", "appended", "resumed",
	// "rotated", "truncated", "unchanged", or "diverged" (a stream that
	// starts like a content ingested before but differs from it).
	Status    string `json:"status,omitempty"`
	Lines     int64  `json:"lines"`      // lines read, empty ones included
	Events    int64  `json:"events"`     // events added (non-empty lines)
	TextLines int64  `json:"text_lines"` // events that were not JSON objects
	Truncated int64  `json:"truncated"`  // lines longer than MaxLine, kept cut
	Untimed   int64  `json:"untimed"`    // events without a time of their own
	// FallbackTimed counts the untimed events before the source's first
	// timed line: they took the file's modification time (a stream's: the
	// time the ingest started), which says little about when they happened.
	FallbackTimed int64 `json:"fallback_timed,omitempty"`
	// TimeHint, when some events had no time, says why and which --field
	// time=... to pass.
	TimeHint string `json:"time_hint,omitempty"`
	Repaired int64  `json:"repaired"` // lines with invalid UTF-8, repaired
	// Held counts an unterminated last line held back because the file was
	// modified less than a minute ago (its writer may be mid-line); a later
	// ingest reads it.
	Held int64 `json:"held,omitempty"`
	// First and Last are the oldest and newest event times (zero: none).
	// They are not marshalled here: the CLI writes them with the JSON
	// contract's one time encoder (query.JSONTime).
	First time.Time `json:"-"`
	Last  time.Time `json:"-"`
	// Fields is the mapping used: canonical field -> gjson path.
	Fields map[string]string `json:"fields"`
	// Convention is the logger guessed for the source ("zap", "pino", ...,
	// "json", "text").
	Convention string `json:"convention"`
	// Overridden lists the fields set by --field.
	Overridden []string `json:"overridden,omitempty"`
	// Skipped is why the source added nothing: "unchanged" (its content
	// was ingested already, perhaps under another name), "binary", "empty".
	Skipped string `json:"skipped,omitempty"`
	// Names are the names the source's content has been seen under (this
	// one included), in the order first seen: a renamed, compressed or
	// linked copy lists the name it was first read under.
	Names []string `json:"names,omitempty"`

	timeKeys []string // keys of the sample whose values read as times
}

// explainUntimed sets TimeHint when events had no time of their own.
func (s *SourceSummary) explainUntimed(m *logline.Mapping, stream bool) {
	if s.Untimed == 0 {
		return
	}
	fallback := "the file's modification time"
	if stream {
		fallback = "the time the ingest started"
	}
	var b strings.Builder
	if s.FallbackTimed > 0 {
		fmt.Fprintf(&b, "%s took %s, ", num(s.FallbackTimed), fallback)
	}
	if n := s.Untimed - s.FallbackTimed; n > 0 {
		fmt.Fprintf(&b, "%s took the previous line's, ", num(n))
	}
	mapped := ""
	if m != nil {
		mapped = m.Fields()["time"]
	}
	var keys []string
	for _, k := range s.timeKeys {
		if k != mapped {
			keys = append(keys, k)
		}
	}
	switch {
	case len(keys) > 0:
		fmt.Fprintf(&b, "if the time is in %s, pass --field time=%s", strings.Join(keys, " or "), keys[0])
	case mapped != "":
		fmt.Fprintf(&b, "those lines have no %s; pass --field time=PATH if they hold a time elsewhere", mapped)
	default:
		b.WriteString("no key of the first lines holds a time: pass --field time=PATH")
	}
	s.TimeHint = b.String()
}

// Summary is the result of an ingest run.
type Summary struct {
	Sources []SourceSummary `json:"sources"`
	Events  int64           `json:"events"`  // events added, all sources
	Deploys int             `json:"deploys"` // deploys added
	Failed  []PathError     `json:"failed,omitempty"`
	// NotCommitted counts lines read but not committed because the run
	// failed; the counts above exclude them and the next run reads them.
	NotCommitted int64 `json:"not_committed,omitempty"`
}

// WriteText writes the summary for a human: per source its counts, time
// span, convention and the mapping chosen (so a wrong guess is visible), then
// the totals and the failures.
func (s Summary) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var lines int64
	skipped, unread := 0, 0
	failed := make(map[string]bool, len(s.Failed))
	for _, f := range s.Failed {
		failed[f.Path] = true
	}
	for _, src := range s.Sources {
		lines += src.Lines
		if src.Skipped == "" && src.Lines == 0 && src.Events == 0 && failed[src.Path] {
			// It could not be read (permission denied, ...): say so
			// here, the reason is listed under "failed".
			unread++
			fmt.Fprintf(bw, "%s: not read (see failed)\n", textsafe.Line(src.Path))
			continue
		}
		if src.Skipped != "" {
			skipped++
			why := src.Skipped
			if src.Source != "" && src.Source != src.Path {
				why += ", content already ingested as " + src.Source
			}
			if src.Held > 0 {
				why += "; its unterminated last line is held back"
			}
			fmt.Fprintf(bw, "%s: skipped (%s)\n", textsafe.Line(src.Path), textsafe.Line(why))
			continue
		}
		name := src.Path
		if src.Source != "" && src.Source != src.Path {
			name += " (as " + src.Source + ")"
		}
		fmt.Fprintf(bw, "%s: %s, %s", textsafe.Line(name), nouns(src.Lines, "line"), nouns(src.Events, "event"))
		if src.Status != "" && src.Status != "new" {
			fmt.Fprintf(bw, " [%s]", src.Status)
		}
		bw.WriteByte('\n')
		var notes []string
		for _, c := range []struct {
			n    int64
			what string
		}{
			{src.TextLines, "not JSON (kept as text)"},
			{src.Truncated, "truncated (longer than the line limit)"},
			{src.Untimed, "without a time"},
			{src.Repaired, "with invalid UTF-8 (repaired)"},
			{src.Held, "unterminated last line held back (no newline yet: a later ingest reads it once completed; --final stores it as is)"},
		} {
			if c.n > 0 {
				notes = append(notes, num(c.n)+" "+c.what)
			}
		}
		if len(notes) > 0 {
			fmt.Fprintf(bw, "  %s\n", strings.Join(notes, ", "))
		}
		if src.TimeHint != "" {
			fmt.Fprintf(bw, "  warning: %s without a time: %s\n", nouns(src.Untimed, "line"), textsafe.Line(src.TimeHint))
		}
		if !src.First.IsZero() {
			fmt.Fprintf(bw, "  time: %s .. %s\n", fmtTime(src.First), fmtTime(src.Last))
		}
		if others := slices.DeleteFunc(slices.Clone(src.Names), func(n string) bool { return n == src.Path }); len(others) > 0 {
			bw.WriteString(wrap("  also seen as: ", others, 100))
		}
		if src.Convention != "" {
			fmt.Fprintf(bw, "  convention: %s\n", src.Convention)
		}
		if parts := mappingParts(src.Fields, src.Overridden); len(parts) > 0 {
			bw.WriteString(wrap("  mapping: ", parts, 100))
		}
	}
	fmt.Fprintf(bw, "total: %s", nouns(int64(len(s.Sources)), "source"))
	switch {
	case skipped > 0 && unread > 0:
		fmt.Fprintf(bw, " (%d skipped, %d not read)", skipped, unread)
	case skipped > 0:
		fmt.Fprintf(bw, " (%d skipped)", skipped)
	case unread > 0:
		fmt.Fprintf(bw, " (%d not read)", unread)
	}
	fmt.Fprintf(bw, ", %s, %s added, %s added\n", nouns(lines, "line"), nouns(s.Events, "event"), nouns(int64(s.Deploys), "deploy"))
	if s.NotCommitted > 0 {
		fmt.Fprintf(bw, "not committed: %s read after the last commit (the run failed; the next ingest reads them again)\n", nouns(s.NotCommitted, "line"))
	}
	if len(s.Failed) > 0 {
		fmt.Fprintf(bw, "failed: %d\n", len(s.Failed))
		for _, f := range s.Failed {
			fmt.Fprintf(bw, "  %s\n", f.Error())
		}
	}
	return bw.Flush()
}

// mappingParts renders the mapping as "time ← ts", "request_id ← req.id
// (--field)", ... in the order of index.Fields.
func mappingParts(fields map[string]string, overridden []string) []string {
	var parts []string
	done := make(map[string]bool, len(fields))
	add := func(k string) {
		p, ok := fields[k]
		if !ok || done[k] {
			return
		}
		done[k] = true
		s := k + " ← " + textsafe.Line(p)
		if slices.Contains(overridden, k) {
			s += " (--field)"
		}
		parts = append(parts, s)
	}
	for _, k := range index.Fields {
		add(k)
	}
	rest := make([]string, 0, len(fields))
	for k := range fields {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		add(k)
	}
	return parts
}

// wrap joins parts with ", " after prefix, breaking lines before width
// columns; continuation lines are indented like the first part.
func wrap(prefix string, parts []string, width int) string {
	var b strings.Builder
	indent := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	b.WriteString(prefix)
	col := utf8.RuneCountInString(prefix)
	for i, p := range parts {
		n := utf8.RuneCountInString(p)
		if i > 0 {
			if col+2+n > width {
				b.WriteString(",\n" + indent)
				col = len(indent)
			} else {
				b.WriteString(", ")
				col += 2
			}
		}
		b.WriteString(p)
		col += n
	}
	b.WriteByte('\n')
	return b.String()
}

func fmtTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// nouns formats n and noun, in the plural unless n is 1: "1 line",
// "1,309 lines".
func nouns(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return num(n) + " " + noun + "s"
}

// num formats n with thousands separators.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
