package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/query"
	"github.com/culprit-dev/culprit/tui"
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
			fmt.Fprintf(o.env.Err, "following %s; Ctrl-C to stop\n", count(len(in.Paths)+len(in.Deploys), "path"))
		},
	}
	if o.env.ErrTTY {
		fo.Pass = func(s ingest.Summary) {
			fmt.Fprintf(o.env.Err, "+%s, +%s\n", count(s.Events, "event"), count(s.Deploys, "deploy"))
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
	_, err := fmt.Fprintf(w, "followed: %s (%s), %s added after the first pass\n", count(fs.Events, "event"), count(fs.Lines, "line"), count(fs.Deploys, "deploy"))
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

// storeOf is implemented by a WriteStore that can answer queries itself (the
// index it writes), so that tui --follow reads it in-process.
type storeOf interface{ Store() query.Store }

// Store is the index being written, for queries in the same process.
func (w *indexWriter) Store() query.Store { return w.ix }

// runTUIFollow is `culprit tui --follow PATH...`: it opens the index for
// writing (serving it to other processes as ingest does), ingests the paths
// (with a progress bar on stderr), then runs the TUI over the index while
// following them in the background. The TUI's queries see what was
// committed before each of them. When the TUI ends, following stops and
// what it added is printed.
func runTUIFollow(ctx context.Context, o *tuiOptions) error {
	if len(o.Paths) == 0 && len(o.Deploys) == 0 {
		return flagErrorf("tui --follow needs at least one PATH or --deploys FILE")
	}
	for _, p := range append(slices.Clone(o.Paths), o.Deploys...) {
		if p == "-" {
			return flagErrorf("tui --follow cannot read standard input (the TUI uses the terminal): run 'culprit ingest --follow -' in another process and 'culprit tui' here")
		}
		if o.storeURL == "" && insideIndex(p, o.indexDir) {
			return flagErrorf("%s names the index directory %s or a file in it: an index never ingests its own files", p, o.indexDir)
		}
	}
	st, err := o.openWrite()
	if err != nil {
		return err
	}
	in := ingest.Options{Paths: o.Paths, Deploys: o.Deploys, MaxLine: ingest.DefaultMaxLine, SkipDirs: []string{o.indexDir}}
	if o.env.ErrTTY {
		in.Progress = termSafeWriter{o.env.Err}
	}
	fctx, stop := context.WithCancel(ctx)
	first := make(chan struct{})
	done := make(chan struct{})
	var fs ingest.FollowSummary
	var ferr error
	go func() {
		defer close(done)
		fs, ferr = ingest.Follow(fctx, in, st, ingest.FollowOptions{Initial: func(ingest.Summary) { close(first) }})
	}()
	finish := func() error {
		stop()
		<-done
		err := ferr
		if errors.Is(err, context.Canceled) && ctx.Err() == nil {
			err = nil // following ended because the TUI did
		}
		var pe *ingest.PathErrors
		if errors.As(err, &pe) {
			err = nil // reported in the summary below
		}
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("closing the index %s: %w", o.indexDir, cerr))
		}
		return err
	}
	select {
	case <-first:
	case <-done:
		return finish()
	}
	var store query.Store
	if s, ok := st.(storeOf); ok {
		store = s.Store()
	} else {
		rs, err := o.openRead()
		if err != nil {
			return errors.Join(err, finish())
		}
		defer rs.Close()
		store = rs
	}
	run := o.env.RunTUI
	if run == nil {
		run = tui.Run
	}
	tuiErr := run(ctx, query.New(store, query.Options{}), o.tuiOpts())
	err = errors.Join(tuiErr, finish())
	initial := fs.Initial
	fmt.Fprintf(o.env.Out, "ingested: %s, %s; ", count(initial.Events, "event"), count(initial.Deploys, "deploy"))
	if werr := writeFollowedText(o.env.Out, fs); werr != nil {
		err = errors.Join(err, werr)
	}
	for _, f := range initial.Failed {
		fmt.Fprintf(o.env.Err, "failed: %s\n", query.SanitizeLine(f.Error()))
	}
	return err
}
