package victorialogs_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/query"
)

// counter is an http.RoundTripper that records every request a store
// sends: its path and, for a query, the LogsQL.
type counter struct {
	mu      sync.Mutex
	queries []string
	flight  int // requests in flight now
	peak    int // the most in flight at once
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	q := req.URL.Path
	if req.Body != nil && strings.HasSuffix(req.URL.Path, "/query") {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		if form, err := url.ParseQuery(string(b)); err == nil {
			q = form.Get("query")
		}
	}
	c.mu.Lock()
	c.queries = append(c.queries, q)
	c.flight++
	c.peak = max(c.peak, c.flight)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.flight--
		c.mu.Unlock()
	}()
	return http.DefaultTransport.RoundTrip(req)
}

// take returns the queries recorded since the last take and the peak
// concurrency, and starts counting afresh.
func (c *counter) take() ([]string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	qs, peak := c.queries, c.peak
	c.queries, c.peak = nil, 0
	return qs, peak
}

// literals matches the quoted values and times of a query, so that queries
// of the same shape count together.
var literals = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|\d{4}-\d\d-\d\dT[0-9:.]+Z|\b\d+\b`)

// shapes counts queries by shape, most frequent first.
func shapes(qs []string) string {
	n := map[string]int{}
	for _, q := range qs {
		n[literals.ReplaceAllString(q, "…")]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return n[keys[i]] > n[keys[j]] || n[keys[i]] == n[keys[j]] && keys[i] < keys[j] })
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %4d  %s\n", n[k], k)
	}
	return b.String()
}

// countingStore ingests the sample incident into a single node and returns
// a store whose every request c records.
func countingStore(t *testing.T) (*victorialogs.Store, *counter) {
	t.Helper()
	srv := vltest.Start(t)
	cfg, err := victorialogs.ParseURL("victorialogs://" + srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{}
	s := victorialogs.New(cfg, &http.Client{Transport: c})
	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	o := ingest.Options{Paths: []string{filepath.Join(incident, "logs")}, Deploys: []string{filepath.Join(incident, "deploys.csv")}}
	if _, err := ingest.Run(t.Context(), o, k); err != nil {
		t.Fatal(err)
	}
	k.Close()
	c.take()
	return s, c
}

// TestRequestCounts logs how many HTTP requests each investigation sends,
// by query shape (go test -v -run TestRequestCounts shows them).
func TestRequestCounts(t *testing.T) {
	s, c := countingStore(t)
	inv := query.New(s, query.Options{})
	ctx := t.Context()
	ids := caseIDs(t)
	for _, q := range []struct {
		name string
		run  func() error
	}{
		{"errors", func() error { _, err := inv.Errors(ctx, query.ErrorsOptions{}); return err }},
		{"errors --limit 5", func() error { _, err := inv.Errors(ctx, query.ErrorsOptions{Limit: 5}); return err }},
		{"request " + ids[0], func() error { _, err := inv.Request(ctx, ids[0]); return err }},
		{"search stack:x --limit 50", func() error {
			_, err := inv.Search(ctx, query.SearchOptions{Query: "stack:x", Limit: 50, Order: query.NewestFirst})
			return err
		}},
		{"status", func() error { _, err := inv.Span(ctx); return err }},
	} {
		if err := q.run(); err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		qs, peak := c.take()
		t.Logf("%s: %d requests, at most %d at once\n%s", q.name, len(qs), peak, shapes(qs))
	}
}

// perGroupFind is a Find (a sorted page) of one fingerprint's events: what
// errors asked twice per group, one after the other, before GroupEnds.
var perGroupFind = regexp.MustCompile(`fingerprint:="[^"]*".*\| sort by`)

// errors sends a fixed number of requests for the group list whatever the
// number of groups (GroupEnds: a stats query, then one query for the
// groups' first rows and one for their last), none per group for its first
// and last occurrence, and analyses groups at once: more requests are in
// flight together than one group's questions make.
func TestErrorsRequests(t *testing.T) {
	s, c := countingStore(t)
	inv := query.New(s, query.Options{})
	gs, err := inv.Errors(t.Context(), query.ErrorsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	qs, peak := c.take()
	if len(gs) < 3 {
		t.Fatalf("the incident has %d error groups, want several", len(gs))
	}
	var finds, ends []string
	for _, q := range qs {
		if perGroupFind.MatchString(q) && !strings.Contains(q, "partition by") {
			finds = append(finds, q)
		}
		// GroupEnds: stats by (fingerprint); GroupSummaries (a store
		// asked for the groups' facets with the list): stats by
		// (fingerprint, request_id, …).
		if strings.Contains(q, "partition by (fingerprint)") || strings.Contains(q, "stats by (fingerprint") {
			ends = append(ends, q)
		}
	}
	if len(finds) > 0 {
		t.Errorf("errors over %d groups sent %d Finds of one fingerprint, want none (GroupEnds has every group's ends):\n%s", len(gs), len(finds), shapes(finds))
	}
	if len(ends) != 3 {
		t.Errorf("errors listed the groups with %d queries, want 3 (count, first and last of every group):\n%s", len(ends), shapes(ends))
	}
	// One group's widest fan-out is two requests at once (a page and its
	// total; its facets are one query).
	if peak <= 2 {
		t.Errorf("at most %d requests were in flight at once, want more than one group's 2: groups analysed one at a time?", peak)
	}
	t.Logf("errors: %d groups, %d requests, at most %d at once", len(gs), len(qs), peak)
}
