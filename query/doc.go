// Package query answers the questions an on-call engineer asks about a failing
// request: every line of the request across services, the root error and its
// stack trace, the first occurrence of the same error, the suspect deploy, the
// blast radius against the baseline of all traffic, and a verdict with its
// evidence. It also lists error groups, searches events, and renders all of it
// as text for humans and as JSON for scripts (the CLI contract in docs/design.md).
//
// query is pure logic over its own Store interface, which *index.Index
// implements. It imports the standard library, for the shared event types
// only github.com/culprit-dev/culprit/index/model (never the store package
// index), and for stack traces the leaf package ingest/stack (the one model
// of frames, shared with ingest so that fingerprints and culprit frames
// follow the same rules). It never imports bleve, the rest of ingest, tui or
// any charm package: colour is plain ANSI SGR.
package query
