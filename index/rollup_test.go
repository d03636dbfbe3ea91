package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// rollupCorpus is digestCorpus with trace ids on two of its sources (one
// of them without request ids), so that every rollup facet has values and
// missing events.
func rollupCorpus(n int) []Event {
	evs := digestCorpus(n)
	for i := range evs {
		switch evs[i].Source {
		case "b.log":
			evs[i].TraceID = "t-" + evs[i].RequestID
		case "c.log":
			if i%3 == 0 {
				evs[i].TraceID, evs[i].RequestID = "t-"+evs[i].RequestID, ""
			}
		}
	}
	return evs
}

func rollupFacetValue(ev *Event, field string) string {
	if field == "trace_id" {
		return ev.TraceID
	}
	return facetValue(ev, field)
}

// wantSummaries is the brute force's GroupSummaries over the events of evs
// f matches.
func wantSummaries(t *testing.T, evs []Event, f Filter, fields []string, size int) []GroupSummary {
	t.Helper()
	match := naiveFind(t, evs, f, OldestFirst)
	byFP := map[string]*GroupSummary{}
	counts := map[string][]map[string]int{}
	var order []string
	for i := range match {
		e := &match[i]
		if e.Fingerprint == "" {
			continue
		}
		g := byFP[e.Fingerprint]
		if g == nil {
			g = &GroupSummary{GroupEnds: GroupEnds{Value: e.Fingerprint, First: *e}}
			byFP[e.Fingerprint] = g
			counts[e.Fingerprint] = make([]map[string]int, len(fields))
			for j := range fields {
				counts[e.Fingerprint][j] = map[string]int{}
			}
			order = append(order, e.Fingerprint)
		}
		g.Count++
		g.Last = *e
		for j, field := range fields {
			if v := rollupFacetValue(e, field); v != "" {
				counts[e.Fingerprint][j][v]++
			}
		}
	}
	var out []GroupSummary
	for _, fp := range order {
		g := byFP[fp]
		for j, field := range fields {
			fc := Facet{Field: field, Total: g.Count, Distinct: len(counts[fp][j])}
			sum := 0
			for v, n := range counts[fp][j] {
				fc.Buckets = append(fc.Buckets, Bucket{Value: v, Count: n})
				sum += n
			}
			fc.Missing = g.Count - sum
			slices.SortFunc(fc.Buckets, func(a, b Bucket) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value)) })
			if size > 0 && len(fc.Buckets) > size {
				fc.Buckets = fc.Buckets[:size]
			}
			fc.Other = sum
			for _, b := range fc.Buckets {
				fc.Other -= b.Count
			}
			g.Facets = append(g.Facets, fc)
		}
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b GroupSummary) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	return out
}

// summaryText prints summaries for comparison: events by key.
func summaryText(gs []GroupSummary) string {
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "%s n=%d first=%s last=%s\n", g.Value, g.Count, key(g.First), key(g.Last))
		for _, fc := range g.Facets {
			fmt.Fprintf(&b, "  %s total=%d missing=%d other=%d distinct=%d %v\n", fc.Field, fc.Total, fc.Missing, fc.Other, fc.Distinct, fc.Buckets)
		}
	}
	return b.String()
}

