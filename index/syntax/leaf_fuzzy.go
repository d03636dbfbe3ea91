package syntax

import (
	"strings"

	"github.com/culprit-dev/culprit/index/model"
)

// Fuzzy matches a keyword value, or a word of a text field, within Distance
// edits (insertions, deletions, substitutions of a rune) of Value
// (timout~1, service:ordrs~2). Distance is 0, 1 or 2.
type Fuzzy struct {
	Field    Field
	Value    string
	Distance int
}

// Match implements Node.
func (l *Fuzzy) Match(ev *model.Event) bool {
	switch l.Field.Kind {
	case Keyword, Source:
		v := l.Field.value(ev)
		if v == "" && l.Field.Kind == Keyword {
			return false
		}
		if l.Field.Fold() {
			v = strings.ToLower(v)
		}
		return Levenshtein(v, l.Value, l.Distance) <= l.Distance
	case Text:
		return anyWord(l.Field, ev, func(w []byte) bool { return Levenshtein(string(w), l.Value, l.Distance) <= l.Distance })
	}
	return false
}

// Levenshtein returns the edit distance between a and b in runes, or a
// value above limit as soon as it exceeds limit.
func Levenshtein(a, b string, limit int) int {
	if a == b {
		return 0
	}
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
