package victorialogs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/syntax"
)

// Row layout. An event is one row: its canonical fields under their own
// names (what a LogsQL user expects to see), the original line as _msg,
// and culprit's own fields, prefixed culprit_, that make queries exact.
const (
	fKind   = "culprit_kind"  // "event", "deploy" or "checkpoint"
	fID     = "culprit_id"    // the row's identity (see rowID)
	fSort   = "culprit_sk"    // source and line as letters, for the tie order
	fBatch  = "culprit_batch" // the commit that wrote the row, to count it back
	fWords  = "culprit_words" // the words an unfielded term searches
	fWMsg   = "culprit_wm"    // the words of message
	fWErr   = "culprit_we"    // the words of error
	fWStack = "culprit_ws"    // the words of stack
	fNoRaw  = "culprit_noraw" // "1": the line was empty (_msg then holds a default)
	fCPKey  = "culprit_cpkey" // a checkpoint's source key
	fCP     = "culprit_cp"    // a checkpoint, as JSON
	fLCPre  = "culprit_lc_"   // + level or method: the value lowercased
	fMsgRaw = "_msg"          // the original line
	fTime   = "_time"         // the event time
	kindEv  = "event"         // fKind of an event
	kindDep = "deploy"        // fKind of a deploy
	kindCP  = "checkpoint"    // fKind of a checkpoint
	eventSF = "service,host"  // the stream fields of events: low cardinality
	otherSF = "culprit_kind"  // the stream fields of deploys and checkpoints
	trueVal = "true"          // a set flag
	noneVal = ""              // VictoriaLogs drops empty values: a missing field reads as ""
	wordSep = " "             // between the words of one string
	strSep  = "\n"            // between the strings of one event
	sortSep = "."             // between source and line in fSort
)

// eventFields are the fields a Find fetches to rebuild an event.
var eventFields = []string{
	fTime, fMsgRaw, fNoRaw, fID, "level", "message", "request_id", "service", "host", "version",
	"method", "path", "route", "status", "user", "duration_ms", "error_type", "error", "stack",
	"fingerprint", "is_error", "source", "line", "text", "untimed", "truncated",
	"trace_id", "span_id", "parent_span_id",
}

// rowID identifies an event by where it came from and what it said: the
// source name, the line number and the line's bytes. Re-reading a line
// gives the same id, so the writer can tell it is already stored.
func rowID(ev *model.Event) string {
	h := sha256.New()
	h.Write([]byte(ev.Source))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, ev.Line, 10))
	h.Write([]byte{0})
	h.Write(ev.Raw)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// deployID identifies a deploy the way the contract deduplicates them: by
// time, service, version and commit.
func deployID(d *model.Deploy) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s", d.Time.UnixNano(), d.Service, d.Version, d.Commit)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// sortKey encodes source and line so that VictoriaLogs' sort, which
// compares runs of digits as numbers, orders them as the contract does
// (source byte by byte, then line): every byte becomes two letters a–p,
// and the line sixteen.
func sortKey(source string, line int64) string {
	var b strings.Builder
	b.Grow(2*len(source) + 17)
	for i := 0; i < len(source); i++ {
		b.WriteByte('a' + source[i]>>4)
		b.WriteByte('a' + source[i]&15)
	}
	b.WriteString(sortSep)
	u := uint64(line) ^ 1<<63 // negative lines (never written) still sort first
	for i := 60; i >= 0; i -= 4 {
		b.WriteByte('a' + byte(u>>uint(i)&15))
	}
	return b.String()
}

// wordText renders the words of each string fn yields, the words of one
// string separated by a space and the strings by a newline, so that a
// LogsQL phrase over it matches consecutive words of one string and
// nothing across two.
func wordText(each func(fn func(s []byte))) string {
	var b strings.Builder
	var sp syntax.WordSplitter
	first := true
	each(func(s []byte) {
		start := true
		sp.Each(s, func(w []byte) {
			switch {
			case start && !first:
				b.WriteString(strSep)
			case !start:
				b.WriteString(wordSep)
			}
			b.Write(w)
			start, first = false, false
		})
	})
	return b.String()
}

// one yields a single string.
func one(s string) func(fn func(s []byte)) {
	return func(fn func(s []byte)) { fn([]byte(s)) }
}

