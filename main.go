// Command culprit finds why a request failed: it ingests structured JSON logs
// and a deploy history into a local bleve index, then shows a request's lines
// across services, the stack trace behind it, the first occurrence of the same
// error, the deploy just before it, the blast radius and a verdict.
//
// main only wires: flags, the index, the investigator, CLI or TUI, and exit
// codes (0 found, 1 not found / no results, 2 error, 130 interrupted).
package main

import (
	"bufio"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/ingest/logline"
	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/tui"
)

// demoData is the sample incident `culprit demo` investigates: logs of three
// real services and their deploy history (testdata/incident/README.md).
//
//go:embed testdata/incident/logs testdata/incident/deploys.json testdata/incident/cases.json
var demoData embed.FS

// Exit codes, grep's convention (docs/design.md, "Exit codes").
const (
	exitOK          = 0
	exitNotFound    = 1
	exitError       = 2
	exitInterrupted = 130
)

// errNotFound marks "ran fine, found nothing": exit 1, message already shown.
var errNotFound = errors.New("not found")

// usageError is a mistake in the command line: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{
		in: os.Stdin, out: os.Stdout, err: os.Stderr,
		outTTY: isTerminal(os.Stdout), errTTY: isTerminal(os.Stderr), inTTY: isTerminal(os.Stdin),
		getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}

