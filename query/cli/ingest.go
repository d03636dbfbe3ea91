package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/ingest/logline"
	"github.com/culprit-dev/culprit/query"
)

// ingestOptions are the flags of `culprit ingest`. Flags that are options
// of ingest.Run bind straight to a field of Ingest, so that adding one is
// one line in newIngestCmd.
type ingestOptions struct {
	*globals
	Ingest ingest.Options
	Fields []string // --field NAME=PATH, parsed into Ingest.Fields
	JSON   bool
	DryRun bool // print each source's mapping and unplaced lines, write nothing
	Follow bool
}

func newIngestCmd(g *globals) *cobra.Command {
	o := &ingestOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "ingest [--deploys FILE]... [--field NAME=PATH]... [--service NAME] [--max-line BYTES] [--final] [--dry-run] [--follow] [--json] PATH...",
		Short: "Add logs (files, directories, globs, .gz, - for stdin) and deploy history to the index",
		Long: `Add logs and deploy history to the index. Re-ingesting is cheap and safe:
unchanged files are skipped, appended files add only their tail, rotated or
truncated files are detected, and an interrupted ingest is completed by the
next run without duplicates.

PATH may be a file, a directory (read recursively), a glob, a .gz file or - for
standard input. The logging convention of each source is detected from its
first lines; --field NAME=GJSON_PATH overrides one canonical field, e.g.
--field request_id=ctx.rid --field user=auth.sub. Canonical names:
  ` + strings.Join(index.Fields, " ") + `

--deploys reads a deploy history: JSON lines, a JSON array, CSV with a header,
a GitHub or GitLab list-deployments API response, helm history -o json or
argocd app history -o json. --deploys SERVICE=FILE names the service of a
history that does not (else it comes from the chart or the file name); a
hosts (or instances) column or key limits a canary deploy to those hosts.

--follow keeps the index current after the ingest, until Ctrl-C: appended
lines, files that appear in followed directories or globs, rotation (follow
the directory or a glob to keep a renamed file's last lines), stdin as an
endless stream and appended deploy files; new lines are committed within
about a second and queries from other culprit processes see them.`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			o.Ingest.Paths = paths
			return runIngest(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Ingest.Deploys, "deploys", nil, "deploy history file, or SERVICE=FILE (repeatable)")
	f.StringArrayVar(&o.Fields, "field", nil, "override a field's location: NAME=GJSON_PATH (repeatable)")
	f.IntVar(&o.Ingest.MaxLine, "max-line", ingest.DefaultMaxLine, "longest line kept whole, in bytes; longer lines are kept truncated and counted")
	f.BoolVar(&o.Ingest.Final, "final", false, "the files are complete: store a last line that has no newline (otherwise it waits for one)")
	f.BoolVar(&o.JSON, "json", false, "print the summary as one JSON object")
	f.StringVar(&o.Ingest.Service, "service", "", `service of lines that name none (instead of the file name; stdin: "stdin")`)
	f.BoolVar(&o.DryRun, "dry-run", false, "print each source's mapping with sample values and the lines it cannot place; write nothing")
	f.BoolVar(&o.Follow, "follow", false, "after the ingest, keep following the paths and deploy files (appends, new files, rotation, stdin) until Ctrl-C")
	return cmd
}

// validate checks the flags and fills Ingest from them.
func (o *ingestOptions) validate() error {
	if len(o.Ingest.Paths) == 0 && len(o.Ingest.Deploys) == 0 {
		return flagErrorf("ingest needs at least one PATH or --deploys FILE")
	}
	if o.Ingest.MaxLine <= 0 {
		return flagErrorf("--max-line %d: want a number of bytes greater than 0", o.Ingest.MaxLine)
	}
	if o.Follow && o.DryRun {
		return flagErrorf("--follow and --dry-run: a dry run writes nothing, there is nothing to follow")
	}
	o.Ingest.Fields = map[string]string{}
	for _, f := range o.Fields {
		name, path, err := logline.ParseOverride(f)
		if err != nil {
			return flagErrorf("--field %s: %w", f, err)
		}
		o.Ingest.Fields[name] = path
	}
	return nil
}

func runIngest(ctx context.Context, o *ingestOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.DryRun {
		in := o.Ingest
		in.Stdin = o.env.In
		return ingest.DryRun(ctx, in, o.env.Out) // sanitises what it prints
	}
	if o.storeURL == "" {
		// No path may feed the index its own files: reading blocks.pack
		// while appending to it is a loop that grows it without end.
		for _, p := range append(slices.Clone(o.Ingest.Paths), o.Ingest.Deploys...) {
			if insideIndex(p, o.indexDir) {
				return flagErrorf("%s names the index directory %s or a file in it: an index never ingests its own files", p, o.indexDir)
			}
		}
	}
	var st WriteStore
	var lazy *lazyStore
	if o.storeURL == "" && !o.Follow && !slices.ContainsFunc(o.Ingest.Paths, isStream) && indexAbsent(o.indexDir) {
		// Created on the first thing to store: a run that stores nothing
		// leaves no index behind. Not for a stream (stdin, a named pipe,
		// --follow): its first lines may come late, and until then the
		// index would be neither locked against a second writer nor there
		// for readers.
		lazy = &lazyStore{open: o.openWrite}
		st = lazy
	} else {
		var err error
		if st, err = o.openWrite(); err != nil {
			return err
		}
	}
	in := o.Ingest
	in.Stdin = o.env.In
	if o.env.ErrTTY {
		in.Progress = termSafeWriter{o.env.Err}
	}
	in.SkipDirs = append(in.SkipDirs, o.indexDir) // never ingest the index into itself
	if o.Follow {
		return runFollow(ctx, o, in, st)
	}
	sum, runErr := ingest.Run(ctx, in, st)
	if _, onlyPaths := runErr.(*ingest.PathErrors); runErr == nil || onlyPaths {
		// A directory that holds no file is a mistake to report, as a
		// glob that matches none is (not after a fatal error or an
		// interrupt: the run may have stopped before it looked).
		for _, d := range emptyDirs(o.Ingest.Paths, sum) {
			pe := ingest.PathError{Path: d, Err: ingest.ErrNoFiles}
			sum.Failed = append(sum.Failed, pe)
			runErr = errors.Join(runErr, pe)
		}
	}
	if lazy != nil && runErr == nil && !lazy.created() {
		// A run that succeeded with nothing to store (an empty file): the
		// index exists afterwards, empty, as the user asked.
		if _, err := lazy.get(); err != nil {
			runErr = err
		}
	}
	if err := st.Close(); err != nil {
		// The index may not hold what the summary says: never drop this.
		runErr = errors.Join(runErr, fmt.Errorf("closing the index %s: %w", o.indexDir, err))
	}
	var err error
	if o.JSON {
		err = query.WriteJSON(o.env.Out, summaryJSON(sum), true)
	} else {
		err = writeSummaryText(o.env.Out, sum)
	}
	if lazy != nil && !lazy.created() && runErr != nil && indexAbsent(o.indexDir) {
		err = errors.Join(err, fmt.Errorf("nothing ingested: no index created at %s", o.indexDir))
	}
	return errors.Join(runErr, err)
}

