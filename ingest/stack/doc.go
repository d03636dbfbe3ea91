// Package stack is culprit's one model of stack traces: it parses every
// dialect culprit knows (Go panics and debug.Stack, Java/JVM, Python, Node/V8,
// .NET, Ruby, PHP) into a Trace of Frames, tells the application's frames
// from library and runtime frames, picks the culprit frame an on-call
// engineer should read first, and lists the frames a fingerprint is made of.
// Everything in culprit that looks at frames (ingest's fingerprints, the CLI
// report and its JSON, the TUI's stack pane) asks this package, so they
// cannot disagree. docs/stacks.md describes the rules.
//
// It imports only the standard library.
package stack
