package query

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/ingest/textsafe"
)

var contractTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.(\d{3}|\d{6}|\d{9})Z$`)

// decodeOne decodes the single JSON value in b into a generic map.
func decodeOne(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value in %s", b)
	}
	return m
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// wantKeys fails unless m has every key of want (comma-separated).
func wantKeys(t *testing.T, what string, m map[string]any, want string) {
	t.Helper()
	for _, k := range strings.Split(want, ",") {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: missing key %q (has %s)", what, k, keys(m))
		}
	}
}

// checkTimes fails on a time-named string value that breaks the contract.
func checkTimes(t *testing.T, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "fields" {
				continue // the original line, kept as it was
			}
			if s, ok := val.(string); ok && (k == "time" || k == "start" || strings.HasSuffix(k, "_seen") || strings.HasPrefix(k, "window_")) {
				if !contractTime.MatchString(s) {
					t.Errorf("%s.%s = %q, want RFC 3339 UTC with fractional seconds", path, k, s)
				}
			}
			checkTimes(t, path+"."+k, val)
		}
	case []any:
		for _, val := range x {
			checkTimes(t, path+"[]", val)
		}
	}
}

func TestReportJSONShape(t *testing.T) {
	var sc scenario
	for _, s := range verdictScenarios() {
		if s.name == "data-specific bug" {
			sc = s
		}
	}
	var c corpus
	sc.build(&c)
	inv := New(c.store(), Options{})
	r, err := inv.Request(t.Context(), sc.id)
	if err != nil {
		t.Fatal(err)
	}
	var compact, indented bytes.Buffer
	if err := WriteReportJSON(&compact, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteReportJSONIndent(&indented, r); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(compact.Bytes(), []byte("\n")); n != 1 || !bytes.HasSuffix(compact.Bytes(), []byte("\n")) {
		t.Errorf("compact report spans %d lines, want exactly one", n)
	}
	var a, b bytes.Buffer
	if err := json.Compact(&a, compact.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := json.Compact(&b, indented.Bytes()); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("compact and indented reports differ")
	}

	m := decodeOne(t, compact.Bytes())
	wantKeys(t, "report", m, "request_id,found,services,events,error,group,deploy,deploys_nearby,blast_radius,verdict")
	checkTimes(t, "report", m)
	evs := m["events"].([]any)
	ev := evs[0].(map[string]any)
	// Every contract key of an event is present on every event, empty
	// (status: null) when the line has none, so scripts need no guards.
	for _, x := range evs {
		wantKeys(t, "event", x.(map[string]any), "time,service,level,message,method,path,route,status,user,request_id,source,fields")
	}
	if st, ok := ev["status"]; ok && st != nil {
		if _, num := st.(float64); !num {
			t.Errorf("event status = %#v, want a number or null", st)
		}
	}
	if f, ok := ev["fields"].(map[string]any); !ok || f["msg"] != "handler failed" {
		t.Errorf("event fields = %v, want the original object", ev["fields"])
	}
	wantKeys(t, "error", m["error"].(map[string]any), "fingerprint,type,message,stack,service,route,time,source")
	g := m["group"].(map[string]any)
	wantKeys(t, "group", g, "fingerprint,count,requests,first_seen,first_request_id,last_seen,histogram")
	wantKeys(t, "histogram bucket", g["histogram"].([]any)[0].(map[string]any), "start,count")
	if m["deploy"] != nil {
		t.Errorf("deploy = %v, want null (no deploys)", m["deploy"])
	}
	if dn, ok := m["deploys_nearby"].([]any); !ok || len(dn) != 0 {
		t.Errorf("deploys_nearby = %#v, want []", m["deploys_nearby"])
	}
	br := m["blast_radius"].(map[string]any)
	wantKeys(t, "blast_radius", br, "endpoints,endpoints_affected,endpoints_active,users,users_affected,users_active,services,scope,user_scope,outliers")
	wantKeys(t, "endpoint", br["endpoints"].([]any)[0].(map[string]any), "route,count")
	wantKeys(t, "user", br["users"].([]any)[0].(map[string]any), "user,count")
	wantKeys(t, "outlier", br["outliers"].([]any)[0].(map[string]any), "field,value,failure_share,baseline_share")
	wantKeys(t, "verdict", m["verdict"].(map[string]any), "cause,summary,evidence,next_steps")

	// A request with a deploy: its shape and a signed offset.
	var c2 corpus
	verdictScenarios()[0].build(&c2)
	r2, err := New(c2.store(), Options{}).Request(t.Context(), "bad-3")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteReportJSON(&buf, r2); err != nil {
		t.Fatal(err)
	}
	m2 := decodeOne(t, buf.Bytes())
	checkTimes(t, "report2", m2)
	d := m2["deploy"].(map[string]any)
	wantKeys(t, "deploy", d, "time,service,version,commit,author,environment,offset_seconds")
	if d["offset_seconds"].(json.Number).String() != "-6" {
		t.Errorf("offset_seconds = %v, want -6", d["offset_seconds"])
	}
	for _, x := range m2["deploys_nearby"].([]any) {
		wantKeys(t, "deploys_nearby", x.(map[string]any), "time,service,version,commit,author,environment,offset_seconds")
	}
}

func TestReportJSONNullsAndEmpties(t *testing.T) {
	for _, r := range []*Report{
		{RequestID: "nope", Hint: "no request nope"},            // not found, nil slices
		{RequestID: "ok", Found: true, Services: []string{"a"}}, // succeeded
	} {
		var buf bytes.Buffer
		if err := WriteReportJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		m := decodeOne(t, buf.Bytes())
		for _, k := range []string{"error", "group", "deploy", "blast_radius", "verdict"} {
			if v, ok := m[k]; !ok || v != nil {
				t.Errorf("%s: %s = %v (present %v), want null", r.RequestID, k, v, ok)
			}
		}
		for _, k := range []string{"services", "events", "deploys_nearby"} {
			if _, ok := m[k].([]any); !ok {
				t.Errorf("%s: %s = %#v, want an array", r.RequestID, k, m[k])
			}
		}
	}
	// Nested slices are never null either.
	b, err := json.Marshal(Report{BlastRadius: &BlastRadius{}, Verdict: &Verdict{}, Error: &RootError{}, Group: &Group{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`"endpoints":null`, `"users":null`, `"services":null`, `"outliers":null`, `"evidence":null`,
		`"next_steps":null`, `"histogram":null`, `"chain":null`} {
		if bytes.Contains(b, []byte(bad)) {
			t.Errorf("%s in %s", bad, b)
		}
	}
}

func TestJSONTimes(t *testing.T) {
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2025, 1, 6, 14, 0, 0, 0, time.UTC), "2025-01-06T14:00:00.000Z"},
		{time.Date(2025, 1, 6, 14, 0, 0, 120e6, time.UTC), "2025-01-06T14:00:00.120Z"},
		{time.Date(2025, 1, 6, 14, 0, 0, 123456e3, time.UTC), "2025-01-06T14:00:00.123456Z"},
		{time.Date(2025, 1, 6, 14, 0, 0, 123456789, time.UTC), "2025-01-06T14:00:00.123456789Z"},
		{time.Date(2025, 1, 6, 16, 0, 0, 0, time.FixedZone("x", 2*3600)), "2025-01-06T14:00:00.000Z"},
	}
	for _, tc := range cases {
		if got := fmtTime(tc.t); got != tc.want {
			t.Errorf("fmtTime(%s) = %s, want %s", tc.t, got, tc.want)
		}
		b, _ := json.Marshal(ReportEvent{Time: tc.t})
		if !bytes.Contains(b, []byte(`"time":"`+tc.want+`"`)) {
			t.Errorf("ReportEvent JSON %s, want time %s", b, tc.want)
		}
	}
}

func TestListsJSON(t *testing.T) {
	st := incidentStore()
	inv := New(st, Options{})
	gs, err := inv.Errors(t.Context(), ErrorsOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteErrorsJSON(&buf, gs); err != nil {
		t.Fatal(err)
	}
	var arr []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &arr); err != nil || len(arr) != 2 {
		t.Fatalf("errors JSON %s: %v", buf.Bytes(), err)
	}
	for _, g := range arr {
		wantKeys(t, "error group", g, "fingerprint,type,message,service,count,requests,first_seen,last_seen,first_request_id,endpoints_affected,users_affected,deploy,new,cause")
		checkTimes(t, "group", g)
	}
	buf.Reset()
	if err := WriteErrorsJSON(&buf, nil); err != nil || buf.String() != "[]\n" {
		t.Errorf("no groups: %q, %v; want []", buf.String(), err)
	}

	ds, _ := inv.Deploys(t.Context())
	buf.Reset()
	if err := WriteDeploysJSON(&buf, ds); err != nil {
		t.Fatal(err)
	}
	var darr []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &darr); err != nil || len(darr) != 3 {
		t.Fatalf("deploys JSON %s: %v", buf.Bytes(), err)
	}
	wantKeys(t, "deploy", darr[0], "time,service,version,commit,author,environment")
	checkTimes(t, "deploy", darr[0])
	buf.Reset()
	if err := WriteDeploysJSON(&buf, nil); err != nil || buf.String() != "[]\n" {
		t.Errorf("no deploys: %q, %v; want []", buf.String(), err)
	}
}

func TestEventsNDJSON(t *testing.T) {
	evs := []Event{
		{Time: t0, Message: "a", Raw: []byte(`{"msg":"a","weird":"<\u001b>"}`)},
		{Time: t0, Message: "plain text line", Text: true, Raw: []byte("plain text line\r\n")},
		{Time: t0.Add(time.Second), Message: "no raw", Service: "s", Source: "x.log", Line: 3},
	}
	var buf bytes.Buffer
	if err := WriteEventsNDJSON(&buf, evs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("lines = %q", lines)
	}
	// A JSON line is kept verbatim; a text line becomes a JSON string.
	if lines[0] != `{"msg":"a","weird":"<\u001b>"}` || lines[1] != `"plain text line"` {
		t.Errorf("raw lines changed: %q", lines[:2])
	}
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("NDJSON line %d is not JSON: %q", i+1, l)
		}
	}
	m := decodeOne(t, []byte(lines[2]))
	if m["message"] != "no raw" || m["time"] != "2025-01-06T14:00:01.000Z" || m["source"] != "x.log" {
		t.Errorf("fallback line = %s", lines[2])
	}
}

// A JSON line nested past the 10,000 levels parsers accept is written as a
// string holding it, and one just inside that depth as itself.
func TestEventsNDJSONDeep(t *testing.T) {
	deep := []byte(`{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`)
	ok := []byte(`{"x":` + strings.Repeat("[", 9990) + strings.Repeat("]", 9990) + `}`)
	var buf bytes.Buffer
	if err := WriteEventsNDJSON(&buf, []Event{{Time: t0, Raw: deep}, {Time: t0, Raw: ok}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	var s string
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &s) != nil || s != string(deep) {
		t.Fatalf("a line nested 10,001 deep: want it as a JSON string, got %.80q", lines[0])
	}
	if lines[1] != string(ok) {
		t.Errorf("a line nested 9,991 deep was changed: %.80q", lines[1])
	}
}

// TestJSONEscapesTerminalControls: what a terminal acts on never leaves a
// JSON writer raw, whether the JSON was marshalled or is an original line,
// and the values decode to the same strings.
func TestJSONEscapesTerminalControls(t *testing.T) {
	payloads := []string{"\u009b31m", "\u009d0;OWNED\u009c", "a\u202eb", "\u2066x\u2069", "\u2028", "del\x7f", "ok é 日本"}
	for _, p := range payloads {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, map[string]string{"m": p}, false); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(map[string]string{"m": p})
		var nd bytes.Buffer
		if err := WriteEventsNDJSON(&nd, []Event{{Raw: raw}, {Text: true, Raw: []byte("text " + p)}, {Raw: []byte("{\"m\":\"" + p + "\"}\r{}")}}); err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{buf.String(), nd.String()} {
			for _, r := range out {
				if r == 0x7f || r >= 0x80 && r <= 0x9f || textsafe.IsBidiOrSeparator(r) || r < 0x20 && r != '\n' {
					t.Errorf("payload %q: raw %U in JSON output %q", p, r, out)
				}
			}
		}
		var got map[string]string
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil || got["m"] != p {
			t.Errorf("payload %q: decoded %q, %v", p, got["m"], err)
		}
		first, _, _ := strings.Cut(nd.String(), "\n")
		if err := json.Unmarshal([]byte(first), &got); err != nil || got["m"] != p {
			t.Errorf("payload %q: original line decoded %q, %v", p, got["m"], err)
		}
	}
	if got := string(EscapeJSON([]byte("{\"a\":\"\xff\\\"\u0085\"}"))); got != `{"a":"\ufffd\"\u0085"}` {
		t.Errorf("EscapeJSON = %q", got)
	}
}
