package victorialogs

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/culprit-dev/culprit/index/model"
	"github.com/culprit-dev/culprit/index/syntax"
)

// expr is a LogsQL filter and whether it selects exactly what the culprit
// node it came from selects. When it is not exact it selects a superset,
// and the store keeps the rows the node's Match accepts.
type expr struct {
	q     string
	exact bool
}

// all is LogsQL's filter of every row.
var all = expr{q: "*", exact: true}

// translator turns a syntax tree into LogsQL, one method per kind of node.
type translator struct{}

// filter returns the LogsQL filter of the events f selects: the tree of
// syntax.FromFilter, ANDed with the marker of event rows.
func filter(f model.Filter) (expr, error) {
	n, err := syntax.FromFilter(f)
	if err != nil {
		return expr{}, err
	}
	var tr translator
	e := tr.node(n)
	e.q = fKind + ":=" + kindEv + " " + e.q
	return e, nil
}

// node translates any node.
func (tr translator) node(n syntax.Node) expr {
	switch n := n.(type) {
	case syntax.All:
		return all
	case *syntax.And:
		return tr.and(n)
	case *syntax.Or:
		return tr.or(n)
	case *syntax.Not:
		return tr.not(n)
	case *syntax.Equal:
		return tr.equal(n)
	case *syntax.IsError:
		return tr.isError(n)
	case *syntax.Pattern:
		return tr.pattern(n)
	case *syntax.Fuzzy:
		return tr.fuzzy(n)
	case *syntax.NumRange:
		return tr.numRange(n)
	case *syntax.TimeRange:
		return tr.timeRange(n)
	case *syntax.Phrase:
		return tr.phrase(n)
	}
	// A node this store does not know: select everything and let Match
	// decide, so a new kind of leaf is slow rather than wrong.
	return expr{q: "*"}
}

// and: every kid must hold; exact when every kid is.
func (tr translator) and(n *syntax.And) expr {
	parts := make([]string, len(n.Kids))
	exact := true
	for i, k := range n.Kids {
		e := tr.node(k)
		parts[i], exact = e.q, exact && e.exact
	}
	return expr{q: "(" + strings.Join(parts, " ") + ")", exact: exact}
}

// or: any kid; a superset of a kid keeps the union a superset.
func (tr translator) or(n *syntax.Or) expr {
	parts := make([]string, len(n.Kids))
	exact := true
	for i, k := range n.Kids {
		e := tr.node(k)
		parts[i], exact = e.q, exact && e.exact
	}
	return expr{q: "(" + strings.Join(parts, " or ") + ")", exact: exact}
}

// not: the negation of a superset is a subset, which no filtering can
// repair, so an inexact kid makes the negation select everything.
func (tr translator) not(n *syntax.Not) expr {
	e := tr.node(n.Kid)
	if !e.exact {
		return expr{q: "*"}
	}
	return expr{q: "!(" + e.q + ")", exact: true}
}

// valueField is the row field holding a keyword or source field's value as
// the leaf compares it: level and method compare lowercased.
func valueField(f syntax.Field) string {
	if f.Fold() {
		return fLCPre + f.Name
	}
	if f.Name == "duration" {
		return "duration_ms"
	}
	return f.Name
}

// textField is the row field holding the words a text field searches.
func textField(f syntax.Field) string {
	switch f.Name {
	case "message":
		return fWMsg
	case "error":
		return fWErr
	case "stack":
		return fWStack
	}
	return fWords
}

// quote renders s as a LogsQL string literal.
func quote(s string) string { return strconv.Quote(s) }

// equal: the whole value, exactly (the writer stores level and method
// lowercased too).
func (tr translator) equal(l *syntax.Equal) expr {
	return expr{q: valueField(l.Field) + ":=" + quote(l.Value), exact: true}
}

// isError: the flag the writer stores as "true" or not at all.
func (tr translator) isError(l *syntax.IsError) expr {
	q := "is_error:=" + trueVal
	if !l.Value {
		q = "!" + q
	}
	return expr{q: q, exact: true}
}

