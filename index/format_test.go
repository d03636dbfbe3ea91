package index

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// formatCorpus is digestCorpus with lines that exercise every encoding of
// the block formats: nanosecond, millisecond and pre-1970 times,
// durations that are integers, decimals, or neither (NaN, -0, huge), and
// messages, errors and stacks that are not verbatim in their raw line, and
// ids that are hex, UUIDs or neither.
func formatCorpus(n int) []Event {
	evs := digestCorpus(n)
	for i := range evs {
		ev := &evs[i]
		if ev.Source == "b.log" { // its blocks store milliseconds
			ev.Time = ev.Time.Truncate(time.Millisecond)
		}
		switch i % 97 {
		case 3:
			ev.DurationMS = math.NaN()
		case 5:
			ev.DurationMS = math.Copysign(0, -1)
		case 7:
			ev.DurationMS = 0.1 + 0.2
		case 11:
			ev.DurationMS = 1e300
		case 13:
			ev.Message = "rewritten: " + ev.Message // not in the raw line
		case 17:
			ev.Error, ev.Stack = "boom 42", "main.go:42\n\tmain.main()"
		case 19:
			ev.Time = time.Date(1969, 12, 31, 23, 59, 58, 1e6, time.UTC)
		case 29: // ids that are not lowercase hex of even length, nor UUIDs
			ev.RequestID, ev.TraceID, ev.SpanID = "ABCDEF0123", "abc", "0123456789ABCDEF"
		case 31:
			ev.RequestID, ev.SpanID = "1687D980-7EE8-4FD5-A91F-B3DB75EBA990", "1687d980-7ee8-4fd5-a91f-b3db75eba99"
		case 37:
			ev.TraceID, ev.SpanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
		}
	}
	return evs
}

// TestFormatsReadAlike writes the same lines as blocks of format 2 (the
// first third, as written before format 3) and format 3, and checks that
// every line reads back exactly as written, and that searches for words
// with and without digits, fielded text and patterns give what a brute
// force scan gives, on both kinds of block.
func TestFormatsReadAlike(t *testing.T) {
	n := 6000
	if testing.Short() {
		n = 2500
	}
	evs := formatCorpus(n)
	writeFormat = 2
	t.Cleanup(func() { writeFormat = colsVersion })
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
		if i == n/3 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			writeFormat = colsVersion
		}
		if err := w.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	blocks, _, err := ix.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	v2, v3 := 0, 0
	for i := range blocks {
		if blocks[i].v3 {
			v3++
		} else {
			v2++
		}
	}
	if v2 < 2 || v3 < 2 {
		t.Fatalf("%d blocks of format 2, %d of format 3: want both", v2, v3)
	}

	ctx := context.Background()
	res, err := ix.Find(ctx, Filter{}, FindOptions{Limit: n, Order: OldestFirst})
	if err != nil {
		t.Fatal(err)
	}
	want := naiveFind(t, evs, Filter{}, OldestFirst)
	if len(res.Events) != len(want) {
		t.Fatalf("read back %d events, wrote %d", len(res.Events), len(want))
	}
	for i := range want {
		if got, w := eventString(res.Events[i]), eventString(want[i]); got != w {
			t.Fatalf("event %d read back as\n%s\nwritten\n%s", i, got, w)
		}
	}

	// Words of keyword values with digits (request ids, paths, users,
	// versions, hosts) and of the raw line only (trace ids, callers).
	var queries []string
	for _, i := range []int{1, n / 3, n/3 + 1, n - 2} {
		ev := &evs[i]
		queries = append(queries, words(ev.RequestID)[0], words(ev.User)[1], ev.Path, ev.Version, ev.Host)
	}
	queries = append(queries, "boom", "42", "error:42", "stack:42", "message:rewritten", "rewritten", "10*", "1?3*", "handler.go",
		"1969", "request_id:"+evs[n/2].RequestID, "path:/api/orders/1*", "alpha 12", `"request completed"`)
	for _, q := range queries {
		f := Filter{Query: q}
		for _, order := range []Order{OldestFirst, NewestFirst} {
			want := naiveFind(t, evs, f, order)
			res, err := ix.Find(ctx, f, FindOptions{Limit: 20, Order: order})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if res.Total != len(want) {
				t.Errorf("%q order %d: total %d, brute force %d", q, order, res.Total, len(want))
			}
			if got, w := keys(res.Events), keys(want[:min(20, len(want))]); !slices.Equal(got, w) {
				t.Errorf("%q order %d: %v, brute force %v", q, order, got, w)
			}
		}
	}
}

// eventString spells out every field of ev, the duration's bits included
// (NaN, -0).
func eventString(ev Event) string {
	d := math.Float64bits(ev.DurationMS)
	ev.DurationMS = 0
	return fmt.Sprintf("%+v dur=%x raw=%s", ev, d, ev.Raw)
}
