package index

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/culprit-dev/culprit/index/syntax"
)

// describe renders a query tree compactly for tests.
func describe(n *qnode) string {
	switch n.op {
	case opAll:
		return "ALL"
	case opNot:
		return "NOT(" + describe(n.kids[0]) + ")"
	case opAnd, opOr:
		var parts []string
		for _, k := range n.kids {
			parts = append(parts, describe(k))
		}
		op := " AND "
		if n.op == opOr {
			op = " OR "
		}
		return "(" + strings.Join(parts, op) + ")"
	}
	l := n.leaf
	name := l.spec.name
	if name == "" {
		name = "*"
	}
	switch l.kind {
	case lkEqual:
		if l.spec.kind == fkBool {
			return fmt.Sprintf("%s=%v", name, l.bval)
		}
		return fmt.Sprintf("%s=%q", name, l.value)
	case lkPattern:
		return fmt.Sprintf("%s~/%s/", name, l.reSrc)
	case lkFuzzy:
		return fmt.Sprintf("%s~%d%q", name, l.fuzzy, l.value)
	case lkWords:
		return fmt.Sprintf("%s:%s", name, strings.Join(l.words, "+"))
	case lkRange:
		if l.spec.kind == fkTime {
			return fmt.Sprintf("%s[%v..%v]", name, l.tlo.time().Format("15:04:05"), l.thi.time().Format("15:04:05"))
		}
		lb, rb := "(", ")"
		if l.loInc {
			lb = "["
		}
		if l.hiInc {
			rb = "]"
		}
		return fmt.Sprintf("%s%s%v,%v%s", name, lb, l.lo, l.hi, rb)
	}
	return "?"
}

// TestParseQuery: syntax's tree lowered into the plan (the parser's own
// tests, errors included, are in package syntax).
func TestParseQuery(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "ALL"},
		{"   ", "ALL"},
		{"timeout", "*:timeout"},
		{"Timeout", "*:timeout"},
		{"/v1/inventory/reserve", "*:v1+inventory+reserve"},
		{"svc.orders.Handler", "*:svc+orders+handler"},
		{`"connection refused"`, "*:connection+refused"},
		{"a b", "(*:a AND *:b)"},
		{"a AND b", "(*:a AND *:b)"},
		{"a && b", "(*:a AND *:b)"},
		{"a OR b", "(*:a OR *:b)"},
		{"a || b c", "(*:a OR (*:b AND *:c))"},
		{"(a OR b) c", "((*:a OR *:b) AND *:c)"},
		{"-a", "NOT(*:a)"},
		{"NOT a b", "(NOT(*:a) AND *:b)"},
		{"+a", "*:a"},
		{"a^2", "*:a"},
		{"ANDROID", "*:android"},
		{"foo(bar)", "*:foo+bar"},
		{"status:500", "status[500,500]"},
		{"status:>=500", "status[500,+Inf]"},
		{"status:>500", "status(500,+Inf]"},
		{"status:<400", "status[-Inf,400)"},
		{"status:<=-1", "status[-Inf,-1]"},
		{"duration:>1.5", "duration(1.5,+Inf]"},
		{"duration_ms:7", "duration[7,7]"},
		{"status:5*", "status~/5.*/"},
		{"service:api", `service="api"`},
		{"level:ERROR", `level="error"`},
		{"method:get", `method="get"`},
		{`route:"GET /api/orders/{id}"`, `route="GET /api/orders/{id}"`},
		{"request_id:7f3a:01", `request_id="7f3a:01"`},
		{`user:a\ b`, `user="a b"`},
		{`path:/v1/*`, `path~//v1/.*/`},
		{`path:/v1\*`, `path="/v1*"`},
		{"user:/u-[0-9]+/", "user~/u-[0-9]+/"},
		{"user:bob~", `user~1"bob"`},
		{"user:bob~2", `user~2"bob"`},
		{"timout~1", `*~1"timout"`},
		{"time*", "*~/time.*/"},
		{"/time(out)?/", "*~/time(out)?/"},
		{"/api/orders/", "*:api+orders"},
		{"is_error:true", "is_error=true"},
		{"is_error:FALSE", "is_error=false"},
		{"message:slow", "message:slow"},
		{"msg:slow", "message:slow"},
		{`stack:"main.go"`, "stack:main+go"},
		{"source:app.log", `source="app.log"`},
		{`time:>="2024-05-01T10:00:00Z"`, "time[10:00:00..00:00:00]"},
		{`time:<2024-05-02`, "time[00:00:00..00:00:00]"},
		{"service:api status:>=500 timeout", `(service="api" AND status[500,+Inf] AND *:timeout)`},
	}
	for _, c := range cases {
		n, err := parseQuery(c.in)
		if err != nil {
			t.Errorf("parseQuery(%q): %v", c.in, err)
			continue
		}
		if got := describe(n); got != c.want {
			t.Errorf("parseQuery(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// FuzzParseQuery: any input parses or fails with ErrInvalidQuery, never
// panics, and what parses can be evaluated.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"a", `"a b"`, "status:>=500", "(a OR -b) c", "user:/x+/", "a~1", `x\:y`, "time:>2024-01-01", "é*"} {
		f.Add(s)
	}
	ev := fixture()[1]
	f.Fuzz(func(t *testing.T, q string) {
		n, err := parseQuery(q)
		if err != nil {
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("parseQuery(%q) error %v is not ErrInvalidQuery", q, err)
			}
			return
		}
		naiveMatch(n, &ev)
		n.bleveQuery()
	})
}

// TestKeywordColumns: every keyword field of the syntax has a column, and
// every column is a keyword field of the syntax.
func TestKeywordColumns(t *testing.T) {
	if len(syntax.KeywordFields) != numKW {
		t.Fatalf("syntax has %d keyword fields, the index %d columns", len(syntax.KeywordFields), numKW)
	}
	for _, n := range syntax.KeywordFields {
		if c, ok := kwCols[n]; !ok || kwNames[c] != n {
			t.Errorf("keyword field %q has no column", n)
		}
	}
}
