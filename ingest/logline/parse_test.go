package logline

import (
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
	"github.com/tidwall/gjson"
)

// want lists the Event fields a case checks; zero values are not checked
// unless named in zero.
type want struct {
	time       string // RFC 3339
	level      string
	message    string
	requestID  string
	service    string
	host       string
	version    string
	method     string
	path       string
	route      string
	status     int
	user       string
	durationMS float64
	errorType  string
	err        string
	stackHas   string
	isError    bool
	text       bool
}

func checkEvent(t *testing.T, line string, got index.Event, w want) {
	t.Helper()
	errorf := func(field string, g, w any) {
		t.Helper()
		t.Errorf("Parse(%.120q): %s = %q, want %q", line, field, g, w)
	}
	if w.time != "" {
		wt, err := time.Parse(time.RFC3339Nano, w.time)
		if err != nil {
			t.Fatalf("bad want time %q", w.time)
		}
		if !got.Time.Equal(wt) {
			errorf("time", got.Time.Format(time.RFC3339Nano), w.time)
		}
	}
	str := []struct{ name, got, want string }{
		{"level", got.Level, w.level}, {"message", got.Message, w.message},
		{"request_id", got.RequestID, w.requestID}, {"service", got.Service, w.service},
		{"host", got.Host, w.host}, {"version", got.Version, w.version},
		{"method", got.Method, w.method}, {"path", got.Path, w.path}, {"route", got.Route, w.route},
		{"user", got.User, w.user}, {"error_type", got.ErrorType, w.errorType}, {"error", got.Error, w.err},
	}
	for _, s := range str {
		if s.want != "" && s.got != s.want {
			errorf(s.name, s.got, s.want)
		}
	}
	if w.status != 0 && got.Status != w.status {
		errorf("status", got.Status, w.status)
	}
	if w.durationMS != 0 && (got.DurationMS < w.durationMS*0.999 || got.DurationMS > w.durationMS*1.001) {
		errorf("duration_ms", got.DurationMS, w.durationMS)
	}
	if w.stackHas != "" && !strings.Contains(got.Stack, w.stackHas) {
		errorf("stack", got.Stack, "…"+w.stackHas+"…")
	}
	if got.IsError != w.isError {
		errorf("is_error", got.IsError, w.isError)
	}
	if got.IsError != (got.Fingerprint != "") {
		errorf("fingerprint", got.Fingerprint, "set exactly when is_error")
	}
	if got.Text != w.text {
		errorf("text", got.Text, w.text)
	}
}

