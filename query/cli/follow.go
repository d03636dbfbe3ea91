package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/query"
)

// runFollow is `culprit ingest --follow`: the ingest's summary as soon as
// the first pass is done (text), a line on stderr per pass that added
// something when stderr is a terminal, and at the end what following added
// (text), or one JSON object with both (--json).
func runFollow(ctx context.Context, o *ingestOptions, in ingest.Options, st WriteStore) error {
	var outErr error
	fo := ingest.FollowOptions{
		Initial: func(s ingest.Summary) {
			if !o.JSON {
				outErr = writeSummaryText(o.env.Out, s)
			}
			fmt.Fprintf(o.env.Err, "following %d path(s); Ctrl-C to stop\n", len(in.Paths)+len(in.Deploys))
		},
	}
	if o.env.ErrTTY {
		fo.Pass = func(s ingest.Summary) {
			fmt.Fprintf(o.env.Err, "+%d events, +%d deploys\n", s.Events, s.Deploys)
		}
	}
	fs, runErr := ingest.Follow(ctx, in, st, fo)
	if err := st.Close(); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("closing the index %s: %w", o.indexDir, err))
	}
	if o.JSON {
		outErr = query.WriteJSON(o.env.Out, followJSON{summaryJSON(fs.Initial), followedJSON{fs.Events, fs.Lines, fs.Deploys, fs.Passes, failedStrings(fs.Failed)}}, true)
	} else if outErr == nil {
		outErr = writeFollowedText(o.env.Out, fs)
	}
	return errors.Join(runErr, outErr)
}

// followJSON is the summary of `ingest --json` extended with "followed".
type followJSON struct {
	ingestJSON
	Followed followedJSON `json:"followed"`
}

type followedJSON struct {
	Events  int64    `json:"events"`
	Lines   int64    `json:"lines"`
	Deploys int      `json:"deploys"`
	Passes  int      `json:"passes"`
	Failed  []string `json:"failed"`
}

func failedStrings(errs []ingest.PathError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func writeFollowedText(w io.Writer, fs ingest.FollowSummary) error {
	_, err := fmt.Fprintf(w, "followed: %d events (%d lines), %d deploys added after the first pass\n", fs.Events, fs.Lines, fs.Deploys)
	if err != nil {
		return err
	}
	for _, f := range fs.Failed {
		if _, err := fmt.Fprintf(w, "  failed: %s\n", query.SanitizeLine(f.Error())); err != nil {
			return err
		}
	}
	return nil
}
