package victorialogs_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
	"github.com/culprit-dev/culprit/ingest"
	"github.com/culprit-dev/culprit/query"
)

// The store is a closable query.Store and the sink a closable ingest.Sink,
// as the CLI opens stores (query/cli's ReadStore and WriteStore).
var (
	_ interface {
		query.Store
		query.MultiFaceter
		query.GroupEnder
		query.GroupSummarizer
		query.Concurrent
		Close() error
	} = (*victorialogs.Store)(nil)
	_ interface {
		ingest.Sink
		Close() error
	} = (*victorialogs.Sink)(nil)
)

// incident is the sample incident: real logs of four services and their
// deploy history.
const incident = "../../testdata/incident"

// On the sample incident, every request, errors and search answer is the
// same byte for byte from the local index and from a VictoriaLogs cluster,
// both filled by the same ingest run over the same files. Nothing is
// normalised.
func TestIncidentAnswersMatchLocalIndex(t *testing.T) {
	logs := filepath.Join(incident, "logs")
	opts := func() ingest.Options {
		return ingest.Options{Paths: []string{logs}, Deploys: []string{filepath.Join(incident, "deploys.csv")}}
	}

	ix, err := index.Open(t.TempDir(), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	isink, err := ingest.NewIndexSink(ix)
	if err != nil {
		t.Fatal(err)
	}
	isum, err := ingest.Run(t.Context(), opts(), isink)
	if err != nil {
		t.Fatal(err)
	}
	if err := isink.Close(); err != nil {
		t.Fatal(err)
	}

	c := vltest.StartCluster(t, 2)
	vs := openStore(t, c.Frontend)
	vsink, err := vs.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	vsum, err := ingest.Run(t.Context(), opts(), vsink)
	if err != nil {
		t.Fatal(err)
	}
	vsink.Close()
	if isum.Events != vsum.Events || isum.Deploys != vsum.Deploys || isum.Events == 0 {
		t.Fatalf("ingest: index %d events %d deploys, victorialogs %d events %d deploys", isum.Events, isum.Deploys, vsum.Events, vsum.Deploys)
	}

	local, remote := query.New(ix, query.Options{}), query.New(vs, query.Options{})
	ctx := t.Context()
	same := func(what string, write func(inv *query.Investigator, w *bytes.Buffer) error) {
		t.Helper()
		var a, b bytes.Buffer
		if err := write(local, &a); err != nil {
			t.Fatalf("%s on the index: %v", what, err)
		}
		if err := write(remote, &b); err != nil {
			t.Fatalf("%s on victorialogs: %v", what, err)
		}
		if a.Len() == 0 {
			t.Errorf("%s: empty answer", what)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s differs:\nindex:        %s\nvictorialogs: %s", what, clip(a.String()), clip(b.String()))
		}
	}

	// request: every case of the incident, and one request id more per
	// error group (found from the index, asked of both).
	ids := caseIDs(t)
	groups, err := local.Errors(ctx, query.ErrorsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		res, err := local.Search(ctx, query.SearchOptions{Query: "fingerprint:" + g.Fingerprint, Limit: 1, Order: query.NewestFirst})
		if err != nil || len(res.Events) == 0 {
			t.Fatalf("group %s: no event (%v)", g.Fingerprint, err)
		}
		if id := res.Events[0].RequestID; id != "" {
			ids = append(ids, id)
		}
	}
	ids = append(ids, "no-such-request", ids[0][:8]) // not found, and a prefix hint
	for _, id := range ids {
		same("request "+id, func(inv *query.Investigator, w *bytes.Buffer) error {
			r, err := inv.Request(ctx, id)
			if err != nil {
				return err
			}
			return query.WriteReportJSON(w, r)
		})
	}

	// errors: the default, by first seen, per service, with histograms.
	sp, err := local.Span(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []query.ErrorsOptions{
		{},
		{Sort: "first_seen", Limit: 3},
		{Service: "orders"},
		{Buckets: 24},
		{Since: sp.First.Add(sp.Last.Sub(sp.First) / 2)},
	} {
		same(fmt.Sprintf("errors %+v", o), func(inv *query.Investigator, w *bytes.Buffer) error {
			gs, err := inv.Errors(ctx, o)
			if err != nil {
				return err
			}
			return query.WriteErrorsJSON(w, gs)
		})
	}

	// search: words, phrases, fields, ranges, wildcards, fuzzy terms,
	// negation, both orders, paging.
	for _, q := range []string{
		"refused", `"connection refused"`, "status:>=500", "level:error", "service:orders -level:info",
		"route:GET*", "loyalty*", "timout~1", "is_error:true OR status:404", "/api/cart", "panic",
	} {
		for _, o := range []query.SearchOptions{
			{Query: q, Limit: 50, Order: query.NewestFirst},
			{Query: q, Limit: 7, Order: query.OldestFirst},
		} {
			same(fmt.Sprintf("search %q limit %d order %d", q, o.Limit, o.Order), func(inv *query.Investigator, w *bytes.Buffer) error {
				res, err := inv.Search(ctx, o)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "total %d\n", res.Total)
				return query.WriteEventsNDJSON(w, res.Events)
			})
		}
	}
	same("deploys", func(inv *query.Investigator, w *bytes.Buffer) error {
		ds, err := inv.Deploys(ctx)
		if err != nil {
			return err
		}
		return query.WriteDeploysJSON(w, ds)
	})
	same("span", func(inv *query.Investigator, w *bytes.Buffer) error {
		sp, err := inv.Span(ctx)
		fmt.Fprintf(w, "%d %d %s %s", sp.Events, sp.Deploys, sp.First.Format(time.RFC3339Nano), sp.Last.Format(time.RFC3339Nano))
		return err
	})
}

// caseIDs returns the request ids of the incident's cases.
func caseIDs(t *testing.T) []string {
	data, err := os.ReadFile(filepath.Join(incident, "cases.json"))
	if err != nil {
		t.Fatalf("the committed incident corpus: %v", err)
	}
	var cases []struct {
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cases {
		ids = append(ids, c.RequestID)
	}
	if len(ids) == 0 {
		t.Fatal("cases.json lists no case")
	}
	return ids
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}
