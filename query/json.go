package query

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/culprit-dev/culprit/ingest/textsafe"
)

// The JSON contract (docs/cli.md): times are RFC 3339 in UTC with fractional
// seconds (at least milliseconds), slices are [] and never null, absent
// objects are null. The MarshalJSON methods below hold that shape whoever
// marshals the types. Every JSON document culprit prints goes through
// WriteJSON (or WriteEventsNDJSON), which also escapes what a terminal
// would act on: C0 controls (encoding/json does), DEL, C1 controls and
// bidirectional overrides and isolates become \uXXXX, so that `culprit
// ... --json` on a terminal is as safe as the text output. HTML characters
// are not escaped.

// JSONTime marshals a time the way the contract says. It is the one time
// encoder of culprit's JSON output; FormatTime gives the same text.
type JSONTime time.Time

// FormatTime formats t as the JSON contract does: RFC 3339 in UTC with at
// least millisecond precision (more when t has it).
func FormatTime(t time.Time) string { return fmtTime(t) }

// TimeOrNil returns t as a JSONTime, or nil (JSON null) when t is zero.
func TimeOrNil(t time.Time) *JSONTime {
	if t.IsZero() {
		return nil
	}
	jt := JSONTime(t)
	return &jt
}

// NonNil returns s, or an empty slice when s is nil, so that it marshals as
// [] rather than null.
func NonNil[T any](s []T) []T { return nonNil(s) }

// MarshalJSON implements json.Marshaler.
func (t JSONTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + fmtTime(time.Time(t)) + `"`), nil
}

type jsonBucket struct {
	Start JSONTime `json:"start"`
	Count int      `json:"count"`
}

func jsonBuckets(hs []TimeBucket) []jsonBucket {
	out := make([]jsonBucket, len(hs))
	for i, h := range hs {
		out[i] = jsonBucket{JSONTime(h.Start), h.Count}
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
		Time   JSONTime `json:"time"`
		Status *int     `json:"status"`
		plain
	}{JSONTime(e.Time), status, plain(e)})
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (e RootError) MarshalJSON() ([]byte, error) {
	return marshal(struct {
		Fingerprint string        `json:"fingerprint"`
		Type        string        `json:"type"`
		Message     string        `json:"message"`
		Stack       string        `json:"stack"`
		Culprit     *StackFrame   `json:"culprit_frame"`
		Service     string        `json:"service"`
		Route       string        `json:"route"`
		Time        JSONTime      `json:"time"`
		Source      string        `json:"source"`
		Chain       []ReportEvent `json:"chain"`
	}{e.Fingerprint, e.Type, e.Message, e.Stack, e.Culprit(), e.Service, e.Route, JSONTime(e.Time), e.Source, nonNil(e.Chain)})
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (g Group) MarshalJSON() ([]byte, error) {
	return marshal(struct {
		Fingerprint    string       `json:"fingerprint"`
		Count          int          `json:"count"`
		Requests       int          `json:"requests"`
		FirstSeen      JSONTime     `json:"first_seen"`
		FirstRequestID string       `json:"first_request_id"`
		LastSeen       JSONTime     `json:"last_seen"`
		Histogram      []jsonBucket `json:"histogram"`
	}{g.Fingerprint, g.Count, g.Requests, JSONTime(g.FirstSeen), g.FirstRequestID, JSONTime(g.LastSeen), jsonBuckets(g.Histogram)})
}

// MarshalJSON implements json.Marshaler with the contract's shape.
func (d DeployRef) MarshalJSON() ([]byte, error) {
	type plain DeployRef
	return marshal(struct {
		Time JSONTime `json:"time"`
		plain
	}{JSONTime(d.Time), plain(d)})
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
		WindowStart JSONTime `json:"window_start"`
		WindowEnd   JSONTime `json:"window_end"`
	}{p, JSONTime(b.WindowStart), JSONTime(b.WindowEnd)})
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
		FirstSeen         JSONTime     `json:"first_seen"`
		LastSeen          JSONTime     `json:"last_seen"`
		FirstRequestID    string       `json:"first_request_id"`
		EndpointsAffected int          `json:"endpoints_affected"`
		UsersAffected     int          `json:"users_affected"`
		Deploy            *DeployRef   `json:"deploy"`
		New               bool         `json:"new"`
		WrapperOf         string       `json:"wrapper_of,omitempty"`
		Wraps             []string     `json:"wraps,omitempty"`
		Cause             string       `json:"cause"`
		Histogram         []jsonBucket `json:"histogram,omitempty"`
	}{g.Fingerprint, g.Type, g.Message, g.Service, g.Count, g.Requests, JSONTime(g.FirstSeen), JSONTime(g.LastSeen),
		g.FirstRequestID, g.EndpointsAffected, g.UsersAffected, g.Deploy, g.New, g.WrapperOf, g.Wraps, g.Cause, jsonBuckets(g.Histogram)})
}

