package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func testConfig(lines int64, seed uint64) config {
	return config{Lines: lines, Seed: seed, Start: time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC), Span: 36 * time.Hour, Users: 5000}
}

// generateMem runs the generator into memory.
func generateMem(t testing.TB, cfg config) ([numServices]*bytes.Buffer, *result) {
	t.Helper()
	var bufs [numServices]*bytes.Buffer
	var ws [numServices]io.Writer
	for i := range bufs {
		bufs[i] = new(bytes.Buffer)
		ws[i] = bufs[i]
	}
	g := newGen(cfg, ws)
	if err := g.run(); err != nil {
		t.Fatalf("run: %v", err)
	}
	return bufs, g.result()
}

func TestDeterministic(t *testing.T) {
	a, ra := generateMem(t, testConfig(2000, 7))
	b, rb := generateMem(t, testConfig(2000, 7))
	for i := range a {
		if !bytes.Equal(a[i].Bytes(), b[i].Bytes()) {
			t.Errorf("%s: two runs with seed 7 differ", serviceNames[i])
		}
	}
	for _, f := range [][2][]byte{{ra.deploysJSON, rb.deploysJSON}, {ra.idsTxt, rb.idsTxt}, {ra.truthJSON, rb.truthJSON}} {
		if !bytes.Equal(f[0], f[1]) {
			t.Errorf("side files differ between runs with the same seed")
		}
	}
	c, _ := generateMem(t, testConfig(2000, 8))
	if bytes.Equal(a[svcGateway].Bytes(), c[svcGateway].Bytes()) {
		t.Errorf("seeds 7 and 8 gave the same gateway log")
	}
}

// lineFacts is what the invariants need from one line, read per convention.
type lineFacts struct {
	reqID string
	t     int64
	err   bool
}

func facts(svc int, m map[string]any) (lineFacts, error) {
	var f lineFacts
	str := func(k string) string { s, _ := m[k].(string); return s }
	num := func(k string) float64 { n, _ := m[k].(float64); return n }
	parse := func(layout, v string) (int64, error) {
		tt, err := time.Parse(layout, v)
		return tt.UnixNano(), err
	}
	var err error
	switch svc {
	case svcGateway:
		if req, ok := m["req"].(map[string]any); ok {
			f.reqID, _ = req["id"].(string)
		}
		f.t = int64(num("time")) * 1e6
		f.err = num("level") >= 50
	case svcOrders:
		f.reqID, f.err = str("request_id"), str("level") == "ERROR"
		f.t, err = parse(time.RFC3339Nano, str("time"))
	case svcPayments:
		f.reqID, f.err = str("requestId"), str("level") == "error"
		f.t = int64(num("ts") * 1e9)
	case svcInventory:
		f.reqID, f.err = str("request_id"), str("level") == "error"
		f.t, err = parse(time.RFC3339Nano, str("timestamp"))
	case svcUsers:
		f.reqID, f.err = str("http.request.id"), str("log.level") == "ERROR"
		f.t, err = parse(time.RFC3339Nano, str("@timestamp"))
	case svcSearch:
		f.reqID, f.err = str("request_id"), str("level") == "error"
		f.t, err = parse(time.RFC3339, str("time"))
	case svcNotifications:
		f.reqID, f.err = str("traceId"), num("severityNumber") >= 17
		f.t, err = strconv.ParseInt(str("timeUnixNano"), 10, 64)
	}
	return f, err
}

