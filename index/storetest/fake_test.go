package storetest

import (
	"testing"

	"github.com/culprit-dev/culprit/index/model"
)

// The shared fake keeps the contract it stands in for.
func TestFake(t *testing.T) {
	TestStore(t, func(t *testing.T, evs []model.Event, ds []model.Deploy) Store { return NewFake(evs, ds) })
}

// NewFake keeps a line given twice (same source, line and bytes) once, as
// the index's writer does, and a deploy given twice once.
func TestFakeDuplicates(t *testing.T) {
	evs, ds := Corpus()
	evs = append(evs, evs[3], evs[0])
	ds = append(ds, ds[1])
	changed := evs[5]
	changed.Raw = append([]byte(nil), `{"msg":"rewritten"}`...)
	evs = append(evs, changed) // same place, other bytes: a different line
	sp, err := NewFake(evs, ds).Span(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if sp.Events != 19 || sp.Deploys != 4 {
		t.Errorf("Span = %+v, want 19 events (18 + the rewritten line) and 4 deploys", sp)
	}
}
