package query

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// failingStore fails its n-th call (1-based) and passes the others through.
type failingStore struct {
	Store
	n, calls int
}

var errBroken = errors.New("store broken")

func (s *failingStore) fail() bool { s.calls++; return s.calls == s.n }

func (s *failingStore) Find(ctx context.Context, f Filter, o FindOptions) (Result, error) {
	if s.fail() {
		return Result{}, errBroken
	}
	return s.Store.Find(ctx, f, o)
}

func (s *failingStore) Facet(ctx context.Context, f Filter, field string, size int) (Facet, error) {
	if s.fail() {
		return Facet{}, errBroken
	}
	return s.Store.Facet(ctx, f, field, size)
}

func (s *failingStore) Histogram(ctx context.Context, f Filter, from, to time.Time, n int) ([]TimeBucket, error) {
	if s.fail() {
		return nil, errBroken
	}
	return s.Store.Histogram(ctx, f, from, to, n)
}

func (s *failingStore) Deploys(ctx context.Context) ([]Deploy, error) {
	if s.fail() {
		return nil, errBroken
	}
	return s.Store.Deploys(ctx)
}

func (s *failingStore) Span(ctx context.Context) (Span, error) {
	if s.fail() {
		return Span{}, errBroken
	}
	return s.Store.Span(ctx)
}

