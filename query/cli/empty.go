package cli

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/culprit-dev/culprit/query"
)

// What a command says when it finds nothing. The note names what was asked
// (the query, the service, the level, the time range), so that a user can
// see which part of the question to change, and names the cause when it is
// one the index can tell: a --service that no event carries.

// scope is the part of a question that narrows it, for "no results" notes.
type scope struct {
	service      string
	level        string
	since, until time.Time
}

// String renders the scope as " for service S at level L or worse between
// T and U", or "" when nothing narrows the question.
func (s scope) String() string {
	var b strings.Builder
	if s.service != "" {
		fmt.Fprintf(&b, " for service %s", query.ShellQuote(s.service))
	}
	if s.level != "" {
		fmt.Fprintf(&b, " at level %s or worse", s.level)
	}
	switch {
	case !s.since.IsZero() && !s.until.IsZero():
		fmt.Fprintf(&b, " between %s and %s", query.FormatTime(s.since), query.FormatTime(s.until))
	case !s.since.IsZero():
		fmt.Fprintf(&b, " since %s", query.FormatTime(s.since))
	case !s.until.IsZero():
		fmt.Fprintf(&b, " before %s", query.FormatTime(s.until))
	}
	return b.String()
}

// unknownService says, when no event of the index carries service, so and
// which services there are ("" when the service is known, or when asking
// fails: the plain note is then still true).
func unknownService(ctx context.Context, inv *query.Investigator, service string) string {
	if service == "" {
		return ""
	}
	res, err := inv.Search(ctx, query.SearchOptions{Service: service, Limit: 1})
	if err != nil || res.Total > 0 || len(res.Events) > 0 {
		return ""
	}
	const shown = 10
	fc, err := inv.Facet(ctx, query.Filter{}, "service", shown)
	if err != nil {
		return ""
	}
	if len(fc.Buckets) == 0 {
		return fmt.Sprintf("no event of the index names service %s", query.ShellQuote(service))
	}
	names := make([]string, len(fc.Buckets))
	for i, b := range fc.Buckets {
		names[i] = query.ShellQuote(b.Value)
	}
	more := ""
	if fc.Distinct > len(names) {
		more = fmt.Sprintf(" and %d more", fc.Distinct-len(names))
	}
	return fmt.Sprintf("no event of the index names service %s; services: %s%s", query.ShellQuote(service), strings.Join(names, ", "), more)
}

// clipArg shortens an argument quoted back in a note to its first 200
// characters: a generated query of 80 KB is not worth repeating.
func clipArg(s string) string {
	const keep = 200
	if utf8.RuneCountInString(s) <= keep {
		return s
	}
	r := []rune(s)
	return string(r[:keep]) + "…"
}

// emptyNote joins the plain note and, when there is one, the reason.
func emptyNote(note, reason string) string {
	if reason == "" {
		return note
	}
	return note + " (" + reason + ")"
}
