package logline

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Error objects are recognised by shape wherever a logger puts them
// (thrown, exception, err, error, context.exception, record.exception, a
// message object): an object with a type, a message or a stack under any
// of the usual names.
var (
	errTypeKeys  = []string{"name", "class", "type", "exceptionType", "exception_class", "exc_type", "errorType", "error_type", "kind", "@type", "className"}
	errMsgKeys   = []string{"message", "msg", "errorMessage", "reason", "value", "exc_value", "localizedMessage", "detail"}
	errStackKeys = []string{"stack", "stacktrace", "stack_trace", "stackTrace", "backtrace", "trace", "traceback",
		"extendedStackTrace", "frames", "exc_info", "exception"}
	errCauseKeys = []string{"cause", "causedBy", "caused_by", "previous", "inner", "innerException", "InnerException", "__cause__"}
)

// maxCauses bounds a cause chain that is followed.
const maxCauses = 8

// errView is an error object read in one pass over its members: for each
// role, the value of the best-ranked key present.
type errView struct {
	typ, msg       string       // type name; message (without a traceback or code highlight)
	msgStack       string       // the message, when it is a whole traceback
	stack          gjson.Result // a stack string or array
	file, line     gjson.Result // the throwing frame (PHP)
	cause          gjson.Result
	rT, rM, rS, rC int // ranks of the keys found (lower is better)
}

// keyRank returns the index of key in keys, or -1.
func keyRank(keys []string, key string) int {
	for i, k := range keys {
		if k == key {
			return i
		}
	}
	return -1
}

// viewError reads v's members once. ok is false for a non-object.
func viewError(v gjson.Result) (e errView, ok bool) {
	if !v.IsObject() {
		return e, false
	}
	e.rT, e.rM, e.rS, e.rC = len(errTypeKeys), len(errMsgKeys), len(errStackKeys), len(errCauseKeys)
	v.ForEach(func(k, val gjson.Result) bool {
		key := k.Str
		if r := keyRank(errTypeKeys, key); r >= 0 && r < e.rT && val.Type == gjson.String {
			if s := trimASCIISpace(val.Str); s != "" && len(s) <= 256 && !strings.ContainsAny(s, " \n\t") {
				e.typ, e.rT = s, r
			}
		}
		if r := keyRank(errMsgKeys, key); r >= 0 && r < e.rM && val.Type == gjson.String && trimASCIISpace(val.Str) != "" {
			if looksLikeStack(val.Str) {
				if e.msgStack == "" {
					e.msgStack = val.Str
				}
			} else {
				e.msg, e.rM = trimHighlight(val.Str), r
			}
		}
		if r := keyRank(errStackKeys, key); r >= 0 && r < e.rS && (val.IsArray() || val.Type == gjson.String && isStackString(val.Str)) {
			e.stack, e.rS = val, r
		}
		if r := keyRank(errCauseKeys, key); r >= 0 && r < e.rC && val.IsObject() {
			e.cause, e.rC = val, r
		}
		switch key {
		case "file":
			e.file = val
		case "line":
			e.line = val
		}
		return true
	})
	if !e.stack.Exists() && e.msgStack != "" {
		e.stack = gjson.Result{Type: gjson.String, Str: e.msgStack}
	}
	return e, true
}

// hasStack reports a stack of any form.
func (e *errView) hasStack() bool { return e.stack.Exists() }

// isError reports an object shaped like an error: a type or message
// together with a stack, or a type together with a message.
func (e *errView) isError() bool {
	return (e.typ != "" || e.msg != "" || e.msgStack != "") && e.hasStack() || e.typ != "" && e.msg != ""
}

// isErrorObject reports an object shaped like an error (see errView.isError).
func isErrorObject(v gjson.Result) bool {
	e, ok := viewError(v)
	return ok && e.isError()
}

// trimHighlight removes what runtimes append to an error message to show
// the failing code (Ruby's error_highlight, Python's caret lines): after a
// blank line, only indented lines and ^~ markers.
func trimHighlight(msg string) string {
	head, tail, ok := strings.Cut(msg, "\n\n")
	if !ok {
		return msg
	}
	for _, l := range strings.Split(tail, "\n") {
		if t := trimASCIISpace(l); t != "" && l[0] != ' ' && l[0] != '\t' && strings.Trim(t, "^~") != "" {
			return msg
		}
	}
	return head
}

