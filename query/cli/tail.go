package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"syscall"
	"time"

	"github.com/culprit-dev/culprit/query"
)

// search --follow and errors --follow poll the index (through the writer's
// socket while one runs) and print what is new. See docs/follow.md.

// tailPoll is how often a following command looks for new results.
var tailPoll = 250 * time.Millisecond

// tailLookback is how far before the newest match a line may be stamped
// and still be shown when it arrives late (another file's clock, a slow
// shipper). Lines older than that are counted on stderr, not shown.
var tailLookback = time.Minute

// tailPage is the page size of the scans.
const tailPage = 1000

// tailer finds the matches of a search that are new since its last look.
// A match is known by its source and line; the keys of the matches within
// tailLookback of the newest are kept, so memory is bounded by the matches
// of that window.
type tailer struct {
	// find returns the matches with time >= since (newest first).
	find  func(ctx context.Context, since time.Time, offset, limit int) (query.Result, error)
	total int                  // matches at the last look
	seen  map[string]time.Time // keys of the matches within the window
	mark  time.Time            // newest match time
}

func evKey(e *query.Event) string { return fmt.Sprintf("%s\x00%d", e.Source, e.Line) }

// start takes the current matches as known, and returns the newest limit of
// them, oldest first.
func (t *tailer) start(ctx context.Context, limit int) ([]query.Event, error) {
	t.seen = map[string]time.Time{}
	res, err := t.find(ctx, time.Time{}, 0, limit)
	if err != nil {
		return nil, err
	}
	t.total = res.Total
	first := slices.Clone(res.Events)
	if len(first) > 0 {
		t.mark = first[0].Time
		// Every match of the window is known, shown or not.
		if _, _, err := t.scan(ctx, -1); err != nil {
			return nil, err
		}
	}
	slices.Reverse(first)
	return first, nil
}

// scan walks the window's matches newest first, recording them as seen,
// and returns the unseen ones (oldest first), stopping once want were
// found (want < 0: walk it all).
func (t *tailer) scan(ctx context.Context, want int) ([]query.Event, int, error) {
	var out []query.Event
	var since time.Time // no match seen yet: every match is new
	if !t.mark.IsZero() {
		since = t.mark.Add(-tailLookback)
	}
	newest := t.mark
	total := 0
	for off := 0; ; off += tailPage {
		res, err := t.find(ctx, since, off, tailPage)
		if err != nil {
			return nil, 0, err
		}
		if off == 0 {
			total = res.Total
		}
		for i := range res.Events {
			e := &res.Events[i]
			k := evKey(e)
			if _, ok := t.seen[k]; ok {
				continue
			}
			t.seen[k] = e.Time
			if e.Time.After(newest) {
				newest = e.Time
			}
			out = append(out, *e)
		}
		if len(res.Events) < tailPage || want >= 0 && len(out) >= want {
			break
		}
	}
	t.mark = newest
	slices.Reverse(out)
	return out, total, nil
}

// next returns the matches that arrived since the last look, oldest first,
// and how many arrived with times too old to be found (beyond the window).
func (t *tailer) next(ctx context.Context) (evs []query.Event, missed int, err error) {
	res, err := t.find(ctx, time.Time{}, 0, 1)
	if err != nil {
		return nil, 0, err
	}
	delta := res.Total - t.total
	// A store that reads only its newest rows (shipped rows on
	// VictoriaLogs, docs/victorialogs.md) keeps the same total as rows
	// arrive: an unseen newest match is news too.
	changed := false
	if len(res.Events) > 0 {
		_, known := t.seen[evKey(&res.Events[0])]
		changed = !known
	}
	if delta == 0 && !changed {
		return nil, 0, nil
	}
	if delta < 0 || t.mark.IsZero() {
		// The index was re-created, or the first matches: start over, and
		// walk every match, not only the last minute of the newest one (a
		// burst of lines arrives in one look).
		t.total = 0
		t.mark = time.Time{}
		delta = res.Total
	}
	want := delta
	if delta <= 0 {
		want = -1 // how many is unknown: walk the window
	}
	evs, _, err = t.scan(ctx, want)
	if err != nil {
		return nil, 0, err
	}
	t.total = res.Total
	// Forget what fell out of the window.
	for k, at := range t.seen {
		if at.Before(t.mark.Add(-tailLookback)) {
			delete(t.seen, k)
		}
	}
	return evs, max(0, delta-len(evs)), nil
}

