package stack

import (
	"strconv"
	"strings"
)

// Kind classifies a line of a stack trace for display.
type Kind uint8

const (
	// Header is a line that is no frame: the exception line, "goroutine 1
	// [running]:", "Traceback (most recent call last):", "Caused by: …",
	// Ruby's error_highlight lines, blank lines.
	Header Kind = iota
	// App is a frame (or a line that belongs to one: Go's file line,
	// Python's source line) of the application's own code.
	App
	// Lib is a frame of the runtime, the standard library or a dependency,
	// or Java's "... N more".
	Lib
)

// Line is one line of a stack trace, classified.
type Line struct {
	Text string // the line as it was, without its line ending
	Kind Kind
	// Frame: the line starts a frame; the lines that continue it (Go's
	// file line, Python's source line and ^^^ markers) do not.
	Frame bool
	// Culprit: the line is part of the trace's culprit frame (see
	// Trace.Culprit).
	Culprit bool
}

// Parse reads a stack trace in any dialect culprit knows and returns its
// outermost exception, or nil when s holds no exception line and no frame.
// Dialects: Go panics and runtime/debug.Stack (goroutine headers, +0x
// offsets, argument lists; only the first goroutine counts), zap and
// pkg/errors frame lists, Java (Caused by:, "... N more", Suppressed:),
// Python tracebacks (chained by "During handling…" or "The above exception
// was the direct cause…"), Node/V8 (named, anonymous, async, <anonymous>,
// [cause]:), .NET (" ---> " inner exceptions, "in file:line N"), Ruby
// backtraces (both quote styles, Rails' indented form) and PHP ("#0
// file(line): fn()", "Next …").
func Parse(s string) *Trace {
	t, _ := parse(s, false)
	return t
}

// Lines splits s into lines and classifies each one with the rules of
// Parse, marking the culprit frame's lines.
func Lines(s string) []Line {
	_, ls := parse(s, true)
	return ls
}

// ParseLines is Parse and Lines in one pass.
func ParseLines(s string) (*Trace, []Line) { return parse(s, true) }

type ref struct{ exc, frame int }

// suppressed is a Java suppressed exception being read: the trace its lines
// go to now (its last cause) and the indentation of its "Suppressed:" line.
type suppressed struct {
	tail   *Trace
	indent int
}

type parser struct {
	// Exceptions in printed order. A chain line ("Caused by:", "--->",
	// "[cause]:", "Suppressed:", "Next") before any exception is read as an
	// ordinary exception line.
	excs       []*Trace
	parent     []int // .NET: the exception an inner exception belongs to, or -1
	cur        int
	causeFirst bool
	frames     int

	// Java's suppressed exceptions being read, innermost last: each is
	// printed indented under the exception it belongs to, its frames one
	// level deeper, its causes at its own level.
	supp []suppressed

	// a second goroutine: frames are classified for display, not kept
	other *Trace

	wantLines bool
	lines     []Line
	refs      []ref // per line; exc -1: none, -2: a trace outside the chain
}

func (p *parser) newExc(typ, msg string, parent int) {
	if len(p.excs) >= maxChain {
		return
	}
	p.excs = append(p.excs, &Trace{Type: typ, Message: msg})
	p.parent = append(p.parent, parent)
	p.cur = len(p.excs) - 1
}

func (p *parser) ensure() {
	if p.cur < 0 {
		p.newExc("", "", -1)
	}
}

// target is the trace frames are added to now.
func (p *parser) target(indent int) (*Trace, int) {
	if p.other != nil {
		return p.other, -2
	}
	if n := len(p.supp); n > 0 && indent > p.supp[n-1].indent {
		return p.supp[n-1].tail, -2
	}
	p.ensure()
	return p.excs[p.cur], p.cur
}

