package logline

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/culprit-dev/culprit/index"
)

// Trace context is found by one self-contained pass over a parsed line
// (findTrace), separate from the field detection of Detect: the trace
// conventions are few and fixed, their values have recognisable shapes, and
// a line carries them next to (not instead of) a request id.
//
// Keys are compared normalised (lowercase, without '_', '-', '.', ' ' and
// '@'), both as the leaf key and as the dotted path from the top of the
// object, so trace_id, traceId, trace.id, {"trace":{"id":…}}, otelTraceID,
// dd.trace_id, X-B3-TraceId and a key inside an MDC map ({"mdc":{"traceId":
// …}}, log4j2's contextMap, Python's extra, …) are all found.

// TraceFields are the canonical trace field names (also in index.Fields):
// a --field override may name them.
var TraceFields = []string{"trace_id", "span_id", "parent_span_id"}

// traceKeys maps a normalised key or path to the trace field it holds.
var traceKeys = map[string]int{
	"traceid": tTrace, "oteltraceid": tTrace, "ddtraceid": tTrace, "xb3traceid": tTrace, "b3traceid": tTrace,
	"xraytraceid": tTrace, "awstraceid": tTrace, "tracecontexttraceid": tTrace, "spancontexttraceid": tTrace,
	"spanid": tSpan, "otelspanid": tSpan, "ddspanid": tSpan, "xb3spanid": tSpan, "b3spanid": tSpan,
	"parentspanid": tParent, "parentid": tParent, "xb3parentspanid": tParent, "b3parentspanid": tParent,
	"otelparentspanid": tParent, "ddparentid": tParent, "parentspan": tParent,
	"traceparent":  tHeaderW3C,
	"b3":           tHeaderB3,
	"xamzntraceid": tHeaderXRay, "amzntraceid": tHeaderXRay, "xraytraceheader": tHeaderXRay,
}

const (
	tTrace = iota + 1
	tSpan
	tParent
	tHeaderW3C
	tHeaderB3
	tHeaderXRay
	tGoogle // logging.googleapis.com/trace: projects/P/traces/ID
)

// traceContainers are the objects whose keys are read as top-level keys:
// MDC and context maps, headers, attributes.
const maxTraceDepth = 4

// traceFound collects what a line says, by strength: explicit keys beat
// ids taken from header-shaped values.
type traceFound struct {
	trace, span, parent    string
	hTrace, hSpan, hParent string // from header-shaped values
}

// findTrace fills ev's TraceID, SpanID and ParentSpanID from the line: the
// JSON object when x is not nil (x.line), else the text of a plain line.
// Paths set by --field override the search for their field.
func (m *Mapping) findTrace(ev *index.Event, x *extras) {
	var tf traceFound
	if x != nil {
		if !mayHoldTrace(x.line) && !m.hasTraceOverride() {
			return
		}
		var buf [128]byte
		walkTrace(gjson.Parse(x.line), buf[:0], 0, &tf)
		for i, name := range TraceFields {
			p := m.Paths[name]
			if p == "" {
				continue
			}
			if v := gjson.Get(x.line, p); v.Exists() {
				var one traceFound
				readTraceValue(tTrace+i, v.String(), &one)
				switch i {
				case 0:
					tf.trace = one.trace
				case 1:
					tf.span = one.span
				case 2:
					tf.parent = one.parent
				}
			}
		}
	} else {
		if !mayHoldTrace(ev.Message) {
			return
		}
		textTrace(ev.Message, &tf)
	}
	ev.TraceID = firstOf(tf.trace, tf.hTrace)
	ev.SpanID = firstOf(tf.span, tf.hSpan)
	ev.ParentSpanID = tf.parent
	if ev.ParentSpanID == "" && tf.hSpan != "" && tf.hSpan != ev.SpanID {
		// The line has its own span id and logs a header with another:
		// the header is the one it received, so its span is the parent.
		ev.ParentSpanID = tf.hSpan
	}
	if ev.ParentSpanID == "" {
		ev.ParentSpanID = tf.hParent
	}
	if ev.ParentSpanID == ev.SpanID {
		ev.ParentSpanID = ""
	}
}

