package index

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	bquery "github.com/blevesearch/bleve/v2/search/query"
	vregexp "github.com/blevesearch/vellum/regexp"

	"github.com/culprit-dev/culprit/index/syntax"
)

// A query is answered in three steps, each exact or a superset of the next:
//
//  1. bleve: the block documents that may hold a match (bleveQuery; a
//     superset: NOT and what bleve cannot see become "any block");
//  2. the block manifest and Bloom filters: time bounds and words with
//     digits (blockMaybe; also a superset);
//  3. every line of every remaining block, exactly (eval).

// compileFilter turns a Filter into one query tree: syntax's tree of the
// whole filter, lowered into this package's plan (query.go).
func compileFilter(f Filter) (*qnode, error) {
	n, err := syntax.FromFilter(f)
	if err != nil {
		return nil, err
	}
	return lower(n), nil
}

// cost orders the operands of AND: cheap column checks first, then words,
// then checks that need the lines' text.
func (n *qnode) cost() int {
	switch n.op {
	case opAll:
		return 0
	case opLeaf:
		l := n.leaf
		switch {
		case l.spec.kind != fkText:
			return 1
		case l.spec.col == textAny && l.kind == lkWords && len(l.words) == 1:
			return 2
		case l.spec.col == textAny && l.kind != lkWords:
			return 3
		}
		return 4
	}
	c := 0
	for _, k := range n.kids {
		c = max(c, k.cost())
	}
	return c
}

// prepare sorts AND operands by cost, recursively.
func (n *qnode) prepare() {
	for _, k := range n.kids {
		k.prepare()
	}
	if n.op == opAnd {
		slices.SortStableFunc(n.kids, func(a, b *qnode) int { return a.cost() - b.cost() })
	}
}

// bleveQuery returns the query over block documents selecting the blocks
// that may hold a match; nil means every block.
func (n *qnode) bleveQuery() bquery.Query {
	switch n.op {
	case opLeaf:
		return n.leaf.bleveQuery()
	case opAnd:
		var qs []bquery.Query
		for _, k := range n.kids {
			if q := k.bleveQuery(); q != nil {
				qs = append(qs, q)
			}
		}
		switch len(qs) {
		case 0:
			return nil
		case 1:
			return qs[0]
		}
		return bleve.NewConjunctionQuery(qs...)
	case opOr:
		var qs []bquery.Query
		for _, k := range n.kids {
			q := k.bleveQuery()
			if q == nil {
				return nil
			}
			qs = append(qs, q)
		}
		return bleve.NewDisjunctionQuery(qs...)
	}
	return nil // opAll, opNot
}

func term(field, t string) bquery.Query {
	q := bleve.NewTermQuery(t)
	q.SetField(field)
	return q
}

func termRange(field, lo, hi string) bquery.Query {
	inc := true
	q := bleve.NewTermRangeInclusiveQuery(lo, hi, &inc, &inc)
	q.SetField(field)
	return q
}