// prefixRE recognises a word pattern that is a plain prefix (time*).
var prefixRE = regexp.MustCompile(`^([\p{L}\p{N}]+)\.\*$`)

// pattern: a regular expression over a whole value (keyword, source, the
// decimal form of a number), or over each word of a text field. Over words
// it is exact for a plain prefix (a LogsQL prefix filter over the word
// field) and otherwise a superset: the expression between word separators.
func (tr translator) pattern(l *syntax.Pattern) expr {
	switch l.Field.Kind {
	case syntax.Keyword, syntax.Numeric:
		f := valueField(l.Field)
		return expr{q: "(" + f + ":~" + quote("^(?:"+l.Src+")$") + " !" + f + ":" + quote(noneVal) + ")", exact: true}
	case syntax.Source:
		return expr{q: "source:~" + quote("^(?:"+l.Src+")$"), exact: true}
	case syntax.Text:
		f := textField(l.Field)
		if m := prefixRE.FindStringSubmatch(l.Src); m != nil && len(m[1]) <= syntax.MaxWordLen {
			return expr{q: f + ":" + quote(m[1]) + "*", exact: true}
		}
		if strings.ContainsAny(l.Src, `^$\`) {
			return expr{q: "*"} // anchors or escapes may not survive the separators
		}
		return expr{q: f + ":~" + quote(`(?:^|[ \n])(?:`+l.Src+`)(?:[ \n]|$)`)}
	}
	return expr{q: "*"}
}

// fuzzy: LogsQL has no edit distance; every row is a candidate and Match
// decides (the other clauses of an AND still narrow it).
func (tr translator) fuzzy(*syntax.Fuzzy) expr { return expr{q: "*"} }

// num renders a bound.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// numRange: LogsQL range filters compare numbers and never match a row
// without the field.
func (tr translator) numRange(l *syntax.NumRange) expr {
	f := valueField(l.Field)
	var parts []string
	if !math.IsInf(l.Lo, -1) {
		op := ">"
		if l.LoInc {
			op = ">="
		}
		parts = append(parts, f+":"+op+num(l.Lo))
	}
	if !math.IsInf(l.Hi, 1) {
		op := "<"
		if l.HiInc {
			op = "<="
		}
		parts = append(parts, f+":"+op+num(l.Hi))
	}
	if len(parts) == 0 {
		parts = append(parts, f+":*")
	}
	return expr{q: "(" + strings.Join(parts, " ") + ")", exact: true}
}

// Time bounds VictoriaLogs can represent (nanoseconds in an int64).
var (
	minTime = time.Unix(0, math.MinInt64+1).UTC()
	maxTime = time.Unix(0, math.MaxInt64-1).UTC()
)

// timeRange: _time filters with nanosecond bounds.
func (tr translator) timeRange(l *syntax.TimeRange) expr {
	var parts []string
	if l.HasLo {
		switch {
		case l.Lo.After(maxTime):
			return expr{q: "!*", exact: true}
		case l.Lo.After(minTime):
			op := ">"
			if l.LoInc {
				op = ">="
			}
			parts = append(parts, "_time:"+op+fmtTime(l.Lo))
		}
	}
	if l.HasHi {
		switch {
		case l.Hi.Before(minTime):
			return expr{q: "!*", exact: true}
		case l.Hi.Before(maxTime):
			op := "<"
			if l.HiInc {
				op = "<="
			}
			parts = append(parts, "_time:"+op+fmtTime(l.Hi))
		}
	}
	if len(parts) == 0 {
		return all
	}
	return expr{q: "(" + strings.Join(parts, " ") + ")", exact: true}
}

// fmtTime renders a time for a _time filter.
func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// phrase: the words consecutively in one string of the field's word text.
// The writer stores words lowercased, separated by one space, strings by a
// newline, so a case-sensitive LogsQL phrase is exactly culprit's
// case-insensitive one.
func (tr translator) phrase(l *syntax.Phrase) expr {
	return expr{q: textField(l.Field) + ":" + quote(strings.Join(l.Words, wordSep)), exact: true}
}
