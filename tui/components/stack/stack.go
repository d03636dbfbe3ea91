// Package stack splits a stack trace into lines and tells the application's
// own frames from library and runtime frames, so that the TUI can highlight
// the first and dim the second. It understands Go panics and
// runtime/debug.Stack output, Python tracebacks, Java/JVM traces and
// Node.js/V8 traces; anything else is kept as plain lines.
//
// It imports only the standard library.
package stack

import (
	"regexp"
	"strings"
)

// Kind of a stack trace line.
type Kind int

const (
	// Header is a line that is not a frame: the panic message, "goroutine
	// 1 [running]:", "Traceback (most recent call last):", "Caused by: ...".
	Header Kind = iota
	// App is a frame (or a frame's file/code line) of the application.
	App
	// Lib is a frame of the runtime, the standard library or a dependency.
	Lib
)

// Line is one line of a stack trace.
type Line struct {
	Text string
	Kind Kind
	// Frame: the line starts a frame (a Go function, a Python `File "…"`,
	// a JVM/V8 "at …", a Ruby "from …"); the lines after it that belong
	// to it (file, source, ^^^ markers) do not.
	Frame bool
}

// Classify splits s into lines (tabs kept) and classifies each one. A
// continuation line (Go's "\t/path/file.go:12 +0x1d", Python's source line
// and its ^^^ markers) takes the kind of the frame it belongs to.
func Classify(s string) []Line {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	raw := strings.Split(s, "\n")
	out := make([]Line, len(raw))
	prev := Header // kind of the last frame line, for continuations
	for i, l := range raw {
		t := strings.TrimSpace(l)
		k := Header
		frame := true
		switch {
		case t == "":
			k, frame = Header, false
		case isGoFileLine(l, t):
			frame = false
			// The file line decides too: a dependency in the module
			// cache is a library even if its name looks like ours.
			k = prev
			if libPath(t) {
				k = Lib
				if i > 0 && out[i-1].Kind == App {
					out[i-1].Kind = Lib
				}
			}
		case strings.HasPrefix(t, "File \""):
			k = pythonFrame(t)
			prev = k
		case strings.HasPrefix(t, "at "):
			k = atFrame(strings.TrimPrefix(t, "at "))
			prev = k
		case strings.HasPrefix(t, "from ") && startsIndented(l):
			k = rubyFrame(strings.TrimPrefix(t, "from "))
			prev = k
		case strings.HasPrefix(t, "..."):
			k, frame = Lib, false // "... 12 more", "...additional frames elided..."
		case isGoFuncLine(l, t, raw, i):
			k = goFrame(t)
			prev = k
		case prev != Header && startsIndented(l) && i > 0 && pythonFrameAbove(raw, i):
			k, frame = prev, false // Python source line (and its markers) under its frame
		default:
			prev, frame = Header, false
		}
		out[i] = Line{Text: l, Kind: k, Frame: frame}
	}
	return out
}

func startsIndented(l string) bool {
	return strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")
}

// pythonFrameAbove reports whether line i continues a Python frame: the
// lines between it and the nearest `File "` line above are all indented.
func pythonFrameAbove(raw []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		t := strings.TrimSpace(raw[j])
		if strings.HasPrefix(t, "File \"") {
			return true
		}
		if !startsIndented(raw[j]) {
			return false
		}
	}
	return false
}

// isGoFileLine: "\t/src/orders/handler.go:42 +0x1d".
func isGoFileLine(l, t string) bool {
	if !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, "    ") {
		return false
	}
	f := t
	if i := strings.LastIndex(f, " +0x"); i > 0 {
		f = f[:i]
	}
	c := strings.LastIndexByte(f, ':')
	if c < 0 || !strings.HasSuffix(f[:c], ".go") {
		return false
	}
	for _, r := range f[c+1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return c+1 < len(f)
}

