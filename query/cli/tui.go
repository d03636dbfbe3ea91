package cli

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/tui"
)

// tuiOptions are the arguments of `culprit tui` (and of culprit without a
// command).
type tuiOptions struct {
	*globals
	RequestID string
	// Follow: the arguments are paths to ingest and follow while the TUI
	// runs, with Deploys.
	Follow  bool
	Paths   []string
	Deploys []string
}

func newTUICmd(g *globals) *cobra.Command {
	o := &tuiOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "tui [ID] | tui --follow PATH... [--deploys FILE]...",
		Short: "Open the interactive TUI (on a request ID if given; --follow: ingest and follow PATHs meanwhile)",
		Args: args(func(cmd *cobra.Command, a []string) error {
			if o.Follow {
				return nil
			}
			return cobra.MaximumNArgs(1)(cmd, a)
		}),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if !g.env.OutTTY {
				return flagErrorf("the TUI needs a terminal; use 'culprit request ID' in scripts")
			}
			if o.Follow {
				o.Paths = argv
				return runTUIFollow(cmd.Context(), o)
			}
			if len(o.Deploys) > 0 {
				return flagErrorf("--deploys needs --follow")
			}
			if len(argv) == 1 {
				o.RequestID = query.ExtractRequestID(argv[0])
			}
			return runTUI(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Follow, "follow", false, "ingest PATHs and --deploys, and keep following them while the TUI runs (one command for an incident)")
	cmd.Flags().StringArrayVar(&o.Deploys, "deploys", nil, "with --follow: deploy history file (repeatable)")
	return cmd
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
	return run(ctx, inv, o.tuiOpts())
}

func (o *tuiOptions) tuiOpts() tui.Options {
	t := tui.Options{RequestID: o.RequestID, NoColor: o.env.getenv("NO_COLOR") != "", Now: o.env.now}
	if o.Follow {
		t.Following = append(slices.Clone(o.Paths), o.Deploys...)
	}
	return t
}