// isStream reports whether the path argument p is read as a stream, whose
// lines may be long in coming: standard input, a named pipe, a device.
func isStream(p string) bool {
	if p == "-" {
		return true
	}
	fi, err := os.Stat(p)
	return err == nil && !fi.Mode().IsRegular() && !fi.IsDir()
}

// insideIndex reports whether the path argument p (a file, a directory,
// a glob, SERVICE=FILE for a deploy history) names the index directory dir
// or something in it, symbolic links resolved.
func insideIndex(p, dir string) bool {
	if p == "-" || p == "" {
		return false
	}
	root, err := resolve(dir)
	if err != nil {
		return false // no index yet: nothing in it to protect
	}
	names := []string{p}
	if _, f, ok := strings.Cut(p, "="); ok {
		names = append(names, f)
	}
	for _, n := range names {
		matches := []string{n}
		if strings.ContainsAny(n, "*?[") {
			if m, err := filepath.Glob(n); err == nil {
				matches = m
			}
		}
		for _, m := range matches {
			if a, err := resolve(m); err == nil && ingest.Under(a, root) {
				return true
			}
		}
	}
	return false
}

// resolve returns p absolute, with symbolic links resolved.
func resolve(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(a)
}

// emptyDirs returns the directory arguments of paths under which the run
// found no source (read, skipped or failed).
func emptyDirs(paths []string, sum ingest.Summary) []string {
	found := make([]string, 0, len(sum.Sources)+len(sum.Failed))
	for _, s := range sum.Sources {
		found = append(found, s.Path)
	}
	for _, f := range sum.Failed {
		found = append(found, f.Path)
	}
	return ingest.EmptyDirs(paths, found)
}

type (
	plainSummary ingest.Summary
	plainSource  ingest.SourceSummary
)

// ingestJSON is ingest.Summary in the contract's shape: every field of the
// summary (new ones too), with times from the one time encoder, [] for no
// sources and {} for no mapping.
type ingestJSON struct {
	Sources []sourceJSON `json:"sources"`
	plainSummary
}

type sourceJSON struct {
	plainSource
	Fields map[string]string `json:"fields"`
	First  *query.JSONTime   `json:"first,omitempty"`
	Last   *query.JSONTime   `json:"last,omitempty"`
}

func summaryJSON(s ingest.Summary) ingestJSON {
	out := ingestJSON{Sources: make([]sourceJSON, len(s.Sources)), plainSummary: plainSummary(s)}
	for i, src := range s.Sources {
		fields := src.Fields
		if fields == nil {
			fields = map[string]string{}
		}
		out.Sources[i] = sourceJSON{plainSource(src), fields, query.TimeOrNil(src.First), query.TimeOrNil(src.Last)}
	}
	return out
}

// writeSummaryText writes the ingest summary for a human, with every name
// in it (paths, field paths, error messages quoting them) sanitised: a file
// may be named "x\x1b]0;OWNED\x07y.log" or hold a newline.
func writeSummaryText(w io.Writer, s ingest.Summary) error {
	safe := s
	safe.Failed = nil
	safe.Sources = make([]ingest.SourceSummary, len(s.Sources))
	for i, src := range s.Sources {
		src.Path = query.SanitizeLine(src.Path)
		src.Source = query.SanitizeLine(src.Source)
		src.Convention = query.SanitizeLine(src.Convention)
		src.Status = query.SanitizeLine(src.Status)
		src.Skipped = query.SanitizeLine(src.Skipped)
		fields := make(map[string]string, len(src.Fields))
		for k, v := range src.Fields {
			fields[query.SanitizeLine(k)] = query.SanitizeLine(v)
		}
		src.Fields = fields
		over := make([]string, len(src.Overridden))
		for j, k := range src.Overridden {
			over[j] = query.SanitizeLine(k)
		}
		src.Overridden = over
		names := make([]string, len(src.Names))
		for j, n := range src.Names {
			names[j] = query.SanitizeLine(n)
		}
		src.Names = names
		safe.Sources[i] = src
	}
	if err := safe.WriteText(w); err != nil {
		return err
	}
	if len(s.Failed) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "failed: %d\n", len(s.Failed))
	for _, f := range s.Failed {
		fmt.Fprintf(&b, "  %s\n", query.SanitizeLine(f.Error()))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
