package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/query"
)

// requestOptions are the flags of `culprit request`.
type requestOptions struct {
	*globals
	ID     string // a request ID, or "-" for IDs on stdin
	JSON   bool
	Format string // text (default), json or markdown
	// Compare adds the before/after comparison of the suspect deploy
	// (query.DeployComparison) to the report.
	Compare bool
}

func newRequestCmd(g *globals) *cobra.Command {
	o := &requestOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "request ID|- [--json | --format markdown] [--compare]",
		Short: "Investigate one request ID (or - : one ID per line on stdin, NDJSON out)",
		Long: `Investigate a request: every line of it across services, the root error and
its stack trace, the first occurrence of the same error, the suspect deploy,
the blast radius against all traffic in the same window, and a verdict.

With -, request IDs are read from standard input, one per line, and one report
is printed per ID (with --json: one JSON object per line). The exit code is 0
when every ID was found, 1 when at least one was not, 2 when standard input
holds no ID.

--format markdown writes the investigation as Markdown for an incident
channel or a postmortem (verdict, evidence, root error and culprit frame,
first occurrence, deploys, blast radius, timeline, next steps and the
commands that reproduce it); --format json is --json.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			o.ID = argv[0]
			return runRequest(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the documented JSON object (NDJSON with -)")
	cmd.Flags().StringVar(&o.Format, "format", "text", "output format: text, json or markdown")
	cmd.Flags().BoolVar(&o.Compare, "compare", false, "compare the error's service before and after the deploy shown (text, Markdown, and JSON \"compare\")")
	return cmd
}

func runRequest(ctx context.Context, o *requestOptions) error {
	switch o.Format {
	case "", "text":
	case "json":
		o.JSON = true
	case "markdown", "md":
		if o.JSON {
			return flagErrorf("request: --json and --format markdown exclude each other")
		}
	default:
		return flagErrorf("request: --format %q: want text, json or markdown", o.Format)
	}
	if o.ID == "-" {
		return o.request(ctx, readIDs(ctx, o.env.In), true)
	}
	id := query.ExtractRequestID(o.ID)
	if id == "" {
		return flagErrorf("request: empty request ID %q", o.ID)
	}
	return o.request(ctx, oneID(id), false)
}

// oneID is a stream of one request ID.
func oneID(id string) <-chan idLine {
	ids := make(chan idLine, 1)
	ids <- idLine{id: id}
	close(ids)
	return ids
}

// maxIDLine is the longest line of `request -` input (an ID inside a log
// line or a header).
const maxIDLine = 1 << 20

// idLine is one request ID read, or the error that ended the reading.
type idLine struct {
	id  string
	err error
}

// readIDs reads one request ID per line, pulled out of what surrounds it
// (query.ExtractRequestID: a header, key=value, JSON); blank lines are
// skipped. Each is sent as soon as its line is read, so that `tail -f ids |
// culprit request -` reports as IDs arrive; the channel is closed at the
// end of the input. The reading goroutine may stay blocked on a read that
// never ends (a terminal, a pipe kept open) after ctx is done: the command
// returns without waiting for it, and the process exits.
func readIDs(ctx context.Context, r io.Reader) <-chan idLine {
	ch := make(chan idLine)
	go func() {
		defer close(ch)
		if r == nil {
			return
		}
		send := func(l idLine) bool {
			select {
			case ch <- l:
				return true
			case <-ctx.Done():
				return false
			}
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), maxIDLine)
		line := 0
		for sc.Scan() {
			line++
			if id := query.ExtractRequestID(sc.Text()); id != "" && !send(idLine{id: id}) {
				return
			}
		}
		switch err := sc.Err(); {
		case errors.Is(err, bufio.ErrTooLong):
			send(idLine{err: fmt.Errorf("reading request IDs from stdin: line %d is longer than %d bytes", line+1, maxIDLine)})
		case err != nil:
			send(idLine{err: fmt.Errorf("reading request IDs from stdin: %w", err)})
		}
	}()
	return ch
}

// request investigates the IDs as they come and prints one report per ID.
// A missing index is not an error for a lookup: every ID is "not found",
// with a hint.
func (o *requestOptions) request(ctx context.Context, ids <-chan idLine, batch bool) error {
	var inv *query.Investigator
	switch i, done, err := o.investigator(); {
	case err == nil:
		defer done()
		inv = i
	case !errors.Is(err, index.ErrNotExist):
		return err
	}
	missing, n := 0, 0
	for {
		var id string
		select {
		case <-ctx.Done():
			return ctx.Err()
		case l, ok := <-ids:
			if !ok {
				switch {
				case n == 0 && batch:
					return errors.New("request -: no request ID on standard input (one per line)")
				case missing > 0:
					return &NoResultsError{}
				}
				return nil
			}
			if l.err != nil {
				if n > 0 {
					return &incompleteError{printed: n, what: "report", err: l.err}
				}
				return l.err
			}
			id = l.id
		}
		var r *query.Report
		if inv == nil {
			r = &query.Report{RequestID: id, Hint: fmt.Sprintf("no index at %s yet: run 'culprit ingest PATH...' first", o.indexDir)}
		} else {
			var err error
			if r, err = lookupRequest(ctx, inv, id); err == nil && o.Compare {
				r.Compare, err = inv.Compare(ctx, r)
			}
			if err != nil {
				err = fmt.Errorf("request %s: %w", id, err)
				if n > 0 && ctx.Err() == nil {
					// The reports above are whole; the batch is not.
					err = &incompleteError{printed: n, what: "report", err: err}
				}
				return err
			}
		}
		n++
		if !r.Found {
			missing++
		}
		if err := o.writeReport(r, batch); err != nil {
			return err
		}
	}
}

func (o *requestOptions) writeReport(r *query.Report, batch bool) error {
	out := o.env.Out
	if o.Format == "markdown" || o.Format == "md" {
		if err := query.WriteReportMarkdown(out, r, query.MarkdownOptions{Command: o.reproduceCommand()}); err != nil {
			return err
		}
		if batch {
			_, err := fmt.Fprintln(out, "---")
			return err
		}
		return nil
	}
	if o.JSON {
		if batch {
			return query.WriteReportJSON(out, r)
		}
		return query.WriteReportJSONIndent(out, r)
	}
	if err := query.WriteReportText(out, r, o.env.textOptions()); err != nil {
		return err
	}
	if batch {
		_, err := fmt.Fprintln(out)
		return err
	}
	return nil
}

// reproduceCommand is how the Markdown report tells a reader to run
// culprit: with --index when the index is not the default one.
func (o *requestOptions) reproduceCommand() string {
	if o.indexDir == "" || o.indexDir == ".culprit" {
		return "culprit"
	}
	return "culprit --index " + query.ShellQuote(o.indexDir)
}

// lookupRequest investigates id, then its other spellings (an uppercase
// UUID against lowercase logs) while it is not found; the report of the
// ID as given is kept when none is.
func lookupRequest(ctx context.Context, inv *query.Investigator, id string) (*query.Report, error) {
	var first *query.Report
	for _, v := range query.RequestIDVariants(id) {
		r, err := inv.Request(ctx, v)
		if err != nil {
			return nil, err
		}
		if r.Found {
			return r, nil
		}
		if first == nil {
			first = r
		}
	}
	return first, nil
}