// checkRollupExact compares, on ix, the questions the rollup answers
// (every group's summary, the error histograms, whole or cut by ranges
// anywhere), the histograms of every event (counted from block records
// where a block lies inside one bar) and the one-pass forms with a filter, with a brute-force scan
// of evs.
func checkRollupExact(t *testing.T, ix *Index, evs []Event, stage string) {
	t.Helper()
	ctx := context.Background()
	var first, last time.Time
	fps := map[string]bool{}
	for i := range evs {
		if i == 0 || evs[i].Time.Before(first) {
			first = evs[i].Time
		}
		if i == 0 || evs[i].Time.After(last) {
			last = evs[i].Time
		}
		if evs[i].IsError && evs[i].Fingerprint != "" {
			fps[evs[i].Fingerprint] = true
		}
	}
	span := last.Sub(first)
	cut := func(a float64) time.Time { return first.Add(time.Duration(a * float64(span))).Add(1234567) }
	filters := []Filter{{ErrorsOnly: true}, {ErrorsOnly: true, Service: "orders"},
		{ErrorsOnly: true, Since: cut(0.137), Until: cut(0.611)}, {ErrorsOnly: true, Since: cut(0.5), Service: "gateway"}}
	for _, f := range filters {
		for _, size := range []int{0, 3} {
			want := wantSummaries(t, evs, f, rollupFacets, size)
			got, err := ix.GroupSummaries(ctx, f, "fingerprint", rollupFacets, size)
			if err != nil {
				t.Fatalf("%s: %+v: %v", stage, f, err)
			}
			if g, w := summaryText(got), summaryText(want); g != w {
				t.Fatalf("%s: %+v size %d:\n%s\nbrute force:\n%s", stage, f, size, g, w)
			}
		}
		// GroupEnds agrees.
		ends, err := ix.GroupEnds(ctx, f, "fingerprint")
		if err != nil {
			t.Fatal(err)
		}
		sums, _ := ix.GroupSummaries(ctx, f, "fingerprint", nil, 0)
		if len(ends) != len(sums) {
			t.Fatalf("%s: %d group ends, %d summaries", stage, len(ends), len(sums))
		}
		for i := range ends {
			if ends[i].Value != sums[i].Value || ends[i].Count != sums[i].Count || key(ends[i].First) != key(sums[i].First) || key(ends[i].Last) != key(sums[i].Last) {
				t.Fatalf("%s: group ends %v, summary %v", stage, ends[i].Value, sums[i].Value)
			}
		}
	}
	// Facets of one group, whole and over ranges that cut it (the blast
	// window): from the rollup's events (in memory since GroupSummaries
	// above).
	for fp := range fps {
		for _, f := range []Filter{{ErrorsOnly: true, Fingerprint: fp}, {ErrorsOnly: true, Fingerprint: fp, Since: cut(0.3), Until: cut(0.45)},
			{ErrorsOnly: true, Fingerprint: fp, Since: cut(0.6)}, {ErrorsOnly: true, Fingerprint: fp, Until: cut(0.2)}} {
			match := naiveFind(t, evs, f, OldestFirst)
			for _, size := range []int{0, 2} {
				fcs, err := ix.Facets(ctx, f, rollupFacets, size)
				if err != nil {
					t.Fatal(err)
				}
				for k, field := range rollupFacets {
					counts, missing := map[string]int{}, 0
					for i := range match {
						if v := rollupFacetValue(&match[i], field); v != "" {
							counts[v]++
						} else {
							missing++
						}
					}
					want := Facet{Field: field, Total: len(match), Missing: missing, Distinct: len(counts), Buckets: []Bucket{}}
					for v, n := range counts {
						want.Buckets = append(want.Buckets, Bucket{Value: v, Count: n})
					}
					slices.SortFunc(want.Buckets, func(a, b Bucket) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value)) })
					if size > 0 && len(want.Buckets) > size {
						want.Buckets = want.Buckets[:size]
					}
					want.Other = len(match) - missing
					for _, b := range want.Buckets {
						want.Other -= b.Count
					}
					if g, w := fmt.Sprintf("%+v", fcs[k]), fmt.Sprintf("%+v", want); g != w {
						t.Fatalf("%s: facets %+v size %d: %s, brute force %s", stage, f, size, g, w)
					}
				}
			}
		}
	}
	// Histograms: of every error and of each group, over ranges whose
	// bounds and buckets cut blocks and seconds.
	ranges := [][2]time.Time{{first, last.Add(time.Second)}, {cut(0.05), cut(0.97)}, {cut(0.31), cut(0.33)}}
	hfs := []Filter{{ErrorsOnly: true}, {ErrorsOnly: true, Since: cut(0.2), Until: cut(0.7)},
		{}, {Since: cut(0.2), Until: cut(0.7)}, {Service: "orders"}}
	for fp := range fps {
		hfs = append(hfs, Filter{ErrorsOnly: true, Fingerprint: fp})
	}
	for _, f := range hfs {
		match := naiveFind(t, evs, f, OldestFirst)
		for _, r := range ranges {
			for _, n := range []int{1, 24, 100} {
				hs, err := ix.Histogram(ctx, f, r[0], r[1], n)
				if err != nil {
					t.Fatal(err)
				}
				want := make([]int, n)
				for i := range match {
					tm := match[i].Time
					if tm.Before(r[0]) || !tm.Before(r[1]) {
						continue
					}
					for k := n - 1; k >= 0; k-- {
						if !tm.Before(hs[k].Start) {
							want[k]++
							break
						}
					}
				}
				for k := range hs {
					if hs[k].Count != want[k] {
						t.Fatalf("%s: histogram %+v %v/%d bucket %d: %d, brute force %d", stage, f, r, n, k, hs[k].Count, want[k])
					}
				}
			}
		}
	}
}

// rollupCovered is how many blocks ix's rollup chain covers.
func rollupCovered(ix *Index) (files, blocks, total int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if n := len(ix.rollups); n > 0 {
		blocks = ix.rollups[n-1].b
	}
	return len(ix.rollups), blocks, len(ix.blocks)
}

