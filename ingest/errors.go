package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// LineError is an error at one line of one file.
type LineError struct {
	File string
	Line int64 // 1-based; 0 when the error concerns the whole file
	Err  error
}

// Error returns "file:line: msg" ("file: msg" without a line).
func (e *LineError) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Err.Error()
	}
	return e.File + ":" + strconv.FormatInt(e.Line, 10) + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// PathError reports a path (a log source or a deploy history) that could not
// be ingested, or not completely. Other paths are still ingested.
type PathError struct {
	Path string
	Err  error
}

// Error returns "path: msg", or the LineError's own text when Err is a
// LineError about the same path (which names the line too).
func (e PathError) Error() string {
	var le *LineError
	if errors.As(e.Err, &le) && le.File == e.Path {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e PathError) Unwrap() error { return e.Err }

// MarshalJSON writes {"path": ..., "error": ...}.
func (e PathError) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Path  string `json:"path"`
		Error string `json:"error"`
	}{e.Path, e.Error()})
}

// PathErrors is the error Run returns when some paths failed; the other paths
// were ingested. Use errors.As with a *PathErrors target.
type PathErrors struct {
	Errs []PathError
}

// Error lists the failed paths.
func (e *PathErrors) Error() string {
	if len(e.Errs) == 1 {
		return e.Errs[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d paths failed", len(e.Errs))
	for _, pe := range e.Errs {
		b.WriteString("; ")
		b.WriteString(pe.Error())
	}
	return b.String()
}

// Unwrap returns the individual PathErrors.
func (e *PathErrors) Unwrap() []error {
	errs := make([]error, len(e.Errs))
	for i, pe := range e.Errs {
		errs[i] = pe
	}
	return errs
}
