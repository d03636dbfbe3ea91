package victorialogs

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/syntax"
)

// Rows someone else shipped (Vector, Fluent Bit, an OpenTelemetry
// collector, promtail) carry none of culprit's fields. When the store
// holds no event culprit wrote and a Detector is set, the store reads those
// rows instead: each row becomes one JSON object (its record, see
// foreignRecord), the detector chooses a mapping from a sample of records
// (the same detection ingest runs on files) and the mapping parses every
// record fetched. The derived fields (fingerprint, route, is_error, level,
// request and trace ids) exist only after parsing, so only the kind of row
// and the time range are pushed down; everything else is evaluated by
// culprit on at most Bound rows, the newest, and Warn says when the bound
// cut the rows read.

// Parser fills an event from one record; ingest/logline's Mapping is one.
type Parser interface {
	Parse(line []byte, ev *model.Event)
}

// Detector chooses a Parser from a sample of records.
type Detector func(sample [][]byte) (Parser, error)

// ForeignOptions configure how rows culprit did not write are read.
type ForeignOptions struct {
	// Detect chooses the mapping (nil: such rows are not read).
	Detect Detector
	// Bound is the most rows one question reads (0: DefaultBound).
	Bound int
	// Warn receives a message when a question read only Bound rows of
	// more (nil: discarded).
	Warn func(msg string)
}

// DefaultBound is ForeignOptions.Bound when it is zero.
const DefaultBound = 200000

// foreignSample is how many of the newest rows detection looks at.
const foreignSample = 1000

// foreignKind selects rows without culprit's marker: LogsQL reads a
// missing field as "".
const foreignKind = fKind + `:=""`

// foreign is the state of a store that reads shipped rows.
type foreign struct {
	opts ForeignOptions
	mu   sync.Mutex
	done bool   // the decision below is made
	on   bool   // the store holds foreign rows and no culprit events
	p    Parser // the detected mapping
}

// ReadForeign makes the store read rows culprit did not write when it
// holds no event culprit wrote. Call it before the first question.
func (s *Store) ReadForeign(o ForeignOptions) {
	if o.Bound <= 0 {
		o.Bound = DefaultBound
	}
	s.fr = &foreign{opts: o}
}

// foreignMode reports whether the store reads shipped rows, detecting the
// mapping the first time.
func (s *Store) foreignMode(ctx context.Context) (bool, error) {
	fr := s.fr
	if fr == nil || fr.opts.Detect == nil {
		return false, nil
	}
	fr.mu.Lock()
	defer fr.mu.Unlock()
	if fr.done {
		return fr.on, nil
	}
	// A failure is not remembered: the next question tries again.
	n, err := s.count(ctx, fKind+":="+kindEv+" | limit 1")
	if err != nil {
		return false, err
	}
	if n > 0 {
		fr.done = true
		return false, nil
	}
	var sample [][]byte
	err = s.c.query(ctx, foreignKind+" | sort by (_time desc) limit "+fmt.Sprint(foreignSample), func(r map[string]string) error {
		sample = append(sample, foreignRecord(r))
		return nil
	})
	if err != nil {
		return false, err
	}
	if len(sample) == 0 {
		return false, nil // nothing yet: decide when there is
	}
	p, err := fr.opts.Detect(sample)
	if err != nil {
		return false, fmt.Errorf("victorialogs: detecting the fields of shipped rows: %w", err)
	}
	fr.done, fr.on, fr.p = true, true, p
	return fr.on, nil
}