// TestStoreErrorsPropagate: whichever call fails, the error comes back
// wrapped, with no partial report and no panic.
func TestStoreErrorsPropagate(t *testing.T) {
	st := incidentStore()
	for _, id := range []string{"reg-3", "data-2", "ok-1", "unknown-id"} {
		for n := 1; ; n++ {
			fs := &failingStore{Store: st, n: n}
			r, err := New(fs, Options{}).Request(t.Context(), id)
			if fs.calls < n { // every call succeeded: done
				if err != nil {
					t.Fatalf("Request(%s) with a healthy store: %v", id, err)
				}
				break
			}
			if !errors.Is(err, errBroken) || r != nil {
				t.Errorf("Request(%s) with call %d failing = %v, %v; want the store error", id, n, r, err)
			}
		}
	}
	for n := 1; ; n++ {
		fs := &failingStore{Store: st, n: n}
		gs, err := New(fs, Options{}).Errors(t.Context(), ErrorsOptions{Buckets: 4})
		if fs.calls < n {
			if err != nil {
				t.Fatalf("Errors with a healthy store: %v", err)
			}
			break
		}
		if !errors.Is(err, errBroken) || gs != nil {
			t.Errorf("Errors with call %d failing = %v, %v; want the store error", n, gs, err)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	inv := New(incidentStore(), Options{})
	if _, err := inv.Request(ctx, "reg-3"); !errors.Is(err, context.Canceled) {
		t.Errorf("Request on a cancelled context: %v", err)
	}
	if _, err := inv.Errors(ctx, ErrorsOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Errors on a cancelled context: %v", err)
	}
}

// shortFacets is a MultiFaceter that breaks its contract.
type shortFacets struct{ *countingStore }

func (s shortFacets) Facets(ctx context.Context, f Filter, fields []string, size int) ([]Facet, error) {
	return []Facet{{}}, nil
}

func TestMultiFaceterContractChecked(t *testing.T) {
	_, err := New(shortFacets{incidentStore()}, Options{}).Request(t.Context(), "reg-3")
	if err == nil || !strings.Contains(err.Error(), "returned 1 facets") {
		t.Errorf("Request over a short MultiFaceter: %v, want an error", err)
	}
}

// TestGroupVanished: the index finds the request's error but not its
// fingerprint (an index changing under us): the report still stands.
func TestGroupVanished(t *testing.T) {
	var c corpus
	c.add(Event{Time: t0, Service: "s", RequestID: "r", Level: "error", Error: "connection refused", Fingerprint: "fp"})
	st := &noFingerprint{c.store()}
	r, err := New(st, Options{}).Request(t.Context(), "r")
	if err != nil {
		t.Fatal(err)
	}
	if r.Error == nil || r.Group != nil || r.Verdict == nil || r.Verdict.Cause != CauseDependency {
		t.Errorf("report = %+v", r)
	}
	var c2 corpus
	c2.add(Event{Time: t0, Service: "s", RequestID: "r", Level: "error", Message: "odd", IsError: true})
	c2.evs[0].Fingerprint = ""
	r, err = New(c2.store(), Options{}).Request(t.Context(), "r")
	if err != nil {
		t.Fatal(err)
	}
	if r.Error == nil || r.Group != nil || r.Verdict == nil || r.Verdict.Cause != CauseUnknown {
		t.Errorf("report without fingerprint = %+v", r)
	}
}

type noFingerprint struct{ *countingStore }

func (s *noFingerprint) Find(ctx context.Context, f Filter, o FindOptions) (Result, error) {
	if f.Fingerprint != "" {
		return Result{Events: []Event{}}, nil
	}
	return s.countingStore.Find(ctx, f, o)
}

// TestRenderersSurviveOddInput: partial reports and tiny widths never panic
// and never exceed the width.
func TestRenderersSurviveOddInput(t *testing.T) {
	full, err := New(incidentStore(), Options{}).Request(t.Context(), "reg-3")
	if err != nil {
		t.Fatal(err)
	}
	reports := []*Report{
		{RequestID: "x"},
		{RequestID: "x", Found: true},
		{RequestID: "x", Found: true, Error: &RootError{Stack: "\n\n"}},
		{RequestID: "x", Found: true, Group: &Group{Histogram: []TimeBucket{{}}}, Deploy: &DeployRef{}},
		{RequestID: "x", Found: true, BlastRadius: &BlastRadius{}, Verdict: &Verdict{}},
		full,
	}
	for _, w := range []int{0, 1, 5, 20, 80, 200} {
		for i, r := range reports {
			var buf bytes.Buffer
			if err := WriteReportText(&buf, r, TextOptions{Width: w, Color: i%2 == 0}); err != nil {
				t.Fatal(err)
			}
			if w >= 40 && i%2 == 1 {
				checkWidth(t, buf.String(), w)
			}
		}
		var buf bytes.Buffer
		if err := WriteErrorsText(&buf, []ErrorGroup{{Message: strings.Repeat("x", 300), New: true}}, TextOptions{Width: w}); err != nil {
			t.Fatal(err)
		}
		if err := WriteEventsText(&buf, []Event{{Message: "m\x1b[2J"}}, TextOptions{Width: w}); err != nil {
			t.Fatal(err)
		}
		if err := WriteDeploysText(&buf, []Deploy{{Service: strings.Repeat("s", 50)}}, TextOptions{Width: w}); err != nil {
			t.Fatal(err)
		}
		if w > 0 {
			checkWidth(t, buf.String(), max(w, 1))
		}
		if strings.Contains(buf.String(), "\x1b[2J") {
			t.Error("unsanitised escape in events text")
		}
	}
	if err := WriteReportText(&bytes.Buffer{}, nil, TextOptions{}); err == nil {
		t.Error("WriteReportText(nil) succeeded")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorsSurface(t *testing.T) {
	r := &Report{RequestID: "x", Found: true}
	for name, err := range map[string]error{
		"report text":  WriteReportText(failWriter{}, r, TextOptions{}),
		"report json":  WriteReportJSON(failWriter{}, r),
		"errors text":  WriteErrorsText(failWriter{}, nil, TextOptions{}),
		"errors json":  WriteErrorsJSON(failWriter{}, nil),
		"events text":  WriteEventsText(failWriter{}, nil, TextOptions{}),
		"events json":  WriteEventsNDJSON(failWriter{}, []Event{{Raw: []byte("{}")}}),
		"deploys text": WriteDeploysText(failWriter{}, nil, TextOptions{}),
		"deploys json": WriteDeploysJSON(failWriter{}, nil),
	} {
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: %v, want the write error", name, err)
		}
	}
}
