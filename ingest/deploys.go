package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/culprit-dev/culprit/index"
	"github.com/culprit-dev/culprit/ingest/logline"
)

// Candidate keys of a deploy record, normalised by normKey, in priority
// order.
var (
	timeKeys    = []string{"deployedat", "deploytime", "deployedtime", "time", "timestamp", "createdat", "date", "datetime", "ts", "startedat", "finishedat", "completedat", "when", "updated", "updatedat"}
	hostKeys    = []string{"hosts", "instances", "host", "instance", "targets", "nodes", "pods"}
	statusKeys  = []string{"status", "state", "result", "outcome"}
	serviceKeys = []string{"service", "servicename", "app", "appname", "application", "component", "project", "repository", "repo", "reponame", "repositoryname"}
	versionKeys = []string{"version", "tag", "ref", "release", "releaseversion", "appversion", "imagetag"}
	commitKeys  = []string{"commit", "sha", "commitsha", "commitid", "commithash", "gitsha", "gitcommit", "revision", "rev", "hash"}
	authorKeys  = []string{"author", "creator", "user", "deployer", "deployedby", "actor", "triggeredby", "by", "authorlogin", "creatorlogin", "authorname", "username", "login", "owner", "initiatedby"}
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
	return ReadDeploysOf(name, r, ServiceFromFileName(name))
}

// ReadDeploysOf is ReadDeploys with the service of records that name none
// (helm history without a chart, Argo CD and GitLab histories, which are
// per application or project): service, as given by --deploys
// SERVICE=FILE, or else taken from the file name (ServiceFromFileName).
func ReadDeploysOf(name string, r io.Reader, service string) ([]index.Deploy, error) {
	ds, err := readDeploys(name, r)
	for i := range ds {
		if ds[i].Service == "" {
			ds[i].Service = service
		}
	}
	return ds, err
}

// ServiceFromFileName guesses the service a deploy history file is about
// from its name: helm-checkout.json, checkout-history.json and
// argocd-gateway.json are about checkout, checkout and gateway; a generic
// name (deploys.json, history.csv) names none.
func ServiceFromFileName(name string) string {
	if name == "-" || name == "" {
		return ""
	}
	base := filepath.Base(name)
	for {
		ext := filepath.Ext(base)
		if ext == "" || len(ext) > 6 {
			break
		}
		base = strings.TrimSuffix(base, ext)
	}
	base = strings.ToLower(base)
	for changed := true; changed; {
		changed = false
		for _, p := range []string{"helm", "argocd", "argo", "gitlab", "github", "deploys", "deployments", "deploy", "history", "releases", "rollouts", "app"} {
			for _, sep := range []string{"-", "_", "."} {
				if strings.HasPrefix(base, p+sep) {
					base, changed = base[len(p)+1:], true
				}
				if strings.HasSuffix(base, sep+p) {
					base, changed = base[:len(base)-len(p)-1], true
				}
			}
		}
	}
	switch base {
	case "", "helm", "argocd", "argo", "gitlab", "github", "deploys", "deployments", "deploy", "history", "releases", "rollouts":
		return ""
	}
	return base
}

func readDeploys(name string, r io.Reader) ([]index.Deploy, error) {
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
	// GitLab's deployments API: the deployment is live when its job
	// finished (deployable.finished_at), not when it was created.
	if dj, isGitLab := rec["deployable"]; isGitLab && dj.IsObject() {
		if fin := dj.Get("finished_at"); fin.Type == gjson.String && fin.Str != "" {
			tv, ok = fin, true
		} else if up, has := rec["updatedat"]; has && up.Type == gjson.String {
			tv, ok = up, true
		}
	}
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
	if x, ok := rec.first(hostKeys); ok {
		d.Hosts = strings.Join(hostList(x), ",")
	}
	if x, ok := rec.first(statusKeys); ok && !x.IsObject() && !x.IsArray() {
		d.Status = strings.ToLower(text(x))
	}
	if x, ok := rec["description"]; ok && x.Type == gjson.String {
		d.Description = strings.TrimSpace(x.Str)
	}
	helmRecord(rec, &d)
	argoRecord(rec, &d)
	return d, nil
}

