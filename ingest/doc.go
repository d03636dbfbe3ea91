// Package ingest reads log sources (files, directories, globs, gzip files and
// stdin) and deploy histories, turns every line into an index.Event with the
// convention detected per source by ingest/logline, and hands the events to a
// Sink with per-source checkpoints, so that re-ingesting is incremental,
// idempotent and safe to interrupt.
//
// Source identity. Every source has a checkpoint keyed by its absolute path
// (streams: "stdin:" + a hash of their first 4 KiB). Event.Source is the path
// as the user named it; it is remembered in the checkpoint so that a resumed
// source keeps its name. Two suffixes keep document identities (Source + Line)
// distinct where a name alone would collide:
//   - a file that was truncated or rotated since the last run is a new
//     generation, read from its start as "app.log#1" (generation 1; the
//     file as first seen is generation 0 and keeps its plain name), then
//     "app.log#2", so the events of the previous generation stay and
//     nothing is overwritten;
//   - a stream (stdin, a named pipe) is named "-#1a2b3c4d", the hash of its
//     first 4 KiB, so two different streams never overwrite each other.
//
// Unterminated last lines. The last line of a file modified in the last
// minute is held back when it has no newline (its writer may be in the middle
// of it) and read by a later run; otherwise it is ingested, and read again
// under the same line number if the file grows.
//
// Times. A line without a usable time takes the time of the previous line of
// its source and is flagged Untimed. Untimed lines before the first timed line
// of a source take the file's modification time (for streams: the time the
// ingest started).
//
// Allowed imports: the standard library, klauspost/compress (gzip), gjson,
// culprit's index (Event, Deploy, Checkpoint types, and *index.Index for the
// adapter) and ingest/logline. No bleve, no charm packages.
package ingest
