package ingest

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

func TestSummaryText(t *testing.T) {
	sum := Summary{
		Sources: []SourceSummary{
			{
				Path: "logs/orders.log", Source: "logs/orders.log#2", Status: "rotated", Lines: 12345, Events: 12340,
				TextLines: 3, Truncated: 1, Untimed: 2, First: t0, Last: t0.Add(time.Hour),
				Fields:     map[string]string{"time": "ts", "request_id": "req.id", "message": "msg", "zzz": "z"},
				Convention: "zap", Overridden: []string{"request_id"},
			},
			{Path: "logs/old.log", Status: "unchanged", Skipped: "unchanged"},
		},
		Events: 12340, Deploys: 4,
		Failed: []PathError{{Path: "nope.log", Err: errors.New("no such file or directory")}, {Path: "d.csv", Err: &LineError{File: "d.csv", Line: 3, Err: errors.New("no time")}}},
	}
	var b strings.Builder
	if err := sum.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"logs/orders.log (as logs/orders.log#2): 12,345 lines, 12,340 events [rotated]",
		"3 not JSON (kept as text), 1 truncated",
		"time: 2026-11-25T10:00:00.000Z .. 2026-11-25T11:00:00.000Z",
		"convention: zap",
		"mapping: time ← ts, message ← msg, request_id ← req.id (--field), zzz ← z",
		"logs/old.log: skipped (unchanged)",
		"total: 2 sources (1 skipped), 12,345 lines, 12,340 events added, 4 deploys added",
		"  nope.log: no such file or directory",
		"  d.csv:3: no time",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("  mapping: ", []string{"time ← ts", "level ← level", "message ← msg", "request_id ← req.id"}, 40)
	want := "  mapping: time ← ts, level ← level,\n" +
		"           message ← msg,\n" +
		"           request_id ← req.id\n"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

func TestSummaryJSON(t *testing.T) {
	sum := Summary{Sources: []SourceSummary{{Path: "a"}, {Path: "b", First: t0, Last: t0}}, Failed: []PathError{{Path: "x", Err: errors.New("boom")}}}
	b, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Sources []map[string]any `json:"sources"`
		Failed  []map[string]string
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Sources[1]["first"]; ok {
		t.Errorf("first marshalled by ingest (the CLI's one time encoder writes it): %s", b)
	}
	for _, k := range []string{"lines", "events", "text_lines", "truncated", "untimed", "fields", "convention"} {
		if _, ok := got.Sources[0][k]; !ok {
			t.Errorf("key %q missing from %s", k, b)
		}
	}
	if got.Failed[0]["path"] != "x" || got.Failed[0]["error"] != "x: boom" {
		t.Errorf("failed = %v", got.Failed)
	}
}

func TestProgressLine(t *testing.T) {
	p := newProgress(nil)
	p.setName("logs/a-very-long-directory-name/orders.log")
	p.total.Store(300 << 20)
	p.done.Store(100 << 20)
	p.lines.Store(400000)
	line := p.line(p.start.Add(time.Second))
	for _, want := range []string{"…", "orders.log", "[###.......]", "100/300 MiB", "400k lines", "400k/s", "ETA 0:02"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress %q lacks %q", line, want)
		}
	}
	if n := len([]rune(line)); n > 79 {
		t.Errorf("progress line is %d columns: %q", n, line)
	}
	p.unknown.Store(true)
	if line := p.line(p.start.Add(2 * time.Second)); !strings.Contains(line, "100 MiB read 400k lines 200k/s") || strings.Contains(line, "ETA") {
		t.Errorf("stream progress %q", line)
	}
}

// commitFailSink fails every commit after the first ok ones, dropping what
// was queued, as a full disk does.
type commitFailSink struct {
	*fakeSink
	ok int
}

func (c *commitFailSink) Commit(cps ...index.Checkpoint) error {
	if c.ok == 0 {
		c.mu.Lock()
		c.queued = nil
		c.mu.Unlock()
		return errors.New("no space left on device")
	}
	c.ok--
	return c.fakeSink.Commit(cps...)
}

func TestSummaryCountsWhatWasCommitted(t *testing.T) {
	defer func(l int64) { commitLines = l }(commitLines)
	commitLines = 100
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.log"), jlines("a", 0, 250))
	writeFile(t, filepath.Join(dir, "b.log"), jlines("b", 0, 700))
	sink := &commitFailSink{fakeSink: newFakeSink(), ok: 1}
	sum, err := Run(t.Context(), Options{Paths: []string{dir}}, sink)
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("err = %v, want the commit failure", err)
	}
	stored := int64(len(sink.events()))
	if stored == 0 || stored == 950 {
		t.Fatalf("%d events stored: the failure should come midway", stored)
	}
	var bySource int64
	for _, s := range sum.Sources {
		bySource += s.Events
	}
	if sum.Events != stored || bySource != stored || sum.NotCommitted == 0 {
		t.Errorf("summary: %d events (%d by source), %d not committed; %d were committed", sum.Events, bySource, sum.NotCommitted, stored)
	}
	var b strings.Builder
	sum.WriteText(&b)
	if !strings.Contains(b.String(), num(stored)+" events added") || !strings.Contains(b.String(), "not committed: ") {
		t.Errorf("text summary does not say what was committed:\n%s", b.String())
	}
}

// TestSummaryPlurals: counts of one take the singular, others the plural.
func TestSummaryPlurals(t *testing.T) {
	var b strings.Builder
	s := Summary{Sources: []SourceSummary{{Path: "a.log", Lines: 1, Events: 1}}, Events: 1, Deploys: 1, NotCommitted: 1}
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a.log: 1 line, 1 event\n", "total: 1 source, 1 line, 1 event added, 1 deploy added\n", "not committed: 1 line read"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	s = Summary{Sources: []SourceSummary{{Path: "a.log", Lines: 1200, Events: 0}, {Path: "b.log", Skipped: "empty"}}}
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a.log: 1,200 lines, 0 events\n", "total: 2 sources (1 skipped), 1,200 lines, 0 events added, 0 deploys added\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

// TestSummaryUnreadSource: a source that could not be opened is not shown
// as "0 lines, 0 events" with a time span and mapping, but as not read.
func TestSummaryUnreadSource(t *testing.T) {
	var b strings.Builder
	s := Summary{
		Sources: []SourceSummary{{Path: "unread.log"}, {Path: "ok.log", Lines: 1, Events: 1}},
		Events:  1,
		Failed:  []PathError{{Path: "unread.log", Err: errors.New("permission denied")}},
	}
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"unread.log: not read (see failed)\n", "total: 2 sources (1 not read), 1 line", "  unread.log: permission denied\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "unread.log: 0 lines") {
		t.Errorf("the unread source is shown with counts:\n%s", b.String())
	}
}
