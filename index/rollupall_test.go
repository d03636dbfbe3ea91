package index

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func allFacetValue(ev *Event, field string) string {
	switch field {
	case "level":
		return ev.Level
	case "version":
		return ev.Version
	case "host":
		return ev.Host
	}
	return facetValue(ev, field)
}

// wantFacet is the brute force's facet of field over match.
func wantFacet(match []Event, field string, size int) Facet {
	counts, missing := map[string]int{}, 0
	for i := range match {
		if v := allFacetValue(&match[i], field); v != "" || field == "source" {
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
	return want
}

// checkAllFacets compares the facets of every event, whole and over time
// ranges (bounds inside buckets, on bucket edges, both in one bucket,
// empty, outside the data), with a brute-force scan of evs. useful says
// whether the all-event part must answer (else the per-block path does).
func checkAllFacets(t *testing.T, ix *Index, evs []Event, useful bool, stage string) {
	t.Helper()
	ctx := context.Background()
	first, last := evs[0].Time, evs[0].Time
	for i := range evs {
		if evs[i].Time.Before(first) {
			first = evs[i].Time
		}
		if evs[i].Time.After(last) {
			last = evs[i].Time
		}
	}
	span := last.Sub(first)
	cut := func(a float64) time.Time { return first.Add(time.Duration(a * float64(span))).Add(1234567) }
	edge := func(a float64) time.Time { // a bucket's edge
		s := cut(a).Unix()
		return time.Unix(s-s%rollupBucketSecs, 0)
	}
	width := time.Duration(rollupBucketSecs) * time.Second
	near := width / 10
	filters := []Filter{{}, {Since: cut(0.5)}, {Until: cut(0.3)}, {Since: cut(0.137), Until: cut(0.611)},
		{Since: edge(0.2), Until: edge(0.8)}, {Since: edge(0.4)}, {Since: cut(0.5), Until: cut(0.5).Add(time.Second / 3)},
		{Since: cut(0.9), Until: cut(0.1)}, {Since: last.Add(time.Hour)}, {Until: first}, {Since: first, Until: last.Add(1)},
		{Since: edge(0.3), Until: cut(0.7)}, {Since: cut(0.3), Until: edge(0.7)},
		// Bounds near a bucket's start or end: the part inside the range
		// read, or the bucket less the part outside it.
		{Since: edge(0.4).Add(near), Until: edge(0.6).Add(width - near)}, {Since: edge(0.4).Add(width - near), Until: edge(0.6).Add(near)},
		{Since: edge(0.5).Add(near), Until: edge(0.5).Add(width - near)}, {Since: edge(0.5).Add(near)}, {Until: edge(0.5).Add(width - near)},
		// The last and first moments of the index (explore's "15m").
		{Since: last.Add(-width / 4)}, {Until: first.Add(width / 4)}}
	fields := allFields[:]
	for _, f := range filters {
		match := naiveFind(t, evs, f, OldestFirst)
		for _, size := range []int{0, 8} {
			fcs, ok, err := ix.facetsAll(ctx, f, fields, size)
			if err != nil {
				t.Fatalf("%s: %+v: %v", stage, f, err)
			}
			if ok != useful {
				t.Fatalf("%s: %+v: answered from the all-event part: %v, want %v", stage, f, ok, useful)
			}
			if !ok {
				if fcs, err = ix.Facets(ctx, f, fields, size); err != nil {
					t.Fatal(err)
				}
			}
			for k, field := range fields {
				if g, w := fmt.Sprintf("%+v", fcs[k]), fmt.Sprintf("%+v", wantFacet(match, field, size)); g != w {
					t.Fatalf("%s: facets %+v size %d:\n%s\nbrute force:\n%s", stage, f, size, g, w)
				}
			}
		}
		// A subset of fields, in another order, through Facets.
		sub := []string{"user", "status", "service"}
		fcs, err := ix.Facets(ctx, f, sub, 3)
		if err != nil {
			t.Fatal(err)
		}
		for k, field := range sub {
			if g, w := fmt.Sprintf("%+v", fcs[k]), fmt.Sprintf("%+v", wantFacet(match, field, 3)); g != w {
				t.Fatalf("%s: facets %+v %s: %s, brute force %s", stage, f, field, g, w)
			}
		}
	}
	// A field the part does not count, and another filter: the block path.
	if _, ok, _ := ix.facetsAll(ctx, Filter{}, []string{"service", "request_id"}, 3); ok {
		t.Errorf("%s: request_id answered from the all-event part", stage)
	}
	if _, ok, _ := ix.facetsAll(ctx, Filter{Service: "orders"}, []string{"service"}, 3); ok {
		t.Errorf("%s: a service filter answered from the all-event part", stage)
	}
}

// TestRollupAllExact builds an index whose first commits are rolled up
// without the all-event part (as before it existed), then with it, in
// bulk and follow-style commits, and compares the facets of every event,
// whole and over time ranges, with a brute-force scan: with no part (the
// block path), with a chain that mixes both kinds of files, after the
// writer has merged the old files (counting their blocks once), from a
// reader, and doctor finds nothing.
func TestRollupAllExact(t *testing.T) {
	n := 9000
	if testing.Short() {
		n = 5000
	}
	defer func(v int, s int64) { rollupMinBlocks, rollupBucketSecs, rollupAllEvents = v, s, true }(rollupMinBlocks, rollupBucketSecs)
	rollupMinBlocks, rollupBucketSecs, rollupAllEvents = 3, 2, false
	evs := rollupCorpus(n)
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	bulk, stage := n/2, 0
	for i := range evs {
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		commit := i < bulk && (i+1)%700 == 0 || i >= bulk && (i+1)%41 == 0 || i == len(evs)-1
		if !commit {
			continue
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		switch {
		case stage == 0 && i+1 >= 1400:
			checkAllFacets(t, ix, evs[:i+1], false, "no all-event part")
			rollupAllEvents = true
			stage++
		case stage == 1:
			// The first chain of old and new files.
			v, err := ix.allViewOf(ix.blocks, ix.rollups)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.gaps) > 0 && v.sum != nil {
				checkAllFacets(t, ix, evs[:i+1], true, "a chain of old and new files")
				stage++
			}
		}
	}
	if stage != 2 {
		t.Fatalf("%d stages checked", stage)
	}
	checkAllFacets(t, ix, evs, true, "writer, all lines")
	w.Close()
	ix.Close()
	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// A range over fewer blocks than allMinBlocks, asked before the part
	// is in memory, reads its blocks.
	defer func(v int) { allMinBlocks = v }(allMinBlocks)
	allMinBlocks = len(ro.blocks)
	since := evs[len(evs)/2].Time
	if _, ok, err := ro.facetsAll(t.Context(), Filter{Since: since}, allFields[:], 8); ok || err != nil {
		t.Errorf("a short range before the part is read: answered from it (%v, %v)", ok, err)
	}
	if _, ok, err := ro.facetsAll(t.Context(), Filter{}, allFields[:], 8); !ok || err != nil {
		t.Errorf("every event: not answered from the part (%v, %v)", ok, err)
	}
	if _, ok, err := ro.facetsAll(t.Context(), Filter{Since: since}, allFields[:], 8); !ok || err != nil {
		t.Errorf("a short range once the part is read: not answered from it (%v, %v)", ok, err)
	}
	v, err := ro.allViewOf(ro.blocks, ro.rollups)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.gaps) != 0 || v.sum == nil {
		t.Errorf("the merged chain still has files without the all-event part: %v", v.gaps)
	}
	checkAllFacets(t, ro, evs, true, "reader")
	if probs, err := Check(dir); err != nil || len(probs) > 0 {
		t.Fatalf("doctor: %v %v", probs, err)
	}
}

// TestRollupAllCrash checks the facets of every event on an index as a
// crash leaves it between writing a rollup file and the manifest that
// lists it, then after the next writer finishes; then that damage to a
// file's all-event part is reported as damage naming the file (never a
// wrong answer), by readers and by doctor, including counts that are
// well-formed and checksummed but not those of the blocks.
func TestRollupAllCrash(t *testing.T) {
	defer func(v int, s int64) { rollupMinBlocks, rollupBucketSecs = v, s }(rollupMinBlocks, rollupBucketSecs)
	rollupMinBlocks, rollupBucketSecs = 2, 3
	evs := rollupCorpus(4000)
	dir := t.TempDir()
	crashed := filepath.Join(t.TempDir(), "crashed")
	at := writeCrashingAtRollup(t, evs, dir, crashed)
	ro, err := Open(crashed, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	checkAllFacets(t, ro, evs[:at], true, "reader after the crash")
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
	checkAllFacets(t, ix, evs, true, "writer after the crash")
	w.Close()
	ix.Close()
	if probs, err := Check(crashed); err != nil || len(probs) > 0 {
		t.Fatalf("doctor after the crash: %v %v", probs, err)
	}
	man, err := readManifest(crashed)
	if err != nil {
		t.Fatal(err)
	}
	chain := rollupsOf(man)
	f0 := chain[0]
	name := filepath.Join(crashed, filepath.FromSlash(f0.name))
	good, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	damagedIs := func(stage string) {
		t.Helper()
		ro, err := Open(crashed, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		if _, err := ro.Facets(t.Context(), Filter{}, []string{"service", "user"}, 8); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), f0.name) {
			t.Errorf("%s: facets: %v", stage, err)
		}
		probs, err := Check(crashed)
		if err != nil || len(probs) == 0 || probs[0].File != f0.name {
			t.Errorf("%s: doctor: %v %v", stage, probs, err)
		}
	}
	// A flipped byte in the all-event part (the file's last bytes).
	b := slices.Clone(good)
	b[len(b)-10] ^= 0x40
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	damagedIs("a flipped byte")

	// Counts that are well-formed and checksummed, listed in the
	// manifest, but one event off: only doctor, which recounts the
	// blocks, can tell; readers answer from it (as from any file the
	// manifest lists).
	ix, err = Open(crashed, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, good, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := splitRollup(good, ix.blocks, f0.a, f0.b)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := ix.z.decompress(p.all)
	if err != nil {
		t.Fatal(err)
	}
	all, err := decodeAll(plain, ix.blocks, f0.a, f0.b)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := ix.decodeGroups(p.groups, ix.blocks, f0.a, f0.b)
	if err != nil {
		t.Fatal(err)
	}
	vs := all.bks[0].vals[0] // service
	if len(vs) < 2 || vs[0].n < 2 {
		t.Fatalf("first bucket's services: %v", vs)
	}
	vs[0].n--
	vs[1].n++
	raw := ix.encodeRollup(ix.blocks, f0.a, f0.b, gs, all)
	ix.Close()
	if err := os.WriteFile(name, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for i := range man.Files {
		if man.Files[i].Name == f0.name {
			man.Files[i].Size, man.Files[i].CRC = int64(len(raw)), partSum(raw)
		}
	}
	man.Sum = man.sum()
	mraw, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(crashed, manifestName), mraw, 0o600); err != nil {
		t.Fatal(err)
	}
	probs, err := Check(crashed)
	if err != nil || len(probs) == 0 || probs[0].File != f0.name || !strings.Contains(probs[0].Detail, "all-event") {
		t.Errorf("doctor on miscounted all-event part: %v %v", probs, err)
	}
}

// TestRollupAllDecodeRejects feeds decodeAll damaged parts: every one is
// an error, never a part.
func TestRollupAllDecodeRejects(t *testing.T) {
	blocks := []blockMeta{{n: 3}, {n: 2}}
	s := &allSum{secs: 60}
	s.dicts[0] = []string{"a", "b"}
	s.dicts[7] = []string{"x.log"}
	s.bks = []allBucket{{num: 5, n: 4}, {num: 7, n: 1}}
	s.bks[0].vals[0] = []idCount{{0, 1}, {1, 3}}
	s.bks[0].vals[7] = []idCount{{0, 4}}
	s.bks[1].vals[7] = []idCount{{0, 1}}
	good := encodeAll(s)
	got, err := decodeAll(good, blocks, 0, 2)
	if err != nil || !sameAll(got, s) {
		t.Fatalf("decodeAll(encodeAll(s)) = %+v, %v", got, err)
	}
	if _, err := decodeAll(good, blocks, 0, 1); err == nil {
		t.Errorf("counts of 5 lines accepted for blocks of 3")
	}
	for i := range good {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			b := slices.Clone(good)
			b[i] ^= x
			if got, err := decodeAll(b, blocks, 0, 2); err == nil && !sameAll(got, s) {
				// A changed byte may decode into other counts of the
				// same lines; they must still be consistent.
				for _, bk := range got.bks {
					for j, vs := range bk.vals {
						sum := 0
						for _, v := range vs {
							sum += v.n
							if int(v.id) >= len(got.dicts[j]) {
								t.Fatalf("byte %d ^ %#x: id %d of %d values", i, x, v.id, len(got.dicts[j]))
							}
						}
						if sum > bk.n {
							t.Fatalf("byte %d ^ %#x: %d counted of %d events", i, x, sum, bk.n)
						}
					}
				}
			}
		}
		if _, err := decodeAll(good[:i], blocks, 0, 2); err == nil {
			t.Errorf("truncated to %d bytes: accepted", i)
		}
	}
}

// TestRollupAllRebuild checks that doctor --rebuild gives an index whose
// rollup was written before the all-event part existed one with the part
// over every file, answering exactly.
func TestRollupAllRebuild(t *testing.T) {
	defer func(v int, s int64) { rollupMinBlocks, rollupBucketSecs, rollupAllEvents = v, s, true }(rollupMinBlocks, rollupBucketSecs)
	rollupMinBlocks, rollupBucketSecs, rollupAllEvents = 2, 2, false
	evs := rollupCorpus(3000)
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if (i+1)%400 == 0 || i == len(evs)-1 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Close()
	ix.Close()
	rollupAllEvents = true
	rep, err := Rebuild(t.Context(), dir, RebuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(rep.Damaged)
	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	v, err := ro.allViewOf(ro.blocks, ro.rollups)
	if err != nil {
		t.Fatal(err)
	}
	if v.sum == nil || len(v.gaps) > 0 {
		t.Fatalf("after Rebuild: all-event part %v, files without it %v", v.sum != nil, v.gaps)
	}
	checkAllFacets(t, ro, evs, true, "after Rebuild")
}

// TestRollupAllOtherWidth reads an index whose all-event parts were
// written with another bucket width (a build with another
// rollupBucketSecs): its files count as files without the part, answers
// stay exact, the next writer recounts what it merges, and doctor checks
// each file at its own width.
func TestRollupAllOtherWidth(t *testing.T) {
	defer func(v int, s int64) { rollupMinBlocks, rollupBucketSecs = v, s }(rollupMinBlocks, rollupBucketSecs)
	rollupMinBlocks, rollupBucketSecs = 2, 2
	evs := rollupCorpus(3000)
	dir := t.TempDir()
	write := func(evs []Event) {
		ix, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		w, err := ix.NewWriter()
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		for i := range evs {
			if err := w.Add(&evs[i]); err != nil {
				t.Fatal(err)
			}
			if (i+1)%300 == 0 || i == len(evs)-1 {
				if err := w.Commit(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	write(evs[:2000])
	rollupBucketSecs = 5
	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ro.facetsAll(t.Context(), Filter{}, allFields[:], 8); ok || err != nil {
		t.Errorf("parts of another width: answered from them (%v, %v)", ok, err)
	}
	checkAllFacets(t, ro, evs[:2000], false, "parts of another width")
	ro.Close()
	if probs, err := Check(dir); err != nil || len(probs) > 0 {
		t.Fatalf("doctor, parts of another width: %v %v", probs, err)
	}
	write(evs[2000:])
	ro, err = Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	checkAllFacets(t, ro, evs, true, "after a writer of the new width")
	if probs, err := Check(dir); err != nil || len(probs) > 0 {
		t.Fatalf("doctor, mixed widths: %v %v", probs, err)
	}
}
