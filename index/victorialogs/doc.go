// Package victorialogs is a culprit store backed by VictoriaLogs, a single
// node or a cluster, reached over HTTP. Store keeps the store contract of
// package storetest (Find, Facet, Facets, Histogram, Deploys, Span), and
// Sink is ingest's write path: rows are POSTed to /insert/jsonline with
// every field culprit derived, deploys and checkpoints live in the same
// store, and re-ingesting a line adds nothing.
//
// Queries are culprit's search syntax (package syntax) translated to
// LogsQL, one method per kind of leaf; where LogsQL cannot say a leaf
// exactly (fuzzy terms, a regular expression over words) the store asks for
// a superset and keeps the rows the leaf's Match accepts. A node down or a
// partial answer is an error wrapping ErrUnavailable, never half the data.
//
// Rows another shipper wrote (no culprit fields) are read when the store
// holds no culprit event and ReadForeign set a Detector: see foreign.go.
// See docs/victorialogs.md.
//
// Allowed imports: the standard library, index/model and index/syntax.
package victorialogs