func (m *Mapping) hasTraceOverride() bool {
	for _, f := range TraceFields {
		if m.Paths[f] != "" {
			return true
		}
	}
	return false
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// mayHoldTrace is a cheap test that skips the search on lines that cannot
// hold trace context: no "race" (trace, Trace, TRACE), no "pan" (span), no
// "parent", no b3 and no traceparent-shaped value.
func mayHoldTrace(s string) bool {
	return strings.Contains(s, "race") || strings.Contains(s, "RACE") || strings.Contains(s, "pan") ||
		strings.Contains(s, "PAN") || strings.Contains(s, "arent") || strings.Contains(s, "b3") ||
		strings.Contains(s, "B3") || strings.Contains(s, "00-")
}

// walkTrace visits the members of an object up to maxTraceDepth, matching
// each key as a leaf and as a path from the top. path holds the normalised
// keys above obj; map lookups on string(bytes) do not allocate.
func walkTrace(obj gjson.Result, path []byte, depth int, tf *traceFound) {
	obj.ForEach(func(k, v gjson.Result) bool {
		full := appendTraceNorm(path, k.Str)
		key := full[len(path):]
		if v.IsObject() {
			if depth+1 < maxTraceDepth {
				walkTrace(v, full, depth+1, tf)
			}
			return true
		}
		if v.Type != gjson.String && v.Type != gjson.Number {
			return true
		}
		if len(v.Raw) > 260 {
			return true
		}
		kind, ok := traceKeys[string(full)]
		if !ok {
			kind, ok = traceKeys[string(key)]
		}
		if i := bytes.LastIndexByte(key, '/'); !ok && i >= 0 {
			// Google Cloud: logging.googleapis.com/trace and /spanId.
			switch string(key[i+1:]) {
			case "trace":
				kind, ok = tGoogle, true
			case "spanid":
				kind, ok = tSpan, true
			}
		}
		if !ok {
			if v.Type != gjson.String || len(v.Str) != 55 || !isTraceparent(v.Str) {
				return true
			}
			kind = tHeaderW3C
		}
		if s := v.String(); s != "" {
			readTraceValue(kind, s, tf)
		}
		return true
	})
}

// appendTraceNorm appends k normalised: lowercase, separators dropped.
func appendTraceNorm(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ' || c == '@':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// traceNorm normalises a key: lowercase, separators dropped.
func traceNorm(k string) string { return string(appendTraceNorm(nil, k)) }

// readTraceValue reads one value of the given kind into tf; the first value
// found for a field wins.
func readTraceValue(kind int, s string, tf *traceFound) {
	set := func(dst *string, v string) {
		if *dst == "" && v != "" {
			*dst = v
		}
	}
	s = strings.TrimSpace(s)
	switch kind {
	case tTrace:
		if isTraceparent(s) {
			set(&tf.trace, canonicalID(s[3:35]))
			set(&tf.hSpan, canonicalID(s[36:52]))
			return
		}
		if strings.HasPrefix(s, "Root=") || strings.HasPrefix(s, "1-") {
			xrayHeader(s, tf, true)
			return
		}
		set(&tf.trace, canonicalID(googleTrace(s)))
	case tSpan:
		set(&tf.span, canonicalID(s))
	case tParent:
		set(&tf.parent, canonicalID(s))
	case tGoogle:
		set(&tf.trace, canonicalID(googleTrace(s)))
	case tHeaderW3C:
		if isTraceparent(s) {
			set(&tf.hTrace, canonicalID(s[3:35]))
			set(&tf.hSpan, canonicalID(s[36:52]))
		}
	case tHeaderB3:
		// b3: {TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}; a lone
		// sampling state ("0", "1", "d") carries no ids.
		parts := strings.Split(s, "-")
		if len(parts) < 2 || !isTraceHex(parts[0]) || !isTraceHex(parts[1]) {
			return
		}
		set(&tf.hTrace, canonicalID(parts[0]))
		set(&tf.hSpan, canonicalID(parts[1]))
		if len(parts) == 4 {
			set(&tf.hParent, canonicalID(parts[3]))
		}
	case tHeaderXRay:
		xrayHeader(s, tf, false)
	}
}

// xrayHeader reads an AWS X-Ray header (Root=1-5759e988-bd862e3fe1be46a994272793;
// Parent=53995c3f42cd8ad8;Sampled=1) or a bare X-Ray trace id. The trace
// id is kept as the 32 hex digits the W3C form of it uses (the OpenTelemetry
// X-Ray propagator's mapping), so it joins a service that logs it that way.
func xrayHeader(s string, tf *traceFound, explicit bool) {
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			k, v = "Root", k
		}
		switch strings.ToLower(k) {
		case "root":
			id := xrayID(v)
			if id == "" {
				continue
			}
			if explicit && tf.trace == "" {
				tf.trace = id
			} else if tf.hTrace == "" {
				tf.hTrace = id
			}
		case "parent":
			if tf.hParent == "" {
				tf.hParent = canonicalID(v)
			}
		}
	}
}

