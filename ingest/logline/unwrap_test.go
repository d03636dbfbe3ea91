package logline

import (
	"testing"
	"time"

	"github.com/culprit-dev/culprit/index"
)

// TestUnwrapPrefixes: each tool's prefix before a JSON object gives the
// object, and the service, host and time the prefix carries; text that only
// looks similar is left alone.
func TestUnwrapPrefixes(t *testing.T) {
	ts := time.Date(2026, 11, 25, 15, 17, 20, 706462573, time.UTC)
	obj := `{"msg":"x"}`
	cases := []struct {
		name, line        string
		ok                bool
		service, host, tm string
	}{
		{"kubectl --prefix", `[pod/orders-7c9f-x2/orders] ` + obj, true, "orders", "orders-7c9f-x2", ""},
		{"kubectl --prefix without kind", `[orders-7c9f-x2/orders] ` + obj, true, "orders", "orders-7c9f-x2", ""},
		{"kubectl --timestamps", `2026-11-25T15:17:20.706462573Z ` + obj, true, "", "", "ts"},
		{"kubectl both", `[pod/orders-7c9f-x2/orders] 2026-11-25T15:17:20.706462573Z ` + obj, true, "orders", "orders-7c9f-x2", "ts"},
		{"stern", `orders-7c9f-x2 orders ` + obj, true, "orders", "orders-7c9f-x2", ""},
		{"stern coloured", "\x1b[31morders-7c9f-x2\x1b[0m \x1b[32morders\x1b[0m " + obj, true, "orders", "orders-7c9f-x2", ""},
		{"compose", `orders-1      | ` + obj, true, "orders", "", ""},
		{"compose v1", `orders_1 | ` + obj, true, "orders", "", ""},
		{"compose --timestamps", `orders-1  | 2026-11-25T15:17:20.706462573Z ` + obj, true, "orders", "", "ts"},
		{"docker logs --timestamps", `2026-11-25T15:17:20.706462573Z ` + obj, true, "", "", "ts"},
		{"CRI", `2026-11-25T15:17:20.706462573Z stdout F ` + obj, true, "", "", "ts"},
		{"journalctl short-iso", `2026-11-25T15:17:20+0000 vm orders[42]: ` + obj, true, "orders", "vm", "ts"},
		{"syslog RFC 3164", `<14>Nov 25 15:17:20 vm orders[42]: ` + obj, true, "orders", "vm", ""},
		{"journalctl short", `Nov 25 15:17:20 vm orders[42]: ` + obj, true, "orders", "vm", ""},
		{"syslog RFC 5424", `<14>1 2026-11-25T15:17:20.706462573Z vm orders 42 - - ` + obj, true, "orders", "vm", "ts"},
		{"RFC 5424 with structured data", `<14>1 2026-11-25T15:17:20.706462573Z vm orders 42 ID7 [x@1 a="b"] ` + obj, true, "orders", "vm", "ts"},
		{"journalctl -o json", `{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1795619840706462","_HOSTNAME":"vm","SYSLOG_IDENTIFIER":"orders","MESSAGE":"{\"msg\":\"x\"}"}`, true, "orders", "vm", "ts"},
		{"text with a level before JSON", `INFO orders ` + obj, false, "", "", ""},
		{"text with time and level", `2026-11-25T15:17:20Z ERROR failed ` + obj, false, "", "", ""},
		{"prefix before invalid JSON", `[pod/a-1/b] {"msg":`, false, "", "", ""},
		{"prefix before text", `[pod/a-1/b] hello`, false, "", "", ""},
		{"message with a brace", `user said {"msg":"x"}`, false, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, ok := unwrap([]byte(c.line))
			if ok != c.ok {
				t.Fatalf("unwrap(%q) ok = %v, want %v", c.line, ok, c.ok)
			}
			if !ok {
				return
			}
			if string(env.content) != obj {
				t.Errorf("content %q, want %q", env.content, obj)
			}
			if env.service != c.service || env.host != c.host {
				t.Errorf("service %q host %q, want %q %q", env.service, env.host, c.service, c.host)
			}
			if (c.tm == "ts") != !env.time.IsZero() || c.tm == "ts" && !env.time.Truncate(time.Second).Equal(ts.Truncate(time.Second)) {
				t.Errorf("time %v, want %v", env.time, c.tm)
			}
		})
	}
}

// A line's own fields beat its prefix's: the JSON's time, service and host
// win; the prefix fills what the JSON lacks, and a prefixed text line keeps
// the prefix's service.
func TestPrefixFillsOnlyWhatTheLineLacks(t *testing.T) {
	m, err := Detect([][]byte{[]byte(`{"time":"2026-11-25T10:00:00Z","msg":"a"}`)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.DefaultService = "file"
	var ev index.Event
	m.Parse([]byte(`[pod/orders-7c9f-x2/orders] 2026-11-25T15:17:20Z {"time":"2026-11-25T10:00:00Z","msg":"a","service":"billing","host":"h1"}`), &ev)
	if ev.Service != "billing" || ev.Host != "h1" || ev.Time.Hour() != 10 {
		t.Errorf("own fields: service %q host %q time %v; want billing, h1, 10:00", ev.Service, ev.Host, ev.Time)
	}
	m.Parse([]byte(`[pod/orders-7c9f-x2/orders] 2026-11-25T15:17:20Z {"msg":"a"}`), &ev)
	if ev.Service != "orders" || ev.Host != "orders-7c9f-x2" || ev.Time.Hour() != 15 || ev.Text {
		t.Errorf("from the prefix: service %q host %q time %v text %v; want orders, orders-7c9f-x2, 15:17, false", ev.Service, ev.Host, ev.Time, ev.Text)
	}
}
