package logline

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/culprit-dev/culprit/index"
	"github.com/tidwall/gjson"
)

// Limits that keep detection cheap on pathological lines.
const (
	flattenDepth   = 5   // levels of nesting looked into
	flattenEntries = 512 // keys recorded per line
	flattenArray   = 8   // array elements looked into (.NET Scopes)
)

// ncand is a candidate in comparison form, with its priority.
type ncand struct {
	norm string
	key  string // as the user would write it (for container variants: with the container)
	hint hint
	rank int
}

// expanded holds, per field, the candidates followed by their variants inside
// the common containers, in priority order. It is built on first use, so that commands that parse no line pay nothing
// at start-up.
var expanded = sync.OnceValue(func() *[numFields][]ncand {
	var out [numFields][]ncand
	for f := range numFields {
		for _, c := range candidates[f] {
			out[f] = append(out[f], ncand{norm: normKey(c.key), key: c.key, hint: c.hint})
		}
		for _, ctr := range containers {
			if !containerAllowed(f, ctr) {
				continue
			}
			for _, c := range candidates[f] {
				out[f] = append(out[f], ncand{norm: ctr + normKey(c.key), key: ctr + c.key, hint: c.hint})
			}
		}
		for i := range out[f] {
			out[f][i].rank = i
		}
	}
	return &out
})

// flatEntry is one key of a flattened sample line.
type flatEntry struct {
	path string // gjson path, literal dots escaped
	val  gjson.Result
}

// flatten records every key of obj (nested objects and the objects of arrays
// included) under its comparison form: nested "req"→"id" and a literal
// "req.id" key both become "req.id".
func flatten(out map[string]flatEntry, normPrefix, pathPrefix string, obj gjson.Result, depth int) {
	obj.ForEach(func(k, v gjson.Result) bool {
		if len(out) >= flattenEntries {
			return false
		}
		norm := normPrefix + normKey(k.Str)
		path := pathPrefix + gjson.Escape(k.Str)
		if _, dup := out[norm]; !dup {
			out[norm] = flatEntry{path, v}
		}
		if depth >= flattenDepth {
			return true
		}
		switch {
		case v.IsObject():
			flatten(out, norm+".", path+".", v, depth+1)
		case v.IsArray():
			n := 0
			v.ForEach(func(_, e gjson.Result) bool {
				switch {
				case isOTLPKeyValue(e):
					// OTLP attributes: [{"key":"http.route","value":{"stringValue":"/x"}}]
					k := e.Get("key").Str
					var typ string
					var val gjson.Result
					e.Get("value").ForEach(func(t, tv gjson.Result) bool {
						typ, val = t.Str, tv
						return false
					})
					knorm := norm + "." + normKey(k)
					if _, dup := out[knorm]; !dup && typ != "" && len(out) < flattenEntries {
						out[knorm] = flatEntry{path + `.#(key==` + strconv.Quote(k) + `).value.` + gjson.Escape(typ), val}
					}
				case e.IsObject():
					flatten(out, norm+".#.", path+".#.", e, depth+1)
				}
				n++
				return n < flattenArray*8
			})
		}
		return true
	})
}

// isOTLPKeyValue reports an OTLP attribute: {"key": "...", "value": {"<type>Value": ...}}.
func isOTLPKeyValue(e gjson.Result) bool {
	if !e.IsObject() {
		return false
	}
	return e.Get("key").Type == gjson.String && e.Get("value").IsObject()
}

