package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// tallyCorpus is digestCorpus with a few lines that have no word at all
// (they do not match *), and a block's worth of lines of one status, level
// and route in a source of its own, so that some blocks are decided whole
// by their tally.
func tallyCorpus(n int) []Event {
	evs := digestCorpus(n)
	for i := 7; i < len(evs); i += 97 {
		ev := &evs[i]
		*ev = Event{Time: ev.Time, Source: ev.Source, Line: ev.Line, Text: true, Message: "-- ** --", Raw: []byte("-- ** --")}
	}
	uni := newSynth(15, "uniform.log")
	for i := 0; i < n/8; i++ {
		var ev Event
		uni.next(&ev)
		ev.Status, ev.Level, ev.Route, ev.Method, ev.IsError, ev.ErrorType, ev.Fingerprint, ev.Error, ev.Stack = 503, LevelError, "GET /api/cart", "GET", true, "PoolExhausted", "ffff00001111aaaa", "pool", ""
		evs = append(evs, ev)
	}
	return evs
}

// buildTallyIndex writes evs with the first third of the blocks before
// tallies, committing every 1500 events.
func buildTallyIndex(t *testing.T, evs []Event) *Index {
	t.Helper()
	writeTallies = false
	t.Cleanup(func() { writeTallies = true })
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
		if i == len(evs)/3 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			writeTallies = true
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
	return ix
}

// TestTallyExact compares Find (totals, whole results and pages), Facets
// and Histogram with a brute-force scan, on an index whose first blocks
// have no tally and whose others have one, for filters on tallied and
// untallied fields, with NOT and OR, time ranges and histogram buckets
// whose edges cut blocks, and checks that tallies spare reading blocks.
func TestTallyExact(t *testing.T) {
	n := 9000
	if testing.Short() {
		n = 4000
	}
	evs := tallyCorpus(n)
	ix := buildTallyIndex(t, evs)
	blocks, _, err := ix.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	with, without := 0, 0
	for i := range blocks {
		if tl, err := ix.loadTally(i, blocks); err != nil {
			t.Fatal(err)
		} else if tl != nil {
			with++
		} else {
			without++
		}
	}
	if with < 5 || without < 5 {
		t.Fatalf("%d blocks with a tally, %d without: want both", with, without)
	}

	var first, last time.Time
	for i := range evs {
		if i == 0 || evs[i].Time.Before(first) {
			first = evs[i].Time
		}
		if i == 0 || evs[i].Time.After(last) {
			last = evs[i].Time
		}
	}
	span := last.Sub(first)
	at := func(f float64) time.Time { return first.Add(time.Duration(f * float64(span))) }
	sample := evs[n/2+1]
	queries := []string{"", "*", "**", "?*", "status:>=500", "status:>=100", "status:200", "status:/5.*/", "-status:200",
		"level:error", "level:ERROR", "NOT level:info", "level:error OR service:orders", "service:orders -route:\"GET /api/cart\"",
		"route:GET*", "method:get", "host:orders-1", "version:v1.2", "error_type:PoolExhausted", "fingerprint:ffff00001111aaaa",
		"is_error:true", "is_error:false", "source:uniform.log", "-source:a.log status:503", "status:>=500 level:error",
		"(status:500 OR status:503) NOT service:gateway", "user:" + sample.User, "reserve", "duration:>500",
		"message:request", "-*", "* status:404", "route:* -level:info"}
	var filters []Filter
	for _, q := range queries {
		filters = append(filters, Filter{Query: q})
	}
	filters = append(filters,
		Filter{Since: at(0.2), Until: at(0.7)},
		Filter{Since: at(0.2), Until: at(0.7), Query: "status:>=500"},
		Filter{Since: at(0.41), Query: "level:error OR level:warn"},
		Filter{Until: at(0.33), Service: "orders"},
		Filter{Route: sample.Route, Since: at(0.1), Until: at(0.9)},
		Filter{MinLevel: "warn", Since: at(0.05)},
		Filter{ErrorsOnly: true, Since: at(0.3), Until: at(0.6)},
		Filter{ErrorsOnly: true, Fingerprint: "ffff00001111aaaa"},
	)
	hists := [][2]time.Time{{first, last.Add(time.Nanosecond)}, {at(0.13), at(0.87)}, {first.Add(-time.Hour), last.Add(time.Hour)}}
	// With bleve asked whenever it may prune, and without it (a small
	// index has fewer blocks than fewBlocks).
	for _, few := range []int{0, fewBlocks} {
		t.Run(fmt.Sprintf("fewBlocks=%d", few), func(t *testing.T) {
			defer func(v int) { fewBlocks = v }(fewBlocks)
			fewBlocks = few
			checkTallyAnswers(t, ix, evs, filters, hists)
		})
	}

	// Blocks with a tally are answered without being read.
	read := 0
	blockReadHook = func(int) { read++ }
	t.Cleanup(func() { blockReadHook = nil })
	for _, q := range []string{"", "*", "status:>=500", "level:error OR level:warn", "route:GET*"} {
		read = 0
		if _, err := ix.Histogram(t.Context(), Filter{Query: q}, first, last.Add(time.Nanosecond), 1); err != nil {
			t.Fatal(err)
		}
		if max := without + 1; read > max {
			t.Errorf("Histogram %q read %d blocks, want at most %d (those without a tally)", q, read, max)
		}
		read = 0
		if _, err := ix.Find(t.Context(), Filter{Query: q}, FindOptions{Limit: 5, Order: NewestFirst}); err != nil {
			t.Fatal(err)
		}
		if max := without + 12; read > max {
			t.Errorf("Find %q read %d blocks, want at most %d", q, read, max)
		}
	}
}

