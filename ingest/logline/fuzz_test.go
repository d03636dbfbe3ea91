package logline

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/culprit-dev/culprit/index"
	"github.com/tidwall/gjson"
)

var canonicalLevels = map[string]bool{
	"": true, index.LevelTrace: true, index.LevelDebug: true, index.LevelInfo: true,
	index.LevelWarn: true, index.LevelError: true, index.LevelFatal: true,
}

// fuzzSeeds adds the first lines of every format and library corpus, the
// shapes of issue 9 (wrapped records, error objects, tool prefixes) and a
// few awkward inputs.
func fuzzSeeds(f *testing.F, add func(string)) {
	files, err := filepath.Glob(filepath.Join(formatsDir, "*.jsonl"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no format corpus under %s to seed from (it is committed): %v", formatsDir, err)
	}
	libs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "libs", "*.log"))
	files = append(files, libs...)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for i, l := range strings.Split(string(data), "\n") {
			if i >= 8 {
				break
			}
			add(l)
		}
	}
	for _, s := range []string{
		"", "{}", "[]", "{", `{"a":}`, `{"level":"error","msg":"x","stack":"goroutine 1 [running]:\nmain.f()\n\t/a.go:1 +0x1"}`,
		"2026-11-25T10:00:00Z ERROR x", `time=x level=error msg="a \"b\""`, "\x00\xff{", `{"a":"\ud800"}`,
		`{"@t":"2026-11-25T10:00:00Z","@mt":"{A} {B:l} {@C} {{x}} {","A":"1","C":{"d":1}}`,
		`{"ts":1e400,"level":1e3,"status":"5e2","duration":"-1s"}`,
		`[pod/api-7c9f-x2/api] 2026-11-25T15:17:20.706462573Z {"msg":"x"}`,
		`api-1  | 2026-11-25T15:17:20.706Z {"msg":"x"}`, `api-7c9f-x2 api {"msg":"x"}`,
		"\x1b[32mapi-7c9f-x2\x1b[0m api {\"msg\":\"x\"}", `<14>1 2026-11-25T15:17:20Z vm api 1 - - {"msg":"x"}`,
		`Nov 25 15:17:20 vm api[1]: {"msg":"x"}`, `[pod//] {}`, `x | {`, `<1>1 - - - - - [a] {}`,
		`{"record":{"time":{"repr":"x","timestamp":1795626781.1},"level":{"name":"ERROR"},"exception":{"type":"E","value":"v","traceback":true}},"text":"Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nE: v"}`,
		`{"instant":{"epochSecond":1795626781,"nanoOfSecond":1},"thrown":{"name":"E","message":"m","extendedStackTrace":[{"class":"a.B","method":"c","file":"B.java","line":1}],"cause":{"name":"F","cause":{}}}}`,
		`{"args":["m",{"name":"TypeError","message":"x","stack":[{"method":"f","filePath":"/a.js","fileLine":"1"},"a.rb:1:in 'g'",7]}],"type":"error"}`,
		`{"message":{"class":"E","message":"m","backtrace":["a.rb:1"]},"exception":"ValueError","@level":"WARN","@version":"1"}`,
		"\x1e" + `{"log_level":{"name":"info"},"log_format":"x {a}","a":1}`, "\x1e", "\x1e\x1e{}",
		`{"severity":"ERROR","message":"x E: m\n    at f (/a.js:1:2)","metadata":{"stack":"E: m\n    at f (/a.js:1:2)"}}`,
		`{"msg":"x","message":"E: m\n    at f (/a.js:1:2)","err":{"name":"E","message":"m","stack":"E: m\n    at f (/a.js:1:2)"}}`,
		`{"severity":"error","message":["x","m"],"error":{"kind":"E","message":"m","stack":"/a.rb:1:in 'f'\n"}}`,
		`{"level":14,"channel":"c","msg":"x","exception_name":"builtins.E","formatted_exception":"Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nE: m"}`,
		`{"severity":"ERROR","stack_trace":"<#af02f11c> j.l.E: m\n\tat c.a.B.f(B.java:1)\nWrapped by: <#00> a.F: n\n\tat a.B.g(B.java:2)\n"}`,
		`{"content":"x","level":"slow","v":0}`, `{"v":1,"level":"log"}`,
	} {
		add(s)
	}
}

