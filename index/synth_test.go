package index

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// synth generates a realistic, deterministic stream of log events for
// benchmarks and tests: several services behind a gateway, requests spanning
// 2-6 lines across services, a few thousand users, varied messages, ~4%
// errors, a few % of them with multi-line stack traces, and lines of
// ~360 bytes on average.
type synth struct {
	rng    *rand.Rand
	t      time.Time
	line   int64
	source string

	// the request being emitted
	reqID   string
	reqUser string
	reqPath string
	reqRt   string
	reqMeth string
	reqLeft int
	reqSvc  []string
	reqFail bool
	buf     []byte
}

var (
	synthServices = []string{"gateway", "orders", "payments", "inventory", "users", "search", "auth", "notify"}
	synthRegions  = []string{"eu-west-1", "eu-central-1", "us-east-1"}
	synthRoutes   = []struct{ method, tmpl string }{
		{"GET", "/api/orders/{id}"}, {"POST", "/api/orders"}, {"GET", "/api/orders"},
		{"POST", "/api/payments/{id}/capture"}, {"GET", "/api/payments/{id}"},
		{"POST", "/v1/inventory/reserve"}, {"POST", "/v1/inventory/release"},
		{"GET", "/v1/inventory/items/{id}"}, {"GET", "/api/users/{id}"},
		{"PUT", "/api/users/{id}/profile"}, {"GET", "/api/search"}, {"POST", "/auth/login"},
		{"POST", "/auth/refresh"}, {"GET", "/api/cart"}, {"POST", "/api/cart/items"},
		{"DELETE", "/api/cart/items/{id}"}, {"GET", "/healthz"}, {"POST", "/api/notify/email"},
	}
	synthMessages = []string{
		"request completed", "request started", "cache miss for key %s", "fetched order %d from db in %dms",
		"calling downstream service %s", "payment authorized amount=%d currency=EUR",
		"reserved %d items in warehouse %s", "user session refreshed", "rate limit check passed for %s",
		"query executed rows=%d", "published event order.created id=%d", "retrying request attempt=%d",
		"slow query detected on table orders duration=%dms", "feature flag checkout.v2 evaluated to %s",
		"token validated for subject %s", "search returned %d results for term %s",
	}
	synthErrors = []struct{ typ, msg string }{
		{"ConnectionError", "dial tcp 10.0.%d.%d:5432: connect: connection refused"},
		{"TimeoutError", "context deadline exceeded after %dms calling inventory"},
		{"NullPointerException", "cannot read property total of null order %d"},
		{"ValidationError", "invalid currency code %s for order %d"},
		{"PoolExhausted", "connection pool exhausted (max=%d)"},
	}
	synthWords = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"}
)

func newSynth(seed uint64, source string) *synth {
	return &synth{
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		t:      time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC),
		source: source,
	}
}

func (s *synth) pick(xs []string) string { return xs[s.rng.IntN(len(xs))] }