// tallyRange returns where block num's tally lies in blocks.pack.
func tallyRange(t *testing.T, ix *Index, blocks []blockMeta, num int) (off int64, n int) {
	t.Helper()
	eoff, en := digestExtent(blocks, num)
	raw, err := ix.readPart(ix.pack, packFile, "extent", eoff, en, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != extentTally {
		t.Fatalf("block %d: extent version %d", num, raw[0])
	}
	l, k := binary.Uvarint(raw[1:])
	return eoff + 1 + int64(k), int(l)
}

// TestTallyCorrupt: a damaged tally is the index's usual damaged-block
// error for every question that reads it, and doctor reports it; a tally
// rewritten with a valid checksum but counts that disagree with the lines
// is reported by doctor; Rebuild writes tallies for blocks without one.
func TestTallyCorrupt(t *testing.T) {
	evs := tallyCorpus(3000)
	ix := buildTallyIndex(t, evs)
	dir := ix.Dir()
	blocks, _, _ := ix.snapshot()
	// A block with a tally and a few error lines.
	num := -1
	for i := len(blocks) - 2; i >= 0 && num < 0; i-- {
		if tl, err := ix.loadTally(i, blocks); err == nil && tl != nil && tl.errs > 0 && tl.errs < 0x80 {
			num = i
		}
	}
	if num < 0 {
		t.Fatal("no block with a tally and error lines")
	}
	off, n := tallyRange(t, ix, blocks, num)
	eoff, en := digestExtent(blocks, num)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	flipByte(t, dir, packFile, off+int64(n)/2)
	rx, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	checkErr := func(what string, err error) {
		t.Helper()
		var ce *CorruptError
		if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) || ce.File != packFile || !strings.Contains(err.Error(), fmt.Sprintf("block %d digest", num)) {
			t.Errorf("%s: err = %v, want the damaged block %d named", what, err, num)
		}
	}
	f := Filter{Query: "status:>=500"}
	_, err = rx.Find(ctx, f, FindOptions{Limit: 1, Order: OldestFirst})
	checkErr("Find", err)
	_, err = rx.Facets(ctx, f, []string{"route"}, 3)
	checkErr("Facets", err)
	_, err = rx.Histogram(ctx, f, evs[0].Time.Add(-time.Hour), evs[0].Time.Add(48*time.Hour), 3)
	checkErr("Histogram", err)
	rx.Close()
	probs, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].Detail, fmt.Sprintf("block %d digest", num)) {
		t.Errorf("Check = %v, want block %d's digest", probs, num)
	}
	flipByte(t, dir, packFile, off+int64(n)/2) // repaired

	// A count off by one, checksum recomputed: doctor compares with the
	// lines.
	p := filepath.Join(dir, packFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	ext := b[eoff : eoff+int64(en)]
	tb := ext[off-eoff : off-eoff+int64(n)]
	// The tally's second uvarint is its error lines: one less.
	_, k := binary.Uvarint(tb)
	if tb[k] == 0 || tb[k] >= 0x80 {
		t.Fatalf("error lines byte %d", tb[k])
	}
	tb[k]--
	binary.LittleEndian.PutUint32(ext[len(ext)-4:], partSum(ext[:len(ext)-4]))
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	probs, err = Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].Detail, "tally disagrees") {
		t.Errorf("Check = %v, want the tally of block %d", probs, num)
	}

	// Rebuild regenerates every tally.
	if _, err := Rebuild(ctx, dir, RebuildOptions{}); err != nil {
		t.Fatal(err)
	}
	rx, err = Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	blocks, _, _ = rx.snapshot()
	for i := 0; i+1 < len(blocks); i++ {
		if tl, err := rx.loadTally(i, blocks); err != nil || tl == nil {
			t.Fatalf("after Rebuild, block %d: tally %v, %v", i, tl, err)
		}
	}
	probs, err = Check(dir)
	if err != nil || len(probs) != 0 {
		t.Errorf("Check after Rebuild = %v, %v", probs, err)
	}
	res, err := rx.Find(ctx, Filter{Query: "status:>=500"}, FindOptions{Limit: 1})
	if err != nil || res.Total != len(naiveFind(t, evs, Filter{Query: "status:>=500"}, OldestFirst)) {
		t.Errorf("after Rebuild: total %d, %v", res.Total, err)
	}
}

