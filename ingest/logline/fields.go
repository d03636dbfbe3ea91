package logline

import (
	"strings"
)

// Canonical field indexes. The first ones follow index.Fields; the hidden
// ones carry what the parser needs but the Event does not.
const (
	fTime = iota
	fLevel
	fMessage
	fRequestID
	fService
	fHost
	fVersion
	fMethod
	fPath
	fRoute
	fStatus
	fUser
	fDuration
	fErrorType
	fError
	fStack
	numCanonical
)

const (
	fTemplate = numCanonical     // message template (@mt, {OriginalFormat})
	numFields = numCanonical + 1 // canonical fields plus the hidden ones
)

var fieldNames = [numFields]string{
	"time", "level", "message", "request_id", "service", "host", "version",
	"method", "path", "route", "status", "user", "duration", "error_type",
	"error", "stack", "template",
}

func fieldIndex(name string) int {
	for i := 0; i < numCanonical; i++ {
		if fieldNames[i] == name {
			return i
		}
	}
	return -1
}

// hint refines how a value is read, decided by the key it comes from.
type hint uint8

const (
	hNone hint = iota
	hLevelPino
	hLevelOTel
	hLevelSyslog
	hLevelLogback
	hLevelVerbosity // logr/klog V-levels: 0 info, higher is more verbose
	hLevelLogbook   // Python Logbook: 9 trace ... 11 info ... 14 error, 15 critical
	hDurMS          // duration in milliseconds
	hDurS           // duration in seconds
	hDurUS          // duration in microseconds
	hDurNS          // duration in nanoseconds
	hTrace          // request_id candidate that is a trace id (weaker than a request id)
	hWeak           // service candidate that is only a logger name
	hTimeS          // Google timestampSeconds (paired with timestampNanos)
	hTmpl           // message is a template to render ({Prop})
	hObject         // message may be an object (OpenTelemetry body)
	hErrObj         // an error object only ({type, message, stack}), never a string
	hType           // a string only if it reads as an exception type name
	hText           // message candidate that is a formatted text or a positional argument (weaker than a message)
	hArgs           // message from an array of arguments: its first string ({"args": ["checkout failed", {...}]})
	hWord           // level only as a level word, never a number
	hErrText        // error message only on a line that carries an error (eliot's reason)
	hArgErr         // the error object among an array of arguments
	hCrate          // service from a Rust module path (tracing's target): its crate
)

// candidate is one key a field may be found under. Dots in key mean either a
// nested object or a literal dotted key; both are accepted.
type candidate struct {
	key  string
	hint hint
}