// follow prints first, then every poll what next finds, until ctx is done
// (exit 130) or the output is closed (a pipe's reader went away: exit 0).
func (g *globals) follow(ctx context.Context, t *tailer, first []query.Event, emit func([]query.Event) error) error {
	if err := emit(first); err != nil {
		return g.endFollow(ctx, err)
	}
	return g.poll(ctx, func() error {
		evs, missed, err := t.next(ctx)
		if err != nil {
			return err
		}
		if missed > 0 {
			fmt.Fprintf(g.env.Err, "%s arrived stamped more than %v before the newest: not shown\n", count(missed, "matching line"), tailLookback)
		}
		if len(evs) > 0 {
			return emit(evs)
		}
		return nil
	})
}

// poll runs step every tailPoll until it fails, ctx is done or the output's
// reader goes away, and says how the follow ended (see endFollow).
func (g *globals) poll(ctx context.Context, step func() error) error {
	tick := time.NewTicker(tailPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if outClosed(g.env.Out) {
			return nil // the reader went away: as a write would say, EPIPE
		}
		if err := step(); err != nil {
			return g.endFollow(ctx, err)
		}
	}
}

// endFollow maps the error that ended a follow: a closed output is a clean
// end (exit 0), an interrupt is ctx's error (exit 130).
func (g *globals) endFollow(ctx context.Context, err error) error {
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrClosedPipe) {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// textEmitter writes events as search's table, the header once.
func (g *globals) textEmitter() func([]query.Event) error {
	header := true
	return func(evs []query.Event) error {
		if len(evs) == 0 {
			return nil
		}
		var b bytes.Buffer
		if err := query.WriteEventsText(&b, evs, g.env.textOptions()); err != nil {
			return err
		}
		out := b.Bytes()
		if !header {
			if i := bytes.IndexByte(out, '\n'); i >= 0 {
				out = out[i+1:]
			}
		}
		header = false
		_, err := g.env.Out.Write(out)
		return err
	}
}

// followErrors is errors --follow: the groups, then, each time the index
// grew, the groups that are new or whose count or last occurrence changed
// (a group per line, NDJSON, with --json; table rows otherwise).
func followErrors(ctx context.Context, o *errorsOptions, inv *query.Investigator, eo query.ErrorsOptions) error {
	type state struct {
		count int
		last  time.Time
	}
	known := map[string]state{}
	changed := func(gs []query.ErrorGroup) []query.ErrorGroup {
		var out []query.ErrorGroup
		for _, g := range gs {
			st := state{g.Count, g.LastSeen}
			if known[g.Fingerprint] != st {
				known[g.Fingerprint] = st
				out = append(out, g)
			}
		}
		return out
	}
	header := true
	emit := func(gs []query.ErrorGroup) error {
		if len(gs) == 0 {
			return nil
		}
		if o.JSON {
			for _, g := range gs {
				if err := query.WriteJSON(o.env.Out, g, false); err != nil {
					return err
				}
			}
			return nil
		}
		var b bytes.Buffer
		if err := query.WriteErrorsText(&b, gs, o.env.textOptions()); err != nil {
			return err
		}
		out := b.Bytes()
		if !header {
			if i := bytes.IndexByte(out, '\n'); i >= 0 {
				out = out[i+1:]
			}
		}
		header = false
		_, err := o.env.Out.Write(out)
		return err
	}
	span, err := inv.Span(ctx)
	if err != nil {
		return err
	}
	gs, err := inv.Errors(ctx, eo)
	if err == nil {
		err = emit(changed(gs))
	}
	if err != nil {
		return o.endFollow(ctx, err)
	}
	return o.poll(ctx, func() error {
		now, err := inv.Span(ctx)
		if err != nil || now == span {
			return err
		}
		span = now
		gs, err := inv.Errors(ctx, eo)
		if err != nil {
			return err
		}
		return emit(changed(gs))
	})
}
