// Command vlbench ingests one corpus into culprit's local index and into a
// VictoriaLogs store in the same run, then times the same questions on
// both (request, errors, search) and checks that the answers are the same
// bytes. scripts/bench/victorialogs.sh runs it; see docs/victorialogs.md.
//
//	go run ./scripts/bench/vlbench -corpus DIR -store victorialogs://127.0.0.1:9428 \
//	    -index /tmp/idx -runs 10 -ids "ID1 ID2" -word ApplyDiscounts
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/query"
)

func main() {
	corpus := flag.String("corpus", "", "corpus directory (logs/ and deploys.json, from scripts/gen)")
	store := flag.String("store", "", "VictoriaLogs store URL")
	idxDir := flag.String("index", "", "directory for the local index (must not exist)")
	runs := flag.Int("runs", 10, "timed runs per question and store")
	ids := flag.String("ids", "", "request ids to investigate, space-separated")
	word := flag.String("word", "ApplyDiscounts", "word for the search question (stack:WORD)")
	flag.Parse()
	if err := run(context.Background(), *corpus, *store, *idxDir, *runs, strings.Fields(*ids), *word); err != nil {
		fmt.Fprintln(os.Stderr, "vlbench:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, corpus, storeURL, idxDir string, runs int, ids []string, word string) error {
	if corpus == "" || storeURL == "" || idxDir == "" || runs < 1 {
		return fmt.Errorf("want -corpus, -store, -index and -runs >= 1")
	}
	opts := ingest.Options{Paths: []string{filepath.Join(corpus, "logs")}, Deploys: []string{filepath.Join(corpus, "deploys.json")}}

	ix, err := index.Open(idxDir, index.Options{})
	if err != nil {
		return err
	}
	defer ix.Close()
	isink, err := ingest.NewIndexSink(ix)
	if err != nil {
		return err
	}
	start := time.Now()
	isum, err := ingest.Run(ctx, opts, isink)
	if err != nil {
		return fmt.Errorf("ingest into the index: %w", err)
	}
	if err := isink.Close(); err != nil {
		return err
	}
	idxIngest := time.Since(start)

	vs, err := victorialogs.Open(ctx, storeURL)
	if err != nil {
		return err
	}
	vsink, err := vs.NewSink(ctx)
	if err != nil {
		return err
	}
	start = time.Now()
	vsum, err := ingest.Run(ctx, opts, vsink)
	if err != nil {
		return fmt.Errorf("ingest into victorialogs: %w", err)
	}
	vsink.Close()
	vlIngest := time.Since(start)
	fmt.Printf("| ingest | %d lines | index %.1f s (%.0f lines/s) | victorialogs %.1f s (%.0f lines/s) |\n",
		isum.Events, idxIngest.Seconds(), float64(isum.Events)/idxIngest.Seconds(),
		vlIngest.Seconds(), float64(vsum.Events)/vlIngest.Seconds())
	if isum.Events != vsum.Events {
		return fmt.Errorf("index holds %d events, victorialogs %d", isum.Events, vsum.Events)
	}

	local, remote := query.New(ix, query.Options{}), query.New(vs, query.Options{})
	type question struct {
		name string
		ask  func(inv *query.Investigator, w *bytes.Buffer) error
	}
	var qs []question
	for _, id := range ids {
		qs = append(qs, question{"request " + id, func(inv *query.Investigator, w *bytes.Buffer) error {
			r, err := inv.Request(ctx, id)
			if err != nil {
				return err
			}
			return query.WriteReportJSON(w, r)
		}})
	}
	qs = append(qs, question{"errors", func(inv *query.Investigator, w *bytes.Buffer) error {
		gs, err := inv.Errors(ctx, query.ErrorsOptions{})
		if err != nil {
			return err
		}
		return query.WriteErrorsJSON(w, gs)
	}}, question{"search stack:" + word + " --limit 50", func(inv *query.Investigator, w *bytes.Buffer) error {
		res, err := inv.Search(ctx, query.SearchOptions{Query: "stack:" + word, Limit: 50, Order: query.NewestFirst})
		if err != nil {
			return err
		}
		return query.WriteEventsNDJSON(w, res.Events)
	}})

	fmt.Printf("\n| question | index median | victorialogs median | same answer |\n|---|---|---|---|\n")
	for _, q := range qs {
		var answers [2][]byte
		var medians [2]time.Duration
		for i, inv := range []*query.Investigator{local, remote} {
			var ds []time.Duration
			for range runs {
				var b bytes.Buffer
				t0 := time.Now()
				if err := q.ask(inv, &b); err != nil {
					return fmt.Errorf("%s: %w", q.name, err)
				}
				ds = append(ds, time.Since(t0))
				answers[i] = b.Bytes()
			}
			slices.Sort(ds)
			medians[i] = ds[len(ds)/2]
		}
		fmt.Printf("| %s | %s | %s | %v |\n", q.name, medians[0].Round(100*time.Microsecond), medians[1].Round(100*time.Microsecond), bytes.Equal(answers[0], answers[1]))
	}
	return nil
}