// TestDetect runs detection on small samples in the shape each logger writes
// (those without a corpus under testdata/formats) and parses one line.
func TestDetect(t *testing.T) {
	cases := []struct {
		name       string
		sample     []string
		convention string
		paths      map[string]string
		line       string // parsed and checked against w; defaults to the last sample line
		w          want
	}{
		{
			name: "otel flat",
			sample: []string{
				`{"timeUnixNano":"1795531200123456789","observedTimeUnixNano":"1795531200123500000","severityNumber":9,"severityText":"INFO","body":"request handled","traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","attributes":{"http.request.method":"GET","url.path":"/api/orders/1042","http.route":"/api/orders/{id}","http.response.status_code":200,"enduser.id":"u-1017"},"resource":{"service.name":"orders","service.version":"1.4.0","host.name":"vm-1"}}`,
				`{"timeUnixNano":"1795531200223456789","severityNumber":17,"severityText":"ERROR","body":{"stringValue":"checkout failed"},"traceId":"0af7651916cd43dd8448eb211c80319c","attributes":{"http.request.method":"POST","url.path":"/api/checkout","http.route":"/api/checkout","http.response.status_code":500,"exception.type":"TypeError","exception.message":"boom","exception.stacktrace":"TypeError: boom\n    at priceCart (/app/shop.js:17:21)"},"resource":{"service.name":"orders","service.version":"1.4.0","host.name":"vm-1"}}`,
			},
			convention: "otel",
			paths:      map[string]string{"time": "timeUnixNano", "level": "severityText", "message": "body", "request_id": "traceId", "route": `attributes.http\.route`, "service": `resource.service\.name`},
			w: want{time: "2026-11-24T14:40:00.223456789Z", level: "error", message: "checkout failed",
				requestID: "0af7651916cd43dd8448eb211c80319c", service: "orders", version: "1.4.0", host: "vm-1",
				method: "POST", path: "/api/checkout", route: "POST /api/checkout", status: 500,
				errorType: "TypeError", err: "boom", stackHas: "priceCart", isError: true},
		},
		{
			name: "otel otlp attributes",
			sample: []string{
				`{"timeUnixNano":"1795531200123456789","severityNumber":17,"body":{"stringValue":"db timeout"},"traceId":"5b8efff798038103d269b633813fc60c","attributes":[{"key":"http.route","value":{"stringValue":"/api/orders/{id}"}},{"key":"http.request.method","value":{"stringValue":"GET"}},{"key":"http.response.status_code","value":{"intValue":"503"}}]}`,
			},
			convention: "otel",
			w: want{time: "2026-11-24T14:40:00.123456789Z", level: "error", message: "db timeout",
				requestID: "5b8efff798038103d269b633813fc60c", method: "GET", route: "GET /api/orders/{id}", status: 503, isError: true},
		},
		{
			name: "aws lambda",
			sample: []string{
				`{"timestamp":"2026-11-24T14:55:01.100Z","level":"INFO","requestId":"79b4f56e-95b1-4643-9700-2807f4e68189","message":"start"}`,
				`{"timestamp":"2026-11-24T14:55:01.123Z","level":"ERROR","requestId":"79b4f56e-95b1-4643-9700-2807f4e68189","message":"checkout failed","errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'price')","stackTrace":["TypeError: Cannot read properties of undefined (reading 'price')","    at priceCart (/var/task/shop.js:17:21)","    at Runtime.handler (/var/task/index.js:10:5)"]}`,
			},
			convention: "lambda",
			paths:      map[string]string{"request_id": "requestId"},
			w: want{time: "2026-11-24T14:55:01.123Z", level: "error", message: "checkout failed",
				requestID: "79b4f56e-95b1-4643-9700-2807f4e68189", errorType: "TypeError",
				err: "Cannot read properties of undefined (reading 'price')", stackHas: "\n    at priceCart", isError: true},
		},
		{
			name: "lambda powertools",
			sample: []string{
				`{"level":"INFO","location":"handler:12","message":"start","timestamp":"2026-11-24 14:55:01,100+0000","service":"orders","cold_start":true,"function_name":"orders-fn","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e812345678","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793"}`,
				`{"level":"ERROR","location":"handler:42","message":"checkout failed","timestamp":"2026-11-24 14:55:01,123+0100","service":"orders","cold_start":false,"function_name":"orders-fn","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e812345678","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793","exception":"Traceback (most recent call last):\n  File \"/var/task/app.py\", line 10, in handler\n    raise ValueError(\"boom\")\nValueError: boom","exception_name":"ValueError"}`,
			},
			convention: "powertools",
			paths:      map[string]string{"request_id": "function_request_id", "service": "service", "stack": "exception"},
			w: want{time: "2026-11-24T13:55:01.123Z", level: "error", message: "checkout failed", service: "orders",
				requestID: "c6af9ac6-7b61-11e6-9a41-93e812345678", errorType: "ValueError", err: "boom",
				stackHas: "Traceback", isError: true},
		},
		{
			name: "serilog clef",
			sample: []string{
				`{"@t":"2026-11-24T14:55:01.1234567Z","@mt":"Handled {RequestPath} in {Elapsed:0.000} ms","RequestPath":"/api/orders","Elapsed":12.3,"RequestId":"0HMVD6Q2K1J4A:00000001","SourceContext":"Shop.Api"}`,
				`{"@t":"2026-11-24T14:55:02.7654321Z","@mt":"Order {OrderId} failed for {UserId}","@l":"Error","@x":"System.InvalidOperationException: Sequence contains no elements\n   at System.Linq.ThrowHelper.ThrowNoElementsException()\n   at Shop.Orders.OrderService.Reserve(Int32 orderId) in /src/Shop/OrderService.cs:line 42","OrderId":1042,"UserId":"u-2231","RequestId":"0HMVD6Q2K1J4A:00000002","@tr":"5b8efff798038103d269b633813fc60c"}`,
			},
			convention: "clef",
			paths:      map[string]string{"time": `\@t`, "request_id": "RequestId", "stack": `\@x`},
			w: want{time: "2026-11-24T14:55:02.7654321Z", level: "error", message: `Order 1042 failed for "u-2231"`,
				requestID: "0HMVD6Q2K1J4A:00000002", errorType: "System.InvalidOperationException",
				err: "Sequence contains no elements", stackHas: "OrderService.Reserve", isError: true},
		},
		{
			name: "serilog clef absent level is information",
			sample: []string{
				`{"@t":"2026-11-24T14:55:01.1234567Z","@mt":"Handled {RequestPath} in {Elapsed:0.000} ms","RequestPath":"/api/orders","Elapsed":12.3,"RequestId":"0HMVD6Q2K1J4A:00000001"}`,
			},
			convention: "clef",
			w:          want{level: "info", message: `Handled "/api/orders" in 12.3 ms`, requestID: "0HMVD6Q2K1J4A:00000001"},
		},
		{
			name: "dotnet json console",
			sample: []string{
				`{"Timestamp":"2026-11-24T14:55:01.123Z","EventId":0,"LogLevel":"Error","Category":"Shop.Orders.OrderService","Message":"Order 1042 failed","Exception":"System.InvalidOperationException: Sequence contains no elements\n   at Shop.Orders.OrderService.Reserve(Int32 orderId) in /src/Shop/OrderService.cs:line 42","State":{"Message":"Order 1042 failed","OrderId":1042,"{OriginalFormat}":"Order {OrderId} failed"},"Scopes":[{"Message":"SpanId:1, TraceId:2","SpanId":"eee19b7ec3c1b174","TraceId":"5b8efff798038103d269b633813fc60c"},{"Message":"RequestPath:/api/orders RequestId:0HMVD6Q2K1J4A:00000002","RequestId":"0HMVD6Q2K1J4A:00000002","RequestPath":"/api/orders"}]}`,
			},
			convention: "dotnet",
			paths:      map[string]string{"level": "LogLevel", "message": "Message", "request_id": "Scopes.#.RequestId|0"},
			w: want{time: "2026-11-24T14:55:01.123Z", level: "error", message: "Order 1042 failed",
				requestID: "0HMVD6Q2K1J4A:00000002", path: "/api/orders", errorType: "System.InvalidOperationException",
				stackHas: "Reserve", isError: true},
		},
		{
			name: "datadog",
			sample: []string{
				`{"date":"2026-11-24T14:55:01.123Z","status":"error","message":"checkout failed","service":"orders","host":"i-0abc","dd.trace_id":"1234567890123456789","http.method":"POST","http.url":"https://shop.example.com/api/checkout?x=1","http.status_code":500,"usr.id":"u-2231","error.kind":"TypeError","error.message":"boom","error.stack":"TypeError: boom\n    at priceCart (/app/shop.js:17:21)","duration":2500000}`,
			},
			convention: "datadog",
			paths:      map[string]string{"level": "status", "error_type": `error\.kind`},
			w: want{time: "2026-11-24T14:55:01.123Z", level: "error", message: "checkout failed", service: "orders",
				host: "i-0abc", requestID: "1234567890123456789", method: "POST", path: "/api/checkout",
				route: "POST /api/checkout", status: 500, user: "u-2231", errorType: "TypeError", err: "boom",
				durationMS: 2.5, stackHas: "priceCart", isError: true},
		},
		{
			name: "journald",
			sample: []string{
				`{"__REALTIME_TIMESTAMP":"1795531200123456","PRIORITY":"3","MESSAGE":"connection refused","_HOSTNAME":"vm","SYSLOG_IDENTIFIER":"orders","_SYSTEMD_UNIT":"orders.service"}`,
			},
			convention: "journald",
			w: want{time: "2026-11-24T14:40:00.123456Z", level: "error", message: "connection refused",
				host: "vm", service: "orders", isError: true},
		},
		{
			name: "google timestampSeconds",
			sample: []string{
				`{"timestampSeconds":1795531200,"timestampNanos":123000000,"severity":"WARNING","message":"slow","logging.googleapis.com/trace":"projects/p/traces/abc123","httpRequest":{"requestMethod":"GET","requestUrl":"https://shop.example/api/orders/7?x=1","status":200,"latency":"0.250s"}}`,
			},
			convention: "gcp",
			w: want{time: "2026-11-24T14:40:00.123Z", level: "warn", message: "slow", requestID: "abc123",
				method: "GET", path: "/api/orders/7", route: "GET /api/orders/{id}", status: 200, durationMS: 250},
		},
		{
			name: "ecs literal dotted keys",
			sample: []string{
				`{"@timestamp":"2026-11-24T14:55:01.123Z","log.level":"error","message":"x","service.name":"orders","http.request.method":"GET","url.path":"/a/1","http.response.status_code":503,"trace.id":"t1","transaction.id":"x1","http.request.id":"r1"}`,
			},
			convention: "ecs",
			paths:      map[string]string{"level": `log\.level`, "request_id": `http\.request\.id`},
			w: want{level: "error", message: "x", service: "orders", requestID: "r1", method: "GET",
				path: "/a/1", route: "GET /a/{id}", status: 503, isError: true},
		},
		{
			name:       "request id preferred over trace id",
			sample:     []string{`{"ts":1795531200,"level":"info","msg":"m","trace_id":"t1","request_id":"r1"}`, `{"ts":1795531200,"level":"info","msg":"m","trace_id":"t2"}`},
			convention: "zap",
			paths:      map[string]string{"request_id": "request_id"},
			line:       `{"ts":1795531200,"level":"info","msg":"m","trace_id":"t1","request_id":"r1"}`,
			w:          want{requestID: "r1", level: "info", message: "m", time: "2026-11-24T14:40:00Z"},
		},
		{
			name: "zap inside kubernetes CRI envelopes",
			sample: []string{
				`2026-11-25T10:00:00.1Z stdout F {"level":"info","ts":1795528931.5,"msg":"start","service":"orders"}`,
				`2026-11-25T10:00:00.2Z stderr F {"level":"error","ts":1795528932.5,"msg":"failed","service":"orders","error":"boom"}`,
			},
			convention: "zap",
			paths:      map[string]string{"time": "ts", "error": "error"},
			w:          want{time: "2026-11-24T14:02:12.5Z", level: "error", message: "failed", service: "orders", err: "boom", isError: true},
		},
		{
			name:       "text",
			sample:     []string{"2026-11-25T10:00:00Z ERROR payment failed", "plain"},
			convention: "text",
			line:       "2026-11-25T10:00:00Z ERROR payment failed",
			w:          want{time: "2026-11-25T10:00:00Z", level: "error", message: "2026-11-25T10:00:00Z ERROR payment failed", isError: true, text: true},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var sample [][]byte
			for _, l := range c.sample {
				sample = append(sample, []byte(l))
			}
			m, err := Detect(sample, nil)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if m.Convention != c.convention {
				t.Errorf("Convention = %q, want %q (paths %v)", m.Convention, c.convention, m.Paths)
			}
			for f, p := range c.paths {
				if m.Paths[f] != p {
					t.Errorf("Paths[%s] = %q, want %q", f, m.Paths[f], p)
				}
			}
			line := c.line
			if line == "" {
				line = c.sample[len(c.sample)-1]
			}
			var ev index.Event
			m.Parse([]byte(line), &ev)
			checkEvent(t, line, ev, c.w)
		})
	}
}