func TestRealism(t *testing.T) {
	const lines = 20000
	bufs, res := generateMem(t, testConfig(lines, 1))
	linesOf := map[string]int{}
	services := map[string]map[int]bool{}
	failing := map[string]bool{}
	var total int64
	for svc, buf := range bufs {
		sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
		sc.Buffer(nil, 1<<20)
		last := int64(0)
		for n := 1; sc.Scan(); n++ {
			total++
			line := sc.Bytes()
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("%s:%d: not a JSON object: %v\n%s", serviceNames[svc], n, err, line)
			}
			f, err := facts(svc, m)
			if err != nil {
				t.Fatalf("%s:%d: bad time: %v", serviceNames[svc], n, err)
			}
			// Times may repeat at the convention's precision, never go
			// back (zap's float seconds round to ~0.25 µs).
			if f.t < last-int64(time.Microsecond) {
				t.Errorf("%s:%d: time goes back %v", serviceNames[svc], n, time.Duration(last-f.t))
			}
			last = max(last, f.t)
			if f.reqID == "" {
				continue
			}
			linesOf[f.reqID]++
			if services[f.reqID] == nil {
				services[f.reqID] = map[int]bool{}
			}
			services[f.reqID][svc] = true
			if f.err {
				failing[f.reqID] = true
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", serviceNames[svc], err)
		}
	}
	if total != lines || res.lines != lines {
		t.Errorf("wrote %d lines (result says %d), want exactly %d", total, res.lines, lines)
	}
	if int64(len(linesOf)) != res.requests {
		t.Errorf("logs hold %d request ids, generator counted %d requests", len(linesOf), res.requests)
	}
	multi := 0
	for id, n := range linesOf {
		if n < 2 || n > maxLinesPerRequest {
			t.Errorf("request %s has %d lines, want 2..%d", id, n, maxLinesPerRequest)
		}
		if len(services[id]) >= 2 {
			multi++
		}
	}
	if share := float64(multi) / float64(len(linesOf)); share < 0.9 {
		t.Errorf("only %.0f%% of requests span 2+ services", 100*share)
	}
	if int64(len(failing)) != res.failing {
		t.Errorf("logs hold %d requests with an error line, generator counted %d failing", len(failing), res.failing)
	}
	if share := float64(len(failing)) / float64(len(linesOf)); share < 0.015 || share > 0.07 {
		t.Errorf("failing share %.2f%%, want a few percent", 100*share)
	}

	all := new(bytes.Buffer)
	for _, b := range bufs {
		all.Write(b.Bytes())
	}
	for _, want := range []string{
		`goroutine `, ` [running]:\n`, `+0x`, // Go panic via debug.Stack
		`Traceback (most recent call last):\n  File \"`, // Python
		`\n\tat com.acme.`, `\nCaused by: `, // Java
		`\n    at `,  // Node
		`) in /src/`, // .NET
		`"stacktrace":"github.com/acme/shop/payments/`, // zap
	} {
		if !bytes.Contains(all.Bytes(), []byte(want)) {
			t.Errorf("corpus lacks %q", want)
		}
	}
	if avg := float64(res.bytes) / float64(res.lines); avg < 250 || avg > 500 {
		t.Errorf("average line %.0f bytes, want ~350-400", avg)
	}
}

func TestGenerateDir(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"-lines", "3000", "-seed", "3", "-out", dir}, &out); err != nil {
		t.Fatal(err)
	}
	for _, name := range serviceNames {
		if st, err := os.Stat(filepath.Join(dir, "logs", name+".jsonl")); err != nil || st.Size() == 0 {
			t.Errorf("logs/%s.jsonl missing or empty: %v", name, err)
		}
	}
	var deps []deployRecord
	data, err := os.ReadFile(filepath.Join(dir, "deploys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &deps); err != nil {
		t.Fatalf("deploys.json: %v", err)
	}
	if len(deps) < 20 {
		t.Errorf("deploys.json has %d deploys, want ~25", len(deps))
	}
	for i := 1; i < len(deps); i++ {
		if deps[i].Time < deps[i-1].Time {
			t.Errorf("deploys.json not in time order at %d", i)
		}
	}
	ids, err := os.ReadFile(filepath.Join(dir, "ids.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := strings.Count(string(ids), "\n")
	if n < 40 || n > 100 {
		t.Errorf("ids.txt has %d ids", n)
	}
	if !strings.Contains(out.String(), "wrote 3000 lines") {
		t.Errorf("summary lacks the line count:\n%s", out.String())
	}
	if err := run([]string{"-lines", "10"}, io.Discard); err == nil {
		t.Errorf("run without -out succeeded")
	}
	if err := run([]string{"-out", dir, "-start", "yesterday"}, io.Discard); err == nil {
		t.Errorf("run with a bad -start succeeded")
	}
}

func discard() (ws [numServices]io.Writer) {
	for i := range ws {
		ws[i] = io.Discard
	}
	return ws
}

func TestStackTemplates(t *testing.T) {
	w := newWorld()
	for _, b := range w.bugs {
		if b.stack == "" {
			continue
		}
		g := newGen(testConfig(10, 1), discard())
		s0 := g.renderStack(b, 0, "MSG")
		s1 := g.renderStack(b, 3, "MSG")
		if strings.ContainsAny(s0, "{}") && !strings.Contains(s0, "{0x") && !strings.Contains(s0, "{host_error}") {
			t.Errorf("%s: unexpanded marker in\n%s", b.name, s0)
		}
		if b.svc != svcGateway && s0 == s1 && strings.Contains(b.stack, "{L") {
			t.Errorf("%s: line numbers do not move between revisions", b.name)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	const lines = 100_000
	ws := discard()
	var bytesOut int64
	for b.Loop() {
		g := newGen(testConfig(lines, 1), ws)
		if err := g.run(); err != nil {
			b.Fatal(err)
		}
		for _, n := range g.bytes {
			bytesOut += n
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(bytesOut)/b.Elapsed().Seconds()/1e6, "MB/s")
}
