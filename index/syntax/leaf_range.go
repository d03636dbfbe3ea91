package syntax

import (
	"math"
	"time"

	"github.com/culprit-dev/culprit/index/model"
)

// NumRange matches a numeric field within [Lo, Hi], each bound inclusive or
// not (status:>=500, duration:<10, status:404 is [404, 404]). An unbounded
// side is ±Inf. An event without the field (status 0, no duration) never
// matches.
type NumRange struct {
	Field        Field
	Lo, Hi       float64
	LoInc, HiInc bool
}

// Match implements Node.
func (l *NumRange) Match(ev *model.Event) bool {
	v, ok := l.Field.number(ev)
	return ok && l.Contains(v)
}

// Contains reports whether v is in the range.
func (l *NumRange) Contains(v float64) bool {
	if v < l.Lo || v == l.Lo && !l.LoInc {
		return false
	}
	if v > l.Hi || v == l.Hi && !l.HiInc {
		return false
	}
	return true
}

// unbounded returns the range of all numbers.
func unbounded(f Field) *NumRange {
	return &NumRange{Field: f, Lo: math.Inf(-1), Hi: math.Inf(1), LoInc: true, HiInc: true}
}

// TimeRange matches the event time within bounds: Lo when HasLo, Hi when
// HasHi, each inclusive or not (time:>="2024-05-01T10:00:00Z"; a Filter's
// Since and Until are [Since, Until)).
type TimeRange struct {
	Lo, Hi       time.Time
	HasLo, HasHi bool
	LoInc, HiInc bool
}

// Match implements Node.
func (l *TimeRange) Match(ev *model.Event) bool { return l.Contains(ev.Time) }

// Contains reports whether t is in the range.
func (l *TimeRange) Contains(t time.Time) bool {
	if l.HasLo {
		if c := t.Compare(l.Lo); c < 0 || c == 0 && !l.LoInc {
			return false
		}
	}
	if l.HasHi {
		if c := t.Compare(l.Hi); c > 0 || c == 0 && !l.HiInc {
			return false
		}
	}
	return true
}
