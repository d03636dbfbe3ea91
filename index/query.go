package index

import (
	"regexp"
	"slices"

	vregexp "github.com/blevesearch/vellum/regexp"

	"github.com/culprit-dev/culprit/index/syntax"
)

// A query is parsed by package syntax; this file lowers syntax's tree into
// the plan eval.go runs: nodes over the block columns and word indexes.

type fieldKind int

const (
	fkKeyword fieldKind = iota
	fkSource
	fkNumeric
	fkBool
	fkTime
	fkText
)

// Text fields.
const (
	textAny = iota
	textMessage
	textError
	textStack
)

// Numeric fields.
const (
	numStatus = iota
	numDuration
)

type fieldSpec struct {
	name string
	kind fieldKind
	col  int // keyword column, text field or numeric field
}

// Node operators.
const (
	opLeaf = iota
	opAnd
	opOr
	opNot
	opAll // matches every line
)

type qnode struct {
	op   int
	kids []*qnode
	leaf *qleaf
}

// Leaf kinds.
const (
	lkEqual   = iota // keyword/source/bool: whole value
	lkPattern        // keyword/source/numeric: regexp over the value; text: over each word
	lkFuzzy          // edit distance over the value (keyword) or each word (text)
	lkRange          // numeric or time range
	lkWords          // text: words, consecutive
)

type qleaf struct {
	spec  fieldSpec
	kind  int
	value string         // lkEqual (folded for level/method), lkFuzzy
	re    *regexp.Regexp // lkPattern, anchored
	reSrc string         // lkPattern: the regexp for bleve, unanchored
	fuzzy int
	words []string // lkWords
	// lkRange: numeric bounds, or time bounds.
	lo, hi       float64
	loInc, hiInc bool
	tlo, thi     ts
	hasLo, hasHi bool
	bval         bool
	// scan: a keyword pattern matching more than maxExpansion terms;
	// bleve does not prune with it (see limitExpansions).
	scan bool
	// shortSrc: for a pattern on an id field, the regexp over the
	// field's short terms (shortPattern); "" when it cannot prune.
	shortSrc string
	// digitWords: for equality on an id field, the value's words with
	// digits, each a word of a matching line and so in its block's Bloom
	// filter (blockMaybe).
	digitWords []string
}

// isID reports whether l is a leaf on an id field (idterms.go).
func (l *qleaf) isID() bool { return l.spec.kind == fkKeyword && isIDField(l.spec.col) }

// parseQuery parses a query string; an empty query matches everything.
func parseQuery(q string) (*qnode, error) {
	n, err := syntax.Parse(q)
	if err != nil {
		return nil, err
	}
	return lower(n), nil
}

// kwCols maps a keyword field's name to its column.
var kwCols = func() map[string]int {
	m := make(map[string]int, numKW)
	for i, n := range kwNames {
		m[n] = i
	}
	return m
}()

// specOf returns the plan's description of a syntax field.
func specOf(f syntax.Field) fieldSpec {
	switch f.Kind {
	case syntax.Keyword:
		return fieldSpec{f.Name, fkKeyword, kwCols[f.Name]}
	case syntax.Source:
		return fieldSpec{f.Name, fkSource, 0}
	case syntax.Numeric:
		if f.Name == "duration" {
			return fieldSpec{f.Name, fkNumeric, numDuration}
		}
		return fieldSpec{f.Name, fkNumeric, numStatus}
	case syntax.Bool:
		return fieldSpec{f.Name, fkBool, 0}
	case syntax.Time:
		return fieldSpec{f.Name, fkTime, 0}
	}
	switch f.Name {
	case "message":
		return fieldSpec{f.Name, fkText, textMessage}
	case "error":
		return fieldSpec{f.Name, fkText, textError}
	case "stack":
		return fieldSpec{f.Name, fkText, textStack}
	}
	return fieldSpec{kind: fkText, col: textAny}
}

// lower translates a syntax tree into a plan.
func lower(n syntax.Node) *qnode {
	leaf := func(l *qleaf) *qnode { return &qnode{op: opLeaf, leaf: l} }
	kids := func(ns []syntax.Node) []*qnode {
		out := make([]*qnode, len(ns))
		for i, k := range ns {
			out[i] = lower(k)
		}
		return out
	}
	switch n := n.(type) {
	case *syntax.And:
		return &qnode{op: opAnd, kids: kids(n.Kids)}
	case *syntax.Or:
		return &qnode{op: opOr, kids: kids(n.Kids)}
	case *syntax.Not:
		return &qnode{op: opNot, kids: []*qnode{lower(n.Kid)}}
	case *syntax.Equal:
		l := &qleaf{spec: specOf(n.Field), kind: lkEqual, value: n.Value}
		if l.isID() {
			for _, w := range words(n.Value) {
				if hasDigit([]byte(w)) && !slices.Contains(l.digitWords, w) {
					l.digitWords = append(l.digitWords, w)
				}
			}
		}
		return leaf(l)
	case *syntax.IsError:
		return leaf(&qleaf{spec: fieldSpec{"is_error", fkBool, 0}, kind: lkEqual, bval: n.Value})
	case *syntax.Pattern:
		l := &qleaf{spec: specOf(n.Field), kind: lkPattern, re: n.Re, reSrc: n.Src}
		if l.isID() {
			p, _ := n.Re.LiteralPrefix()
			l.shortSrc = shortPattern(p)
			if _, err := vregexp.New(l.shortSrc); err != nil {
				l.shortSrc = "" // bleve cannot run it: no pruning
			}
		}
		return leaf(l)
	case *syntax.Fuzzy:
		return leaf(&qleaf{spec: specOf(n.Field), kind: lkFuzzy, value: n.Value, fuzzy: n.Distance})
	case *syntax.NumRange:
		return leaf(&qleaf{spec: specOf(n.Field), kind: lkRange, lo: n.Lo, hi: n.Hi, loInc: n.LoInc, hiInc: n.HiInc})
	case *syntax.TimeRange:
		l := &qleaf{spec: fieldSpec{"time", fkTime, 0}, kind: lkRange, loInc: n.LoInc, hiInc: n.HiInc, hasLo: n.HasLo, hasHi: n.HasHi}
		if n.HasLo {
			l.tlo = toTS(n.Lo)
		}
		if n.HasHi {
			l.thi = toTS(n.Hi)
		}
		return leaf(l)
	case *syntax.Phrase:
		return leaf(&qleaf{spec: specOf(n.Field), kind: lkWords, words: n.Words})
	}
	return &qnode{op: opAll}
}
