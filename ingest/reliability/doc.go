// Package reliability holds the end-to-end reliability suite of ingest: its
// tests build the culprit binary and run it as a user would, against faults
// (kill -9 mid-ingest, rotation by rename, compression and links, files
// whose last line has no newline, inputs made of blank lines or gzip bombs,
// named pipes and signals), then check the index exactly: every line once,
// none twice, memory bounded by the child's peak RSS.
//
// It has no code outside its tests. docs/reliability.md describes what it
// checks and the longer soak in scripts/soak.
package reliability
