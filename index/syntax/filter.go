package syntax

import (
	"fmt"
	"strings"

	"github.com/culprit-dev/culprit/index/model"
)

// FromFilter returns the query tree of a whole Filter: its fields and its
// Query, all of which must hold. Keyword fields match whole values (Level
// case-insensitively), MinLevel is that level or worse, Since and Until
// bound the time to [Since, Until). Errors (an unparsable Query, an unknown
// MinLevel) wrap model.ErrInvalidQuery.
func FromFilter(f model.Filter) (Node, error) {
	var kids []Node
	kw := func(name, v string) {
		if v == "" {
			return
		}
		fl, _ := LookupField(name)
		if fl.Fold() {
			v = strings.ToLower(v)
		}
		kids = append(kids, &Equal{Field: fl, Value: v})
	}
	kw("request_id", f.RequestID)
	kw("trace_id", f.TraceID)
	kw("fingerprint", f.Fingerprint)
	kw("service", f.Service)
	kw("level", f.Level)
	kw("route", f.Route)
	kw("user", f.User)
	if f.MinLevel != "" {
		r, ok := model.LevelRank(strings.ToLower(f.MinLevel))
		if !ok {
			return nil, fmt.Errorf("min level %q: want one of trace, debug, info, warn, error, fatal: %w", f.MinLevel, model.ErrInvalidQuery)
		}
		level, _ := LookupField("level")
		or := &Or{}
		for _, name := range model.Levels[r:] {
			or.Kids = append(or.Kids, &Equal{Field: level, Value: name})
		}
		kids = append(kids, or)
	}
	if f.ErrorsOnly {
		kids = append(kids, &IsError{Value: true})
	}
	if !f.Since.IsZero() || !f.Until.IsZero() {
		l := &TimeRange{}
		if !f.Since.IsZero() {
			l.Lo, l.HasLo, l.LoInc = f.Since, true, true
		}
		if !f.Until.IsZero() {
			l.Hi, l.HasHi = f.Until, true
		}
		kids = append(kids, l)
	}
	if strings.TrimSpace(f.Query) != "" {
		q, err := Parse(f.Query)
		if err != nil {
			return nil, err
		}
		kids = append(kids, q)
	}
	switch len(kids) {
	case 0:
		return All{}, nil
	case 1:
		return kids[0], nil
	}
	return &And{Kids: kids}, nil
}