// stdio is the process's streams and environment, injected so that tests
// can run commands in-process with buffers.
type stdio struct {
	in                    io.Reader
	out, err              io.Writer
	inTTY, outTTY, errTTY bool
	getenv                func(string) string
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// app holds the global flags and the streams every command uses.
type app struct {
	io       stdio
	indexDir string
}

// color reports whether output to stdout may carry colour.
func (a *app) color() bool {
	return a.io.outTTY && a.io.getenv("NO_COLOR") == "" && a.io.getenv("TERM") != "dumb"
}

// width is the terminal width for text output, 80 when unknown.
func (a *app) width() int {
	if f, ok := a.io.out.(*os.File); ok && a.io.outTTY {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

func (a *app) textOptions() query.TextOptions {
	return query.TextOptions{Color: a.color(), Width: a.width()}
}

func run(ctx context.Context, args []string, s stdio) int {
	a := &app{io: s}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	err := root.ExecuteContext(ctx)
	return exitCode(err, ctx, s.err)
}

// exitCode maps an error to the process exit code, printing it once.
func exitCode(err error, ctx context.Context, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errNotFound):
		return exitNotFound
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintln(stderr, "culprit: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "culprit: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "Run 'culprit --help' for usage.")
	}
	return exitError
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "culprit",
		Short: "Find why a request failed: its logs, stack trace, first occurrence, suspect deploy and verdict",
		Long: `culprit ingests structured JSON logs (slog, zap, zerolog, logrus, pino, bunyan,
winston, structlog, ECS, OpenTelemetry, Google Cloud, Lambda, Serilog, ...) and a
deploy history into a local index, then investigates a failing request ID:
every line of the request across services, the stack trace behind it, the first
occurrence of the same error, the deploy just before it, the blast radius and a
verdict.

Without a command, on a terminal, culprit opens the TUI.

Times (--since, --until) are RFC 3339 or relative (15m, 2h, 3d). Relative
times count back from the newest ingested event, not from now: logs are often
yesterday's export.

Exit codes: 0 found / results, 1 not found / no results, 2 error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !a.io.outTTY || !a.io.inTTY {
				return usageError{"no command given (the TUI needs a terminal)"}
			}
			return a.runTUI(cmd.Context(), "")
		},
	}
	defDir := a.io.getenv("CULPRIT_INDEX")
	if defDir == "" {
		defDir = ".culprit"
	}
	root.PersistentFlags().StringVar(&a.indexDir, "index", defDir, "index directory (env CULPRIT_INDEX)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.AddCommand(
		newIngestCmd(a), newRequestCmd(a), newErrorsCmd(a), newSearchCmd(a),
		newDeploysCmd(a), newStatusCmd(a), newTUICmd(a), newDemoCmd(a),
	)
	return root
}

// args wraps a cobra positional-argument check so that its failures are usage
// errors (exit 2).
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return usageError{err.Error()}
		}
		return nil
	}
}

// openRead opens the index for queries.
func (a *app) openRead() (*index.Index, error) {
	ix, err := index.Open(a.indexDir, index.Options{ReadOnly: true})
	if errors.Is(err, index.ErrNotExist) {
		return nil, noIndexError{a.indexDir}
	}
	return ix, err
}

// noIndexError says what to do when there is no index yet; it is an
// index.ErrNotExist for errors.Is.
type noIndexError struct{ dir string }

func (e noIndexError) Error() string {
	return fmt.Sprintf("no index at %s: run 'culprit ingest PATH...' first (or pass --index)", e.dir)
}

func (e noIndexError) Unwrap() error { return index.ErrNotExist }

// investigator opens the index read-only and wraps it.
func (a *app) investigator() (*query.Investigator, func(), error) {
	ix, err := a.openRead()
	if err != nil {
		return nil, nil, err
	}
	return query.New(ix, query.Options{}), func() { ix.Close() }, nil
}

// withInvestigator adapts a query command: the index is opened read-only for
// the duration of fn.
func (a *app) withInvestigator(fn func(ctx context.Context, inv *query.Investigator, argv []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, argv []string) error {
		inv, done, err := a.investigator()
		if err != nil {
			return err
		}
		defer done()
		return fn(cmd.Context(), inv, argv)
	}
}

// output writes a result as JSON or as text. An empty result means "not
// found" (exit 1), with a note on stderr for humans; JSON output stays valid.
func (a *app) output(asJSON bool, n int, empty string, writeJSON func(io.Writer) error, writeText func(io.Writer, query.TextOptions) error) error {
	var err error
	if asJSON {
		err = writeJSON(a.io.out)
	} else {
		err = writeText(a.io.out, a.textOptions())
	}
	if err != nil {
		return err
	}
	if n == 0 {
		if !asJSON {
			fmt.Fprintln(a.io.err, empty)
		}
		return errNotFound
	}
	return nil
}

// --- ingest ---

func newIngestCmd(a *app) *cobra.Command {
	var (
		deploys []string
		fields  []string
		asJSON  bool
		maxLine int
	)
	cmd := &cobra.Command{
		Use:   "ingest [--deploys FILE]... [--field NAME=PATH]... [--json] PATH...",
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
or a GitHub list-deployments API response.`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 && len(deploys) == 0 {
				return usageError{"ingest needs at least one PATH or --deploys FILE"}
			}
			overrides := map[string]string{}
			for _, f := range fields {
				name, path, err := logline.ParseOverride(f)
				if err != nil {
					return usageError{fmt.Sprintf("--field %s: %v", f, err)}
				}
				overrides[name] = path
			}
			return a.ingest(cmd.Context(), ingest.Options{
				Paths: paths, Deploys: deploys, Fields: overrides, MaxLine: maxLine, Stdin: a.io.in,
			}, asJSON)
		},
	}
	cmd.Flags().StringArrayVar(&deploys, "deploys", nil, "deploy history file (repeatable)")
	cmd.Flags().StringArrayVar(&fields, "field", nil, "override a field's location: NAME=GJSON_PATH (repeatable)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as one JSON object")
	cmd.Flags().IntVar(&maxLine, "max-line", 1<<20, "longest line kept whole, in bytes; longer lines are kept truncated and counted")
	return cmd
}

