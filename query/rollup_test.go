package query

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// storeOnly hides a store's optional interfaces (GroupSummarizer,
// GroupEnder, MultiFaceter): the old way of asking.
type storeOnly struct{ Store }

// summaryStore adds GroupSummarizer to enderStore, answering it as the
// interface defines it: GroupEnds, then each value's facets.
type summaryStore struct{ enderStore }

func (s summaryStore) GroupSummaries(ctx context.Context, f Filter, field string, fields []string, size int) ([]GroupSummary, error) {
	s.count("GroupSummaries")
	ends, err := s.GroupEnds(ctx, f, field)
	if err != nil {
		return nil, err
	}
	out := make([]GroupSummary, 0, len(ends))
	for _, e := range ends {
		vf := f
		vf.Fingerprint = e.Value
		fcs, err := s.fake.Facets(ctx, vf, fields, size)
		if err != nil {
			return nil, err
		}
		out = append(out, GroupSummary{GroupEnds: e, Facets: fcs})
	}
	return out, nil
}

var errorsCases = []ErrorsOptions{{}, {Sort: "first_seen"}, {Limit: 2}, {Service: "orders"},
	{Since: t0.Add(80 * time.Minute), Until: t0.Add(2 * time.Hour), Buckets: 6}, {Since: t0.Add(65 * time.Minute), Service: "orders"},
	{Buckets: 24}}

// TestErrorsGroupSummarizer: with a GroupSummarizer store the groups are
// the same, with or without a range or service, and no group asks a facet
// of its own.
func TestErrorsGroupSummarizer(t *testing.T) {
	c := incidentCorpus()
	for _, o := range errorsCases {
		plain, sum := c.store(), summaryStore{enderStore{c.store()}}
		want, err := New(plain, Options{}).Errors(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := New(sum, Options{}).Errors(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%+v: no groups", o)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: with GroupSummaries\n%+v\nwithout\n%+v", o, got, want)
		}
		if sum.calls["GroupSummaries"] != 1 || sum.calls["Facet"] >= plain.calls["Facet"] {
			t.Errorf("%+v: %d GroupSummaries, %d facets (%d without)", o, sum.calls["GroupSummaries"], sum.calls["Facet"], plain.calls["Facet"])
		}
	}
}

// TestErrorsRollupIndex writes the incident corpus, with enough traffic
// for the index to roll its groups up, into a real index over bulk and
// follow-style commits, and checks that Errors and the home's histograms
// answer the same from the rollup as the old way and as the shared fake.
func TestErrorsRollupIndex(t *testing.T) {
	c := incidentCorpus()
	c.traffic("gateway", "gw", routes, users(300), t0, t0.Add(2*time.Hour), 100*time.Millisecond)
	dir := filepath.Join(t.TempDir(), "idx")
	ix, err := index.Open(dir, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := ix.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.evs {
		if err := w.Add(&c.evs[i]); err != nil {
			t.Fatal(err)
		}
		if i < len(c.evs)-3000 && (i+1)%25000 == 0 || i >= len(c.evs)-3000 && (i+1)%300 == 0 {
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
	if _, err := ix.AddDeploys(c.deploys); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "rollup", "*")); len(m) == 0 {
		t.Fatal("no rollup written")
	}
	ix, err = index.Open(dir, index.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	fake := c.store()
	ctx := t.Context()
	for _, o := range errorsCases {
		want, err := New(storeOnly{ix}, Options{}).Errors(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := New(ix, Options{}).Errors(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%+v: no groups", o)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: from the rollup\n%+v\nthe old way\n%+v", o, got, want)
		}
		if fg, err := New(fake, Options{}).Errors(ctx, o); err != nil || !reflect.DeepEqual(got, fg) {
			t.Errorf("%+v: from the rollup\n%+v\nthe fake store\n%+v (%v)", o, got, fg, err)
		}
	}
	// The home's histograms: every error, and each group's, over the
	// span and over ranges that cut seconds.
	sp, err := ix.Span(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs := []Filter{{ErrorsOnly: true}}
	for _, fp := range []string{"fp-db", "fp-nilmap", "fp-old", "fp-data"} {
		fs = append(fs, Filter{ErrorsOnly: true, Fingerprint: fp})
	}
	for _, f := range fs {
		for _, r := range [][2]time.Time{{sp.First, sp.Last.Add(time.Second)}, {t0.Add(61*time.Minute + 333*time.Millisecond), t0.Add(77*time.Minute + 7)}} {
			for _, n := range []int{24, 100} {
				got, err := ix.Histogram(ctx, f, r[0], r[1], n)
				if err != nil {
					t.Fatal(err)
				}
				want, err := fake.Histogram(ctx, f, r[0], r[1], n)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("histogram %+v %v/%d:\n%v\nfake\n%v", f, r, n, got, want)
				}
			}
		}
	}
}
