package logline

import (
	"strings"
)

// frame is one stack frame reduced to what identifies the code: function
// and module names, no line numbers, addresses or arguments.
type frame struct {
	name  string
	inApp bool
}

// exception is one exception of a chain with its own frames.
type exception struct {
	typ, msg string
	frames   []frame
	parent   int // index of the enclosing exception (.NET inner exceptions), -1
}

// stackTrace is a parsed stack trace.
type stackTrace struct {
	excs []exception
	// causeFirst: the chain is printed cause first (Python); otherwise the
	// root cause is the last exception (Java "Caused by:", .NET "--->").
	causeFirst bool
}

// maxStackLines bounds the lines of a stack trace that are read.
const maxStackLines = 2000

// parseStack reads a stack trace in any of the dialects culprit knows: Go
// panics and debug.Stack() (goroutine headers, +0x offsets, argument lists;
// only the first goroutine counts), zap/pkg-errors frame lists, Java
// (Caused by: chains, "... 12 more"), Python tracebacks (chained ones too),
// Node/V8, .NET (inner exceptions, "in file:line N") and Ruby backtraces.
func parseStack(s string) *stackTrace {
	st := &stackTrace{}
	cur := -1
	newExc := func(typ, msg string, parent int) {
		st.excs = append(st.excs, exception{typ: typ, msg: msg, parent: parent})
		cur = len(st.excs) - 1
	}
	ensure := func() {
		if cur < 0 {
			newExc("", "", -1)
		}
	}
	addFrame := func(f frame) {
		ensure()
		if f.name == "" {
			return
		}
		e := &st.excs[cur]
		if n := len(e.frames); n > 0 && e.frames[n-1].name == f.name {
			return // recursion: the depth varies between occurrences
		}
		e.frames = append(e.frames, f)
	}
	python := false
	goroutines := 0
	pendingGo := "" // a Go function line waiting for its file line
	skipGoFile := false
	rest := s
	for n := 0; rest != "" && n < maxStackLines; n++ {
		raw, next, _ := strings.Cut(rest, "\n")
		rest = next
		raw = strings.TrimRight(raw, "\r")
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		switch {
		case strings.HasPrefix(line, "goroutine ") && strings.HasSuffix(line, ":"):
			goroutines++
			if goroutines > 1 {
				return st // only the panicking (first) goroutine counts
			}
			ensure()
			continue
		case strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: "):
			ensure()
			if st.excs[cur].typ == "" {
				typ, msg, _ := strings.Cut(line, ": ")
				st.excs[cur].typ = typ
				st.excs[cur].msg = strings.TrimSuffix(msg, " [recovered]")
			}
			continue
		case strings.Contains(line, "http: panic serving "):
			// net/http's recovered panic: "http: panic serving 10.0.0.1:4242: msg"
			ensure()
			if st.excs[cur].typ == "" {
				rest := line[strings.Index(line, "http: panic serving ")+len("http: panic serving "):]
				_, msg, _ := strings.Cut(rest, ": ")
				st.excs[cur].typ, st.excs[cur].msg = "panic", msg
			}
			continue
		case strings.HasPrefix(line, "[signal ") || strings.HasPrefix(line, "exit status "):
			continue
		case strings.HasPrefix(line, "created by "):
			skipGoFile = true
			pendingGo = ""
			continue
		case line == "Traceback (most recent call last):":
			python = true
			st.causeFirst = true
			newExc("", "", -1)
			continue
		case strings.HasPrefix(line, "During handling of the above exception") ||
			strings.HasPrefix(line, "The above exception was the direct cause"):
			continue
		case python && strings.HasPrefix(line, `File "`):
			addFrame(pythonFrame(line))
			continue
		case python && indented:
			continue // source line or ^^^^ marker
		case python && !indented:
			// The exception line ends a traceback block.
			ensure()
			typ, msg := splitHeader(line, true)
			if typ != "" {
				st.excs[cur].typ, st.excs[cur].msg = typ, msg
			}
			continue
		case strings.HasPrefix(line, "Caused by: "):
			typ, msg := splitHeader(strings.TrimPrefix(line, "Caused by: "), true)
			newExc(typ, msg, -1)
			continue
		case strings.HasPrefix(line, "[cause]: "):
			typ, msg := splitHeader(strings.TrimPrefix(line, "[cause]: "), true)
			newExc(typ, msg, -1)
			continue
		case strings.HasPrefix(line, "---> "):
			typ, msg := splitHeader(strings.TrimPrefix(line, "---> "), true)
			newExc(typ, msg, cur)
			continue
		case strings.HasPrefix(line, "--- End of inner exception stack trace ---"):
			if cur >= 0 && st.excs[cur].parent >= 0 {
				cur = st.excs[cur].parent
			}
			continue
		case strings.HasPrefix(line, "--- End of stack trace") || strings.HasPrefix(line, "...") ||
			strings.HasPrefix(line, "Suppressed: ") || strings.HasPrefix(line, "Stack trace:"):
			continue
		case strings.HasPrefix(line, "at "):
			pendingGo = ""
			addFrame(atFrame(strings.TrimPrefix(line, "at ")))
			continue
		}
		if f, ok := rubyFrame(line); ok {
			if cur < 0 && !strings.HasPrefix(line, "from ") {
				// The first line of a Ruby error carries the message and type.
				newExc("", "", -1)
				if i := strings.Index(line, "': "); i >= 0 {
					st.excs[cur].typ, st.excs[cur].msg = rubyHeader(line[i+3:])
				}
			}
			addFrame(f)
			continue
		}
		if indented && isGoFileLine(line) {
			if pendingGo != "" && !skipGoFile {
				f := goFrame(pendingGo, line)
				if f.name == "panic" || f.name == "runtime.gopanic" {
					// Frames above panic() are the recovering code
					// (debug.Stack in a deferred func), not the bug.
					ensure()
					st.excs[cur].frames = st.excs[cur].frames[:0]
				}
				addFrame(f)
			}
			pendingGo, skipGoFile = "", false
			continue
		}
		if nextLine, _, _ := strings.Cut(rest, "\n"); !indented && looksGoFunc(line) && nextIsGoFile(nextLine) {
			pendingGo = line
			continue
		}
		// A header line: "pkg.SomeException: message".
		if cur < 0 || (len(st.excs[cur].frames) == 0 && st.excs[cur].typ == "") {
			if rest, ok := strings.CutPrefix(line, "Exception in thread "); ok {
				// Java's uncaught handler: Exception in thread "main" X: msg
				if _, after, found := strings.Cut(rest[min(1, len(rest)):], `" `); found {
					line = after
				}
			}
			typ, msg := splitHeader(line, false)
			for rest := line; typ == ""; {
				// "checkout failed: TypeError: msg" (a message before the error)
				_, after, found := strings.Cut(rest, ": ")
				if !found {
					break
				}
				typ, msg = splitHeader(after, false)
				rest = after
			}
			if typ != "" {
				if cur < 0 {
					newExc(typ, msg, -1)
				} else {
					st.excs[cur].typ, st.excs[cur].msg = typ, msg
				}
			}
		}
	}
	return st
}

