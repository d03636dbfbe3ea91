package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/culprit-dev/culprit/query"
)

// Explore's follow mode (F, as in less): while it is on, each time the
// index moves (live.go notices it) the query runs again in the background.
// Until the new first page is there the screen keeps showing what it
// showed: the old pages stay as the "stale" rows, shifted by the number of
// rows that arrived, so nothing is cleared and nothing flickers. The cursor
// never moves under the user: at the newest end it stays there (the new rows
// come into view, as less's F does); scrolled away, it stays on the same
// line and the status line counts the rows that arrived ("N new"), until
// the user goes back to the newest end. See docs/follow.md.

// toggleFollow turns follow mode on (going to the newest end and looking
// for news at once) or off.
func (m exploreModel) toggleFollow() (exploreModel, tea.Cmd) {
	m.following = !m.following
	if !m.following {
		return m, statusCmd("follow off", false)
	}
	prev := m.cursor
	m.cursor, m.newRows = m.newestRow(), 0
	m, cmd := m.moved(prev)
	m, rc := m.refresh(m.span)
	return m, tea.Batch(cmd, rc, statusCmd("following: new matching lines come in as they are indexed (F stops)", false))
}

// newestRow is the row of the newest line in the current order.
func (m exploreModel) newestRow() int {
	if m.oldest {
		return max(m.total-1, 0)
	}
	return 0
}

// atNewest reports whether the cursor is on the newest line.
func (m exploreModel) atNewest() bool { return m.cursor == m.newestRow() }

// refresh runs the query again over span, keeping what is on screen until
// the answers arrive. It does nothing unless following a query that has
// answered.
func (m exploreModel) refresh(span query.Span) (exploreModel, tea.Cmd) {
	if !m.following || !m.ran || !m.totalKnown {
		return m, nil
	}
	if m.cancel != nil {
		m.cancel()
	}
	// What the first page of the refresh needs to place the screen exactly
	// (followCmd): the query's window and total as shown, and the line under
	// the cursor unless it is the newest (then it follows the newest).
	snap := followSnap{since: m.filter().Since, total: m.total, row: m.cursor}
	if m.refreshing {
		// A refresh superseding one still waiting places against the
		// results the screen still shows, not those it never settled.
		snap = m.snap
	}
	if !m.atNewest() {
		if ev, ok := m.event(m.cursor); ok {
			snap.anchor, snap.anchored, snap.row = ev, true, m.cursor
		}
	}
	ctx, cancel := context.WithCancel(m.c.ctx)
	m.gen, m.cancel = ctx, cancel
	m.seq++
	m.span = span
	if !m.refreshing {
		// A refresh superseding one still waiting keeps the older rows:
		// the pages of the superseded one are not all there.
		m.stale, m.staleShift = m.pages, 0
	}
	m.refreshing, m.snap = true, snap
	m.err, m.jump = nil, 0
	m.pages = map[int][]query.Event{}
	m.inflight = map[int]bool{0: true}
	return m, tea.Batch(
		followCmd(ctx, m.c.b, m.seq, m.searchOptions(), snap),
		facetsCmd(ctx, m.c.b, m.seq, m.filter()),
		m.histCmd(ctx),
	)
}

// followSnap is what the screen showed when a follow refresh started.
type followSnap struct {
	since    time.Time   // the query's window started here (zero: no start)
	total    int         // its hits
	anchor   query.Event // the line under the cursor, when anchored
	anchored bool
	row      int // the cursor's row
}

// followMsg answers a follow refresh: its first page, the number of
// matching lines committed since the snapshot, and where the snapshot's
// cursor line is now.
type followMsg struct {
	pageMsg
	added   int
	counted bool // added was counted (only when the cursor was away from the newest line)
	placed  bool // row is the anchor's row in the new results
	row     int
}

// followTies bounds the lines sharing the anchor's time that followCmd
// reads to find the anchor among them.
const followTies = 5 * pageSize