func (s *synth) uuid() string {
	a, b := s.rng.Uint64(), s.rng.Uint64()
	h := fmt.Sprintf("%016x%016x", a, b)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

func (s *synth) fill(format string) string {
	var args []any
	for i := 0; i+1 < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		switch format[i+1] {
		case 'd':
			args = append(args, s.rng.IntN(5000))
		case 's':
			args = append(args, s.pick(synthWords))
		}
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

func (s *synth) newRequest() {
	s.reqID = s.uuid()
	s.reqUser = "u-" + strconv.Itoa(1000+s.rng.IntN(5000))
	r := synthRoutes[s.rng.IntN(len(synthRoutes))]
	s.reqMeth = r.method
	s.reqRt = r.method + " " + r.tmpl
	s.reqPath = r.tmpl
	if i := len(r.tmpl) - 4; i > 0 && r.tmpl[i:] == "{id}" {
		s.reqPath = r.tmpl[:i] + strconv.Itoa(s.rng.IntN(100000))
	}
	s.reqLeft = 2 + s.rng.IntN(5)
	s.reqSvc = s.reqSvc[:0]
	s.reqSvc = append(s.reqSvc, "gateway", s.pick(synthServices[1:]), s.pick(synthServices[1:]))
	s.reqFail = s.rng.IntN(100) < 4
}

func (s *synth) stack(svc string) string {
	var b []byte
	b = append(b, "goroutine "...)
	b = strconv.AppendInt(b, int64(s.rng.IntN(900)+1), 10)
	b = append(b, " [running]:\n"...)
	frames := 8 + s.rng.IntN(10)
	for i := 0; i < frames; i++ {
		fn := s.pick(synthWords)
		b = append(b, "github.com/acme/"...)
		b = append(b, svc...)
		b = append(b, "/internal/"...)
		b = append(b, fn...)
		b = append(b, ".(*Handler)."...)
		b = append(b, s.pick(synthWords)...)
		b = append(b, "(0xc000"...)
		b = strconv.AppendInt(b, int64(s.rng.IntN(99999)), 16)
		b = append(b, ")\n\t/src/"...)
		b = append(b, svc...)
		b = append(b, '/')
		b = append(b, fn...)
		b = append(b, ".go:"...)
		b = strconv.AppendInt(b, int64(s.rng.IntN(400)+1), 10)
		b = append(b, " +0x"...)
		b = strconv.AppendInt(b, int64(s.rng.IntN(4000)), 16)
		b = append(b, '\n')
	}
	return string(b)
}

// next fills ev with the next event (including Raw, a JSON line).
func (s *synth) next(ev *Event) {
	if s.reqLeft == 0 {
		s.newRequest()
	}
	s.reqLeft--
	s.line++
	// Mostly millisecond precision, some microsecond and nanosecond.
	s.t = s.t.Add(time.Duration(s.rng.IntN(40_000_000)))
	t := s.t
	switch s.rng.IntN(4) {
	case 0, 1:
		t = t.Truncate(time.Millisecond)
	case 2:
		t = t.Truncate(time.Microsecond)
	}
	svc := s.reqSvc[s.rng.IntN(len(s.reqSvc))]
	*ev = Event{
		Time:      t,
		Service:   svc,
		Host:      svc + "-" + strconv.Itoa(s.rng.IntN(3)),
		Version:   "v1." + strconv.Itoa(int(t.Sub(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))/(3*time.Hour))),
		RequestID: s.reqID,
		Method:    s.reqMeth,
		Path:      s.reqPath,
		Route:     s.reqRt,
		User:      s.reqUser,
		Level:     LevelInfo,
		Source:    s.source,
		Line:      s.line,
	}
	last := s.reqLeft == 0
	switch r := s.rng.IntN(100); {
	case s.reqFail && last:
		ev.Level = LevelError
		e := synthErrors[s.rng.IntN(len(synthErrors))]
		ev.ErrorType = e.typ
		ev.Error = s.fill(e.msg)
		ev.Message = "request failed"
		ev.Status = 500
		if s.rng.IntN(3) == 0 {
			ev.Stack = s.stack(svc)
		}
		ev.IsError = true
		ev.Fingerprint = fmt.Sprintf("%016x", uint64(len(e.typ))*0x9e3779b97f4a7c15+uint64(len(svc)))
	case r < 5:
		ev.Level = LevelDebug
		ev.Message = s.fill(s.pick(synthMessages))
	case r < 11:
		ev.Level = LevelWarn
		ev.Message = s.fill(s.pick(synthMessages))
	default:
		ev.Message = s.fill(s.pick(synthMessages))
	}
	if last && ev.Status == 0 {
		ev.Status = 200
		if s.rng.IntN(20) == 0 {
			ev.Status = 404
		}
	}
	if ev.Status != 0 {
		ev.DurationMS = float64(s.rng.IntN(200000)) / 100
	}

	b := s.buf[:0]
	b = append(b, `{"time":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"`...)
	b = append(b, ev.Level...)
	b = append(b, `","msg":`...)
	b = appendJSONString(b, ev.Message)
	b = append(b, `,"service":"`...)
	b = append(b, svc...)
	b = append(b, `","host":"`...)
	b = append(b, ev.Host...)
	b = append(b, `","version":"`...)
	b = append(b, ev.Version...)
	b = append(b, `","region":"`...)
	b = append(b, s.pick(synthRegions)...)
	b = append(b, `","request_id":"`...)
	b = append(b, ev.RequestID...)
	b = append(b, `","trace_id":"`...)
	b = fmt.Appendf(b, "%016x%016x", s.rng.Uint64(), s.rng.Uint64())
	b = append(b, `","method":"`...)
	b = append(b, ev.Method...)
	b = append(b, `","path":"`...)
	b = append(b, ev.Path...)
	b = append(b, `","user_id":"`...)
	b = append(b, ev.User...)
	b = append(b, `","caller":"`...)
	b = append(b, svc...)
	b = append(b, `/handler.go:`...)
	b = strconv.AppendInt(b, int64(20+s.rng.IntN(400)), 10)
	b = append(b, '"')
	if ev.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(ev.Status), 10)
		b = append(b, `,"duration_ms":`...)
		b = strconv.AppendFloat(b, ev.DurationMS, 'f', -1, 64)
	}
	if ev.Error != "" {
		b = append(b, `,"error_type":`...)
		b = appendJSONString(b, ev.ErrorType)
		b = append(b, `,"error":`...)
		b = appendJSONString(b, ev.Error)
	}
	if ev.Stack != "" {
		b = append(b, `,"stack":`...)
		b = appendJSONString(b, ev.Stack)
	}
	b = append(b, `,"pid":`...)
	b = strconv.AppendInt(b, int64(1000+len(svc)*7), 10)
	b = append(b, '}')
	s.buf = b
	ev.Raw = b
}

// appendJSONString appends s as a JSON string (enough for the generator's
// ASCII text: quotes, backslashes and control characters escaped).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = fmt.Appendf(b, `\u%04x`, c)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
