package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/tui"
)

// Env is the process a command runs in: its streams, what is a terminal,
// the environment, the clock, how to open the index and the TUI. main fills
// it from the real process; tests fill it with buffers, a fixed clock and a
// temporary index. Nil functions get the real implementation.
type Env struct {
	In                    io.Reader
	Out, Err              io.Writer
	InTTY, OutTTY, ErrTTY bool
	// Width is the width of the terminal Out is, in columns (0: unknown).
	Width int
	// Getenv reads the environment (CULPRIT_INDEX, NO_COLOR, TERM).
	Getenv func(string) string
	// Now is the clock (the TUI's "3h ago").
	Now func() time.Time
	// OpenRead opens the index in dir for queries; OpenWrite for ingest.
	OpenRead  func(dir string) (ReadStore, error)
	OpenWrite func(dir string) (WriteStore, error)
	// RunTUI runs the interactive TUI until the user quits.
	RunTUI func(ctx context.Context, b tui.Backend, o tui.Options) error
	// Demo is the sample incident `culprit demo` ingests: logs/,
	// deploys.json and cases.json at its root.
	Demo fs.FS
}

func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// globals are the process and the flags every command shares. Each
// command's options struct embeds a pointer to it.
type globals struct {
	env      *Env
	indexDir string
	// storeURL selects a remote store (--store, env CULPRIT_STORE); empty
	// means the local index in indexDir.
	storeURL string
	// fields are --field overrides for reading rows another shipper
	// wrote into the --store (ingest has its own --field).
	fields []string
	ctx    context.Context
}

// commands is the command table: one constructor per command, each in its
// own file. A new command (say `doctor`) is a file with an options struct,
// a newXCmd and a runX, and one line here.
var commands = []func(*globals) *cobra.Command{
	newIngestCmd,
	newRequestCmd,
	newErrorsCmd,
	newSearchCmd,
	newDeploysCmd,
	newStatusCmd,
	newTUICmd,
	newDemoCmd,
	newDoctorCmd,
}

// Run runs the command line args (without the program name) in env and
// returns the exit code; errors have been printed on env.Err.
func Run(ctx context.Context, args []string, env *Env) int {
	root := NewRootCmd(env)
	root.SetArgs(args)
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	err := root.ExecuteContext(ctx)
	return ExitCode(ctx, err, env.Err)
}

// NewRootCmd builds the `culprit` command with every subcommand.
func NewRootCmd(env *Env) *cobra.Command {
	g := &globals{env: env}
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

Output: on a terminal, text with colour (unless NO_COLOR) fitted to its width;
piped, plain text; with --json, JSON (see README).

Exit codes: 0 found / results, 1 not found / no results, 2 error (usage or
runtime), 130 interrupted (Ctrl-C, SIGTERM).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !env.OutTTY || !env.InTTY {
				return flagErrorf("no command given (the TUI needs a terminal)")
			}
			return runTUI(cmd.Context(), &tuiOptions{globals: g})
		},
	}
	defDir := env.getenv("CULPRIT_INDEX")
	if defDir == "" {
		defDir = ".culprit"
	}
	root.PersistentFlags().StringVar(&g.indexDir, "index", defDir, "index directory (env CULPRIT_INDEX)")
	root.PersistentFlags().StringVar(&g.storeURL, "store", env.getenv("CULPRIT_STORE"),
		"store URL, e.g. victorialogs://host:9428 (env CULPRIT_STORE; default: the local index)")
	root.PersistentFlags().StringArrayVar(&g.fields, "field", nil,
		"with --store: where a field is in rows another shipper wrote, NAME=GJSON_PATH (repeatable; see docs/victorialogs.md)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		g.ctx = cmd.Context()
		if strings.TrimSpace(g.indexDir) == "" {
			return flagErrorf("--index: empty directory name")
		}
		return nil
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		// A search query may start with "-" (README's `-service:api`),
		// which the flag parser takes for a flag: say how to pass it.
		if _, tok, ok := strings.Cut(err.Error(), "unknown shorthand flag: "); ok && cmd.Name() == "search" {
			if _, q, ok := strings.Cut(tok, " in "); ok {
				err = fmt.Errorf("%w (a query that starts with \"-\" goes after \"--\", the flags before it: culprit search [FLAGS] -- %s)", err, query.ShellQuote(q))
			}
		}
		return &FlagError{err}
	})
	for _, c := range commands {
		root.AddCommand(c(g))
	}
	return root
}

// args wraps a cobra positional-argument check so that its failures are
// FlagErrors (exit 2).
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return &FlagError{err}
		}
		return nil
	}
}
