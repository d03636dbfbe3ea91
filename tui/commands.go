package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// Tunables.
const (
	pageSize       = 200                    // explore results fetched per Search
	maxPages       = 12                     // explore pages kept in memory
	groupsLimit    = 50                     // error groups on the home screen
	facetSize      = 8                      // values per explore facet
	debounceDelay  = 250 * time.Millisecond // typing pause before a search
	statusDuration = 4 * time.Second
)

// facetFields are the explore facets, in display order; a short terminal
// shows the first smallFacets of them.
var facetFields = []string{"service", "level", "status", "route", "version", "host", "user"}

// smallFacets is how many facets fit below 30 rows.
const smallFacets = 4

// timeRange is an explore time-range shortcut, counted back from the newest
// ingested event (0: everything).
type timeRange struct {
	label string
	d     time.Duration
}

var timeRanges = [...]timeRange{
	{"15m", 15 * time.Minute}, {"1h", time.Hour}, {"6h", 6 * time.Hour}, {"24h", 24 * time.Hour}, {"all", 0},
}

// common is what every screen shares; it is built once and never changes.
type common struct {
	ctx   context.Context
	b     Backend
	st    *styles
	keys  keyMap
	now   func() time.Time
	ascii bool
	tick  func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd // tea.Tick; faked in tests
	// saveDir is where S writes Markdown ("" : the current directory).
	saveDir string
}

// spanCmd fetches the index span.
func spanCmd(ctx context.Context, b Backend) tea.Cmd {
	return func() tea.Msg {
		s, err := b.Span(ctx)
		return spanMsg{span: s, err: err}
	}
}

// deploysCmd fetches the deploy history.
func deploysCmd(ctx context.Context, b Backend) tea.Cmd {
	return func() tea.Msg {
		ds, err := b.Deploys(ctx)
		return deploysMsg{deploys: ds, err: err}
	}
}

// groupsCmd fetches the top error groups.
func groupsCmd(ctx context.Context, b Backend, seq int) tea.Cmd {
	return func() tea.Msg {
		// Histograms come along: the home screen ranks a rising rate.
		gs, err := b.Errors(ctx, query.ErrorsOptions{Sort: "count", Limit: groupsLimit, Buckets: 40})
		return groupsMsg{seq: seq, groups: gs, err: err}
	}
}

// groupHistCmd fetches the sparkline of a group that came without one.
func groupHistCmd(ctx context.Context, b Backend, seq int, fp string, from, to time.Time, n int) tea.Cmd {
	return func() tea.Msg {
		bs, err := b.Histogram(ctx, query.Filter{Fingerprint: fp, ErrorsOnly: true}, from, to, n)
		if err != nil {
			return nil // the row simply keeps no sparkline
		}
		return groupHistMsg{seq: seq, fingerprint: fp, buckets: bs}
	}
}

// homeHistCmd fetches the error histogram over the whole span.
func homeHistCmd(ctx context.Context, b Backend, seq int, span query.Span, width int) tea.Cmd {
	from, to := spanBounds(span)
	return func() tea.Msg {
		bs, err := b.Histogram(ctx, query.Filter{ErrorsOnly: true}, from, to, width)
		return homeHistMsg{seq: seq, width: width, buckets: bs, err: err}
	}
}

// spanBounds is the half-open window [First, Last+1s) covering every event.
func spanBounds(s query.Span) (time.Time, time.Time) {
	return s.First, s.Last.Add(time.Second)
}

// resolveCmd investigates id, then its other spellings while it is not
// found (query.RequestIDVariants: an uppercase UUID against lowercase
// logs). With search, an unknown id that occurs as text in the logs opens
// the explore screen instead; an id found nowhere comes back as the
// not-found report (with its hint).
func resolveCmd(ctx context.Context, b Backend, seq int, id string, search bool) tea.Cmd {
	return func() tea.Msg {
		var r *query.Report
		for _, v := range query.RequestIDVariants(id) {
			rv, err := b.Request(ctx, v)
			if err != nil {
				return reportMsg{seq: seq, id: id, err: err}
			}
			if r == nil || (rv != nil && rv.Found) {
				r = rv
			}
			if rv != nil && rv.Found {
				break
			}
		}
		if r == nil {
			r = &query.Report{RequestID: id}
		}
		if !r.Found && search {
			q := textQuery(id)
			if res, err := b.Search(ctx, query.SearchOptions{Query: q, Limit: 1}); err == nil && res.Total > 0 {
				return searchInsteadMsg{seq: seq, query: q}
			}
		}
		return reportMsg{seq: seq, id: id, report: r}
	}
}

// pageCmd fetches one page of explore results.
func pageCmd(ctx context.Context, b Backend, seq int, o query.SearchOptions, page int) tea.Cmd {
	o.Limit, o.Offset = pageSize, page*pageSize
	return func() tea.Msg {
		res, err := b.Search(ctx, o)
		return pageMsg{seq: seq, page: page, res: res, err: err}
	}
}

