package main

import (
	"strconv"
	"strings"
)

// tmpl is a URL path with {placeholders} filled from the request.
type tmpl struct {
	raw  string
	segs []tseg
}

type tseg struct {
	lit string
	ph  string
}

func compileTmpl(s string) tmpl {
	t := tmpl{raw: s}
	for len(s) > 0 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t.segs = append(t.segs, tseg{lit: s})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			t.segs = append(t.segs, tseg{lit: s})
			break
		}
		if i > 0 {
			t.segs = append(t.segs, tseg{lit: s[:i]})
		}
		t.segs = append(t.segs, tseg{ph: s[i+1 : i+j]})
		s = s[i+j+1:]
	}
	return t
}

func (t tmpl) render(b []byte, q *request) []byte {
	for _, s := range t.segs {
		if s.ph == "" {
			b = append(b, s.lit...)
			continue
		}
		switch s.ph {
		case "order":
			b = strconv.AppendInt(b, q.order, 10)
		case "user":
			b = append(b, q.uid...)
		case "cart":
			b = append(b, q.cart...)
		case "item":
			b = strconv.AppendInt(b, q.item, 10)
		case "product":
			b = strconv.AppendInt(b, q.product, 10)
		case "payment":
			b = strconv.AppendInt(b, q.payment, 10)
		case "warehouse":
			b = strconv.AppendInt(b, q.ware, 10)
		case "notif":
			b = strconv.AppendInt(b, q.notif, 10)
		case "email":
			b = append(b, q.email...)
		case "q":
			b = append(b, q.qURL...)
		case "page":
			b = strconv.AppendInt(b, q.page, 10)
		}
	}
	return b
}

// encode appends r in its service's logger convention.
func (g *gen) encode(b []byte, r *rec) []byte {
	switch r.svc {
	case svcGateway:
		return g.encPino(b, r)
	case svcOrders:
		return g.encSlog(b, r)
	case svcPayments:
		return g.encZap(b, r)
	case svcInventory:
		return g.encStructlog(b, r)
	case svcUsers:
		return g.encECS(b, r)
	case svcSearch:
		return g.encLogrus(b, r)
	default:
		return g.encOTel(b, r)
	}
}

func (g *gen) path(r *rec) string {
	g.pathBuf = r.ep.path.render(g.pathBuf[:0], &g.q)
	return string(g.pathBuf)
}

// extras adds the attributes a handler logs about its domain objects.
func (g *gen) extras(w *jw, r *rec, snake bool) {
	q := &g.q
	if r.ep == nil || r.bg {
		return
	}
	name := func(s, c string) string {
		if snake {
			return s
		}
		return c
	}
	switch r.ep.kind {
	case exOrder:
		w.int(name("order_id", "orderId"), q.order)
		if r.access {
			w.int(name("item_count", "itemCount"), q.items)
			w.int(name("total_cents", "totalCents"), 499+q.order%40000)
		}
	case exCart:
		w.str(name("cart_id", "cartId"), q.cart)
		if r.access {
			w.int(name("item_count", "itemCount"), q.items)
		}
	case exPayment:
		w.str(name("payment_id", "paymentId"), "pi_3Q"+strconv.FormatInt(q.payment*7907, 36)+"Lk")
		if r.access {
			w.int("amount", 499+q.order%40000)
			w.str("currency", "EUR")
		}
	case exProduct:
		w.int(name("product_id", "productId"), q.product)
		if r.access {
			w.int(name("warehouse_id", "warehouseId"), q.ware)
			w.int("available", q.product%53)
		}
	case exSearch:
		w.str("query", q.q)
		if r.access {
			w.int("hits", (q.product%300)*int64(len(q.q)%3))
			w.int("page", max(q.page, 1))
		}
	case exWebhook:
		w.str(name("event_type", "eventType"), "payment_intent.succeeded")
		w.str(name("event_id", "eventId"), "evt_3Q"+strconv.FormatInt(q.notif*31, 36))
	}
	for i := range r.nkv {
		w.kv(&r.kv[i])
	}
}

var pinoLevels = [...]int64{20, 30, 40, 50}