func (a *app) ingest(ctx context.Context, o ingest.Options, asJSON bool) error {
	ix, err := index.Open(a.indexDir, index.Options{})
	if err != nil {
		return err
	}
	defer ix.Close()
	sink, err := ingest.NewIndexSink(ix)
	if err != nil {
		return err
	}
	if a.io.errTTY {
		o.Progress = a.io.err
	}
	o.SkipDirs = append(o.SkipDirs, a.indexDir) // never ingest the index into itself
	sum, runErr := ingest.Run(ctx, o, sink)
	if err := sink.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if asJSON {
		enc := json.NewEncoder(a.io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else if err := sum.WriteText(a.io.out); err != nil {
		return err
	}
	return runErr
}

// --- request ---

func newRequestCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "request ID|- [--json]",
		Short: "Investigate one request ID (or - : one ID per line on stdin, NDJSON out)",
		Long: `Investigate a request: every line of it across services, the root error and
its stack trace, the first occurrence of the same error, the suspect deploy,
the blast radius against all traffic in the same window, and a verdict.

With -, request IDs are read from standard input, one per line, and one report
is printed per ID (with --json: one JSON object per line). The exit code is 0
when every ID was found, 1 when at least one was not.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			ids := []string{argv[0]}
			if argv[0] == "-" {
				var err error
				if ids, err = readIDs(a.io.in); err != nil {
					return err
				}
			}
			return a.request(cmd.Context(), ids, asJSON, argv[0] == "-")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the documented JSON object (NDJSON with -)")
	return cmd
}

// readIDs reads one request ID per line, trimming spaces and quotes.
func readIDs(r io.Reader) ([]string, error) {
	var ids []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if id := cleanID(sc.Text()); id != "" {
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading request IDs from stdin: %w", err)
	}
	return ids, nil
}

// cleanID trims what a paste drags along: spaces and quotes.
func cleanID(s string) string { return strings.Trim(strings.TrimSpace(s), "\"'`") }

func (a *app) request(ctx context.Context, ids []string, asJSON, batch bool) error {
	ix, err := a.openRead()
	var inv *query.Investigator
	switch {
	case err == nil:
		defer ix.Close()
		inv = query.New(ix, query.Options{})
	case errors.Is(err, index.ErrNotExist):
		// Not an error for a lookup: the ID is simply not found, with a hint.
	default:
		return err
	}
	missing := 0
	for _, id := range ids {
		id = cleanID(id)
		var r *query.Report
		if inv == nil {
			r = &query.Report{RequestID: id, Hint: fmt.Sprintf("no index at %s yet: run 'culprit ingest PATH...' first", a.indexDir)}
		} else if r, err = inv.Request(ctx, id); err != nil {
			return fmt.Errorf("request %s: %w", id, err)
		}
		if !r.Found {
			missing++
		}
		if err := a.writeReport(r, asJSON, batch); err != nil {
			return err
		}
	}
	if missing > 0 {
		return errNotFound
	}
	return nil
}

func (a *app) writeReport(r *query.Report, asJSON, batch bool) error {
	if asJSON {
		if batch {
			return query.WriteReportJSON(a.io.out, r)
		}
		return query.WriteReportJSONIndent(a.io.out, r)
	}
	if err := query.WriteReportText(a.io.out, r, a.textOptions()); err != nil {
		return err
	}
	if batch {
		_, err := fmt.Fprintln(a.io.out)
		return err
	}
	return nil
}

// --- errors ---

// timeRange holds --since/--until as typed, resolved against the index.
type timeRange struct{ since, until string }

func (t *timeRange) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.since, "since", "", "only after this time: RFC 3339 or relative to the newest event (15m, 2h, 3d)")
	cmd.Flags().StringVar(&t.until, "until", "", "only before this time: RFC 3339 or relative to the newest event")
}

// resolve turns the flags into times, relative ones counted back from the
// newest ingested event.
func (t timeRange) resolve(ctx context.Context, inv *query.Investigator) (since, until time.Time, err error) {
	if t.since == "" && t.until == "" {
		return
	}
	span, err := inv.Span(ctx)
	if err != nil {
		return
	}
	if t.since != "" {
		if since, err = query.ParseTime(t.since, span.Last); err != nil {
			return since, until, usageError{"--since: " + err.Error()}
		}
	}
	if t.until != "" {
		if until, err = query.ParseTime(t.until, span.Last); err != nil {
			return since, until, usageError{"--until: " + err.Error()}
		}
	}
	return
}

