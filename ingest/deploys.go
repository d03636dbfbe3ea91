package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

// Candidate keys of a deploy record, normalised by normKey, in priority
// order.
var (
	timeKeys    = []string{"deployedat", "deploytime", "deployedtime", "time", "timestamp", "createdat", "date", "datetime", "ts", "startedat", "finishedat", "completedat", "when"}
	serviceKeys = []string{"service", "servicename", "app", "appname", "application", "component", "project", "repository", "repo", "reponame", "repositoryname"}
	versionKeys = []string{"version", "tag", "ref", "release", "releaseversion", "appversion", "imagetag"}
	commitKeys  = []string{"commit", "sha", "commitsha", "commitid", "commithash", "gitsha", "gitcommit", "revision", "rev", "hash"}
	authorKeys  = []string{"author", "creator", "user", "deployer", "deployedby", "actor", "triggeredby", "by", "authorlogin", "creatorlogin", "authorname", "username", "login", "owner"}
	envKeys     = []string{"environment", "env", "stage", "targetenvironment"}
	// arrayKeys hold the records when a JSON document is one object.
	arrayKeys = []string{"deployments", "deploys", "items", "data", "records", "results", "values", "releases"}
)

// normKey lowercases a key and drops separators: "deployed_at",
// "deployedAt", "Deployed-At" and "@deployed at" are all "deployedat".
func normKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for _, c := range strings.ToLower(k) {
		switch c {
		case '_', '-', ' ', '.', '@':
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// ReadDeploys reads a deploy history. The format is sniffed: JSON lines, a
// JSON array (including the GitHub REST API list-deployments response), one
// JSON object holding such an array ("deployments", "items", ...), or CSV
// with a header (comma, tab or semicolon separated).
//
// Keys are matched flexibly (case and separators ignored): time from
// deployed_at, time, timestamp, created_at, date...; service from service,
// app, application, component, repository, GitHub's payload.service or the
// repository name in repository_url; version from version, tag, ref,
// release; commit from commit, sha, revision; author from author, creator,
// user (a string or an object's login or name); environment from
// environment, env, stage. Times are RFC 3339 and the other formats
// logline.ParseTimeString accepts, or epoch numbers.
//
// A record without a usable time, or a syntax error, rejects the whole file
// with a *LineError naming name and the line.
func ReadDeploys(name string, r io.Reader) ([]index.Deploy, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &LineError{File: name, Err: err}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	i := firstNonSpace(data, 0)
	if i == len(data) {
		return nil, nil
	}
	switch data[i] {
	case '[':
		return readJSONArray(name, data, i, false)
	case '{':
		return readJSONObjects(name, data)
	}
	return readCSV(name, data)
}

func firstNonSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// lineAt returns the 1-based line of byte offset off.
func lineAt(data []byte, off int) int64 {
	off = min(max(off, 0), len(data))
	return int64(bytes.Count(data[:off], []byte{'\n'})) + 1
}

// syntaxLine locates a JSON syntax error at base+offset.
func syntaxErr(name string, data []byte, base int, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &LineError{File: name, Line: lineAt(data, base+int(se.Offset)-1), Err: fmt.Errorf("invalid JSON: %w", err)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &LineError{File: name, Line: lineAt(data, len(data)), Err: errors.New("invalid JSON: unexpected end of input")}
	}
	return &LineError{File: name, Line: lineAt(data, base), Err: fmt.Errorf("invalid JSON: %w", err)}
}

// readJSONArray reads the array starting at data[start]; nested says it is
// inside an object (data may go on after it).
func readJSONArray(name string, data []byte, start int, nested bool) ([]index.Deploy, error) {
	dec := json.NewDecoder(bytes.NewReader(data[start:]))
	if _, err := dec.Token(); err != nil { // '['
		return nil, syntaxErr(name, data, start, err)
	}
	var out []index.Deploy
	for dec.More() {
		at := firstNonSpace(data, start+int(dec.InputOffset()))
		if at < len(data) && data[at] == ',' {
			at = firstNonSpace(data, at+1)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxErr(name, data, start, err)
		}
		line := lineAt(data, at)
		d, err := deployFrom(gjson.ParseBytes(raw))
		if err != nil {
			return nil, &LineError{File: name, Line: line, Err: err}
		}
		d.Source, d.Line = name, line
		out = append(out, d)
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, syntaxErr(name, data, start, err)
	}
	if rest := firstNonSpace(data, start+int(dec.InputOffset())); !nested && rest < len(data) {
		return nil, &LineError{File: name, Line: lineAt(data, rest), Err: errors.New("invalid JSON: data after the array")}
	}
	return out, nil
}

// readJSONObjects reads JSON lines, or one (pretty-printed) object that is
// either a record or holds the records in an array.
func readJSONObjects(name string, data []byte) ([]index.Deploy, error) {
	if json.Valid(data) {
		doc := gjson.ParseBytes(data)
		for _, k := range arrayKeys {
			for key, v := range objectFields(doc) {
				if normKey(key) == k && v.IsArray() && v.Index > 0 {
					return readJSONArray(name, data, v.Index, true)
				}
			}
		}
		if bytes.Count(bytes.TrimSpace(data), []byte{'\n'}) > 0 {
			// One record spread over several lines.
			start := firstNonSpace(data, 0)
			d, err := deployFrom(doc)
			if err != nil {
				return nil, &LineError{File: name, Line: lineAt(data, start), Err: err}
			}
			d.Source, d.Line = name, lineAt(data, start)
			return []index.Deploy{d}, nil
		}
	}
	var out []index.Deploy
	var ln int64
	for len(data) > 0 {
		ln++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !json.Valid(line) {
			var v any
			err := json.Unmarshal(line, &v)
			return nil, &LineError{File: name, Line: ln, Err: fmt.Errorf("invalid JSON: %w", err)}
		}
		d, err := deployFrom(gjson.ParseBytes(line))
		if err != nil {
			return nil, &LineError{File: name, Line: ln, Err: err}
		}
		d.Source, d.Line = name, ln
		out = append(out, d)
	}
	return out, nil
}

// objectFields iterates an object's top-level keys.
func objectFields(v gjson.Result) func(func(string, gjson.Result) bool) {
	return func(yield func(string, gjson.Result) bool) {
		if !v.IsObject() {
			return
		}
		v.ForEach(func(k, val gjson.Result) bool { return yield(k.String(), val) })
	}
}

// record is a deploy record's fields by normalised key.
type record map[string]gjson.Result

func (rec record) first(keys []string) (gjson.Result, bool) {
	for _, k := range keys {
		if v, ok := rec[k]; ok && v.Type != gjson.Null && !(v.Type == gjson.String && strings.TrimSpace(v.Str) == "") {
			return v, true
		}
	}
	return gjson.Result{}, false
}

// text is a scalar's text, or for an object its login, name or username.
func text(v gjson.Result) string {
	switch {
	case v.Type == gjson.String:
		return strings.TrimSpace(v.Str)
	case v.Type == gjson.Number:
		return v.Raw
	case v.IsObject():
		sub := record{}
		for k, x := range objectFields(v) {
			sub[normKey(k)] = x
		}
		if x, ok := sub.first([]string{"login", "name", "username", "email", "fullname", "id"}); ok && !x.IsObject() && !x.IsArray() {
			return text(x)
		}
	}
	return ""
}

// lastSegment keeps what follows the last '/': "octo/orders" -> "orders".
func lastSegment(s string) string {
	s = strings.TrimRight(s, "/")
	return s[strings.LastIndexByte(s, '/')+1:]
}

func deployFrom(v gjson.Result) (index.Deploy, error) {
	var d index.Deploy
	if !v.IsObject() {
		return d, fmt.Errorf("not a JSON object: %.40s", v.Raw)
	}
	rec := record{}
	for k, x := range objectFields(v) {
		if nk := normKey(k); nk != "" {
			if _, dup := rec[nk]; !dup {
				rec[nk] = x
			}
		}
	}
	// GitHub wraps some records: {"deployment": {...}} in deployment_status
	// events; their payload holds free-form fields.
	if dep, ok := rec["deployment"]; ok && dep.IsObject() {
		if _, hasTime := rec.first(timeKeys); !hasTime {
			return deployFrom(dep)
		}
	}
	payload := record{}
	if p, ok := rec["payload"]; ok && p.IsObject() {
		for k, x := range objectFields(p) {
			payload[normKey(k)] = x
		}
	}

	tv, ok := rec.first(timeKeys)
	if !ok {
		return d, fmt.Errorf("no time (want one of time, timestamp, deployed_at, created_at, date)")
	}
	t, ok := deployTime(tv)
	if !ok {
		return d, fmt.Errorf("unparsable time %.60s", tv.Raw)
	}
	d.Time = t
	if x, ok := payload.first(serviceKeys); ok {
		d.Service = lastSegment(text(x))
	}
	if d.Service == "" {
		if x, ok := rec.first(serviceKeys); ok {
			s := text(x)
			if x.IsObject() {
				if n, ok := x.Get("name").Value().(string); ok {
					s = n
				}
			}
			d.Service = s
			if k := firstKey(rec, serviceKeys); k == "repository" || k == "repo" {
				d.Service = lastSegment(s)
			}
		}
	}
	if d.Service == "" {
		if x, ok := rec["repositoryurl"]; ok && x.Type == gjson.String {
			d.Service = lastSegment(x.Str)
		}
	}
	if x, ok := payload.first(versionKeys); ok {
		d.Version = text(x)
	}
	if d.Version == "" {
		if x, ok := rec.first(versionKeys); ok {
			d.Version = text(x)
		}
	}
	if x, ok := rec.first(commitKeys); ok {
		d.Commit = text(x)
	}
	if x, ok := rec.first(authorKeys); ok {
		d.Author = text(x)
	}
	if x, ok := rec.first(envKeys); ok {
		d.Environment = text(x)
	}
	return d, nil
}

func firstKey(rec record, keys []string) string {
	for _, k := range keys {
		if _, ok := rec.first([]string{k}); ok {
			return k
		}
	}
	return ""
}

func deployTime(v gjson.Result) (time.Time, bool) {
	var s string
	switch v.Type {
	case gjson.String:
		s = strings.TrimSpace(v.Str)
	case gjson.Number:
		s = v.Raw
	default:
		return time.Time{}, false
	}
	t, ok := logline.ParseTimeString(s)
	if !ok || t.IsZero() {
		return time.Time{}, false
	}
	return t, true
}

// readCSV reads CSV with a header naming the columns.
func readCSV(name string, data []byte) ([]index.Deploy, error) {
	header := data
	if i := bytes.IndexByte(header, '\n'); i >= 0 {
		header = header[:i]
	}
	comma, best := ',', bytes.Count(header, []byte{','})
	for _, c := range []rune{'\t', ';'} {
		if n := bytes.Count(header, []byte(string(c))); n > best {
			comma, best = c, n
		}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma, cr.FieldsPerRecord, cr.TrimLeadingSpace, cr.LazyQuotes = comma, -1, true, true
	csvErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &LineError{File: name, Line: int64(pe.Line), Err: pe.Err}
		}
		return &LineError{File: name, Err: err}
	}
	cols, err := cr.Read()
	if err != nil {
		return nil, csvErr(err)
	}
	hline, _ := cr.FieldPos(0)
	keys := make([]string, len(cols))
	for i, c := range cols {
		keys[i] = normKey(strings.TrimSpace(c))
	}
	col := func(cands []string) int {
		for _, k := range cands {
			for i, h := range keys {
				if h == k {
					return i
				}
			}
		}
		return -1
	}
	tc := col(timeKeys)
	if tc < 0 {
		return nil, &LineError{File: name, Line: int64(hline), Err: fmt.Errorf("not a deploy history: no time column in the CSV header (want one of time, timestamp, deployed_at, created_at, date)")}
	}
	sc, vc, cc, ac, ec := col(serviceKeys), col(versionKeys), col(commitKeys), col(authorKeys), col(envKeys)
	if sc < 0 {
		sc = col([]string{"repositoryurl"})
	}
	get := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []index.Deploy
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		ts := get(rec, tc)
		t, ok := logline.ParseTimeString(ts)
		if !ok || t.IsZero() {
			msg := fmt.Errorf("unparsable time %q", ts)
			if ts == "" {
				msg = errors.New("no time")
			}
			return nil, &LineError{File: name, Line: int64(line), Err: msg}
		}
		d := index.Deploy{
			Time: t, Service: get(rec, sc), Version: get(rec, vc), Commit: get(rec, cc),
			Author: get(rec, ac), Environment: get(rec, ec), Source: name, Line: int64(line),
		}
		if sc >= 0 && (keys[sc] == "repository" || keys[sc] == "repo" || keys[sc] == "repositoryurl") {
			d.Service = lastSegment(d.Service)
		}
		out = append(out, d)
	}
	return out, nil
}