func (g *gen) encPino(b []byte, r *rec) []byte {
	q := &g.q
	w := jw{b: b}
	w.open()
	w.int("level", pinoLevels[r.level])
	w.int("time", r.t/1e6)
	w.int("pid", r.rel.pids[r.host])
	w.str("hostname", r.rel.hosts[r.host])
	w.str("version", r.rel.version)
	if r.gwReq {
		// The req and res serializers are trimmed, as production services
		// usually configure them, to keep lines short.
		w.obj("req")
		w.str("id", q.id)
		w.str("method", q.rt.method)
		w.key("url")
		w.b = appendStr(w.b, string(q.url))
		w.obj("headers")
		w.str("user-agent", q.ua)
		if !q.noLang {
			w.str("accept-language", "en-GB,en;q=0.9")
		}
		w.close()
		w.close()
	}
	if r.gwRes {
		w.obj("res")
		w.int("statusCode", int64(r.status))
		w.close()
		if r.errMsg != "" {
			g.pinoErr(&w, r)
		}
		w.int("responseTime", (r.durNS+500_000)/1e6)
	} else if r.errMsg != "" {
		g.pinoErr(&w, r)
	}
	if !r.bg && q.user >= 0 {
		w.str("userId", q.uid)
	}
	for i := range r.nkv {
		w.kv(&r.kv[i])
	}
	w.str("msg", r.msg)
	w.close()
	return w.b
}

func (g *gen) pinoErr(w *jw, r *rec) {
	w.obj("err")
	w.str("type", r.errType)
	w.str("message", r.errMsg)
	w.str("stack", r.stack)
	if strings.HasPrefix(r.errMsg, "connect ECONNREFUSED") {
		w.int("errno", -111)
		w.str("code", "ECONNREFUSED")
		w.str("syscall", "connect")
	} else if r.errMsg == "socket hang up" {
		w.str("code", "ECONNRESET")
	}
	w.close()
}

var slogLevels = [...]string{"DEBUG", "INFO", "WARN", "ERROR"}

func (g *gen) encSlog(b []byte, r *rec) []byte {
	q := &g.q
	w := jw{b: b}
	w.open()
	w.key("time")
	w.b = append(w.b, '"')
	w.b = utc(r.t).AppendFormat(w.b, "2006-01-02T15:04:05.999999999Z07:00")
	w.b = append(w.b, '"')
	w.str("level", slogLevels[r.level])
	w.str("msg", r.msg)
	w.str("service", "orders")
	w.str("version", r.rel.version)
	w.str("host", r.rel.hosts[r.host])
	if !r.bg {
		w.str("request_id", q.id)
		if q.user >= 0 {
			w.str("user_id", q.uid)
		}
		if r.http {
			w.str("method", r.ep.method)
			w.str("path", g.path(r))
			w.str("route", r.ep.route)
		}
	}
	g.extras(&w, r, true)
	if r.access {
		w.int("status", int64(r.status))
		w.float("duration_ms", float64(r.durNS)/1e6, 3)
	}
	if r.errMsg != "" {
		w.str("error", r.errMsg)
	}
	if r.stack != "" {
		w.str("stack", r.stack)
	}
	if r.bg {
		for i := range r.nkv {
			w.kv(&r.kv[i])
		}
	}
	w.close()
	return w.b
}

// lineOffset spreads a handler's log calls over a few lines.
func lineOffset(r *rec) int {
	switch {
	case r.errMsg != "":
		return 9
	case r.access:
		return 14
	}
	return 2
}

var zapLevels = [...]string{"debug", "info", "warn", "error"}