func TestParse(t *testing.T) {
	zap := mustDetect(t, `{"level":"info","ts":1795528931.0518222,"msg":"m","service":"s","request_id":"r"}`)
	cases := []struct {
		name string
		m    *Mapping
		line string
		w    want
	}{
		{"error key absent from sample found by fallback", zap,
			`{"level":"error","ts":1795528931.5,"msg":"failed","service":"s","request_id":"r","error":"dial tcp 10.0.0.5:5432: connect: connection refused","stacktrace":"main.handler\n\t/app/main.go:42\nruntime.main\n\t/usr/local/go/src/runtime/proc.go:250"}`,
			want{time: "2026-11-24T14:02:11.5Z", level: "error", message: "failed", service: "s", requestID: "r",
				err: "dial tcp 10.0.0.5:5432: connect: connection refused", stackHas: "main.handler", isError: true}},
		{"status as string and camel-case key", zap,
			`{"level":"info","ts":1795528931,"msg":"done","statusCode":"503","requestId":"r2"}`,
			want{level: "info", message: "done", status: 503, requestID: "r2", isError: true}},
		{"status 500 makes an error", zap,
			`{"level":"info","ts":1795528931,"msg":"done","status":500,"method":"post","path":"https://x.example/api/v1/orders/8f14e45f-ceea-467f-a0e6-8e8c1c2b9f3a/items?x=1"}`,
			want{level: "info", status: 500, method: "POST", path: "/api/v1/orders/8f14e45f-ceea-467f-a0e6-8e8c1c2b9f3a/items",
				route: "POST /api/v1/orders/{id}/items", isError: true}},
		{"own route kept, method added", zap,
			`{"level":"info","ts":1795528931,"msg":"m","method":"GET","path":"/orders/7","route":"/orders/{orderID}"}`,
			want{route: "GET /orders/{orderID}", path: "/orders/7"}},
		{"go 1.22 pattern kept as is", zap,
			`{"level":"info","ts":1795528931,"msg":"m","method":"GET","route":"GET /orders/{id}"}`,
			want{route: "GET /orders/{id}"}},
		{"durations", zap,
			`{"level":"info","ts":1795528931,"msg":"m","latency":"1.5ms"}`,
			want{durationMS: 1.5}},
		{"duration ms key", zap,
			`{"level":"info","ts":1795528931,"msg":"m","duration_ms":42}`,
			want{durationMS: 42}},
		{"duration ns key", zap,
			`{"level":"info","ts":1795528931,"msg":"m","duration_ns":4200000}`,
			want{durationMS: 4.2}},
		{"escaped key and value", zap,
			`{"lev\u0065l":"warn","ts":1795528931,"msg":"a \"quoted\" \u00e9"}`,
			want{level: "warn", message: `a "quoted" é`}},
		{"not json", zap, `panic: boom`,
			want{message: "panic: boom", text: true}},
		{"broken json is text", zap, `{"level":"error","msg":"x"`,
			want{message: `{"level":"error","msg":"x"`, text: true}},
		{"json array is text", zap, `[1,2]`,
			want{message: `[1,2]`, text: true}},
		{"structlog exception list", mustDetect(t, `{"event":"x","level":"info","timestamp":"2026-11-24T14:51:40Z"}`),
			`{"event":"checkout failed","level":"error","timestamp":"2026-11-24T14:51:40Z","exception":[{"exc_type":"KeyError","exc_value":"'SKU-9'","frames":[{"filename":"/app/shop.py","lineno":15,"name":"price_cart"}]}]}`,
			want{level: "error", message: "checkout failed", errorType: "KeyError", err: "'SKU-9'",
				stackHas: "File \"/app/shop.py\", line 15, in price_cart", isError: true}},
		{"structlog exception chain, cause first", mustDetect(t, `{"event":"x","level":"info","timestamp":"2026-11-24T14:51:40Z"}`),
			`{"event":"checkout failed","level":"error","timestamp":"2026-11-24T14:51:40Z","exception":[{"exc_type":"CheckoutError","exc_value":"cannot price cart c-1","frames":[{"filename":"/app/pricing.py","lineno":18,"name":"checkout"}]},{"exc_type":"KeyError","exc_value":"'SKU-9'","is_cause":true,"frames":[{"filename":"/app/pricing.py","lineno":11,"name":"price_cart"}]}]}`,
			want{level: "error", message: "checkout failed", errorType: "KeyError", err: "'SKU-9'",
				stackHas: "price_cart\nKeyError: 'SKU-9'\n\nThe above exception", isError: true}},
		{"zerolog frame objects", zap,
			`{"level":"error","ts":1795528931,"msg":"m","stack":[{"func":"ReserveInventory","line":"18","source":"checkout.go"}]}`,
			want{level: "error", message: "m", stackHas: "ReserveInventory\n\tcheckout.go:18", isError: true}},
		{"a multi-line message with no frames is no stack", zap,
			`{"level":"info","ts":1795528931,"msg":"shipping:\n    at the depot\n    at noon"}`,
			want{level: "info", message: "shipping:\n    at the depot\n    at noon"}},
		{"kubernetes CRI envelope", zap,
			`2026-11-25T10:00:00.123456789Z stdout F {"level":"warn","msg":"slow","request_id":"r9"}`,
			want{time: "2026-11-25T10:00:00.123456789Z", level: "warn", message: "slow", requestID: "r9"}},
		{"kubernetes CRI envelope with text", zap,
			`2026-11-25T10:00:00Z stderr F ERROR disk full`,
			want{time: "2026-11-25T10:00:00Z", level: "error", message: "ERROR disk full", text: true, isError: true}},
		{"docker json-file envelope", zap,
			`{"log":"{\"level\":\"error\",\"ts\":1795528931,\"msg\":\"boom\"}\n","stream":"stderr","time":"2026-11-25T10:00:00Z"}`,
			want{time: "2026-11-24T14:02:11Z", level: "error", message: "boom", isError: true}},
		{"docker json-file envelope, text inside", zap,
			`{"log":"plain text\n","stream":"stdout","time":"2026-11-25T10:00:00Z"}`,
			want{message: "plain text\n"}},
		{"google stack in message", mustDetect(t, `{"severity":"INFO","message":"m","timestamp":"2026-11-24T14:46:13Z"}`),
			`{"severity":"ERROR","message":"checkout failed: TypeError: boom\n    at priceCart (/app/shop.js:17:21)","timestamp":"2026-11-24T14:46:13Z"}`,
			want{level: "error", errorType: "TypeError", err: "boom", stackHas: "priceCart", isError: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ev index.Event
			c.m.Parse([]byte(c.line), &ev)
			checkEvent(t, c.line, ev, c.w)
		})
	}
}

