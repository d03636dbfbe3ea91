package index

import (
	"strconv"
	"strings"
)

// Before reading a block's lines, a query judges the block from what is
// known of it without decoding it: its record (time bounds, source) and
// its tally (tally.go). The filter tree is evaluated three-valued: a leaf
// holds on every line of the block, on none, or on some; AND, OR and NOT
// combine those as Kleene's logic does. "none" skips the block and "all"
// answers a count (the block's lines), a facet of tallied columns (the
// tally's counts) and a histogram bar (when the block lies in one bucket)
// without decoding the block. When the answer is "some" but every leaf the
// block leaves undecided is on one tallied column, the lines with a given
// value of that column all match or all do not: the tree is judged again
// with the column pinned to each value of the tally, and the count is the
// sum of the counts of the values that match. Everything else is
// evaluated line by line (eval.go), as before, and a leaf that the block
// decides is not evaluated on its lines.

// tri is the three-valued answer of a filter on a block.
type tri uint8

const (
	triNone tri = iota // no line matches
	triSome            // some may: the lines must be read
	triAll             // every line matches
)

// A dim is a per-line quantity a tally counts: a tallied keyword column
// (its slot in tallyCols), or one of these.
type dim int

const (
	dimStatus = dim(len(tallyCols) + iota)
	dimError      // the error flag
	dimWords      // whether the line has a word
	dimNone   dim = -1
	dimBlock  dim = -2 // decided by the block's record: time, source
)

// blockFacts is what judge knows of a block.
type blockFacts struct {
	m      *blockMeta
	source string // "" when unknown
	t      *tally // nil: none
	// pin, when not dimNone, fixes the value of one dim for every line:
	// the leaves on it are then decided by that value.
	pin       dim
	pinKW     string // "" for a line without a value
	pinStatus int32
	pinBool   bool
}

// dimOf returns the dim a leaf depends on.
func (l *qleaf) dimOf() dim {
	switch l.spec.kind {
	case fkTime, fkSource:
		return dimBlock
	case fkKeyword:
		if s := tallySlot[l.spec.col]; s >= 0 {
			return dim(s)
		}
	case fkNumeric:
		if l.spec.col == numStatus {
			return dimStatus
		}
	case fkBool:
		return dimError
	case fkText:
		if l.anyWord() {
			return dimWords
		}
	}
	return dimNone
}

// anyWord reports whether l is a text pattern every word matches (a
// wildcard of stars and at most one ?): it matches the lines that have a
// word.
func (l *qleaf) anyWord() bool {
	if l.spec.kind != fkText || l.spec.col != textAny || l.kind != lkPattern {
		return false
	}
	src, one := l.reSrc, 0
	for len(src) > 0 {
		switch {
		case strings.HasPrefix(src, ".*"):
			src = src[2:]
		case src[0] == '.' && one == 0:
			src, one = src[1:], 1
		default:
			return false
		}
	}
	return l.reSrc != ""
}

// triOf answers "every line", "no line" or "some" from n matching lines
// of a block of total lines.
func triOf(n, total int) tri {
	switch n {
	case 0:
		return triNone
	case total:
		return triAll
	}
	return triSome
}

func boolTri(b bool) tri {
	if b {
		return triAll
	}
	return triNone
}

// judge evaluates n three-valued on the block bf describes.
func (n *qnode) judge(bf *blockFacts) tri {
	switch n.op {
	case opAll:
		return triAll
	case opAnd:
		r := triAll
		for _, k := range n.kids {
			switch k.judge(bf) {
			case triNone:
				return triNone
			case triSome:
				r = triSome
			}
		}
		return r
	case opOr:
		r := triNone
		for _, k := range n.kids {
			switch k.judge(bf) {
			case triAll:
				return triAll
			case triSome:
				r = triSome
			}
		}
		return r
	case opNot:
		return triAll - n.kids[0].judge(bf)
	}
	return n.leaf.judge(bf)
}

func (l *qleaf) judge(bf *blockFacts) tri {
	d := l.dimOf()
	switch d {
	case dimNone:
		return triSome
	case dimBlock:
		if l.spec.kind == fkSource {
			if bf.source == "" {
				return triSome
			}
			return boolTri(l.matchValue(bf.source))
		}
		if l.kind != lkRange {
			return triSome
		}
		m := bf.m
		if !l.timeOverlaps(m.min, m.max) {
			return triNone
		}
		// A range is an interval: both ends in it, every time between.
		if l.timeOK(m.min) && l.timeOK(m.max) {
			return triAll
		}
		return triSome
	}
	if bf.pin == d {
		switch d {
		case dimStatus:
			return boolTri(l.statusMatch(bf.pinStatus))
		case dimError:
			return boolTri(bf.pinBool == l.bval)
		case dimWords:
			return boolTri(bf.pinBool)
		}
		return boolTri(l.kwMatch(bf.pinKW))
	}
	t := bf.t
	if t == nil {
		return triSome
	}
	switch d {
	case dimStatus:
		n := 0
		for _, c := range t.status {
			if l.statusMatch(c.s) {
				n += c.n
			}
		}
		return triOf(n, t.n)
	case dimError:
		if l.bval {
			return triOf(t.errs, t.n)
		}
		return triOf(t.n-t.errs, t.n)
	case dimWords:
		return triOf(t.words, t.n)
	}
	n := 0
	for _, v := range t.kw[d] {
		if l.kwMatch(t.value(v)) {
			n += int(v.n)
		}
	}
	return triOf(n, t.n)
}

