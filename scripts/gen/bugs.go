package main

import (
	"strconv"
	"strings"
	"time"
)

// Scenarios: the cause each bug was designed to exhibit, in the vocabulary of
// culprit's verdicts. Whether culprit reaches that verdict also depends on
// the rule order of docs/design.md (a data-specific bug present from the start is
// "pre-existing" there).
const (
	scRegression = "deployment-regression"
	scDependency = "dependency-failure"
	scData       = "data-specific-bug"
	scCodePath   = "code-path-bug"
	scPre        = "pre-existing"
)

// bug is one distinct failure the corpus contains.
type bug struct {
	idx      int
	name     string
	scenario string
	svc      int
	eps      []*endpoint // nil: every endpoint of svc
	prob     float64     // per eligible request while active
	onset    float64     // fraction of the span before which it never fires
	window   time.Duration
	release  bool                    // fires only on releases carrying it
	when     func(q *request) bool   // data condition, nil = always
	gwRoute  func(rt *route) bool    // gateway bugs: which routes
	rollout  time.Duration           // gateway bug: only this long after a backend deploy
	status   int                     // the failing service's HTTP status
	timeout  float64                 // ms the failing call hangs first
	logMsg   string                  // message of the error line
	errType  string                  // exception class / error kind
	msg      func(q *request) string // error message
	stack    string                  // template (see compileStack); "" = none
	stackTpl []seg
	note     string
}

// Markers in stack templates: {G} goroutine id, {P} heap pointer, {Ln} an
// in-app line number n that moves between code revisions, {Ohex} a +0x
// offset that moves between builds, {M} the error message; `\t` is a tab.
type seg struct {
	lit  string
	kind byte // 0 literal, 'G', 'P', 'L', 'O', 'M'
	n    int
}

func compileStack(s string) []seg {
	s = strings.ReplaceAll(s, `\t`, "\t")
	s = strings.TrimPrefix(s, "\n")
	var out []seg
	for len(s) > 0 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			out = append(out, seg{lit: s})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		m := ""
		if j > 0 {
			m = s[i+1 : i+j]
		}
		kind, n, ok := parseMarker(m)
		if !ok {
			out = append(out, seg{lit: s[:i+1]})
			s = s[i+1:]
			continue
		}
		if i > 0 {
			out = append(out, seg{lit: s[:i]})
		}
		out = append(out, seg{kind: kind, n: n})
		s = s[i+j+1:]
	}
	return out
}

func parseMarker(m string) (byte, int, bool) {
	switch {
	case m == "G" || m == "P" || m == "M":
		return m[0], 0, true
	case len(m) > 1 && m[0] == 'L':
		n, err := strconv.Atoi(m[1:])
		return 'L', n, err == nil
	case len(m) > 1 && m[0] == 'O':
		n, err := strconv.ParseInt(m[1:], 16, 32)
		return 'O', int(n), err == nil
	}
	return 0, 0, false
}

func (b *bug) compile() {
	if b.stack != "" {
		b.stackTpl = compileStack(b.stack)
	}
}

// shiftLine moves in-app line n for code revision rev, the way edits above a
// function move its line numbers between releases.
func shiftLine(n, rev int) int { return n + rev*(n%7+2) }

func constMsg(s string) func(*request) string { return func(*request) string { return s } }

const goPanicHead = `
goroutine {G} [running]:
runtime/debug.Stack()
\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e
github.com/acme/shop/orders/internal/httpx.Recoverer.func1.1()
\t/src/internal/httpx/recover.go:{L29} +0x{O6c}
panic({0xb4c2a0?, {P}?})
\t/usr/local/go/src/runtime/panic.go:792 +0x132
`

const goPanicTail = `net/http.HandlerFunc.ServeHTTP({P}?, {0xd1e2a8?, {P}?}, {P}?)
\t/usr/local/go/src/net/http/server.go:2294 +0x29
github.com/acme/shop/orders/internal/httpx.Recoverer.func1({0xd1e2a8, {P}}, {P})
\t/src/internal/httpx/recover.go:{L41} +0x{O8e}
net/http.HandlerFunc.ServeHTTP({P}?, {0xd1e2a8?, {P}?}, {P}?)
\t/usr/local/go/src/net/http/server.go:2294 +0x29
net/http.(*ServeMux).ServeHTTP({P}?, {0xd1e2a8, {P}}, {P})
\t/usr/local/go/src/net/http/server.go:2822 +0x1c4
net/http.serverHandler.ServeHTTP({{P}?}, {0xd1e2a8?, {P}?}, 0x6?)
\t/usr/local/go/src/net/http/server.go:3301 +0x8e
net/http.(*conn).serve({P}, {0xd1f0c0, {P}})
\t/usr/local/go/src/net/http/server.go:2102 +0x625
created by net/http.(*Server).Serve in goroutine 1
\t/usr/local/go/src/net/http/server.go:3454 +0x485
`