func mustDetect(t *testing.T, lines ...string) *Mapping {
	t.Helper()
	var sample [][]byte
	for _, l := range lines {
		sample = append(sample, []byte(l))
	}
	m, err := Detect(sample, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseKeepsCallerFields(t *testing.T) {
	m := mustDetect(t, `{"level":"info","msg":"m"}`)
	line := []byte(`{"level":"error","msg":"x","service":"s"}`)
	orig := string(line)
	ev := index.Event{Source: "a.log", Line: 7, Raw: line, Untimed: true, Truncated: true, Message: "stale", Status: 500}
	m.Parse(line, &ev)
	if ev.Source != "a.log" || ev.Line != 7 || string(ev.Raw) != orig || !ev.Untimed || !ev.Truncated {
		t.Errorf("Parse changed caller fields: %+v", ev)
	}
	if ev.Status != 0 || ev.Message != "x" {
		t.Errorf("Parse kept stale fields: status %d message %q", ev.Status, ev.Message)
	}
	if string(line) != orig {
		t.Errorf("Parse modified its input")
	}
}

func TestDefaultService(t *testing.T) {
	m := mustDetect(t, `{"level":30,"time":1795531200000,"name":"gateway","msg":"m"}`)
	if m.Paths["service"] != "name" {
		t.Fatalf("service path = %q, want the logger name as a weak fallback", m.Paths["service"])
	}
	var ev index.Event
	m.Parse([]byte(`{"level":30,"time":1795531200000,"name":"gateway","msg":"m"}`), &ev)
	if ev.Service != "gateway" {
		t.Errorf("service = %q without DefaultService, want the logger name", ev.Service)
	}
	m.DefaultService = "edge"
	m.Parse([]byte(`{"level":30,"time":1795531200000,"name":"gateway","msg":"m"}`), &ev)
	if ev.Service != "edge" {
		t.Errorf("service = %q, want DefaultService over a logger name", ev.Service)
	}
	m.Parse([]byte(`{"level":30,"time":1795531200000,"name":"gateway","service":"orders","msg":"m"}`), &ev)
	if ev.Service != "orders" {
		t.Errorf("service = %q, want the line's own service over DefaultService", ev.Service)
	}
}

func TestOverrides(t *testing.T) {
	field, path, err := ParseOverride("request_id=ctx.rid")
	if err != nil || field != "request_id" || path != "ctx.rid" {
		t.Fatalf("ParseOverride = %q, %q, %v", field, path, err)
	}
	for _, bad := range []string{"reqid=x", "request_id=", "=x", "request_id"} {
		if _, _, err := ParseOverride(bad); err == nil {
			t.Errorf("ParseOverride(%q) succeeded, want an error", bad)
		} else if strings.HasPrefix(bad, "reqid") && !strings.Contains(err.Error(), "request_id") {
			t.Errorf("ParseOverride(%q) error %q does not name the allowed fields", bad, err)
		}
	}
	if _, err := Detect(nil, map[string]string{"nope": "x"}); err == nil {
		t.Error("Detect accepted an unknown field")
	}
	if _, err := Detect(nil, map[string]string{"user": " "}); err == nil {
		t.Error("Detect accepted an empty path")
	}
	sample := [][]byte{[]byte(`{"level":"info","msg":"m","request_id":"wrong","ctx":{"rid":"right"}}`)}
	m, err := Detect(sample, map[string]string{"request_id": "ctx.rid", "user": `ctx.#(k=="u").v`})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Overridden) != 2 || m.Fields()["request_id"] != "ctx.rid" {
		t.Errorf("mapping = %+v", m)
	}
	var ev index.Event
	m.Parse([]byte(`{"level":"info","msg":"m","request_id":"wrong","ctx":{"rid":"right","#":[{"k":"u","v":"u1"}]}}`), &ev)
	if ev.RequestID != "right" {
		t.Errorf("request_id = %q, want the override's value", ev.RequestID)
	}
	m.Parse([]byte(`{"level":"info","msg":"m","request_id":"wrong"}`), &ev)
	if ev.RequestID != "" {
		t.Errorf("request_id = %q, want none: an overridden field has no fallbacks", ev.RequestID)
	}
	// Paths are written as Fields shows them: a dot is nesting or part of a
	// literal key, the longest literal key first; escapes make it exact.
	m, err = Detect(nil, map[string]string{"level": "log.level", "time": "@t", "user": `a\.b`})
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]string{
		`{"log.level":"warn","@t":"2026-11-25T10:00:00Z","a.b":"u1"}`:              "warn u1",
		`{"log":{"level":"error"},"@t":"2026-11-25T10:00:00Z","a":{"b":"u2"}}`:     "error ",
		`{"log.level":"warn","log":{"level":"error"},"@t":"2026-11-25T10:00:00Z"}`: "warn ",
	} {
		m.Parse([]byte(line), &ev)
		if got := ev.Level + " " + ev.User; got != want || ev.Time.IsZero() {
			t.Errorf("Parse(%s) = %q (time %v), want %q", line, got, ev.Time, want)
		}
	}
}

