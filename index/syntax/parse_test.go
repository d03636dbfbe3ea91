package syntax

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/culprit-dev/culprit/index/model"
)

// describe renders a tree compactly, naming each leaf's type.
func describe(n Node) string {
	list := func(ns []Node, op string) string {
		var parts []string
		for _, k := range ns {
			parts = append(parts, describe(k))
		}
		return "(" + strings.Join(parts, op) + ")"
	}
	name := func(f Field) string {
		if f.Name == "" {
			return "*"
		}
		return f.Name
	}
	switch n := n.(type) {
	case All:
		return "All"
	case *And:
		return list(n.Kids, " AND ")
	case *Or:
		return list(n.Kids, " OR ")
	case *Not:
		return "NOT " + describe(n.Kid)
	case *Equal:
		return fmt.Sprintf("Equal %s=%q", name(n.Field), n.Value)
	case *IsError:
		return fmt.Sprintf("IsError %v", n.Value)
	case *Pattern:
		return fmt.Sprintf("Pattern %s~/%s/", name(n.Field), n.Src)
	case *Fuzzy:
		return fmt.Sprintf("Fuzzy %s~%d%q", name(n.Field), n.Distance, n.Value)
	case *NumRange:
		lb, rb := "(", ")"
		if n.LoInc {
			lb = "["
		}
		if n.HiInc {
			rb = "]"
		}
		return fmt.Sprintf("NumRange %s%s%v,%v%s", name(n.Field), lb, n.Lo, n.Hi, rb)
	case *TimeRange:
		b := func(has bool, t fmt.Stringer) string {
			if !has {
				return "-"
			}
			return t.String()
		}
		return fmt.Sprintf("TimeRange %s..%s inc=%v,%v", b(n.HasLo, n.Lo), b(n.HasHi, n.Hi), n.LoInc, n.HiInc)
	case *Phrase:
		return fmt.Sprintf("Phrase %s:%s", name(n.Field), strings.Join(n.Words, "+"))
	}
	return fmt.Sprintf("?%T", n)
}

func TestParse(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "All"},
		{"   ", "All"},
		{"timeout", "Phrase *:timeout"},
		{"Timeout", "Phrase *:timeout"},
		{"/v1/inventory/reserve", "Phrase *:v1+inventory+reserve"},
		{`"connection refused"`, "Phrase *:connection+refused"},
		{"a b", "(Phrase *:a AND Phrase *:b)"},
		{"a AND b && c", "(Phrase *:a AND Phrase *:b AND Phrase *:c)"},
		{"a OR b || c", "(Phrase *:a OR Phrase *:b OR Phrase *:c)"},
		{"a || b c", "(Phrase *:a OR (Phrase *:b AND Phrase *:c))"},
		{"(a OR b) c", "((Phrase *:a OR Phrase *:b) AND Phrase *:c)"},
		{"-a", "NOT Phrase *:a"},
		{"NOT a b", "(NOT Phrase *:a AND Phrase *:b)"},
		{"+a^2", "Phrase *:a"},
		{"status:500", "NumRange status[500,500]"},
		{"status:>=500", "NumRange status[500,+Inf]"},
		{"status:>500", "NumRange status(500,+Inf]"},
		{"duration_ms:<1.5", "NumRange duration[-Inf,1.5)"},
		{"status:5*", "Pattern status~/5.*/"},
		{"service:api", `Equal service="api"`},
		{"level:ERROR", `Equal level="error"`},
		{"method:GET*", `Pattern method~/get.*/`},
		{"level:/ERR.*/", `Pattern level~/(?i)ERR.*/`},
		{`route:"GET /api/orders/{id}"`, `Equal route="GET /api/orders/{id}"`},
		{"request_id:7f3a:01", `Equal request_id="7f3a:01"`},
		{`user:a\ b`, `Equal user="a b"`},
		{"user:bob~", `Fuzzy user~1"bob"`},
		{"source:app.log", `Equal source="app.log"`},
		{"timout~2", `Fuzzy *~2"timout"`},
		{"time*", "Pattern *~/time.*/"},
		{"/time(out)?/", "Pattern *~/time(out)?/"},
		{"is_error:TRUE", "IsError true"},
		{"msg:slow", "Phrase message:slow"},
		{`stack:"main.go"`, "Phrase stack:main+go"},
		{`time:>="2024-05-01T10:00:00Z"`, "TimeRange 2024-05-01 10:00:00 +0000 UTC..- inc=true,false"},
		{`time:<2024-05-02`, "TimeRange -..2024-05-02 00:00:00 +0000 UTC inc=false,false"},
		{`time:2024-05-02T10:00:00+02:00`, "TimeRange 2024-05-02 10:00:00 +0200 +0200..2024-05-02 10:00:00 +0200 +0200 inc=true,true"},
	}
	for _, c := range cases {
		n, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := describe(n); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"foo:bar", `unknown field "foo"`},
		{"http://example.com/x", `unknown field "http"`},
		{"status:abc", "want a number"},
		{"status:", "missing value"},
		{"service:", "missing value"},
		{`"unterminated`, "unterminated quote"},
		{`message:"unterminated`, "unterminated quote"},
		{"(a OR b", "unclosed parenthesis"},
		{")", `expected a term, got ")"`},
		{"a )", `unexpected ")"`},
		{"NOT", "expected a term"},
		{"a OR", "expected a term"},
		{"is_error:maybe", "want true or false"},
		{"user:/[/", "invalid pattern"},
		{"/(/", "invalid pattern"},
		{"service:>5", "ranges apply to"},
		{"time:>yesterday", "RFC 3339"},
		{"---", "expected a term"},
		{"...", "search term: \"...\" has no letters or digits"},
		{"a~3", "at most 2"},
		{"u-1*", "within one word"},
		{"connection-refused~1", "must be one word"},
		{"a^x", "invalid boost"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q): no error, want %q", c.in, c.want)
			continue
		}
		if !errors.Is(err, model.ErrInvalidQuery) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", c.in)) {
			t.Errorf("Parse(%q) error = %q, want model.ErrInvalidQuery naming the query and saying %q", c.in, err, c.want)
		}
	}
}

