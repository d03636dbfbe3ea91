package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// appendProbes adds n "probe" lines to the fake, newer than all its lines,
// as an ingest running meanwhile would.
func appendProbes(f *fakeBackend, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	last := f.events[len(f.events)-1].Time
	for i := range n {
		k := len(f.events)
		f.events = append(f.events, query.Event{
			Time: last.Add(time.Duration(i+1) * time.Second), Service: "gateway", Level: "error", IsError: true,
			Message: fmt.Sprintf("probe %d failed", k), Source: "logs/gateway.jsonl", Line: int64(10000 + k),
		})
	}
	f.store = nil // the fake's index is built again from the events
}

// exploreProbes opens explore on the probe lines (20 of them) with follow
// mode on.
func exploreProbes(t *testing.T, f *fakeBackend, w, h int) Model {
	t.Helper()
	appendProbes(f, 20)
	m := started(t, f, w, h)
	m, _ = send(t, m, openExploreMsg{query: "probe"})
	m, _ = send(t, m, keyPress("F"))
	if !m.explore.following || m.explore.total != 20 {
		t.Fatalf("after F: following %v, %d hits; want true, 20", m.explore.following, m.explore.total)
	}
	return m
}

// At the newest line, follow mode brings new lines into view: the cursor
// stays on the newest line, nothing is counted as unseen.
func TestExploreFollowTails(t *testing.T) {
	f := newFake()
	m := exploreProbes(t, f, 100, 30)
	appendProbes(f, 3)
	m, _ = send(t, m, liveTickMsg{})
	e := m.explore
	if e.total != 23 || e.cursor != 0 || e.newRows != 0 {
		t.Fatalf("after 3 new lines: %d hits, cursor %d, %d new; want 23, 0, 0", e.total, e.cursor, e.newRows)
	}
	if got, ok := e.event(0); !ok || got.Message != "probe 1822 failed" {
		t.Fatalf("row 0 is %q, want the newest probe", got.Message)
	}
	if v := screenText(m); !strings.Contains(v, "probe 1822 failed") || !strings.Contains(v, "following") {
		t.Fatalf("the new line or the follow mark is not on screen:\n%s", v)
	}
}

// Scrolled away, the line under the cursor stays under it, the new lines
// are counted, and going back to the newest line clears the count.
func TestExploreFollowKeepsCursorLine(t *testing.T) {
	f := newFake()
	m := exploreProbes(t, f, 100, 30)
	for range 4 {
		m, _ = send(t, m, keyPress("j"))
	}
	before, _ := m.explore.event(m.explore.cursor)
	appendProbes(f, 3)

	// Before the new results arrive the screen still shows the old rows.
	shown := screenText(m)
	m, cmd := step(m, liveTickMsg{})
	m, cmd = step(m, cmd())
	if !m.explore.refreshing {
		t.Fatal("new data did not start a refresh")
	}
	if v := screenText(m); v != shown {
		t.Fatalf("the screen changed before the new results arrived:\nbefore:\n%s\nafter:\n%s", shown, v)
	}
	m, _ = drain(t, m, cmd)

	e := m.explore
	after, _ := e.event(e.cursor)
	if after.Message != before.Message || e.cursor != 7 || e.newRows != 3 || e.total != 23 {
		t.Fatalf("cursor on %q (row %d), %d new, %d hits; want %q (row 7), 3 new, 23 hits", after.Message, e.cursor, e.newRows, e.total, before.Message)
	}
	if v := screenText(m); !strings.Contains(v, "3 new") {
		t.Fatalf("no \"3 new\" on screen:\n%s", v)
	}
	m, _ = send(t, m, keyPress("g"))
	if m.explore.newRows != 0 {
		t.Fatalf("at the newest line %d still counted new", m.explore.newRows)
	}
	// F again stops following: new lines do not come in.
	m, _ = send(t, m, keyPress("F"))
	appendProbes(f, 2)
	m, _ = send(t, m, liveTickMsg{})
	if m.explore.total != 23 {
		t.Fatalf("not following, explore has %d hits, want 23", m.explore.total)
	}
}

