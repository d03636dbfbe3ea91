package logline

import (
	"testing"

	"github.com/culprit-dev/culprit/index"
)

// TestTraceConventions checks that each trace-context convention a logger
// or propagator writes gives the same canonical trace, span and parent ids.
func TestTraceConventions(t *testing.T) {
	const (
		tid  = "4bf92f3577b34da6a3ce929d0e0e4736"
		sid  = "00f067aa0ba902b7"
		psid = "53995c3f42cd8ad8"
	)
	cases := []struct {
		name, line          string
		trace, span, parent string
	}{
		{"w3c keys", `{"msg":"x","trace_id":"` + tid + `","span_id":"` + sid + `","parent_span_id":"` + psid + `"}`, tid, sid, psid},
		{"camel case", `{"msg":"x","traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"` + sid + `","parentSpanId":"` + psid + `"}`, tid, sid, psid},
		{"nested trace.id (ecs)", `{"message":"x","trace":{"id":"` + tid + `"},"span":{"id":"` + sid + `"}}`, tid, sid, ""},
		{"dotted key", `{"message":"x","trace.id":"` + tid + `","span.id":"` + sid + `"}`, tid, sid, ""},
		{"otel log4j", `{"message":"x","otelTraceID":"` + tid + `","otelSpanID":"` + sid + `"}`, tid, sid, ""},
		{"datadog decimal", `{"message":"x","dd":{"trace_id":"1234567890123456789","span_id":"987654321987654321"}}`, "112210f47de98115", "0db4da5f7ef412b1", ""},
		{"google", `{"message":"x","logging.googleapis.com/trace":"projects/p-1/traces/` + tid + `","logging.googleapis.com/spanId":"` + sid + `"}`, tid, sid, ""},
		{"traceparent header", `{"msg":"incoming","headers":{"traceparent":"00-` + tid + `-` + psid + `-01"},"span_id":"` + sid + `"}`, tid, sid, psid},
		{"traceparent alone", `{"msg":"outgoing","traceparent":"00-` + tid + `-` + sid + `-01"}`, tid, sid, ""},
		{"traceparent-shaped value under any key", `{"msg":"x","ctx":"00-` + tid + `-` + sid + `-00"}`, tid, sid, ""},
		{"b3 multi", `{"msg":"x","X-B3-TraceId":"` + tid + `","X-B3-SpanId":"` + sid + `","X-B3-ParentSpanId":"` + psid + `"}`, tid, sid, psid},
		{"b3 single", `{"msg":"x","b3":"` + tid + `-` + sid + `-1-` + psid + `"}`, tid, sid, psid},
		{"b3 sampling only", `{"msg":"x","b3":"0"}`, "", "", ""},
		{"x-ray header", `{"msg":"x","X-Amzn-Trace-Id":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=` + psid + `;Sampled=1"}`, "5759e988bd862e3fe1be46a994272793", "", psid},
		{"x-ray trace id key", `{"msg":"x","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793"}`, "5759e988bd862e3fe1be46a994272793", "", ""},
		{"log4j2 contextMap", `{"message":"x","contextMap":{"traceId":"` + tid + `","spanId":"` + sid + `"}}`, tid, sid, ""},
		{"logback mdc", `{"message":"x","mdc":{"trace_id":"` + tid + `","span_id":"` + sid + `"}}`, tid, sid, ""},
		{"python extra", `{"message":"x","extra":{"otelTraceID":"` + tid + `"}}`, tid, "", ""},
		{"context map", `{"message":"x","context":{"trace.id":"` + tid + `"}}`, tid, "", ""},
		{"all-zero ids are none", `{"msg":"x","trace_id":"00000000000000000000000000000000","dd.trace_id":"0"}`, "", "", ""},
		{"short parent_id is a row, not a span", `{"msg":"x","parent_id":42,"trace_id":"` + tid + `"}`, tid, "", ""},
		{"logfmt text", `time=2026-11-24T10:00:00Z level=error msg="boom" trace_id=` + tid + ` span_id=` + sid, tid, sid, ""},
		{"plain text traceparent", `2026-11-24 10:00:00 ERROR call failed traceparent=00-` + tid + `-` + sid + `-01`, tid, sid, ""},
		{"no trace", `{"msg":"a span of 3 days","level":"info"}`, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Detect([][]byte{[]byte(c.line)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var ev index.Event
			m.Parse([]byte(c.line), &ev)
			if ev.TraceID != c.trace || ev.SpanID != c.span || ev.ParentSpanID != c.parent {
				t.Errorf("Parse(%s): trace %q span %q parent %q, want %q %q %q", c.line, ev.TraceID, ev.SpanID, ev.ParentSpanID, c.trace, c.span, c.parent)
			}
		})
	}
}

// TestTraceOverride checks that --field trace_id=PATH reads that path.
func TestTraceOverride(t *testing.T) {
	line := []byte(`{"msg":"x","corr":{"t":"abcdef0123456789"}}`)
	m, err := Detect([][]byte{line}, map[string]string{"trace_id": "corr.t"})
	if err != nil {
		t.Fatal(err)
	}
	var ev index.Event
	m.Parse(line, &ev)
	if ev.TraceID != "abcdef0123456789" {
		t.Errorf("TraceID = %q, want abcdef0123456789", ev.TraceID)
	}
	if _, _, err := ParseOverride("span_id=a.b"); err != nil {
		t.Errorf("ParseOverride(span_id=a.b): %v", err)
	}
}