// addFrame adds f and returns its reference, or exc -1 when the frame cap
// is reached.
func (p *parser) addFrame(f Frame, indent int) ref {
	t, e := p.target(indent)
	if p.frames >= maxFrames {
		return ref{-1, -1}
	}
	p.frames++
	f.InApp = InApp(f)
	t.Frames = append(t.Frames, f)
	return ref{e, len(t.Frames) - 1}
}

func (p *parser) emit(text string, k Kind, frame bool, r ref) {
	if !p.wantLines {
		return
	}
	p.lines = append(p.lines, Line{Text: text, Kind: k, Frame: frame})
	p.refs = append(p.refs, r)
}

// kindOf is the display kind of a frame reference.
func (p *parser) kindOf(r ref, t *Trace) Kind {
	if t == nil || r.frame < 0 || r.frame >= len(t.Frames) {
		return Header
	}
	if t.Frames[r.frame].InApp {
		return App
	}
	return Lib
}

func indentOf(raw string) int {
	n := 0
	for n < len(raw) && (raw[n] == ' ' || raw[n] == '\t') {
		n++
	}
	return n
}

var none = ref{-1, -1}

func parse(s string, wantLines bool) (*Trace, []Line) {
	p := &parser{cur: -1, wantLines: wantLines}
	python := false
	goroutines := 0
	pendingGo, pendingLine := "", -1 // a Go function line waiting for its file line
	skipGoFile := false
	lastFrame := none // the frame Python source lines continue
	var lastTrace *Trace
	rest := s
	for n := 0; rest != ""; n++ {
		raw, next, _ := strings.Cut(rest, "\n")
		rest = next
		raw = strings.TrimSuffix(raw, "\r")
		if n >= maxLines {
			if !wantLines {
				break
			}
			p.emit(raw, Header, false, none)
			continue
		}
		line := strings.TrimSpace(raw)
		if line == "" {
			p.emit(raw, Header, false, none)
			continue
		}
		indent := indentOf(raw)
		indented := indent > 0
		for n := len(p.supp); n > 0; n = len(p.supp) {
			top := p.supp[n-1]
			if indent > top.indent || indent == top.indent && indent > 0 && hasMarker(line, "Caused by: ") {
				break
			}
			p.supp = p.supp[:n-1]
		}
		contFrame := lastFrame
		lastFrame = none
		frameLine := func(f Frame) {
			r := p.addFrame(f, indent)
			t, _ := p.target(indent)
			k := p.kindOf(r, t)
			if r.exc == -1 {
				k = Header
			}
			p.emit(raw, k, r.exc != -1, r)
			lastFrame, lastTrace = r, t
		}
		switch {
		case strings.HasPrefix(line, "goroutine ") && strings.HasSuffix(line, ":"):
			goroutines++
			if goroutines > 1 && p.other == nil {
				// Only the panicking (first) goroutine counts.
				p.other = &Trace{}
			}
			p.emit(raw, Header, false, none)
			if p.other == nil {
				p.ensure()
			}
			continue
		case strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: "):
			if p.other == nil {
				p.ensure()
				if e := p.excs[p.cur]; e.Type == "" {
					typ, msg, _ := strings.Cut(line, ": ")
					msg = strings.TrimSuffix(msg, " [recovered]")
					e.Type, e.Message = typ, strings.TrimSuffix(msg, " [recovered, repanicked]")
				}
			}
			p.emit(raw, Header, false, none)
			continue
		case strings.Contains(line, "http: panic serving "):
			// net/http's recovered panic: "http: panic serving 10.0.0.1:4242: msg"
			p.ensure()
			if e := p.excs[p.cur]; e.Type == "" {
				after := line[strings.Index(line, "http: panic serving ")+len("http: panic serving "):]
				_, msg, _ := strings.Cut(after, ": ")
				e.Type, e.Message = "panic", msg
			}
			p.emit(raw, Header, false, none)
			continue
		case strings.HasPrefix(line, "[signal ") || strings.HasPrefix(line, "exit status "):
			p.emit(raw, Header, false, none)
			continue
		case strings.HasPrefix(line, "created by "):
			// The goroutine's creator: context, not part of the stack.
			skipGoFile = true
			pendingGo, pendingLine = "", -1
			fn, _, _ := strings.Cut(strings.TrimPrefix(line, "created by "), " in goroutine ")
			k := Lib
			if goInApp(stripGoArgs(fn), "") {
				k = App
			}
			p.emit(raw, k, false, none)
			continue
		case line == "Traceback (most recent call last):":
			python = true
			p.causeFirst = true
			p.newExc("", "", -1)
			p.emit(raw, Header, false, none)
			continue
		case strings.HasPrefix(line, "During handling of the above exception") ||
			strings.HasPrefix(line, "The above exception was the direct cause"):
			p.emit(raw, Header, false, none)
			continue
		case python && strings.HasPrefix(line, `File "`):
			if f, ok := pythonFrame(line); ok {
				frameLine(f)
			} else {
				p.emit(raw, Header, false, none)
			}
			continue
		case python && indented:
			// a source line or ^^^ marker under its frame
			if contFrame.exc != -1 {
				p.emit(raw, p.kindOf(contFrame, lastTrace), false, contFrame)
				lastFrame = contFrame
			} else {
				p.emit(raw, Header, false, none)
			}
			continue
		case python && !indented:
			// The exception line ends a traceback block.
			p.ensure()
			if typ, msg := splitHeader(line, true); typ != "" {
				p.excs[p.cur].Type, p.excs[p.cur].Message = typ, msg
			}
			p.emit(raw, Header, false, none)
			continue
		case hasMarker(line, "Caused by: ") && p.cur >= 0:
			typ, msg := splitHeader(afterMarker(line, "Caused by: "), true)
			if n := len(p.supp); n > 0 {
				c := &Trace{Type: typ, Message: msg}
				p.supp[n-1].tail.Cause = c
				p.supp[n-1].tail = c
			} else {
				p.newExc(typ, msg, -1)
			}
			p.emit(raw, Header, false, none)
			continue
		case hasMarker(line, "Wrapped by: ") && p.cur >= 0:
			// logstash-logback-encoder's rootCauseFirst: the root cause is
			// printed first, each wrapping exception after it.
			typ, msg := splitHeader(afterMarker(line, "Wrapped by: "), true)
			p.causeFirst = true
			p.newExc(typ, msg, -1)
			p.emit(raw, Header, false, none)
			continue
		case hasMarker(line, "[cause]: ") && p.cur >= 0:
			typ, msg := splitHeader(afterMarker(line, "[cause]: "), true)
			p.newExc(typ, msg, -1)
			p.emit(raw, Header, false, none)
			continue
		case hasMarker(line, "---> ") && p.cur >= 0:
			typ, msg := splitHeader(afterMarker(line, "---> "), true)
			p.newExc(typ, msg, p.cur)
			p.emit(raw, Header, false, none)
			continue
		case strings.HasPrefix(line, "--- End of inner exception stack trace ---"):
			if p.cur >= 0 && p.parent[p.cur] >= 0 {
				p.cur = p.parent[p.cur]
			}
			p.emit(raw, Header, false, none)
			continue
		case hasMarker(line, "Suppressed: ") && p.cur >= 0:
			typ, msg := splitHeader(afterMarker(line, "Suppressed: "), true)
			sup := &Trace{Type: typ, Message: msg}
			if n := len(p.supp); n > 0 {
				p.supp[n-1].tail.Suppressed = append(p.supp[n-1].tail.Suppressed, sup)
			} else {
				p.ensure()
				p.excs[p.cur].Suppressed = append(p.excs[p.cur].Suppressed, sup)
			}
			if len(p.supp) < maxChain {
				p.supp = append(p.supp, suppressed{tail: sup, indent: indent})
			}
			p.emit(raw, Header, false, none)
			continue
		case strings.HasPrefix(line, "..."):
			// Java's "... 5 more": frames shared with the enclosing trace.
			if more, ok := strings.CutSuffix(strings.TrimPrefix(line, "... "), " more"); ok && allDigits(more) {
				if k, err := strconv.Atoi(more); err == nil && p.other == nil {
					t, _ := p.target(indent)
					t.Elided = k
				}
				p.emit(raw, Lib, false, none)
				continue
			}
			p.emit(raw, Header, false, none)
			continue
		case strings.HasPrefix(line, "--- End of stack trace") || line == "Stack trace:" ||
			strings.HasPrefix(line, "thrown in "):
			p.emit(raw, Header, false, none)
			continue
		case strings.HasPrefix(line, "at "):
			pendingGo, pendingLine = "", -1
			if f, ok := atFrame(strings.TrimPrefix(line, "at ")); ok {
				frameLine(f)
			} else {
				p.emit(raw, Header, false, none)
			}
			continue
		case line[0] == '#':
			if f, ok := phpFrame(line); ok {
				frameLine(f)
				continue
			}
		case strings.HasPrefix(line, "Next ") && p.cur >= 0 && p.excs[p.cur].lang() == PHP:
			if typ, msg := splitHeader(strings.TrimPrefix(line, "Next "), true); typ != "" {
				p.causeFirst = true
				p.newExc(typ, phpMessage(msg), -1)
			}
			p.emit(raw, Header, false, none)
			continue
		}
		if f, after, ok := rubyFrame(line); ok {
			if p.cur < 0 && !strings.HasPrefix(line, "from ") {
				// The first line of a Ruby error carries the message and type.
				p.newExc("", "", -1)
				if msg, ok := strings.CutPrefix(after, ": "); ok {
					p.excs[p.cur].Type, p.excs[p.cur].Message = rubyHeader(msg)
				}
			}
			frameLine(f)
			continue
		}
		if indented && isGoFileLine(line) {
			if pendingGo != "" && !skipGoFile {
				f := goFrame(pendingGo, line)
				r := p.addFrame(f, 0)
				t, _ := p.target(0)
				k := p.kindOf(r, t)
				if r.exc == -1 {
					k = Header
				}
				if wantLines && pendingLine >= 0 {
					p.lines[pendingLine].Kind, p.lines[pendingLine].Frame = k, r.exc != -1
					p.refs[pendingLine] = r
				}
				p.emit(raw, k, false, r)
			} else {
				k := Header
				if pendingLine >= 0 && wantLines {
					k = p.lines[pendingLine].Kind
				} else if skipGoFile && wantLines && len(p.lines) > 0 {
					k = p.lines[len(p.lines)-1].Kind // created by's file line
				}
				p.emit(raw, k, false, none)
			}
			pendingGo, pendingLine, skipGoFile = "", -1, false
			continue
		}
		if nextLine, _, _ := strings.Cut(rest, "\n"); !indented && looksGoFunc(line) && nextIsGoFile(nextLine) {
			pendingGo = line
			pendingLine = len(p.lines)
			p.emit(raw, Header, false, none)
			continue
		}
		p.header(line, rest)
		p.emit(raw, Header, false, none)
	}
	t := p.link()
	if !wantLines {
		return t, nil
	}
	if c := t.Culprit(); c != nil {
		for i, r := range p.refs {
			if r.exc >= 0 && r.frame >= 0 && &p.excs[r.exc].Frames[r.frame] == c {
				p.lines[i].Culprit = true
			}
		}
	}
	return t, p.lines
}