// root returns the index of the root-cause exception, or -1.
func (st *stackTrace) root() int {
	if len(st.excs) == 0 {
		return -1
	}
	if st.causeFirst {
		return 0
	}
	return len(st.excs) - 1
}

func (st *stackTrace) rootType() string {
	if r := st.root(); r >= 0 {
		if t := st.excs[r].typ; t != "" {
			return t
		}
		for i := range st.excs {
			if st.excs[i].typ != "" {
				return st.excs[i].typ
			}
		}
	}
	return ""
}

func (st *stackTrace) rootMessage() string {
	if r := st.root(); r >= 0 {
		return st.excs[r].msg
	}
	return ""
}

// messageOf returns the message of the chain's exception of type typ
// (compared by short name), or "".
func (st *stackTrace) messageOf(typ string) string {
	want := shortType(typ)
	for _, e := range st.excs {
		if e.typ != "" && shortType(e.typ) == want {
			return e.msg
		}
	}
	return ""
}

// fingerprintFrames returns the frame names that identify the error: the
// root cause's in-app frames; else the in-app frames of the whole chain
// (a library exception raised under application code); else all the root
// cause's frames.
func (st *stackTrace) fingerprintFrames() []string {
	r := st.root()
	if r < 0 {
		return nil
	}
	var out []string
	pick := func(fs []frame, inAppOnly bool) {
		for _, f := range fs {
			if len(out) >= maxFingerprintFrames {
				return
			}
			if !inAppOnly || f.inApp {
				out = append(out, f.name)
			}
		}
	}
	pick(st.excs[r].frames, true)
	if len(out) == 0 {
		for i := range st.excs {
			if i != r {
				pick(st.excs[i].frames, true)
			}
		}
	}
	if len(out) == 0 {
		pick(st.excs[r].frames, false)
	}
	if len(out) == 0 {
		for i := range st.excs {
			pick(st.excs[i].frames, false)
		}
	}
	return out
}