func newErrorsCmd(a *app) *cobra.Command {
	var (
		tr      timeRange
		service string
		sortBy  string
		limit   int
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "errors [--since T] [--until T] [--service S] [--sort count|first_seen] [--json]",
		Short: "List error groups (by fingerprint) with counts, first/last seen, suspect deploy and likely cause",
		Args:  args(cobra.NoArgs),
		RunE: a.withInvestigator(func(ctx context.Context, inv *query.Investigator, _ []string) error {
			if sortBy != "count" && sortBy != "first_seen" {
				return usageError{"--sort must be count or first_seen"}
			}
			since, until, err := tr.resolve(ctx, inv)
			if err != nil {
				return err
			}
			gs, err := inv.Errors(ctx, query.ErrorsOptions{Since: since, Until: until, Service: service, Sort: sortBy, Limit: limit})
			if err != nil {
				return err
			}
			return a.output(asJSON, len(gs), "no errors in that range",
				func(w io.Writer) error { return query.WriteErrorsJSON(w, gs) },
				func(w io.Writer, o query.TextOptions) error { return query.WriteErrorsText(w, gs, o) })
		}),
	}
	tr.flags(cmd)
	cmd.Flags().StringVar(&service, "service", "", "only this service")
	cmd.Flags().StringVar(&sortBy, "sort", "count", "order: count (most first) or first_seen (newest first)")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many groups (0: all)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

// --- search ---

func newSearchCmd(a *app) *cobra.Command {
	var (
		tr      timeRange
		service string
		level   string
		limit   int
		oldest  bool
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "search QUERY [--since T] [--until T] [--service S] [--level L] [--limit N] [--json]",
		Short: "Search log lines with bleve query syntax over the canonical fields",
		Long: `Search log lines. QUERY uses bleve's query-string syntax over the canonical
fields (see README): keyword fields request_id service host version method path
route user level error_type fingerprint source; numbers status and duration
(ms) with ranges (status:>=500); text fields message error stack; is_error:true.
Words without a field match any word of any string value of the line.

  culprit search 'status:>=500 AND route:"GET /api/orders/{id}"' --since 30m
  culprit search 'stack:ReserveStock' --limit 50 --json

Newest first unless --oldest. With --json: the original lines, one per line.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: a.withInvestigator(func(ctx context.Context, inv *query.Investigator, argv []string) error {
			since, until, err := tr.resolve(ctx, inv)
			if err != nil {
				return err
			}
			order := query.NewestFirst
			if oldest {
				order = query.OldestFirst
			}
			res, err := inv.Search(ctx, query.SearchOptions{
				Query: argv[0], Since: since, Until: until, Service: service, Level: level, Limit: limit, Order: order,
			})
			if err != nil {
				return err
			}
			err = a.output(asJSON, len(res.Events), "no matching lines",
				func(w io.Writer) error { return query.WriteEventsNDJSON(w, res.Events) },
				func(w io.Writer, o query.TextOptions) error { return query.WriteEventsText(w, res.Events, o) })
			if err == nil && !asJSON && res.Total > len(res.Events) {
				fmt.Fprintf(a.io.err, "%d of %d matching lines shown (--limit)\n", len(res.Events), res.Total)
			}
			return err
		}),
	}
	tr.flags(cmd)
	cmd.Flags().StringVar(&service, "service", "", "only this service")
	cmd.Flags().StringVar(&level, "level", "", "only this level or worse (debug, info, warn, error, fatal)")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many lines")
	cmd.Flags().BoolVar(&oldest, "oldest", false, "oldest first")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the original lines as NDJSON")
	return cmd
}

// --- deploys ---

func newDeploysCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "deploys [--json]",
		Short: "Show the deploy history as stored",
		Args:  args(cobra.NoArgs),
		RunE: a.withInvestigator(func(ctx context.Context, inv *query.Investigator, _ []string) error {
			ds, err := inv.Deploys(ctx)
			if err != nil {
				return err
			}
			return a.output(asJSON, len(ds), "no deploys ingested: culprit ingest --deploys FILE",
				func(w io.Writer) error { return query.WriteDeploysJSON(w, ds) },
				func(w io.Writer, o query.TextOptions) error { return query.WriteDeploysText(w, ds, o) })
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

// --- status ---

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "Show what the index holds: events, deploys and the ingested time window",
		Args:  args(cobra.NoArgs),
		RunE: a.withInvestigator(func(ctx context.Context, inv *query.Investigator, _ []string) error {
			span, err := inv.Span(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.io.out).Encode(statusJSON{
					Index: a.indexDir, Events: span.Events, Deploys: span.Deploys,
					First: jsonTime(span.First), Last: jsonTime(span.Last),
				})
			}
			fmt.Fprintf(a.io.out, "index    %s\nevents   %d\ndeploys  %d\n", a.indexDir, span.Events, span.Deploys)
			if span.Events > 0 {
				fmt.Fprintf(a.io.out, "window   %s .. %s (%s)\n", span.First.UTC().Format(time.RFC3339),
					span.Last.UTC().Format(time.RFC3339), span.Last.Sub(span.First).Round(time.Second))
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// statusJSON is the object `culprit status --json` prints.
type statusJSON struct {
	Index   string  `json:"index"`
	Events  int     `json:"events"`
	Deploys int     `json:"deploys"`
	First   *string `json:"first"`
	Last    *string `json:"last"`
}

// jsonTime formats t as the JSON contract does (RFC 3339, UTC, fractional
// seconds), or nil when zero.
func jsonTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// --- tui and demo ---

func newTUICmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "tui [ID]",
		Short: "Open the interactive TUI (on a request ID if given)",
		Args:  args(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if !a.io.outTTY {
				return usageError{"the TUI needs a terminal; use 'culprit request ID' in scripts"}
			}
			id := ""
			if len(argv) == 1 {
				id = cleanID(argv[0])
			}
			return a.runTUI(cmd.Context(), id)
		},
	}
}

func (a *app) runTUI(ctx context.Context, id string) error {
	inv, done, err := a.investigator()
	if err != nil {
		return err
	}
	defer done()
	return tui.Run(ctx, inv, tui.Options{RequestID: id, NoColor: a.io.getenv("NO_COLOR") != ""})
}

func newDemoCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Ingest the bundled sample incident into a temporary index and investigate a failing request",
		Long: `Ingest the bundled sample incident (three services, a deployment regression,
a dependency outage and a pre-existing error; see testdata/incident/README.md)
into a temporary index, then open the TUI on a failing request a user reported.
When stdout is not a terminal, print the text report instead. With --index,
the index is kept there for you to explore afterwards.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.demo(cmd.Context(), cmd.Flags().Changed("index"))
		},
	}
}