// Detect chooses a source's Mapping from its first lines (up to ~100 are
// enough). For each canonical field it takes the first candidate key of
// the priority lists in fields.go (nested or literal-dotted, in any letter case,
// also inside common containers such as attributes or fields) whose values
// are usable in at least half as many sample lines as the most frequent
// candidate; a request id is preferred over a trace id and a service over a
// logger name whenever both occur. overrides (canonical field -> gjson path,
// from --field) take precedence and are not second-guessed. A sample without
// any JSON object gives Convention "text". Detect fails only for an unknown
// canonical field or an empty path in overrides.
func Detect(sample [][]byte, overrides map[string]string) (*Mapping, error) {
	m := &Mapping{Paths: make(map[string]string)}
	for field, path := range overrides {
		if fieldIndex(field) < 0 && !slices.Contains(TraceFields, field) {
			return nil, fmt.Errorf("unknown field %q in override (allowed: %s)", field, strings.Join(index.Fields, ", "))
		}
		if strings.TrimSpace(path) == "" {
			return nil, fmt.Errorf("empty path for field %q in override", field)
		}
		m.Paths[field] = path
		m.Overridden = append(m.Overridden, field)
	}
	slices.Sort(m.Overridden)

	var lines []map[string]flatEntry
	for _, line := range sample {
		if flat, ok := flatLine(line); ok {
			lines = append(lines, flat)
		}
	}
	if len(lines) == 0 {
		m.Convention = "text"
		m.compile()
		return m, nil
	}
	tallies := tallySample(lines)
	for f := range numFields {
		if f < numCanonical {
			if _, ok := m.Paths[fieldNames[f]]; ok {
				continue
			}
		}
		if path, ok := chooseField(f, tallies[f]); ok {
			if f == fTemplate {
				m.Template = path
			} else {
				m.Paths[fieldNames[f]] = path
			}
		}
	}
	byShape(lines, m)
	m.LevelScale = levelScale(lines, m.Paths["level"])
	if lp, ok := m.Paths["level"]; ok && m.LevelScale != LevelScaleVerbosity &&
		!slices.Contains(m.Overridden, "level") && pathHint(fLevel, lp) == hLevelVerbosity {
		delete(m.Paths, "level") // a "v" that holds no V-levels: a version, not a level
	}
	m.Convention = guessConvention(lines, m)
	if !librarySignature(m.Convention, sample, lines) {
		m.Convention = "json" // the keys are that library's, the lines are not
	}
	m.compile()
	return m, nil
}

// levelScale reads the numeric levels the sample holds at path: when there
// are a few, all between 0 and 10, and at least four in five are 0, they
// are V-levels (go-logr/funcr, klog: 0 is info, higher is more verbose),
// not syslog severities, since no source logs mostly emergencies. When
// they all lie in 9-15 and most are 11, they are Logbook's (11 info, 14
// error): a source logs mostly at info, and OpenTelemetry's info is 9.
func levelScale(lines []map[string]flatEntry, path string) string {
	if path == "" {
		return ""
	}
	var count [16]int // per value 0-15
	numeric := 0
	for _, flat := range lines {
		for _, e := range flat {
			if e.path != path || e.val.Type != gjson.Number {
				continue
			}
			n, ok := levelNumber(e.val.Raw)
			if !ok || n < 0 || n > 15 {
				return ""
			}
			numeric++
			count[n]++
		}
	}
	if numeric < 3 {
		return ""
	}
	small := 0
	for _, c := range count[:11] {
		small += c
	}
	switch {
	case small == numeric && 5*count[0] >= 4*numeric:
		return LevelScaleVerbosity
	case count[11] > numeric/2 && count[11]+count[12]+count[13]+count[14]+count[15]+count[9]+count[10] == numeric:
		// Logbook: INFO is 11. OpenTelemetry's severity numbers, which
		// magnitude would otherwise suggest, put INFO at 9.
		return LevelScaleLogbook
	}
	return ""
}

// shapeNames are fragments of key names that suggest a field, for keys no
// candidate list has (startTime, logLevelName, task_uuid, ...): a key whose
// comparison form contains one (or, for short ones, ends with it) is a
// candidate when its values read as the field.
var shapeNames = [numCanonical][]string{
	fTime:      {"timestamp", "time", "date", "instant", "ts"},
	fLevel:     {"level", "severity", "lvl", "sev"},
	fMessage:   {"message", "msg", "text"},
	fRequestID: {"requestid", "reqid", "requestuuid", "correlationid", "correlation", "traceid", "txid", "transactionid"},
	fService:   {"service", "appname", "application"},
	fHost:      {"hostname", "host", "podname"},
	fMethod:    {"method", "verb"},
	fPath:      {"path", "url", "uri"},
	fRoute:     {"route", "pattern"},
	fStatus:    {"statuscode", "status"},
	fUser:      {"userid", "username", "user"},
	fErrorType: {"errortype", "exceptiontype", "errorclass", "exceptionclass"},
	fError:     {"errormessage", "error", "err"},
	fStack:     {"stacktrace", "stack", "backtrace", "traceback"},
}

// misnamed reports a key whose name says it holds something about the
// thing rather than the thing itself (a version, a count, a duration...).
func misnamed(last string) bool {
	for _, w := range []string{"version", "count", "duration", "size", "type", "length", "latency", "elapsed", "total"} {
		if strings.Contains(last, w) {
			return true
		}
	}
	return false
}

