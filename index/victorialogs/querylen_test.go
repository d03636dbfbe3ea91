package victorialogs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// Questions over many values stay within the server's query length
// (-search.maxQueryLen, 16 KiB by default), which refuses longer queries
// with a 400: the ends of 1,000 groups (one id of 36 bytes and a time
// each per term), and a re-ingest of their 2,000 lines, every one looked up.
func TestManyValuesStayWithinQueryLength(t *testing.T) {
	s := openStore(t, vltest.Start(t))
	const n = 1000
	var evs []model.Event
	for i := range n {
		// Group i has two events a second apart, at a time of its own.
		for j := range 2 {
			evs = append(evs, model.Event{
				Time: storetest.T0.Add(time.Duration(i)*time.Millisecond + time.Duration(j)*time.Second), Source: "many.log",
				Line: int64(2*i + j + 1), Level: "error", IsError: true, Message: "m", Fingerprint: fmt.Sprintf("fp-%04d", i),
				RequestID: fmt.Sprintf("r-%d-%d", i, j), Raw: []byte(fmt.Sprintf("line %d %d", i, j)),
			})
		}
	}
	load(t, s, evs, nil)

	gs, err := s.GroupEnds(t.Context(), model.Filter{ErrorsOnly: true}, "fingerprint")
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != n {
		t.Fatalf("GroupEnds: %d groups, want %d", len(gs), n)
	}
	for _, g := range gs {
		var i int
		fmt.Sscanf(g.Value, "fp-%d", &i)
		if g.Count != 2 || g.First.Line != int64(2*i+1) || g.Last.Line != int64(2*i+2) {
			t.Fatalf("GroupEnds %s: count %d, first line %d, last line %d; want 2, %d, %d", g.Value, g.Count, g.First.Line, g.Last.Line, 2*i+1, 2*i+2)
		}
	}

	// Every line again through a new sink: all are looked up, none added.
	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for i := range evs {
		if err := k.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Commit(); err != nil {
		t.Fatalf("re-ingest of %d lines: %v", len(evs), err)
	}
	res, err := s.Find(t.Context(), model.Filter{}, model.FindOptions{Limit: 1})
	if err != nil || res.Total != len(evs) {
		t.Fatalf("after the re-ingest: %d events, %v; want %d", res.Total, err, len(evs))
	}
}