func TestParseText(t *testing.T) {
	m := mustDetect(t, "plain text")
	cases := []struct {
		line string
		w    want
	}{
		{"2026-11-25T10:00:00Z ERROR payment failed", want{time: "2026-11-25T10:00:00Z", level: "error", isError: true}},
		{"2026-11-25 10:00:00,123 WARNING retrying", want{time: "2026-11-25T10:00:00.123Z", level: "warn"}},
		{"[2026-11-25 10:00:00.5 +0100] [info] started", want{time: "2026-11-25T09:00:00.5Z", level: "info"}},
		{"2026/11/25 10:00:00 http: panic serving 127.0.0.1:1: boom", want{time: "2026-11-25T10:00:00Z"}},
		{"ERROR: something broke", want{level: "error", isError: true}},
		{"Error connecting to db", want{}},
		{"INFO:root:hello", want{level: "info"}},
		{`time=2026-11-25T10:00:00.000Z level=ERROR msg="db down" request_id=r-9 status=503`,
			want{time: "2026-11-25T10:00:00Z", level: "error", requestID: "r-9", status: 503, isError: true}},
		{"1795531200 not a time", want{}},
		{"2026-11-25 10:00:00,123 - orders.api - ERROR - checkout failed", want{time: "2026-11-25T10:00:00.123Z", level: "error", isError: true}},
		{"2026-11-25 10:00:00,123 - orders.api - Error in checkout", want{time: "2026-11-25T10:00:00.123Z"}},
		{"E1125 10:00:00.123456   12345 controller.go:42] sync failed", want{level: "error", isError: true}},
		{"W1125 10:00:00.123456   12345 controller.go:42] slow", want{level: "warn"}},
		{`10.0.0.1 - frank [25/Nov/2026:14:03:07 +0100] "GET /api/orders/42?x=1 HTTP/1.1" 502 157 "-" "curl/8.0"`,
			want{time: "2026-11-25T13:03:07Z", method: "GET", path: "/api/orders/42", route: "GET /api/orders/{id}", status: 502, isError: true}},
		{"", want{}},
		{"\xff\xfe garbage", want{}},
	}
	for _, c := range cases {
		var ev index.Event
		m.Parse([]byte(c.line), &ev)
		c.w.text = true
		c.w.message = strings.TrimSpace(c.line)
		checkEvent(t, c.line, ev, c.w)
	}
}

