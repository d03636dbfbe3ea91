package victorialogs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/storetest"
	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// recorder is a proxy in front of a server that records each insert
// request's content type and body size.
type recorder struct {
	// forceType, when set, replaces the content type of inserts: the
	// trap the writer must never fall into, set up on purpose.
	forceType string

	mu      sync.Mutex
	inserts []insertReq
}

type insertReq struct {
	contentType string
	bytes       int64
}

func (rec *recorder) start(t *testing.T, target string) *httptest.Server {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/insert/") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			rec.mu.Lock()
			rec.inserts = append(rec.inserts, insertReq{r.Header.Get("Content-Type"), int64(len(body))})
			rec.mu.Unlock()
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			r.ContentLength = int64(len(body))
			if rec.forceType != "" {
				r.Header.Set("Content-Type", rec.forceType)
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// More than 10 MiB in one insert body all arrives, and every insert says
// application/stream+json: with a form content type VictoriaLogs would
// drop the first 10 MiB and still answer 200.
func TestLargeBodyKeepsEveryRow(t *testing.T) {
	srv := vltest.Start(t)
	var rec recorder
	front := rec.start(t, srv.URL)
	s, err := victorialogs.Open(t.Context(), "victorialogs://"+strings.TrimPrefix(front.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	k.BatchBytes = 64 << 20
	const n = 8000
	pad := strings.Repeat("x", 1000)
	for i := range n {
		raw := fmt.Sprintf(`{"time":"2024-05-01T10:00:00Z","msg":"line %d %s"}`, i+1, pad)
		ev := model.Event{Time: storetest.T0.Add(time.Duration(i) * time.Millisecond), Level: "info", Message: fmt.Sprintf("line %d", i+1),
			Service: "big", Source: "big.log", Line: int64(i + 1), Raw: []byte(raw)}
		if err := k.Add(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Commit(); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var largest int64
	for _, r := range rec.inserts {
		if r.contentType != "application/stream+json" {
			t.Errorf("insert sent with Content-Type %q, want application/stream+json", r.contentType)
		}
		largest = max(largest, r.bytes)
	}
	if largest <= 10<<20 {
		t.Fatalf("largest insert body %d bytes: the test must send more than 10 MiB at once", largest)
	}
	for _, o := range []model.Order{model.OldestFirst, model.NewestFirst} {
		res, err := s.Find(t.Context(), model.Filter{Service: "big"}, model.FindOptions{Limit: 1, Order: o})
		if err != nil {
			t.Fatal(err)
		}
		want := int64(1)
		if o == model.NewestFirst {
			want = n
		}
		if res.Total != n || len(res.Events) != 1 || res.Events[0].Line != want {
			t.Errorf("order %d: total %d, first line %v; want %d rows, line %d first", o, res.Total, lines(res.Events), n, want)
		}
	}
}

// When the server drops rows (here: a proxy turns the content type into a
// form's, and VictoriaLogs loses the first 10 MiB while answering 200),
// Commit counts the rows back and fails instead of reporting success.
func TestDroppedRowsAreAnError(t *testing.T) {
	srv := vltest.Start(t)
	rec := recorder{forceType: "application/x-www-form-urlencoded"}
	front := rec.start(t, srv.URL)
	s, err := victorialogs.Open(t.Context(), "victorialogs://"+strings.TrimPrefix(front.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	k.BatchBytes = 64 << 20
	k.Settle = 300 * time.Millisecond // the rows never come: do not wait 10 s
	pad := strings.Repeat("y", 1000)
	for i := range 8000 {
		raw := fmt.Sprintf(`{"msg":"line %d %s"}`, i+1, pad)
		ev := model.Event{Time: storetest.T0, Message: "m", Source: "trap.log", Line: int64(i + 1), Raw: []byte(raw)}
		if err := k.Add(&ev); err != nil {
			t.Fatal(err)
		}
	}
	err = k.Commit()
	if err == nil || !strings.Contains(err.Error(), "rows sent") {
		t.Fatalf("Commit after the server dropped rows: %v, want an error saying how many rows it kept", err)
	}
	t.Log(err)
}

func lines(evs []model.Event) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.Line)
	}
	return out
}

// Re-ingesting adds nothing: the same lines through a new sink (as after a
// lost checkpoint), a line repeated within one sink before and after a
// commit, and the same deploys again. A line whose bytes changed under the
// same number (a partial last line completed) is a new row.
func TestReingestIsIdempotent(t *testing.T) {
	srv := vltest.Start(t)
	s := openStore(t, srv)
	evs, ds := storetest.Corpus()
	load(t, s, evs, ds)

	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for i := range evs {
		if err := k.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
		if err := k.Add(&evs[i]); err != nil { // twice while pending
			t.Fatal(err)
		}
	}
	if err := k.Commit(); err != nil {
		t.Fatal(err)
	}
	for i := range evs { // again after the commit
		if err := k.Add(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Commit(); err != nil {
		t.Fatal(err)
	}
	if n, err := k.AddDeploys(ds); err != nil || n != 0 {
		t.Errorf("AddDeploys again = %d, %v; want 0 new", n, err)
	}
	sp, err := s.Span(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if sp.Events != len(evs) || sp.Deploys != len(ds) {
		t.Errorf("after re-ingest: %d events, %d deploys; want %d and %d", sp.Events, sp.Deploys, len(evs), len(ds))
	}

	// A line appended to a stored source is added.
	next := evs[len(evs)-1]
	next.Line++
	next.Raw = []byte("appended")
	if err := k.Add(&next); err != nil {
		t.Fatal(err)
	}
	if err := k.Commit(); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Find(t.Context(), model.Filter{Query: "source:" + next.Source}, model.FindOptions{}); err != nil || res.Total != 3 {
		t.Errorf("source %s after appending a line: %d rows (%v), want 3", next.Source, res.Total, err)
	}

	// A fresh source in the same sink: its lines are not looked up, and a
	// line coming back under the same number is.
	fresh := model.Event{Time: storetest.T0, Source: "fresh", Line: 1, Message: "one", Raw: []byte("one")}
	changed := fresh
	changed.Raw, changed.Message = []byte("one more"), "one more"
	for _, ev := range []model.Event{fresh, fresh, changed, fresh} {
		if err := k.Add(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Commit(); err != nil {
		t.Fatal(err)
	}
	res, err := s.Find(t.Context(), model.Filter{Query: "source:fresh"}, model.FindOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 {
		t.Errorf("source fresh holds %d rows, want 2 (the line and its changed bytes)", res.Total)
	}
}

// Checkpoints are read back as committed, the latest one per key.
func TestCheckpoints(t *testing.T) {
	srv := vltest.Start(t)
	s := openStore(t, srv)
	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, ok, err := k.Checkpoint("/var/log/a.log"); ok || err != nil {
		t.Fatalf("Checkpoint of a new key: ok %v, %v", ok, err)
	}
	ev := model.Event{Time: storetest.T0, Source: "a.log", Line: 1, Message: "x", Raw: []byte("x")}
	if err := k.Add(&ev); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	for _, lines := range []int64{1, 2} {
		cp := model.Checkpoint{Key: "/var/log/a.log", Size: 10 * lines, ModTime: mt, HeadHash: "h", Offset: 2 * lines, Lines: lines, LastTime: storetest.T0, State: []byte(`{"source":"a.log"}`)}
		if err := k.Commit(cp, model.Checkpoint{Key: "/var/log/b.log", Lines: 7}); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := k.Checkpoint("/var/log/a.log")
	if err != nil || !ok {
		t.Fatalf("Checkpoint: ok %v, %v", ok, err)
	}
	if got.Lines != 2 || got.Offset != 4 || got.Size != 20 || !got.ModTime.Equal(mt) || string(got.State) != `{"source":"a.log"}` {
		t.Errorf("Checkpoint = %+v, want the second commit's", got)
	}
	if b, ok, err := k.Checkpoint("/var/log/b.log"); err != nil || !ok || b.Lines != 7 {
		t.Errorf("Checkpoint(b) = %+v, %v, %v", b, ok, err)
	}
}

// A cancelled ingest stops the sink's requests with context.Canceled.
func TestSinkCancelled(t *testing.T) {
	s := openStore(t, vltest.Start(t))
	ctx, cancel := context.WithCancel(t.Context())
	k, err := s.NewSink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	ev := model.Event{Time: storetest.T0, Source: "a.log", Line: 1, Raw: []byte("x")}
	if err := k.Add(&ev); !errors.Is(err, context.Canceled) {
		t.Errorf("Add after cancel: %v, want context.Canceled", err)
	}
	if err := k.Commit(); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit after cancel: %v, want context.Canceled", err)
	}
}

// A line older than the server's retention is dropped by the server with
// a 200; the commit fails and names the first line lost.
func TestRetentionDropNamesTheLine(t *testing.T) {
	s := openStore(t, vltest.Start(t, "-retentionPeriod=7d"))
	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	k.Settle = 300 * time.Millisecond // the row never comes: do not wait 10 s
	now := time.Now().UTC()
	for i, tm := range []time.Time{now, storetest.T0, now} {
		ev := model.Event{Time: tm, Source: "app.log", Line: int64(i + 1), Message: "m", Raw: []byte(fmt.Sprint("line ", i+1))}
		if err := k.Add(&ev); err != nil {
			t.Fatal(err)
		}
	}
	err = k.Commit()
	if err == nil || !strings.Contains(err.Error(), "kept 2 of the 3") || !strings.Contains(err.Error(), "app.log:2 (time 2024-05-01T10:00:00Z)") {
		t.Fatalf("Commit with a line beyond retention: %v, want an error naming app.log:2", err)
	}
}

// Rows that become searchable only after the commit's first count (a
// cluster frontend still sending a block when it is told to flush) are
// waited for: the commit asks again and succeeds, rather than calling rows
// lost that the store holds. A proxy answers the first insert at once and
// forwards it only after the sink's first count of the batch.
func TestLateRowsAreWaitedFor(t *testing.T) {
	srv := vltest.Start(t)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	var (
		mu      sync.Mutex
		held    *http.Request // the first insert, not yet forwarded
		heldB   []byte
		holding = true
		counts  int // counts of a batch the sink asked
	)
	forward := func() error {
		mu.Lock()
		r, b := held, heldB
		held = nil
		mu.Unlock()
		if r == nil {
			return nil
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+r.URL.RequestURI(), bytes.NewReader(b))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("forwarded insert: HTTP %d", resp.StatusCode)
		}
		return nil
	}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		mu.Lock()
		hold := holding && strings.HasPrefix(r.URL.Path, "/insert/")
		if hold {
			held, heldB, holding = r.Clone(r.Context()), body, false
		}
		mu.Unlock()
		if hold {
			w.WriteHeader(http.StatusOK) // the frontend's answer: taken, not yet stored
			return
		}
		form, _ := url.ParseQuery(string(body))
		q := form.Get("query")
		proxy.ServeHTTP(w, r)
		if strings.Contains(q, "culprit_batch:=") && strings.Contains(q, "stats count()") {
			mu.Lock()
			counts++
			mu.Unlock()
			if err := forward(); err != nil {
				t.Error(err)
			}
		}
	}))
	t.Cleanup(front.Close)

	s, err := victorialogs.Open(t.Context(), "victorialogs://"+strings.TrimPrefix(front.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	const n = 50
	for i := range n {
		ev := model.Event{Time: storetest.T0.Add(time.Duration(i) * time.Millisecond), Source: "late.log", Line: int64(i + 1), Message: "m", Raw: []byte(fmt.Sprint("line ", i+1))}
		if err := k.Add(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Commit(); err != nil {
		t.Fatalf("Commit with rows searchable only after its first count: %v", err)
	}
	mu.Lock()
	c := counts
	mu.Unlock()
	if c < 2 {
		t.Errorf("the batch was counted %d times, want a short count and a whole one", c)
	}
	res, err := s.Find(t.Context(), model.Filter{}, model.FindOptions{Limit: 1})
	if err != nil || res.Total != n {
		t.Fatalf("after the commit: %d events, %v; want %d", res.Total, err, n)
	}
}