// header reads an exception line ("pkg.SomeException: message") when the
// current exception has none yet.
func (p *parser) header(line, rest string) {
	if p.other != nil || p.cur >= 0 && (len(p.excs[p.cur].Frames) > 0 || p.excs[p.cur].Type != "") {
		return
	}
	if after, ok := strings.CutPrefix(line, "Exception in thread "); ok {
		// Java's uncaught handler: Exception in thread "main" X: msg
		if _, a, found := strings.Cut(after[min(1, len(after)):], `" `); found {
			line = a
		}
	}
	php := false
	if strings.HasPrefix(line, "PHP ") {
		if i := strings.Index(line, "Uncaught "); i >= 0 {
			line, php = line[i+len("Uncaught "):], true
		}
	}
	// A header followed by a frame or a cause may name any identifier as
	// its type.
	nextLine, _, _ := strings.Cut(rest, "\n")
	nextLine = strings.TrimSpace(nextLine)
	anyIdent := php || nextLine == "Stack trace:"
	if after, ok := strings.CutPrefix(nextLine, "at "); ok {
		_, anyIdent = atFrame(after)
	}
	for _, p := range []string{"---> ", "Caused by: ", "[cause]: ", "Suppressed: "} {
		anyIdent = anyIdent || hasMarker(nextLine, p)
	}
	typ, msg := splitHeader(line, anyIdent)
	for rest, k := line, 0; typ == "" && k < 8; k++ {
		// "checkout failed: TypeError: msg" (a message before the error)
		_, after, found := strings.Cut(rest, ": ")
		if !found {
			break
		}
		typ, msg = splitHeader(after, false)
		rest = after
	}
	if typ == "" {
		return
	}
	if php || nextLine == "Stack trace:" {
		msg = phpMessage(msg)
	}
	if p.cur < 0 {
		p.newExc(typ, msg, -1)
		return
	}
	p.excs[p.cur].Type, p.excs[p.cur].Message = typ, msg
}

