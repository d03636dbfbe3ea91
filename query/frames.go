package query

import (
	"strings"

	"github.com/culprit-dev/culprit/ingest/stack"
)

// CulpritFrame returns the frame of a stack trace an on-call engineer
// should read first, or nil: ingest/stack's rule for the trace's dialect
// (the innermost in-app frame of the root cause; docs/stacks.md). The text
// report, the JSON report and the TUI all name the frame this returns.
func CulpritFrame(s string) *StackFrame {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	f := stack.Parse(s).Culprit()
	if f == nil {
		return nil
	}
	return &StackFrame{Function: f.Function, Module: f.Module, File: f.File, Line: f.Line, Column: f.Col, Text: f.String()}
}

// Culprit returns the culprit frame of the error's stack trace, or nil.
func (e *RootError) Culprit() *StackFrame {
	if e == nil {
		return nil
	}
	return CulpritFrame(e.Stack)
}

// culpritText names the culprit frame of a stack for prose, or "".
func culpritText(s string) string {
	if f := CulpritFrame(s); f != nil {
		return f.Text
	}
	return ""
}

// StackLine is one line of a stack trace classified for display.
type StackLine = stack.Line

// StackKind classifies a StackLine.
type StackKind = stack.Kind

// The kinds of StackLine.
const (
	StackHeader = stack.Header // not a frame
	StackApp    = stack.App    // the application's code
	StackLib    = stack.Lib    // the runtime, the standard library or a dependency
)

// StackLines splits a stack trace into lines classified by ingest/stack,
// with the culprit frame's lines marked.
func StackLines(s string) []StackLine {
	return stack.Lines(strings.TrimRight(s, "\r\n"))
}
