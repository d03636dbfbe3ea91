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

// isErrorObject reports an object shaped like an error: a type or message
// together with a stack, or a type together with a message.
func isErrorObject(v gjson.Result) bool {
	if !v.IsObject() {
		return false
	}
	typ, msg := errorObjectType(v) != "", errorObjectMessage(v) != ""
	return (typ || msg || stackInMessage(v) != "") && errorObjectHasStack(v) || typ && msg
}

// errorObjectType is the type of an error object ("" if it has none). A
// type value must read as a type name, not a sentence.
func errorObjectType(v gjson.Result) string {
	for _, k := range errTypeKeys {
		if t := v.Get(gjson.Escape(k)); t.Type == gjson.String {
			s := trimASCIISpace(t.Str)
			if s != "" && len(s) <= 256 && !strings.ContainsAny(s, " \n\t") {
				return s
			}
		}
	}
	return ""
}

// errorObjectMessage is the message of an error object ("" if none). A
// message that is a whole traceback (daiquiri's error.message) is the
// stack, not the message: the stack's own message is read from it.
func errorObjectMessage(v gjson.Result) string {
	for _, k := range errMsgKeys {
		if m := v.Get(gjson.Escape(k)); m.Type == gjson.String && trimASCIISpace(m.Str) != "" {
			if looksLikeStack(m.Str) {
				return ""
			}
			return m.Str
		}
	}
	return ""
}

// stackInMessage is an error object's message when it holds a whole
// traceback.
func stackInMessage(v gjson.Result) string {
	for _, k := range errMsgKeys {
		if m := v.Get(gjson.Escape(k)); m.Type == gjson.String && looksLikeStack(m.Str) {
			return m.Str
		}
	}
	return ""
}

func errorObjectHasStack(v gjson.Result) bool {
	if stackInMessage(v) != "" {
		return true
	}
	for _, k := range errStackKeys {
		s := v.Get(gjson.Escape(k))
		if s.IsArray() || (s.Type == gjson.String && isStackString(s.Str)) {
			return true
		}
	}
	return false
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
func errorObjectStack(v gjson.Result) string {
	var b strings.Builder
	for depth := 0; depth < maxCauses && v.IsObject(); depth++ {
		if depth > 0 {
			b.WriteString("\nCaused by: ")
		}
		writeErrorObject(&b, v)
		next := gjson.Result{}
		for _, k := range errCauseKeys {
			if c := v.Get(gjson.Escape(k)); c.IsObject() {
				next = c
				break
			}
		}
		v = next
		if b.Len() > 1<<20 {
			break
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func writeErrorObject(b *strings.Builder, v gjson.Result) {
	typ, msg := errorObjectType(v), errorObjectMessage(v)
	var stack gjson.Result
	for _, k := range errStackKeys {
		if s := v.Get(gjson.Escape(k)); s.IsArray() || (s.Type == gjson.String && isStackString(s.Str)) {
			stack = s
			break
		}
	}
	if !stack.Exists() {
		if s := stackInMessage(v); s != "" {
			stack = gjson.Result{Type: gjson.String, Str: s}
		}
	}
	if stack.Type == gjson.String {
		s := strings.TrimRight(stack.Str, "\n")
		if typ != "" && !strings.Contains(firstLine(s), typ) && !strings.HasPrefix(s, "Traceback") {
			writeHeader(b, typ, msg)
		}
		b.WriteString(s)
		b.WriteByte('\n')
		return
	}
	writeHeader(b, typ, msg)
	stack.ForEach(func(_, e gjson.Result) bool {
		switch {
		case e.Type == gjson.String:
			writeStringFrame(b, e.Str)
		case e.IsObject():
			writeJavaFrame(b, e)
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
	if _, ok := rubyFrame(s); ok || strings.HasPrefix(s, "at ") || strings.HasPrefix(s, "File \"") {
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