func TestParseTime(t *testing.T) {
	cases := []struct {
		in   string // JSON value
		want string // RFC 3339, "" for no time
	}{
		{`"2026-11-25T14:03:07Z"`, "2026-11-25T14:03:07Z"},
		{`"2026-11-25T14:03:07.123456789+05:30"`, "2026-11-25T08:33:07.123456789Z"},
		{`"2026-11-25T14:03:07-05:00"`, "2026-11-25T19:03:07Z"},
		{`"2026-11-25 14:03:07"`, "2026-11-25T14:03:07Z"},
		{`"2026-11-25 14:03:07,123"`, "2026-11-25T14:03:07.123Z"},
		{`"2026-11-25 14:03:07,123+0000"`, "2026-11-25T14:03:07.123Z"},
		{`"2026-11-25 14:03:07,123+0200"`, "2026-11-25T12:03:07.123Z"},
		{`"2026-11-25T14:03:07.1234567Z"`, "2026-11-25T14:03:07.1234567Z"},
		{`"2026-11-25T14:03:07.010+0100"`, "2026-11-25T13:03:07.01Z"},
		{`"2026-11-25T14:03"`, "2026-11-25T14:03:00Z"},
		{`"2026-11-25"`, "2026-11-25T00:00:00Z"},
		{`"2026-11-25 14:03:07.5 +0000 UTC"`, "2026-11-25T14:03:07.5Z"},
		{`"2026/11/25 14:03:07"`, "2026-11-25T14:03:07Z"},
		{`"Wed, 25 Nov 2026 14:03:07 GMT"`, "2026-11-25T14:03:07Z"},
		{`"25/Nov/2026:14:03:07 +0000"`, "2026-11-25T14:03:07Z"},
		{`1795528931`, "2026-11-24T14:02:11Z"},
		{`1795528931.0518222`, "2026-11-24T14:02:11.0518222Z"},
		{`1795528931051`, "2026-11-24T14:02:11.051Z"},
		{`1795528931051822`, "2026-11-24T14:02:11.051822Z"},
		{`1795528931051822200`, "2026-11-24T14:02:11.0518222Z"},
		{`"1795528931051822200"`, "2026-11-24T14:02:11.0518222Z"},
		{`"1795528931.5"`, "2026-11-24T14:02:11.5Z"},
		{`1.7955289310518222e9`, "2026-11-24T14:02:11.0518222Z"},
		{`{"seconds":1795528931,"nanos":51822200}`, "2026-11-24T14:02:11.0518222Z"},
		{`{"seconds":"1795528931"}`, "2026-11-24T14:02:11Z"},
		{`0`, ""},
		{`-5`, ""},
		{`12`, ""},
		{`99999999999999999999`, ""},
		{`"0001-01-01T00:00:00Z"`, ""},
		{`"9999-12-31T23:59:59Z"`, ""},
		{`"2026-13-01T00:00:00Z"`, ""},
		{`"2026-02-30T00:00:00Z"`, ""},
		{`"2026-11-25T25:00:00Z"`, ""},
		{`"2026-11-25T14:03:07 garbage"`, ""},
		{`"yesterday"`, ""},
		{`true`, ""},
		{`null`, ""},
		{`{"seconds":1795528931,"nanos":2000000000}`, ""},
		{`[1795528931]`, ""},
	}
	for _, c := range cases {
		got, ok := ParseTime(parseJSON(c.in))
		if c.want == "" {
			if ok {
				t.Errorf("ParseTime(%s) = %v, want no time", c.in, got)
			}
			continue
		}
		w, _ := time.Parse(time.RFC3339Nano, c.want)
		if !ok || !got.Equal(w) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%s) = %v, %v, want %v in UTC", c.in, got.Format(time.RFC3339Nano), ok, c.want)
		}
	}
}