// byShape fills the fields no known key gave, from keys whose name holds a
// fragment of shapeNames and whose values read as the field in the most
// sample lines (the shallowest key on a tie). A time is also taken from any
// key whose string values are ISO times in at least half the lines. Time,
// level and message must be found in half the lines, request fields in a
// fifth, error fields in any. Keys
// already mapped to another field are not reused.
func byShape(lines []map[string]flatEntry, m *Mapping) {
	var want []int
	for f := range numCanonical {
		if _, ok := m.Paths[fieldNames[f]]; !ok {
			want = append(want, f)
		}
	}
	if len(want) == 0 {
		return
	}
	used := make(map[string]bool, len(m.Paths))
	for _, p := range m.Paths {
		used[p] = true
	}
	half := (len(lines) + 1) / 2
	var counts [numCanonical]map[string]int
	for _, flat := range lines {
		for norm, e := range flat {
			if used[e.path] || strings.Contains(e.path, "#") {
				continue
			}
			last := norm
			if i := strings.LastIndexByte(norm, '.'); i >= 0 {
				last = norm[i+1:]
			}
			last = strings.TrimLeft(last, "@$")
			for _, f := range want {
				named := false
				for _, frag := range shapeNames[f] {
					if len(frag) <= 4 && (last == frag || strings.HasSuffix(last, frag)) ||
						len(frag) > 4 && strings.Contains(last, frag) {
						named = true
						break
					}
				}
				timeShape := f == fTime && !named && e.val.Type == gjson.String && len(e.val.Str) >= 19 &&
					isDigit(e.val.Str[0]) && !isEpochString(e.val.Str)
				if !named && !timeShape {
					continue
				}
				if f != fStatus && f != fTime && f != fLevel && f != fMessage && f != fErrorType && misnamed(last) ||
					f == fHost && strings.Contains(e.path, ".") {
					// service_version is no service, user_count no user; a
					// nested host is the HTTP Host header, not a machine.
					continue
				}
				if usable(f, keyHint(f, e.path), e.val) {
					if counts[f] == nil {
						counts[f] = map[string]int{}
					}
					counts[f][e.path]++
				}
			}
		}
	}
	for _, f := range want {
		best, bestN := "", 0
		for p, n := range counts[f] {
			if used[p] {
				continue
			}
			if n > bestN || n == bestN && (strings.Count(p, ".") < strings.Count(best, ".") ||
				strings.Count(p, ".") == strings.Count(best, ".") && p < best) {
				best, bestN = p, n
			}
		}
		switch {
		case best == "":
			continue
		case f <= fMessage && bestN < half:
			continue // time, level and message are on (nearly) every line
		case f < fErrorType && bestN < max(1, len(lines)/5):
			continue // request fields: on a good share of the lines; errors may be rare
		}
		m.Paths[fieldNames[f]] = best
		used[best] = true
	}
}

// candRef locates a candidate: field and index in expanded[field].
type candRef struct{ f, i int }

// candIndex maps a candidate's comparison form to the candidates having it,
// so that detection looks up each key of a line once.
var candIndex = sync.OnceValue(func() map[string][]candRef {
	out := make(map[string][]candRef)
	for f := range numFields {
		for i, c := range expanded()[f] {
			out[c.norm] = append(out[c.norm], candRef{f, i})
		}
	}
	return out
})

// tally counts, for one candidate, the sample lines where it is usable and
// the gjson paths it was found under.
type tally struct {
	count   int
	numeric int // lines where the value is a number
	paths   map[string]int
}

// tallySample counts every candidate of every field over the sample.
func tallySample(lines []map[string]flatEntry) [numFields][]tally {
	var out [numFields][]tally
	for f := range numFields {
		out[f] = make([]tally, len(expanded()[f]))
	}
	for _, flat := range lines {
		for norm, e := range flat {
			refs := candIndex()[norm]
			if refs == nil && len(norm) > 1 && norm[0] == '@' {
				// "@level", "@message": a logger's prefix on a usual name
				// (not "@version": logstash's format version).
				refs = candIndex()[norm[1:]]
			}
			for _, ref := range refs {
				if ref.f == fVersion && norm[0] == '@' {
					continue
				}
				c := expanded()[ref.f][ref.i]
				if !usable(ref.f, c.hint, e.val) {
					continue
				}
				t := &out[ref.f][ref.i]
				t.count++
				if e.val.Type == gjson.Number {
					t.numeric++
				}
				if t.paths == nil {
					t.paths = make(map[string]int, 1)
				}
				t.paths[e.path]++
			}
		}
	}
	return out
}