// isGoFuncLine: "main.(*Handler).getOrder(0xc000010000, {0x1, 0x2})" or
// "created by net/http.(*Server).Serve in goroutine 1", followed by a
// file line.
func isGoFuncLine(l, t string, raw []string, i int) bool {
	if startsIndented(l) || i+1 >= len(raw) {
		return false
	}
	next := raw[i+1]
	return isGoFileLine(next, strings.TrimSpace(next)) && (strings.Contains(t, "(") || strings.HasPrefix(t, "created by "))
}

// goFrame classifies a Go function line by its package path.
func goFrame(t string) Kind {
	t = strings.TrimPrefix(t, "created by ")
	if i := strings.IndexByte(t, '('); i > 0 && !strings.HasSuffix(t[:i], ".") {
		t = t[:i] // drop the arguments, keep "(*T)" receivers
	}
	// The package path ends at the first dot after the last slash.
	slash := strings.LastIndexByte(t, '/')
	dot := strings.IndexByte(t[slash+1:], '.')
	pkg := t
	if dot >= 0 {
		pkg = t[:slash+1+dot]
	}
	if pkg == "main" {
		return App
	}
	first, _, _ := strings.Cut(pkg, "/")
	if !strings.Contains(first, ".") {
		if goStd[first] {
			return Lib
		}
		return App // a module path without a dot: a local module
	}
	for _, p := range goLibPrefixes {
		if strings.HasPrefix(pkg, p) {
			return Lib
		}
	}
	return App
}