func (l *qleaf) bleveQuery() bquery.Query {
	switch l.spec.kind {
	case fkKeyword, fkSource:
		field := l.spec.name
		switch l.kind {
		case lkEqual:
			t := kwTermString(l.value)
			if l.spec.kind == fkKeyword {
				t, _ = kwTerm(l.spec.col, l.value)
			}
			if l.isID() {
				// Blocks written before short terms have the value.
				st, _ := shortTerm(l.value)
				st, _ = kwTerm(l.spec.col, st)
				return bleve.NewDisjunctionQuery(term(field, t), term(shortField(l.spec.col), st))
			}
			return term(field, t)
		case lkPattern:
			if l.scan {
				return nil // too many terms to expand: no pruning
			}
			if _, err := vregexp.New(l.reSrc); err != nil {
				return nil // bleve cannot run it: no pruning
			}
			re := bleve.NewRegexpQuery(l.reSrc)
			re.SetField(field)
			if l.isID() {
				sre := bleve.NewRegexpQuery(l.shortSrc)
				sre.SetField(shortField(l.spec.col))
				return bleve.NewDisjunctionQuery(re, sre, term(docFieldNames[dfLong], field))
			}
			return bleve.NewDisjunctionQuery(re, term(docFieldNames[dfLong], field))
		}
	case fkNumeric:
		if l.kind != lkRange {
			return nil
		}
		if l.spec.col == numStatus {
			lo, hi := l.lo, l.hi
			if l.loInc {
				lo = math.Ceil(lo)
			} else {
				lo = math.Floor(lo) + 1
			}
			if l.hiInc {
				hi = math.Floor(hi)
			} else {
				hi = math.Ceil(hi) - 1
			}
			return termRange("status", statusTerm(lo), statusTerm(hi))
		}
		return termRange("duration", durTerm(l.lo), durTerm(l.hi))
	case fkBool:
		return term("is_error", strconv.FormatBool(l.bval))
	case fkText:
		if l.kind != lkWords {
			return nil
		}
		var qs []bquery.Query
		for _, w := range l.words {
			if !hasDigit([]byte(w)) {
				qs = append(qs, term(docFieldNames[dfWords], w))
			}
		}
		switch len(qs) {
		case 0:
			return nil
		case 1:
			return qs[0]
		}
		return bleve.NewConjunctionQuery(qs...)
	}
	return nil
}

// blockCheck gives blockMaybe a block's bounds and, lazily, its Bloom
// filter.
type blockCheck struct {
	ix    *Index
	num   int
	m     *blockMeta
	bloom bloom
	err   error
	done  bool
}

func (bc *blockCheck) hasWord(w string) bool {
	if !bc.done {
		bc.done = true
		bc.bloom, bc.err = bc.ix.loadBloom(bc.num, bc.m)
	}
	return bc.err != nil || bc.bloom.has(wordHash([]byte(w)))
}

