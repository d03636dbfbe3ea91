package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/query"
)

// deploysOptions are the flags of `culprit deploys`.
type deploysOptions struct {
	*globals
	JSON bool
}

func newDeploysCmd(g *globals) *cobra.Command {
	o := &deploysOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "deploys [--json]",
		Short: "Show the deploy history as stored",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDeploys(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print a JSON array")
	return cmd
}

func runDeploys(ctx context.Context, o *deploysOptions) error {
	inv, done, err := o.investigator()
	if err != nil {
		return err
	}
	defer done()
	ds, err := inv.Deploys(ctx)
	if err != nil {
		return err
	}
	return o.output(o.JSON, len(ds), "no deploys ingested: culprit ingest --deploys FILE",
		func(w io.Writer) error { return query.WriteDeploysJSON(w, ds) },
		func(w io.Writer, to query.TextOptions) error { return query.WriteDeploysText(w, ds, to) })
}