// link chains the exceptions read, in printed order, into causes and
// returns the outermost.
// Exceptions that hold nothing (a "goroutine" line with no frames after
// it, an empty "Caused by:") are left out.
func (p *parser) link() *Trace {
	var excs []*Trace
	for _, e := range p.excs {
		if e.Type != "" || e.Message != "" || len(e.Frames) > 0 || e.Elided > 0 || len(e.Suppressed) > 0 {
			excs = append(excs, e)
		}
	}
	if len(excs) == 0 {
		return nil
	}
	if p.causeFirst {
		for i := len(excs) - 1; i > 0; i-- {
			excs[i].Cause = excs[i-1]
		}
		return excs[len(excs)-1]
	}
	for i := 0; i+1 < len(excs); i++ {
		excs[i].Cause = excs[i+1]
	}
	return excs[0]
}

// hasMarker reports a line that starts with marker ("Caused by: "), or is
// the marker without its trailing space (the line was trimmed).
func hasMarker(line, marker string) bool {
	return strings.HasPrefix(line, marker) || line == marker[:len(marker)-1]
}

// afterMarker is the text after a marker hasMarker found.
func afterMarker(line, marker string) string {
	if len(line) < len(marker) {
		return ""
	}
	return line[len(marker):]
}

// phpMessage drops the " in /app/x.php:12" PHP puts after a message.
func phpMessage(msg string) string {
	i := strings.LastIndex(msg, " in ")
	if i < 0 {
		return msg
	}
	loc := msg[i+4:]
	if c := strings.LastIndexByte(loc, ':'); c > 0 && allDigits(loc[c+1:]) {
		return msg[:i]
	}
	return msg
}

