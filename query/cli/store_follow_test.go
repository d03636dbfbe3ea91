package cli

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/victorialogs"
	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// openStoreSink opens a sink on the server, as `ingest --store` does.
func openStoreSink(t *testing.T, srv *vltest.Server) WriteStore {
	t.Helper()
	s, err := victorialogs.Open(t.Context(), "victorialogs://"+srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.NewSink(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// search --follow and errors --follow on a --store print what another
// process ingests into the store while they run, each match once.
func TestStoreFollow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a VictoriaLogs server")
	}
	defer func(p time.Duration) { tailPoll = p }(tailPoll)
	tailPoll = 10 * time.Millisecond
	srv := vltest.Start(t)
	store := "victorialogs://" + srv.Addr
	w := openStoreSink(t, srv)
	addEvents(t, w, 0, 3)

	out := &syncBuffer{}
	env := &Env{Out: out, Err: &syncBuffer{}, In: strings.NewReader(""), Getenv: func(string) string { return "" }}
	cancel, code := startRun(t, []string{"--store", store, "search", "--follow", "--json", "--limit", "2", "boom"}, env)
	want := []string{`{"n":2}`, `{"n":3}`}
	if got := waitLines(t, out, 2); !equal(got, want) {
		t.Fatalf("first lines %q, want %q", got, want)
	}
	addEvents(t, w, 3, 2)
	want = append(want, `{"n":4}`, `{"n":5}`)
	if got := waitLines(t, out, 4); !equal(got, want) {
		t.Fatalf("after an append %q, want %q", got, want)
	}
	addAt(t, w, 1, time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	want = append(want, `{"late":1}`)
	if got := waitLines(t, out, 5); !equal(got, want) {
		t.Fatalf("after a late line %q, want %q", got, want)
	}
	cancel()
	if c := <-code; c != 130 {
		t.Fatalf("search: exit %d after Ctrl-C, want 130", c)
	}

	eout := &syncBuffer{}
	eenv := &Env{Out: eout, Err: &syncBuffer{}, In: strings.NewReader(""), Getenv: func(string) string { return "" }}
	ecancel, ecode := startRun(t, []string{"--store", store, "errors", "--follow", "--json"}, eenv)
	addError(t, w, 1, "aaaa")
	waitGroup(t, eout, "aaaa", 1)
	addError(t, w, 2, "aaaa")
	waitGroup(t, eout, "aaaa", 2)
	ecancel()
	if c := <-ecode; c != 130 {
		t.Fatalf("errors: exit %d after Ctrl-C, want 130", c)
	}
}

// waitGroup waits for errors --follow --json to print the group fp with
// count.
func waitGroup(t *testing.T, out *syncBuffer, fp string, count int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, l := range out.lines() {
			var g struct {
				Fingerprint string `json:"fingerprint"`
				Count       int    `json:"count"`
			}
			if json.Unmarshal([]byte(l), &g) == nil && g.Fingerprint == fp && g.Count == count {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no group %s with count %d in %q", fp, count, out.lines())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// search --follow on rows Vector shipped: the detected mapping and a
// --field override apply, and a row shipped while it runs is printed.
func TestStoreFollowShipped(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a VictoriaLogs server")
	}
	defer func(p time.Duration) { tailPoll = p }(tailPoll)
	tailPoll = 10 * time.Millisecond
	srv := vltest.Start(t)
	ship := func(ts, app string) {
		t.Helper()
		b, _ := json.Marshal(map[string]string{"container_name": "checkout", "host": "node-1", "source_type": "docker_logs", "timestamp": ts, "message": app})
		resp, err := http.Post(srv.URL+"/insert/jsonline?_msg_field=message&_time_field=timestamp&_stream_fields=host,container_name", "application/stream+json", strings.NewReader(string(b)+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp, err = http.Get(srv.URL + "/internal/force_flush"); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// Fewer rows read than the store holds: the total of matches stays
	// the same as rows arrive, and follow still sees the new ones.
	defer func(b int) { storeBound = b }(storeBound)
	storeBound = 2
	ship("2026-12-04T09:59:59Z", `{"level":"error","msg":"old failure","request_id":"r-0","status":500}`)
	ship("2026-12-04T10:00:00Z", `{"level":"info","msg":"ok","request_id":"r-1"}`)
	ship("2026-12-04T10:00:01Z", `{"level":"error","msg":"charge failed","request_id":"r-2","status":500}`)

	// errors groups the shipped failures by the fingerprint computed on
	// the rows fetched.
	r := culprit(t, t.TempDir(), "", "--store", "victorialogs://"+srv.Addr, "--field", "service=container_name", "errors", "--json")
	var groups []struct {
		Fingerprint string `json:"fingerprint"`
		Count       int    `json:"count"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &groups); r.code != 0 || err != nil || len(groups) != 1 || groups[0].Count != 1 || groups[0].Fingerprint == "" {
		t.Fatalf("errors --json on shipped rows (%v):\n%s", err, r)
	}

	out := &syncBuffer{}
	env := &Env{Out: out, Err: &syncBuffer{}, In: strings.NewReader(""), Getenv: func(string) string { return "" }}
	cancel, code := startRun(t, []string{"--store", "victorialogs://" + srv.Addr, "--field", "service=container_name",
		"search", "--follow", "service:checkout is_error:true"}, env)
	if got := waitLines(t, out, 2); !strings.Contains(got[1], "charge failed") {
		t.Fatalf("first lines %q: want the header and the failure", got)
	}
	ship("2026-12-04T10:00:02Z", `{"level":"error","msg":"refund failed","request_id":"r-3","status":500}`)
	if got := waitLines(t, out, 3); !strings.Contains(got[2], "refund failed") || len(got) != 3 {
		t.Fatalf("after a shipped row %q: want it once", got)
	}
	ship("2026-12-04T10:00:03Z", `{"level":"error","msg":"void failed","request_id":"r-4","status":500}`)
	if got := waitLines(t, out, 4); !strings.Contains(got[3], "void failed") || len(got) != 4 {
		t.Fatalf("after another shipped row %q: want it once", got)
	}
	if !strings.Contains(strings.Join(env.Err.(*syncBuffer).lines(), "\n"), "newest 2") {
		t.Errorf("stderr %q: want the bound reported", env.Err.(*syncBuffer).lines())
	}
	cancel()
	if c := <-code; c != 130 {
		t.Fatalf("exit %d after Ctrl-C, want 130", c)
	}
}
