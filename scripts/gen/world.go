package main

import "time"

// Services, in the order their files are listed. Each writes a different
// logger convention (docs/formats.md) in a different language.
const (
	svcGateway       = iota // Node, pino-http
	svcOrders               // Go, log/slog JSON with AddSource
	svcPayments             // Go, zap production
	svcInventory            // Python, structlog JSONRenderer
	svcUsers                // Java, ecs-logging-java (literal dotted keys)
	svcSearch               // Go, logrus JSON
	svcNotifications        // .NET, OpenTelemetry log records, flattened
	numServices
)

var serviceNames = [numServices]string{"gateway", "orders", "payments", "inventory", "users", "search", "notifications"}

// podsPerService is how many pods (hosts) a release of a service runs on.
var podsPerService = [numServices]int{4, 3, 2, 3, 3, 2, 2}

// endpoint is one HTTP handler (or queue consumer) of a backend service.
type endpoint struct {
	id     int // activity key: index in world.eps
	svc    int
	method string
	path   tmpl   // concrete path, placeholders filled per request
	route  string // the router's pattern
	msgs   [3]string
	medMS  float64 // median handling time
	kind   int     // which extra attributes the lines carry
	logger string  // Python logger, Java class, or Go function of the handler
	file   string  // Go source file of the handler (slog source, zap caller)
	line   int
	async  bool // a queue consumer: runs after the response is sent
}

// Extra attribute kinds.
const (
	exNone = iota
	exOrder
	exCart
	exPayment
	exProduct
	exUser
	exSearch
	exNotify
	exWebhook
)

// callSpec is one backend call a gateway route makes, with the probability
// that it happens on a given request.
type callSpec struct {
	ep *endpoint
	p  float64
}

// route is one public endpoint of the gateway.
type route struct {
	id     int // activity key: gatewayKey + index in world.routes
	method string
	path   tmpl // public URL, placeholders filled per request
	weight float64
	anon   float64 // share of requests without a user
	p4xx   float64 // share of requests the backend answers with code4xx
	code4  int
	calls  []callSpec // calls[0] is the primary backend; the rest it calls
}

// gatewayKey offsets the activity keys of gateway routes from those of
// backend endpoints.
const gatewayKey = 1000

// world is the fixed scenario: services, endpoints, routes and bugs.
type world struct {
	eps    []*endpoint
	routes []*route
	bugs   []*bug
	// byEP lists, per endpoint, the bugs that can fire there (including the
	// service-wide ones), in catalogue order.
	byEP map[*endpoint][]*bug
	// gwBugs fire in the gateway itself, before any backend call.
	gwBugs []*bug
}

func ep(svc int, method, path, route string, medMS float64, kind int, logger, file string, line int, msgs ...string) *endpoint {
	e := &endpoint{svc: svc, method: method, path: compileTmpl(path), route: route, medMS: medMS, kind: kind, logger: logger, file: file, line: line}
	copy(e.msgs[:], msgs)
	return e
}

