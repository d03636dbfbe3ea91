package index

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file parses Filter.Query; the syntax is documented in doc.go.

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

var querySpecs = func() map[string]fieldSpec {
	m := map[string]fieldSpec{
		"source":      {"source", fkSource, 0},
		"status":      {"status", fkNumeric, numStatus},
		"duration":    {"duration", fkNumeric, numDuration},
		"duration_ms": {"duration", fkNumeric, numDuration},
		"is_error":    {"is_error", fkBool, 0},
		"time":        {"time", fkTime, 0},
		"message":     {"message", fkText, textMessage},
		"msg":         {"message", fkText, textMessage},
		"error":       {"error", fkText, textError},
		"stack":       {"stack", fkText, textStack},
	}
	for i, n := range kwNames {
		m[n] = fieldSpec{n, fkKeyword, i}
	}
	return m
}()

const knownFields = "request_id service host version method path route user level error_type fingerprint source status duration is_error time message error stack"

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
}

// parseQuery parses a query string; an empty query matches everything.
func parseQuery(q string) (*qnode, error) {
	p := &parser{src: q}
	p.next()
	if p.tok.kind == tEOF {
		return &qnode{op: opAll}, nil
	}
	n := p.parseOr()
	if p.err == nil && p.tok.kind != tEOF {
		p.failf(p.tok.pos, "unexpected %s", p.tok.describe())
	}
	if p.err != nil {
		return nil, p.err
	}
	return n, nil
}

// Tokens.
const (
	tEOF = iota
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tPlus
	tMinus
	tClause
)

type token struct {
	kind int
	pos  int
	// tClause:
	field   string
	hasF    bool
	op      string // "", ">", ">=", "<", "<="
	text    string // unescaped
	pattern string // regexp when the value has unescaped * or ?
	phrase  bool
	regex   bool
	fuzzy   int // -1: none
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tRParen:
		return `")"`
	case tLParen:
		return `"("`
	}
	return "token"
}

type parser struct {
	src   string
	pos   int
	depth int
	tok   token
	err   error
}

// queryError says where and why a query does not parse.
type queryError struct {
	query string
	pos   int
	msg   string
}

func (e *queryError) Error() string {
	return fmt.Sprintf("invalid query %q: %s (at offset %d)", e.query, e.msg, e.pos)
}

func (e *queryError) Unwrap() error { return ErrInvalidQuery }

func (p *parser) failf(pos int, format string, args ...any) {
	if p.err == nil {
		p.err = &queryError{query: p.src, pos: pos, msg: fmt.Sprintf(format, args...)}
	}
	p.tok = token{kind: tEOF, pos: len(p.src)}
}

