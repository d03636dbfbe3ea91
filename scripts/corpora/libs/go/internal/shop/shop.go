// Package shop is the orders service every Go producer runs: a handful of
// HTTP requests served by real handlers, each logged through one logging
// library. Two requests hit the same nil-pointer bug (a SKU missing from the
// catalog: a recovered panic with its real stack), one a quantity that does
// not parse (an error without a stack).
package shop

import (
	"crypto/sha1"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// Service is the name the producers give their service.
const Service = "orders"

// ReqLog is a logger bound to one request, in the library's own way.
type ReqLog interface {
	Info(msg string, kv ...any)
	// Panic logs a recovered panic with the stack taken in the recover.
	Panic(msg string, err error, stack []byte)
	// Error logs an error without a stack.
	Error(msg string, err error)
}

// Warner is a ReqLog that also logs warnings: serve calls Warn for a
// request answered 404 (producers written before it do not implement it,
// so their output is unchanged).
type Warner interface {
	Warn(msg string, kv ...any)
}

// Logger is the service-wide logger of one library.
type Logger interface {
	Info(msg string, kv ...any)
	// Request returns the logger for the request with this id.
	Request(id string) ReqLog
}

type item struct {
	sku   string
	cents int
}

type catalog struct{ items map[string]*item }

// priceFor is the bug: an unknown SKU is a nil *item.
func (c *catalog) priceFor(sku string, qty int) int {
	it := c.items[sku]
	return it.cents * qty
}

var cat = &catalog{items: map[string]*item{
	"SKU-1042": {"SKU-1042", 1999},
	"SKU-2001": {"SKU-2001", 450},
}}

type request struct {
	method, target, user string
}

// requests is the traffic every producer serves, in order.
var requests = []request{
	{"GET", "/api/orders/1042", "u-1017"},
	{"POST", "/api/checkout?sku=SKU-1042&qty=2", "u-1017"},
	{"POST", "/api/checkout?sku=SKU-9999&qty=1", "u-2231"}, // panics in priceFor
	{"GET", "/api/orders/7", ""},
	{"POST", "/api/checkout?sku=SKU-2001&qty=two", "u-3301"}, // bad quantity
	{"POST", "/api/checkout?sku=SKU-2001&qty=3", "u-2231"},
	{"POST", "/api/checkout?sku=SKU-7777&qty=4", "u-4410"}, // panics in priceFor
	{"GET", "/api/orders/1042", "u-3301"},
}

// RequestID is the id of the i-th request (0-based) of the producer lib:
// a UUID derived from both, so every file has its own ids.
func RequestID(lib string, i int) string {
	h := sha1.Sum([]byte(fmt.Sprintf("%s/%d", lib, i)))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

type ctxKey struct{}

// Run serves the requests through real net/http handlers and logs them.
func Run(lib string, l Logger) {
	l.Info("listening", "addr", "127.0.0.1:8080")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/orders/{id}", getOrder)
	mux.HandleFunc("POST /api/checkout", checkout)
	for i, r := range requests {
		id := RequestID(lib, i)
		req := httptest.NewRequest(r.method, r.target, nil)
		req.Header.Set("X-Request-Id", id)
		rl := l.Request(id)
		serve(mux, rl, req, r.user)
		time.Sleep(3 * time.Millisecond)
	}
}

// serve is the request middleware: access lines, panic recovery.
func serve(h http.Handler, rl ReqLog, req *http.Request, user string) {
	start := time.Now()
	rl.Info("request started", "method", req.Method, "path", req.URL.Path, "user_id", user)
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if v := recover(); v != nil {
				err, ok := v.(error)
				if !ok {
					err = fmt.Errorf("%v", v)
				}
				rl.Panic("request panicked", err, debug.Stack())
				rec.WriteHeader(http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(rec, req.WithContext(req.Context()))
	}()
	if w, ok := rl.(Warner); ok && rec.Code == http.StatusNotFound {
		w.Warn("order not found", "method", req.Method, "path", req.URL.Path, "status", rec.Code)
	}
	if rec.Code == http.StatusInternalServerError {
		if msg := strings.TrimSpace(rec.Body.String()); msg != "" {
			rl.Error("checkout failed", fmt.Errorf("%s", msg))
		}
	}
	rl.Info("request completed", "method", req.Method, "path", req.URL.Path, "status", rec.Code,
		"duration_ms", float64(time.Since(start).Microseconds())/1000)
}

func getOrder(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != "1042" {
		http.NotFound(w, r)
		return
	}
	fmt.Fprintln(w, `{"id":1042}`)
}

func checkout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	qty, err := strconv.Atoi(q.Get("qty"))
	if err != nil {
		http.Error(w, fmt.Sprintf("parse quantity: %v", err), http.StatusInternalServerError)
		return
	}
	total := cat.priceFor(q.Get("sku"), qty)
	fmt.Fprintf(w, `{"total_cents":%d}`+"\n", total)
}