// kwMatch reports whether a line whose keyword value is v matches l, as
// eval decides it ("" is no value, which matches nothing).
func (l *qleaf) kwMatch(v string) bool {
	if v == "" {
		return false
	}
	if foldKW(l.spec.col) {
		v = strings.ToLower(v)
	}
	return l.matchValue(v)
}

// statusMatch reports whether a line of status s (0: none) matches the
// status leaf l, as eval decides it.
func (l *qleaf) statusMatch(s int32) bool {
	if s == 0 {
		return false
	}
	switch l.kind {
	case lkPattern:
		return l.re.MatchString(strconv.Itoa(int(s)))
	case lkRange:
		return l.numOK(float64(s))
	}
	return false
}

// undecided returns the one dim on which every leaf n leaves undecided
// on the block depends (dimBlock: none is), or dimNone when there are
// several or one that no tally counts.
func (n *qnode) undecided(bf *blockFacts) dim {
	if n.op == opLeaf {
		if n.leaf.judge(bf) != triSome {
			return dimBlock
		}
		d := n.leaf.dimOf()
		if d == dimBlock {
			return dimNone // cannot be: record leaves are decided
		}
		return d
	}
	out := dimBlock
	for _, k := range n.kids {
		switch d := k.undecided(bf); {
		case d == dimNone:
			return dimNone
		case d == dimBlock:
		case out == dimBlock:
			out = d
		case out != d:
			return dimNone
		}
	}
	return out
}

// usesRecord reports whether a block's record can decide a leaf of n.
func (n *qnode) usesRecord() bool {
	return n.anyLeaf(func(l *qleaf) bool { return l.dimOf() == dimBlock })
}

// usesTally reports whether judging n can use a tally.
func (n *qnode) usesTally() bool {
	return n.anyLeaf(func(l *qleaf) bool { return l.dimOf() >= 0 })
}

// anyLeaf reports whether f holds for a leaf of n.
func (n *qnode) anyLeaf(f func(*qleaf) bool) bool {
	if n.op == opLeaf {
		return f(n.leaf)
	}
	for _, k := range n.kids {
		if k.anyLeaf(f) {
			return true
		}
	}
	return false
}

// verdict is what judging a block found.
type verdict struct {
	kind tri
	// known: count is the number of matching lines (kind all, or some
	// reduced to one dim).
	known bool
	count int
	t     *tally
	// on, for kind some with known: the dim the filter reduces to, and
	// the number of matching lines per value of it (valueCounts order).
	on  dim
	per []int
}

// valueCounts calls fn with every value of dim d in tally t and its
// number of lines, setting the pin of bf to it; the lines without a value
// (or with status 0, or without the error flag or a word) included.
func valueCounts(t *tally, d dim, bf *blockFacts, fn func(n int)) {
	bf.pin = d
	defer func() { bf.pin = dimNone }()
	switch d {
	case dimStatus:
		for _, c := range t.status {
			bf.pinStatus = c.s
			fn(c.n)
		}
		return
	case dimError, dimWords:
		yes := t.errs
		if d == dimWords {
			yes = t.words
		}
		bf.pinBool = true
		fn(yes)
		bf.pinBool = false
		fn(t.n - yes)
		return
	}
	for _, v := range t.kw[d] {
		bf.pinKW = t.value(v)
		fn(int(v.n))
	}
	bf.pinKW = ""
	fn(t.missing(int(d)))
}

// judgeBlock judges the block bf describes with n (see above).
func (n *qnode) judgeBlock(bf *blockFacts) verdict {
	bf.pin = dimNone
	v := verdict{kind: n.judge(bf), t: bf.t}
	switch v.kind {
	case triNone:
		v.known = true
		return v
	case triAll:
		v.known, v.count = true, bf.m.n
		return v
	}
	if bf.t == nil {
		return v
	}
	d := n.undecided(bf)
	if d < 0 {
		return v
	}
	ok := true
	valueCounts(bf.t, d, bf, func(c int) {
		r := n.judge(bf)
		if r == triSome {
			ok = false // cannot be: every undecided leaf is pinned
		}
		if r == triAll {
			v.count += c
			v.per = append(v.per, c)
		} else {
			v.per = append(v.per, 0)
		}
	})
	if !ok {
		v.count, v.per = 0, nil
		return v
	}
	v.known, v.on = true, d
	return v
}