const reserved = "+-=&|><!(){}[]^\"~*?:\\/ "

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// next reads the next token into p.tok.
func (p *parser) next() {
	if p.err != nil {
		return
	}
	s := p.src
	for p.pos < len(s) && isSpace(s[p.pos]) {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(s) {
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	switch c := s[p.pos]; {
	case c == '(':
		p.pos++
		p.tok = token{kind: tLParen, pos: start}
		return
	case c == ')':
		p.pos++
		p.tok = token{kind: tRParen, pos: start}
		return
	case c == '+':
		p.pos++
		p.tok = token{kind: tPlus, pos: start}
		return
	case c == '-':
		p.pos++
		p.tok = token{kind: tMinus, pos: start}
		return
	}
	for _, kw := range [...]struct {
		s    string
		kind int
	}{{"AND", tAnd}, {"OR", tOr}, {"NOT", tNot}, {"&&", tAnd}, {"||", tOr}} {
		if strings.HasPrefix(s[p.pos:], kw.s) {
			end := p.pos + len(kw.s)
			if end == len(s) || isSpace(s[end]) || s[end] == '(' {
				p.pos = end
				p.tok = token{kind: kw.kind, pos: start}
				return
			}
		}
	}
	p.tok = p.clause(start)
}

// clause reads [field:][op]value[~n][^boost].
func (p *parser) clause(start int) token {
	t := token{kind: tClause, pos: start, fuzzy: -1}
	s := p.src
	// A field name: letters, digits, _ and . followed by a colon.
	i := p.pos
	for i < len(s) && (isAlnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '@') {
		i++
	}
	if i > p.pos && i < len(s) && s[i] == ':' {
		t.field, t.hasF = s[p.pos:i], true
		p.pos = i + 1
		if p.pos >= len(s) || isSpace(s[p.pos]) || s[p.pos] == ')' {
			p.failf(start, "field %s: missing value", t.field)
			return t
		}
		for _, op := range [...]string{">=", "<=", ">", "<"} {
			if strings.HasPrefix(s[p.pos:], op) {
				t.op = op
				p.pos += len(op)
				break
			}
		}
	}
	if p.pos < len(s) && s[p.pos] == '"' {
		t.phrase = true
		p.pos++
		var b strings.Builder
		for {
			if p.pos >= len(s) {
				p.failf(start, "unterminated quote")
				return t
			}
			c := s[p.pos]
			if c == '\\' && p.pos+1 < len(s) {
				b.WriteByte(s[p.pos+1])
				p.pos += 2
				continue
			}
			p.pos++
			if c == '"' {
				break
			}
			b.WriteByte(c)
		}
		t.text = b.String()
	} else {
		var b, pat strings.Builder
		wild := false
		for p.pos < len(s) {
			c := s[p.pos]
			if isSpace(c) || c == '^' || (c == '~' && b.Len() > 0) || (c == ')' && p.depth > 0) {
				break
			}
			if c == '\\' && p.pos+1 < len(s) {
				n := s[p.pos+1]
				if strings.IndexByte(reserved, n) < 0 {
					b.WriteByte('\\')
					pat.WriteString(`\\`)
				}
				b.WriteByte(n)
				pat.WriteString(regexp.QuoteMeta(string(n)))
				p.pos += 2
				continue
			}
			// Copy a whole UTF-8 sequence.
			_, size := utf8.DecodeRuneInString(s[p.pos:])
			switch c {
			case '*':
				wild = true
				pat.WriteString(".*")
			case '?':
				wild = true
				pat.WriteString(".")
			default:
				pat.WriteString(regexp.QuoteMeta(s[p.pos : p.pos+size]))
			}
			b.WriteString(s[p.pos : p.pos+size])
			p.pos += size
		}
		t.text = b.String()
		if wild {
			t.pattern = pat.String()
		}
		raw := s[start:p.pos]
		if t.hasF {
			raw = raw[len(t.field)+1+len(t.op):]
		}
		if len(raw) >= 2 && raw[0] == '/' && raw[len(raw)-1] == '/' && t.op == "" {
			body := t.text[1 : len(t.text)-1]
			// "/api/orders/" is a path, not a regexp, when it is unfielded.
			if t.hasF || !strings.Contains(body, "/") {
				t.regex, t.text, t.pattern = true, body, ""
			}
		}
	}
	if t.text == "" && !t.phrase {
		p.failf(start, "missing value")
		return t
	}
	if p.pos < len(s) && s[p.pos] == '~' {
		p.pos++
		j := p.pos
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		t.fuzzy = 1
		if j > p.pos {
			n, _ := strconv.Atoi(s[p.pos:j])
			t.fuzzy = n
		}
		if t.fuzzy > 2 {
			p.failf(start, "fuzziness %d: at most 2", t.fuzzy)
			return t
		}
		p.pos = j
	}
	if p.pos < len(s) && s[p.pos] == '^' {
		// A boost: accepted and ignored (results are ordered by time).
		p.pos++
		j := p.pos
		for j < len(s) && !isSpace(s[j]) && !(s[j] == ')' && p.depth > 0) {
			j++
		}
		if _, err := strconv.ParseFloat(s[p.pos:j], 64); err != nil && j > p.pos {
			p.failf(p.pos, "invalid boost %q", s[p.pos:j])
			return t
		}
		p.pos = j
	}
	return t
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func (p *parser) parseOr() *qnode {
	n := p.parseAnd()
	for p.err == nil && p.tok.kind == tOr {
		p.next()
		r := p.parseAnd()
		if n.op == opOr {
			n.kids = append(n.kids, r)
		} else {
			n = &qnode{op: opOr, kids: []*qnode{n, r}}
		}
	}
	return n
}

func (p *parser) parseAnd() *qnode {
	n := p.parseUnary()
	for p.err == nil {
		switch p.tok.kind {
		case tAnd:
			p.next()
		case tClause, tLParen, tNot, tPlus, tMinus:
		default:
			return n
		}
		r := p.parseUnary()
		if n.op == opAnd {
			n.kids = append(n.kids, r)
		} else {
			n = &qnode{op: opAnd, kids: []*qnode{n, r}}
		}
	}
	return n
}

func (p *parser) parseUnary() *qnode {
	switch p.tok.kind {
	case tNot, tMinus:
		p.next()
		return &qnode{op: opNot, kids: []*qnode{p.parseUnary()}}
	case tPlus:
		p.next()
		return p.parseUnary()
	case tLParen:
		pos := p.tok.pos
		p.depth++
		p.next()
		n := p.parseOr()
		p.depth--
		if p.err == nil && p.tok.kind != tRParen {
			p.failf(pos, "unclosed parenthesis")
			return n
		}
		p.next()
		return n
	case tClause:
		t := p.tok
		n := p.leaf(t)
		p.next()
		return n
	}
	p.failf(p.tok.pos, "expected a term, got %s", p.tok.describe())
	return &qnode{op: opAll}
}

// leaf interprets a clause token.
func (p *parser) leaf(t token) *qnode {
	spec := fieldSpec{kind: fkText, col: textAny}
	if t.hasF {
		var ok bool
		if spec, ok = querySpecs[t.field]; !ok {
			p.failf(t.pos, "unknown field %q (fields: %s; quote a value that contains a colon)", t.field, knownFields)
			return &qnode{op: opAll}
		}
	}
	l := &qleaf{spec: spec}
	n := &qnode{op: opLeaf, leaf: l}
	fail := func(format string, args ...any) *qnode {
		p.failf(t.pos, "%s: "+format, append([]any{spec.name}, args...)...)
		return &qnode{op: opAll}
	}
	if spec.name == "" {
		spec.name = "search term"
	}
	if t.op != "" && spec.kind != fkNumeric && spec.kind != fkTime {
		return fail("ranges apply to status, duration and time")
	}
	switch spec.kind {
	case fkKeyword, fkSource:
		fold := spec.kind == fkKeyword && foldKW(spec.col)
		switch {
		case t.regex:
			src := t.text
			if fold {
				src = "(?i)" + src
			}
			if err := l.setPattern(src); err != nil {
				return fail("%v", err)
			}
		case t.pattern != "":
			src := t.pattern
			if fold {
				src = strings.ToLower(src)
			}
			if err := l.setPattern(src); err != nil {
				return fail("%v", err)
			}
		case t.fuzzy >= 0:
			l.kind, l.value, l.fuzzy = lkFuzzy, t.text, t.fuzzy
			if fold {
				l.value = strings.ToLower(l.value)
			}
		default:
			l.kind, l.value = lkEqual, t.text
			if fold {
				l.value = strings.ToLower(l.value)
			}
		}
	case fkBool:
		switch strings.ToLower(t.text) {
		case "true":
			l.bval = true
		case "false":
		default:
			return fail("want true or false, got %q", t.text)
		}
		l.kind = lkEqual
	case fkNumeric:
		if t.regex || t.pattern != "" {
			src := t.pattern
			if t.regex {
				src = t.text
			}
			if err := l.setPattern(src); err != nil {
				return fail("%v", err)
			}
			return n
		}
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsNaN(v) {
			return fail("want a number, got %q", t.text)
		}
		l.kind = lkRange
		l.lo, l.hi = math.Inf(-1), math.Inf(1)
		l.loInc, l.hiInc = true, true
		switch t.op {
		case "":
			l.lo, l.hi = v, v
		case ">":
			l.lo, l.loInc = v, false
		case ">=":
			l.lo = v
		case "<":
			l.hi, l.hiInc = v, false
		case "<=":
			l.hi = v
		}
	case fkTime:
		tm, err := parseQueryTime(t.text)
		if err != nil {
			return fail("%v", err)
		}
		l.kind = lkRange
		v := toTS(tm)
		switch t.op {
		case "":
			l.tlo, l.thi, l.hasLo, l.hasHi, l.loInc, l.hiInc = v, v, true, true, true, true
		case ">":
			l.tlo, l.hasLo = v, true
		case ">=":
			l.tlo, l.hasLo, l.loInc = v, true, true
		case "<":
			l.thi, l.hasHi = v, true
		case "<=":
			l.thi, l.hasHi, l.hiInc = v, true, true
		}
	case fkText:
		switch {
		case t.regex:
			if err := l.setPattern(t.text); err != nil {
				return fail("%v", err)
			}
		case t.pattern != "":
			for _, c := range []byte(t.text) {
				if c != '*' && c != '?' && c < utf8.RuneSelf && !isAlnum(c) {
					return fail("wildcard %q: a pattern matches within one word (letters and digits)", t.text)
				}
			}
			if err := l.setPattern(strings.ToLower(t.pattern)); err != nil {
				return fail("%v", err)
			}
		case t.fuzzy >= 0:
			ws := words(t.text)
			if len(ws) != 1 {
				return fail("fuzzy term %q must be one word", t.text)
			}
			l.kind, l.value, l.fuzzy = lkFuzzy, ws[0], t.fuzzy
		default:
			l.kind, l.words = lkWords, words(t.text)
			if len(l.words) == 0 {
				return fail("%q has no letters or digits to search for", t.text)
			}
		}
	}
	return n
}

// setPattern makes l match values (or words) fully matching regexp src.
func (l *qleaf) setPattern(src string) error {
	re, err := regexp.Compile("^(?:" + src + ")$")
	if err != nil {
		return fmt.Errorf("invalid pattern: %w", err)
	}
	l.kind, l.re, l.reSrc = lkPattern, re, src
	return nil
}

// parseQueryTime accepts RFC 3339 (with or without fraction or zone, UTC
// assumed without) and plain dates.
func parseQueryTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("want an RFC 3339 time, got %q", s)
}
