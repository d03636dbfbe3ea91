package stack

import (
	"strings"

	"github.com/culprit-dev/culprit/ingest/param"
)

// The one list of what is not the application's code. A frame is library
// code when its file contains one of its dialect's libraryPaths or starts
// with one of its libraryFiles, when its JVM/.NET class starts with one of
// libraryNamespaces, or when its Go package is the standard library or
// starts with one of goLibraryPackages. Everything else is in-app. A frame
// of no known dialect is checked against every dialect's paths.
var (
	// libraryPaths are directories of runtimes and installed dependencies.
	libraryPaths = map[Lang][]string{
		// module cache, vendored modules, GOROOT, toolchains
		Go: {"/pkg/mod/", "/vendor/", "/usr/local/go/src/", "/usr/lib/go", "/go/src/runtime/", "/libexec/src/",
			"/toolchain@", "GOROOT/"},
		Node:   {"node_modules/", "node_modules\\"},
		Python: {"site-packages", "dist-packages", "/lib/python", "\\Lib\\", "\\lib\\python", "/usr/lib/pypy"},
		Ruby:   {"/gems/", "/lib/ruby/", "/rubygems/"},
		PHP:    {"/vendor/"},
	}
	// libraryFiles are prefixes of runtime-internal pseudo files.
	libraryFiles = map[Lang][]string{
		Node:   {"node:", "internal/", "<anonymous>", "native", "index "},
		Python: {"<frozen ", "<frozen>"},
		Ruby:   {"<internal:"},
		PHP:    {"[internal function]"},
	}
	// libraryNamespaces are JVM and .NET namespaces of runtimes and common
	// libraries.
	libraryNamespaces = []string{
		"java.", "javax.", "jakarta.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "akka.",
		"groovy.", "org.springframework.", "org.apache.", "io.netty.", "com.fasterxml.", "org.hibernate.",
		"ch.qos.", "org.slf4j.", "reactor.", "io.micrometer.", "okhttp3.", "com.google.", "org.eclipse.",
		"org.junit.", "org.postgresql.", "com.mysql.", "com.zaxxer.", "io.grpc.", "org.glassfish.",
		"io.undertow.", "org.jboss.", "feign.", "retrofit2.", "io.vertx.",
		// .NET
		"System.", "Microsoft.", "Newtonsoft.", "Npgsql.", "Grpc.", "Polly.", "MediatR.", "Dapper.",
		"StackExchange.", "Serilog.", "NLog.", "MySqlConnector.", "Castle.", "Autofac.",
		"lambda_method", // compiled expression trees (ASP.NET action invokers)
	}
	// goLibraryPackages are prefixes of common Go dependencies, for
	// binaries built with -trimpath, whose files carry no module cache path.
	goLibraryPackages = []string{
		"golang.org/x/", "google.golang.org/", "gopkg.in/", "go.uber.org/", "go.opentelemetry.io/",
		"github.com/gin-gonic/", "github.com/go-chi/", "github.com/gorilla/", "github.com/labstack/",
		"github.com/gofiber/", "github.com/valyala/", "github.com/jackc/", "github.com/lib/pq",
		"github.com/go-sql-driver/", "github.com/redis/", "github.com/go-redis/", "github.com/rs/zerolog",
		"github.com/sirupsen/", "github.com/grpc-ecosystem/", "github.com/aws/", "github.com/julienschmidt/",
		"github.com/urfave/", "github.com/spf13/", "gorm.io/", "entgo.io/",
	}
	// goStd are the first elements of the standard library's package paths.
	goStd = map[string]bool{
		"archive": true, "bufio": true, "bytes": true, "cmp": true, "compress": true, "container": true,
		"context": true, "crypto": true, "database": true, "debug": true, "embed": true, "encoding": true,
		"errors": true, "expvar": true, "flag": true, "fmt": true, "go": true, "hash": true, "html": true,
		"image": true, "internal": true, "io": true, "iter": true, "log": true, "maps": true, "math": true,
		"mime": true, "net": true, "os": true, "path": true, "plugin": true, "reflect": true, "regexp": true,
		"runtime": true, "slices": true, "sort": true, "strconv": true, "strings": true, "structs": true,
		"sync": true, "syscall": true, "testing": true, "text": true, "time": true, "unicode": true,
		"unique": true, "unsafe": true, "weak": true, "vendor": true, "panic": true,
	}
	// goRuntimeFiles are the runtime's files, for Go frames that carry no
	// package (zerolog's pkgerrors frames).
	goRuntimeFiles = map[string]bool{
		"proc.go": true, "panic.go": true, "asm_amd64.s": true, "asm_arm64.s": true, "asm_386.s": true,
		"asm_arm.s": true, "signal_unix.go": true, "extern.go": true, "traceback.go": true,
		"server.go": true, "stack.go": true,
	}
)