func newWorld() *world {
	w := &world{byEP: map[*endpoint][]*bug{}}
	const ordAPI = "github.com/acme/shop/orders/internal/api.(*Server)."
	const payAPI = "github.com/acme/shop/payments/internal/api.(*Handler)."
	const srchAPI = "github.com/acme/shop/search/internal/http.(*API)."
	var (
		oGet      = ep(svcOrders, "GET", "/orders/{order}", "GET /orders/{id}", 6, exOrder, ordAPI+"getOrder", "/src/internal/api/orders.go", 61, "loading order", "order loaded from cache", "order fetched")
		oList     = ep(svcOrders, "GET", "/users/{user}/orders", "GET /users/{uid}/orders", 11, exOrder, ordAPI+"listOrders", "/src/internal/api/orders.go", 104, "listing orders", "orders query executed", "orders listed")
		oCreate   = ep(svcOrders, "POST", "/orders", "POST /orders", 35, exOrder, ordAPI+"createOrder", "/src/internal/api/orders.go", 152, "creating order", "order priced", "order created")
		oCancel   = ep(svcOrders, "POST", "/orders/{order}/cancel", "POST /orders/{id}/cancel", 22, exOrder, ordAPI+"cancelOrder", "/src/internal/api/orders.go", 231, "cancelling order", "order marked cancelled", "order cancelled")
		oCartGet  = ep(svcOrders, "GET", "/carts/{cart}", "GET /carts/{cart}", 4, exCart, ordAPI+"getCart", "/src/internal/api/cart.go", 38, "loading cart", "cart loaded from redis", "cart fetched")
		oCartAdd  = ep(svcOrders, "POST", "/carts/{cart}/items", "POST /carts/{cart}/items", 9, exCart, ordAPI+"addCartItem", "/src/internal/api/cart.go", 77, "adding item to cart", "cart repriced", "cart item added")
		oCartDel  = ep(svcOrders, "DELETE", "/carts/{cart}/items/{item}", "DELETE /carts/{cart}/items/{item}", 5, exCart, ordAPI+"removeCartItem", "/src/internal/api/cart.go", 120, "removing item from cart", "cart repriced", "cart item removed")
		oCheckout = ep(svcOrders, "POST", "/checkout/{cart}", "POST /checkout/{cart}", 48, exOrder, ordAPI+"checkout", "/src/internal/api/checkout.go", 45, "checkout started", "order priced", "checkout completed")

		pCharge  = ep(svcPayments, "POST", "/charges", "", 180, exPayment, payAPI+"Charge", "api/charges.go", 88, "creating payment intent", "payment intent created", "payment intent confirmed")
		pRefund  = ep(svcPayments, "POST", "/payments/{payment}/refunds", "", 140, exPayment, payAPI+"Refund", "api/refunds.go", 41, "creating refund", "refund submitted to provider", "refund created")
		pGet     = ep(svcPayments, "GET", "/payments/{payment}", "", 5, exPayment, payAPI+"Get", "api/payments.go", 29, "loading payment", "payment intent retrieved", "payment fetched")
		pWebhook = ep(svcPayments, "POST", "/webhooks/stripe", "", 12, exWebhook, payAPI+"StripeWebhook", "api/webhooks.go", 56, "webhook received", "webhook signature verified", "webhook processed")

		iProduct   = ep(svcInventory, "GET", "/products/{product}", "", 7, exProduct, "inventory.api.products", "", 0, "fetching product", "product loaded from cache", "product fetched")
		iStock     = ep(svcInventory, "GET", "/products/{product}/stock", "", 9, exProduct, "inventory.api.stock", "", 0, "checking stock", "stock levels computed", "stock checked")
		iReserve   = ep(svcInventory, "POST", "/v1/inventory/reserve", "", 16, exProduct, "inventory.api.reserve", "", 0, "reserving stock", "reservation created", "stock reserved")
		iRelease   = ep(svcInventory, "POST", "/v1/inventory/release", "", 12, exProduct, "inventory.api.reserve", "", 0, "releasing stock", "reservation released", "stock released")
		iWarehouse = ep(svcInventory, "GET", "/warehouses/{warehouse}/stock", "", 25, exProduct, "inventory.api.warehouses", "", 0, "listing warehouse stock", "warehouse rows loaded", "warehouse stock listed")

		uGet     = ep(svcUsers, "GET", "/users/{user}", "", 5, exUser, "com.acme.users.web.UserController", "", 0, "loading user", "user cache miss, loading from database", "user loaded")
		uPatch   = ep(svcUsers, "PATCH", "/users/{user}", "", 19, exUser, "com.acme.users.web.UserController", "", 0, "updating user", "user payload validated", "user updated")
		uAddr    = ep(svcUsers, "GET", "/users/{user}/addresses", "", 8, exUser, "com.acme.users.web.AddressController", "", 0, "listing addresses", "addresses loaded", "addresses listed")
		uAddrAdd = ep(svcUsers, "POST", "/users/{user}/addresses", "", 14, exUser, "com.acme.users.web.AddressController", "", 0, "adding address", "address validated", "address added")
		uByEmail = ep(svcUsers, "GET", "/users/by-email/{email}", "", 6, exUser, "com.acme.users.web.UserController", "", 0, "looking up user by email", "email normalised", "user found")
		uLogin   = ep(svcUsers, "POST", "/auth/login", "", 60, exUser, "com.acme.users.web.AuthController", "", 0, "login attempt", "password verified", "login succeeded")
		uRefresh = ep(svcUsers, "POST", "/auth/refresh", "", 4, exUser, "com.acme.users.web.AuthController", "", 0, "refreshing token", "refresh token validated", "token refreshed")

		sSearch  = ep(svcSearch, "GET", "/search", "", 28, exSearch, srchAPI+"Search", "", 0, "search request", "query parsed", "search executed")
		sSuggest = ep(svcSearch, "GET", "/suggest", "", 6, exSearch, srchAPI+"Suggest", "", 0, "suggest request", "", "suggestions returned")
		sRecs    = ep(svcSearch, "GET", "/recommendations/{user}", "", 35, exSearch, srchAPI+"Recommend", "", 0, "computing recommendations", "candidate set built", "recommendations returned")

		nSend  = ep(svcNotifications, "", "", "", 45, exNotify, "Acme.Notifications.Consumers.OrderEventsConsumer", "", 0, "Message received from {Queue}", "Rendering template {Template}", "Notification sent via {Channel}")
		nList  = ep(svcNotifications, "GET", "/users/{user}/notifications", "/users/{userId}/notifications", 9, exNotify, "Acme.Notifications.Api.NotificationsController", "", 0, "Listing notifications", "Notifications loaded", "Request finished")
		nRead  = ep(svcNotifications, "POST", "/notifications/{notif}/read", "/notifications/{id}/read", 6, exNotify, "Acme.Notifications.Api.NotificationsController", "", 0, "Marking notification read", "", "Request finished")
		nAsync = nSend
	)
	nSend.async = true
	w.eps = []*endpoint{oGet, oList, oCreate, oCancel, oCartGet, oCartAdd, oCartDel, oCheckout, pCharge, pRefund, pGet, pWebhook,
		iProduct, iStock, iReserve, iRelease, iWarehouse, uGet, uPatch, uAddr, uAddrAdd, uByEmail, uLogin, uRefresh,
		sSearch, sSuggest, sRecs, nSend, nList, nRead}

	rt := func(method, path string, weight, anon, p4xx float64, code4 int, calls ...callSpec) *route {
		return &route{method: method, path: compileTmpl(path), weight: weight, anon: anon, p4xx: p4xx, code4: code4, calls: calls}
	}
	c := func(e *endpoint, p float64) callSpec { return callSpec{e, p} }
	w.routes = []*route{
		rt("GET", "/api/v1/orders/{order}", 8, 0, 0.02, 404, c(oGet, 1), c(pGet, 0.3)),
		rt("GET", "/api/v1/users/{user}/orders?page={page}", 5, 0, 0, 0, c(oList, 1)),
		rt("POST", "/api/v1/orders", 3, 0, 0.01, 422, c(oCreate, 1), c(iReserve, 1), c(pCharge, 1), c(nAsync, 0.9)),
		rt("POST", "/api/v1/orders/{order}/cancel", 1, 0, 0.05, 409, c(oCancel, 1), c(pRefund, 0.8), c(iRelease, 1), c(nAsync, 0.9)),
		rt("GET", "/api/v1/cart/{cart}", 6, 0.2, 0, 0, c(oCartGet, 1)),
		rt("POST", "/api/v1/cart/{cart}/items", 5, 0.2, 0.01, 422, c(oCartAdd, 1), c(iStock, 1)),
		rt("DELETE", "/api/v1/cart/{cart}/items/{item}", 1.5, 0.2, 0.02, 404, c(oCartDel, 1)),
		rt("POST", "/api/v1/checkout/{cart}", 2.5, 0, 0.02, 422, c(oCheckout, 1), c(iReserve, 1), c(pCharge, 1), c(nAsync, 0.95)),
		rt("GET", "/api/v1/payments/{payment}", 2, 0, 0.01, 404, c(pGet, 1)),
		rt("POST", "/api/v1/payments/{payment}/refund", 0.6, 0, 0.03, 409, c(pRefund, 1), c(nAsync, 0.9)),
		rt("POST", "/api/v1/webhooks/stripe", 2, 1, 0.005, 400, c(pWebhook, 1), c(oGet, 0.5)),
		rt("GET", "/api/v1/products/{product}", 14, 0.5, 0.01, 404, c(iProduct, 1)),
		rt("GET", "/api/v1/products/{product}/stock", 5, 0.5, 0, 0, c(iStock, 1)),
		rt("GET", "/api/v1/warehouses/{warehouse}/stock", 0.5, 0, 0, 0, c(iWarehouse, 1)),
		rt("GET", "/api/v1/search?q={q}&page={page}", 12, 0.5, 0, 0, c(sSearch, 1), c(iStock, 0.3)),
		rt("GET", "/api/v1/search/suggest?q={q}", 8, 0.5, 0, 0, c(sSuggest, 1)),
		rt("GET", "/api/v1/users/{user}", 6, 0, 0.01, 404, c(uGet, 1)),
		rt("PATCH", "/api/v1/users/{user}", 1, 0, 0.03, 422, c(uPatch, 1), c(nAsync, 0.5)),
		rt("GET", "/api/v1/users/{user}/addresses", 2, 0, 0, 0, c(uAddr, 1)),
		rt("POST", "/api/v1/users/{user}/addresses", 0.6, 0, 0.04, 422, c(uAddrAdd, 1)),
		rt("GET", "/api/v1/users/by-email/{email}", 0.8, 0, 0.1, 404, c(uByEmail, 1)),
		rt("POST", "/api/v1/auth/login", 4, 0, 0.06, 401, c(uLogin, 1)),
		rt("POST", "/api/v1/auth/refresh", 5, 0, 0.03, 401, c(uRefresh, 1)),
		rt("GET", "/api/v1/notifications", 3, 0, 0, 0, c(nList, 1)),
		rt("POST", "/api/v1/notifications/{notif}/read", 1, 0, 0.02, 404, c(nRead, 1)),
		rt("GET", "/api/v1/users/{user}/recommendations", 2, 0, 0, 0, c(sRecs, 1), c(iProduct, 1)),
	}
	for i, e := range w.eps {
		e.id = i
	}
	for i, rt := range w.routes {
		rt.id = gatewayKey + i
	}
	w.bugs = catalogue(oGet, oCreate, oCancel, oCartAdd, oCheckout, pCharge, pRefund, pWebhook, iStock, iReserve, iWarehouse, uPatch, uAddr, uAddrAdd, uRefresh, sSearch, sSuggest, nSend)
	for i, b := range w.bugs {
		b.idx = i
		b.compile()
		if b.svc == svcGateway {
			w.gwBugs = append(w.gwBugs, b)
			continue
		}
		for _, e := range w.eps {
			if e.svc != b.svc {
				continue
			}
			if b.eps != nil && !containsEP(b.eps, e) {
				continue
			}
			w.byEP[e] = append(w.byEP[e], b)
		}
	}
	return w
}