// xrayID turns 1-5759e988-bd862e3fe1be46a994272793 into 32 hex digits.
func xrayID(v string) string {
	parts := strings.Split(strings.TrimSpace(v), "-")
	if len(parts) != 3 || parts[0] != "1" || len(parts[1]) != 8 || len(parts[2]) != 24 || !isTraceHex(parts[1]) || !isTraceHex(parts[2]) {
		return ""
	}
	return canonicalID(parts[1] + parts[2])
}

// googleTrace strips Google Cloud's projects/P/traces/ prefix.
func googleTrace(s string) string {
	if i := strings.LastIndex(s, "/traces/"); i >= 0 {
		return s[i+len("/traces/"):]
	}
	return s
}

// isTraceparent reports a W3C traceparent: 00-<32 hex>-<16 hex>-<2 hex>.
func isTraceparent(s string) bool {
	return len(s) == 55 && s[2] == '-' && s[35] == '-' && s[52] == '-' &&
		isTraceHex(s[:2]) && isTraceHex(s[3:35]) && isTraceHex(s[36:52]) && isTraceHex(s[53:])
}

func isTraceHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// canonicalID is the form ids are stored and compared in: hex lowercased,
// a decimal 64-bit id (Datadog's dd.trace_id) as 16 hex digits, anything
// else as written; "" for an all-zero id (none) or one shorter than 8
// characters.
func canonicalID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 8 || len(s) > 128 || strings.Trim(s, "0-") == "" {
		return "" // too short for an id (a parent_id of 42 is a row), or all zeros
	}
	if isDecimal(s) && len(s) <= 20 {
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			h := strconv.FormatUint(n, 16)
			return strings.Repeat("0", 16-len(h)) + h
		}
	}
	if isTraceHex(strings.ReplaceAll(s, "-", "")) {
		return strings.ToLower(s)
	}
	return s
}

func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// textTraceRE finds trace context in a plain-text or logfmt line:
// trace_id=…, traceId: …, [traceId=… spanId=…] (Spring Boot's MDC pattern
// writes "[app,traceId,spanId]", which has no keys and is not read), and
// traceparent-shaped values.
var (
	textTraceRE   = regexp.MustCompile(`(?i)\b(trace[_.-]?id|span[_.-]?id|parent[_.-]?(?:span[_.-]?)?id|traceparent|x-b3-traceid|x-b3-spanid|x-b3-parentspanid|x-amzn-trace-id)["']?\s*[=:]\s*["']?([A-Za-z0-9=;./-]{1,200})`)
	traceparentRE = regexp.MustCompile(`\b00-[0-9a-fA-F]{32}-[0-9a-fA-F]{16}-[0-9a-fA-F]{2}\b`)
)

func textTrace(s string, tf *traceFound) {
	for _, m := range textTraceRE.FindAllStringSubmatch(s, 8) {
		kind := traceKeys[traceNorm(m[1])]
		readTraceValue(kind, strings.TrimRight(m[2], ".;,"), tf)
	}
	if tf.trace == "" && tf.hTrace == "" {
		if p := traceparentRE.FindString(s); p != "" {
			readTraceValue(tHeaderW3C, p, tf)
		}
	}
}
