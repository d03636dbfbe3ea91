package query

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/query/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/<name>.golden, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./query -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./query -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

func goldenName(s string) string {
	return strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(s)
}

// checkWidth fails if a line of out is wider than w columns.
func checkWidth(t *testing.T, out string, w int) {
	t.Helper()
	for i, l := range strings.Split(out, "\n") {
		if width(l) > w {
			t.Errorf("line %d is %d columns wide, more than %d: %q", i+1, width(l), w, l)
		}
	}
}

func TestReportTextGolden(t *testing.T) {
	for _, sc := range verdictScenarios() {
		if sc.name != "deployment regression" && sc.name != "dependency failure by kind beats a fresh deploy" && sc.name != "data-specific bug" {
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			var c corpus
			sc.build(&c)
			r, err := New(c.store(), Options{}).Request(t.Context(), sc.id)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteReportText(&buf, r, TextOptions{Width: 80}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "\x1b") {
				t.Error("escape codes with Color off")
			}
			checkWidth(t, buf.String(), 80)
			golden(t, "report_"+goldenName(sc.name), buf.Bytes())
		})
	}
}

func TestReportTextWrappersAndSuccess(t *testing.T) {
	var c corpus
	c.traffic("gateway", "ok", routes, users(10), t0, t0.Add(10*time.Minute), 10*time.Second)
	at := t0.Add(5 * time.Minute)
	c.add(Event{Time: at, Service: "gateway", RequestID: "r-wrap", Route: "POST /api/checkout", Message: "request started"})
	c.add(Event{Time: at.Add(10 * time.Millisecond), Service: "inventory", RequestID: "r-wrap", Level: "error", Message: "reserve failed",
		ErrorType: "*inventory.StockError", Error: "sku SKU-1001: negative stock", Stack: goStack})
	c.add(Event{Time: at.Add(30 * time.Millisecond), Service: "gateway", RequestID: "r-wrap", Level: "error", Status: 502, Message: "upstream failed"})
	inv := New(c.store(), Options{})
	var buf bytes.Buffer
	for _, id := range []string{"r-wrap", "ok-3", "ok-3000000"} {
		r, err := inv.Request(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		buf.WriteString("=== " + id + "\n")
		if err := WriteReportText(&buf, r, TextOptions{Width: 80}); err != nil {
			t.Fatal(err)
		}
	}
	checkWidth(t, buf.String(), 80)
	golden(t, "report_wrappers_success_unknown", buf.Bytes())
}

func TestReportTextColorAndSanitize(t *testing.T) {
	hostile := "boom \x1b]52;c;ZXZpbA==\x07 \x1b[2J\u009b31m\r"
	r := &Report{
		RequestID: "r-\x1b[31m", Found: true, Services: []string{"svc\x1b[0m"},
		Events: []ReportEvent{{Time: t0, Service: "svc", Level: "error", Message: hostile, RequestID: "r"}},
		Error:  &RootError{Type: "E", Message: hostile, Stack: "panic: " + hostile + "\n\tmain.f()", Service: "svc", Time: t0},
		Verdict: &Verdict{Cause: CauseUnknown, Summary: "Cause unknown: " + hostile, Evidence: []string{hostile},
			NextSteps: []string{hostile}},
	}
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := WriteReportText(&buf, r, TextOptions{Color: color, Width: 80}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, bad := range []string{"\x07", "\x1b]", "\x1b[2J", "\u009b", "\r", "\x1b[31m\x1b", "ZXZpbA==\x07"} {
			if strings.Contains(out, bad) {
				t.Errorf("color=%v: output contains %q:\n%s", color, bad, out)
			}
		}
		if !strings.Contains(out, `\x1b]52;c;ZXZpbA==\x07`) {
			t.Errorf("color=%v: the OSC 52 sequence is not shown escaped:\n%s", color, out)
		}
		if color != strings.Contains(out, "\x1b[1") {
			t.Errorf("color=%v: SGR codes present = %v", color, !color)
		}
	}
}

func TestErrorsTextGolden(t *testing.T) {
	st := incidentStore()
	gs, err := New(st, Options{}).Errors(t.Context(), ErrorsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteErrorsText(&buf, gs, TextOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("=== none\n")
	if err := WriteErrorsText(&buf, nil, TextOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, buf.String(), 80)
	golden(t, "errors", buf.Bytes())
}

func TestEventsAndDeploysTextGolden(t *testing.T) {
	st := incidentStore()
	inv := New(st, Options{})
	res, err := inv.Search(t.Context(), SearchOptions{Level: "error", Limit: 6, Order: NewestFirst})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteEventsText(&buf, res.Events, TextOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	ds, err := inv.Deploys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	buf.WriteString("===\n")
	if err := WriteDeploysText(&buf, ds, TextOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, buf.String(), 80)
	golden(t, "events_deploys", buf.Bytes())
}

func TestTruncateAndWrap(t *testing.T) {
	cases := []struct {
		s    string
		w    int
		want string
	}{
		{"hello", 0, "hello"}, {"hello", 5, "hello"}, {"hello!", 5, "hell…"}, {"日本語テキスト", 7, "日本語…"},
		{"héllo wörld", 8, "héllo w…"}, {"ab", 1, "…"},
	}
	for _, tc := range cases {
		got := truncate(tc.s, tc.w)
		if got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
		if tc.w > 0 && width(got) > tc.w {
			t.Errorf("truncate(%q, %d) is %d wide", tc.s, tc.w, width(got))
		}
	}
	lines := wrap("the quick brown fox jumps over the lazy dog", 16, "• ", "  ")
	if want := "• the quick\n  brown fox\n  jumps over the\n  lazy dog"; strings.Join(lines, "\n") != want {
		t.Errorf("wrap = %q, want %q", strings.Join(lines, "\n"), want)
	}
	for _, l := range wrap(strings.Repeat("x", 50), 16, "• ", "  ") {
		if width(l) > 16 {
			t.Errorf("wrap line %q wider than 16", l)
		}
	}
}

func TestSparkline(t *testing.T) {
	hs := []TimeBucket{{Count: 0}, {Count: 1}, {Count: 4}, {Count: 8}, {Count: 0}}
	if got, want := sparkline(hs), " ▁▄█ "; got != want {
		t.Errorf("sparkline = %q, want %q", got, want)
	}
	// The blast radius draws its bars with the TUI's renderer.
	if got := chart.Bar(0, 10, 20, chart.Unicode); got != "" {
		t.Errorf("bar(0) = %q", got)
	}
	if got := chart.Bar(1, 1000, 20, chart.Unicode); got != "▏" {
		t.Errorf("bar(1 of 1000) = %q, want a sliver", got)
	}
}

// TestPipedTablesKeepWholeValues: piped output (Width 0) is "not
// truncated", so a long author, service or version is printed whole in
// the deploys, errors and events tables; a terminal still cuts it to its
// column.
func TestPipedTablesKeepWholeValues(t *testing.T) {
	at := time.Date(2026, 11, 25, 17, 0, 0, 0, time.UTC)
	const svc, author, version = "notifications-worker", "jonas.fischer-longname", "2026.11.25-rc1"
	ds := []Deploy{{Time: at, Service: svc, Version: version, Author: author}}
	gs := []ErrorGroup{{Fingerprint: "f", Service: svc, Count: 1, Requests: 1, FirstSeen: at, LastSeen: at, Message: "boom"}}
	evs := []Event{{Time: at, Service: svc, Level: "error", Message: "boom"}}
	render := func(o TextOptions) string {
		var buf bytes.Buffer
		if err := WriteDeploysText(&buf, ds, o); err != nil {
			t.Fatal(err)
		}
		if err := WriteErrorsText(&buf, gs, o); err != nil {
			t.Fatal(err)
		}
		if err := WriteEventsText(&buf, evs, o); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	piped := render(TextOptions{})
	for _, want := range []string{author, version, svc} {
		if strings.Count(piped, want) < 1 {
			t.Errorf("piped output lost %q:\n%s", want, piped)
		}
	}
	if n := strings.Count(piped, svc); n != 3 {
		t.Errorf("piped output holds %q %d times, want 3 (deploys, errors, events):\n%s", svc, n, piped)
	}
	if term := render(TextOptions{Width: 120}); strings.Contains(term, author) || strings.Contains(term, svc) {
		t.Errorf("terminal output did not fit the columns:\n%s", term)
	}
}