// foreignRecord renders a shipped row as the JSON object detection and
// parsing read: every field under its own name (dotted names stay literal
// keys, as a shipper flattened them), _time as "_time", and _msg merged
// when it is itself a JSON object (an application's line shipped whole,
// Fluent Bit's "log") or else under "message" ("_msg" when the row has a
// message field too). _stream and _stream_id are left out: the stream's
// fields are fields of the row already.
func foreignRecord(r map[string]string) []byte {
	keys := make([]string, 0, len(r))
	for k := range r {
		switch k {
		case "_stream", "_stream_id", fMsgRaw:
		default:
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var w rowWriter
	for _, k := range keys {
		w.str(k, r[k])
	}
	msg := r[fMsgRaw]
	obj := w.bytes()
	if m := bytes.TrimSpace([]byte(msg)); len(m) > 1 && m[0] == '{' && m[len(m)-1] == '}' && json.Valid(m) {
		// The line's own members first: a key in both is the line's.
		if len(obj) == 2 {
			return m
		}
		inner := bytes.TrimSpace(m[1 : len(m)-1])
		if len(inner) == 0 {
			return obj
		}
		out := append([]byte{'{'}, inner...)
		out = append(out, ',')
		return append(out, obj[1:]...)
	}
	if msg != "" {
		key := "message"
		if _, ok := r["message"]; ok {
			key = fMsgRaw
		}
		w.str(key, msg)
		obj = w.bytes()
	}
	return obj
}

// foreignEvent parses a shipped row. The time is always the row's _time,
// the one the server filters and sorts by, so a pushed-down time range and
// culprit's own test agree. The source is the row's stream and the line a
// hash of the row (no shipper sends a line number): together they identify
// the row for follow mode and order ties the same way on every question.
func foreignEvent(p Parser, r map[string]string) (model.Event, error) {
	t, err := time.Parse(time.RFC3339Nano, r[fTime])
	if err != nil {
		return model.Event{}, fmt.Errorf("victorialogs: shipped row %s: time %q: %w", printable(r["_stream"]), printable(r[fTime]), err)
	}
	rec := foreignRecord(r)
	ev := model.Event{Source: r["_stream"], Raw: rec}
	h := fnv.New64a()
	h.Write([]byte(r["_stream_id"]))
	h.Write([]byte(r[fTime]))
	h.Write(rec)
	ev.Line = int64(binary.BigEndian.Uint64(h.Sum(nil)) >> 11) // 53 bits: exact in JSON numbers
	p.Parse(rec, &ev)
	if msg := r[fMsgRaw]; ev.Level == "" && msg != "" && rec[0] == '{' && !bytes.HasPrefix(bytes.TrimSpace([]byte(msg)), []byte("{")) {
		// A text line shipped as it was (Fluent Bit's "log"): its level
		// is in the text, read as a text file's line would be.
		var line model.Event
		p.Parse([]byte(msg), &line)
		if _, has := r["level"]; line.Level != "" && !has {
			r2 := maps.Clone(r)
			r2["level"] = line.Level
			p.Parse(foreignRecord(r2), &ev) // Raw stays the row as shipped
		}
	}
	ev.Time = t.UTC()
	ev.Untimed = false
	return ev, nil
}

// foreignRange is the pushed-down part of a question on shipped rows: the
// kind of row and f's time range.
func foreignRange(f model.Filter) string {
	q := foreignKind
	if !f.Since.IsZero() {
		q += " _time:>=" + fmtTime(f.Since)
	}
	if !f.Until.IsZero() {
		q += " _time:<" + fmtTime(f.Until)
	}
	return q
}

// eachForeign fetches the newest Bound shipped rows of f's time range,
// parses them and calls fn with each event f matches.
func (s *Store) eachForeign(ctx context.Context, f model.Filter, fn func(ev *model.Event)) error {
	n, err := syntax.FromFilter(f)
	if err != nil {
		return err
	}
	fr := s.fr
	read := 0
	q := foreignRange(f) + fmt.Sprintf(" | sort by (_time desc) limit %d", fr.opts.Bound+1)
	err = s.c.query(ctx, q, func(r map[string]string) error {
		read++
		if read > fr.opts.Bound {
			return nil
		}
		ev, err := foreignEvent(fr.p, r)
		if err != nil {
			return err
		}
		if n.Match(&ev) {
			fn(&ev)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if read > fr.opts.Bound && fr.opts.Warn != nil {
		fr.opts.Warn(fmt.Sprintf("read only the newest %d shipped rows of the time range (more match it): older rows were not looked at; narrow the time range (--since/--until) for an exact answer", fr.opts.Bound))
	}
	return nil
}

// findForeign is Find on shipped rows: every match of the bounded rows,
// ordered as the contract says, then paged.
func (s *Store) findForeign(ctx context.Context, f model.Filter, o model.FindOptions, offset, limit int) (model.Result, error) {
	var evs []model.Event
	if err := s.eachForeign(ctx, f, func(ev *model.Event) { evs = append(evs, *ev) }); err != nil {
		return model.Result{}, err
	}
	slices.SortFunc(evs, func(a, b model.Event) int {
		c := compareEvents(&a, &b)
		if o.Order == model.NewestFirst {
			return -c
		}
		return c
	})
	res := model.Result{Total: len(evs)}
	if offset < len(evs) {
		res.Events = evs[offset:min(len(evs), offset+limit)]
	}
	return res, nil
}