// isStackString reports a string that can be a stack trace: several lines,
// or one line with a frame in it. A lone type name ("ValueError") is not.
func isStackString(s string) bool {
	s = trimASCIISpace(s)
	if s == "" {
		return false
	}
	if strings.IndexByte(s, '\n') >= 0 {
		return true
	}
	return strings.Contains(s, " at ") || strings.Contains(s, ".go:") || strings.Contains(s, `File "`)
}

// errorObjectStack renders an error object and its causes as a Java-style
// trace the stack parser reads:
//
//	Type: message
//		at cls.method(File.java:12)
//	Caused by: Type2: message2
//		at ...
//
// A stack string inside the object is used as it is (it already holds its
// header in every dialect culprit knows), with the causes appended.
func errorObjectStack(e errView) string {
	var b strings.Builder
	for depth := 0; depth < maxCauses; depth++ {
		if depth > 0 {
			b.WriteString("\nCaused by: ")
		}
		writeErrorObject(&b, &e)
		if b.Len() > 1<<20 {
			break
		}
		next, ok := viewError(e.cause)
		if !ok {
			break
		}
		e = next
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeErrorObject(b *strings.Builder, e *errView) {
	if e.stack.Type == gjson.String {
		s := strings.TrimRight(e.stack.Str, "\n")
		if e.typ != "" && !strings.Contains(firstLine(s), e.typ) && !strings.HasPrefix(s, "Traceback") {
			writeHeader(b, e.typ, e.msg)
		}
		b.WriteString(s)
		b.WriteByte('\n')
		return
	}
	writeHeader(b, e.typ, e.msg)
	// PHP's Throwable (and Monolog's rendering of it) keeps the throwing
	// frame apart from the trace: "file": "/app/Catalog.php:31".
	if e.file.Type == gjson.String && e.file.Str != "" {
		loc := e.file.Str
		if e.line.Type == gjson.Number {
			loc += ":" + e.line.Raw
		}
		writeStringFrame(b, loc)
	}
	e.stack.ForEach(func(_, f gjson.Result) bool {
		switch {
		case f.Type == gjson.String:
			writeStringFrame(b, f.Str)
		case f.IsObject():
			writeJavaFrame(b, f)
		}
		return b.Len() < 1<<20
	})
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func writeHeader(b *strings.Builder, typ, msg string) {
	msg = strings.ReplaceAll(firstLine(msg), "\r", "")
	switch {
	case typ != "" && msg != "":
		b.WriteString(typ + ": " + msg)
	case typ != "":
		b.WriteString(typ)
	default:
		b.WriteString("Error: " + msg)
	}
	b.WriteByte('\n')
}

// writeStringFrame writes one frame given as text: "file:line",
// "file:line:in `method'" (Ruby), "at x (file:line:col)" (already a frame).
func writeStringFrame(b *strings.Builder, s string) {
	s = trimASCIISpace(firstLine(s))
	if s == "" {
		return
	}
	if strings.Contains(s, ":in `") || strings.Contains(s, ":in '") || strings.HasPrefix(s, "at ") || strings.HasPrefix(s, "File \"") {
		b.WriteString("\t" + s + "\n")
		return
	}
	if i := strings.Index(s, "("); i > 0 && strings.HasSuffix(s, ")") {
		b.WriteString("\tat " + s + "\n") // cls.method(File.java:12)
		return
	}
	// "/app/src/x.php:42", "x.py:12 in handler": a location, no function.
	b.WriteString("\tat " + s + "\n")
}

// writeJavaFrame writes a frame object ({class,method,file,line} as log4j2
// writes, {method,fileName,lineNumber}, {function,file,line} and Python's
// {filename,lineno,name}) as "\tat cls.method(file:line)".
func writeJavaFrame(b *strings.Builder, e gjson.Result) {
	cls := firstString(e, "class", "className", "declaringClass", "type", "module")
	fn := firstString(e, "method", "methodName", "function", "func", "name")
	file := firstString(e, "file", "filePath", "fileName", "filename", "source", "path", "abs_path")
	line := firstString(e, "line", "lineNumber", "lineno", "line_number", "fileLine", "lineNo")
	if fn == "" && file == "" && cls == "" {
		return
	}
	full := fn
	if cls != "" {
		full = cls + "." + fn
	}
	if full == "" {
		full = "<unknown>"
	}
	b.WriteString("\tat " + full + "(")
	b.WriteString(file)
	if line != "" && line != "-1" {
		b.WriteString(":" + line)
	}
	b.WriteString(")\n")
}

// isRustPath reports a Rust module path: "orders", "orders::db".
func isRustPath(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, seg := range strings.Split(s, "::") {
		if seg == "" {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') || i == 0 && isDigit(c) {
				return false
			}
		}
	}
	return true
}

// isRustBacktrace reports std's backtrace format: "   0: name" lines each
// followed by "             at file:line:col".
func isRustBacktrace(s string) bool {
	first, rest, _ := strings.Cut(strings.TrimLeft(s, "\n"), "\n")
	second, _, _ := strings.Cut(rest, "\n")
	f, s2 := trimASCIISpace(first), trimASCIISpace(second)
	return strings.HasPrefix(f, "0: ") && strings.HasPrefix(s2, "at ")
}

// rustPanicFrames are the frames of Rust's panic machinery, above the
// frame that panicked.
var rustPanicFrames = []string{"std::panicking", "core::panicking", "rust_begin_unwind", "__rust_end_short_backtrace",
	"core::option::unwrap_failed", "core::option::expect_failed", "core::result::unwrap_failed", "std::panic", "panic_hook",
	"core::ops::function::Fn", "alloc::boxed::Box<dyn", "{closure#0}"}

// rustBacktrace renders a Rust backtrace as Java-style frames
// ("\tat name(file:line)"), without the panic machinery above the frame
// that panicked and without the runtime's frames (ingest/stack has no Rust
// dialect to tell them from the program's).
func rustBacktrace(s string) string {
	type rframe struct{ name, loc string }
	var frames []rframe
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines) && len(frames) < maxRustFrames; i++ {
		t := trimASCIISpace(lines[i])
		n, name, ok := strings.Cut(t, ": ")
		if !ok || !allDigits(n) || n == "" {
			continue
		}
		loc := ""
		if i+1 < len(lines) {
			if at, ok := strings.CutPrefix(trimASCIISpace(lines[i+1]), "at "); ok {
				loc, i = at, i+1
				if j := strings.LastIndexByte(loc, ':'); j > 0 && allDigits(loc[j+1:]) && strings.Count(loc, ":") >= 2 {
					loc = loc[:j] // drop the column
				}
			}
		}
		frames = append(frames, rframe{name, loc})
	}
	start := 0 // after the panic machinery at the top (the runtime's start frames are at the bottom)
	for i, f := range frames {
		hit := false
		for _, p := range rustPanicFrames {
			if strings.Contains(f.name, p) {
				hit = true
				break
			}
		}
		if !hit && start > 0 {
			break
		}
		if hit {
			start = i + 1
		}
	}
	if start >= len(frames) {
		start = 0
	}
	var b strings.Builder
	for _, f := range frames[start:] {
		if rustRuntime(f.loc) {
			continue // the standard library, registry crates and libc: not the program's code
		}
		b.WriteString("\tat " + f.name + "(" + f.loc + ")\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// rustRuntime reports a backtrace location outside the program: the
// standard library's sources (/rustc/<hash>/library), crates from the
// registry, libc's start-up code, or none at all.
func rustRuntime(loc string) bool {
	return loc == "" || strings.HasPrefix(loc, "/rustc/") || strings.Contains(loc, "/.cargo/registry/") ||
		strings.Contains(loc, "/cargo/registry/") || strings.Contains(loc, "/sysdeps/") || strings.Contains(loc, "/csu/")
}

// maxRustFrames bounds the frames read from a Rust backtrace.
const maxRustFrames = 1000

// looksTypeName reports a string that reads as an exception type name: an
// identifier path whose last part is capitalised and named like an error
// ("ValueError", "java.lang.IllegalStateException", "builtins.KeyError"),
// or a dotted path ending in a capitalised name.
func looksTypeName(t string) bool {
	if t == "" || len(t) > 256 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != '$' && c != ':' && c < 0x80 {
			return false
		}
	}
	last := t
	if i := strings.LastIndexAny(t, ".:"); i >= 0 {
		last = t[i+1:]
	}
	if last == "" || !('A' <= last[0] && last[0] <= 'Z') {
		return false
	}
	for _, suf := range []string{"Error", "Exception", "Fault", "Failure", "Panic", "Exit", "Interrupt",
		"Timeout", "Rejection", "Throwable", "Invalid", "NotFound", "Denied", "Violation"} {
		if strings.HasSuffix(last, suf) {
			return true
		}
	}
	return strings.ContainsAny(t, ".:")
}