func (a *app) demo(ctx context.Context, keep bool) error {
	tmp, err := os.MkdirTemp("", "culprit-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if !keep {
		a.indexDir = filepath.Join(tmp, "index")
	}
	if err := extractDemo(tmp); err != nil {
		return err
	}
	id, err := demoRequestID()
	if err != nil {
		return err
	}
	o := ingest.Options{
		Paths:   []string{filepath.Join(tmp, "logs")},
		Deploys: []string{filepath.Join(tmp, "deploys.json")},
	}
	var sum strings.Builder
	ai := *a
	ai.io.out = &sum
	ai.io.errTTY = false
	if err := ai.ingest(ctx, o, false); err != nil {
		return fmt.Errorf("ingesting the sample incident: %w", err)
	}
	if a.io.outTTY && a.io.inTTY {
		return a.runTUI(ctx, id)
	}
	where := "a temporary index (keep one with --index DIR)"
	if keep {
		where = a.indexDir
	}
	fmt.Fprintf(a.io.out, "Sample incident ingested into %s. A user reports request %s failed:\n\n", where, id)
	return a.request(ctx, []string{id}, false, false)
}

// extractDemo writes the embedded sample incident into dir.
func extractDemo(dir string) error {
	root := "testdata/incident"
	return fs.WalkDir(demoData, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, strings.TrimPrefix(p, root))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := demoData.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
}

// demoRequestID is the request a user reported in the sample incident: the
// "regression" case of testdata/incident/cases.json.
func demoRequestID() (string, error) {
	b, err := demoData.ReadFile("testdata/incident/cases.json")
	if err != nil {
		return "", err
	}
	var cases []struct {
		Name      string `json:"name"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		return "", fmt.Errorf("testdata/incident/cases.json: %w", err)
	}
	for _, c := range cases {
		if c.Name == "regression" {
			return c.RequestID, nil
		}
	}
	return "", errors.New("testdata/incident/cases.json has no regression case")
}