// TestRollupExact builds an index in many commits (bulk, then follow-style
// commits of a few lines, its first blocks written before digests) and,
// along the way and after reopening, compares everything the rollup answers
// with a brute-force scan; the chain stays short and covers all but the
// last few blocks.
func TestRollupExact(t *testing.T) {
	n := 9000
	if testing.Short() {
		n = 4000
	}
	defer func(v int) { rollupMinBlocks = v }(rollupMinBlocks)
	rollupMinBlocks = 3
	evs := rollupCorpus(n)
	writeDigests = false
	t.Cleanup(func() { writeDigests = true })
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	bulk, checked := n/2, 0
	for i := range evs {
		if i == n/6 {
			writeDigests = true
		}
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		commit := i < bulk && (i+1)%1100 == 0 || i >= bulk && (i+1)%37 == 0
		if !commit && i < len(evs)-1 {
			continue
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if checked == 0 && i+1 >= bulk || checked == 1 && i+1 >= bulk+37*40 {
			checkRollupExact(t, ix, evs[:i+1], fmt.Sprintf("after %d lines", i+1))
			checked++
		}
	}
	files, covered, total := rollupCovered(ix)
	if files == 0 || files > 8 || total-covered >= rollupMinBlocks {
		t.Fatalf("rollup chain of %d files covers %d of %d blocks", files, covered, total)
	}
	checkRollupExact(t, ix, evs, "writer, all lines")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// Only the chain's files are left, and a reader answers from them.
	ents, _ := os.ReadDir(filepath.Join(dir, rollupDir))
	if len(ents) != files {
		t.Errorf("%d files in %s, the chain has %d", len(ents), rollupDir, files)
	}
	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	checkRollupExact(t, ro, evs, "reader")
	if probs, err := Check(dir); err != nil || len(probs) > 0 {
		t.Fatalf("doctor: %v %v", probs, err)
	}
}

// TestRollupCrash takes the index as a crash would leave it between a
// commit point and its manifest (blocks committed, a rollup file written,
// and merged-away files still there, the manifest of the commit before),
// and checks that a reader answers exactly from it, that the next writer
// finishes the chain, removes the files no manifest lists, and answers
// exactly too; then that a damaged rollup file is an ErrCorrupt for
// readers and a problem for doctor.
func TestRollupCrash(t *testing.T) {
	defer func(v int) { rollupMinBlocks = v }(rollupMinBlocks)
	rollupMinBlocks = 2
	evs := rollupCorpus(4000)
	dir := t.TempDir()
	crashed := filepath.Join(t.TempDir(), "crashed")
	at := writeCrashingAtRollup(t, evs, dir, crashed)
	ro, err := Open(crashed, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	checkRollupExact(t, ro, evs[:at], "reader after the crash")
	ro.Close()

	ix, err := Open(crashed, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	for i := at; i < len(evs); i++ {
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if (i+1)%50 == 0 || i == len(evs)-1 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkRollupExact(t, ix, evs, "writer after the crash")
	w.Close()
	ix.Close()
	man, err := readManifest(crashed)
	if err != nil {
		t.Fatal(err)
	}
	chain := rollupsOf(man)
	ents, _ := os.ReadDir(filepath.Join(crashed, rollupDir))
	if len(chain) == 0 || len(ents) > len(chain)+2 {
		t.Errorf("%d files in %s, %d in the chain", len(ents), rollupDir, len(chain))
	}
	if probs, err := Check(crashed); err != nil || len(probs) > 0 {
		t.Fatalf("doctor after the crash: %v %v", probs, err)
	}

	// Damage: a flipped byte in the chain's first file.
	name := filepath.Join(crashed, filepath.FromSlash(chain[0].name))
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ro, err = Open(crashed, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.GroupSummaries(t.Context(), Filter{ErrorsOnly: true}, "fingerprint", rollupFacets, 3); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), chain[0].name) {
		t.Errorf("reading a damaged rollup: %v", err)
	}
	// A filtered question does not read the rollup.
	if _, err := ro.GroupSummaries(t.Context(), Filter{ErrorsOnly: true, Service: "orders"}, "fingerprint", rollupFacets, 3); err != nil {
		t.Errorf("a question the rollup does not answer: %v", err)
	}
	probs, err := Check(crashed)
	if err != nil || len(probs) == 0 || probs[0].File != chain[0].name {
		t.Errorf("doctor on a damaged rollup: %v %v", probs, err)
	}
}

// writeCrashingAtRollup writes evs into a new index in dir, committing
// every 300 events, and copies dir to crashed as a crash would leave it at
// the 7th commit: its rollup file written, the manifest not yet. It
// returns how many events that copy holds.
func writeCrashingAtRollup(t *testing.T, evs []Event, dir, crashed string) int {
	t.Helper()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	commits, at := 0, 0
	for i := range evs {
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if (i+1)%300 != 0 {
			continue
		}
		commits++
		if commits == 7 {
			rollupWritten = func() { copyDir(t, dir, crashed); at = i + 1 }
		}
		err := w.Commit()
		rollupWritten = nil
		if err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	ix.Close()
	if at == 0 {
		t.Fatal("no rollup written at the 7th commit")
	}
	return at
}
