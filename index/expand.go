package index

import (
	"fmt"

	bindex "github.com/blevesearch/bleve_index_api"
	vregexp "github.com/blevesearch/vellum/regexp"
)

// bleve runs a regexp query by collecting every term of the field that
// matches it and building one term searcher per term: on a keyword field
// with a value per request (request_id, user, path) "request_id:*" expands
// to every request id in the index, and the memory grows with the number of
// distinct values (3 GiB for a million lines), not with the page asked for.
//
// So before planning, limitExpansions walks the field's dictionary with the
// pattern's automaton (a stream: nothing is kept) and counts matching terms,
// stopping at maxExpansion. A pattern with more matches than that does not
// prune in bleve: every block is a candidate and the pattern is evaluated
// exactly on each block's small dictionary of values (eval.go), which costs
// time proportional to the index, and memory bounded by a block.

// maxExpansion is the most terms a keyword pattern may expand to in bleve (a
// variable so that tests can lower it).
var maxExpansion = 1024

// expansionHook, when set (by tests), is called with each keyword pattern
// handed to bleve and the number of terms it expands to.
var expansionHook func(field, re string, terms int)

// limitExpansions marks the keyword patterns of n that match more than
// maxExpansion terms of their field, so that bleveQuery skips them.
func (ix *Index) limitExpansions(n *qnode) error {
	var leaves []*qleaf
	var walk func(n *qnode)
	walk = func(n *qnode) {
		if n.leaf != nil && n.leaf.kind == lkPattern && (n.leaf.spec.kind == fkKeyword || n.leaf.spec.kind == fkSource) {
			leaves = append(leaves, n.leaf)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(n)
	if len(leaves) == 0 {
		return nil
	}
	adv, err := ix.bl.Advanced()
	if err != nil {
		return fmt.Errorf("search %s: %w", ix.dir, err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("search %s: %w", ix.dir, err)
	}
	defer r.Close()
	rr, ok := r.(bindex.IndexReaderRegexp)
	if !ok {
		for _, l := range leaves {
			l.scan = true
		}
		return nil
	}
	for _, l := range leaves {
		if _, err := vregexp.New(l.reSrc); err != nil {
			continue // bleve cannot run it; bleveQuery does not prune
		}
		n, err := countTerms(rr, l.spec.name, l.reSrc, maxExpansion+1)
		if err != nil {
			return fmt.Errorf("search %s: %w", ix.dir, err)
		}
		if l.isID() && n <= maxExpansion {
			// Blocks written since short terms are found by those.
			if l.shortSrc == "" {
				n = maxExpansion + 1 // no literal prefix: no pruning
			} else {
				ns, err := countTerms(rr, shortField(l.spec.col), l.shortSrc, maxExpansion+1)
				if err != nil {
					return fmt.Errorf("search %s: %w", ix.dir, err)
				}
				n += ns
			}
		}
		l.scan = n > maxExpansion
		if !l.scan && expansionHook != nil {
			expansionHook(l.spec.name, l.reSrc, n)
		}
	}
	return nil
}

// countTerms counts the terms of field matching re, stopping at limit.
func countTerms(r bindex.IndexReaderRegexp, field, re string, limit int) (n int, err error) {
	d, err := r.FieldDictRegexp(field, re)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := d.Close(); err == nil {
			err = cerr
		}
	}()
	for n < limit {
		e, err := d.Next()
		if err != nil {
			return n, err
		}
		if e == nil {
			break
		}
		n++
	}
	return n, nil
}