// chooseField picks the gjson path of field f from its tallies.
func chooseField(f int, tallies []tally) (string, bool) {
	cs := expanded()[f]
	// Classes in order of preference: a request id before a trace id, a
	// service before a logger name. Within a class, the first candidate
	// present in at least half as many lines as the most frequent one.
	if f == fLevel {
		// A level word beats a bare number of unknown scheme (consola's
		// "level": 3 beside "type": "error"): numbers mean different
		// levels to different loggers, words do not.
		words := make([]tally, len(tallies))
		any := false
		for i, c := range cs {
			if t := tallies[i]; (c.hint == hNone && 2*t.numeric > t.count) || c.hint == hLevelVerbosity {
				continue
			}
			words[i] = tallies[i]
			any = any || tallies[i].count > 0
		}
		if any {
			tallies = words
		}
	}
	for _, weak := range []bool{false, true} {
		most := 0
		for i, c := range cs {
			if isWeak(f, c.hint) == weak && tallies[i].count > most {
				most = tallies[i].count
			}
		}
		if most == 0 {
			continue
		}
		for i, c := range cs {
			t := tallies[i]
			if isWeak(f, c.hint) != weak || 2*t.count < most {
				continue
			}
			best, bestN := "", -1
			for p, n := range t.paths {
				if n > bestN || (n == bestN && p < best) {
					best, bestN = p, n
				}
			}
			if strings.Contains(best, ".#.") && !strings.Contains(best, "#(") {
				best += "|0" // Scopes.#.RequestId gives an array: take the first
			}
			return best, true
		}
	}
	return "", false
}

func isWeak(f int, h hint) bool {
	return (f == fRequestID && h == hTrace) || (f == fService && h == hWeak) || (f == fMessage && h == hText)
}

// usable reports whether v can be read as field f.
func usable(f int, h hint, v gjson.Result) bool {
	var ev index.Event
	var x extras
	return convert(f, h, v, &ev, &x)
}

// ParseOverride splits a --field argument "request_id=ctx.rid" into the
// canonical field name and the gjson path, checking the field name.
func ParseOverride(s string) (field, path string, err error) {
	field, path, ok := strings.Cut(s, "=")
	field, path = strings.TrimSpace(field), strings.TrimSpace(path)
	if !ok || field == "" {
		return "", "", fmt.Errorf("field override %q: want FIELD=PATH, FIELD one of %s", s, strings.Join(index.Fields, ", "))
	}
	if fieldIndex(field) < 0 && !slices.Contains(TraceFields, field) {
		return "", "", fmt.Errorf("field override %q: unknown field %q (allowed: %s)", s, field, strings.Join(index.Fields, ", "))
	}
	if path == "" {
		return "", "", fmt.Errorf("field override %q: empty path", s)
	}
	return field, path, nil
}

// Fields returns, for every field the mapping found or was told, the key or
// path it is read from as a user would write it: keys joined by dots,
// without gjson's escapes ("log.level" for the literal key, "req.id" for the
// nested one, "@t"). Overridden fields show the path given.
func (m *Mapping) Fields() map[string]string {
	out := make(map[string]string, len(m.Paths))
	for k, v := range m.Paths {
		if slices.Contains(m.Overridden, k) {
			out[k] = v
		} else {
			out[k] = unescapePath(v)
		}
	}
	return out
}

