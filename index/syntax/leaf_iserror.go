package syntax

import "github.com/culprit-dev/culprit/index/model"

// IsError matches events whose IsError is Value (is_error:true).
type IsError struct{ Value bool }

// Match implements Node.
func (l *IsError) Match(ev *model.Event) bool { return ev.IsError == l.Value }