func (g *gen) encZap(b []byte, r *rec) []byte {
	q := &g.q
	w := jw{b: b}
	w.open()
	w.str("level", zapLevels[r.level])
	w.float("ts", float64(r.t)/1e9, -1)
	w.key("caller")
	w.b = append(w.b, '"')
	if r.ep != nil {
		w.b = append(w.b, r.ep.file...)
		w.b = append(w.b, ':')
		w.b = strconv.AppendInt(w.b, int64(shiftLine(r.ep.line+lineOffset(r), r.rel.rev)), 10)
	} else {
		w.b = append(w.b, "app/worker.go:"...)
		w.b = strconv.AppendInt(w.b, int64(shiftLine(131, r.rel.rev)), 10)
	}
	w.b = append(w.b, '"')
	w.str("msg", r.msg)
	w.str("service", "payments")
	w.str("version", r.rel.version)
	w.str("host", r.rel.hosts[r.host])
	if !r.bg {
		w.str("requestId", q.id)
		if q.user >= 0 {
			w.str("userId", q.uid)
		}
		if r.http {
			w.str("method", r.ep.method)
			w.str("path", g.path(r))
		}
	}
	g.extras(&w, r, false)
	if r.access {
		w.int("status", int64(r.status))
		w.float("duration", float64(r.durNS)/1e9, -1)
	}
	if r.errMsg != "" {
		w.str("error", r.errMsg)
	}
	if r.bg {
		for i := range r.nkv {
			w.kv(&r.kv[i])
		}
	}
	if r.stack != "" {
		w.str("stacktrace", r.stack)
	}
	w.close()
	return w.b
}

func (g *gen) encStructlog(b []byte, r *rec) []byte {
	q := &g.q
	w := jw{b: b, py: true}
	w.open()
	if !r.bg {
		w.str("request_id", q.id)
		if q.user >= 0 {
			w.str("user_id", q.uid)
		}
		if r.http {
			w.str("method", r.ep.method)
			w.str("path", g.path(r))
		}
	}
	g.extras(&w, r, true)
	if r.bg {
		for i := range r.nkv {
			w.kv(&r.kv[i])
		}
	}
	if r.access {
		w.int("status_code", int64(r.status))
		w.float("duration_ms", float64(r.durNS)/1e6, 2)
	}
	w.str("event", r.msg)
	w.str("service", "inventory")
	w.str("version", r.rel.version)
	w.str("host", r.rel.hosts[r.host])
	w.str("level", zapLevels[r.level])
	if r.ep != nil {
		w.str("logger", r.ep.logger)
	} else {
		w.str("logger", "inventory.jobs")
	}
	w.key("timestamp")
	w.b = append(w.b, '"')
	t := utc(r.t)
	if t.Nanosecond()/1000 == 0 {
		w.b = t.AppendFormat(w.b, "2006-01-02T15:04:05Z")
	} else {
		w.b = t.AppendFormat(w.b, "2006-01-02T15:04:05.000000Z")
	}
	w.b = append(w.b, '"')
	if r.stack != "" {
		w.str("exception", r.stack)
	}
	w.close()
	return w.b
}

var ecsLevels = [...]string{"DEBUG", "INFO", "WARN", "ERROR"}

func (g *gen) encECS(b []byte, r *rec) []byte {
	q := &g.q
	// ecs-logging-java writes its first fields with this exact spacing.
	b = append(b, `{"@timestamp":"`...)
	b = utc(r.t).AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `", "log.level": "`...)
	b = append(b, ecsLevels[r.level]...)
	b = append(b, `", "message":`...)
	b = appendStr(b, r.msg)
	b = append(b, `, "ecs.version": "1.2.0"`...)
	w := jw{b: b}
	w.str("service.name", "users")
	w.str("service.version", r.rel.version)
	w.str("service.node.name", r.rel.hosts[r.host])
	w.str("process.thread.name", "http-nio-8080-exec-"+strconv.Itoa(1+int(g.q.n%10)))
	if r.ep != nil {
		w.str("log.logger", r.ep.logger)
	} else {
		w.str("log.logger", "com.acme.users.jobs.Maintenance")
	}
	if !r.bg {
		w.str("http.request.id", q.id)
		if q.user >= 0 {
			w.str("user.id", q.uid)
		}
		if r.http {
			w.str("http.request.method", r.ep.method)
			w.str("url.path", g.path(r))
		}
	}
	if r.access {
		w.int("http.response.status_code", int64(r.status))
		w.int("event.duration", r.durNS)
	}
	if r.bg {
		for i := range r.nkv {
			w.kv(&r.kv[i])
		}
	}
	if r.errMsg != "" {
		w.str("error.type", r.errType)
		w.str("error.message", r.errMsg)
		if r.stack != "" {
			w.str("error.stack_trace", r.stack)
		}
	}
	w.close()
	return w.b
}