// multiFaceter is a Backend that gives several facets in one pass
// (*query.Investigator does).
type multiFaceter interface {
	Facets(ctx context.Context, f query.Filter, fields []string, size int) ([]query.Facet, error)
}

// facetsCmd fetches the explore facets.
func facetsCmd(ctx context.Context, b Backend, seq int, f query.Filter) tea.Cmd {
	return func() tea.Msg {
		if mf, ok := b.(multiFaceter); ok {
			// One pass over the matches instead of one per field: a
			// followed query's facets are asked at every refresh.
			fs, err := mf.Facets(ctx, f, facetFields, facetSize)
			if err == nil && len(fs) != len(facetFields) {
				err = fmt.Errorf("facets: %d of %d fields", len(fs), len(facetFields))
			}
			if err != nil {
				return facetsMsg{seq: seq, err: err}
			}
			return facetsMsg{seq: seq, facets: fs}
		}
		fs := make([]query.Facet, 0, len(facetFields))
		for _, field := range facetFields {
			fc, err := b.Facet(ctx, f, field, facetSize)
			if err != nil {
				return facetsMsg{seq: seq, err: err}
			}
			fs = append(fs, fc)
		}
		return facetsMsg{seq: seq, facets: fs}
	}
}

// exploreHistCmd fetches the histogram of the explore hits.
func exploreHistCmd(ctx context.Context, b Backend, seq int, f query.Filter, from, to time.Time, width int) tea.Cmd {
	return func() tea.Msg {
		bs, err := b.Histogram(ctx, f, from, to, width)
		return exploreHistMsg{seq: seq, width: width, buckets: bs, err: err}
	}
}

// statusCmd shows a status message.
func statusCmd(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, err: isErr} }
}

// canceled reports an error caused by cancelling a superseded request.
func canceled(err error) bool {
	return errors.Is(err, context.Canceled)
}

// textQuery turns free text (an unknown id) into a query that matches it
// as words: plain words as they are, anything with query syntax as a
// quoted phrase.
func textQuery(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return quoteValue(s)
}

// quoteValue quotes s for the query syntax.
func quoteValue(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// fieldFilter is the query clause selecting value in field.
func fieldFilter(field, value string) string {
	plain := value != ""
	for _, r := range value {
		if !(r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if plain && value[0] != '-' {
		return field + ":" + value
	}
	return field + ":" + quoteValue(value)
}

// compareCmd compares the report's service around its suspect deploy.
func compareCmd(ctx context.Context, b Backend, seq int, r *query.Report) tea.Cmd {
	return func() tea.Msg {
		c, err := b.Compare(ctx, r)
		return compareMsg{seq: seq, report: r, cmp: c, err: err}
	}
}

// markdown renders the investigation, with its before/after comparison
// when it has a suspect deploy. The report is only read: the comparison
// goes on a copy.
func markdown(ctx context.Context, be Backend, r *query.Report) (string, error) {
	if r.Compare == nil && r.Deploy != nil {
		c, err := be.Compare(ctx, r)
		if err != nil {
			return "", err
		}
		cp := *r
		cp.Compare = c
		r = &cp
	}
	var b strings.Builder
	err := query.WriteReportMarkdown(&b, r, query.MarkdownOptions{})
	return b.String(), err
}

// shareCmd renders the investigation as Markdown and copies it to the
// clipboard with OSC 52.
func shareCmd(ctx context.Context, be Backend, r *query.Report) tea.Cmd {
	return func() tea.Msg {
		md, err := markdown(ctx, be, r)
		if err != nil {
			return statusMsg{text: "markdown: " + query.SanitizeLine(err.Error()), err: true}
		}
		var b strings.Builder
		b.WriteString(md)
		return clipboardMsg{text: b.String(), status: fmt.Sprintf("copied the investigation as Markdown (%s) to the clipboard (OSC 52)", plural(strings.Count(b.String(), "\n"), "line"))}
	}
}

// saveCmd writes the investigation as Markdown to dir, named culprit- and the request id (".md" added).
func saveCmd(ctx context.Context, be Backend, r *query.Report, dir string) tea.Cmd {
	return func() tea.Msg {
		md, err := markdown(ctx, be, r)
		if err != nil {
			return statusMsg{text: "markdown: " + query.SanitizeLine(err.Error()), err: true}
		}
		var b strings.Builder
		b.WriteString(md)
		path := filepath.Join(dir, "culprit-"+fileSafe(r.RequestID)+".md")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return statusMsg{text: "save: " + query.SanitizeLine(err.Error()), err: true}
		}
		return statusMsg{text: "saved the investigation to " + query.SanitizeLine(path)}
	}
}

// fileSafe turns a request ID into a file name part: letters, digits,
// dot, dash and underscore kept, anything else an underscore; at most 80
// bytes; never empty, never starting with a dot.
func fileSafe(id string) string {
	var b strings.Builder
	for _, r := range id {
		if b.Len() >= 80 {
			break
		}
		if r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	if s == "" {
		return "request"
	}
	return s
}