// Oldest first, the new lines come in at the end: the cursor follows them
// when it was on the last line, and counts them when it was not.
func TestExploreFollowOldestFirst(t *testing.T) {
	f := newFake()
	m := exploreProbes(t, f, 100, 30)
	m, _ = send(t, m, keyPress("o"))
	m, _ = send(t, m, keyPress("G"))
	appendProbes(f, 2)
	m, _ = send(t, m, liveTickMsg{})
	if e := m.explore; e.cursor != 21 || e.newRows != 0 {
		t.Fatalf("tailing oldest first: cursor %d, %d new; want 21, 0", e.cursor, e.newRows)
	}
	m, _ = send(t, m, keyPress("k"))
	appendProbes(f, 2)
	m, _ = send(t, m, liveTickMsg{})
	if e := m.explore; e.cursor != 20 || e.newRows != 2 {
		t.Fatalf("scrolled away oldest first: cursor %d, %d new; want 20, 2", e.cursor, e.newRows)
	}
}

// p pauses live updates: new data is not looked for until p again.
func TestPauseLiveUpdates(t *testing.T) {
	f := newFake()
	m := started(t, f, 100, 30)
	events := m.span.Events
	m, _ = send(t, m, keyPress("down")) // from the input to the groups
	m, _ = send(t, m, keyPress("p"))
	if !strings.Contains(screenText(m), "PAUSED") {
		t.Fatalf("paused is not shown:\n%s", screenText(m))
	}
	appendProbes(f, 5)
	m, d := send(t, m, liveTickMsg{})
	if m.span.Events != events || len(d.timers) != 1 {
		t.Fatalf("paused: %d events (want %d), %d timers (want 1)", m.span.Events, events, len(d.timers))
	}
	m, _ = send(t, m, keyPress("p"))
	if m.span.Events != events+5 {
		t.Fatalf("resumed: %d events, want %d at once", m.span.Events, events+5)
	}
	if !strings.Contains(strings.Join(m.helpView(), "\n"), "pause/resume live updates") {
		t.Fatal("help does not list p")
	}
}

// The title line says what is followed, the ingest rate and when the last
// line arrived.
func TestLiveStatus(t *testing.T) {
	f := newFake()
	m := started(t, f, 120, 30)
	now := fixedNow
	m.c.now = func() time.Time { return now }
	m.opts.Following = []string{"logs/\x1b[31m"}
	m, _ = send(t, m, liveTickMsg{})
	for range 4 {
		now = now.Add(time.Second)
		appendProbes(f, 10)
		m, _ = send(t, m, liveTickMsg{})
	}
	now = now.Add(3 * time.Second)
	m, _ = send(t, m, liveTickMsg{})
	title := strings.SplitN(screenText(m), "\n", 2)[0]
	for _, want := range []string{"following logs/", "6 ev/s", "last line 3s ago"} {
		if !strings.Contains(title, want) {
			t.Errorf("title %q lacks %q", title, want)
		}
	}
	if strings.Contains(m.View().Content, "\x1b[31m") {
		t.Error("a followed path's escape reached the terminal")
	}
	// A path longer than the terminal is cut, the rest of the title kept.
	m.opts.Following = []string{strings.Repeat("very/long/path/", 20)}
	m, _ = send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	checkLayout(t, m, 80, 24)
	if title := strings.SplitN(screenText(m), "\n", 2)[0]; !strings.HasPrefix(title, "culprit home") || !strings.Contains(title, "following very/long") {
		t.Errorf("title with a long path: %q", title)
	}
}

// growGroup makes the regression's group 5 occurrences larger, the last
// at the newest of 5 new lines, with new lines in the index, as an ingest would.
func growGroup(f *fakeBackend) {
	f.mu.Lock()
	r := *f.reports[regression]
	g := *r.Group
	g.Count += 5
	r.Group = &g
	f.reports[regression] = &r
	f.mu.Unlock()
	appendProbes(f, 5)
	f.mu.Lock()
	g.LastSeen = f.events[len(f.events)-1].Time
	f.mu.Unlock()
}

// An open investigation counts the occurrences that arrived since it was
// opened and shows the group's new figures, without moving focus or
// scroll.
func TestInvestigationNewOccurrences(t *testing.T) {
	f := newFake()
	m := started(t, f, 120, 40)
	m, _ = send(t, m, pasteMsg(regression))
	m, _ = send(t, m, keyPress("tab"))
	m, _ = send(t, m, keyPress("j"))
	focus, cur, off := m.inv.focus, m.inv.cur, m.inv.off
	was := f.reports[regression].Group.Count
	growGroup(f)
	m, _ = send(t, m, liveTickMsg{})
	if m.inv.report.Group.Count != was+5 {
		t.Fatalf("group count %d, want %d", m.inv.report.Group.Count, was+5)
	}
	if m.inv.focus != focus || m.inv.cur != cur || m.inv.off != off {
		t.Fatalf("focus/cursor/scroll moved: %v %v %v, want %v %v %v", m.inv.focus, m.inv.cur, m.inv.off, focus, cur, off)
	}
	v := screenText(m)
	for _, want := range []string{"5 new occurrences since you opened it", count(was+5) + " events"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q on screen:\n%s", want, v)
		}
	}
}

