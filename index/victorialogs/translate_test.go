package victorialogs

import (
	"errors"
	"testing"

	"github.com/culprit-dev/culprit/index/model"
)

// Each kind of leaf has its LogsQL form, and says whether it is exact.
func TestTranslate(t *testing.T) {
	cases := []struct {
		query, want string
		exact       bool
	}{
		{"", `culprit_kind:=event *`, true},
		{"Timeout", `culprit_kind:=event culprit_words:"timeout"`, true},
		{`"Connection refused"`, `culprit_kind:=event culprit_words:"connection refused"`, true},
		{"message:slow", `culprit_kind:=event culprit_wm:"slow"`, true},
		{"service:api", `culprit_kind:=event service:="api"`, true},
		{"level:ERROR", `culprit_kind:=event culprit_lc_level:="error"`, true},
		{`route:"GET /a/{id}"`, `culprit_kind:=event route:="GET /a/{id}"`, true},
		{`user:a"b`, `culprit_kind:=event user:="a\"b"`, true},
		{"is_error:false", `culprit_kind:=event !is_error:=true`, true},
		{"status:>=500", `culprit_kind:=event (status:>=500)`, true},
		{"duration:[1 TO 5]", "", false}, // not culprit syntax: a parse error below
		{"duration:<1.5", `culprit_kind:=event (duration_ms:<1.5)`, true},
		{"status:5??", `culprit_kind:=event (status:~"^(?:5..)$" !status:"")`, true},
		{"route:GET*", `culprit_kind:=event (route:~"^(?:GET.*)$" !route:"")`, true},
		{"source:a.log", `culprit_kind:=event source:="a.log"`, true},
		{"time*", `culprit_kind:=event culprit_words:"time"*`, true},
		{"t?me", `culprit_kind:=event culprit_words:~"(?:^|[ \\n])(?:t.me)(?:[ \\n]|$)"`, false},
		{"timout~1", `culprit_kind:=event *`, false},
		{"-timout~1", `culprit_kind:=event *`, false},
		{"a OR -b", `culprit_kind:=event (culprit_words:"a" or !(culprit_words:"b"))`, true},
		{`time:>="2024-05-01T10:00:00Z"`, `culprit_kind:=event (_time:>=2024-05-01T10:00:00Z)`, true},
	}
	for _, c := range cases {
		e, err := filter(model.Filter{Query: c.query})
		if c.want == "" {
			if !errors.Is(err, model.ErrInvalidQuery) {
				t.Errorf("filter(%q) error %v, want ErrInvalidQuery", c.query, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("filter(%q): %v", c.query, err)
			continue
		}
		if e.q != c.want || e.exact != c.exact {
			t.Errorf("filter(%q) = %s (exact %v), want %s (exact %v)", c.query, e.q, e.exact, c.want, c.exact)
		}
	}
}

// The sort key orders sources byte by byte and then lines, with only
// letters, whatever digits the source holds.
func TestSortKey(t *testing.T) {
	ordered := []struct {
		source string
		line   int64
	}{{"", 1}, {"10.log", 2}, {"10.log", 10}, {"9.log", 1}, {"a", 1}, {"a", 100000}, {"ab", 1}, {"b", 0}}
	for i := 1; i < len(ordered); i++ {
		a, b := ordered[i-1], ordered[i]
		ka, kb := sortKey(a.source, a.line), sortKey(b.source, b.line)
		if !(ka < kb) {
			t.Errorf("sortKey(%q, %d) = %s is not before sortKey(%q, %d) = %s", a.source, a.line, ka, b.source, b.line, kb)
		}
		for _, c := range kb {
			if c >= '0' && c <= '9' {
				t.Fatalf("sortKey(%q, %d) = %s holds a digit", b.source, b.line, kb)
			}
		}
	}
}
