package index

import (
	"regexp"
	"slices"
)

// Nearly unique keyword values (request, trace and span ids, and paths,
// which carry ids) are most of bleve's term dictionary: at 10M lines,
// 4.4M of its 4.4M terms, and building and merging that dictionary was
// a third of the writer's CPU, and growing (merges rewrite it again and
// again; their memory-mapped segments were most of the writer's RSS).
// Since index format 3 (index.go), a block document therefore holds
// for these fields not the values but their short terms (shortTerm): a
// value up to the first idKeep bytes of its first identifier word. Terms
// are then bounded (at most 36^idKeep per shape of value), while each
// still selects a small share of the blocks; the Bloom filters and the
// exact check of step 3 do the rest (eval.go).
//
// The short terms go to their own fields ("<name>.short"), so an index
// written before keeps its full terms in the field of the value's name,
// and a query asks both (eval.go): old, new and mixed indexes answer the
// same.

// writeShortTerms is cleared by tests to index blocks as before short
// terms, with the values themselves.
var writeShortTerms = true

// idKeep is the number of bytes of an identifier word a short term keeps.
// With random hex ids a term is then one of 65,536: at 10M lines ~40
// blocks hold a given request id's term.
const idKeep = 4

// isIDField reports whether keyword column f is indexed by short terms.
func isIDField(f int) bool { return slices.Contains(idFields[:], f) }

// shortTerm returns the short term of a value v of an id field, and
// whether it cut v: v up to the first idKeep bytes of its first
// identifier word, a maximal run of ASCII letters and digits that holds a
// digit and is longer than idKeep bytes ("/api/v1/cart/13f6d4d7-70e9" →
// "/api/v1/cart/13f6"); v itself when it has no such word.
func shortTerm(v string) (string, bool) {
	for i := 0; i < len(v); {
		if !isAlnum(v[i]) {
			i++
			continue
		}
		j, digit := alnumRun(v, i)
		if digit && j-i > idKeep {
			return v[:i+idKeep], true
		}
		i = j
	}
	return v, false
}

// alnumRun returns the end of the run of ASCII letters and digits of s
// that starts at i, and whether it holds a digit.
func alnumRun(s string, i int) (end int, digit bool) {
	for end = i; end < len(s) && isAlnum(s[end]); end++ {
		digit = digit || '0' <= s[end] && s[end] <= '9'
	}
	return end, digit
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// shortPattern returns the regexp over an id field's short terms that
// selects every block a pattern with literal prefix p may match in, or ""
// when p is empty (no pruning). A value v starting with p has, by
// shortTerm's scan from the left:
//
//   - if a word that ends inside p is an identifier word, the short term
//     p cuts there, whatever follows;
//   - else, if p's last word (which may go on in v) is longer than
//     idKeep, p cut at that word's idKeep-th byte when the word holds a
//     digit (certainly, if the digit is in p; maybe, if it comes after);
//   - else a short term that starts with p: any cut lies at or past
//     p's end.
func shortPattern(p string) string {
	if p == "" {
		return ""
	}
	prefix := regexp.QuoteMeta(kwTermString(p)) + "(?s:.*)"
	for i := 0; i < len(p); {
		if !isAlnum(p[i]) {
			i++
			continue
		}
		j, digit := alnumRun(p, i)
		if j-i <= idKeep {
			i = j
			continue
		}
		cut := regexp.QuoteMeta(kwTermString(p[:i+idKeep]))
		switch {
		case digit:
			return cut
		case j == len(p):
			return cut + "|" + prefix
		}
		i = j
	}
	return prefix
}

// shortField is the name of the document field of id field f's short
// terms.
func shortField(f int) string { return kwNames[f] + ".short" }

// addShortTerms adds the distinct short terms of an id column's values
// to doc.
func addShortTerms(doc *blockDoc, f int, dict []string) {
	df := shortDocField(f)
	start := len(doc.terms[df])
	for _, v := range dict {
		t, _ := shortTerm(v)
		t, long := kwTerm(f, t)
		doc.add(df, t)
		if long {
			doc.long = append(doc.long, kwNames[f])
		}
	}
	ts := doc.terms[df][start:]
	slices.Sort(ts)
	doc.terms[df] = append(doc.terms[df][:start], slices.Compact(ts)...)
}