// addProbesAt adds "probe" lines stamped at the given times, as lines of
// files out of step arrive: older than lines already shown.
func addProbesAt(f *fakeBackend, times ...time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, at := range times {
		k := len(f.events)
		f.events = append(f.events, query.Event{
			Time: at, Service: "gateway", Level: "error", IsError: true,
			Message: fmt.Sprintf("probe %d late", k), Source: "logs/late.jsonl", Line: int64(k),
		})
	}
	f.store = nil
}

// Lines that arrive stamped older than the line under the cursor do not
// move it: it stays on its line whatever the times of the new lines, and
// "N new" counts every line that arrived, in both orders.
func TestExploreFollowOutOfOrder(t *testing.T) {
	for _, oldest := range []bool{false, true} {
		t.Run(fmt.Sprintf("oldest=%v", oldest), func(t *testing.T) {
			f := newFake()
			m := exploreProbes(t, f, 100, 30)
			if oldest {
				m, _ = send(t, m, keyPress("o"))
			}
			for range 6 {
				m, _ = send(t, m, keyPress("j"))
			}
			e := m.explore
			before, ok := e.event(e.cursor)
			if !ok || e.cursor != 6 {
				t.Fatalf("cursor on row %d (loaded %v), want 6", e.cursor, ok)
			}
			// Two lines older than the cursor's line, one newer, and one
			// with its very time (after it in source order).
			older, _ := e.event(e.total - 1)
			addProbesAt(f, older.Time.Add(-time.Minute), before.Time.Add(-time.Millisecond), before.Time.Add(time.Millisecond), before.Time)
			m, _ = send(t, m, liveTickMsg{})
			e = m.explore
			after, _ := e.event(e.cursor)
			if after.Source != before.Source || after.Line != before.Line {
				t.Fatalf("the cursor moved from %q to %q (row %d)", before.Message, after.Message, e.cursor)
			}
			// Newest first one or two new lines come before it (the one
			// with its time sorts by source), oldest first two or three.
			lo, hi := 7, 8
			if oldest {
				lo, hi = 8, 9
			}
			if e.cursor < lo || e.cursor > hi || e.newRows != 4 || e.total != 24 {
				t.Fatalf("cursor row %d, %d new, %d hits; want %d-%d, 4, 24", e.cursor, e.newRows, e.total, lo, hi)
			}
			if v := screenText(m); !strings.Contains(v, "4 new") || !strings.Contains(v, before.Message) {
				t.Fatalf("screen lacks \"4 new\" or the cursor's line:\n%s", v)
			}
		})
	}
}

// A relative range slides forward with the newest line: the lines it
// leaves behind are not counted as gone, and the new ones are counted
// exactly.
func TestExploreFollowSlidingRange(t *testing.T) {
	f := newFake()
	m := exploreProbes(t, f, 100, 30)
	m, _ = send(t, m, keyPress("1")) // the last 15 minutes
	for range 3 {
		m, _ = send(t, m, keyPress("j"))
	}
	was := m.explore.total
	before, _ := m.explore.event(m.explore.cursor)
	appendProbes(f, 2)
	f.mu.Lock()
	// Nearly 15 minutes later: the window now leaves the 11 oldest
	// probes behind, not the cursor's.
	for i := len(f.events) - 2; i < len(f.events); i++ {
		f.events[i].Time = f.events[i].Time.Add(15*time.Minute - 10*time.Second)
	}
	f.mu.Unlock()
	m, _ = send(t, m, liveTickMsg{})
	e := m.explore
	after, _ := e.event(e.cursor)
	if e.newRows != 2 || after.Line != before.Line || e.total != was-11+2 {
		t.Fatalf("%d new (want 2), cursor on %q (want %q); hits %d then %d (want %d)", e.newRows, after.Message, before.Message, was, e.total, was-11+2)
	}
}