// eventRow renders ev as the JSON object to insert.
func eventRow(ev *model.Event, batch string) ([]byte, error) {
	var w rowWriter
	w.str(fKind, kindEv)
	w.str(fID, rowID(ev))
	w.str(fSort, sortKey(ev.Source, ev.Line))
	w.str(fBatch, batch)
	w.str(fTime, ev.Time.UTC().Format(time.RFC3339Nano))
	w.str("source", ev.Source)
	w.str("line", strconv.FormatInt(ev.Line, 10))
	if len(ev.Raw) == 0 {
		w.str(fNoRaw, "1")
	} else {
		w.str(fMsgRaw, string(ev.Raw))
	}
	w.str("level", ev.Level)
	w.str("message", ev.Message)
	w.str("request_id", ev.RequestID)
	w.str("service", ev.Service)
	w.str("host", ev.Host)
	w.str("version", ev.Version)
	w.str("method", ev.Method)
	w.str("path", ev.Path)
	w.str("route", ev.Route)
	w.str("user", ev.User)
	w.str("error_type", ev.ErrorType)
	w.str("error", ev.Error)
	w.str("stack", ev.Stack)
	w.str("fingerprint", ev.Fingerprint)
	w.str("trace_id", ev.TraceID)
	w.str("span_id", ev.SpanID)
	w.str("parent_span_id", ev.ParentSpanID)
	w.str(fLCPre+"level", strings.ToLower(ev.Level))
	w.str(fLCPre+"method", strings.ToLower(ev.Method))
	if ev.Status != 0 {
		w.str("status", strconv.Itoa(ev.Status))
	}
	if d := ev.DurationMS; d != 0 && d == d {
		w.str("duration_ms", strconv.FormatFloat(d, 'f', -1, 64))
	}
	flag := func(k string, v bool) {
		if v {
			w.str(k, trueVal)
		}
	}
	flag("is_error", ev.IsError)
	flag("text", ev.Text)
	flag("untimed", ev.Untimed)
	flag("truncated", ev.Truncated)
	w.str(fWords, wordText(func(fn func(s []byte)) { syntax.EachString(ev, fn) }))
	w.str(fWMsg, wordText(one(ev.Message)))
	w.str(fWErr, wordText(one(ev.Error)))
	w.str(fWStack, wordText(one(ev.Stack)))
	return w.bytes(), nil
}

// deployRow renders d as the JSON object to insert.
func deployRow(d *model.Deploy, batch string) ([]byte, error) {
	m := map[string]string{
		fKind:   kindDep,
		fID:     deployID(d),
		fBatch:  batch,
		fTime:   d.Time.UTC().Format(time.RFC3339Nano),
		fMsgRaw: fmt.Sprintf("deploy %s %s", d.Service, d.Version),
	}
	str := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	str("service", d.Service)
	str("version", d.Version)
	str("commit", d.Commit)
	str("author", d.Author)
	str("environment", d.Environment)
	// Prefixed: an event's status is its HTTP status.
	str("deploy_hosts", d.Hosts)
	str("deploy_status", d.Status)
	str("deploy_description", d.Description)
	str("source", d.Source)
	if d.Line != 0 {
		m["line"] = strconv.FormatInt(d.Line, 10)
	}
	return json.Marshal(m)
}

// deployFields are the fields Deploys fetches.
var deployFields = []string{fTime, fID, "service", "version", "commit", "author", "environment", "source", "line",
	"deploy_hosts", "deploy_status", "deploy_description"}

// decodeDeploy rebuilds a deploy from a row.
func decodeDeploy(r map[string]string) (model.Deploy, error) {
	t, err := time.Parse(time.RFC3339Nano, r[fTime])
	if err != nil {
		return model.Deploy{}, fmt.Errorf("victorialogs: deploy row %s: time %q: %w", r[fID], r[fTime], err)
	}
	d := model.Deploy{
		Time: t.UTC(), Service: r["service"], Version: r["version"], Commit: r["commit"],
		Author: r["author"], Environment: r["environment"], Source: r["source"],
		Hosts: r["deploy_hosts"], Status: r["deploy_status"], Description: r["deploy_description"],
	}
	if v := r["line"]; v != "" {
		if d.Line, err = strconv.ParseInt(v, 10, 64); err != nil {
			return model.Deploy{}, fmt.Errorf("victorialogs: deploy row %s: line %q: %w", r[fID], v, err)
		}
	}
	return d, nil
}

// decodeEvent rebuilds an event from a row the writer wrote.
func decodeEvent(r map[string]string) (model.Event, error) {
	bad := func(field string, err error) (model.Event, error) {
		return model.Event{}, fmt.Errorf("victorialogs: row %s (%s:%s): %s %q: %w", r[fID], r["source"], r["line"], field, r[field], err)
	}
	t, err := time.Parse(time.RFC3339Nano, r[fTime])
	if err != nil {
		return bad(fTime, err)
	}
	ev := model.Event{
		Time: t.UTC(), Level: r["level"], Message: r["message"], RequestID: r["request_id"],
		Service: r["service"], Host: r["host"], Version: r["version"], Method: r["method"],
		Path: r["path"], Route: r["route"], User: r["user"], ErrorType: r["error_type"],
		Error: r["error"], Stack: r["stack"], Fingerprint: r["fingerprint"],
		TraceID: r["trace_id"], SpanID: r["span_id"], ParentSpanID: r["parent_span_id"],
		IsError: r["is_error"] == trueVal, Source: r["source"], Text: r["text"] == trueVal,
		Untimed: r["untimed"] == trueVal, Truncated: r["truncated"] == trueVal,
	}
	if r[fNoRaw] == "" {
		ev.Raw = []byte(r[fMsgRaw])
	}
	if v := r["line"]; v != "" {
		if ev.Line, err = strconv.ParseInt(v, 10, 64); err != nil {
			return bad("line", err)
		}
	}
	if v := r["status"]; v != "" {
		if ev.Status, err = strconv.Atoi(v); err != nil {
			return bad("status", err)
		}
	}
	if v := r["duration_ms"]; v != "" {
		if ev.DurationMS, err = strconv.ParseFloat(v, 64); err != nil {
			return bad("duration_ms", err)
		}
	}
	return ev, nil
}
