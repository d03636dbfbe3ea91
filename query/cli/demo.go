package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/query"
)

// demoOptions are the flags of `culprit demo`.
type demoOptions struct {
	*globals
	// Keep: --index was given, so the index is built there and kept.
	Keep bool
}

func newDemoCmd(g *globals) *cobra.Command {
	o := &demoOptions{globals: g}
	return &cobra.Command{
		Use:   "demo",
		Short: "Ingest the bundled sample incident into a temporary index and investigate a failing request",
		Long: `Ingest the bundled sample incident (four services, a deployment regression,
a dependency outage and a pre-existing error; see testdata/incident/README.md)
into a temporary index, then open the TUI on a failing request a user reported.
When stdout is not a terminal, print the text report instead. With --index,
the index is kept there for you to explore afterwards.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Keep = cmd.Flags().Changed("index")
			return runDemo(cmd.Context(), o)
		},
	}
}

func runDemo(ctx context.Context, o *demoOptions) error {
	if o.env.Demo == nil {
		return errors.New("demo: this build has no sample incident")
	}
	tmp, err := os.MkdirTemp("", "culprit-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	g := *o.globals
	if !o.Keep {
		g.indexDir = filepath.Join(tmp, "index")
	}
	if err := os.CopyFS(filepath.Join(tmp, "incident"), o.env.Demo); err != nil {
		return fmt.Errorf("demo: extracting the sample incident: %w", err)
	}
	id, err := demoRequestID(o.env.Demo)
	if err != nil {
		return err
	}
	// Ingest quietly: the demo's output is the investigation.
	quiet := *g.env
	quiet.Out, quiet.ErrTTY = io.Discard, false
	ig := g
	ig.env = &quiet
	in := &ingestOptions{globals: &ig, Ingest: ingest.Options{
		Paths:   []string{filepath.Join(tmp, "incident", "logs")},
		Deploys: []string{filepath.Join(tmp, "incident", "deploys.json")},
		MaxLine: ingest.DefaultMaxLine,
	}}
	if err := runIngest(ctx, in); err != nil {
		return fmt.Errorf("ingesting the sample incident: %w", err)
	}
	if o.env.OutTTY && o.env.InTTY {
		return runTUI(ctx, &tuiOptions{globals: &g, RequestID: id})
	}
	where := "a temporary index (keep one with --index DIR)"
	if o.Keep {
		where = query.SanitizeLine(g.indexDir)
	}
	fmt.Fprintf(o.env.Out, "Sample incident ingested into %s. A user reports request %s failed:\n\n", where, query.SanitizeLine(id))
	return (&requestOptions{globals: &g}).request(ctx, oneID(id), false)
}

// demoRequestID is the request a user reported in the sample incident: the
// "regression" case of cases.json.
func demoRequestID(demo fs.FS) (string, error) {
	b, err := fs.ReadFile(demo, "cases.json")
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	var cases []struct {
		Name      string `json:"name"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		return "", fmt.Errorf("demo: cases.json: %w", err)
	}
	for _, c := range cases {
		if c.Name == "regression" {
			return c.RequestID, nil
		}
	}
	return "", errors.New("demo: cases.json has no regression case")
}
