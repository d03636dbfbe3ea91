package syntax

import "github.com/culprit-dev/culprit/index/model"

// Node is a parsed query: a boolean combination (And, Or, Not, All) of
// leaves, one Go type per kind of leaf (Equal, IsError, Pattern, Fuzzy,
// NumRange, TimeRange, Phrase). A store translates the tree into its own
// plan; Match is the reference meaning of each node on one event, which
// every store's answers must agree with.
type Node interface {
	// Match reports whether ev satisfies the node.
	Match(ev *model.Event) bool
}

// All matches every event (the empty query).
type All struct{}

// And matches when every kid does.
type And struct{ Kids []Node }

// Or matches when some kid does.
type Or struct{ Kids []Node }

// Not matches when its kid does not.
type Not struct{ Kid Node }

// Match implements Node.
func (All) Match(*model.Event) bool { return true }

// Match implements Node.
func (n *And) Match(ev *model.Event) bool {
	for _, k := range n.Kids {
		if !k.Match(ev) {
			return false
		}
	}
	return true
}

// Match implements Node.
func (n *Or) Match(ev *model.Event) bool {
	for _, k := range n.Kids {
		if k.Match(ev) {
			return true
		}
	}
	return false
}

// Match implements Node.
func (n *Not) Match(ev *model.Event) bool { return !n.Kid.Match(ev) }
