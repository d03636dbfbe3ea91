package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/query"
)

// searchOptions are the flags of `culprit search`.
type searchOptions struct {
	*globals
	Query   string
	Range   timeRange
	Service string
	Level   string
	Limit   int
	Oldest  bool
	JSON    bool
	Follow  bool
}

func newSearchCmd(g *globals) *cobra.Command {
	o := &searchOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "search QUERY [--since T] [--until T] [--service S] [--level L] [--limit N] [--oldest] [--follow] [--json]",
		Short: "Search log lines with bleve query syntax over the canonical fields",
		Long: `Search log lines. QUERY uses bleve's query-string syntax over the canonical
fields (see README): keyword fields request_id service host version method path
route user level error_type fingerprint source; numbers status and duration
(ms) with ranges (status:>=500); text fields message error stack; is_error:true.
Words without a field match any word of any string value of the line.

  culprit search 'status:>=500 AND route:"GET /api/orders/{id}"' --since 30m
  culprit search 'stack:ReserveStock' --limit 50 --json

Newest first unless --oldest. With --json: one JSON value per line (NDJSON):
the original line when it is JSON, a JSON string holding it when it is text.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.Query = argv[0]
			return runSearch(cmd.Context(), o)
		},
	}
	o.Range.flags(cmd)
	cmd.Flags().StringVar(&o.Service, "service", "", "only this service")
	cmd.Flags().StringVar(&o.Level, "level", "", "only this level or worse ("+strings.Join(model.Levels, ", ")+", or a synonym: verbose, warning, crit, ...)")
	cmd.Flags().IntVar(&o.Limit, "limit", 50, "at most this many lines")
	cmd.Flags().BoolVar(&o.Oldest, "oldest", false, "oldest first")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the lines as NDJSON")
	cmd.Flags().BoolVar(&o.Follow, "follow", false, "print the newest --limit matches oldest first, then new matches as they are ingested, until Ctrl-C")
	return cmd
}

func runSearch(ctx context.Context, o *searchOptions) error {
	if o.Limit < 1 {
		return flagErrorf("--limit %d: want 1 or more", o.Limit)
	}
	level := ""
	if o.Level != "" {
		lv, ok := model.ParseLevel(o.Level)
		if !ok {
			return flagErrorf("--level %q: want one of %s (or a synonym such as verbose, warning, crit)", o.Level, strings.Join(model.Levels, ", "))
		}
		level = lv
	}
	inv, done, err := o.investigator()
	if err != nil {
		return err
	}
	defer done()
	since, until, err := o.Range.resolve(ctx, inv)
	if err != nil {
		return err
	}
	if o.Follow {
		return followSearch(ctx, o, inv, since, until, level)
	}
	order := query.NewestFirst
	if o.Oldest {
		order = query.OldestFirst
	}
	so := query.SearchOptions{
		Query: o.Query, Since: since, Until: until, Service: o.Service, Level: level, Limit: o.Limit, Order: order,
	}
	if o.JSON {
		return streamSearch(ctx, o, inv, so)
	}
	res, err := inv.Search(ctx, so)
	if err != nil {
		return err
	}
	note := ""
	if len(res.Events) == 0 {
		what := "no lines match " + query.ShellQuote(clipArg(o.Query))
		if strings.TrimSpace(o.Query) == "" {
			what = "no lines"
		}
		note = emptyNote(what+scope{service: o.Service, level: level, since: since, until: until}.String(),
			unknownService(ctx, inv, o.Service))
	}
	err = o.output(o.JSON, len(res.Events), note,
		func(w io.Writer) error { return query.WriteEventsNDJSON(w, res.Events) },
		func(w io.Writer, to query.TextOptions) error { return query.WriteEventsText(w, res.Events, to) })
	if err == nil && !o.JSON && res.Total > len(res.Events) {
		fmt.Fprintf(o.env.Err, "%d of %d matching lines shown (--limit)\n", len(res.Events), res.Total)
	}
	return err
}

// streamSearch writes the matches as NDJSON while they are found, so that
// memory does not grow with --limit (index.FindEach).
func streamSearch(ctx context.Context, o *searchOptions, inv *query.Investigator, so query.SearchOptions) error {
	bw := bufio.NewWriter(o.env.Out)
	n := 0
	_, err := inv.SearchEach(ctx, so, func(e *query.Event) error {
		n++
		return query.WriteEventsNDJSON(bw, []query.Event{*e})
	})
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write events: %w", ferr)
	}
	switch {
	case err == nil && n == 0:
		err = &NoResultsError{}
	case err != nil && n > 0 && ctx.Err() == nil && !errors.Is(err, syscall.EPIPE):
		err = &incompleteError{printed: n, what: "line", err: err}
	}
	return err
}

// followSearch is search --follow: the newest --limit matches, oldest
// first, then each new match as it is ingested (NDJSON with --json).
func followSearch(ctx context.Context, o *searchOptions, inv *query.Investigator, since, until time.Time, level string) error {
	t := &tailer{find: func(ctx context.Context, from time.Time, offset, limit int) (query.Result, error) {
		s := since
		if from.After(s) {
			s = from
		}
		return inv.Search(ctx, query.SearchOptions{Query: o.Query, Since: s, Until: until, Service: o.Service, Level: level,
			Limit: limit, Offset: offset, Order: query.NewestFirst})
	}}
	first, err := t.start(ctx, o.Limit)
	if err != nil {
		return err
	}
	emit := o.textEmitter()
	if o.JSON {
		emit = func(evs []query.Event) error { return query.WriteEventsNDJSON(o.env.Out, evs) }
	}
	return o.follow(ctx, t, first, emit)
}
