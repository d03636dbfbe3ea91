// Command home times, in one process, what the TUI's home screen asks of an
// index before it is drawn: open, span, the top 50 error groups, the error
// histogram over the whole span (100 bars) and each group's 24-bar
// sparkline, the same calls tui/commands.go makes through query. It prints
// the milliseconds of each step and the total, so that the home screen's
// cost can be measured without a terminal.
//
//	go run ./scripts/bench/home -index DIR [-all] [-cpuprofile FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/query"
)

func main() {
	dir := flag.String("index", ".culprit", "index directory")
	all := flag.Bool("all", false, "also time the 100-bar histogram of every event (the search screen with no query) and facets of every event")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "home:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "home:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*dir, *all); err != nil {
		fmt.Fprintln(os.Stderr, "home:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(dir string, all bool) error {
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
	t1 := time.Now()
	gs, err := inv.Errors(ctx, query.ErrorsOptions{Sort: "count", Limit: 50})
	if err != nil {
		return err
	}
	tGroups := time.Since(t1)
	t2 := time.Now()
	from, to := sp.First, sp.Last.Add(time.Second)
	if _, err := inv.Histogram(ctx, query.Filter{ErrorsOnly: true}, from, to, 100); err != nil {
		return err
	}
	for _, g := range gs {
		if _, err := inv.Histogram(ctx, query.Filter{Fingerprint: g.Fingerprint, ErrorsOnly: true}, from, to, 24); err != nil {
			return err
		}
	}
	tHist := time.Since(t2)
	fmt.Printf("open %d ms, groups %d ms (%d), histograms %d ms, total %d ms\n",
		tOpen.Milliseconds(), tGroups.Milliseconds(), len(gs), tHist.Milliseconds(), time.Since(t0).Milliseconds())
	if !all {
		return nil
	}
	// The search screen with an empty query: every event.
	t3 := time.Now()
	if _, err := inv.Histogram(ctx, query.Filter{}, from, to, 100); err != nil {
		return err
	}
	tAll := time.Since(t3)
	fmt.Printf("histogram of every event %d ms\n", tAll.Milliseconds())
	// Facets of every event: the fields a block's tally counts, then users
	// (a keyword column per block).
	t4 := time.Now()
	if _, err := inv.Facets(ctx, query.Filter{}, []string{"route", "service", "host", "version", "status", "level"}, 50); err != nil {
		return err
	}
	tFacets := time.Since(t4)
	t5 := time.Now()
	if _, err := inv.Facets(ctx, query.Filter{}, []string{"user"}, 50); err != nil {
		return err
	}
	fmt.Printf("facets of every event: route service host version status level %d ms, user %d ms\n", tFacets.Milliseconds(), time.Since(t5).Milliseconds())
	return nil
}
