package query

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// The JSON contract (docs/design.md): times are RFC 3339 in UTC with fractional
// seconds (at least milliseconds), slices are [] and never null, absent
// objects are null. The MarshalJSON methods below hold that shape whoever
// marshals the types; strings from the logs are kept as they are (JSON
// escapes control characters itself), and HTML characters are not escaped.

// jsonTime marshals a time the way the contract says.
type jsonTime time.Time

// MarshalJSON implements json.Marshaler.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + fmtTime(time.Time(t)) + `"`), nil
}

type jsonBucket struct {
	Start jsonTime `json:"start"`
	Count int      `json:"count"`
}

func jsonBuckets(hs []TimeBucket) []jsonBucket {
	out := make([]jsonBucket, len(hs))
	for i, h := range hs {
		out[i] = jsonBucket{jsonTime(h.Start), h.Count}
	}
	return out
}

// marshal is json.Marshal without HTML escaping and without the trailing
// newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(r)
	p.Services = nonNil(p.Services)
	p.Events = nonNil(p.Events)
	p.DeploysNearby = nonNil(p.DeploysNearby)
	return marshal(p)
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (e ReportEvent) MarshalJSON() ([]byte, error) {
	type plain ReportEvent
	var status *int
	if e.Status != 0 {
		status = &e.Status
	}
	return marshal(struct {
		Time   jsonTime `json:"time"`
		Status *int     `json:"status"`
		plain
	}{jsonTime(e.Time), status, plain(e)})
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (e RootError) MarshalJSON() ([]byte, error) {
	return marshal(struct {
		Fingerprint string        `json:"fingerprint"`
		Type        string        `json:"type"`
		Message     string        `json:"message"`
		Stack       string        `json:"stack"`
		Service     string        `json:"service"`
		Route       string        `json:"route"`
		Time        jsonTime      `json:"time"`
		Source      string        `json:"source"`
		Chain       []ReportEvent `json:"chain"`
	}{e.Fingerprint, e.Type, e.Message, e.Stack, e.Service, e.Route, jsonTime(e.Time), e.Source, nonNil(e.Chain)})
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (g Group) MarshalJSON() ([]byte, error) {
	return marshal(struct {
		Fingerprint    string       `json:"fingerprint"`
		Count          int          `json:"count"`
		Requests       int          `json:"requests"`
		FirstSeen      jsonTime     `json:"first_seen"`
		FirstRequestID string       `json:"first_request_id"`
		LastSeen       jsonTime     `json:"last_seen"`
		Histogram      []jsonBucket `json:"histogram"`
	}{g.Fingerprint, g.Count, g.Requests, jsonTime(g.FirstSeen), g.FirstRequestID, jsonTime(g.LastSeen), jsonBuckets(g.Histogram)})
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (d DeployRef) MarshalJSON() ([]byte, error) {
	type plain DeployRef
	return marshal(struct {
		Time jsonTime `json:"time"`
		plain
	}{jsonTime(d.Time), plain(d)})
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (b BlastRadius) MarshalJSON() ([]byte, error) {
	type plain BlastRadius
	p := plain(b)
	p.Endpoints = nonNil(p.Endpoints)
	p.Users = nonNil(p.Users)
	p.Services = nonNil(p.Services)
	p.Outliers = nonNil(p.Outliers)
	return marshal(struct {
		plain
		WindowStart jsonTime `json:"window_start"`
		WindowEnd   jsonTime `json:"window_end"`
	}{p, jsonTime(b.WindowStart), jsonTime(b.WindowEnd)})
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (v Verdict) MarshalJSON() ([]byte, error) {
	type plain Verdict
	p := plain(v)
	p.Evidence = nonNil(p.Evidence)
	p.NextSteps = nonNil(p.NextSteps)
	return marshal(p)
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (g ErrorGroup) MarshalJSON() ([]byte, error) {
	return marshal(struct {
		Fingerprint       string       `json:"fingerprint"`
		Type              string       `json:"type"`
		Message           string       `json:"message"`
		Service           string       `json:"service"`
		Count             int          `json:"count"`
		Requests          int          `json:"requests"`
		FirstSeen         jsonTime     `json:"first_seen"`
		LastSeen          jsonTime     `json:"last_seen"`
		FirstRequestID    string       `json:"first_request_id"`
		EndpointsAffected int          `json:"endpoints_affected"`
		UsersAffected     int          `json:"users_affected"`
		Deploy            *DeployRef   `json:"deploy"`
		New               bool         `json:"new"`
		WrapperOf         string       `json:"wrapper_of,omitempty"`
		Cause             string       `json:"cause"`
		Histogram         []jsonBucket `json:"histogram,omitempty"`
	}{g.Fingerprint, g.Type, g.Message, g.Service, g.Count, g.Requests, jsonTime(g.FirstSeen), jsonTime(g.LastSeen),
		g.FirstRequestID, g.EndpointsAffected, g.UsersAffected, g.Deploy, g.New, g.WrapperOf, g.Cause, jsonBuckets(g.Histogram)})
}

// jsonDeploy is a Deploy in the contract's shape.
type jsonDeploy struct {
	Time        jsonTime `json:"time"`
	Service     string   `json:"service"`
	Version     string   `json:"version"`
	Commit      string   `json:"commit"`
	Author      string   `json:"author"`
	Environment string   `json:"environment"`
	Source      string   `json:"source,omitempty"`
	Line        int64    `json:"line,omitempty"`
}

// WriteReportJSON writes r as one compact JSON object on one line: the
// form for NDJSON (`culprit request -`, one report per ID on stdin).
func WriteReportJSON(w io.Writer, r *Report) error {
	return writeJSONLine(w, r, false)
}

// WriteReportJSONIndent writes r as one indented JSON object (two spaces),
// ending with a newline: the form for a single ID (`culprit request ID
// --json`). Both forms carry the same keys and values.
func WriteReportJSONIndent(w io.Writer, r *Report) error {
	return writeJSONLine(w, r, true)
}

func writeJSONLine(w io.Writer, v any, indent bool) error {
	b, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	if indent {
		var buf bytes.Buffer
		if err := json.Indent(&buf, b, "", "  "); err != nil {
			return fmt.Errorf("indent json: %w", err)
		}
		b = buf.Bytes()
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// WriteErrorsJSON writes the groups as one JSON array ([] when empty) on
// one line, followed by a newline.
func WriteErrorsJSON(w io.Writer, gs []ErrorGroup) error {
	return writeJSONLine(w, nonNil(gs), false)
}

// WriteDeploysJSON writes the deploys as one JSON array ([] when empty) on
// one line, followed by a newline.
func WriteDeploysJSON(w io.Writer, ds []Deploy) error {
	out := make([]jsonDeploy, len(ds))
	for i, d := range ds {
		out[i] = jsonDeploy{jsonTime(d.Time), d.Service, d.Version, d.Commit, d.Author, d.Environment, d.Source, d.Line}
	}
	return writeJSONLine(w, out, false)
}

// WriteEventsNDJSON writes each event's original line verbatim, one per
// line. An event without its original line (a store that does not keep
// it) is written as its normalised JSON object instead, so that no result
// disappears.
func WriteEventsNDJSON(w io.Writer, evs []Event) error {
	bw := bufio.NewWriter(w)
	for i := range evs {
		e := &evs[i]
		line := e.Raw
		if len(line) == 0 {
			b, err := marshal(struct {
				Time jsonTime `json:"time"`
				*Event
			}{jsonTime(e.Time), e})
			if err != nil {
				return fmt.Errorf("encode event %s: %w", sourceOf(e), err)
			}
			line = b
		}
		line = bytes.TrimRight(line, "\r\n")
		bw.Write(line)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}