// libPath reports a file path outside the application: the Go module cache,
// a vendor directory, GOROOT.
func libPath(t string) bool {
	for _, s := range []string{"/pkg/mod/", "/vendor/", "/usr/local/go/src/", "/usr/lib/go", "/go/src/runtime/", "/libexec/src/", "/toolchain@"} {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// pythonFrame: File "/usr/lib/python3/dist-packages/x.py", line 3, in f.
func pythonFrame(t string) Kind {
	path := strings.TrimPrefix(t, "File \"")
	if i := strings.IndexByte(path, '"'); i >= 0 {
		path = path[:i]
	}
	switch {
	case strings.Contains(path, "site-packages"), strings.Contains(path, "dist-packages"),
		strings.HasPrefix(path, "<frozen"), strings.Contains(path, "/lib/python"), strings.Contains(path, "\\lib\\"):
		return Lib
	}
	return App
}

// atFrame classifies a JVM ("com.acme.Orders.get(Orders.java:42)") or V8
// ("getOrder (/app/src/orders.js:12:5)", "node:internal/...") frame.
func atFrame(t string) Kind {
	for _, s := range []string{"node_modules", "node:", "(internal/", "<anonymous>", "(native)"} {
		if strings.Contains(t, s) {
			return Lib
		}
	}
	for _, p := range jvmLibPrefixes {
		if strings.HasPrefix(t, p) {
			return Lib
		}
	}
	return App
}

// rubyFrame: "/usr/lib/ruby/3.2.0/set.rb:12:in `each'", "app.rb:3:in `x'".
func rubyFrame(t string) Kind {
	for _, s := range []string{"/gems/", "/lib/ruby/", "<internal:", "/rubygems/"} {
		if strings.Contains(t, s) {
			return Lib
		}
	}
	return App
}

var goStd = map[string]bool{
	"archive": true, "bufio": true, "bytes": true, "cmp": true, "compress": true, "container": true,
	"context": true, "crypto": true, "database": true, "debug": true, "embed": true, "encoding": true,
	"errors": true, "expvar": true, "flag": true, "fmt": true, "go": true, "hash": true, "html": true,
	"image": true, "internal": true, "io": true, "iter": true, "log": true, "maps": true, "math": true,
	"mime": true, "net": true, "os": true, "path": true, "plugin": true, "reflect": true, "regexp": true,
	"runtime": true, "slices": true, "sort": true, "strconv": true, "strings": true, "structs": true,
	"sync": true, "syscall": true, "testing": true, "text": true, "time": true, "unicode": true,
	"unique": true, "unsafe": true, "weak": true, "vendor": true,
}

var goLibPrefixes = []string{
	"golang.org/x/", "google.golang.org/", "gopkg.in/", "go.uber.org/", "go.opentelemetry.io/",
	"github.com/gin-gonic/", "github.com/go-chi/", "github.com/gorilla/", "github.com/labstack/",
	"github.com/gofiber/", "github.com/valyala/", "github.com/jackc/", "github.com/lib/pq",
	"github.com/go-sql-driver/", "github.com/redis/", "github.com/go-redis/", "github.com/rs/zerolog",
	"github.com/sirupsen/", "github.com/grpc-ecosystem/", "github.com/aws/", "github.com/julienschmidt/",
	"github.com/urfave/", "github.com/spf13/", "gorm.io/", "entgo.io/",
}

var jvmLibPrefixes = []string{
	"java.", "javax.", "jakarta.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.",
	"org.springframework.", "org.apache.", "org.hibernate.", "org.eclipse.", "io.netty.",
	"com.fasterxml.", "reactor.", "io.micrometer.", "okhttp3.", "com.zaxxer.", "org.postgresql.",
	// .NET
	"System.", "Microsoft.", "lambda_method", "Npgsql.", "Newtonsoft.",
}

// Culprit returns the frame most likely at fault, on one line (the
// function and, when it has one, its file): for a Go panic the first
// in-app frame below the call to panic (the frames above it are the
// recovery); for a Python traceback the last in-app frame (most recent
// call last); otherwise the first in-app frame.
func Culprit(ls []Line) (string, bool) {
	python, goPanic := false, false
	for _, l := range ls {
		t := strings.TrimSpace(l.Text)
		python = python || strings.HasPrefix(t, "Traceback (most recent call last)") || strings.HasPrefix(t, "File \"")
		goPanic = goPanic || strings.HasPrefix(t, "panic(")
	}
	frame := func(i int) string {
		t := shortPaths(strings.TrimSpace(ls[i].Text))
		if m := pyFrame.FindStringSubmatch(t); m != nil {
			t = m[3] + "  " + m[1] + ":" + m[2] // File "p", line 3, in f -> f  p:3
		}
		if i+1 < len(ls) && !ls[i+1].Frame && ls[i+1].Kind == ls[i].Kind && strings.TrimSpace(ls[i+1].Text) != "" {
			t += "  " + shortPaths(strings.TrimSpace(ls[i+1].Text))
		}
		return t
	}
	if python {
		// Chained exceptions print the original first: its last in-app
		// frame is where the failure started.
		end := len(ls)
		for i, l := range ls {
			t := strings.TrimSpace(l.Text)
			if strings.HasPrefix(t, "The above exception was") || strings.HasPrefix(t, "During handling of the above exception") {
				end = i
				break
			}
		}
		for i := end - 1; i >= 0; i-- {
			if ls[i].Kind == App && strings.HasPrefix(strings.TrimSpace(ls[i].Text), "File \"") {
				return frame(i), true
			}
		}
		return "", false
	}
	afterPanic := !goPanic
	for i, l := range ls {
		t := strings.TrimSpace(l.Text)
		if strings.HasPrefix(t, "panic(") {
			afterPanic = true
			continue
		}
		if afterPanic && l.Kind == App && l.Frame {
			return frame(i), true
		}
	}
	return "", false
}

var sourceFile = regexp.MustCompile(`\.(go|py|js|mjs|cjs|ts|java|kt|scala|rb|cs|php|rs|ex|exs)(:\d+)*,?$`)

var pyFrame = regexp.MustCompile(`^File "([^"]*)", line (\d+), in (.*)$`)

// shortPaths cuts every source file path in s to its last two elements:
// "/work/app/orders/pricing.go:57" becomes "orders/pricing.go:57".
func shortPaths(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '(' || r == ')' || r == '"' || r == '\t' })
	for _, tok := range f {
		if strings.Count(tok, "/") < 2 || !sourceFile.MatchString(tok) {
			continue
		}
		parts := strings.Split(tok, "/")
		s = strings.Replace(s, tok, strings.Join(parts[len(parts)-2:], "/"), 1)
	}
	return s
}