// guessConvention names the logger that most likely wrote the sample, from
// the keys present in most lines and the paths chosen.
func guessConvention(lines []map[string]flatEntry, m *Mapping) string {
	common := make(map[string]int) // by comparison form
	raw := make(map[string]int)    // by gjson path, exact spelling
	for _, flat := range lines {
		for k, e := range flat {
			common[k]++
			raw[e.path]++
		}
	}
	half := (len(lines) + 1) / 2
	has := func(keys ...string) bool {
		for _, k := range keys {
			if common[k] < half {
				return false
			}
		}
		return true
	}
	hasAny := func(keys ...string) bool {
		for _, k := range keys {
			if common[k] > 0 {
				return true
			}
		}
		return false
	}
	hasRaw := func(keys ...string) bool {
		for _, k := range keys {
			if raw[k] < half {
				return false
			}
		}
		return true
	}
	first := func(key string) gjson.Result {
		for _, flat := range lines {
			if e, ok := flat[key]; ok {
				return e.val
			}
		}
		return gjson.Result{}
	}
	switch {
	case has("@t") && hasAny("@mt", "@m"):
		return "clef"
	case has("timeunixnano") || has("observedtimeunixnano") || (has("severitynumber") && hasAny("body")) || has("severitytext", "body"):
		return "otel"
	case has("loglevel") && hasAny("category", "eventid", "state"):
		return "dotnet"
	case hasAny("function_request_id", "functionrequestid", "xraytraceid", "coldstart") && has("timestamp", "level"):
		return "powertools"
	case has("@timestamp", "levelvalue") || has("@timestamp", "loggername", "threadname"):
		return "logstash"
	case has("@timestamp", "log.level") || has("ecs.version"):
		return "ecs"
	case has("severity") && (hasAny("logging.googleapis.com/trace", "httprequest", "servicecontext", "timestampseconds", "logging.googleapis.com/sourcelocation") || has("timestamp", "message")):
		return "gcp"
	case hasRaw("requestId", "timestamp", "level", "message") && isUpper(first("level").Str):
		return "lambda"
	case has("realtimetimestamp") || has("priority", "message"):
		return "journald"
	case hasAny("dd.trace_id", "dd.traceid", "usr.id") || (has("status", "message") && !hasAny("level", "severity")) || has("date", "status", "message"):
		return "datadog"
	case has("event") && hasAny("level", "loglevel") && !hasAny("msg", "message"):
		return "structlog"
	case has("levelname") && hasAny("asctime", "name", "message"):
		return "python-json-logger"
	case has("l", "t", "m"):
		return "zap"
	case has("level", "time", "msg") && first("level").Type == gjson.Number:
		if first("time").Type == gjson.String || has("v") {
			return "bunyan"
		}
		return "pino"
	case has("level", "ts", "msg"):
		return "zap"
	case has("level", "msg") && has("time"):
		if has("source") || isUpper(first("level").Str) {
			return "slog"
		}
		return "logrus"
	case has("level", "message") && has("time"):
		return "zerolog"
	case has("level", "message", "timestamp"):
		return "winston"
	}
	return "json"
}

func isUpper(s string) bool {
	return s != "" && strings.ToUpper(s) == s
}

func trimLine(b []byte) []byte {
	// A UTF-8 byte order mark and surrounding white space are not content.
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	// Nor is the record separator of a JSON text sequence (RFC 7464: jq
	// --seq, Twisted's jsonFileLogObserver) before each record.
	if len(b) > 0 && b[0] == 0x1e {
		b = b[1:]
	}
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 {
		c := b[len(b)-1]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

// flatLine flattens the JSON object of one sample line (inside a
// container runtime's envelope, if any); ok is false for a line that is no
// JSON object.
func flatLine(line []byte) (flat map[string]flatEntry, ok bool) {
	b := trimLine(line)
	if env, ok := unwrap(b); ok {
		b = trimLine(env.content)
	}
	if len(b) == 0 || b[0] != '{' || !gjson.ValidBytes(b) {
		return nil, false
	}
	flat = make(map[string]flatEntry, 32)
	flatten(flat, "", "", gjson.ParseBytes(b), 1)
	return flat, true
}

// TimeKeys returns up to three keys of the sample lines, as a user writes
// them for --field, whose values read as a time (strings, time objects, or
// epoch numbers under a key named like a time), most frequent first: what
// to suggest when lines have no time the mapping finds.
func TimeKeys(sample [][]byte) []string {
	counts := map[string]int{}
	for _, line := range sample {
		flat, ok := flatLine(line)
		if !ok {
			continue
		}
		for norm, e := range flat {
			if strings.Contains(e.path, "#") {
				continue
			}
			last := norm[strings.LastIndexByte(norm, '.')+1:]
			named := strings.Contains(last, "time") || strings.Contains(last, "date") || last == "ts" || last == "t"
			if e.val.Type == gjson.Number && !named || e.val.Type != gjson.String && e.val.Type != gjson.Number && !e.val.IsObject() {
				continue
			}
			if e.val.Type == gjson.String && !named && (len(e.val.Str) < 10 || isEpochString(e.val.Str)) {
				continue
			}
			if _, ok := ParseTime(e.val); ok {
				counts[unescapePath(e.path)]++
			}
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	if len(keys) > 3 {
		keys = keys[:3]
	}
	return keys
}
