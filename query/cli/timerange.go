package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/query"
)

// timeRange holds --since and --until as typed; resolve turns them into
// times. Every command with a time range uses it.
type timeRange struct{ since, until string }

func (t *timeRange) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.since, "since", "", "only after this time: RFC 3339 or relative to the newest event (15m, 2h, 3d)")
	cmd.Flags().StringVar(&t.until, "until", "", "only before this time: RFC 3339 or relative to the newest event")
}

// resolve turns the flags into times, relative ones counted back from the
// newest ingested event. A time that does not parse, or a range that ends
// before it starts, is a FlagError.
func (t timeRange) resolve(ctx context.Context, inv *query.Investigator) (since, until time.Time, err error) {
	if t.since == "" && t.until == "" {
		return since, until, nil
	}
	span, err := inv.Span(ctx)
	if err != nil {
		return since, until, err
	}
	if t.since != "" {
		if since, err = query.ParseTime(t.since, span.Last); err != nil {
			return since, until, flagErrorf("--since: %w", err)
		}
	}
	if t.until != "" {
		if until, err = query.ParseTime(t.until, span.Last); err != nil {
			return since, until, flagErrorf("--until: %w", err)
		}
	}
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return since, until, flagErrorf("--until %s is not after --since %s", query.FormatTime(until), query.FormatTime(since))
	}
	return since, until, nil
}