// splitHeader splits "Type: message" when Type looks like an exception
// class. With anyIdent (Python's last line, Java's Caused by) any identifier
// is accepted; otherwise it must be qualified or end like an exception name,
// so that "pq: deadlock detected" is not taken for a type.
func splitHeader(line string, anyIdent bool) (typ, msg string) {
	t, m, found := strings.Cut(line, ": ")
	if !found {
		t = strings.TrimSuffix(line, ":")
		m = ""
		// Ruby's "ZeroDivisionError (divided by 0):"
		if i := strings.Index(t, " ("); i > 0 && strings.HasSuffix(t, ")") {
			t, m = t[:i], t[i+2:len(t)-1]
		}
	}
	t = strings.TrimSpace(t)
	// Node: "Error [ERR_X]: msg"
	if i := strings.Index(t, " ["); i > 0 && strings.HasSuffix(t, "]") {
		t = t[:i]
	}
	if t == "" || len(t) > 200 || !isIdentPath(t) {
		return "", ""
	}
	if !anyIdent && !looksLikeExceptionName(t) {
		return "", ""
	}
	return t, strings.TrimSpace(m)
}

func isIdentPath(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != '$' && c != '`' && c != '+' && c < 0x80 {
			return false
		}
	}
	return isAlnum(t[0]) || t[0] == '_' || t[0] >= 0x80
}

func looksLikeExceptionName(t string) bool {
	last := t
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		last = t[i+1:]
	}
	if last == "" || !('A' <= last[0] && last[0] <= 'Z') {
		return false
	}
	for _, suf := range []string{"Error", "Exception", "Fault", "Failure", "Panic", "Exit", "Interrupt",
		"Timeout", "Rejection", "Throwable", "Detected", "Invalid", "NotFound", "Denied", "Violation"} {
		if strings.HasSuffix(last, suf) {
			return true
		}
	}
	return last == "Error" || strings.Contains(t, ".") && strings.Count(t, ".") >= 1 && hasUpper(last)
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// pythonFrame reads `File "/app/orders/service.py", line 42, in reserve`.
func pythonFrame(line string) frame {
	rest := strings.TrimPrefix(line, `File "`)
	file, after, ok := strings.Cut(rest, `"`)
	if !ok {
		return frame{}
	}
	fn := ""
	if i := strings.Index(after, ", in "); i >= 0 {
		fn = strings.TrimSpace(after[i+5:])
	}
	lib := strings.Contains(file, "site-packages") || strings.Contains(file, "dist-packages") ||
		strings.Contains(file, "/lib/python") || strings.HasPrefix(file, "<frozen") ||
		strings.Contains(file, "\\Lib\\")
	return frame{name: pythonModule(file) + "." + normalizeFunc(fn), inApp: !lib}
}

// pythonModule names a Python file without its volatile prefix: the path
// under site-packages for libraries, else the file's base name.
func pythonModule(file string) string {
	file = strings.ReplaceAll(file, "\\", "/")
	for _, marker := range []string{"site-packages/", "dist-packages/"} {
		if i := strings.LastIndex(file, marker); i >= 0 {
			file = file[i+len(marker):]
		}
	}
	if !strings.Contains(file, "/") || strings.HasPrefix(file, "/") {
		// Application code: the directory it is deployed to varies
		// (/srv/releases/42/, a CI checkout), the module name does not.
		file = file[strings.LastIndexByte(file, '/')+1:]
	}
	return strings.TrimSuffix(file, ".py")
}