// The context of a line less than contextWindow before the newest is still
// being written: it follows by itself, so the lines that arrive within
// its window come in. An older line's context does not.
func TestContextOfRecentLineFollows(t *testing.T) {
	f := newFake()
	m := exploreProbes(t, f, 100, 30)
	m, _ = send(t, m, keyPress("F")) // explore itself not following
	m, _ = send(t, m, keyPress("c")) // the newest probe's context
	if m.screen != screenExplore || !m.explore.following || !strings.Contains(m.explore.query, "time:<=") {
		t.Fatalf("c on the newest line: screen %v, following %v, query %q", m.screen, m.explore.following, m.explore.query)
	}
	was := m.explore.total
	appendProbes(f, 1) // one second after the newest: inside the window
	m, _ = send(t, m, liveTickMsg{})
	if m.explore.total != was+1 || !strings.Contains(screenText(m), "probe 1820 failed") {
		t.Fatalf("the context has %d lines (want %d) and shows:\n%s", m.explore.total, was+1, screenText(m))
	}

	m = timelineLine(t, started(t, newFake(), 120, 40))
	m, _ = send(t, m, keyPress("c"))
	if m.screen != screenExplore || m.explore.following {
		t.Fatalf("c on an old line: screen %v, following %v; want explore, not following", m.screen, m.explore.following)
	}
}

// multiFacetBackend answers the facets in one call, as *query.Investigator
// does, and counts the calls of each kind.
type multiFacetBackend struct {
	*fakeBackend
	mu           sync.Mutex
	multi, singl int
}

func (b *multiFacetBackend) Facets(ctx context.Context, f query.Filter, fields []string, size int) ([]query.Facet, error) {
	b.mu.Lock()
	b.multi++
	b.mu.Unlock()
	out := make([]query.Facet, len(fields))
	for i, field := range fields {
		fc, err := b.fakeBackend.Facet(ctx, f, field, size)
		if err != nil {
			return nil, err
		}
		out[i] = fc
	}
	return out, nil
}

func (b *multiFacetBackend) Facet(ctx context.Context, f query.Filter, field string, size int) (query.Facet, error) {
	b.mu.Lock()
	b.singl++
	b.mu.Unlock()
	return b.fakeBackend.Facet(ctx, f, field, size)
}

// Explore asks its facets in one call when the backend can: a followed
// query asks them at every refresh.
func TestExploreFacetsInOneCall(t *testing.T) {
	b := &multiFacetBackend{fakeBackend: newFake()}
	m := started(t, b, 120, 40)
	m, _ = send(t, m, openExploreMsg{query: "probe OR orders"})
	if b.multi != 1 || b.singl != 0 || len(m.explore.facets) != len(facetFields) {
		t.Fatalf("%d multi-field calls, %d single, %d facets; want 1, 0, %d", b.multi, b.singl, len(m.explore.facets), len(facetFields))
	}
	if v := screenText(m); !strings.Contains(v, "Facets") || !strings.Contains(v, "service") {
		t.Fatalf("facets not shown:\n%s", v)
	}
}

// countingBackend counts the searches that only count (Limit 1).
type countingBackend struct {
	*fakeBackend
	mu     sync.Mutex
	counts int
}

func (b *countingBackend) Search(ctx context.Context, o query.SearchOptions) (query.Result, error) {
	if o.Limit == 1 {
		b.mu.Lock()
		b.counts++
		b.mu.Unlock()
	}
	return b.fakeBackend.Search(ctx, o)
}

// Each count evaluates every match on the writer: a refresh at the newest
// line counts nothing (the cursor follows the newest line); scrolled away,
// it counts to place the cursor.
func TestExploreFollowCountsOnlyWhenAway(t *testing.T) {
	b := &countingBackend{fakeBackend: newFake()}
	m := exploreProbes(t, b.fakeBackend, 100, 30)
	m.c.b = b
	appendProbes(b.fakeBackend, 2)
	m, _ = send(t, m, liveTickMsg{})
	if b.counts != 0 || m.explore.total != 22 {
		t.Fatalf("at the newest line: %d counting searches, %d hits; want 0, 22", b.counts, m.explore.total)
	}
	m, _ = send(t, m, keyPress("j"))
	appendProbes(b.fakeBackend, 2)
	m, _ = send(t, m, liveTickMsg{})
	if b.counts == 0 || m.explore.newRows != 2 {
		t.Fatalf("scrolled away: %d counting searches, %d new; want some, 2", b.counts, m.explore.newRows)
	}
}
