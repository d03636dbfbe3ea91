package syntax

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/culprit-dev/culprit/index/model"
)

// This file parses a query string; the syntax is documented in doc.go.

// Parse parses a query; an empty query (only spaces) is All. Its errors wrap
// model.ErrInvalidQuery and say what is wrong and where.
func Parse(q string) (Node, error) {
	p := &parser{src: q}
	p.next()
	if p.tok.kind == tEOF {
		return All{}, nil
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

func (e *queryError) Unwrap() error { return model.ErrInvalidQuery }

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

func (p *parser) parseOr() Node {
	n := p.parseAnd()
	for p.err == nil && p.tok.kind == tOr {
		p.next()
		r := p.parseAnd()
		if or, ok := n.(*Or); ok {
			or.Kids = append(or.Kids, r)
		} else {
			n = &Or{Kids: []Node{n, r}}
		}
	}
	return n
}

func (p *parser) parseAnd() Node {
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
		if and, ok := n.(*And); ok {
			and.Kids = append(and.Kids, r)
		} else {
			n = &And{Kids: []Node{n, r}}
		}
	}
	return n
}

func (p *parser) parseUnary() Node {
	switch p.tok.kind {
	case tNot, tMinus:
		p.next()
		return &Not{Kid: p.parseUnary()}
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
	return All{}
}

// leaf interprets a clause token.
func (p *parser) leaf(t token) Node {
	spec := Any
	if t.hasF {
		var ok bool
		if spec, ok = LookupField(t.field); !ok {
			p.failf(t.pos, "unknown field %q (fields: %s; quote a value that contains a colon)", t.field, knownFields)
			return All{}
		}
	}
	fail := func(format string, args ...any) Node {
		p.failf(t.pos, "%s: "+format, append([]any{spec}, args...)...)
		return All{}
	}
	pattern := func(src string) Node {
		l, err := NewPattern(spec, src)
		if err != nil {
			return fail("%v", err)
		}
		return l
	}
	if t.op != "" && spec.Kind != Numeric && spec.Kind != Time {
		return fail("ranges apply to status, duration and time")
	}
	switch spec.Kind {
	case Keyword, Source:
		fold := spec.Fold()
		switch {
		case t.regex:
			src := t.text
			if fold {
				src = "(?i)" + src
			}
			return pattern(src)
		case t.pattern != "":
			src := t.pattern
			if fold {
				src = strings.ToLower(src)
			}
			return pattern(src)
		case t.fuzzy >= 0:
			v := t.text
			if fold {
				v = strings.ToLower(v)
			}
			return &Fuzzy{Field: spec, Value: v, Distance: t.fuzzy}
		}
		v := t.text
		if fold {
			v = strings.ToLower(v)
		}
		return &Equal{Field: spec, Value: v}
	case Bool:
		switch strings.ToLower(t.text) {
		case "true":
			return &IsError{Value: true}
		case "false":
			return &IsError{Value: false}
		}
		return fail("want true or false, got %q", t.text)
	case Numeric:
		if t.regex {
			return pattern(t.text)
		}
		if t.pattern != "" {
			return pattern(t.pattern)
		}
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsNaN(v) {
			return fail("want a number, got %q", t.text)
		}
		l := unbounded(spec)
		switch t.op {
		case "":
			l.Lo, l.Hi = v, v
		case ">":
			l.Lo, l.LoInc = v, false
		case ">=":
			l.Lo = v
		case "<":
			l.Hi, l.HiInc = v, false
		case "<=":
			l.Hi = v
		}
		return l
	case Time:
		tm, err := parseTime(t.text)
		if err != nil {
			return fail("%v", err)
		}
		l := &TimeRange{}
		switch t.op {
		case "":
			l.Lo, l.Hi, l.HasLo, l.HasHi, l.LoInc, l.HiInc = tm, tm, true, true, true, true
		case ">":
			l.Lo, l.HasLo = tm, true
		case ">=":
			l.Lo, l.HasLo, l.LoInc = tm, true, true
		case "<":
			l.Hi, l.HasHi = tm, true
		case "<=":
			l.Hi, l.HasHi, l.HiInc = tm, true, true
		}
		return l
	}
	// Text.
	switch {
	case t.regex:
		return pattern(t.text)
	case t.pattern != "":
		for _, c := range []byte(t.text) {
			if c != '*' && c != '?' && c < utf8.RuneSelf && !isAlnum(c) {
				return fail("wildcard %q: a pattern matches within one word (letters and digits)", t.text)
			}
		}
		return pattern(strings.ToLower(t.pattern))
	case t.fuzzy >= 0:
		ws := Words(t.text)
		if len(ws) != 1 {
			return fail("fuzzy term %q must be one word", t.text)
		}
		return &Fuzzy{Field: spec, Value: ws[0], Distance: t.fuzzy}
	}
	ws := Words(t.text)
	if len(ws) == 0 {
		return fail("%q has no letters or digits to search for", t.text)
	}
	return &Phrase{Field: spec, Words: ws}
}

// parseTime accepts RFC 3339 (with or without fraction or zone, UTC assumed
// without) and plain dates.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("want an RFC 3339 time, got %q", s)
}
