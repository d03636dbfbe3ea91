package ingest

import (
	"path/filepath"
	"regexp"
	"strings"
)

// logExts are the extensions stripped from a file name to get a service
// name, repeatedly: "orders.log.gz" -> "orders".
var logExts = map[string]bool{
	".gz": true, ".gzip": true, ".log": true, ".logs": true, ".json": true,
	".jsonl": true, ".ndjson": true, ".txt": true, ".out": true, ".err": true,
	".stdout": true, ".stderr": true,
}

var (
	// rotation suffixes: ".1", ".2" (logrotate).
	rotSuffix = regexp.MustCompile(`\.\d+$`)
	// date or time stamps at the end of a stem: "-2026-11-25", "_20261125",
	// ".2026-11-25T10", "-2026-11-25-10-00-00", "-1732550400".
	dateSuffix = regexp.MustCompile(`[-_.]?(\d{4}-?\d{2}-?\d{2}([-_T]?\d{2}([-:]?\d{2}([-:]?\d{2})?)?)?|\d{10,13})$`)
)

// serviceName derives a default service from a file name: the name without
// its directory, its log/compression extensions, a rotation number and a
// trailing date. "logs/orders.log.gz" -> "orders", "api-2026-11-25.jsonl"
// -> "api", "app.log.1" -> "app". When nothing is left (a file named by its
// date only) the parent directory's name is used: "orders/2026-11-25.log" ->
// "orders". Streams are "stdin".
func serviceName(name string) string {
	if name == "-" || name == "" {
		return "stdin"
	}
	if s := stem(filepath.Base(name)); s != "" {
		return s
	}
	dir := filepath.Base(filepath.Dir(name))
	if dir == "." || dir == string(filepath.Separator) || dir == "" {
		return strings.TrimLeft(filepath.Base(name), ".")
	}
	if s := stem(dir); s != "" {
		return s
	}
	return dir
}

func stem(s string) string {
	for {
		ext := strings.ToLower(filepath.Ext(s))
		switch {
		case logExts[ext]:
			s = s[:len(s)-len(ext)]
		case ext != "" && rotSuffix.MatchString(s) && len(s) > len(ext):
			s = s[:len(s)-len(ext)]
		default:
			s = dateSuffix.ReplaceAllString(s, "")
			return strings.Trim(s, "-_. ")
		}
	}
}
