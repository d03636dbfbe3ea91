package stack

import (
	"strconv"
	"strings"
	"unicode"
)

// Lang is the dialect a frame was written in. It decides how the frame is
// named in a fingerprint, which library rules apply to it and how Format
// writes it back.
type Lang string

// The dialects Parse reads.
const (
	Go     Lang = "go"
	Java   Lang = "java" // also Kotlin, Scala: anything on the JVM
	DotNet Lang = "dotnet"
	Python Lang = "python"
	Node   Lang = "node" // V8: Node.js, Deno, Chrome
	Ruby   Lang = "ruby"
	PHP    Lang = "php"
)

// Trace is one exception (or Go panic) with its frames, and the exception
// that caused it. Parse returns the outermost exception: the one the program
// reported; the root cause is at the end of the Cause chain, whatever order
// the runtime printed the chain in (Python prints the cause first, Java
// last).
type Trace struct {
	Type    string // exception class or error type: "java.lang.IllegalStateException", "panic", "KeyError"
	Message string
	// Frames in the order the runtime printed them: innermost call first
	// for every dialect except Python, which prints the most recent call
	// last.
	Frames []Frame
	// Elided is the count of Java's "... N more": frames the trace shares
	// with the one that encloses it, which were not printed.
	Elided int
	Cause  *Trace
	// Suppressed are Java's suppressed exceptions (try-with-resources). They
	// are kept for display and Format; they take no part in the culprit or
	// the fingerprint.
	Suppressed []*Trace
}

// Frame is one stack frame.
type Frame struct {
	// Function is the function as the runtime names it, qualified but
	// without arguments: "main.(*server).getOrder",
	// "shop.OrderService.placeOrder", "Object.priceCart", "loyalty_discount",
	// "block in total", "App\\Cart->total". Empty for V8's anonymous frames.
	Function string
	// Module is the package, class or module the function belongs to, as
	// the fingerprint names it: Go's package path, the JVM or .NET class,
	// Python's module (file name without directory and .py), the script
	// (path under node_modules, or base name) for Node, the file's base name
	// for Ruby, the class for PHP.
	Module string
	File   string
	Line   int // 0 when unknown
	Col    int // 0 when unknown
	InApp  bool
	Lang   Lang
	// Raw is the text the frame was read from (for Go, the function line
	// only; for Python, the File line), or "" when it was built from fields.
	Raw string
}

// Location is the frame's file shortened to its last two path elements,
// with its line and column: "stacks/crash.js:17:15", "OrderService.java:25".
func (f Frame) Location() string {
	if f.File == "" {
		return ""
	}
	loc := shortPath(f.File)
	if f.Line > 0 {
		loc += ":" + strconv.Itoa(f.Line)
		if f.Col > 0 {
			loc += ":" + strconv.Itoa(f.Col)
		}
	}
	return loc
}

// String names the frame on one line, the way every part of culprit prints
// a culprit frame: the function (a Go function without the directories of
// its package path) and its location in parentheses,
// "checkout.(*Cart).Add (checkout/checkout.go:37)",
// "parseWebhook (stacks/crash.js:17:15)". A frame without a function is its
// location alone.
func (f Frame) String() string {
	fn := f.Function
	if f.Lang == Go {
		if i := strings.LastIndexByte(fn, '/'); i >= 0 && i < strings.IndexByte(fn+"(", '(') {
			fn = fn[i+1:]
		}
	}
	loc := f.Location()
	switch {
	case fn == "":
		return loc
	case loc == "":
		return fn
	}
	return fn + " (" + loc + ")"
}

