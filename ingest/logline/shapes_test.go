package logline

import (
	"strings"
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// TestShapes detects a mapping from a few lines of each shape issue 9 lists
// (wrapped records, time objects, nested levels, error objects anywhere,
// structured stacks, positional messages) and checks the event of the last
// line.
func TestShapes(t *testing.T) {
	ts := "2026-11-25T17:13:01.123Z"
	cases := []struct {
		name  string
		lines []string
		want  index.Event
		stack []string // substrings of the stack, in order
		noVal []string // fields that must stay unmapped
	}{
		{
			name: "loguru serialize",
			lines: []string{
				`{"text":"2026-11-25 17:13:01.100 | INFO | app:h:3 - ok\n","record":{"exception":null,"extra":{"request_id":"r-0"},"level":{"icon":"i","name":"INFO","no":20},"message":"ok","name":"app","time":{"repr":"2026-11-25 17:13:01.100000+00:00","timestamp":1795626781.1}}}`,
				`{"text":"2026-11-25 17:13:01.123 | ERROR | app:handler:12 - boom\nTraceback (most recent call last):\n  File \"/app/x.py\", line 12, in handler\n    f()\n  File \"/app/x.py\", line 5, in f\n    raise ValueError(\"bad\")\nValueError: bad\n","record":{"exception":{"type":"ValueError","value":"bad","traceback":true},"extra":{"request_id":"r-1"},"level":{"icon":"x","name":"ERROR","no":40},"message":"boom","name":"app","time":{"repr":"2026-11-25 17:13:01.123000+00:00","timestamp":1795626781.123}}}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "boom", RequestID: "r-1", ErrorType: "ValueError", Error: "bad"},
			stack: []string{"Traceback", "in handler", "ValueError: bad"},
		},
		{
			name: "log4j2 JsonLayout",
			lines: []string{
				`{"instant":{"epochSecond":1795626781,"nanoOfSecond":100000000},"thread":"main","level":"INFO","loggerName":"shop.Orders","message":"ok","contextMap":{"requestId":"r-0"}}`,
				`{"instant":{"epochSecond":1795626781,"nanoOfSecond":123000000},"thread":"main","level":"ERROR","loggerName":"shop.Orders","message":"checkout failed","thrown":{"localizedMessage":"no stock","message":"no stock","name":"java.lang.IllegalStateException","extendedStackTrace":[{"class":"shop.Orders","method":"reserve","file":"Orders.java","line":42},{"class":"shop.Api","method":"checkout","file":"Api.java","line":7}],"cause":{"name":"java.sql.SQLException","message":"db down","extendedStackTrace":[{"class":"shop.Db","method":"query","file":"Db.java","line":9}]}},"contextMap":{"requestId":"r-2"}}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "checkout failed", RequestID: "r-2", ErrorType: "java.lang.IllegalStateException", Error: "no stock"},
			stack: []string{"java.lang.IllegalStateException: no stock", "\tat shop.Orders.reserve(Orders.java:42)", "Caused by: java.sql.SQLException: db down", "\tat shop.Db.query(Db.java:9)"},
		},
		{
			name: "stack appended to the message for Error Reporting, and in its own field",
			lines: []string{
				`{"timestamp":{"seconds":1795626781,"nanos":100000000},"severity":"INFO","message":"ok","metadata":{"path":"/"},"logging.googleapis.com/labels":{"request_id":"r-0"}}`,
				`{"timestamp":{"seconds":1795626781,"nanos":123000000},"severity":"ERROR","message":"checkout failed no stock Error: no stock\n    at reserve (/app/orders.js:42:9)\n    at checkout (/app/api.js:7:3)","metadata":{"stack":"Error: no stock\n    at reserve (/app/orders.js:42:9)\n    at checkout (/app/api.js:7:3)"},"logging.googleapis.com/labels":{"request_id":"r-4"}}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "checkout failed no stock", RequestID: "r-4", ErrorType: "Error", Error: "no stock"},
			stack: []string{"Error: no stock", "at reserve (/app/orders.js:42:9)"},
		},
		{
			name: "klog JSON: info lines hold only their V-level",
			lines: []string{
				`{"ts":1795626781100.1,"caller":"x/main.go:3","msg":"ok","v":0}`,
				`{"ts":1795626781110.1,"caller":"x/main.go:3","msg":"ok","v":0}`,
				`{"ts":1795626781120.1,"caller":"x/main.go:3","msg":"ok","v":0}`,
				`{"ts":1795626781123,"caller":"x/main.go:4","msg":"started","requestID":"r-5","v":0}`,
			},
			want: index.Event{Time: mustTime(ts), Level: "info", Message: "started", RequestID: "r-5"},
		},
		{
			name: "a bare v that is a format version is no level",
			lines: []string{
				`{"v":1,"ts":"2026-11-25T17:13:01.100Z","msg":"ok"}`,
				`{"v":1,"ts":"2026-11-25T17:13:01.110Z","msg":"ok"}`,
				`{"v":1,"ts":"2026-11-25T17:13:01.123Z","msg":"started","request_id":"r-6"}`,
			},
			want:  index.Event{Time: mustTime(ts), Message: "started", RequestID: "r-6"},
			noVal: []string{"level"},
		},
		{
			name: "message as an argument array, error object with a headerless backtrace",
			lines: []string{
				`{"time":"2026-11-25T17:13:01+00:00","severity":"info","message":"ok","request_id":"r-0"}`,
				`{"time":"2026-11-25T17:13:01+00:00","severity":"error","message":["checkout failed","no stock"],"error":{"kind":"RuntimeError","message":"no stock","stack":"/app/shop.rb:38:in ` + "`" + `price_for'\n/app/shop.rb:12:in ` + "`" + `call'\n"},"request_id":"r-7"}`,
			},
			want:  index.Event{Time: mustTime("2026-11-25T17:13:01Z"), Level: "error", Message: "checkout failed", RequestID: "r-7", ErrorType: "RuntimeError", Error: "no stock"},
			stack: []string{"shop.rb:38", "price_for"},
		},
		{
			name: "message key holding only the stack, the logger's own msg beside it",
			lines: []string{
				`{"timestamp":{"seconds":1795626781,"nanos":100000000},"severity":"INFO","message":"ok","labels":{"request_id":"r-0"}}`,
				`{"timestamp":{"seconds":1795626781,"nanos":123000000},"severity":"ERROR","msg":"checkout failed","err":{"name":"Error","message":"no stock","stack":"Error: no stock\n    at reserve (/app/orders.js:42:9)"},"message":"Error: no stock\n    at reserve (/app/orders.js:42:9)","labels":{"request_id":"r-8"}}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "checkout failed", RequestID: "r-8", ErrorType: "Error", Error: "no stock"},
			stack: []string{"Error: no stock", "at reserve (/app/orders.js:42:9)"},
		},
		{
			name: "JSON text sequence: a record separator before each record",
			lines: []string{
				"\x1e" + `{"time":"2026-11-25T17:13:01.100Z","level":"info","msg":"ok"}`,
				"\x1e" + `{"time":"2026-11-25T17:13:01.123Z","level":"warn","msg":"slow","request_id":"r-9"}`,
			},
			want: index.Event{Time: mustTime(ts), Level: "warn", Message: "slow", RequestID: "r-9"},
		},
		{
			name: "tslog positional message and _meta",
			lines: []string{
				`{"0":"started","_meta":{"runtime":"nodejs","date":"2026-11-25T17:13:01.100Z","logLevelId":3,"logLevelName":"INFO","name":"api"}}`,
				`{"0":"request failed","1":{"requestId":"r-3"},"_meta":{"runtime":"nodejs","date":"2026-11-25T17:13:01.123Z","logLevelId":5,"logLevelName":"ERROR","name":"api"}}`,
			},
			want: index.Event{Time: mustTime(ts), Level: "error", Message: "request failed", RequestID: "r-3"},
		},
		{
			name: "Monolog context.exception with string frames",
			lines: []string{
				`{"message":"ok","context":{},"level":200,"level_name":"INFO","channel":"app","datetime":"2026-11-25T17:13:01.100000+00:00","extra":{"uid":"ab12cd3"}}`,
				`{"message":"boom","context":{"exception":{"class":"RuntimeException","message":"db gone","code":0,"file":"/app/src/Db.php:42","trace":["/app/src/Repo.php:12","/app/public/index.php:5"]}},"level":400,"level_name":"ERROR","channel":"app","datetime":"2026-11-25T17:13:01.123000+00:00","extra":{"uid":"ef34ab5"}}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "boom", ErrorType: "RuntimeException", Error: "db gone"},
			stack: []string{"RuntimeException: db gone", "/app/src/Repo.php:12"},
			noVal: []string{"user"},
		},
		{
			name: "semantic_logger exception with named tags",
			lines: []string{
				`{"host":"web-1","application":"shop","timestamp":"2026-11-25T17:13:01.100000Z","level":"info","name":"OrdersController","message":"ok","named_tags":{"request_id":"r-0"}}`,
				`{"host":"web-1","application":"shop","timestamp":"2026-11-25T17:13:01.123000Z","level":"error","name":"OrdersController","message":"failed","exception":{"name":"NoMethodError","message":"undefined method 'price' for nil","stack_trace":["/app/app/models/order.rb:12:in 'total'","/app/app/controllers/orders_controller.rb:5:in 'show'"]},"named_tags":{"request_id":"r-5"}}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "failed", RequestID: "r-5", Service: "shop", Host: "web-1", ErrorType: "NoMethodError", Error: "undefined method 'price' for nil"},
			stack: []string{"order.rb:12", "orders_controller.rb:5"},
		},
		{
			name: "message object with class and backtrace",
			lines: []string{
				`{"time":"2026-11-25T17:13:01.100Z","level":"info","message":"ok"}`,
				`{"time":"2026-11-25T17:13:01.123Z","level":"error","message":{"class":"ZeroDivisionError","message":"divided by 0","backtrace":["app.rb:3:in '/'","app.rb:9:in 'run'"]}}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "divided by 0", ErrorType: "ZeroDivisionError", Error: "divided by 0"},
			stack: []string{"ZeroDivisionError: divided by 0", "app.rb:3"},
		},
		{
			name: "exception holding only a type name is no stack",
			lines: []string{
				`{"time":"2026-11-25T17:13:01.123Z","level":"error","msg":"lookup failed","exception":"KeyError"}`,
			},
			want: index.Event{Time: mustTime(ts), Level: "error", Message: "lookup failed", ErrorType: "KeyError"},
		},
		{
			name: "logstash @version and @level, startTime",
			lines: []string{
				`{"@version":"1","startTime":"2026-11-25T17:13:01.123Z","@level":"WARN","msg":"slow","request_uuid":"r-7"}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "warn", Message: "slow", RequestID: "r-7"},
			noVal: []string{"version"},
		},
		{
			name: "error object under err with frame objects",
			lines: []string{
				`{"ts":"2026-11-25T17:13:01.123Z","lvl":"error","msg":"x","err":{"type":"TypeError","message":"bad","frames":[{"method":"priceCart","fileName":"/srv/shop.js","lineNumber":17}]}}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "x", ErrorType: "TypeError", Error: "bad"},
			stack: []string{"TypeError: bad", "\tat priceCart(/srv/shop.js:17)"},
		},
		{
			name: "names that say what a value is about are not the value",
			lines: []string{
				`{"ts":"2026-11-25T17:13:01.100Z","level":"info","msg":"a","service_version":"1.2.3","user_count":48,"txn_ref_type":"x"}`,
				`{"ts":"2026-11-25T17:13:01.123Z","level":"error","msg":"b","service_version":"1.2.3","user_count":49,"exceptionType":"app.QuotaError","errorMessage":"over quota"}`,
			},
			want:  index.Event{Time: mustTime(ts), Level: "error", Message: "b", ErrorType: "app.QuotaError", Error: "over quota"},
			noVal: []string{"service", "user"},
		},
		{
			name: "time under an unknown name, found by value shape",
			lines: []string{
				`{"when_logged":"2026-11-25T17:13:01.123Z","severity_text":"info","body_text":"hello"}`,
			},
			want: index.Event{Time: mustTime(ts), Level: "info", Message: "hello"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var sample [][]byte
			for _, l := range c.lines {
				sample = append(sample, []byte(l))
			}
			m, err := Detect(sample, nil)
			if err != nil {
				t.Fatal(err)
			}
			var ev index.Event
			m.Parse(sample[len(sample)-1], &ev)
			w := c.want
			got := index.Event{Time: ev.Time, Level: ev.Level, Message: ev.Message, RequestID: ev.RequestID,
				ErrorType: ev.ErrorType, Error: ev.Error}
			if w.Service != "" {
				got.Service = ev.Service
			}
			if w.Host != "" {
				got.Host = ev.Host
			}
			if !got.Time.Equal(w.Time) {
				t.Errorf("time = %v, want %v (mapping %v)", got.Time, w.Time, m.Fields())
			}
			got.Time, w.Time = time.Time{}, time.Time{}
			if got.Level != w.Level || got.Message != w.Message || got.RequestID != w.RequestID ||
				got.ErrorType != w.ErrorType || got.Error != w.Error || got.Service != w.Service || got.Host != w.Host {
				t.Errorf("Parse = %+v\nwant    %+v\n(mapping %v)", got, w, m.Fields())
			}
			rest := ev.Stack
			for _, s := range c.stack {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Errorf("stack lacks %q (in order):\n%s", s, ev.Stack)
					break
				}
				rest = rest[i+len(s):]
			}
			if len(c.stack) == 0 && ev.Stack != "" {
				t.Errorf("stack = %q, want none", ev.Stack)
			}
			if len(c.stack) > 0 && ev.Fingerprint == "" {
				t.Errorf("no fingerprint for an error with a stack")
			}
			for _, f := range c.noVal {
				if p, ok := m.Fields()[f]; ok {
					t.Errorf("field %s mapped to %q, want unmapped", f, p)
				}
			}
		})
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