// candidates lists, per canonical field, the keys the common loggers use
// (docs/formats.md) in priority order, extended with the usual spellings of
// hand-written JSON logs. Keys are matched
// case-insensitively and ignoring '_' and '-' (see normKey), so request_id
// also covers requestId, RequestID and request-id.
var candidates = [numFields][]candidate{
	fTime: cands("@timestamp timestamp time ts t _time date eventTime datetime asctime @t "+
		"timeUnixNano observedTimeUnixNano timestamp_ns __REALTIME_TIMESTAMP logged_at @time created "+
		"instant startTime timeMillis time_local logtime log_time",
		map[string]hint{"timestampSeconds": hTimeS}, "timestampSeconds"),
	fLevel: append(cands("level log.level severity severityText levelname lvl @l LogLevel loglevel "+
		"log.severity level_name logLevelName @level sev priority_name l status", nil),
		candidate{"levelStr", hNone},
		candidate{"type", hWord}, // consola: "type": "error"
		candidate{"severityNumber", hLevelOTel},
		candidate{"PRIORITY", hLevelSyslog},
		candidate{"syslog.severity", hLevelSyslog},
		candidate{"log.syslog.severity.code", hLevelSyslog},
		candidate{"level_value", hLevelLogback},
		// klog's JSON (Kubernetes' --logging-format=json) gives info lines
		// only their V-level, "v": 0. A bare "v" is too common a key to be
		// a level on its own: it is taken only when the sample's values are
		// V-levels (levelScale), and never read from a source whose sample
		// did not choose it.
		candidate{"v", hLevelVerbosity}),
	fMessage: append(cands("msg message @m @message RenderedMessage event fields.message log MESSAGE "+
		"short_message textPayload jsonPayload.message text m",
		map[string]hint{"msg": hObject, "message": hObject, "text": hText}),
		candidate{"body", hObject},
		candidate{"@mt", hTmpl},
		candidate{"MessageTemplate", hTmpl},
		candidate{"State.{OriginalFormat}", hTmpl},
		candidate{"args", hArgs}, // consola
		candidate{"data", hArgs}, // log4js
		candidate{"arguments", hArgs},
		candidate{"type", hNone}, // Lambda platform events: platform.report
		candidate{"0", hText},    // positional arguments: {"0": "message", "1": {...}}
		candidate{"formatted", hText},
		candidate{"content", hText},      // go-zero's logx
		candidate{"message_type", hText}, // eliot
		candidate{"action_type", hText}),
	fRequestID: append(cands("request_id req_id req.id http.request.id http.request_id request.id "+
		"x_request_id correlation_id function_request_id aws_request_id lambda_request_id "+
		"requestContext.requestId record.requestId request_uuid requestUuid req_uuid x-request-id "+
		"reqId rid correlationId correlation.id", nil),
		candidate{"trace_id", hTrace},
		candidate{"trace.id", hTrace},
		candidate{"dd.trace_id", hTrace},
		candidate{"@tr", hTrace},
		candidate{"logging.googleapis.com/trace", hTrace},
		candidate{"xray_trace_id", hTrace},
		candidate{"transaction.id", hTrace},
		candidate{"traceparent", hTrace}),
	fService: append(cands("service service.name serviceContext.service dd.service app application "+
		"app_name component function_name SYSLOG_IDENTIFIER svc service_name program progname", nil),
		candidate{"target", hCrate},
		candidate{"logger", hWeak},
		candidate{"logger_name", hWeak},
		candidate{"name", hWeak},
		candidate{"channel", hWeak}, // Monolog's and Logbook's logger name
		candidate{"N", hWeak}),
	fHost: cands("host hostname host.name host.hostname _HOSTNAME pod pod_name kubernetes.pod.name "+
		"k8s.pod.name instance machineName server", nil),
	fVersion: cands("version service.version serviceContext.version app_version application_version "+
		"app.version release dd.version build_version", nil),
	fMethod: cands("method http.method http.request.method req.method http_method "+
		"httpRequest.requestMethod request_method request.method verb", nil),
	fPath: cands("path url.path http.target req.url url.original http.url url uri http_path "+
		"httpRequest.requestUrl request_uri RequestPath request.path request.url "+
		"http.url_details.path req.path", nil),
	fRoute: cands("http.route route req.route route_pattern", nil),
	fStatus: cands("status status_code http.status_code http.response.status_code res.statusCode "+
		"httpRequest.status response.status res.status response_status http.status", nil),
	// Not "uid": loggers use it for per-request ids as often as for users.
	fUser: cands("user_id user.id usr.id enduser.id user customer_id account_id user.name usr.email", nil),
	fDuration: append(cands("duration elapsed latency took response_time", nil),
		candidate{"duration_ms", hDurMS},
		candidate{"durationMs", hDurMS},
		candidate{"record.metrics.durationMs", hDurMS},
		candidate{"elapsed_ms", hDurMS},
		candidate{"elapsedMs", hDurMS},
		candidate{"ElapsedMilliseconds", hDurMS},
		candidate{"latency_ms", hDurMS},
		candidate{"took_ms", hDurMS},
		candidate{"responseTime", hDurMS},
		candidate{"response_time_ms", hDurMS},
		candidate{"res.responseTime", hDurMS},
		candidate{"http.duration_ms", hDurMS},
		candidate{"time_ms", hDurMS},
		candidate{"duration_s", hDurS},
		candidate{"duration_sec", hDurS},
		candidate{"duration_seconds", hDurS},
		candidate{"elapsed_seconds", hDurS},
		candidate{"request_time", hDurS},
		candidate{"duration_us", hDurUS},
		candidate{"duration_ns", hDurNS},
		candidate{"event.duration", hDurNS},
		candidate{"httpRequest.latency", hNone}),
	fErrorType: append(cands("error_type error.type error.kind err.type err.name exception.type exception_name message.errorType "+
		"exc_type error.class exception.class exception_class error.name exception.name", nil),
		append(errObjCands(), candidate{"exception", hType}, candidate{"exc", hType})...),
	fError: append(cands("error err error.message exception.message errorMessage err.message exception_message message.errorMessage "+
		"error_message exc_value panic.payload", nil), append(errObjCands(), candidate{"reason", hErrText})...),
	fStack: append(cands("stack stack_trace error.stack error.stack_trace exception.stacktrace err.stack message.stackTrace "+
		"exception exc_info exc_text @x S errorVerbose exception.stack_trace error.stacktrace backtrace stackTrace traceback "+
		"panic.backtrace formatted_exception", nil),
		errObjCands()...),
	fTemplate: {
		{"@mt", hNone}, {"MessageTemplate", hNone}, {"State.{OriginalFormat}", hNone},
		{"{OriginalFormat}", hNone},
	},
}

