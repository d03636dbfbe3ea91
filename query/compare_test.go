package query

import (
	"fmt"
	"testing"
	"time"
)

// canaryCorpus: api runs 1.0 on hosts a and b; 1.1 goes to host b only at
// t0 (a canary) and fails a third of its requests with one error; 1.0 is
// deployed again at t0+40m (a rollback) and the error stops.
func canaryCorpus() ([]Event, []Deploy, time.Time) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var evs []Event
	n := 0
	for s := -3600; s < 3600; s += 10 {
		at := t0.Add(time.Duration(s) * time.Second)
		for _, host := range []string{"a", "b"} {
			n++
			e := Event{Time: at, Service: "api", Host: host, Version: "1.0", Status: 200, DurationMS: float64(10 + n%7),
				Level: "info", RequestID: fmt.Sprintf("r-%d", n), Source: "api.jsonl", Line: int64(n)}
			canary := host == "b" && s >= 0 && s < 2400
			if canary {
				e.Version = "1.1"
				e.DurationMS = float64(40 + n%11)
				if n%3 == 0 {
					e.Status, e.Level, e.IsError, e.Fingerprint, e.Error = 500, "error", true, "fp-canary", "nil map"
				}
			}
			evs = append(evs, e)
		}
	}
	ds := []Deploy{
		{Time: t0.Add(-2 * time.Hour), Service: "api", Version: "1.0"},
		{Time: t0, Service: "api", Version: "1.1", Commit: "c11"},
		{Time: t0.Add(40 * time.Minute), Service: "api", Version: "1.0", Commit: "c10"},
	}
	return evs, ds, t0
}

func TestCompareCanaryAndRollback(t *testing.T) {
	evs, ds, t0 := canaryCorpus()
	inv := New(newCountingStore(evs, ds).fake, Options{})
	r := &Report{
		Error:  &RootError{Fingerprint: "fp-canary", Service: "api"},
		Deploy: &DeployRef{Time: t0, Service: "api", Version: "1.1", Suspect: true},
	}
	c, err := inv.Compare(t.Context(), r)
	if err != nil || c == nil {
		t.Fatalf("Compare = %v, %v", c, err)
	}
	if c.WindowSeconds != 2400 {
		t.Errorf("window = %vs, want 2400 (up to the next deploy)", c.WindowSeconds)
	}
	if c.Before.Errors != 0 || c.Before.ErrorRate != 0 || c.Before.Occurrences != 0 {
		t.Errorf("before = %+v, want no errors", c.Before)
	}
	if c.After.Errors == 0 || c.After.Occurrences != c.After.Errors || c.After.Status["5xx"] != c.After.Errors {
		t.Errorf("after = %+v, want the canary's 500s", c.After)
	}
	if c.Before.Responses != 480 || c.After.Responses != 480 {
		t.Errorf("responses before/after = %d/%d, want 480/480", c.Before.Responses, c.After.Responses)
	}
	if !(c.After.P50MS > c.Before.P50MS) || !(c.After.P95MS >= 40) || c.Before.P95MS > 16 {
		t.Errorf("latency before p50 %.0f p95 %.0f, after p50 %.0f p95 %.0f: want the canary's slowdown", c.Before.P50MS, c.Before.P95MS, c.After.P50MS, c.After.P95MS)
	}
	outliers := func(rows []CompareRow) []string {
		var out []string
		for _, r := range rows {
			if r.Outlier {
				out = append(out, r.Value)
			}
		}
		return out
	}
	if got := outliers(c.ByHost); len(got) != 1 || got[0] != "b" || c.ByHost[0].Value != "b" {
		t.Errorf("by host = %+v, want host b alone to stand out, first", c.ByHost)
	}
	if got := outliers(c.ByVersion); len(got) != 1 || got[0] != "1.1" {
		t.Errorf("by version = %+v, want 1.1 to stand out", c.ByVersion)
	}
	l := c.Later
	if l == nil || !l.Rollback || l.Deploy.Version != "1.0" || l.Before == 0 || l.After != 0 || !l.Stopped {
		t.Errorf("later deploy = %+v, want a rollback after which the error stopped", l)
	}
}

func TestCompareWithoutSuspect(t *testing.T) {
	evs, ds, _ := canaryCorpus()
	inv := New(newCountingStore(evs, ds).fake, Options{})
	if c, err := inv.Compare(t.Context(), &Report{Error: &RootError{Service: "api"}}); c != nil || err != nil {
		t.Errorf("Compare without a suspect deploy = %+v, %v; want nil, nil", c, err)
	}
}
