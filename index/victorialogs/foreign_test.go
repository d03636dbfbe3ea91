package victorialogs_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
	"github.com/culprit-dev/culprit/ingest/logline"
)

// ship inserts JSON lines the way a shipper's VictoriaLogs output does:
// POST /insert/jsonline with the shipper's own _msg_field, _time_field and
// _stream_fields, then flushes so the rows are searchable.
func ship(t *testing.T, srv *vltest.Server, msgField, timeField, streamFields string, lines ...string) {
	t.Helper()
	q := url.Values{"_msg_field": {msgField}, "_time_field": {timeField}, "_stream_fields": {streamFields}}
	resp, err := http.Post(srv.URL+"/insert/jsonline?"+q.Encode(), "application/stream+json", strings.NewReader(strings.Join(lines, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("insert: %s", resp.Status)
	}
	resp, err = http.Get(srv.URL + "/internal/force_flush")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// shippedStore opens the server's store reading shipped rows with the
// detection ingest runs on files and the overrides, and records warnings.
func shippedStore(t *testing.T, srv *vltest.Server, overrides map[string]string, bound int) (*victorialogs.Store, *[]string) {
	t.Helper()
	s := openStore(t, srv)
	var warns []string
	s.ReadForeign(victorialogs.ForeignOptions{
		Detect: func(sample [][]byte) (victorialogs.Parser, error) { return logline.Detect(sample, overrides) },
		Bound:  bound,
		Warn:   func(m string) { warns = append(warns, m) },
	})
	return s, &warns
}

func find(t *testing.T, s *victorialogs.Store, f model.Filter) model.Result {
	t.Helper()
	res, err := s.Find(t.Context(), f, model.FindOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Vector's docker_logs source through its VictoriaLogs sink
// (_msg_field=message, _time_field=timestamp,
// _stream_fields=host,container_name): the application's JSON line is the
// message, Vector's own fields sit beside it. Derived fields are computed
// on the fetched rows, so two failures of one kind share a fingerprint
// and filters on them select exactly the failures.
func TestShippedVector(t *testing.T) {
	srv := vltest.Start(t)
	row := func(ts, app string) string {
		return `{"container_name":"checkout","host":"node-1","image":"shop/checkout:1.4","source_type":"docker_logs","stream":"stderr","timestamp":"` + ts + `","message":` + strconv.Quote(app) + `}`
	}
	ship(t, srv, "message", "timestamp", "host,container_name",
		row("2026-12-04T10:00:00.100Z", `{"level":"info","msg":"GET /api/orders/17 200","request_id":"r-1","method":"GET","path":"/api/orders/17","status":200}`),
		row("2026-12-04T10:00:01.200Z", `{"level":"error","msg":"charge failed for order 17","request_id":"r-2","method":"POST","path":"/api/orders/17/pay","status":500,"error":"card 4242 declined"}`),
		row("2026-12-04T10:00:02.300Z", `{"level":"error","msg":"charge failed for order 99","request_id":"r-3","method":"POST","path":"/api/orders/99/pay","status":500,"error":"card 5555 declined"}`),
	)
	s, warns := shippedStore(t, srv, map[string]string{"service": "container_name"}, 0)

	all := find(t, s, model.Filter{})
	if all.Total != 3 || len(all.Events) != 3 {
		t.Fatalf("all: total %d, %d events, want 3", all.Total, len(all.Events))
	}
	for _, ev := range all.Events {
		if ev.Service != "checkout" || ev.Host != "node-1" || ev.RequestID == "" {
			t.Errorf("event %s: service %q host %q request_id %q", ev.Raw, ev.Service, ev.Host, ev.RequestID)
		}
	}
	errs := find(t, s, model.Filter{Query: "is_error:true status:>=500"})
	if errs.Total != 2 {
		t.Fatalf("is_error:true status:>=500: %d events, want 2", errs.Total)
	}
	a, b := errs.Events[0], errs.Events[1]
	if a.Fingerprint == "" || a.Fingerprint != b.Fingerprint {
		t.Errorf("fingerprints %q and %q: want one non-empty group", a.Fingerprint, b.Fingerprint)
	}
	if a.Route == "" || a.Route != b.Route {
		t.Errorf("routes %q and %q: want one route for both orders", a.Route, b.Route)
	}
	if got := find(t, s, model.Filter{RequestID: "r-3"}); got.Total != 1 || got.Events[0].Level != "ERROR" && got.Events[0].Level != "error" {
		t.Errorf("request r-3: %+v", got)
	}
	fc, err := s.Facet(t.Context(), model.Filter{ErrorsOnly: true}, "fingerprint", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Buckets) != 1 || fc.Buckets[0].Count != 2 {
		t.Errorf("fingerprint facet of errors: %+v", fc)
	}
	sp, err := s.Span(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if sp.Events != 3 || !sp.First.Equal(time.Date(2026, 12, 4, 10, 0, 0, 100e6, time.UTC)) {
		t.Errorf("span %+v", sp)
	}
	if len(*warns) != 0 {
		t.Errorf("warnings under the bound: %q", *warns)
	}
}

// Fluent Bit's http output as VictoriaLogs documents it (format
// json_lines, json_date_key date, _msg_field=log, _stream_fields=stream)
// after the kubernetes filter, whose nested fields VictoriaLogs flattens
// to kubernetes.pod_name and so on. The log is plain text: its level is
// read from the line, as for a text file.
func TestShippedFluentBit(t *testing.T) {
	srv := vltest.Start(t)
	row := func(ts, log string) string {
		return `{"date":"` + ts + `","stream":"stderr","log":` + strconv.Quote(log) + `,"kubernetes":{"pod_name":"cart-7d9f","namespace_name":"shop","container_name":"cart","host":"node-2"}}`
	}
	ship(t, srv, "log", "date", "stream",
		row("2026-12-04T11:00:00Z", "2026-12-04T11:00:00Z INFO cart loaded"),
		row("2026-12-04T11:00:01Z", "2026-12-04T11:00:01Z ERROR cart: redis timeout after 500ms"),
		row("2026-12-04T11:00:02Z", "2026-12-04T11:00:02Z WARN cart slow"),
	)
	s, _ := shippedStore(t, srv, map[string]string{"service": "kubernetes.container_name"}, 0)
	all := find(t, s, model.Filter{Service: "cart"})
	if all.Total != 3 {
		t.Fatalf("service cart: %d events, want 3: %+v", all.Total, all.Events)
	}
	errs := find(t, s, model.Filter{ErrorsOnly: true})
	if errs.Total != 1 || !strings.Contains(errs.Events[0].Message, "redis timeout") || errs.Events[0].Fingerprint == "" {
		t.Fatalf("errors: %+v", errs)
	}
	if got := find(t, s, model.Filter{Query: "redis"}); got.Total != 1 {
		t.Errorf("word redis: %d events, want 1", got.Total)
	}
	h, err := s.Histogram(t.Context(), model.Filter{}, time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC), time.Date(2026, 12, 4, 11, 0, 3, 0, time.UTC), 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range h {
		if b.Count != 1 {
			t.Errorf("bucket %d: %d events, want 1", i, b.Count)
		}
	}
}

// An OpenTelemetry collector's otlphttp exporter: VictoriaLogs stores the
// body as _msg, resource attributes by name (service.name, the stream),
// severity_text and severity_number, trace_id and span_id in hex, and the
// log attributes by name (exception.type ...). The rows are inserted here
// in that shape. Nothing needs an override.
func TestShippedOpenTelemetry(t *testing.T) {
	srv := vltest.Start(t)
	ship(t, srv, "_msg", "_time", "service.name",
		`{"_time":"2026-12-04T12:00:00Z","_msg":"order placed","service.name":"orders","severity_text":"INFO","severity_number":"9","trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","http.route":"/orders"}`,
		`{"_time":"2026-12-04T12:00:01Z","_msg":"db query failed","service.name":"orders","severity_text":"ERROR","severity_number":"17","trace_id":"5b8efff798038103d269b633813fc60d","span_id":"eee19b7ec3c1b175","exception.type":"PgTimeout","exception.message":"statement timeout"}`,
		`{"_time":"2026-12-04T12:00:02Z","_msg":"db query failed","service.name":"orders","severity_text":"ERROR","severity_number":"17","trace_id":"5b8efff798038103d269b633813fc60e","span_id":"eee19b7ec3c1b176","exception.type":"PgTimeout","exception.message":"statement timeout"}`,
	)
	s, _ := shippedStore(t, srv, nil, 0)
	errs := find(t, s, model.Filter{Service: "orders", MinLevel: "ERROR"})
	if errs.Total != 2 {
		t.Fatalf("orders errors: %d events, want 2: %+v", errs.Total, errs.Events)
	}
	for _, ev := range errs.Events {
		if !ev.IsError || ev.TraceID == "" || ev.Fingerprint != errs.Events[0].Fingerprint || ev.Fingerprint == "" {
			t.Errorf("event %s: is_error %v trace %q fingerprint %q", ev.Raw, ev.IsError, ev.TraceID, ev.Fingerprint)
		}
	}
	if got := find(t, s, model.Filter{TraceID: "5b8efff798038103d269b633813fc60d"}); got.Total != 1 {
		t.Errorf("trace lookup: %d events, want 1", got.Total)
	}
}

// A question over more rows than the bound reads the newest and says so.
func TestShippedBoundIsReported(t *testing.T) {
	srv := vltest.Start(t)
	var lines []string
	for i := range 5 {
		lines = append(lines, `{"_time":"2026-12-04T13:00:0`+string(rune('0'+i))+`Z","_msg":"tick","service":"clock","level":"info"}`)
	}
	ship(t, srv, "_msg", "_time", "service", lines...)
	s, warns := shippedStore(t, srv, nil, 3)
	got := find(t, s, model.Filter{})
	if got.Total != 3 || !got.Events[0].Time.Equal(time.Date(2026, 12, 4, 13, 0, 2, 0, time.UTC)) {
		t.Errorf("bounded find: total %d, first %v; want the newest 3", got.Total, got.Events)
	}
	if len(*warns) != 1 || !strings.Contains((*warns)[0], "newest 3") {
		t.Errorf("warnings %q: want one naming the bound", *warns)
	}
	*warns = nil
	if got := find(t, s, model.Filter{Since: time.Date(2026, 12, 4, 13, 0, 3, 0, time.UTC)}); got.Total != 2 || len(*warns) != 0 {
		t.Errorf("time range under the bound: total %d, warnings %q", got.Total, *warns)
	}
}

// --logsql on shipped rows filters their own fields on the server and
// parses the rows of the page.
func TestShippedLogsQL(t *testing.T) {
	srv := vltest.Start(t)
	ship(t, srv, "_msg", "_time", "service.name",
		`{"_time":"2026-12-04T12:00:00Z","_msg":"order placed","service.name":"orders","severity_text":"INFO"}`,
		`{"_time":"2026-12-04T12:00:01Z","_msg":"db query failed","service.name":"orders","severity_text":"ERROR","exception.type":"PgTimeout"}`,
	)
	s, _ := shippedStore(t, srv, nil, 0)
	res, err := s.FindLogsQL(t.Context(), `severity_text:=ERROR`, model.FindOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Events) != 1 || !res.Events[0].IsError || res.Events[0].Service != "orders" {
		t.Errorf("logsql severity_text:=ERROR: %+v", res)
	}
}
