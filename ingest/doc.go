// Package ingest reads log sources (files, directories, globs, gzip files and
// stdin) and deploy histories, turns every line into an index.Event with the
// convention detected per source by ingest/logline, and hands the events to a
// Sink with per-source checkpoints, so that re-ingesting is incremental,
// idempotent and safe to interrupt.
//
// Source identity. A source is identified by its content, not its path (as
// Filebeat's fingerprint file_identity): its checkpoint is keyed by a hash of
// its first 4 KiB of decompressed content, so a renamed rotation, a later
// gzip of it, a copy, a symlink or a hard link finds the checkpoint of the
// content it holds and adds nothing it already added. A content shorter than
// 4 KiB is keyed by all of it up to its last newline, and a file is looked
// up by every prefix of its head that ends a line, so a short file that grew
// is found again; such a prefix match is taken as the same file only when it
// is seen under a path (or inode) the content was seen under, otherwise it
// is a different file that starts alike (a banner). Each checkpoint also
// keeps length checkpoints (hashes of the 4 KiB before committed offsets):
// a file whose head matches is read from the committed offset only if its
// bytes there match, is skipped as a copy if it is shorter and matches the
// last length checkpoint it reaches, and is otherwise a different content
// (kept under an alternative key listed on the first). A file truncated in
// place (same inode, shorter) is a new content. A stream cannot be read
// twice: one whose head matches a content is taken for its replay, its lines
// up to the committed offset are dropped and checked against the length
// checkpoint there, and a stream that differs is reported. See state.go and
// identity.go.
//
// Names. Event.Source is the name a content was first read under, as the
// user named it; a later, different content read under the same name is a
// new generation named "app.log#1", "app.log#2"... (streams: "-#1a2b3c4d",
// a hash of their head). The checkpoint keeps every name the content was
// seen under; the summary lists them.
//
// Unterminated last lines. A last line without a newline is held back, not
// stored, until its newline comes or the source is declared finished: a
// stream (stdin, a named pipe) at its end, a gzip file at the end of its
// gzip stream, a plain file only with Options.Final. So a line is never
// stored twice, whole after half. A truncated gzip stream is not finished:
// its cut last line is held, and the complete file later adds the rest.
//
// Every line is kept verbatim after UTF-8 repair: its bytes up to its
// newline, a CR of CRLF included (the parser sees the line without it).
// Whitespace-only lines are events; only empty lines (nothing before "\n" or
// "\r\n") are counted and not stored.
//
// Reading. Each source is read by a pipeline (a reader goroutine, parse
// workers, and the caller applying batches in order) whose goroutines run
// in an errgroup that ends before the source is left. Reads of a stream are
// interruptible: a named pipe is opened without waiting for its writer, and
// stdin or a pipe is polled together with a wake pipe that cancelling
// writes to. Memory is bounded by the batches in flight: at most 64 Ki lines
// are held while looking for lines to detect the convention from.
//
// Times. A line without a usable time takes the time of the previous line of
// its source and is flagged Untimed. Untimed lines before the first timed line
// of a source take the file's modification time (for streams: the time the
// ingest started). Neither is silent: SourceSummary counts them (Untimed,
// FallbackTimed) and TimeHint names the --field time=... to pass.
//
// Allowed imports: the standard library, klauspost/compress (gzip), gjson,
// culprit's index (Event, Deploy, Checkpoint types, and *index.Index for the
// adapter) and ingest/logline. No bleve, no charm packages.
package ingest