const zapTail = `
net/http.HandlerFunc.ServeHTTP
\t/usr/local/go/src/net/http/server.go:2294
github.com/go-chi/chi/v5.(*Mux).routeHTTP
\t/go/pkg/mod/github.com/go-chi/chi/v5@v5.2.1/mux.go:478
net/http.HandlerFunc.ServeHTTP
\t/usr/local/go/src/net/http/server.go:2294
github.com/acme/shop/payments/internal/api.requestLogger.func1
\t/src/internal/api/middleware.go:{L48}
net/http.HandlerFunc.ServeHTTP
\t/usr/local/go/src/net/http/server.go:2294
github.com/go-chi/chi/v5.(*Mux).ServeHTTP
\t/go/pkg/mod/github.com/go-chi/chi/v5@v5.2.1/mux.go:90
net/http.serverHandler.ServeHTTP
\t/usr/local/go/src/net/http/server.go:3301
net/http.(*conn).serve
\t/usr/local/go/src/net/http/server.go:2102`

const pyHead = `
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/starlette/middleware/errors.py", line 165, in __call__
    await self.app(scope, receive, _send)
  File "/usr/local/lib/python3.12/site-packages/starlette/routing.py", line 73, in app
    response = await f(request)
               ^^^^^^^^^^^^^^^^
  File "/usr/local/lib/python3.12/site-packages/fastapi/routing.py", line 301, in app
    raw_response = await run_endpoint_function(
                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/local/lib/python3.12/site-packages/fastapi/routing.py", line 212, in run_endpoint_function
    return await dependant.call(**values)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
`

func javaTail(httpMethod string) string {
	return `\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)
\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)
\tat org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:188)
\tat org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:118)
\tat org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod(RequestMappingHandlerAdapter.java:986)
\tat org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.handleInternal(RequestMappingHandlerAdapter.java:891)
\tat org.springframework.web.servlet.mvc.method.AbstractHandlerMethodAdapter.handle(AbstractHandlerMethodAdapter.java:87)
\tat org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)
\tat org.springframework.web.servlet.DispatcherServlet.doService(DispatcherServlet.java:979)
\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)
\tat org.springframework.web.servlet.FrameworkServlet.do` + httpMethod + `(FrameworkServlet.java:903)
\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:564)
\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)
\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)
\tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:195)
\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:140)
\tat org.springframework.web.filter.OncePerRequestFilter.doFilter(OncePerRequestFilter.java:116)
\tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:167)
\tat org.apache.catalina.core.StandardContextValve.invoke(StandardContextValve.java:90)
\tat org.apache.catalina.connector.CoyoteAdapter.service(CoyoteAdapter.java:344)
\tat org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:391)
\tat org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1744)
\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)
\tat java.base/java.lang.Thread.run(Thread.java:1583)`
}

const nodeTail = `
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)
    at next (/app/node_modules/express/lib/router/route.js:149:13)
    at Route.dispatch (/app/node_modules/express/lib/router/route.js:119:3)
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)
    at /app/node_modules/express/lib/router/index.js:284:15
    at Function.process_params (/app/node_modules/express/lib/router/index.js:346:12)
    at next (/app/node_modules/express/lib/router/index.js:280:10)`

const dotnetTail = `
   at Acme.Notifications.Messaging.RabbitConsumer` + "`" + `1.HandleAsync(BasicDeliverEventArgs args, CancellationToken ct) in /src/Notifications/Messaging/RabbitConsumer.cs:line {L88}
   at RabbitMQ.Client.Events.AsyncEventingBasicConsumer.HandleBasicDeliver(String consumerTag, UInt64 deliveryTag, Boolean redelivered, String exchange, String routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory` + "`" + `1 body)`

// Bad data, chosen by stable properties of users and products.
// Users are indexed by activity rank (0 is the busiest); the sets pick
// ~1-2% of the 2,000 most active users.
func legacyAccount(u int) bool     { return u >= 0 && u < 2000 && (u*7919+13)%67 == 5 }
func noShippingAddress(u int) bool { return u >= 0 && u < 2000 && (u*104729+7)%61 == 11 }
func nullAddress(u int) bool       { return u >= 0 && u < 2000 && (u*1299709+3)%59 == 17 }
func blankLocale(u int) bool       { return u >= 0 && u < 2000 && (u*15485863+1)%53 == 23 }
func zeroVelocity(p int64) bool    { return p%97 == 0 }
func naStock(p int64) bool         { return p%131 == 7 }