func containsEP(list []*endpoint, e *endpoint) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

// deployDef is one entry of the deploy plan. at is a fraction of the span
// when before is zero, else the deploy happened that long before the start.
type deployDef struct {
	svc     int
	version string
	at      float64
	before  time.Duration
	author  string
	intro   []string // bugs this release introduces
	fix     []string // bugs this release fixes
	restore string   // a rollback: the version whose code it restores
}

// deployPlan is the deploy history: one release per service before the logs
// start, then ~20 deploys inside the window, a few of which introduce bugs
// (and two of which fix them again, one by a rollback).
func deployPlan() []deployDef {
	h := time.Hour
	return []deployDef{
		{svc: svcNotifications, version: "2.6.0", before: 100 * h, author: "priya.natarajan"},
		{svc: svcInventory, version: "1.41.3", before: 75 * h, author: "tom.becker"},
		{svc: svcOrders, version: "2.13.4", before: 52 * h, author: "ana.oliveira"},
		{svc: svcUsers, version: "5.2.1", before: 30 * h, author: "marek.nowak"},
		{svc: svcPayments, version: "3.7.2", before: 27 * h, author: "li.wei"},
		{svc: svcSearch, version: "1.8.2", before: 8 * h, author: "sofia.rossi"},
		{svc: svcGateway, version: "4.1.7", before: 3 * h, author: "james.okafor"},

		{svc: svcNotifications, version: "2.6.1", at: 0.05, author: "priya.natarajan"},
		{svc: svcSearch, version: "1.8.3", at: 0.09, author: "sofia.rossi"},
		{svc: svcOrders, version: "2.14.0", at: 0.14, author: "ana.oliveira", intro: []string{"orders-discount-index-out-of-range"}},
		{svc: svcOrders, version: "2.13.4", at: 0.18, author: "ana.oliveira", fix: []string{"orders-discount-index-out-of-range"}, restore: "2.13.4"},
		{svc: svcUsers, version: "5.2.2", at: 0.22, author: "marek.nowak"},
		{svc: svcPayments, version: "3.8.0", at: 0.27, author: "li.wei", intro: []string{"payments-webhook-unmarshal"}},
		{svc: svcGateway, version: "4.1.8", at: 0.31, author: "james.okafor"},
		{svc: svcInventory, version: "1.42.0", at: 0.35, author: "tom.becker", intro: []string{"inventory-keyerror-warehouse"}},
		{svc: svcSearch, version: "1.9.0", at: 0.40, author: "sofia.rossi", intro: []string{"search-query-parse"}},
		{svc: svcInventory, version: "1.42.1", at: 0.44, author: "tom.becker", fix: []string{"inventory-keyerror-warehouse"}},
		{svc: svcNotifications, version: "2.7.0", at: 0.48, author: "priya.natarajan", intro: []string{"notifications-template-null"}},
		{svc: svcUsers, version: "5.3.0", at: 0.52, author: "marek.nowak", intro: []string{"users-refresh-classcast"}},
		{svc: svcOrders, version: "2.14.2", at: 0.56, author: "ana.oliveira"},
		{svc: svcGateway, version: "4.2.0", at: 0.63, author: "james.okafor", intro: []string{"gateway-deepmerge-stack-overflow"}},
		{svc: svcPayments, version: "3.8.1", at: 0.70, author: "li.wei"},
		{svc: svcSearch, version: "1.9.1", at: 0.78, author: "sofia.rossi"},
		{svc: svcOrders, version: "2.15.0", at: 0.82, author: "ana.oliveira"},
		{svc: svcUsers, version: "5.3.1", at: 0.86, author: "marek.nowak", fix: []string{"users-refresh-classcast"}},
		{svc: svcInventory, version: "1.43.0", at: 0.90, author: "tom.becker"},
		{svc: svcNotifications, version: "2.7.1", at: 0.94, author: "priya.natarajan"},
	}
}

// Windows and onsets that are not deploys, as fractions of the span.
const (
	pgOutageAt      = 0.600 // postgres-main refuses connections ...
	pgOutageFor     = 25 * time.Minute
	stripeSlowAt    = 0.745 // the payment provider times out ...
	stripeSlowFor   = 12 * time.Minute
	localeMigration = 0.42 // a data migration blanks some users' locale
	couponFlagOn    = 0.66 // a feature flag turns coupons on in carts
	zeroVelocityAt  = 0.33 // a product import brings zero-velocity products
)
