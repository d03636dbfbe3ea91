package syntax

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/culprit-dev/culprit/index/model"
)

// Pattern matches a regular expression against a whole value: a keyword or
// source value (route:GET*, user:/u-1[0-9]+/), or the decimal form of a
// number (status:5??); on a text field, against each word (reser?ve,
// message:time*). Wildcards * and ? are translated to .* and . when
// parsing, lowercased for text and folding fields.
type Pattern struct {
	Field Field
	// Src is the expression as written (unanchored); Re is Src anchored at
	// both ends.
	Src string
	Re  *regexp.Regexp
}

// NewPattern compiles src into a Pattern on f.
func NewPattern(f Field, src string) (*Pattern, error) {
	re, err := regexp.Compile("^(?:" + src + ")$")
	if err != nil {
		return nil, fmt.Errorf("invalid pattern: %w", err)
	}
	return &Pattern{Field: f, Src: src, Re: re}, nil
}

// Match implements Node.
func (l *Pattern) Match(ev *model.Event) bool {
	switch l.Field.Kind {
	case Keyword:
		v := l.Field.value(ev)
		if v == "" {
			return false
		}
		if l.Field.Fold() {
			v = strings.ToLower(v)
		}
		return l.Re.MatchString(v)
	case Source:
		return l.Re.MatchString(ev.Source)
	case Numeric:
		v, ok := l.Field.Value(ev)
		return ok && l.Re.MatchString(v)
	case Text:
		return anyWord(l.Field, ev, l.Re.Match)
	}
	return false
}

// anyWord reports whether some word of the strings field f searches in ev
// satisfies ok.
func anyWord(f Field, ev *model.Event, ok func(w []byte) bool) bool {
	var sp WordSplitter
	found := false
	f.texts(ev, func(s []byte) {
		if found {
			return
		}
		sp.Each(s, func(w []byte) {
			if !found && ok(w) {
				found = true
			}
		})
	})
	return found
}
