package victorialogs_test

import (
	"errors"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// A storage node down is an error wrapping ErrUnavailable from every read,
// never the half of the data the other node holds, even from a frontend
// that allows partial responses by default; a commit, which counts its rows
// back, cannot succeed either.
func TestNodeDownIsAnError(t *testing.T) {
	c := vltest.StartCluster(t, 2, "-search.allowPartialResponse")
	s := openStore(t, c.Frontend)
	evs, ds := storetest.Corpus()
	load(t, s, evs, ds)
	res, err := s.Find(t.Context(), model.Filter{}, model.FindOptions{})
	if err != nil || res.Total != len(evs) {
		t.Fatalf("before the node stops: total %d, %v; want %d", res.Total, err, len(evs))
	}

	c.Storage[1].Stop()
	ctx := t.Context()
	checks := map[string]func() error{
		"Find": func() error { _, err := s.Find(ctx, model.Filter{}, model.FindOptions{}); return err },
		"Find with a fuzzy term": func() error {
			_, err := s.Find(ctx, model.Filter{Query: "timout~1"}, model.FindOptions{})
			return err
		},
		"Facet": func() error { _, err := s.Facet(ctx, model.Filter{}, "service", 10); return err },
		"Histogram": func() error {
			_, err := s.Histogram(ctx, model.Filter{}, storetest.T0, storetest.T0.Add(time.Minute), 6)
			return err
		},
		"Deploys": func() error { _, err := s.Deploys(ctx); return err },
		"Span":    func() error { _, err := s.Span(ctx); return err },
	}
	checks["Commit"] = func() error {
		k, err := s.NewSink(ctx)
		if err != nil {
			return err
		}
		defer k.Close()
		ev := model.Event{Time: storetest.T0, Source: "late.log", Line: 1, Raw: []byte("late")}
		if err := k.Add(&ev); err != nil {
			return err
		}
		return k.Commit()
	}
	for name, call := range checks {
		err := call()
		t.Logf("%s: %v", name, err)
		if !errors.Is(err, victorialogs.ErrUnavailable) {
			t.Errorf("%s with a storage node down: error %v, want one wrapping ErrUnavailable", name, err)
		}
	}
}
