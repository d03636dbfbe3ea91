// Package index is culprit's log store: a bleve full-text index of blocks
// of log lines, the blocks themselves (compressed, every line kept
// verbatim), per-source checkpoints and the deploy history, in one
// directory. It is the only package that imports bleve.
//
// Lines are grouped per source into blocks of up to 256 lines. Each block is
// stored in blocks.pack as zstd-compressed parts (per-line columns, a word
// index, the lines' text), described by a fixed-size record in blocks.idx,
// with a Bloom filter of its words containing digits in blocks.bloom. bleve
// indexes one document per block holding the block's distinct values per
// field and its words without digits. A query is answered by finding the
// candidate blocks in bleve (and the Bloom filters and time bounds), then
// evaluating it exactly on every line of every candidate, so hits, totals,
// facets and histograms are exact. See mapping.go and eval.go.
//
// # Query syntax
//
// Filter.Query is parsed by package index/syntax, which documents the
// syntax; this package translates the parsed tree into its plan (eval.go):
// bleve and Bloom filters narrow the blocks, each leaf is then evaluated
// exactly on the lines, and the results agree with syntax's Match.
//
// Writes are crash-safe: a Writer appends blocks to the side files, syncs
// them, then commits one bleve batch holding the last block documents, the
// sources' checkpoints and the new committed lengths of the side files. The
// next writer cuts the side files back to those lengths and deletes block
// documents past them, so an interrupted ingest resumes without duplicates
// or loss. A writer holds an exclusive flock on the directory's lock file,
// readers a shared one.
//
// A damaged index is an error, never a panic or a wrong answer: every block
// part is checksummed and verified when read, manifest.json records the
// commit and the files each commit must leave, Open checks them (and every
// bleve segment's own checksum), and panics from bleve or bbolt on damaged
// files become errors. Such errors wrap ErrCorrupt and name the file
// (*CorruptError). Check lists every problem; Rebuild recovers what is
// intact. See docs/index-integrity.md.
//
// Allowed imports: the standard library, bleve (and its vellum and index
// API modules), klauspost/compress, and culprit's index/model and
// index/syntax (index is imported by ingest and main).
package index