// errObjCands are the keys an error object is found under (read only when
// the value is an object shaped like an error: see errobj.go).
func errObjCands() []candidate {
	var out []candidate
	for _, k := range strings.Fields("thrown exception err error exc message msg throwable " +
		"context.exception context.err context.error record.exception extra.exception payload.exception " +
		"exception.exception error.error") {
		out = append(out, candidate{k, hErrObj})
	}
	for _, k := range []string{"args", "data", "arguments"} {
		out = append(out, candidate{k, hArgErr})
	}
	return out
}

func cands(keys string, hints map[string]hint, extra ...string) []candidate {
	var out []candidate
	for _, k := range strings.Fields(keys) {
		out = append(out, candidate{k, hints[k]})
	}
	for _, k := range extra {
		out = append(out, candidate{k, hints[k]})
	}
	return out
}

// containers are objects that loggers and shippers put fields into; a
// candidate key found inside one counts, after the candidate found directly.
var containers = []string{
	"attributes.", "resource.attributes.", "resource.", "fields.", "labels.", "context.",
	"properties.", "state.", "scopes.#.", "mdc.", "extra.", "meta.", "metadata.",
	"jsonpayload.", "ctx.", "data.", "tags.", "kubernetes.labels.",
	// Wrapped records: loguru's record.{time,level,message,extra}, log4j2's
	// contextMap, tslog's _meta, logstash's @fields, payloads.
	"record.", "record.extra.", "contextmap.", "threadcontext.", "@fields.", "payload.", "event.", "namedtags.",
}

// containerAllowed reports whether field f may be found inside container
// ctr. A host is only a machine's name in resource or shipper metadata:
// elsewhere (.NET's State.Host) it is the HTTP Host header.
func containerAllowed(f int, ctr string) bool {
	if f == fVersion && (ctr == "record." || ctr == "event.") {
		return false // Lambda's record.version is the function's, ECS's event. holds no app version
	}
	if f != fHost {
		return true
	}
	switch ctr {
	case "resource.", "resource.attributes.", "fields.", "labels.", "kubernetes.labels.":
		return true
	}
	return false
}

// normKey is the comparison form of a key: lower case, without '_' and '-'.
func normKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// keyHint returns the hint a key implies by its name, for keys that are not
// in the candidate lists (detected inside containers or given by --field).
func keyHint(field int, key string) hint {
	last := key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		last = key[i+1:]
	}
	n := normKey(last)
	switch field {
	case fLevel:
		switch n {
		case "severitynumber":
			return hLevelOTel
		case "priority", "severitycode":
			return hLevelSyslog
		case "levelvalue":
			return hLevelLogback
		}
	case fDuration:
		switch {
		case strings.HasSuffix(n, "ms") || strings.HasSuffix(n, "millis") ||
			strings.HasSuffix(n, "milliseconds") || n == "responsetime":
			return hDurMS
		case strings.HasSuffix(n, "ns") || strings.HasSuffix(n, "nanos") || strings.HasSuffix(n, "nanoseconds"):
			return hDurNS
		case strings.HasSuffix(n, "us") || strings.HasSuffix(n, "micros") || strings.HasSuffix(n, "microseconds"):
			return hDurUS
		case strings.HasSuffix(n, "seconds") || strings.HasSuffix(n, "sec") || strings.HasSuffix(n, "secs"):
			return hDurS
		}
		if normKey(key) == "event.duration" {
			return hDurNS
		}
	case fTime:
		if n == "timestampseconds" {
			return hTimeS
		}
	case fMessage:
		switch n {
		case "@mt", "messagetemplate", "{originalformat}":
			return hTmpl
		case "body":
			return hObject
		}
	}
	return hNone
}