// splitHeader splits "Type: message" when Type looks like an exception
// class. With anyIdent (Python's last line, Java's Caused by) any identifier
// is accepted; otherwise it must be qualified or end like an exception name,
// so that "pq: deadlock detected" is not taken for a type.
func splitHeader(line string, anyIdent bool) (typ, msg string) {
	line = cutInlineHash(line)
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
	if len(t) > 200 {
		return "", ""
	}
	// Node: "Error [ERR_X]: msg"
	if i := strings.Index(t, " ["); i > 0 && strings.HasSuffix(t, "]") {
		t = t[:i]
	}
	if t == "" || !isIdentPath(t) {
		return "", ""
	}
	if !anyIdent && !looksLikeExceptionName(t) {
		return "", ""
	}
	return t, strings.TrimSpace(m)
}

// cutInlineHash drops the hash logstash-logback-encoder's
// ShortenedThrowableConverter writes before each exception of a trace with
// inlineHash on ("<#af02f11c> j.l.NullPointerException: msg"), so the type
// is read; the hash identifies the trace, which the frames already do.
func cutInlineHash(line string) string {
	rest, ok := strings.CutPrefix(line, "<#")
	if !ok {
		return line
	}
	h, after, ok := strings.Cut(rest, "> ")
	if !ok || h == "" || len(h) > 16 {
		return line
	}
	for i := 0; i < len(h); i++ {
		if !isHex(h[i]) {
			return line
		}
	}
	return after
}

