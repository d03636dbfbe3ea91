package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/remote"
	"github.com/culprit-dev/culprit/query"
)

// Exit codes, grep's convention.
const (
	ExitOK          = 0   // found / results
	ExitNoResults   = 1   // ran fine, found nothing
	ExitError       = 2   // usage or runtime error
	ExitInterrupted = 130 // SIGINT or SIGTERM
)

// NoResultsError means the command ran fine and found nothing: exit 1.
// Msg, when not empty, is a note for a human printed on stderr (text output
// only: JSON output stays valid and says so itself).
type NoResultsError struct{ Msg string }

func (e *NoResultsError) Error() string {
	if e.Msg == "" {
		return "no results"
	}
	return e.Msg
}

// FlagError is a mistake in the command line (a missing argument, an
// invalid flag value): exit 2, with a pointer to --help.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FlagError) Unwrap() error { return e.Err }

// flagErrorf returns a FlagError with a formatted message.
func flagErrorf(format string, a ...any) error {
	return &FlagError{fmt.Errorf(format, a...)}
}

// ExitCode maps the error a command returned to the process's exit code,
// printing it on stderr once, sanitised (an error may quote a file name or
// a log value). ctx is the command's context: an error after it was
// cancelled is an interruption.
func ExitCode(ctx context.Context, err error, stderr io.Writer) int {
	var nr *NoResultsError
	var fe *FlagError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &nr):
		if nr.Msg != "" {
			fmt.Fprintln(stderr, query.SanitizeLine(nr.Msg))
		}
		return ExitNoResults
	case ctx.Err() != nil:
		if !errors.Is(err, context.Canceled) {
			printErr(stderr, err)
		}
		fmt.Fprintln(stderr, "culprit: interrupted")
		return ExitInterrupted
	case errors.As(err, &fe):
		printErr(stderr, err)
		fmt.Fprintln(stderr, "Run 'culprit --help' for usage.")
		return ExitError
	}
	printErr(stderr, err)
	return ExitError
}

// printErr prints err as "culprit: msg" lines, one per error when err joins
// several (errors.Join, ingest.PathErrors), each sanitised to one line.
func printErr(w io.Writer, err error) {
	if m, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range m.Unwrap() {
			if e != nil {
				printErr(w, e)
			}
		}
		return
	}
	fmt.Fprintf(w, "culprit: %s\n", query.SanitizeLine(message(err)))
}

// message is err's text, except that a damaged index is reported as
// itself: the file and block, and what to run (index.CorruptError), without
// the context the command added while it read (`errors` looks at requests
// the user never named, and "request 0274…: index is damaged" would send
// them after the wrong thing). Output cut short keeps its note first.
func message(err error) string {
	var inc *incompleteError
	if errors.As(err, &inc) {
		return inc.note() + ": " + message(inc.err)
	}
	var ce *index.CorruptError
	if errors.As(err, &ce) {
		return ce.Error()
	}
	var re *remote.Error
	if errors.As(err, &re) && errors.Is(re, model.ErrDamaged) {
		return re.Error() // the follower's report of its index's damage
	}
	return err.Error()
}

// incompleteError is a failure after part of the output was written (a
// streaming search that reached a damaged block, a batch of requests of
// which some were reported): the last line on stderr says that what stdout
// holds is incomplete, how much of it there is, and why. Exit 2.
type incompleteError struct {
	printed int    // values written to stdout before the failure
	what    string // what they are: "line", "report"
	err     error
}

func (e *incompleteError) note() string {
	return fmt.Sprintf("output incomplete: stopped after %s", count(e.printed, e.what))
}

func (e *incompleteError) Error() string { return e.note() + ": " + e.err.Error() }

// Unwrap returns the failure.
func (e *incompleteError) Unwrap() error { return e.err }
