// Package logline turns one log line into a normalised index.Event: it detects
// a source's logging convention from its first lines (docs/formats.md), by the
// known keys first and by key and value shape for the rest (docs/detection.md:
// wrapped records, time and level objects, error objects anywhere, structured
// stacks rendered for ingest/stack), looks through the prefixes of kubectl,
// stern, docker compose and syslog, parses times and levels in every common
// encoding, templates routes and fingerprints errors. It is pure: no I/O, no
// goroutines.
//
// Parse reads a line in one pass: a scanner validates the JSON object and
// visits its keys, looking each up in a tree compiled from the Mapping (the
// detected path of each field first, then every candidate key of fields.go
// as a fallback, since error and stack keys seldom appear in a source's first
// lines), and descends only into the nested objects that hold wanted keys.
// One copy of the line backs all strings of the Event. A Mapping is safe for
// concurrent Parse calls.
//
// Allowed imports: the standard library, gjson, culprit's index (for the
// Event type) and ingest/stack (stack traces: frames, in-app, fingerprint
// frames; docs/stacks.md).
package logline
