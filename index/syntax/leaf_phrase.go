package syntax

import (
	"slices"

	"github.com/culprit-dev/culprit/index/model"
)

// Phrase matches a text field holding Words consecutively within one of its
// strings: one word (timeout), a quoted phrase ("connection refused"), or a
// term with separators (/v1/inventory/reserve is the phrase v1 inventory
// reserve). Words are lowercased; there is at least one.
type Phrase struct {
	Field Field
	Words []string
}

// Match implements Node.
func (l *Phrase) Match(ev *model.Event) bool {
	var sp WordSplitter
	found := false
	l.Field.texts(ev, func(s []byte) {
		if !found && ContainsWords(&sp, s, l.Words) {
			found = true
		}
	})
	return found
}

// ContainsWords reports whether the words of s contain seq consecutively.
func ContainsWords(sp *WordSplitter, s []byte, seq []string) bool {
	if len(seq) == 0 {
		return false
	}
	// A window over the last len(seq) words.
	var got []string
	found := false
	sp.Each(s, func(w []byte) {
		if found {
			return
		}
		got = append(got, string(w))
		if len(got) > len(seq) {
			got = got[1:]
		}
		if len(got) == len(seq) && slices.Equal(got, seq) {
			found = true
		}
	})
	return found
}