func TestFromFilter(t *testing.T) {
	cases := []struct {
		f    model.Filter
		want string
	}{
		{model.Filter{}, "All"},
		{model.Filter{Service: "api"}, `Equal service="api"`},
		{model.Filter{Level: "WARN", User: "bob"}, `(Equal level="warn" AND Equal user="bob")`},
		{model.Filter{MinLevel: "Error", ErrorsOnly: true}, `((Equal level="error" OR Equal level="fatal") AND IsError true)`},
		{model.Filter{RequestID: "r", Query: "a OR b"}, `(Equal request_id="r" AND (Phrase *:a OR Phrase *:b))`},
	}
	for _, c := range cases {
		n, err := FromFilter(c.f)
		if err != nil {
			t.Errorf("FromFilter(%+v): %v", c.f, err)
			continue
		}
		if got := describe(n); got != c.want {
			t.Errorf("FromFilter(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
	if _, err := FromFilter(model.Filter{MinLevel: "loud"}); !errors.Is(err, model.ErrInvalidQuery) {
		t.Errorf("FromFilter(MinLevel loud) error = %v, want model.ErrInvalidQuery", err)
	}
}

// TestMatchLeaves: the edge cases of each leaf's meaning on one event.
func TestMatchLeaves(t *testing.T) {
	ev := &model.Event{
		Level: "error", Method: "GET", Service: "api", Status: 500, DurationMS: 12.5, User: "Ann",
		Message: "Connection refused", Fingerprint: "fp1", IsError: true, Source: "a.log",
		Raw: []byte(`{"msg":"Connection refused","ctx":{"peer":"db-1"},"note":"a\u00e9b"}`),
	}
	cases := []struct {
		q    string
		want bool
	}{
		{"level:ERROR", true},
		{"method:get", true},
		{"user:ann", false}, // only level and method fold case
		{"user:Ann", true},
		{"user:A*", true},
		{"host:*", false}, // an absent keyword matches nothing
		{"-host:*", true},
		{"status:500", true},
		{"status:5??", true},
		{"duration:12.5", true},
		{"duration:>12.5", false},
		{"peer", false}, // a key
		{"db", true},    // a nested value
		{"\"db 1\"", true},
		{"aéb", true}, // an escaped value, unescaped
		{"fp1", false},
		{"fingerprint:fp1", true},
		{"message:db", false},
		{"message:connection", true},
		{"refused~1", true},
		{"refuse?", true},
		{"source:a.log", true},
		{"is_error:false", false},
	}
	for _, c := range cases {
		n, err := Parse(c.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.q, err)
		}
		if got := n.Match(ev); got != c.want {
			t.Errorf("Parse(%q).Match = %v, want %v", c.q, got, c.want)
		}
	}
}