// atFrame reads the part after "at " of Java, .NET and Node frames. Text
// that only looks like one ("at the depot") gives a frame without a name.
func atFrame(rest string) frame {
	rest = strings.TrimSpace(rest)
	// Node with a function name: "fn (file:line:col)", "async fn (...)".
	if i := strings.LastIndex(rest, " ("); i > 0 && strings.HasSuffix(rest, ")") && !strings.Contains(rest[:i], "(") {
		fn := rest[:i]
		loc := rest[i+2 : len(rest)-1]
		if !isJSLocation(loc) {
			return frame{}
		}
		fn = strings.TrimPrefix(fn, "async ")
		fn = strings.TrimPrefix(fn, "new ")
		if j := strings.Index(fn, " [as "); j > 0 {
			fn = fn[:j]
		}
		file := stripLineCol(loc)
		return frame{name: jsModule(file) + ":" + normalizeFunc(fn), inApp: jsInApp(file)}
	}
	// Java / .NET: "pkg.Class.method(File.java:42)", "Ns.Type.Method(Int32 id) in f:line 3".
	if i := strings.IndexByte(rest, '('); i > 0 {
		fn := strings.TrimPrefix(rest[:i], "async ")
		if strings.ContainsAny(fn, " \t") || !strings.Contains(rest[i:], ")") {
			return frame{}
		}
		if j := strings.LastIndexByte(fn, '/'); j >= 0 {
			fn = fn[j+1:] // Java 9 module prefix: java.base/, app//
		}
		return frame{name: normalizeFunc(fn), inApp: jvmInApp(fn)}
	}
	// Node anonymous: "at /app/src/x.js:1:2", "at file:///app/x.mjs:1:2".
	loc := strings.TrimPrefix(rest, "async ")
	if !isJSLocation(loc) || loc == "<anonymous>" {
		return frame{}
	}
	file := stripLineCol(loc)
	return frame{name: jsModule(file), inApp: jsInApp(file)}
}

// isJSLocation reports a V8 frame location: file:line:col, <anonymous>,
// native, "index N" (Promise.all).
func isJSLocation(loc string) bool {
	switch {
	case loc == "<anonymous>" || loc == "native" || strings.HasPrefix(loc, "index "):
		return true
	case strings.ContainsAny(loc, " \t") && !strings.Contains(loc, "/") && !strings.Contains(loc, "\\"):
		return false
	}
	return stripLineCol(loc) != loc
}

// stripLineCol removes ":line:col" or ":line" from a location.
func stripLineCol(loc string) string {
	for k := 0; k < 2; k++ {
		i := strings.LastIndexByte(loc, ':')
		if i < 0 || i == len(loc)-1 || !allDigits(loc[i+1:]) {
			break
		}
		loc = loc[:i]
	}
	return loc
}

// jsModule names a JavaScript file by its path under node_modules, else its
// base name, with content hashes in bundle names parameterised.
func jsModule(file string) string {
	file = strings.TrimPrefix(file, "file://")
	if i := strings.LastIndex(file, "node_modules/"); i >= 0 {
		file = file[i+len("node_modules/"):]
	} else if i := strings.LastIndexByte(file, '/'); i >= 0 {
		file = file[i+1:]
	}
	return paramPieces(file)
}

func jsInApp(file string) bool {
	return !(strings.Contains(file, "node_modules") || strings.HasPrefix(file, "node:") ||
		strings.HasPrefix(file, "internal/") || file == "<anonymous>" || file == "native")
}