// FuzzParseLine: Parse never panics, never changes its input, gives a
// canonical level, treats exactly the valid JSON objects as JSON, and sets a
// fingerprint exactly on errors. Detect on the line must not panic either.
func FuzzParseLine(f *testing.F) {
	fuzzSeeds(f, func(s string) { f.Add([]byte(s)) })
	zap, err := Detect([][]byte{[]byte(`{"level":"info","ts":1795528931.05,"msg":"m","request_id":"r"}`)}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := bytes.Clone(line)
		own, err := Detect([][]byte{line}, nil)
		if err != nil {
			t.Fatalf("Detect: %v", err)
		}
		for _, m := range []*Mapping{zap, own} {
			var ev index.Event
			m.Parse(line, &ev)
			if !bytes.Equal(line, orig) {
				t.Fatalf("Parse modified its input")
			}
			if !canonicalLevels[ev.Level] {
				t.Fatalf("level %q is not canonical", ev.Level)
			}
			trimmed := trimLine(line)
			if env, ok := unwrap(trimmed); ok {
				trimmed = trimLine(env.content) // a tool's or runtime's prefix
			}
			isObject := len(trimmed) > 0 && trimmed[0] == '{' && gjson.ValidBytes(trimmed)
			if ev.Text == isObject {
				t.Fatalf("Text = %v for a line that is a JSON object: %v", ev.Text, isObject)
			}
			if ev.IsError != (ev.Fingerprint != "") && !isAccessSymptom(&ev) {
				t.Fatalf("IsError %v with fingerprint %q", ev.IsError, ev.Fingerprint)
			}
			if !ev.Time.IsZero() && (ev.Time.Year() < minYear || ev.Time.Year() > maxYear) {
				t.Fatalf("time %v out of range", ev.Time)
			}
			if ev.Status != 0 && (ev.Status < 100 || ev.Status > 599) {
				t.Fatalf("status %d", ev.Status)
			}
		}
	})
}

// FuzzScanner: the one-pass scanner accepts exactly the objects gjson
// accepts.
func FuzzScanner(f *testing.F) {
	fuzzSeeds(f, func(s string) { f.Add(s) })
	f.Fuzz(func(t *testing.T, s string) {
		var sc scanner
		n := 0
		got := sc.scanObject(s, func(member) { n++ })
		b := trimLine([]byte(s))
		want := len(b) > 0 && b[0] == '{' && gjson.Valid(s)
		if got != want {
			t.Fatalf("scanObject(%q) = %v, gjson.Valid says %v", s, got, want)
		}
		if got {
			m := 0
			gjson.Parse(s).ForEach(func(_, _ gjson.Result) bool { m++; return true })
			if m != n {
				t.Fatalf("scanObject visited %d members, gjson %d", n, m)
			}
		}
	})
}

// FuzzParseTime: no panic, and any time found is in range and in UTC.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2026-11-25T14:03:07Z", "2026-11-25 14:03:07,123+0000", "1795528931.0518222", "1795528931051822200",
		"25/Nov/2026:14:03:07 +0000", "Wed, 25 Nov 2026 14:03:07 GMT", "2026-11-25T14:03:07.1234567890123+05:30",
		"2026-11-25 14:03:07.5 +0000 UTC m=+0.001", "9999999999999999999999", "2026-02-29",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(what string, tm interface{ Year() int }, ok bool) {
			if ok && (tm.Year() < minYear || tm.Year() > maxYear) {
				t.Fatalf("%s(%q) = year %d", what, s, tm.Year())
			}
		}
		tm, ok := ParseTimeString(s)
		check("ParseTimeString", tm, ok)
		if ok && tm.Location().String() != "UTC" {
			t.Fatalf("ParseTimeString(%q) not in UTC: %v", s, tm)
		}
		tm, ok = ParseTime(gjson.Parse(s))
		check("ParseTime", tm, ok)
	})
}

