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
// Filter.Query is bleve's query-string syntax over the canonical field
// names, read as a log filter: results are ordered by time, not score.
//
//	timeout                  a word anywhere in the line
//	"connection refused"     consecutive words
//	/v1/inventory/reserve    a term with several words matches them
//	                         consecutively, like a phrase
//	service:api              a keyword field: the whole value
//	route:"GET /api/orders/{id}"
//	level:error method:get   level and method ignore case
//	message:slow             message, error, stack: a word of the field
//	status:>=500 status:404  numbers: status, duration (ms); > >= < <=
//	time:>="2024-05-01T10:00:00Z"
//	is_error:true
//	route:GET* reser?ve      wildcards: a whole value, or one word
//	user:/u-1[0-9]+/         a regular expression, same
//	timout~1                 at most 1 (or ~2) edits
//	-service:api  NOT x      exclusion
//	a OR b   (a OR b) c      alternatives and grouping
//	+x  x^2                  accepted: required (as every clause) and a
//	                         boost (ignored)
//
// Clauses are combined with AND (in bleve bare clauses are optional, which
// means nothing once results are sorted by time); AND binds tighter than
// OR. OR, NOT, && , || and parentheses are extensions of bleve's syntax. A
// value runs to the next space, colons included (request_id:7f3a:01), and
// a backslash escapes a space or a special character. Keyword fields are
// request_id service host version method path route user level error_type
// fingerprint source. A word is a maximal run of letters and digits,
// lowercased; the words of a line are those of every string value of its
// JSON object (at any depth, keys excluded; the whole line if it is not
// JSON) and of its canonical string fields. An unknown field or a malformed
// query is an error wrapping ErrInvalidQuery that says what is wrong.
//
// Writes are crash-safe: a Writer appends blocks to the side files, syncs
// them, then commits one bleve batch holding the last block documents, the
// sources' checkpoints and the new committed lengths of the side files. The
// next writer cuts the side files back to those lengths and deletes block
// documents past them, so an interrupted ingest resumes without duplicates
// or loss. A writer holds an exclusive flock on the directory's lock file,
// readers a shared one.
//
// Allowed imports: the standard library, bleve (and its vellum and index
// API modules) and klauspost/compress; no package of culprit (index is
// imported by ingest, query and main).
package index
