package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/query"
)

// errorsOptions are the flags of `culprit errors`.
type errorsOptions struct {
	*globals
	Range   timeRange
	Service string
	Sort    string
	Limit   int
	JSON    bool
	Follow  bool
}

func newErrorsCmd(g *globals) *cobra.Command {
	o := &errorsOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "errors [--since T] [--until T] [--service S] [--sort count|first_seen] [--limit N] [--follow] [--json]",
		Short: "List error groups (by fingerprint) with counts, first/last seen, suspect deploy and likely cause",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runErrors(cmd.Context(), o)
		},
	}
	o.Range.flags(cmd)
	cmd.Flags().StringVar(&o.Service, "service", "", "only this service")
	cmd.Flags().StringVar(&o.Sort, "sort", "count", "order: count (most first) or first_seen (newest first)")
	cmd.Flags().IntVar(&o.Limit, "limit", 0, "at most this many groups (0: all)")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print a JSON array (with --follow: one group per line, NDJSON)")
	cmd.Flags().BoolVar(&o.Follow, "follow", false, "after the list, print each group again when new data changes it (new groups too), until Ctrl-C")
	return cmd
}

func runErrors(ctx context.Context, o *errorsOptions) error {
	if o.Sort != "count" && o.Sort != "first_seen" {
		return flagErrorf("--sort %q: want count or first_seen", o.Sort)
	}
	if o.Limit < 0 {
		return flagErrorf("--limit %d: want 0 (all) or more", o.Limit)
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
	eo := query.ErrorsOptions{Since: since, Until: until, Service: o.Service, Sort: o.Sort, Limit: o.Limit}
	if o.Follow {
		return followErrors(ctx, o, inv, eo)
	}
	gs, err := inv.Errors(ctx, eo)
	if err != nil {
		return err
	}
	note := ""
	if len(gs) == 0 && !o.JSON {
		note = emptyNote("no error groups"+scope{service: o.Service, since: since, until: until}.String(),
			unknownService(ctx, inv, o.Service))
	}
	return o.output(o.JSON, len(gs), note,
		func(w io.Writer) error { return query.WriteErrorsJSON(w, gs) },
		func(w io.Writer, to query.TextOptions) error { return query.WriteErrorsText(w, gs, to) })
}