// blockMaybe reports whether block bc may hold a match (time bounds and
// Bloom filters; a superset).
func (n *qnode) blockMaybe(bc *blockCheck) bool {
	switch n.op {
	case opAnd:
		for _, k := range n.kids {
			if !k.blockMaybe(bc) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range n.kids {
			if k.blockMaybe(bc) {
				return true
			}
		}
		return false
	case opLeaf:
		l := n.leaf
		switch {
		case l.spec.kind == fkTime && l.kind == lkRange:
			return l.timeOverlaps(bc.m.min, bc.m.max)
		case l.spec.kind == fkText && l.kind == lkWords:
			for _, w := range l.words {
				if hasDigit([]byte(w)) && !bc.hasWord(w) {
					return false
				}
			}
		case l.kind == lkEqual:
			// An id's short term is shared by a few blocks in 65k;
			// the Bloom filters sort them out.
			for _, w := range l.digitWords {
				if !bc.hasWord(w) {
					return false
				}
			}
		}
	}
	return true
}

func (l *qleaf) timeOK(t ts) bool {
	if l.hasLo {
		if c := t.cmp(l.tlo); c < 0 || c == 0 && !l.loInc {
			return false
		}
	}
	if l.hasHi {
		if c := t.cmp(l.thi); c > 0 || c == 0 && !l.hiInc {
			return false
		}
	}
	return true
}

func (l *qleaf) timeOverlaps(lo, hi ts) bool {
	if l.hasLo {
		if c := hi.cmp(l.tlo); c < 0 || c == 0 && !l.loInc {
			return false
		}
	}
	if l.hasHi {
		if c := lo.cmp(l.thi); c > 0 || c == 0 && !l.hiInc {
			return false
		}
	}
	return true
}

func (l *qleaf) numOK(v float64) bool {
	if v < l.lo || v == l.lo && !l.loInc {
		return false
	}
	if v > l.hi || v == l.hi && !l.hiInc {
		return false
	}
	return true
}

// lineCtx is one block during exact evaluation.
type lineCtx struct {
	ix  *Index
	num int
	m   *blockMeta
	c   *cols
	// the block's word indexes, loaded on demand
	plain, digits *wordIndex
	sp            wordSplitter
	ls            lineStrings
	err           error // from lineMatches
	// bf, when set, is what is known of the block without its lines:
	// the leaves it decides are not evaluated on them.
	bf *blockFacts
}

// words returns the block's word index of words with or without digits.
func (lc *lineCtx) words(digits bool) (*wordIndex, error) {
	p := &lc.plain
	if digits {
		p = &lc.digits
	}
	if *p == nil {
		wi, err := lc.ix.loadWords(lc.num, lc.m, digits)
		if err != nil {
			return nil, err
		}
		*p = wi
	}
	return *p, nil
}

// line returns the payload of line i.
func (lc *lineCtx) line(i int) (*payloadLine, error) {
	k, j := lc.c.frameOf(i)
	fr, err := lc.ix.loadFrame(lc.num, lc.m, lc.c, k)
	if err != nil {
		return nil, err
	}
	return &fr.lines[j], nil
}

// eval returns the lines of cand that match n.
func (n *qnode) eval(lc *lineCtx, cand bitmap) (bitmap, error) {
	switch n.op {
	case opAll:
		return cand, nil
	case opAnd:
		for _, k := range n.kids {
			if cand.empty() {
				break
			}
			r, err := k.eval(lc, cand)
			if err != nil {
				return r, err
			}
			cand = r
		}
		return cand, nil
	case opOr:
		var out bitmap
		rest := cand
		for _, k := range n.kids {
			if rest.empty() {
				break
			}
			r, err := k.eval(lc, rest)
			if err != nil {
				return r, err
			}
			out = out.or(r)
			rest = rest.andNot(r)
		}
		return out, nil
	case opNot:
		r, err := n.kids[0].eval(lc, cand)
		return cand.andNot(r), err
	}
	if lc.bf != nil {
		// A leaf the block decides needs none of its lines.
		switch n.leaf.judge(lc.bf) {
		case triAll:
			return cand, nil
		case triNone:
			return bitmap{}, nil
		}
	}
	return n.leaf.eval(lc, cand)
}

func (l *qleaf) eval(lc *lineCtx, cand bitmap) (bitmap, error) {
	c := lc.c
	var out bitmap
	switch l.spec.kind {
	case fkKeyword:
		col := l.spec.col
		kc, err := c.kwc(col)
		if err != nil {
			return out, lc.corrupt(err)
		}
		dict := kc.dict
		ok := make([]bool, len(dict)+1)
		some := false
		for k, v := range dict {
			if l.kwMatch(v) {
				ok[k+1], some = true, true
			}
		}
		if !some {
			return out, nil
		}
		kw := kc.idx
		cand.each(func(i int) {
			if ok[kw[i]] {
				out.set(i)
			}
		})
		return out, nil
	case fkSource:
		if l.matchValue(c.source) {
			return cand, nil
		}
		return out, nil
	case fkBool:
		cand.each(func(i int) {
			if (c.flags[i]&flagError != 0) == l.bval {
				out.set(i)
			}
		})
		return out, nil
	case fkTime:
		cand.each(func(i int) {
			if l.timeOK(c.time[i]) {
				out.set(i)
			}
		})
		return out, nil
	case fkNumeric:
		if l.spec.col == numStatus {
			cand.each(func(i int) {
				if l.statusMatch(c.status[i]) {
					out.set(i)
				}
			})
			return out, nil
		}
		cand.each(func(i int) {
			if !hasDuration(c.dur[i]) {
				return
			}
			v := c.dur[i]
			if l.kind == lkPattern && l.re.MatchString(strconv.FormatFloat(v, 'f', -1, 64)) || l.kind == lkRange && l.numOK(v) {
				out.set(i)
			}
		})
		return out, nil
	}
	return l.evalText(lc, cand)
}

// matchValue matches a whole keyword value (already folded if need be).
func (l *qleaf) matchValue(v string) bool {
	switch l.kind {
	case lkEqual:
		return v == l.value
	case lkPattern:
		return l.re.MatchString(v)
	case lkFuzzy:
		return syntax.Levenshtein(v, l.value, l.fuzzy) <= l.fuzzy
	}
	return false
}

// matchWord matches one word for pattern and fuzzy text leaves.
func (l *qleaf) matchWord(w []byte) bool {
	if l.kind == lkPattern {
		return l.re.Match(w)
	}
	return syntax.Levenshtein(string(w), l.value, l.fuzzy) <= l.fuzzy
}

// evalText evaluates a text leaf: the block's word index gives the lines
// having the words (exact for one unfielded word), then phrases and fielded
// terms are checked on the lines' text.
func (l *qleaf) evalText(lc *lineCtx, cand bitmap) (bitmap, error) {
	var hits bitmap
	switch l.kind {
	case lkWords:
		hits = cand
		for _, w := range l.words {
			wb := []byte(w)
			wi, err := lc.words(hasDigit(wb))
			if err != nil {
				return bitmap{}, err
			}
			hits = hits.and(wi.lookup(wb))
			if hits.empty() {
				return hits, nil
			}
		}
	default:
		// Words are sorted: a pattern's literal prefix bounds the scan.
		var prefix string
		var complete bool
		if l.kind == lkPattern {
			prefix, complete = l.re.LiteralPrefix()
		}
		any := l.anyWord() // every word matches: the lines with a word
		for _, digits := range []bool{false, true} {
			if any && digits && cand.andNot(hits).empty() {
				// Every candidate has a word without digits: the words
				// with digits (and those of the keyword values merged
				// into them) cannot add a line.
				break
			}
			wi, err := lc.words(digits)
			if err != nil {
				return bitmap{}, err
			}
			wi = wi.full()
			for i := wi.find([]byte(prefix)); i < len(wi.offs); i++ {
				w, lines := wi.entry(i)
				if !strings.HasPrefix(string(w), prefix) {
					break
				}
				if any || l.matchWord(w) {
					for _, x := range lines {
						hits.set(int(x))
					}
				}
				if complete {
					break
				}
			}
		}
		hits = hits.and(cand)
	}
	if l.spec.col == textAny && (l.kind != lkWords || len(l.words) == 1) {
		return hits, nil // the word index is exact for single words
	}
	var out bitmap
	var err2 error
	hits.each(func(i int) {
		if err2 != nil {
			return
		}
		p, err := lc.line(i)
		if err != nil {
			err2 = err
			return
		}
		if l.lineMatches(lc, i, p) {
			out.set(i)
		}
	})
	if err2 == nil {
		err2 = lc.err
	}
	return out, err2
}

// lineMatches checks a text leaf on line i's strings.
func (l *qleaf) lineMatches(lc *lineCtx, i int, p *payloadLine) bool {
	check := func(s []byte) bool {
		if l.kind != lkWords {
			found := false
			lc.sp.Each(s, func(w []byte) {
				if !found && l.matchWord(w) {
					found = true
				}
			})
			return found
		}
		return syntax.ContainsWords(&lc.sp, s, l.words)
	}
	switch l.spec.col {
	case textMessage:
		return check([]byte(p.message))
	case textError:
		return check([]byte(p.error))
	case textStack:
		return check([]byte(p.stack))
	}
	ev, err := lc.lineEvent(i)
	if err != nil {
		lc.err = err
		return false
	}
	found := false
	lc.ls.each(&ev, func(s []byte) {
		if !found && check(s) {
			found = true
		}
	})
	return found
}

// lineEvent is line i as an Event sharing the payload's bytes (for checks
// only).
func (lc *lineCtx) lineEvent(i int) (Event, error) {
	c := lc.c
	p, err := lc.ix.rawLine(lc.num, lc.m, c, i) // with its raw line put together
	if err != nil {
		return Event{}, err
	}
	ev := Event{Message: p.message, Error: p.error, Stack: p.stack, Raw: p.raw, Text: c.flags[i]&flagText != 0}
	for f := 0; f < numKW; f++ {
		k, err := c.kwc(f)
		if err != nil {
			return ev, lc.corrupt(err)
		}
		setKW(&ev, f, k.value(i))
	}
	return ev, nil
}

// corrupt names the block in an error.
func (lc *lineCtx) corrupt(err error) error {
	return lc.ix.damaged(packFile, "block %d: %w", lc.num, err)
}