func TestNormalizeLevel(t *testing.T) {
	cases := map[string]string{
		`"INFO"`: "info", `"info"`: "info", `"Information"`: "info", `"notice"`: "info", `"http"`: "info", `"log"`: "info", `"LOG"`: "info", `"stat"`: "info", `"slow"`: "warn",
		`"WARNING"`: "warn", `"warn"`: "warn", `"WRN"`: "warn",
		`"err"`: "error", `"ERROR"`: "error", `"eror"`: "error", `"Error"`: "error",
		`"fatal"`: "fatal", `"CRITICAL"`: "fatal", `"crit"`: "fatal", `"panic"`: "fatal", `"dpanic"`: "fatal",
		`"EMERGENCY"`: "fatal", `"alert"`: "fatal",
		`"trace"`: "trace", `"Verbose"`: "trace", `"debug"`: "debug", `"DBUG"`: "debug",
		`"INFO+2"`: "info", `"INFO+4"`: "warn", `"ERROR-4"`: "warn", `"DEBUG-2"`: "trace", `"ERROR+4"`: "fatal",
		`10`: "trace", `20`: "debug", `30`: "info", `40`: "warn", `50`: "error", `60`: "fatal",
		`17`: "error", `9`: "info", `21`: "fatal", `13`: "warn",
		`3`: "error", `4`: "warn", `6`: "info", `7`: "debug", `0`: "fatal",
		`5000`: "trace", `10000`: "debug", `20000`: "info", `30000`: "warn", `40000`: "error",
		`"30"`: "info", `"DEFAULT"`: "info",
		`"bogus"`: "", `""`: "", `true`: "", `{"a":1}`: "", `2.5`: "", `1000000`: "", `"INFO+x"`: "",
	}
	for in, want := range cases {
		if got := NormalizeLevel(parseJSON(in)); got != want {
			t.Errorf("NormalizeLevel(%s) = %q, want %q", in, got, want)
		}
	}
	// The key decides the scale when it is known.
	if got := normalizeLevel(parseJSON(`17`), levelOTel); got != "error" {
		t.Errorf("OTel 17 = %q", got)
	}
	if got := normalizeLevel(parseJSON(`"3"`), levelSyslog); got != "error" {
		t.Errorf("syslog 3 = %q", got)
	}
}