// followCmd fetches the first page of the refreshed query o and places the
// snapshot in it exactly, whatever the times of the lines that arrived
// (several files out of step send lines older than those shown):
//
//   - added: the index only grows, so the lines committed since the
//     snapshot that match are the matches now over the snapshot's window
//     minus the snapshot's total. When the window slid forward (a relative
//     range, 1–4, ends at the newest line), the lines it left behind are
//     counted back in.
//   - row: the lines before the anchor in the new order are counted
//     (those newer than it, newest first; older, oldest first), and those
//     stamped with its very time are read to find it among them.
//
// Lines committed while these queries run would make them disagree: the
// total is asked again at the end and the whole is redone when it moved.
func followCmd(ctx context.Context, b Backend, seq int, o query.SearchOptions, snap followSnap) tea.Cmd {
	return func() tea.Msg {
		var msg followMsg
		for range 3 {
			page, ok := pageCmd(ctx, b, seq, o, 0)().(pageMsg)
			msg = followMsg{pageMsg: page}
			if !ok || page.err != nil || !snap.anchored {
				// At the newest line nothing is counted or placed: the
				// cursor follows the newest line (each count evaluates
				// every match, on the writer).
				return msg
			}
			total := page.res.Total
			count := func(since, until time.Time) (int, error) {
				c := o
				c.Since, c.Until, c.Limit, c.Offset = since, until, 1, 0
				r, err := b.Search(ctx, c)
				return r.Total, err
			}
			all := total
			if !snap.since.IsZero() && (o.Since.IsZero() || o.Since.After(snap.since)) {
				left, err := count(snap.since, o.Since)
				if err != nil {
					return msg
				}
				all += left
			}
			msg.added, msg.counted = max(all-snap.total, 0), true
			if snap.anchored {
				msg.row, msg.placed = placeAnchor(ctx, b, o, snap.anchor, count)
			}
			again, err := count(o.Since, o.Until)
			if err != nil || again == total {
				return msg
			}
		}
		msg.placed, msg.counted = false, false // the index kept moving: go by the totals
		return msg
	}
}

// placeAnchor finds the row of ev in the results of o.
func placeAnchor(ctx context.Context, b Backend, o query.SearchOptions, ev query.Event, count func(since, until time.Time) (int, error)) (int, bool) {
	if (!o.Since.IsZero() && ev.Time.Before(o.Since)) || (!o.Until.IsZero() && !ev.Time.Before(o.Until)) {
		return 0, false // the window left it behind
	}
	var before int
	var err error
	if o.Order == query.OldestFirst {
		before, err = count(o.Since, ev.Time)
	} else {
		since := ev.Time.Add(time.Nanosecond)
		before, err = count(since, o.Until)
	}
	if err != nil {
		return 0, false
	}
	t := o
	t.Since, t.Until, t.Limit = ev.Time, ev.Time.Add(time.Nanosecond), pageSize
	for t.Offset = 0; t.Offset < followTies; t.Offset += pageSize {
		r, err := b.Search(ctx, t)
		if err != nil {
			return 0, false
		}
		for i, e := range r.Events {
			if e.Source == ev.Source && e.Line == ev.Line {
				return before + t.Offset + i, true
			}
		}
		if t.Offset+len(r.Events) >= r.Total || len(r.Events) == 0 {
			break
		}
	}
	return 0, false
}

// settle places the refreshed results, total rows now, under the cursor:
// the lines that arrived are counted while the cursor is away from the
// newest line, and the cursor stays on its line (placed by followCmd; by the
// growth of the total when it could not be) unless it was on the newest
// one.
func (m exploreModel) settle(msg followMsg) exploreModel {
	m.refreshing = false
	total := msg.res.Total
	tailing := m.atNewest()
	shift := 0 // keys pressed while the refresh ran moved the cursor too
	switch {
	case msg.placed:
		shift = msg.row - m.snap.row
	case !m.oldest:
		// Newest first, unplaced: the new rows are taken to come in at
		// the top, pushing the others down.
		shift = total - m.total
	}
	if !tailing {
		m.cursor += shift
		m.top += shift
		m.staleShift += shift
		if msg.counted {
			m.newRows += msg.added
		} else {
			// The cursor left the newest line while the refresh ran.
			m.newRows += max(total-m.total, 0)
		}
	} else if !m.oldest {
		m.staleShift += total - m.total
	}
	m.total = total
	if tailing {
		m.cursor = m.newestRow()
		m.top = follow(m.top, m.cursor, max(m.rows(), 1))
	}
	m.cursor = min(max(m.cursor, 0), max(total-1, 0))
	m.top = min(max(m.top, 0), m.cursor)
	return m
}

// staleEvent is row i from the rows shown before a refresh, while the
// refresh's page for it is not there yet.
func (m exploreModel) staleEvent(i int) (query.Event, bool) {
	if m.stale == nil {
		return query.Event{}, false
	}
	j := i - m.staleShift
	if j < 0 {
		return query.Event{}, false
	}
	evs, ok := m.stale[j/pageSize]
	if !ok || j%pageSize >= len(evs) {
		return query.Event{}, false
	}
	return evs[j%pageSize], true
}