// InApp reports whether a frame is the application's own code, by the
// rules above. It is how Parse and FromFrames set Frame.InApp.
func InApp(f Frame) bool {
	file := f.File
	langs := []Lang{f.Lang}
	if f.Lang == "" {
		langs = []Lang{Go, Node, Python, Ruby, PHP}
	}
	for _, l := range langs {
		for _, p := range libraryPaths[l] {
			if strings.Contains(file, p) {
				return false
			}
		}
		for _, p := range libraryFiles[l] {
			if strings.HasPrefix(file, p) {
				return false
			}
		}
	}
	switch f.Lang {
	case Go:
		return goInApp(f.Function, file)
	case PHP:
		return file != "" // {main}
	case Node:
		return file != ""
	case Python, Ruby:
		return true
	}
	fn := f.Function
	if f.Module != "" && !strings.HasPrefix(fn, f.Module) {
		fn = f.Module + "." + fn
	}
	for _, p := range libraryNamespaces {
		if strings.HasPrefix(fn, p) {
			return false
		}
	}
	return true
}

// goInApp: not in the module cache or GOROOT (checked by the caller), and
// a package of main, of a module or of a local module path, not of the
// standard library or a well-known dependency.
func goInApp(fn, file string) bool {
	if strings.Contains(file, "@v") {
		return false // a module path with its version
	}
	pkg := goPackage(fn)
	if pkg == "" {
		// No package in the name (zerolog frames): judge by the file.
		return !goRuntimeFiles[file[strings.LastIndexAny(file, `/\`)+1:]]
	}
	if pkg == "main" {
		return true
	}
	first, _, _ := strings.Cut(pkg, "/")
	if !strings.Contains(first, ".") {
		return !goStd[first] // a module path without a dot is a local module
	}
	for _, p := range goLibraryPackages {
		if strings.HasPrefix(pkg, p) {
			return false
		}
	}
	return true
}

// goPackage returns the package path of a Go function name:
// "example.com/shop/cart.(*Cart).Add" -> "example.com/shop/cart".
func goPackage(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	dot := strings.IndexByte(fn[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return fn[:slash+1+dot]
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

// jsModule names a JavaScript file by its path under node_modules, else its
// base name, with content hashes in bundle names replaced.
func jsModule(file string) string {
	file = strings.TrimPrefix(file, "file://")
	if i := strings.LastIndex(file, "node_modules/"); i >= 0 {
		file = file[i+len("node_modules/"):]
	} else if i := strings.LastIndexByte(file, '/'); i >= 0 {
		file = file[i+1:]
	}
	return param.Pieces(file)
}

// rubyModule is a Ruby file's base name without .rb.
func rubyModule(file string) string {
	base := file[strings.LastIndexByte(file, '/')+1:]
	return strings.TrimSuffix(base, ".rb")
}

// rubyBlockLevels reduces "block (2 levels) in foo" to "block in foo": the
// nesting depth moves with edits.
func rubyBlockLevels(fn string) string {
	if k := strings.Index(fn, " ("); k >= 0 {
		if l := strings.Index(fn[k:], ") "); l >= 0 {
			return fn[:k] + fn[k+l+1:]
		}
	}
	return fn
}

// normalizeFunc removes the numbering compilers give anonymous functions and
// generated types, which shifts between releases: Go's func1/func2.3,
// gowrap1; Java's lambda$reserve$0, Foo$1, $Proxy12, GeneratedMethodAccessor7,
// CGLIB$$a1b2; .NET's <Reserve>d__5, <>c__DisplayClass4_0, b__3_0; Python's
// and Ruby's names pass through.
func normalizeFunc(fn string) string {
	if strings.IndexFunc(fn, func(r rune) bool { return '0' <= r && r <= '9' }) < 0 {
		return fn // nothing numbered (the "$$" hashes hold digits too)
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
		if isDigit(c) && i > 0 && anonDigitsContext(fn[:i]) {
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
func anonDigitsContext(prefix string) bool {
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
	for n < len(s) && n < 4 && isHex(s[n]) {
		n++
	}
	return n >= 4
}

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