func isIdentPath(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != '$' && c != '`' && c != '+' && c != '\\' && c < 0x80 {
			return false
		}
	}
	return isAlnum(t[0]) || t[0] == '_' || t[0] >= 0x80
}

func looksLikeExceptionName(t string) bool {
	last := t
	if i := strings.LastIndexAny(t, `.\`); i >= 0 {
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
	return strings.Contains(t, ".") && hasUpper(last)
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
func pythonFrame(line string) (Frame, bool) {
	rest := strings.TrimPrefix(line, `File "`)
	file, after, ok := strings.Cut(rest, `"`)
	if !ok {
		return Frame{}, false
	}
	f := Frame{File: file, Lang: Python, Raw: line}
	if l, ok := strings.CutPrefix(after, ", line "); ok {
		num, _, _ := strings.Cut(l, ",")
		f.Line = atoi(num)
	}
	if i := strings.Index(after, ", in "); i >= 0 {
		f.Function = strings.TrimSpace(after[i+5:])
	}
	f.Module = pythonModule(file)
	return f, true
}

// atFrame reads the part after "at " of Java, .NET and Node frames. Text
// that only looks like one ("at the depot") is no frame.
func atFrame(rest string) (Frame, bool) {
	rest = strings.TrimSpace(rest)
	raw := "at " + rest
	// Logback's packaging data: "pkg.C.m(C.java:12) ~[app.jar:1.2]".
	if strings.HasSuffix(rest, "]") {
		if i := strings.LastIndex(rest, ") ~["); i > 0 {
			rest = rest[:i+1]
		} else if i := strings.LastIndex(rest, ") ["); i > 0 {
			rest = rest[:i+1]
		}
	}
	// Node with a function name: "fn (file:line:col)", "async fn (...)".
	if i := strings.LastIndex(rest, " ("); i > 0 && strings.HasSuffix(rest, ")") && !strings.Contains(rest[:i], "(") {
		fn := rest[:i]
		loc := rest[i+2 : len(rest)-1]
		if !isJSLocation(loc) {
			return Frame{}, false
		}
		for {
			t := strings.TrimPrefix(strings.TrimPrefix(fn, "async "), "new ")
			if t == fn {
				break
			}
			fn = t
		}
		if j := strings.Index(fn, " [as "); j > 0 {
			fn = fn[:j]
		}
		if fn = strings.TrimSpace(fn); fn == "" {
			return Frame{}, false
		}
		f := Frame{Function: fn, Lang: Node, Raw: raw}
		f.File, f.Line, f.Col = splitLineCol(loc)
		f.Module = jsModule(f.File)
		return f, true
	}
	// Java: "pkg.Class.method(File.java:42)". The location is in the last
	// parentheses, so that a Go function written this way keeps its
	// receiver: "main.(*server).get(handlers.go:80)".
	if i := strings.LastIndexByte(rest, '('); i > 0 && strings.HasSuffix(rest, ")") && javaLocation(rest[i+1:len(rest)-1]) {
		if f, ok := javaFrame(rest[:i], rest[i+1:len(rest)-1], raw); ok {
			return f, true
		}
	}
	// .NET: "Ns.Type.Method(Int32 id) in /src/f.cs:line 3", "Ns.Type.Method()".
	if i := strings.IndexByte(rest, '('); i > 0 {
		fn := strings.TrimPrefix(rest[:i], "async ")
		if fn == "" || strings.ContainsAny(fn, " \t") || !strings.Contains(rest[i:], ")") {
			return Frame{}, false
		}
		f := Frame{Function: fn, Lang: DotNet, Raw: raw}
		args := rest[i+1:]
		if k := strings.Index(args, ") in "); k >= 0 {
			loc := args[k+5:]
			if c := strings.LastIndex(loc, ":line "); c >= 0 && allDigits(loc[c+6:]) && atoi(loc[c+6:]) > 0 {
				f.File, f.Line = loc[:c], atoi(loc[c+6:])
			} else {
				f.File = loc
			}
			if f.File = strings.TrimSpace(f.File); f.File == "" {
				f.Line = 0
			}
		}
		f.Module = moduleOf(f)
		return f, true
	}
	// Node anonymous: "at /app/src/x.js:1:2", "at file:///app/x.mjs:1:2".
	loc := strings.TrimPrefix(rest, "async ")
	if !isJSLocation(loc) {
		return Frame{}, false
	}
	f := Frame{Lang: Node, Raw: raw}
	f.File, f.Line, f.Col = splitLineCol(loc)
	f.Module = jsModule(f.File)
	return f, true
}

// javaFrame builds a frame written the JVM's way. The file's extension
// decides the dialect: structured stacks of any language are written so
// (see Format), and a Go, Python, Ruby, PHP or JavaScript frame is
// classified and named by its own dialect's rules.
func javaFrame(fn, loc, raw string) (Frame, bool) {
	if strings.ContainsAny(fn, " \t") {
		return Frame{}, false
	}
	f := Frame{File: loc, Lang: Java, Raw: raw}
	if file, line, col := splitLineCol(loc); line > 0 {
		f.File, f.Line, f.Col = file, line, col
	}
	switch l := langOfFile(f.File); l {
	case Go, Python, Ruby, PHP, Node:
		f.Lang = l
	default:
		if j := strings.LastIndexByte(fn, '/'); j >= 0 {
			fn = fn[j+1:] // Java 9 module prefix: java.base/, app//
		}
	}
	if fn == "" {
		return Frame{}, false
	}
	f.Function = fn
	f.Module = moduleOf(f)
	return f, true
}

// javaLocation reports what the JVM prints in a frame's parentheses:
// "File.java:42", "Unknown Source", "Native Method", "<generated>".
func javaLocation(s string) bool {
	switch s {
	case "Unknown Source", "Native Method", "<generated>", "Unknown":
		return true
	}
	if strings.ContainsAny(s, " ,") {
		return false
	}
	file := s
	if c := strings.LastIndexByte(s, ':'); c > 0 && allDigits(s[c+1:]) {
		file = s[:c]
	}
	dot := strings.LastIndexByte(file, '.')
	return dot > 0 && dot < len(file)-1
}

// isJSLocation reports a V8 frame location: file:line:col, <anonymous>,
// native, "index N" (Promise.all).
func isJSLocation(loc string) bool {
	switch {
	case loc == "<anonymous>" || loc == "native" || strings.HasPrefix(loc, "index ") && allDigits(loc[6:]):
		return true
	case strings.ContainsAny(loc, " \t") && !strings.Contains(loc, "/") && !strings.Contains(loc, "\\"):
		return false
	}
	file, l, _ := splitLineCol(loc)
	return l > 0 && file != ""
}

// splitLineCol splits "file:line:col" or "file:line".
func splitLineCol(loc string) (file string, line, col int) {
	file = loc
	var nums []int
	for k := 0; k < 2; k++ {
		i := strings.LastIndexByte(file, ':')
		if i < 0 || !allDigits(file[i+1:]) || len(file)-i > 10 {
			break
		}
		nums = append(nums, atoi(file[i+1:]))
		file = file[:i]
	}
	switch len(nums) {
	case 1:
		line = nums[0]
	case 2:
		line, col = nums[1], nums[0]
	}
	return file, line, col
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// rubyFrame reads "/app/models/order.rb:42:in `reserve'" (also 'Order#reserve'
// of Ruby 3.4, and the "from " prefix of later lines), and returns the text
// after it (the first line's ": message (Type)").
func rubyFrame(line string) (Frame, string, bool) {
	raw := line
	line = strings.TrimPrefix(line, "from ")
	i := strings.Index(line, ":in ")
	if i <= 0 {
		return Frame{}, "", false
	}
	loc := line[:i]
	j := strings.LastIndexByte(loc, ':')
	if j <= 0 || !allDigits(loc[j+1:]) {
		return Frame{}, "", false
	}
	file := loc[:j]
	rest := line[i+4:]
	if rest == "" || (rest[0] != '`' && rest[0] != '\'') {
		return Frame{}, "", false
	}
	end := strings.IndexByte(rest[1:], '\'')
	if end < 0 {
		return Frame{}, "", false
	}
	f := Frame{Function: rest[1 : end+1], File: file, Line: atoi(loc[j+1:]), Lang: Ruby, Raw: raw}
	f.Module = rubyModule(file)
	return f, rest[end+2:], true
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

// phpFrame reads "#0 /app/src/Cart.php(12): App\Cart->total('x')",
// "#1 [internal function]: App\Cart->{closure}()" and "#2 {main}".
func phpFrame(line string) (Frame, bool) {
	j := 1
	for j < len(line) && isDigit(line[j]) {
		j++
	}
	if j == 1 || j >= len(line) || line[j] != ' ' {
		return Frame{}, false
	}
	rest := line[j+1:]
	if rest == "{main}" {
		return Frame{Function: "{main}", Lang: PHP, Raw: line}, true
	}
	loc, call, ok := strings.Cut(rest, ": ")
	if !ok {
		return Frame{}, false
	}
	f := Frame{Lang: PHP, Raw: line}
	switch {
	case loc == "[internal function]":
		f.File = loc
	case strings.HasSuffix(loc, ")"):
		k := strings.LastIndexByte(loc, '(')
		if k <= 0 || !allDigits(loc[k+1:len(loc)-1]) {
			return Frame{}, false
		}
		f.File, f.Line = loc[:k], atoi(loc[k+1:len(loc)-1])
	default:
		return Frame{}, false
	}
	fn := call
	if i := strings.IndexByte(call, '('); i >= 0 {
		fn = call[:i]
	}
	if fn == "" || strings.ContainsAny(fn, " \t") {
		return Frame{}, false
	}
	f.Function = fn
	f.Module = moduleOf(f)
	return f, true
}

// isGoFileLine reports a Go frame's file line: "/app/main.go:42 +0x1d",
// "example.com/shop/main.go:42", "checkout.go:18".
func isGoFileLine(line string) bool {
	file, _ := goFileLine(line)
	return file != ""
}

// goFileLine splits a Go frame's file line into file and line, or "".
func goFileLine(line string) (string, int) {
	if i := strings.Index(line, " +0x"); i > 0 {
		line = line[:i]
	}
	if i := strings.Index(line, " fp="); i > 0 {
		line = line[:i]
	}
	i := strings.LastIndexByte(line, ':')
	if i <= 0 || !allDigits(line[i+1:]) {
		return "", 0
	}
	file := line[:i]
	if !strings.HasSuffix(file, ".go") && !strings.HasSuffix(file, ".s") && !strings.HasSuffix(file, ".c") {
		return "", 0
	}
	return file, atoi(line[i+1:])
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
func goFrame(fnLine, fileLine string) Frame {
	f := Frame{Function: stripGoArgs(fnLine), Lang: Go, Raw: fnLine}
	f.File, f.Line = goFileLine(fileLine)
	f.Module = goPackage(f.Function)
	return f
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
