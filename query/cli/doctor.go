package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/ingest/logline"
	"github.com/culprit-dev/culprit/query"
)

// doctorOptions are the flags of `culprit doctor`.
type doctorOptions struct {
	*globals
	Rebuild bool
}

func newDoctorCmd(g *globals) *cobra.Command {
	o := &doctorOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "doctor [--rebuild]",
		Short: "Check every file of the index; --rebuild recovers a damaged index",
		Long: `Check every file of the index in full (checksums of every block and bleve
segment, the manifest, the committed state) and list each problem, file by
file. Exit 0: the index is sound; 2: it is damaged.

--rebuild writes a new index from what is intact (the damaged one is kept
beside it as DIR.damaged-TIME), says what could not be recovered, and
ingests again the sources that are still on disk (lines already in the index
are skipped). See docs/index-integrity.md.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runDoctor(cmd.Context(), o) },
	}
	cmd.Flags().BoolVar(&o.Rebuild, "rebuild", false, "rebuild a damaged index from what is intact, then re-ingest the sources still on disk")
	return cmd
}

func runDoctor(ctx context.Context, o *doctorOptions) error {
	out := o.env.Out
	if o.storeURL != "" {
		return flagErrorf("doctor checks the local index (--index); a --store keeps its own integrity")
	}
	probs, err := index.Check(o.indexDir)
	if err != nil {
		return err
	}
	for _, p := range probs {
		fmt.Fprintf(out, "%s: %s\n", query.SanitizeLine(p.File), query.SanitizeLine(p.Detail))
	}
	if len(probs) == 0 {
		fmt.Fprintf(out, "index %s is sound\n", query.SanitizeLine(o.indexDir))
		return nil
	}
	if !o.Rebuild {
		return &index.CorruptError{Dir: o.indexDir, Err: fmt.Errorf("%s listed above", count(len(probs), "problem"))}
	}
	rep, err := index.Rebuild(ctx, o.indexDir, index.RebuildOptions{Parse: reparse})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "rebuilt %s: %s from %s (%d re-parsed), %s; the damaged index is in %s\n",
		query.SanitizeLine(o.indexDir), count(rep.Events, "event"), count(rep.Blocks, "intact block"), rep.Reparsed, count(rep.Deploys, "deploy"), query.SanitizeLine(rep.Damaged))
	for _, l := range rep.Lost {
		fmt.Fprintf(out, "lost: %s of %s (lines %d-%d): %s\n", count(l.Lines, "line"), query.SanitizeLine(orUnknown(l.Source)), l.First, l.Last, query.SanitizeLine(l.Why))
	}
	if rep.DeploysLost {
		fmt.Fprintln(out, "lost: the deploy history (ingest --deploys again)")
	}
	if !rep.CheckpointsDropped {
		return nil
	}
	// The next ingest reads every source again: do it now for those still
	// on disk, so that lost lines come back.
	srcs, err := indexSources(ctx, o.indexDir)
	if err != nil {
		return err
	}
	for _, l := range rep.Lost {
		srcs = append(srcs, l.Source)
	}
	seen := map[string]bool{}
	var again []string
	for _, s := range srcs {
		if s == "" || s == "-" || strings.HasPrefix(s, "source #") || seen[s] {
			continue
		}
		seen[s] = true
		if _, err := os.Stat(s); err != nil {
			fmt.Fprintf(out, "not on disk, not recovered: %s\n", query.SanitizeLine(s))
			continue
		}
		again = append(again, s)
	}
	if len(again) == 0 {
		return nil
	}
	fmt.Fprintf(out, "ingesting again the %s still on disk\n", count(len(again), "source"))
	return runIngest(ctx, &ingestOptions{globals: o.globals, Ingest: ingest.Options{Paths: again, MaxLine: ingest.DefaultMaxLine}})
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown sources"
	}
	return s
}

// reparse is the ingest parser for index.Rebuild: the lines of one source
// whose block columns are damaged, with the convention detected from them.
func reparse(_ string, lines [][]byte) []index.Event {
	evs := make([]index.Event, len(lines))
	m, err := logline.Detect(lines[:min(len(lines), 64)], nil)
	for i, l := range lines {
		if err != nil {
			evs[i] = index.Event{Message: string(l), Text: true}
			continue
		}
		m.Parse(l, &evs[i])
	}
	return evs
}

// indexSources lists the sources of the index in dir.
func indexSources(ctx context.Context, dir string) ([]string, error) {
	ix, err := index.Open(dir, index.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	fc, err := ix.Facet(ctx, index.Filter{}, "source", 0)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(fc.Buckets))
	for _, b := range fc.Buckets {
		out = append(out, b.Value)
	}
	return out, nil
}