// helmRecord reads `helm history RELEASE -o json`: {revision, updated,
// status, chart: NAME-CHARTVERSION, app_version, description}. The release
// name is not in it: the service is the chart's name (unless the record
// names one), the version the app version (else the chart version), and
// revision is helm's counter, not a commit.
func helmRecord(rec record, d *index.Deploy) {
	chart, ok := rec["chart"]
	if !ok || chart.Type != gjson.String {
		return
	}
	if _, hasUpdated := rec["updated"]; !hasUpdated {
		return
	}
	name, chartVersion := splitChart(chart.Str)
	if _, named := rec.first(serviceKeys); !named && name != "" {
		d.Service = name
	}
	if av, ok := rec["appversion"]; !ok || text(av) == "" {
		d.Version = chartVersion
	}
	d.Version = strings.TrimPrefix(d.Version, "v")
	if rv, ok := rec["revision"]; ok && rv.Type == gjson.Number {
		d.Commit = "" // helm's revision counter
	}
}

// splitChart splits helm's NAME-CHARTVERSION at the dash before the
// version: "checkout-1.5.0" is checkout 1.5.0, "my-app-0.1.0-rc.1" is
// my-app 0.1.0-rc.1.
func splitChart(s string) (name, version string) {
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '-' && s[i+1] >= '0' && s[i+1] <= '9' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// argoRecord reads `argocd app history APP -o json` (Argo CD's
// RevisionHistory: {id, revision, deployedAt, deployStartedAt, source:
// {repoURL, path, targetRevision, chart}, initiatedBy: {username,
// automated}}). The application name is not in it; the version is the
// source's target revision (a tag) or its chart version, the commit the
// revision.
func argoRecord(rec record, d *index.Deploy) {
	src, ok := rec["source"]
	if !ok || !src.IsObject() {
		if srcs, ok := rec["sources"]; ok && srcs.IsArray() && len(srcs.Array()) > 0 {
			src = srcs.Array()[0]
		} else {
			return
		}
	}
	if _, hasDeployedAt := rec["deployedat"]; !hasDeployedAt {
		return
	}
	if d.Version == "" {
		if tr := src.Get("targetRevision"); tr.Type == gjson.String && !isCommitish(tr.Str) && tr.Str != "HEAD" {
			d.Version = strings.TrimPrefix(tr.Str, "v")
		}
	}
	if d.Version == "" {
		d.Version = strings.TrimPrefix(d.Commit, "v")
		if len(d.Version) > 12 && isCommitish(d.Version) {
			d.Version = d.Version[:12]
		}
	}
	if d.Author == "" {
		if ib := rec["initiatedby"]; ib.IsObject() {
			if ib.Get("automated").Bool() {
				d.Author = "automated"
			}
		}
	}
	if d.Service == "" {
		if c := src.Get("chart"); c.Type == gjson.String && c.Str != "" {
			d.Service = c.Str
		}
	}
}

// isCommitish reports a hex string of 7 to 40 digits (a commit, not a tag).
func isCommitish(s string) bool {
	if len(s) < 7 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// hostList reads a hosts value: an array of names, or one string of names
// separated by commas, semicolons or spaces.
func hostList(v gjson.Result) []string {
	var out []string
	add := func(s string) {
		for _, h := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '|' }) {
			if h = strings.TrimSpace(h); h != "" && h != "*" && !strings.EqualFold(h, "all") {
				out = append(out, h)
			}
		}
	}
	if v.IsArray() {
		for _, x := range v.Array() {
			add(text(x))
		}
	} else {
		add(text(v))
	}
	return out
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
	hc, stc, dc := col(hostKeys), col(statusKeys), col([]string{"description", "note", "notes", "message"})
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
			Status: strings.ToLower(get(rec, stc)), Description: get(rec, dc),
		}
		if h := get(rec, hc); h != "" {
			d.Hosts = strings.Join(hostList(gjson.Parse(strconv.Quote(h))), ",")
		}
		if sc >= 0 && (keys[sc] == "repository" || keys[sc] == "repo" || keys[sc] == "repositoryurl") {
			d.Service = lastSegment(d.Service)
		}
		out = append(out, d)
	}
	return out, nil
}