// FuzzDecodeTally: any bytes decode to a tally or an error, never a panic,
// and a tally that decodes has counts within its block.
func FuzzDecodeTally(f *testing.F) {
	evs := tallyCorpus(600)
	b := &blockBuilder{source: "a.log"}
	for i := range 256 {
		b.add(&evs[i])
	}
	e := newBlockEncoder(nil)
	z, err := getCodec()
	if err != nil {
		f.Fatal(err)
	}
	e.z = z
	writeDigests = false // the digest would leave its own columns in e.kw
	e.build(b, 0, 0)
	writeDigests = true
	seed := e.tally(b)
	tl, err := decodeTally(seed, 256)
	if err != nil {
		f.Fatal(err)
	}
	errs, routes := 0, map[string]int{}
	for i := range b.events {
		if b.events[i].IsError {
			errs++
		}
		if r := b.events[i].Route; r != "" {
			routes[r]++
		}
	}
	got := map[string]int{}
	for _, v := range tl.kw[tallySlot[kRoute]] {
		got[tl.value(v)] = int(v.n)
	}
	if tl.errs != errs || !reflect.DeepEqual(got, routes) {
		f.Fatalf("tally: %d errors, routes %v; want %d, %v", tl.errs, got, errs, routes)
	}
	f.Add(seed, 256)
	f.Add([]byte{1, 0, 0, 1, 0, 1}, 1)
	f.Fuzz(func(t *testing.T, raw []byte, n int) {
		if n < 1 || n > blockMaxLines {
			return
		}
		tl, err := decodeTally(raw, n)
		if err != nil {
			return
		}
		for slot := range tl.kw {
			if m := tl.missing(slot); m < 0 || m > n {
				t.Fatalf("slot %d: %d lines without a value of %d", slot, m, n)
			}
			for _, v := range tl.kw[slot] {
				if tl.value(v) == "" {
					t.Fatalf("slot %d: empty value", slot)
				}
			}
		}
	})
}

// checkTallyAnswers compares every answer for filters with a brute-force
// scan of evs (TestTallyExact).
func checkTallyAnswers(t *testing.T, ix *Index, evs []Event, filters []Filter, hists [][2]time.Time) {
	fields := []string{"route", "user", "service", "host", "version", "status", "source", "level", "request_id", "fingerprint"}
	for _, f := range filters {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			for _, order := range []Order{OldestFirst, NewestFirst} {
				want := naiveFind(t, evs, f, order)
				got, err := ix.Find(t.Context(), f, FindOptions{Limit: len(evs), Order: order})
				if err != nil {
					t.Fatal(err)
				}
				if got.Total != len(want) || !reflect.DeepEqual(keys(got.Events), keys(want)) {
					t.Fatalf("order %d: Find total %d, naive %d; first diff at %d", order, got.Total, len(want), firstDiff(keys(got.Events), keys(want)))
				}
				for _, pg := range [][2]int{{0, 5}, {3, 50}, {len(want) - 2, 10}} {
					off := max(pg[0], 0)
					page, err := ix.Find(t.Context(), f, FindOptions{Offset: off, Limit: pg[1], Order: order})
					if err != nil {
						t.Fatal(err)
					}
					wp := want[min(off, len(want)):min(off+pg[1], len(want))]
					if page.Total != len(want) || !reflect.DeepEqual(keys(page.Events), keys(wp)) {
						t.Fatalf("order %d page %v: total %d %v, want %d %v", order, pg, page.Total, keys(page.Events), len(want), keys(wp))
					}
				}
				var each []string
				total, err := ix.FindEach(t.Context(), f, FindOptions{Limit: 20, Order: order}, func(ev *Event) error {
					each = append(each, key(*ev))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if wp := keys(want[:min(20, len(want))]); total != len(want) || !reflect.DeepEqual(each, wp) {
					t.Fatalf("order %d FindEach: %d %v, want %d %v", order, total, each, len(want), wp)
				}
			}
			want := naiveFind(t, evs, f, OldestFirst)
			fcs, err := ix.Facets(t.Context(), f, fields, 4)
			if err != nil {
				t.Fatal(err)
			}
			for i, field := range fields {
				if wf := naiveFacet(want, field, 4); !reflect.DeepEqual(fcs[i], wf) {
					t.Errorf("Facets %s = %+v, want %+v", field, fcs[i], wf)
				}
			}
			// One field at a time: a block is answered by its tally or
			// its columns depending on the fields asked for.
			for _, field := range []string{"status", "route", "user", "source"} {
				fc, err := ix.Facet(t.Context(), f, field, 0)
				if err != nil {
					t.Fatal(err)
				}
				if wf := naiveFacet(want, field, 1<<30); !reflect.DeepEqual(fc, wf) {
					t.Errorf("Facet %s = %+v, want %+v", field, fc, wf)
				}
			}
			for _, hr := range hists {
				for _, nb := range []int{1, 2, 7, 40} {
					h, err := ix.Histogram(t.Context(), f, hr[0], hr[1], nb)
					if err != nil {
						t.Fatal(err)
					}
					if wh := naiveHistogram(want, hr[0], hr[1], nb); !reflect.DeepEqual(h, wh) {
						t.Errorf("Histogram(%v, %d) = %v, want %v", hr, nb, h, wh)
					}
				}
			}
		})
	}

}
