package syntax

import (
	"strings"

	"github.com/culprit-dev/culprit/index/model"
)

// Equal matches a keyword or source field whose whole value is Value
// (service:api, route:"GET /api/orders/{id}"). For a field that folds case
// (level, method) Value is lower case and the event's value is compared
// lowercased. An event without the field never matches.
type Equal struct {
	Field Field
	Value string
}

// Match implements Node.
func (l *Equal) Match(ev *model.Event) bool {
	v := l.Field.value(ev)
	if v == "" && l.Field.Kind == Keyword {
		return false
	}
	if l.Field.Fold() {
		v = strings.ToLower(v)
	}
	return v == l.Value
}