// jvmLibraryPrefixes are the namespaces of runtimes and common libraries on
// the JVM and .NET; frames there are not in-app.
var jvmLibraryPrefixes = []string{
	"java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "akka.",
	"org.springframework.", "org.apache.", "io.netty.", "com.fasterxml.", "org.hibernate.",
	"ch.qos.", "reactor.", "io.micrometer.", "okhttp3.", "com.google.", "org.eclipse.",
	"org.junit.", "groovy.", "org.postgresql.", "com.mysql.", "com.zaxxer.", "io.grpc.",
	"org.glassfish.", "io.undertow.", "org.jboss.", "feign.", "retrofit2.", "io.vertx.",
	"System.", "Microsoft.", "Newtonsoft.", "Npgsql.", "Grpc.", "Polly.", "MediatR.", "Dapper.",
	"StackExchange.", "Serilog.", "NLog.", "MySqlConnector.", "Castle.", "Autofac.",
}

func jvmInApp(fn string) bool {
	if strings.HasPrefix(fn, "lambda_method") {
		return false // .NET compiled expression trees (ASP.NET action invokers)
	}
	for _, p := range jvmLibraryPrefixes {
		if strings.HasPrefix(fn, p) {
			return false
		}
	}
	return true
}

// rubyFrame reads "/app/models/order.rb:42:in `reserve'" (also 'Order#reserve'
// of Ruby 3.4, and the "from " prefix of later lines).
func rubyFrame(line string) (frame, bool) {
	line = strings.TrimPrefix(line, "from ")
	i := strings.Index(line, ":in ")
	if i <= 0 {
		return frame{}, false
	}
	loc := line[:i]
	j := strings.LastIndexByte(loc, ':')
	if j <= 0 || !allDigits(loc[j+1:]) || j == len(loc)-1 {
		return frame{}, false
	}
	file := loc[:j]
	rest := line[i+4:]
	if rest == "" || (rest[0] != '`' && rest[0] != '\'') {
		return frame{}, false
	}
	end := strings.IndexByte(rest[1:], '\'')
	if end < 0 {
		return frame{}, false
	}
	fn := rest[1 : end+1]
	// "block (2 levels) in foo" -> "block in foo"
	if k := strings.Index(fn, " ("); k >= 0 {
		if l := strings.Index(fn[k:], ") "); l >= 0 {
			fn = fn[:k] + fn[k+l+1:]
		}
	}
	base := file
	if k := strings.LastIndexByte(base, '/'); k >= 0 {
		base = base[k+1:]
	}
	base = strings.TrimSuffix(base, ".rb")
	lib := strings.Contains(file, "/gems/") || strings.Contains(file, "/lib/ruby/") ||
		strings.HasPrefix(file, "<internal:") || strings.Contains(file, "/rubygems/")
	return frame{name: base + ":" + fn, inApp: !lib}, true
}

// rubyHeader reads "undefined method `id' for nil (NoMethodError)".
func rubyHeader(s string) (typ, msg string) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i >= 0 {
			return s[i+2 : len(s)-1], s[:i]
		}
	}
	return "", s
}

// isGoFileLine reports a Go frame's file line: "/app/main.go:42 +0x1d",
// "example.com/shop/main.go:42", "checkout.go:18".
func isGoFileLine(line string) bool {
	if i := strings.Index(line, " +0x"); i > 0 {
		line = line[:i]
	}
	if i := strings.Index(line, " fp="); i > 0 {
		line = line[:i]
	}
	i := strings.LastIndexByte(line, ':')
	if i <= 0 || i == len(line)-1 || !allDigits(line[i+1:]) {
		return false
	}
	file := line[:i]
	return strings.HasSuffix(file, ".go") || strings.HasSuffix(file, ".s") || strings.HasSuffix(file, ".c")
}

func nextIsGoFile(raw string) bool {
	if raw == "" || (raw[0] != '\t' && raw[0] != ' ') {
		return false
	}
	return isGoFileLine(strings.TrimSpace(raw))
}

// looksGoFunc reports a Go frame's function line.
func looksGoFunc(line string) bool {
	name := line
	if i := strings.IndexByte(line, '('); i >= 0 {
		name = line[:i]
	}
	return !strings.ContainsAny(name, " \t")
}

// goFrame builds a frame from a Go function line and its file line.
func goFrame(fnLine, fileLine string) frame {
	fn := stripGoArgs(fnLine)
	file := fileLine
	if i := strings.Index(file, " +0x"); i > 0 {
		file = file[:i]
	}
	if i := strings.LastIndexByte(file, ':'); i > 0 {
		file = file[:i]
	}
	return frame{name: normalizeFunc(fn), inApp: goInApp(fn, file)}
}

