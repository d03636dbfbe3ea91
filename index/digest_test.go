package index

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
)

// digestCorpus interleaves four synthetic sources (one without errors) so that blocks overlap in
// time and a time range cuts blocks in their middle.
func digestCorpus(n int) []Event {
	srcs := []*synth{newSynth(11, "a.log"), newSynth(12, "b.log"), newSynth(13, "c.log"), newSynth(14, "quiet.log")}
	evs := make([]Event, n)
	for i := range evs {
		s := srcs[i%len(srcs)]
		s.next(&evs[i])
		if s.source == "quiet.log" { // blocks without an error line
			evs[i].IsError, evs[i].Fingerprint = false, ""
		}
	}
	return evs
}

// TestDigestsExact checks the questions about error events that error
// digests answer (Find's first and last occurrences and totals, Facets,
// Histogram) against a brute-force scan of the events, on an index whose
// first blocks were written before digests (read whole) and whose others
// have them, with filters by fingerprint, service, route and time ranges
// that cut blocks.
func TestDigestsExact(t *testing.T) {
	n := 12000
	if testing.Short() {
		n = 4000
	}
	evs := digestCorpus(n)
	old := n / 3
	writeDigests = false
	t.Cleanup(func() { writeDigests = true })
	ix, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if i == old {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			writeDigests = true
		}
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if (i+1)%1500 == 0 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// Both kinds of block are there, and the digests are read.
	blocks, _, err := ix.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	with, without := 0, 0
	for i := range blocks {
		if _, ok, err := ix.loadDigest(i, blocks); err != nil {
			t.Fatal(err)
		} else if ok {
			with++
		} else {
			without++
		}
	}
	if with == 0 || without < 2 {
		t.Fatalf("%d blocks with a digest, %d without: want both", with, without)
	}

	fps := map[string]bool{}
	var first, last time.Time
	for i := range evs {
		if evs[i].Fingerprint != "" {
			fps[evs[i].Fingerprint] = true
		}
		if i == 0 || evs[i].Time.Before(first) {
			first = evs[i].Time
		}
		if i == 0 || evs[i].Time.After(last) {
			last = evs[i].Time
		}
	}
	if len(fps) < 3 {
		t.Fatalf("%d fingerprints in the corpus", len(fps))
	}
	span := last.Sub(first)
	cut := func(a, b float64) (time.Time, time.Time) {
		return first.Add(time.Duration(a * float64(span))), first.Add(time.Duration(b * float64(span)))
	}
	filters := []Filter{{ErrorsOnly: true}, {ErrorsOnly: true, Service: "orders"}, {ErrorsOnly: true, MinLevel: "error"},
		{ErrorsOnly: true, Route: "POST /api/orders"}, {ErrorsOnly: true, Query: "status:>=500"}}
	s1, u1 := cut(0.137, 0.611)
	s2, _ := cut(0.503, 1)
	filters = append(filters, Filter{ErrorsOnly: true, Since: s1, Until: u1}, Filter{ErrorsOnly: true, Since: s2})
	for fp := range fps {
		filters = append(filters, Filter{ErrorsOnly: true, Fingerprint: fp}, Filter{ErrorsOnly: true, Fingerprint: fp, Since: s1, Until: u1},
			Filter{ErrorsOnly: true, Fingerprint: fp, Service: "gateway"})
	}
	// And a filter the digests cannot answer (a word): read whole.
	filters = append(filters, Filter{ErrorsOnly: true, Query: "exceeded"})

	ctx := context.Background()
	fields := []string{"fingerprint", "request_id", "route", "user", "service", "status", "source"}
	for _, f := range filters {
		name := fmt.Sprintf("%+v", f)
		for _, order := range []Order{OldestFirst, NewestFirst} {
			want := naiveFind(t, evs, f, order)
			res, err := ix.Find(ctx, f, FindOptions{Limit: 3, Order: order})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if res.Total != len(want) {
				t.Errorf("%s order %d: total %d, brute force %d", name, order, res.Total, len(want))
			}
			if got, w := keys(res.Events), keys(want[:min(3, len(want))]); !slices.Equal(got, w) {
				t.Errorf("%s order %d: %v, brute force %v", name, order, got, w)
			}
		}
		match := naiveFind(t, evs, f, OldestFirst)
		fcs, err := ix.Facets(ctx, f, fields, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, field := range fields {
			counts, missing := map[string]int{}, 0
			for i := range match {
				v := facetValue(&match[i], field)
				if v == "" {
					missing++
					continue
				}
				counts[v]++
			}
			fc := fcs[k]
			if fc.Total != len(match) || fc.Missing != missing || fc.Distinct != len(counts) || len(fc.Buckets) != len(counts) {
				t.Errorf("%s facet %s: total %d missing %d distinct %d, brute force %d %d %d", name, field, fc.Total, fc.Missing, fc.Distinct, len(match), missing, len(counts))
				continue
			}
			for _, b := range fc.Buckets {
				if counts[b.Value] != b.Count {
					t.Errorf("%s facet %s: %q counted %d, brute force %d", name, field, b.Value, b.Count, counts[b.Value])
				}
			}
		}
		// GroupEnds: per value, the count and the first and last event
		// of the brute force's matches (which are in Find's order).
		for _, field := range []string{"fingerprint", "service", "route", "request_id"} {
			type ends struct {
				n           int
				first, last Event
			}
			want := map[string]*ends{}
			for i := range match {
				v := facetValue(&match[i], field)
				if v == "" {
					continue
				}
				if want[v] == nil {
					want[v] = &ends{first: match[i]}
				}
				want[v].n++
				want[v].last = match[i]
			}
			gs, err := ix.GroupEnds(ctx, f, field)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(gs) != len(want) {
				t.Errorf("%s group ends %s: %d values, brute force %d", name, field, len(gs), len(want))
			}
			for k, g := range gs {
				w := want[g.Value]
				if w == nil {
					t.Errorf("%s group ends %s: value %q not in the brute force", name, field, g.Value)
					continue
				}
				if g.Count != w.n || keys([]Event{g.First})[0] != keys([]Event{w.first})[0] || keys([]Event{g.Last})[0] != keys([]Event{w.last})[0] {
					t.Errorf("%s group ends %s %q: %d %v..%v, brute force %d %v..%v", name, field, g.Value,
						g.Count, keys([]Event{g.First}), keys([]Event{g.Last}), w.n, keys([]Event{w.first}), keys([]Event{w.last}))
				}
				if k > 0 && (gs[k-1].Count < g.Count || gs[k-1].Count == g.Count && gs[k-1].Value >= g.Value) {
					t.Errorf("%s group ends %s: %q before %q", name, field, gs[k-1].Value, g.Value)
				}
			}
		}
		from, to := cut(0.05, 0.97)
		hs, err := ix.Histogram(ctx, f, from, to, 37)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantH := make([]int, 37)
		for i := range match {
			tm := match[i].Time
			if tm.Before(from) || !tm.Before(to) || (!f.Since.IsZero() && tm.Before(f.Since)) || (!f.Until.IsZero() && !tm.Before(f.Until)) {
				continue
			}
			for k := 36; k >= 0; k-- {
				if !tm.Before(hs[k].Start) {
					wantH[k]++
					break
				}
			}
		}
		for k := range hs {
			if hs[k].Count != wantH[k] {
				t.Errorf("%s histogram bucket %d: %d, brute force %d", name, k, hs[k].Count, wantH[k])
			}
		}
	}
}

// facetValue is an event's value of a facet field, as the index stores it.
func facetValue(ev *Event, field string) string {
	switch field {
	case "fingerprint":
		return ev.Fingerprint
	case "request_id":
		return ev.RequestID
	case "route":
		return ev.Route
	case "user":
		return ev.User
	case "service":
		return ev.Service
	case "source":
		return ev.Source
	case "status":
		if ev.Status == 0 {
			return ""
		}
		return strconv.Itoa(ev.Status)
	}
	panic(field)
}
