package logline

import (
	"slices"
	"strings"

	"github.com/tidwall/gjson"
)

// The keys a convention is guessed from (time, level, message under one of
// their usual names) are shared by many libraries: level/message/timestamp
// is winston's, but also apex/log's, go-logging's, JBoss's, Ruby logging's
// and a python-json-logger with renamed fields. A library is named only
// when the lines also carry what that library, and few others, write; else
// the convention is "json", and the mapping line shows the keys chosen.

// librarySignature reports whether the lines look written by the library
// guessed from their keys. Names it has no signature for pass.
func librarySignature(name string, sample [][]byte, lines []map[string]flatEntry) bool {
	switch name {
	case "winston":
		// logform's json format: npm level names, lowercase, and keys in
		// sorted order (safe-stable-stringify, deterministic).
		return mostly(lines, levelIn("level", "error", "warn", "info", "http", "verbose", "debug", "silly")) &&
			mostlyRaw(sample, sortedKeys)
	case "logrus":
		// JSONFormatter marshals a map: keys sorted, logrus level names.
		return mostly(lines, levelIn("level", "trace", "debug", "info", "warning", "error", "fatal", "panic")) &&
			mostlyRaw(sample, sortedKeys)
	case "zerolog":
		// The level is the event's first key, lowercase.
		return mostly(lines, levelIn("level", "trace", "debug", "info", "warn", "error", "fatal", "panic")) &&
			mostlyRaw(sample, firstKey("level"))
	case "zap":
		if mostly(lines, func(l map[string]flatEntry) bool { _, ok := l["m"]; return ok }) {
			return true // the development encoder's L/T/M keys are zap's own
		}
		// The production encoder: a lowercase zap level, and the level
		// first or the time as epoch seconds under "ts".
		return mostly(lines, levelIn("level", "debug", "info", "warn", "error", "dpanic", "panic", "fatal")) &&
			(mostlyRaw(sample, firstKey("level")) || mostly(lines, func(l map[string]flatEntry) bool { return l["ts"].val.Type == gjson.Number }))
	case "slog":
		// JSONHandler: time first (when set), then an uppercase level.
		return mostlyRaw(sample, func(keys []string) bool {
			return len(keys) > 1 && (keys[0] == "time" && keys[1] == "level" || keys[0] == "level")
		})
	case "python-json-logger":
		// LogRecord attribute names as Python spells them.
		return mostlyRaw(sample, func(keys []string) bool { return slices.Contains(keys, "levelname") })
	}
	return true
}

// mostly reports whether ok holds for at least half of lines.
func mostly(lines []map[string]flatEntry, ok func(map[string]flatEntry) bool) bool {
	n := 0
	for _, l := range lines {
		if ok(l) {
			n++
		}
	}
	return len(lines) > 0 && 2*n >= len(lines)
}

// levelIn returns a check that key's value is one of names, as written.
func levelIn(key string, names ...string) func(map[string]flatEntry) bool {
	return func(l map[string]flatEntry) bool {
		e, ok := l[key]
		return ok && e.val.Type == gjson.String && slices.Contains(names, e.val.Str)
	}
}

// mostlyRaw reports whether ok holds for the top-level keys, in their
// order, of at least half of the sample's JSON objects.
func mostlyRaw(sample [][]byte, ok func(keys []string) bool) bool {
	n, objs := 0, 0
	for _, line := range sample {
		keys, isObj := topKeys(line)
		if !isObj {
			continue
		}
		objs++
		if ok(keys) {
			n++
		}
	}
	return objs > 0 && 2*n >= objs
}

// topKeys returns the keys of the line's JSON object (inside a container
// runtime's envelope, if any), in order.
func topKeys(line []byte) ([]string, bool) {
	b := trimLine(line)
	if env, ok := unwrap(b); ok {
		b = trimLine(env.content)
	}
	if len(b) == 0 || b[0] != '{' || !gjson.ValidBytes(b) {
		return nil, false
	}
	var keys []string
	gjson.ParseBytes(b).ForEach(func(k, _ gjson.Result) bool {
		keys = append(keys, k.Str)
		return true
	})
	return keys, true
}

func sortedKeys(keys []string) bool {
	return len(keys) > 1 && slices.IsSortedFunc(keys, strings.Compare)
}

func firstKey(k string) func([]string) bool {
	return func(keys []string) bool { return len(keys) > 0 && keys[0] == k }
}