var logrusLevels = [...]string{"debug", "info", "warning", "error"}

// encLogrus writes logrus's JSONFormatter output: keys sorted, as
// encoding/json writes a map.
func (g *gen) encLogrus(b []byte, r *rec) []byte {
	q := &g.q
	var a [20]kv
	n := 0
	put := func(x kv) {
		if n < len(a) {
			a[n] = x
			n++
		}
	}
	put(kvs("level", logrusLevels[r.level]))
	put(kvs("msg", r.msg))
	// TimestampFormat set to milliseconds, as services whose lines are
	// correlated with others' usually configure it (the default is seconds).
	put(kvs("time", utc(r.t).Format("2006-01-02T15:04:05.000Z07:00")))
	put(kvs("service", "search"))
	put(kvs("version", r.rel.version))
	put(kvs("host", r.rel.hosts[r.host]))
	if !r.bg {
		put(kvs("request_id", q.id))
		if q.user >= 0 {
			put(kvs("user_id", q.uid))
		}
		if r.http {
			put(kvs("method", r.ep.method))
			put(kvs("path", g.path(r)))
			put(kvs("query", q.q))
		}
	}
	if r.access {
		put(kvi("status", int64(r.status)))
		put(kvf("duration_ms", float64(r.durNS)/1e6))
		put(kvi("hits", (q.product%300)*int64(len(q.q)%3)))
	}
	if r.errMsg != "" {
		put(kvs("error", r.errMsg))
	}
	for i := range r.nkv {
		put(r.kv[i])
	}
	s := a[:n]
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].k < s[j-1].k; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	w := jw{b: b}
	w.open()
	w.kvs(s)
	w.close()
	return w.b
}

var otelSeverity = [...]struct {
	n    int64
	text string
}{{5, "Debug"}, {9, "Information"}, {13, "Warning"}, {17, "Error"}}

func (g *gen) encOTel(b []byte, r *rec) []byte {
	q := &g.q
	w := jw{b: b}
	w.open()
	w.str("timeUnixNano", strconv.FormatInt(r.t, 10))
	sev := otelSeverity[r.level]
	w.int("severityNumber", sev.n)
	w.str("severityText", sev.text)
	w.str("body", r.msg)
	if !r.bg {
		w.str("traceId", q.id)
		w.key("spanId")
		w.b = append(w.b, '"')
		w.b = appendHex(w.b, uint64(q.n)*0x9e3779b97f4a7c15^uint64(r.t), 16)
		w.b = append(w.b, '"')
	}
	w.str("service.name", "notifications")
	w.str("service.version", r.rel.version)
	w.str("host.name", r.rel.hosts[r.host])
	if r.ep != nil {
		w.str("logger.name", r.ep.logger)
	}
	if !r.bg {
		if q.user >= 0 {
			w.str("enduser.id", q.uid)
		}
		if r.ep != nil && r.ep.async {
			w.str("messaging.system", "rabbitmq")
			w.str("messaging.destination.name", "order-events")
			w.str("Queue", "order-events")
			w.str("Template", q.template)
			w.str("Channel", q.channel)
		} else if r.ep != nil {
			w.str("http.request.method", r.ep.method)
			w.str("url.path", g.path(r))
			w.str("http.route", r.ep.route)
		}
		if r.access && r.ep != nil && !r.ep.async {
			w.int("http.response.status_code", int64(r.status))
		}
		if r.access {
			w.float("duration_ms", float64(r.durNS)/1e6, 1)
		}
	}
	for i := range r.nkv {
		w.kv(&r.kv[i])
	}
	if r.errMsg != "" {
		w.str("exception.type", r.errType)
		w.str("exception.message", r.errMsg)
		if r.stack != "" {
			w.str("exception.stacktrace", r.stack)
		}
	}
	w.close()
	return w.b
}