// jsonDeploy is a Deploy in the contract's shape.
type jsonDeploy struct {
	Time        JSONTime `json:"time"`
	Service     string   `json:"service"`
	Version     string   `json:"version"`
	Commit      string   `json:"commit"`
	Author      string   `json:"author"`
	Environment string   `json:"environment"`
	Source      string   `json:"source,omitempty"`
	Line        int64    `json:"line,omitempty"`
	Hosts       []string `json:"hosts,omitempty"`
	Status      string   `json:"status,omitempty"`
	Description string   `json:"description,omitempty"`
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

// WriteJSON writes v as one JSON document of culprit's contract, indented
// by two spaces or compact on one line, followed by a newline. It is the
// writer of every JSON document the CLI prints: HTML characters stay as
// they are, and what a terminal would interpret is escaped (see
// EscapeJSON).
func WriteJSON(w io.Writer, v any, indent bool) error {
	return writeJSONLine(w, v, indent)
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
	b = append(EscapeJSON(b), '\n')
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
		out[i] = jsonDeploy{JSONTime(d.Time), d.Service, d.Version, d.Commit, d.Author, d.Environment, d.Source, d.Line,
			d.HostList(), d.Status, d.Description}
	}
	return writeJSONLine(w, out, false)
}

// WriteEventsNDJSON writes one JSON value per event, one per line, so that
// every line of the output is valid JSON:
//   - an event whose original line is JSON is written as that line,
//     verbatim except for EscapeJSON;
//   - an event whose original line is not JSON (a text line) is written as
//     that line in a JSON string, never as itself;
//   - an event without its original line (a store that does not keep it) is
//     written as its normalised JSON object, so that no result disappears.
func WriteEventsNDJSON(w io.Writer, evs []Event) error {
	bw := bufio.NewWriter(w)
	for i := range evs {
		e := &evs[i]
		line := bytes.TrimRight(e.Raw, "\r\n")
		var err error
		switch {
		case len(line) == 0:
			line, err = marshal(struct {
				Time JSONTime `json:"time"`
				*Event
			}{JSONTime(e.Time), e})
		case e.Text || !json.Valid(line):
			line, err = marshal(string(line))
		}
		if err != nil {
			return fmt.Errorf("encode event %s: %w", sourceOf(e), err)
		}
		bw.Write(EscapeJSON(line))
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

// EscapeJSON returns the valid JSON document b with what a terminal would
// act on escaped: inside strings, DEL, C1 controls (U+0080–U+009F),
// bidirectional overrides, isolates and marks and the line and paragraph
// separators (see [textsafe.IsBidiOrSeparator]) become \uXXXX, and bytes
// that are not UTF-8 become \ufffd; outside strings, a carriage return
// (insignificant white space) becomes a space. The JSON value is unchanged. C0 controls
// cannot occur raw in valid JSON. b is returned as is when it needs nothing.
func EscapeJSON(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf && b[i] != 0x7f && b[i] != '\r' {
		i++
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	inStr, esc := false, false
	for i = 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case !inStr && c == '\r':
				out = append(out, ' ')
				continue
			case c == 0x7f:
				out = append(out, `\u007f`...)
				esc = false
				continue
			case esc:
				esc = false
			case inStr && c == '\\':
				esc = true
			case c == '"':
				inStr = !inStr
			}
			out = append(out, c)
			continue
		}
		esc = false
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = append(out, `\ufffd`...)
		case r >= 0x80 && r <= 0x9f, textsafe.IsBidiOrSeparator(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
