package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/query"
)

// statusOptions are the flags of `culprit status`.
type statusOptions struct {
	*globals
	JSON bool
}

func newStatusCmd(g *globals) *cobra.Command {
	o := &statusOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "Show what the index holds: events, deploys and the ingested time window",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print one JSON object")
	return cmd
}

// statusJSON is the object `culprit status --json` prints; first and last
// are null for an empty index.
type statusJSON struct {
	Index   string          `json:"index"`
	Events  int             `json:"events"`
	Deploys int             `json:"deploys"`
	First   *query.JSONTime `json:"first"`
	Last    *query.JSONTime `json:"last"`
}

func runStatus(ctx context.Context, o *statusOptions) error {
	inv, done, err := o.investigator()
	if err != nil {
		return err
	}
	defer done()
	span, err := inv.Span(ctx)
	if err != nil {
		return err
	}
	if o.JSON {
		return query.WriteJSON(o.env.Out, statusJSON{
			Index: o.where(), Events: span.Events, Deploys: span.Deploys,
			First: query.TimeOrNil(span.First), Last: query.TimeOrNil(span.Last),
		}, false)
	}
	out := fmt.Sprintf("index    %s\nevents   %d\ndeploys  %d\n", query.SanitizeLine(o.where()), span.Events, span.Deploys)
	if span.Events > 0 {
		out += fmt.Sprintf("window   %s .. %s (%s)\n", span.First.UTC().Format(time.RFC3339),
			span.Last.UTC().Format(time.RFC3339), span.Last.Sub(span.First).Round(time.Second))
	}
	_, err = fmt.Fprint(o.env.Out, out)
	return err
}
