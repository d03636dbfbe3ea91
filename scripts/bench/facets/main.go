// Command facets times, in one process, what the TUI's explore screen asks
// of an index with no query: the facets of its seven fields (8 values
// each, with exact distinct, missing and other counts) and the 100-bar
// histogram, over every event or over a time range counted back from the
// newest event (as explore's 15m/1h/6h/24h shortcuts do). It prints the
// milliseconds of open and of each call, so that the cost can be measured
// without a terminal; scripts/bench/facets.sh runs it under /usr/bin/time.
//
//	go run ./scripts/bench/facets -index DIR [-range all|15m|1h|6h|24h|DURATION] [-repeat N] [-json]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/query"
)

// fields are the explore facets (tui/commands.go facetFields).
var fields = []string{"service", "level", "status", "route", "version", "host", "user"}

func main() {
	dir := flag.String("index", ".culprit", "index directory")
	rng := flag.String("range", "all", "time range back from the newest event: all, or a duration (15m, 1h, 6h, 24h)")
	repeat := flag.Int("repeat", 1, "ask the facets this many times (the later calls show a warm process)")
	asJSON := flag.Bool("json", false, "print the facets as JSON (to compare two builds' answers)")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "facets:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "facets:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*dir, *rng, *repeat, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "facets:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(dir, rng string, repeat int, asJSON bool) error {
	ctx := context.Background()
	t0 := time.Now()
	ix, err := index.Open(dir, index.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer ix.Close()
	tOpen := time.Since(t0)
	inv := query.New(ix, query.Options{})
	sp, err := inv.Span(ctx)
	if err != nil {
		return err
	}
	var f query.Filter
	from, to := sp.First, sp.Last.Add(time.Second)
	if rng != "all" {
		d, err := time.ParseDuration(rng)
		if err != nil {
			return fmt.Errorf("-range: %w", err)
		}
		f.Since = sp.Last.Add(-d)
		from = f.Since
	}
	var fcs []query.Facet
	var tFacets []int64
	for range max(repeat, 1) {
		t := time.Now()
		if fcs, err = inv.Facets(ctx, f, fields, 8); err != nil {
			return err
		}
		tFacets = append(tFacets, time.Since(t).Milliseconds())
	}
	t := time.Now()
	if _, err := inv.Histogram(ctx, f, from, to, 100); err != nil {
		return err
	}
	tHist := time.Since(t)
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(fcs)
	}
	fmt.Printf("range %s: open %d ms, facets %v ms (%d events), histogram %d ms, total %d ms\n",
		rng, tOpen.Milliseconds(), tFacets, fcs[0].Total, tHist.Milliseconds(), time.Since(t0).Milliseconds())
	return nil
}
