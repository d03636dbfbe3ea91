package query

import (
	"regexp"
	"strings"
)

// lineKind classifies a line of a stack trace for display.
type lineKind int

const (
	lineHeader lineKind = iota // exception type and message, "goroutine 1 [running]:", "Caused by: ..."
	lineApp                    // a frame of the application's own code
	lineLib                    // a frame of the runtime, the standard library or a dependency
)

// libMarkers are substrings of frames that are not the application's code:
// language runtimes and standard libraries, and dependency directories.
var libMarkers = []string{
	// Go
	"/usr/local/go/src/", "/usr/lib/go", "/go/src/runtime/", "/pkg/mod/", "GOROOT/", "/vendor/",
	// Node
	"node_modules", "node:internal", "(internal/", "(node:", "(native)",
	// Python
	"site-packages", "dist-packages", "/lib/python", "<frozen ", "/usr/lib/pypy",
	// Ruby
	"/gems/", "/lib/ruby/", "<internal:",
}

// libPrefixes are prefixes of frames (after "at ") in JVM and .NET traces
// that belong to the platform or to common libraries.
var libPrefixes = []string{
	"java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "akka.",
	"org.springframework.", "org.apache.", "io.netty.", "org.hibernate.", "com.zaxxer.",
	"org.postgresql.", "com.mysql.", "reactor.", "io.micrometer.", "org.eclipse.jetty.",
	"com.fasterxml.", "ch.qos.", "org.slf4j.", "io.grpc.", "okhttp3.", "com.google.",
	"System.", "Microsoft.", "Npgsql.", "Newtonsoft.",
}

// goFuncLine matches the function line of a Go stack frame:
// "main.(*server).profile(0xc000010000, {0x7a3b20, 0xc0000a4000})".
var goFuncLine = regexp.MustCompile(`^(created by )?[\w.\-/]*[\w\])]\.[\w.*()\[\]{}-]+\(.*\)( in goroutine \d+)?$`)

// classifyStack returns the kind of each line of stack.
func classifyStack(lines []string) []lineKind {
	kinds := make([]lineKind, len(lines))
	prev := lineHeader
	goFunc := false // the previous line was a Go function line
	for i, line := range lines {
		t := strings.TrimSpace(line)
		indented := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
		wasGoFunc := goFunc
		goFunc = false
		switch {
		case t == "":
			kinds[i] = lineHeader
		case wasGoFunc && indented && strings.Contains(t, ".go:"):
			// A Go frame's file line belongs with its function line: with
			// -trimpath the standard library's files are "net/http/server.go",
			// which no path marker can tell from the application's.
			kinds[i] = prev
			if isLibText(t) {
				kinds[i] = lineLib
			}
		case !indented && (goFuncLine.MatchString(t) || strings.HasPrefix(t, "created by ")):
			goFunc = true
			kinds[i] = goFuncKind(t)
			// The file line after it knows better (a module path).
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") && isLibText(lines[i+1]) {
				kinds[i] = lineLib
			}
		case strings.HasPrefix(t, "at ") || strings.HasPrefix(t, `File "`) || strings.HasPrefix(t, "from ") ||
			(indented && (strings.Contains(t, ".go:") || strings.Contains(t, ".rb:"))):
			if isLibText(t) {
				kinds[i] = lineLib
			} else {
				kinds[i] = lineApp
			}
		case !indented && strings.HasPrefix(t, "panic(") && strings.HasSuffix(t, ")"):
			goFunc = true
			kinds[i] = lineLib // Go's runtime frame for the panic itself
		case strings.HasPrefix(t, "..."):
			kinds[i] = lineLib // "... 12 more"
		case indented && prev != lineHeader:
			kinds[i] = prev // a Python source line under its frame
		default:
			kinds[i] = lineHeader
		}
		prev = kinds[i]
	}
	return kinds
}

// goFuncKind classifies a Go function line by its package path: the
// standard library's first path element has no dot; main and module paths
// (github.com/...) are the application's unless their file says otherwise.
func goFuncKind(t string) lineKind {
	t = strings.TrimPrefix(t, "created by ")
	end := strings.IndexByte(t, '.')
	if slash := strings.IndexByte(t, '/'); slash >= 0 && slash < strings.IndexByte(t, '(') {
		end = slash
	}
	if end <= 0 {
		return lineApp
	}
	first := t[:end]
	if first == "main" || strings.Contains(first, ".") {
		return lineApp
	}
	return lineLib
}

func isLibText(t string) bool {
	for _, m := range libMarkers {
		if strings.Contains(t, m) {
			return true
		}
	}
	rest := strings.TrimSpace(t)
	rest = strings.TrimPrefix(rest, "at ")
	for _, p := range libPrefixes {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

// culpritFrame returns the first in-app frame of a stack trace, trimmed: the
// place to start reading. In a Go trace taken in a recover, frames before
// the runtime's panic( frame belong to the recovery and are skipped.
func culpritFrame(stack string) string {
	if stack == "" {
		return ""
	}
	lines := strings.Split(strings.ReplaceAll(stack, "\r\n", "\n"), "\n")
	kinds := classifyStack(lines)
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "panic(") && i+1 < len(lines) {
			start = i + 1
		}
	}
	for _, from := range []int{start, 0} {
		for i := from; i < len(lines); i++ {
			if kinds[i] == lineApp {
				return frameName(lines[i])
			}
		}
	}
	return ""
}

var pythonFrame = regexp.MustCompile(`^File "([^"]+)", line (\d+), in (.+)$`)

// frameName shortens a frame line for prose: "at " dropped, a Go frame's
// argument words dropped, a Python frame as "func (file:line)".
func frameName(line string) string {
	t := strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(t, "at "); ok {
		return rest // JVM, .NET, V8: the location in parentheses is worth keeping
	}
	if m := pythonFrame.FindStringSubmatch(t); m != nil {
		return m[3] + " (" + m[1] + ":" + m[2] + ")"
	}
	if goFuncLine.MatchString(t) && strings.HasSuffix(t, ")") {
		// Drop the final, top-level argument list.
		depth := 0
		for i := len(t) - 1; i >= 0; i-- {
			switch t[i] {
			case ')', '}':
				depth++
			case '(', '{':
				depth--
			}
			if depth == 0 {
				if i > 0 && t[i] == '(' {
					return t[:i]
				}
				break
			}
		}
	}
	return t
}