func TestTemplateRoute(t *testing.T) {
	cases := []struct{ method, path, want string }{
		{"GET", "/api/orders/15047?x=1", "GET /api/orders/{id}"},
		{"get", "/api/orders/15047/", "GET /api/orders/{id}"},
		{"POST", "/api/orders", "POST /api/orders"},
		{"GET", "/", "GET /"},
		{"", "/api/orders/7", "/api/orders/{id}"},
		{"GET", "", ""},
		{"GET", "https://shop.example.com:8443/api/users/u-1017/cart?y=2#f", "GET /api/users/{id}/cart"},
		{"GET", "/api/users/550e8400-e29b-41d4-a716-446655440000", "GET /api/users/{id}"},
		{"GET", "/api/users/bob@example.com/orders", "GET /api/users/{id}/orders"},
		{"GET", "/api/users/bob%40example.com", "GET /api/users/{id}"},
		{"GET", "/files/9f86d081884c7d659a2feaa0c55ad015", "GET /files/{id}"},
		{"GET", "/files/01ARZ3NDEKTSV4RRFFQ69G5FAV", "GET /files/{id}"},
		{"GET", "/c/ord_8f2kq9x3", "GET /c/{id}"},
		{"GET", "/reports/2026-11-25", "GET /reports/{id}"},
		{"GET", "/t/eyJhbGciOiJIUzI1NiJ9abc", "GET /t/{id}"},
		{"GET", "/api/v1/oauth2/callback", "GET /api/v1/oauth2/callback"},
		{"GET", "/api/v2/healthz", "GET /api/v2/healthz"},
		{"GET", "/api/carts/c-7", "GET /api/carts/{id}"},
		{"GET", "/api-v2/items", "GET /api-v2/items"},
		{"GET", "/static/deadbeef", "GET /static/deadbeef"},
		{"GET", "/orders/{id}", "GET /orders/{id}"},
	}
	for _, c := range cases {
		if got := TemplateRoute(c.method, c.path); got != c.want {
			t.Errorf("TemplateRoute(%q, %q) = %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

func TestParameterize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"reserve inventory for SKU-1042: pq: deadlock detected", "reserve inventory for SKU-{num}: pq: deadlock detected"},
		{"user 550e8400-e29b-41d4-a716-446655440000 not found", "user {uuid} not found"},
		{"order-550e8400-e29b-41d4-a716-446655440000 missing", "order-{uuid} missing"},
		{"mail to bob@example.com bounced", "mail to {email} bounced"},
		{"dial tcp 10.0.0.5:5432: connect: connection refused", "dial tcp {ip}:{num}: connect: connection refused"},
		{"dial tcp [::1]:5432: refused", "dial tcp [{ip}]:{num}: refused"},
		{"timeout after 30s", "timeout after {dur}"},
		{"took 1.5ms, limit 250µs.", "took {dur}, limit {dur}."},
		{"at 2026-11-25T10:00:00.123Z and 10:00:01", "at {time} and {time}"},
		{"object 0x1f2e3d at deadbeef12 hash 9f86d081884c7d65", "object {hex} at {hex} hash {hex}"},
		{`relation "orders" does not exist`, "relation {str} does not exist"},
		{"can't parse 'abc'", "can't parse {str}"},
		{"GET https://api.example.com:8443/v1/orders/123?x=1 returned 503", "GET https://api.example.com:{num}/v{num}/orders/{id} returned {num}"},
		{"open /var/data/users/1042/profile.json: no such file", "open /var/data/users/{id}/profile.json: no such file"},
		{"retry  3 of\t5\n", "retry {num} of {num}"},
		{"rate 99.5% over limit -3", "rate {num} over limit {num}"},
		{"id=abc123XYZ789def456 failed", "id={id} failed"},
		{`unmatched " quote`, `unmatched " quote`},
		{"`x", "`x"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Parameterize(c.in); got != c.want {
			t.Errorf("Parameterize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	// Same error, different values: same fingerprint.
	same := [][3]string{
		{"", "order 1042 not found for user 550e8400-e29b-41d4-a716-446655440000", ""},
		{"", "order 77 not found for user 6ba7b810-9dad-11d1-80b4-00c04fd430c8", ""},
	}
	if a, b := Fingerprint(same[0][0], same[0][1], same[0][2]), Fingerprint(same[1][0], same[1][1], same[1][2]); a != b {
		t.Errorf("same message shape: %s != %s", a, b)
	}
	fp := Fingerprint("TypeError", "boom", "")
	if len(fp) != 16 || strings.Trim(fp, "0123456789abcdef") != "" {
		t.Errorf("Fingerprint = %q, want 16 hex digits", fp)
	}
	distinct := map[string][3]string{}
	for name, in := range map[string][3]string{
		"message":           {"", "connection refused", ""},
		"other message":     {"", "connection reset", ""},
		"typed":             {"ConnectError", "connection refused", ""},
		"other type":        {"TimeoutError", "connection refused", ""},
		"java type only":    {"java.lang.IllegalStateException", "x", ""},
		"go stack message":  {"", "a", "main.handler()\n\t/app/main.go:42 +0x1d\n"},
		"go stack other":    {"", "b", "main.handler()\n\t/app/main.go:42 +0x1d\n"},
		"go stack other fn": {"", "a", "main.other()\n\t/app/main.go:42 +0x1d\n"},
	} {
		fp := Fingerprint(in[0], in[1], in[2])
		for other, prev := range distinct {
			if Fingerprint(prev[0], prev[1], prev[2]) == fp {
				t.Errorf("%s and %s share fingerprint %s", name, other, fp)
			}
		}
		distinct[name] = in
	}
	// The package prefix of a type does not matter.
	if Fingerprint("java.lang.IllegalStateException", "x 1", "") != Fingerprint("IllegalStateException", "x 2", "") {
		t.Error("qualified and simple type names differ")
	}
	// A stack wins over the message when it names the exception type.
	java := "java.lang.IllegalStateException: order 1\n\tat shop.A.b(A.java:1)\n"
	if Fingerprint("", "order 1", java) != Fingerprint("", "order 2 totally different", strings.Replace(java, "A.java:1", "A.java:99", 1)) {
		t.Error("java stack fingerprints differ by message or line number")
	}
}

func parseJSON(s string) gjson.Result {
	return gjson.Parse(s)
}

func TestAccessLogLinesGetNoFingerprint(t *testing.T) {
	m, err := Detect(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		line    string
		grouped bool
	}{
		{`{"level":"ERROR","msg":"request completed","status":500,"route":"GET /api/orders/{id}"}`, false},
		{`{"level":30,"msg":"request completed","res":{"statusCode":502}}`, false},
		{`{"level":"info","msg":"GET /api/cart","status":503}`, false},
		{`{"level":"error","msg":"Completed 500 Internal Server Error in 12ms","status":500}`, false},
		{`{"level":"error","msg":"","status":500}`, false},
		// An error of its own: grouped.
		{`{"level":"error","msg":"db down","status":503}`, true},
		{`{"level":"error","msg":"request completed","status":500,"error":"pq: deadlock detected"}`, true},
		{`{"level":"error","msg":"request failed"}`, true},
		{`{"level":"info","msg":"request completed","status":200}`, false},
	}
	for _, c := range cases {
		var ev index.Event
		m.Parse([]byte(c.line), &ev)
		if got := ev.Fingerprint != ""; got != c.grouped {
			t.Errorf("Parse(%s): fingerprint %q, grouped = %v, want %v", c.line, ev.Fingerprint, got, c.grouped)
		}
		if ev.Status >= 500 && !ev.IsError {
			t.Errorf("Parse(%s): a 5xx line must stay an error event", c.line)
		}
	}
}

// TestVerbosityLevels: a source whose numeric levels are small and mostly 0
// (go-logr/funcr, klog) uses V-levels, 0 info and 1+ debug, not syslog's 0
// emergency; a syslog-like source keeps reading them by magnitude.
func TestVerbosityLevels(t *testing.T) {
	cases := []struct {
		name   string
		sample []string
		line   string
		want   string
	}{
		{"funcr V-levels", []string{`{"level":0,"msg":"a"}`, `{"level":0,"msg":"b"}`, `{"level":0,"msg":"c"}`, `{"level":1,"msg":"d"}`, `{"level":0,"msg":"e"}`},
			`{"level":0,"msg":"request started"}`, index.LevelInfo},
		{"funcr V=2", []string{`{"level":0,"msg":"a"}`, `{"level":0,"msg":"b"}`, `{"level":0,"msg":"c"}`, `{"level":0,"msg":"d"}`},
			`{"level":2,"msg":"detail"}`, index.LevelDebug},
		{"syslog severities", []string{`{"level":6,"msg":"a"}`, `{"level":6,"msg":"b"}`, `{"level":3,"msg":"c"}`, `{"level":0,"msg":"d"}`},
			`{"level":0,"msg":"disk gone"}`, index.LevelFatal},
		{"too few to judge", []string{`{"level":0,"msg":"a"}`, `{"level":0,"msg":"b"}`},
			`{"level":0,"msg":"x"}`, index.LevelFatal},
		{"Logbook: mostly 11", []string{`{"level":11,"msg":"a"}`, `{"level":11,"msg":"b"}`, `{"level":13,"msg":"c"}`, `{"level":11,"msg":"d"}`},
			`{"level":14,"msg":"checkout failed"}`, index.LevelError},
		{"Logbook warning", []string{`{"level":11,"msg":"a"}`, `{"level":11,"msg":"b"}`, `{"level":11,"msg":"c"}`},
			`{"level":13,"msg":"slow"}`, index.LevelWarn},
		{"OpenTelemetry numbers: mostly 9", []string{`{"level":9,"msg":"a"}`, `{"level":9,"msg":"b"}`, `{"level":13,"msg":"c"}`, `{"level":17,"msg":"d"}`},
			`{"level":14,"msg":"x"}`, index.LevelWarn},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := mustDetect(t, c.sample...)
			var ev index.Event
			m.Parse([]byte(c.line), &ev)
			if ev.Level != c.want {
				t.Errorf("level of %s = %q (scale %q), want %q", c.line, ev.Level, m.LevelScale, c.want)
			}
		})
	}
}
