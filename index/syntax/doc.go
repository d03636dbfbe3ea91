// Package syntax is culprit's search syntax, shared by every store: the
// parser of model.Filter.Query, the tree it yields (one Go type per kind of
// leaf, as in VictoriaLogs' filters), FromFilter for a whole Filter, and the
// reference meaning of each node on one event (Node.Match), which the
// in-memory store of package storetest evaluates directly and the bleve
// store translates into its own plan.
//
// A query is bleve's query-string syntax over the canonical field names,
// read as a log filter: results are ordered by time, not score.
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
// request_id trace_id span_id parent_span_id service host version method
// path route user level error_type fingerprint source. A word is a maximal run of letters and digits,
// lowercased; the words of a line are those of every string value of its
// JSON object (at any depth, keys excluded; the whole line if it is not
// JSON) and of its canonical string fields but the fingerprint. An unknown field or a malformed
// query is an error wrapping model.ErrInvalidQuery that says what is wrong.
//
// Allowed imports: the standard library and index/model.
package syntax