// catalogue returns the distinct bugs of the corpus, in a fixed order.
func catalogue(oGet, oCreate, oCancel, oCartAdd, oCheckout, pCharge, pRefund, pWebhook, iStock, iReserve, iWarehouse, uPatch, uAddr, uAddrAdd, uRefresh, sSearch, sSuggest, nSend *endpoint) []*bug {
	eps := func(e ...*endpoint) []*endpoint { return e }
	return []*bug{
		// --- orders: Go, slog; panics recovered with debug.Stack() ---
		{name: "orders-discount-index-out-of-range", scenario: scRegression, svc: svcOrders, eps: eps(oCreate, oCheckout), prob: 0.3, release: true,
			status: 500, logMsg: "panic recovered", errType: "runtime.boundsError",
			msg: func(q *request) string {
				n := strconv.FormatInt(q.items, 10)
				return "runtime error: index out of range [" + n + "] with length " + n
			},
			stack: goPanicHead + `github.com/acme/shop/orders/internal/pricing.ApplyDiscounts({{P}, 0x3, 0x4}, {0x0, 0x0, 0x0})
\t/src/internal/pricing/discounts.go:{L88} +0x{O2f4}
github.com/acme/shop/orders/internal/pricing.(*Engine).Price({P}, {0xd1f0c0, {P}}, {P})
\t/src/internal/pricing/engine.go:{L132} +0x{O1b1}
github.com/acme/shop/orders/internal/api.(*Server).checkout({P}, {0xd1e2a8, {P}}, {P})
\t/src/internal/api/checkout.go:{L71} +0x{O3a5}
` + goPanicTail,
			note: "orders 2.14.0 indexes the discount tiers by item count; rolled back to 2.13.4"},
		{name: "orders-nil-shipping-address", scenario: scData, svc: svcOrders, eps: eps(oGet), prob: 0.6,
			when:   func(q *request) bool { return noShippingAddress(q.user) },
			status: 500, logMsg: "panic recovered", errType: "runtime.Error",
			msg: constMsg("runtime error: invalid memory address or nil pointer dereference"),
			stack: goPanicHead + `github.com/acme/shop/orders/internal/orders.(*Order).ShippingLabel(...)
\t/src/internal/orders/order.go:{L214}
github.com/acme/shop/orders/internal/api.(*Server).getOrder({P}, {0xd1e2a8, {P}}, {P})
\t/src/internal/api/orders.go:{L83} +0x{O27c}
` + goPanicTail,
			note: "orders of users without a shipping address; present from the start"},
		{name: "orders-coupon-nil-map", scenario: scCodePath, svc: svcOrders, eps: eps(oCartAdd), prob: 0.35, onset: couponFlagOn,
			status: 500, logMsg: "panic recovered", errType: "runtime.plainError",
			msg: constMsg("assignment to entry in nil map"),
			stack: goPanicHead + `github.com/acme/shop/orders/internal/cart.(*Cart).ApplyCoupon({P}, {{P}, 0xa})
\t/src/internal/cart/coupons.go:{L57} +0x{O11a}
github.com/acme/shop/orders/internal/api.(*Server).addCartItem({P}, {0xd1e2a8, {P}}, {P})
\t/src/internal/api/cart.go:{L98} +0x{O2e1}
` + goPanicTail,
			note: "the coupons feature flag is switched on (no deploy); adding to a cart breaks for most users"},
		{name: "orders-deadlock", scenario: scPre, svc: svcOrders, eps: eps(oCancel), prob: 0.01,
			status: 500, logMsg: "cancel order failed", errType: "*pgconn.PgError",
			msg:  constMsg("ERROR: deadlock detected (SQLSTATE 40P01)"),
			note: "rare lock-order deadlock, no stack"},
		{name: "orders-inventory-timeout", scenario: scDependency, svc: svcOrders, eps: eps(oCartAdd), prob: 0.003, timeout: 2000,
			status: 500, logMsg: "stock check failed", errType: "*url.Error",
			msg: func(q *request) string {
				return `Get "http://inventory.shop.svc.cluster.local:8000/products/` + strconv.FormatInt(q.product, 10) + `/stock": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
			},
			note: "client timeout calling inventory, no stack"},
		{name: "orders-postgres-refused", scenario: scDependency, svc: svcOrders, prob: 0.85, onset: pgOutageAt, window: pgOutageFor,
			status: 503, logMsg: "database unavailable", errType: "*pgconn.ConnectError",
			msg: func(q *request) string {
				return "failed to connect to `user=orders database=orders`: 10.0.3." + strconv.Itoa(17+int(q.n%3)) + ":5432 (postgres-main.db.svc.cluster.local): dial error: dial tcp 10.0.3." + strconv.Itoa(17+int(q.n%3)) + ":5432: connect: connection refused"
			},
			note: "postgres-main outage"},

		// --- payments: Go, zap production; stacktrace field ---
		{name: "payments-webhook-unmarshal", scenario: scRegression, svc: svcPayments, eps: eps(pWebhook), prob: 0.25, release: true,
			status: 500, logMsg: "webhook processing failed", errType: "*json.UnmarshalTypeError",
			msg: constMsg("json: cannot unmarshal number into Go struct field PaymentIntent.data.object.amount_received of type string"),
			stack: `
github.com/acme/shop/payments/internal/webhook.(*Processor).Handle
\t/src/internal/webhook/processor.go:{L97}
github.com/acme/shop/payments/internal/api.(*Handler).StripeWebhook
\t/src/internal/api/webhooks.go:{L71}` + zapTail,
			note: "payments 3.8.0 changed the webhook struct; never fixed in the window"},
		{name: "payments-invalid-currency", scenario: scData, svc: svcPayments, eps: eps(pCharge), prob: 0.9,
			when:   func(q *request) bool { return legacyAccount(q.user) },
			status: 500, logMsg: "charge failed", errType: "*charge.CurrencyError",
			msg: func(q *request) string {
				return `unsupported settlement currency "` + [...]string{"VEF", "ZWL", "SLL"}[q.user%3] + `" for account acct_1` + strconv.Itoa(100000+q.user)
			},
			stack: `
github.com/acme/shop/payments/internal/charge.(*Service).Create
\t/src/internal/charge/service.go:{L142}
github.com/acme/shop/payments/internal/api.(*Handler).Charge
\t/src/internal/api/charges.go:{L103}` + zapTail,
			note: "legacy accounts settle in retired currencies; present from the start"},
		{name: "payments-idempotency-error", scenario: scPre, svc: svcPayments, eps: eps(pRefund), prob: 0.02,
			status: 500, logMsg: "refund failed", errType: "*stripe.Error",
			msg: func(q *request) string {
				return `{"status":400,"message":"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'refund-` + strconv.FormatInt(q.payment, 10) + `' if you meant to execute a different request.","request_id":"req_` + q.short + `","type":"idempotency_error"}`
			},
			stack: `
github.com/acme/shop/payments/internal/refund.(*Service).Create
\t/src/internal/refund/service.go:{L66}
github.com/acme/shop/payments/internal/api.(*Handler).Refund
\t/src/internal/api/refunds.go:{L52}` + zapTail,
			note: "retried refunds reuse their idempotency key"},
		{name: "payments-duplicate-charge", scenario: scPre, svc: svcPayments, eps: eps(pCharge), prob: 0.004,
			status: 500, logMsg: "charge failed", errType: "*pgconn.PgError",
			msg: constMsg(`ERROR: duplicate key value violates unique constraint "charges_idempotency_key_key" (SQLSTATE 23505)`),
			stack: `
github.com/acme/shop/payments/internal/store.(*Charges).Insert
\t/src/internal/store/charges.go:{L39}
github.com/acme/shop/payments/internal/charge.(*Service).Create
\t/src/internal/charge/service.go:{L118}
github.com/acme/shop/payments/internal/api.(*Handler).Charge
\t/src/internal/api/charges.go:{L103}` + zapTail,
			note: "double-submitted checkouts race on insert"},
		{name: "payments-stripe-timeout", scenario: scDependency, svc: svcPayments, eps: eps(pCharge, pRefund), prob: 0.7, onset: stripeSlowAt, window: stripeSlowFor, timeout: 10000,
			status: 504, logMsg: "payment provider request failed", errType: "*url.Error",
			msg: func(q *request) string {
				return `Post "https://api.stripe.com/v1/payment_intents": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`
			},
			stack: `
github.com/acme/shop/payments/internal/stripeclient.(*Client).do
\t/src/internal/stripeclient/client.go:{L211}
github.com/acme/shop/payments/internal/stripeclient.(*Client).CreatePaymentIntent
\t/src/internal/stripeclient/intents.go:{L34}
github.com/acme/shop/payments/internal/charge.(*Service).Create
\t/src/internal/charge/service.go:{L97}
github.com/acme/shop/payments/internal/api.(*Handler).Charge
\t/src/internal/api/charges.go:{L103}` + zapTail,
			note: "the payment provider is degraded for 12 minutes"},

		// --- inventory: Python, structlog; tracebacks in "exception" ---
		{name: "inventory-keyerror-warehouse", scenario: scRegression, svc: svcInventory, eps: eps(iReserve), prob: 0.35, release: true,
			status: 500, logMsg: "unhandled exception", errType: "KeyError",
			msg: constMsg("'warehouse_id'"),
			stack: pyHead + `  File "/app/inventory/api/reserve.py", line {L88}, in reserve
    allocation = await allocator.allocate(payload)
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/app/inventory/domain/allocator.py", line {L142}, in allocate
    warehouse_id = payload["warehouse_id"]
                   ~~~~~~~^^^^^^^^^^^^^^^^
KeyError: {M}`,
			note: "inventory 1.42.0 expects a field old clients do not send; fixed in 1.42.1"},
		{name: "inventory-zero-velocity", scenario: scData, svc: svcInventory, eps: eps(iStock), prob: 1, onset: zeroVelocityAt,
			when:   func(q *request) bool { return zeroVelocity(q.product) },
			status: 500, logMsg: "unhandled exception", errType: "ZeroDivisionError",
			msg: constMsg("division by zero"),
			stack: pyHead + `  File "/app/inventory/api/stock.py", line {L41}, in get_stock
    eta = restock.eta(product)
          ^^^^^^^^^^^^^^^^^^^^
  File "/app/inventory/domain/restock.py", line {L77}, in eta
    days = product.on_order / product.sales_velocity
           ~~~~~~~~~~~~~~~~~^~~~~~~~~~~~~~~~~~~~~~~~
ZeroDivisionError: {M}`,
			note: "a product import adds products that never sold"},
		{name: "inventory-redis-timeout", scenario: scDependency, svc: svcInventory, prob: 0.0015,
			status: 500, logMsg: "unhandled exception", errType: "redis.exceptions.TimeoutError",
			msg: constMsg("Timeout reading from socket"),
			stack: pyHead + `  File "/app/inventory/cache.py", line {L52}, in cached
    hit = await self._redis.get(key)
          ^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/local/lib/python3.12/site-packages/redis/asyncio/client.py", line 612, in execute_command
    return await conn.retry.call_with_retry(
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/local/lib/python3.12/site-packages/redis/asyncio/connection.py", line 569, in read_response
    raise TimeoutError(f"Timeout reading from {host_error}")
redis.exceptions.TimeoutError: {M}`,
			note: "sporadic cache timeouts"},
		{name: "inventory-none-quantity", scenario: scPre, svc: svcInventory, eps: eps(iWarehouse), prob: 0.05,
			status: 500, logMsg: "unhandled exception", errType: "AttributeError",
			msg: constMsg("'NoneType' object has no attribute 'quantity'"),
			stack: pyHead + `  File "/app/inventory/api/warehouses.py", line {L63}, in warehouse_stock
    return [serialize(row) for row in rows]
            ^^^^^^^^^^^^^^
  File "/app/inventory/api/serializers.py", line {L19}, in serialize
    "available": row.level.quantity - row.reserved,
                 ^^^^^^^^^^^^^^^^^^
AttributeError: {M}`,
			note: "warehouse rows without a stock level"},
		{name: "inventory-invalid-literal", scenario: scData, svc: svcInventory, eps: eps(iStock), prob: 1,
			when:   func(q *request) bool { return naStock(q.product) },
			status: 500, logMsg: "unhandled exception", errType: "ValueError",
			msg: constMsg("invalid literal for int() with base 10: 'N/A'"),
			stack: pyHead + `  File "/app/inventory/api/stock.py", line {L38}, in get_stock
    on_hand = int(record["on_hand"])
              ^^^^^^^^^^^^^^^^^^^^^^
ValueError: {M}`,
			note: "supplier feed writes N/A for some products; present from the start"},
		{name: "inventory-postgres-refused", scenario: scDependency, svc: svcInventory, prob: 0.85, onset: pgOutageAt, window: pgOutageFor,
			status: 500, logMsg: "unhandled exception", errType: "sqlalchemy.exc.OperationalError",
			msg: constMsg(`(psycopg2.OperationalError) connection to server at "postgres-main.db.svc.cluster.local" (10.0.3.17), port 5432 failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?

(Background on this error at: https://sqlalche.me/e/20/e3q8)`),
			stack: `
Traceback (most recent call last):
  File "/usr/local/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 145, in __init__
    self._dbapi_connection = engine.raw_connection()
                             ^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/local/lib/python3.12/site-packages/psycopg2/__init__.py", line 122, in connect
    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
psycopg2.OperationalError: connection to server at "postgres-main.db.svc.cluster.local" (10.0.3.17), port 5432 failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?


The above exception was the direct cause of the following exception:

` + strings.TrimPrefix(pyHead, "\n") + `  File "/app/inventory/db.py", line {L31}, in session
    async with self._engine.begin() as conn:
  File "/usr/local/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 145, in __init__
    self._dbapi_connection = engine.raw_connection()
                             ^^^^^^^^^^^^^^^^^^^^^^^
sqlalchemy.exc.OperationalError: {M}`,
			note: "postgres-main outage"},

		// --- users: Java, ecs-logging-java; Caused by chains ---
		{name: "users-address-npe", scenario: scData, svc: svcUsers, eps: eps(uAddr), prob: 1,
			when:   func(q *request) bool { return nullAddress(q.user) },
			status: 500, logMsg: "Request processing failed", errType: "java.lang.NullPointerException",
			msg: constMsg(`Cannot invoke "com.acme.users.model.Address.getCountry()" because "address" is null`),
			stack: `
java.lang.NullPointerException: {M}
\tat com.acme.users.service.AddressFormatter.format(AddressFormatter.java:{L57})
\tat com.acme.users.service.AddressService.lambda$list$0(AddressService.java:{L44})
\tat java.base/java.util.stream.ReferencePipeline$3$1.accept(ReferencePipeline.java:197)
\tat java.base/java.util.ArrayList$ArrayListSpliterator.forEachRemaining(ArrayList.java:1708)
\tat java.base/java.util.stream.AbstractPipeline.copyInto(AbstractPipeline.java:509)
\tat java.base/java.util.stream.ReferencePipeline.collect(ReferencePipeline.java:682)
\tat com.acme.users.service.AddressService.list(AddressService.java:{L46})
\tat com.acme.users.web.AddressController.list(AddressController.java:{L41})
` + javaTail("Get"),
			note: "users whose default address row is null; present from the start"},
		{name: "users-duplicate-email", scenario: scPre, svc: svcUsers, eps: eps(uPatch), prob: 0.03,
			status: 500, logMsg: "Request processing failed", errType: "org.springframework.dao.DataIntegrityViolationException",
			msg: constMsg(`could not execute statement [ERROR: duplicate key value violates unique constraint "users_email_key"] [update users set email=?,updated_at=? where id=?]; SQL [update users set email=?,updated_at=? where id=?]; constraint [users_email_key]`),
			stack: `
org.springframework.dao.DataIntegrityViolationException: {M}
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:290)
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible(HibernateJpaDialect.java:241)
\tat org.springframework.orm.jpa.JpaTransactionManager.doCommit(JpaTransactionManager.java:565)
\tat com.acme.users.service.UserService.update(UserService.java:{L118})
\tat com.acme.users.web.UserController.patch(UserController.java:{L77})
` + javaTail("Patch") + `
Caused by: org.hibernate.exception.ConstraintViolationException: could not execute statement [ERROR: duplicate key value violates unique constraint "users_email_key"]
\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:97)
\tat org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:58)
\t... 41 more
Caused by: org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint "users_email_key"
  Detail: Key (email)=(taken@example.com) already exists.
\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2733)
\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2420)
\tat org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:517)
\t... 52 more`,
			note: "changing the email to one already taken"},
		{name: "users-postal-code-format", scenario: scPre, svc: svcUsers, eps: eps(uAddrAdd), prob: 0.05,
			status: 500, logMsg: "Request processing failed", errType: "org.springframework.http.converter.HttpMessageNotReadableException",
			msg: constMsg(`JSON parse error: Cannot deserialize value of type ` + "`java.lang.Integer`" + ` from String "SW1A 1AA": not a valid ` + "`java.lang.Integer`" + ` value`),
			stack: `
org.springframework.http.converter.HttpMessageNotReadableException: {M}
\tat org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.readJavaType(AbstractJackson2HttpMessageConverter.java:406)
\tat org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.read(AbstractJackson2HttpMessageConverter.java:354)
\tat org.springframework.web.servlet.mvc.method.annotation.AbstractMessageConverterMethodArgumentResolver.readWithMessageConverters(AbstractMessageConverterMethodArgumentResolver.java:185)
\tat com.acme.users.web.AddressController.add(AddressController.java:{L63})
` + javaTail("Post") + `
Caused by: com.fasterxml.jackson.databind.exc.InvalidFormatException: Cannot deserialize value of type ` + "`java.lang.Integer`" + ` from String "SW1A 1AA": not a valid ` + "`java.lang.Integer`" + ` value
 at [Source: REDACTED (` + "`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`" + ` disabled); line: 1, column: 58] (through reference chain: com.acme.users.web.dto.AddressRequest["postalCode"])
\tat com.fasterxml.jackson.databind.exc.InvalidFormatException.from(InvalidFormatException.java:67)
\tat com.fasterxml.jackson.databind.DeserializationContext.weirdStringException(DeserializationContext.java:1958)
\t... 60 more`,
			note: "postal codes are typed as integers"},
		{name: "users-refresh-classcast", scenario: scRegression, svc: svcUsers, eps: eps(uRefresh), prob: 0.2, release: true,
			status: 500, logMsg: "Request processing failed", errType: "java.lang.ClassCastException",
			msg: constMsg(`class java.lang.Integer cannot be cast to class java.lang.String (java.lang.Integer and java.lang.String are in module java.base of loader 'bootstrap')`),
			stack: `
java.lang.ClassCastException: {M}
\tat com.acme.users.auth.TokenService.refresh(TokenService.java:{L93})
\tat com.acme.users.web.AuthController.refresh(AuthController.java:{L58})
` + javaTail("Post"),
			note: "users 5.3.0 reads the session version claim as a string; fixed in 5.3.1"},
		{name: "users-hikari-timeout", scenario: scDependency, svc: svcUsers, prob: 0.8, onset: pgOutageAt, window: pgOutageFor, timeout: 5000,
			status: 500, logMsg: "Request processing failed", errType: "org.springframework.transaction.CannotCreateTransactionException",
			msg: constMsg("Could not open JPA EntityManager for transaction"),
			stack: `
org.springframework.transaction.CannotCreateTransactionException: {M}
\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:466)
\tat org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction(AbstractPlatformTransactionManager.java:531)
\tat com.acme.users.service.UserService.find(UserService.java:{L61})
\tat com.acme.users.web.UserController.get(UserController.java:{L49})
` + javaTail("Get") + `
Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 5000ms (total=10, active=0, idle=0, waiting=24)
\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)
\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)
\t... 63 more
Caused by: org.postgresql.util.PSQLException: Connection to postgres-main.db.svc.cluster.local:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.
\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:352)
\tat org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)
\t... 70 more
Caused by: java.net.ConnectException: Connection refused
\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)
\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:549)
\t... 78 more`,
			note: "postgres-main outage, seen through the connection pool"},

		// --- search: Go, logrus; no stacks ---
		{name: "search-es-unavailable", scenario: scDependency, svc: svcSearch, eps: eps(sSearch), prob: 0.002,
			status: 503, logMsg: "search failed", errType: "*elastic.Error",
			msg: constMsg("elastic: Error 503 (Service Unavailable): all shards failed [type=search_phase_execution_exception]")},
		{name: "search-suggest-timeout", scenario: scDependency, svc: svcSearch, eps: eps(sSuggest), prob: 0.002, timeout: 800,
			status: 504, logMsg: "suggest failed", errType: "context.deadlineExceededError",
			msg: constMsg("context deadline exceeded")},
		{name: "search-query-parse", scenario: scRegression, svc: svcSearch, eps: eps(sSearch), prob: 1, release: true,
			when:   func(q *request) bool { return strings.ContainsAny(q.q, `()"`) },
			status: 500, logMsg: "search failed", errType: "*query.ParseError",
			msg: func(q *request) string {
				return `failed to parse query: unexpected token ")" at position ` + strconv.Itoa(strings.IndexAny(q.q, `()"`)+1)
			},
			note: "search 1.9.0 ships a new query parser that rejects brackets and quotes"},

		// --- notifications: .NET, OpenTelemetry; inner exceptions ---
		{name: "notifications-template-null", scenario: scRegression, svc: svcNotifications, eps: eps(nSend), prob: 0.5, release: true,
			when:   func(q *request) bool { return q.template == "order_shipped" },
			status: 500, logMsg: "Failed to process message from {Queue}", errType: "System.NullReferenceException",
			msg: constMsg("Object reference not set to an instance of an object."),
			stack: `
System.NullReferenceException: {M}
   at Acme.Notifications.Templates.TemplateRenderer.RenderShipping(OrderEvent evt) in /src/Notifications/Templates/TemplateRenderer.cs:line {L132}
   at Acme.Notifications.Templates.TemplateRenderer.RenderAsync(String template, OrderEvent evt, CancellationToken ct) in /src/Notifications/Templates/TemplateRenderer.cs:line {L61}
   at Acme.Notifications.Consumers.OrderEventsConsumer.ConsumeAsync(OrderEvent evt, CancellationToken ct) in /src/Notifications/Consumers/OrderEventsConsumer.cs:line {L47}` + dotnetTail,
			note: "notifications 2.7.0 renders a shipping block for orders without one"},
		{name: "notifications-locale-missing", scenario: scData, svc: svcNotifications, eps: eps(nSend), prob: 1, onset: localeMigration,
			when:   func(q *request) bool { return blankLocale(q.user) },
			status: 500, logMsg: "Failed to process message from {Queue}", errType: "System.Collections.Generic.KeyNotFoundException",
			msg: constMsg("The given key 'locale' was not present in the dictionary."),
			stack: `
System.Collections.Generic.KeyNotFoundException: {M}
   at System.Collections.Generic.Dictionary` + "`" + `2.get_Item(TKey key)
   at Acme.Notifications.Localization.LocaleResolver.Resolve(IDictionary` + "`" + `2 profile) in /src/Notifications/Localization/LocaleResolver.cs:line {L29}
   at Acme.Notifications.Consumers.OrderEventsConsumer.ConsumeAsync(OrderEvent evt, CancellationToken ct) in /src/Notifications/Consumers/OrderEventsConsumer.cs:line {L39}` + dotnetTail,
			note: "a user-profile migration blanks the locale of some users (no deploy)"},
		{name: "notifications-smtp-refused", scenario: scDependency, svc: svcNotifications, eps: eps(nSend), prob: 0.002,
			status: 500, logMsg: "Failed to process message from {Queue}", errType: "System.Net.Sockets.SocketException",
			msg: constMsg("Connection refused"),
			stack: `
System.Net.Sockets.SocketException (111): {M}
   at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.ThrowException(SocketError error, CancellationToken cancellationToken)
   at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.System.Threading.Tasks.Sources.IValueTaskSource.GetResult(Int16 token)
   at MailKit.Net.SocketUtils.ConnectAsync(String host, Int32 port, IPEndPoint localEndPoint, CancellationToken cancellationToken)
   at MailKit.Net.Smtp.SmtpClient.ConnectAsync(String host, Int32 port, SecureSocketOptions options, CancellationToken cancellationToken)
   at Acme.Notifications.Email.SmtpSender.SendAsync(EmailMessage message, CancellationToken ct) in /src/Notifications/Email/SmtpSender.cs:line {L57}
   at Acme.Notifications.Consumers.OrderEventsConsumer.ConsumeAsync(OrderEvent evt, CancellationToken ct) in /src/Notifications/Consumers/OrderEventsConsumer.cs:line {L52}` + dotnetTail,
			note: "the mail relay restarts now and then"},
		{name: "notifications-sms-rate-limited", scenario: scPre, svc: svcNotifications, eps: eps(nSend), prob: 0.004,
			status: 500, logMsg: "Failed to process message from {Queue}", errType: "Twilio.Exceptions.ApiException",
			msg: constMsg("Too Many Requests"),
			stack: `
Twilio.Exceptions.ApiException: {M}
   at Twilio.Clients.TwilioRestClient.ProcessResponse(Response response)
   at Twilio.Clients.TwilioRestClient.RequestAsync(Request request)
   at Twilio.Rest.Api.V2010.Account.MessageResource.CreateAsync(CreateMessageOptions options, ITwilioRestClient client)
   at Acme.Notifications.Sms.TwilioSender.SendAsync(SmsMessage message, CancellationToken ct) in /src/Notifications/Sms/TwilioSender.cs:line {L44}
   at Acme.Notifications.Consumers.OrderEventsConsumer.ConsumeAsync(OrderEvent evt, CancellationToken ct) in /src/Notifications/Consumers/OrderEventsConsumer.cs:line {L55}` + dotnetTail,
			note: "the SMS provider rate-limits bursts (an upstream 429)"},

		// --- gateway: Node, pino-http; V8 stacks ---
		{name: "gateway-accept-language", scenario: scPre, svc: svcGateway, prob: 0.01,
			gwRoute: func(rt *route) bool { return strings.HasPrefix(rt.path.raw, "/api/v1/products/{product}") },
			status:  500, logMsg: "unhandled error", errType: "TypeError",
			msg: constMsg("Cannot read properties of undefined (reading 'split')"),
			stack: `
TypeError: {M}
    at parseAcceptLanguage (/app/src/middleware/i18n.js:{L23}:41)
    at i18n (/app/src/middleware/i18n.js:{L41}:18)` + nodeTail,
			note: "product pages localise prices; clients that send no Accept-Language header break them"},
		{name: "gateway-deepmerge-stack-overflow", scenario: scRegression, svc: svcGateway, prob: 0.4, release: true,
			gwRoute: func(rt *route) bool { return rt.method == "PATCH" },
			status:  500, logMsg: "unhandled error", errType: "RangeError",
			msg: constMsg("Maximum call stack size exceeded"),
			stack: `
RangeError: {M}
    at deepMerge (/app/src/lib/merge.js:{L12}:20)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)
    at deepMerge (/app/src/lib/merge.js:{L19}:23)`,
			note: "gateway 4.2.0 merges PATCH bodies recursively and loops on self-referencing objects"},
		{name: "gateway-socket-hang-up", scenario: scDependency, svc: svcGateway, prob: 0.0008,
			gwRoute: func(*route) bool { return true },
			status:  502, logMsg: "proxy error", errType: "Error",
			msg: constMsg("socket hang up"),
			stack: `
Error: {M}
    at connResetException (node:internal/errors:720:14)
    at Socket.socketOnEnd (node:_http_client:519:23)
    at Socket.emit (node:events:531:35)
    at endReadableNT (node:internal/streams/readable:1696:12)
    at process.processTicksAndRejections (node:internal/process/task_queues:82:21)`,
			note: "upstream keep-alive connections reset"},
		{name: "gateway-upstream-refused", scenario: scDependency, svc: svcGateway, prob: 0.3, rollout: 20 * time.Second,
			gwRoute: func(*route) bool { return true },
			status:  502, logMsg: "proxy error", errType: "Error",
			msg: func(q *request) string {
				return "connect ECONNREFUSED 10.0." + strconv.Itoa(4+q.rt.calls[0].ep.svc) + "." + strconv.Itoa(10+int(q.n%40)) + ":8080"
			},
			stack: `
Error: {M}
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)`,
			note: "pods going away during a rolling deploy of the backend"},
	}
}