// stripGoArgs removes the argument list of a Go frame: "main.(*S).f(0xc0, {0x1})"
// -> "main.(*S).f".
func stripGoArgs(fn string) string {
	if !strings.HasSuffix(fn, ")") {
		return fn
	}
	depth := 0
	for i := len(fn) - 1; i >= 0; i-- {
		switch fn[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				if i > 0 && fn[i-1] != '.' {
					return fn[:i]
				}
				return fn
			}
		}
	}
	return fn
}

// goRuntimeFiles are the runtime's files seen in frames that carry no
// package (zerolog's pkgerrors frames).
var goRuntimeFiles = map[string]bool{
	"proc.go": true, "panic.go": true, "asm_amd64.s": true, "asm_arm64.s": true, "asm_386.s": true,
	"asm_arm.s": true, "signal_unix.go": true, "extern.go": true, "traceback.go": true,
	"server.go": true, "stack.go": true,
}

// goInApp decides whether a Go frame is application code: not the standard
// library (a package path whose first element has no dot, except main) and
// not a module dependency (files under pkg/mod, vendor, or with @version).
func goInApp(fn, file string) bool {
	if strings.Contains(file, "/pkg/mod/") || strings.Contains(file, "@v") || strings.Contains(file, "/vendor/") ||
		strings.Contains(file, "/go/src/") || strings.HasPrefix(file, "/usr/local/go/") || strings.HasPrefix(file, "/usr/lib/go") {
		return false
	}
	slash := strings.LastIndexByte(fn, '/')
	pkgEnd := strings.IndexByte(fn[slash+1:], '.')
	if pkgEnd < 0 {
		// No package in the name (zerolog frames): judge by the file.
		base := file
		if i := strings.LastIndexByte(base, '/'); i >= 0 {
			base = base[i+1:]
		}
		return !goRuntimeFiles[base]
	}
	pkg := fn[:slash+1+pkgEnd]
	if pkg == "main" {
		return true
	}
	first := pkg
	if i := strings.IndexByte(pkg, '/'); i >= 0 {
		first = pkg[:i]
	}
	return strings.IndexByte(first, '.') >= 0
}

// normalizeFunc removes the numbering compilers give anonymous functions and
// generated types, which shifts between releases: Go's func1/func2.3,
// gowrap1; Java's lambda$reserve$0, Foo$1, $Proxy12, GeneratedMethodAccessor7,
// CGLIB$$a1b2; .NET's <Reserve>d__5, <>c__DisplayClass4_0, b__3_0; Python's
// and Ruby's names pass through.
func normalizeFunc(fn string) string {
	if fn == "" {
		return fn
	}
	var b strings.Builder
	b.Grow(len(fn))
	for i := 0; i < len(fn); i++ {
		c := fn[i]
		if i >= 2 && fn[i-2:i] == "$$" && isHexRun(fn[i:]) {
			// CGLIB / ByteBuddy class hashes: $$EnhancerBySpringCGLIB$$a1b2c3
			for i+1 < len(fn) && isHex(fn[i+1]) {
				i++
			}
			continue
		}
		if isDigit(c) && i > 0 && anonDigitsContext(fn, i) {
			for i+1 < len(fn) && (isDigit(fn[i+1]) || (fn[i+1] == '.' || fn[i+1] == '_') && i+2 < len(fn) && isDigit(fn[i+2])) {
				i++
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// anonDigitsContext reports digits that number anonymous or generated code.
func anonDigitsContext(fn string, i int) bool {
	prefix := fn[:i]
	for _, p := range []string{".func", "$", "__", "_", "|", "gowrap", "deferwrap", "Accessor", "$Proxy",
		"glob..func", "lambda_method", "`"} {
		if strings.HasSuffix(prefix, p) {
			return true
		}
	}
	return false
}

func isHexRun(s string) bool {
	n := 0
	for n < len(s) && isHex(s[n]) {
		n++
	}
	return n >= 4
}
