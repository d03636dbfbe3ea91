package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/tui"
)

// tuiOptions are the arguments of `culprit tui` (and of culprit without a
// command).
type tuiOptions struct {
	*globals
	RequestID string
}

func newTUICmd(g *globals) *cobra.Command {
	o := &tuiOptions{globals: g}
	return &cobra.Command{
		Use:   "tui [ID]",
		Short: "Open the interactive TUI (on a request ID if given)",
		Args:  args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if !g.env.OutTTY {
				return flagErrorf("the TUI needs a terminal; use 'culprit request ID' in scripts")
			}
			if len(argv) == 1 {
				o.RequestID = query.ExtractRequestID(argv[0])
			}
			return runTUI(cmd.Context(), o)
		},
	}
}

func runTUI(ctx context.Context, o *tuiOptions) error {
	inv, done, err := o.investigator()
	if err != nil {
		return err
	}
	defer done()
	run := o.env.RunTUI
	if run == nil {
		run = tui.Run
	}
	return run(ctx, inv, tui.Options{RequestID: o.RequestID, NoColor: o.env.getenv("NO_COLOR") != "", Now: o.env.now})
}