// FuzzFingerprint: a message's fingerprint does not change when the digits
// in it (other than 0, which marks 0x numbers) or a UUID in it change.
func FuzzFingerprint(f *testing.F) {
	for _, s := range []string{
		"order 1042 not found", "dial tcp 10.0.0.5:5432: connect: connection refused",
		"timeout after 30s at 2026-11-25T10:00:00Z", `relation "orders_1" does not exist`,
		"GET https://api.example.com:8443/v1/orders/123?x=1 returned 503", "user bob7@x.io id=abc123XYZ789def456",
		"0x1f 0xZZ 1.2.3.4.5 ::1 12:00 99% -3 v2 utf8",
		"panic: x\n\ngoroutine 1 [running]:\nmain.f(0x1)\n\t/a.go:1 +0x1\n",
		"Traceback (most recent call last):\n  File \"a.py\", line 1, in f\nKeyError: 'k'",
		"E: x\n ---> F: y\n   at A.B() in f:line 1\n   --- End of inner exception stack trace ---\nCaused by: G: z\n\tat a.B(C.java:1)",
	} {
		f.Add(s, "TypeError", []byte{1, 2, 3}, []byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6})
	}
	f.Fuzz(func(t *testing.T, msg, typ string, u1, u2 []byte) {
		fp := Fingerprint(typ, msg, "")
		if len(fp) != 16 || strings.Trim(fp, "0123456789abcdef") != "" {
			t.Fatalf("Fingerprint = %q, want 16 hex digits", fp)
		}
		if sfp := Fingerprint(typ, "", msg); len(sfp) != 16 { // msg as a stack trace
			t.Fatalf("Fingerprint with stack = %q", sfp)
		}
		shifted := []byte(msg)
		for i, c := range shifted {
			if '1' <= c && c <= '9' {
				shifted[i] = '1' + (c-'1'+1)%9
			}
		}
		if got := Fingerprint(typ, string(shifted), ""); got != fp {
			t.Fatalf("digits changed: Fingerprint(%q) = %s, Fingerprint(%q) = %s\n%q\n%q",
				msg, fp, shifted, got, Parameterize(msg), Parameterize(string(shifted)))
		}
		a, b := msg+" "+uuid(u1)+" x", msg+" "+uuid(u2)+" x"
		if fa, fb := Fingerprint(typ, a, ""), Fingerprint(typ, b, ""); fa != fb {
			t.Fatalf("UUID changed: %q -> %q, %q -> %q", a, Parameterize(a), b, Parameterize(b))
		}
	})
}

func uuid(b []byte) string {
	var u [16]byte
	copy(u[:], b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// TestScannerDepth: nesting deeper than the scanner's fixed stack, and far
// deeper than any recursion would survive, is validated without recursion.
func TestScannerDepth(t *testing.T) {
	for _, depth := range []int{1, 47, 48, 49, 200, 1 << 20} {
		open, closeB := strings.Repeat("[", depth), strings.Repeat("]", depth)
		for _, s := range []string{`{"a":` + open + closeB + `}`, `{"a":` + open + closeB + `]}`, `{"a":` + open + `}`} {
			var sc scanner
			got := sc.scanObject(s, func(member) {})
			want := len(s) < 1<<16 && gjson.Valid(s) || len(s) >= 1<<16 && strings.Count(s, "[") == strings.Count(s, "]")
			if got != want {
				t.Errorf("depth %d: scanObject(%.20q…) = %v, want %v", depth, s, got, want)
			}
		}
	}
}
