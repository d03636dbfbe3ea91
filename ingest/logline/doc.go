// Package logline turns one log line into a normalised index.Event: it detects
// a source's logging convention from its first lines (FORMATS.md), parses
// times and levels in every common encoding, templates routes and fingerprints
// errors. It is pure: no I/O, no goroutines.
//
// Allowed imports: the standard library, gjson and culprit's index (for the
// Event type).
package logline
