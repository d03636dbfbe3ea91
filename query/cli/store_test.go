package cli

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index/victorialogs/vltest"
)

// TestStoreFlag runs the CLI against a real VictoriaLogs through --store:
// ingest writes there (not into --index), and every case of the sample
// incident gets the same `request --json` answer as from the local index.
func TestStoreFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a VictoriaLogs server")
	}
	srv := vltest.Start(t)
	store := "victorialogs://" + srv.Addr
	empty := t.TempDir() + "/never-created"

	if r := culprit(t, empty, "", "--store", store, "ingest", "--deploys", incidentDeploys, incidentLogs); r.code != 0 {
		t.Fatalf("ingest --store:\n%s", r)
	}
	local := incidentIndex(t)
	for _, c := range loadCases(t) {
		want := culprit(t, local, "", "request", c.RequestID, "--json")
		got := culprit(t, empty, "", "--store", store, "request", c.RequestID, "--json")
		if got.code != want.code || got.stdout != want.stdout {
			t.Errorf("case %s: --store answer differs from the local index\n--- store\n%s\n--- local\n%s", c.Name, got, want)
		}
	}
	if r := culprit(t, empty, "", "--store", store, "status"); r.code != 0 {
		t.Errorf("status --store:\n%s", r)
	} else if want := "index    http://" + srv.Addr; len(r.stdout) < len(want) || r.stdout[:len(want)] != want {
		t.Errorf("status --store names %q, want it to start with %q", r.stdout, want)
	}
	if r := culprit(t, empty, "", "--store", "victorialogs+https://u:secret@[::1", "status"); r.code != 2 {
		t.Errorf("a malformed --store URL: want exit 2\n%s", r)
	} else if contains(r.err, "secret") {
		t.Errorf("the error repeats the password:\n%s", r)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestStoreThatNeverAnswers: a --store that accepts connections and never
// answers is an error naming the store within the open timeout (exit 2),
// for queries and for ingest, not a wait until Ctrl-C.
func TestStoreThatNeverAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var conns []net.Conn // held open, never answered
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	old := storeOpenTimeout
	storeOpenTimeout = 300 * time.Millisecond
	defer func() { storeOpenTimeout = old }()
	store := "victorialogs://" + ln.Addr().String()
	for _, args := range [][]string{{"status"}, {"errors", "--json"}, {"ingest", incidentLogs}} {
		start := time.Now()
		r := culprit(t, t.TempDir(), "", append([]string{"--store", store}, args...)...)
		if r.code != 2 || !strings.Contains(r.err, "did not answer within 300ms") || !strings.Contains(r.err, ln.Addr().String()) {
			t.Errorf("%v on a store that never answers: want exit 2 naming it\n%s", args, r)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%v took %v", args, d)
		}
	}
}