// shortPath keeps the last two elements of a path.
func shortPath(p string) string {
	p = strings.TrimPrefix(p, "file://")
	i := strings.LastIndexAny(p, `/\`)
	if i <= 0 {
		return p
	}
	if j := strings.LastIndexAny(p[:i], `/\`); j >= 0 {
		return p[j+1:]
	}
	return p
}

// Root returns the root cause: the end of t's Cause chain.
func (t *Trace) Root() *Trace {
	if t == nil {
		return nil
	}
	r := t
	for n := 0; r.Cause != nil && n < maxChain; n++ {
		r = r.Cause
	}
	return r
}

// Chain returns t and its causes, outermost first.
func (t *Trace) Chain() []*Trace {
	var out []*Trace
	for c := t; c != nil && len(out) < maxChain; c = c.Cause {
		out = append(out, c)
	}
	return out
}

// Limits that keep hostile input cheap: Parse reads at most maxLines lines
// and keeps at most maxFrames frames over the whole chain and at most
// maxChain exceptions; what is beyond is shown by Lines as plain text.
const (
	maxLines  = 4000
	maxFrames = 1000
	maxChain  = 64
)

// causeFirst reports a chain that its dialect prints cause first (Python,
// PHP).
func causeFirst(t *Trace) bool {
	for _, c := range t.Chain() {
		switch c.lang() {
		case Python, PHP:
			return true
		case "":
			continue
		}
		return false
	}
	return false
}

// lang returns the dialect of the trace's frames (its first frame's).
func (t *Trace) lang() Lang {
	for _, f := range t.Frames {
		if f.Lang != "" {
			return f.Lang
		}
	}
	return ""
}

// Culprit returns the frame an on-call engineer should read first, or nil:
// the innermost in-app frame of the root cause, read in the order the
// dialect prints frames — the last in-app frame for Python (most recent
// call last), the first for every other dialect. For Go the frames before
// the runtime's panic() frame (the deferred function that recovered and
// called debug.Stack) are skipped. When the root cause has no in-app frame
// (a library exception), the exceptions that wrap it are tried, the nearest
// first. A trace with no in-app frame at all has no culprit.
func (t *Trace) Culprit() *Frame {
	chain := t.Chain()
	for i := len(chain) - 1; i >= 0; i-- {
		if f := culpritOf(chain[i]); f != nil {
			return f
		}
	}
	return nil
}

func culpritOf(t *Trace) *Frame {
	fs := t.Frames
	start := goPanicStart(fs)
	if t.lang() == Python {
		for i := len(fs) - 1; i >= start; i-- {
			if fs[i].InApp {
				return &fs[i]
			}
		}
		return nil
	}
	for i := start; i < len(fs); i++ {
		if fs[i].InApp && !rubyOperatorCall(fs, i) {
			return &fs[i]
		}
	}
	return nil
}

// rubyOperatorCall reports a Ruby frame of a core operator method ("/",
// "[]", "+"), which Ruby prints with the location of the line that called
// it: the next frame, at the same place, names the code that did.
func rubyOperatorCall(fs []Frame, i int) bool {
	f := fs[i]
	if f.Lang != Ruby || i+1 >= len(fs) || strings.IndexFunc(f.Function, unicode.IsLetter) >= 0 {
		return false
	}
	n := fs[i+1]
	return n.File == f.File && n.Line == f.Line
}

// goPanicStart returns the index of the last Go panic() frame, or 0: the
// frames before it belong to the code that recovered from the panic.
func goPanicStart(fs []Frame) int {
	start := 0
	for i, f := range fs {
		if f.Lang == Go && (f.Function == "panic" || f.Function == "runtime.gopanic") {
			start = i
		}
	}
	return start
}

// maxFingerprintFrames bounds the frames that take part in a fingerprint.
const maxFingerprintFrames = 40

// FingerprintFrames returns the frames that identify the error, each
// reduced to function and module names (no line numbers, addresses,
// arguments, deploy directories or compiler numbering of anonymous code;
// see Key): the root cause's in-app frames; else the in-app frames of the
// whole chain (a library exception raised under application code); else
// all the root cause's frames; else all frames. Go frames before panic()
// are left out, and a run of one frame repeated (recursion, whose depth
// varies) counts once. At most 40 frames are returned.
func (t *Trace) FingerprintFrames() []string {
	if t == nil {
		return nil
	}
	printed := t.Chain()
	if causeFirst(t) {
		// The runtime printed the chain cause first.
		for i, j := 0, len(printed)-1; i < j; i, j = i+1, j-1 {
			printed[i], printed[j] = printed[j], printed[i]
		}
	}
	root := t.Root()
	var out []string
	pick := func(tr *Trace, inAppOnly bool) {
		fs := tr.Frames[goPanicStart(tr.Frames):]
		prev := ""
		for _, f := range fs {
			k := f.Key()
			if k == "" || k == prev {
				continue
			}
			prev = k
			if len(out) >= maxFingerprintFrames {
				return
			}
			if !inAppOnly || f.InApp {
				out = append(out, k)
			}
		}
	}
	pick(root, true)
	if len(out) == 0 {
		for _, tr := range printed {
			if tr != root {
				pick(tr, true)
			}
		}
	}
	if len(out) == 0 {
		pick(root, false)
	}
	if len(out) == 0 {
		for _, tr := range printed {
			pick(tr, false)
		}
	}
	return out
}

// Key names the frame in a fingerprint: what identifies the code, without
// what changes between builds, deploys and occurrences. Go, JVM, .NET and
// PHP frames are their function with anonymous-code numbering removed
// (func1, lambda$x$0, <Get>d__4, $$EnhancerBySpringCGLIB$$a1b2); Python
// frames are module.function; Node frames module:function (the module alone
// for an anonymous function); Ruby frames file:method.
func (f Frame) Key() string {
	switch f.Lang {
	case Python:
		return f.Module + "." + normalizeFunc(f.Function)
	case Node:
		if f.Function == "" {
			if f.File == "<anonymous>" || f.File == "native" {
				return ""
			}
			return f.Module
		}
		return f.Module + ":" + normalizeFunc(f.Function)
	case Ruby:
		return f.Module + ":" + rubyBlockLevels(f.Function)
	}
	if f.Function == "" {
		return f.Module
	}
	return normalizeFunc(f.Function)
}

// FromFrames builds a trace from frames that were logged as structured data
// (JSON frame objects, "file:line" strings): each frame's missing Lang is
// guessed from its file's extension, a missing Module is derived as Parse
// would, and InApp is decided by the rules Parse uses. Set Cause on the
// result to chain causes.
func FromFrames(typ, msg string, frames []Frame) *Trace {
	t := &Trace{Type: typ, Message: msg}
	if len(frames) > maxFrames {
		frames = frames[:maxFrames]
	}
	t.Frames = make([]Frame, len(frames))
	for i, f := range frames {
		if f.Lang == "" {
			f.Lang = langOfFile(f.File)
		}
		if f.Module == "" {
			f.Module = moduleOf(f)
		}
		f.InApp = InApp(f)
		t.Frames[i] = f
	}
	return t
}

// langOfFile guesses a frame's dialect by its file extension; JVM-style
// is the default.
func langOfFile(file string) Lang {
	ext := file
	if i := strings.LastIndexByte(file, '.'); i >= 0 {
		ext = file[i:]
	}
	switch ext {
	case ".go":
		return Go
	case ".py":
		return Python
	case ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx":
		return Node
	case ".rb":
		return Ruby
	case ".cs", ".fs", ".vb":
		return DotNet
	case ".php":
		return PHP
	}
	return Java
}

// moduleOf derives a frame's Module from its function and file.
func moduleOf(f Frame) string {
	switch f.Lang {
	case Python:
		return pythonModule(f.File)
	case Node:
		return jsModule(f.File)
	case Ruby:
		return rubyModule(f.File)
	case Go:
		return goPackage(f.Function)
	case PHP:
		if i := strings.LastIndex(f.Function, "->"); i > 0 {
			return f.Function[:i]
		}
		if i := strings.LastIndex(f.Function, "::"); i > 0 {
			return f.Function[:i]
		}
		return ""
	}
	// JVM, .NET: the class, before the method.
	fn := f.Function
	if i := strings.IndexAny(fn, "[<"); i > 0 {
		// generic arguments and compiler names may hold dots of their own
		if j := strings.LastIndexByte(fn[:i], '.'); j > 0 {
			return fn[:j]
		}
	}
	if i := strings.LastIndexByte(fn, '.'); i > 0 {
		return fn[:i]
	}
	return ""
}
