// Command inventory serves the incident's product catalog and stock, logging
// with zap's production JSON logger (ts as epoch seconds, level, caller, msg,
// stacktrace on errors) and knowing the caller only by its W3C traceparent:
// every line of a request carries trace_id, span_id and parent_span_id.
//
// It calls db for stock with a 1.5 s client timeout. POST /stock/check also
// records demand in a histogram on a background goroutine; a quantity of 100
// or more indexes past the histogram, and a panic on a goroutine that is not
// the handler's ends the process (net/http recovers only handler panics): the
// runtime prints the panic and every goroutine to stderr and exits 2.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"culprit-incident2/internal/w3c"

	"go.uber.org/zap"
)

var version = "dev"

type product struct {
	SKU   string  `json:"sku"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

type server struct {
	log     *zap.Logger
	db      string
	hc      *http.Client
	catalog map[string]product

	demandMu sync.Mutex
	demand   map[string]*[10]int // units asked per cart line, in buckets of 10
}

func main() {
	addr := flag.String("addr", "127.0.0.1:27292", "listen address")
	db := flag.String("db", "http://127.0.0.1:27293", "db base URL")
	host := flag.String("host", "inventory-0", "host name to log")
	flag.Parse()

	base, err := zap.NewProduction()
	if err != nil {
		fmt.Fprintln(os.Stderr, "zap:", err)
		os.Exit(1)
	}
	log := base.With(zap.String("service", "inventory"), zap.String("version", version), zap.String("host", *host))
	defer func() { _ = log.Sync() }()

	s := &server{log: log, db: *db, hc: &http.Client{Timeout: 1500 * time.Millisecond}, catalog: catalog(), demand: map[string]*[10]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"status": "ok", "version": version})
	})
	mux.HandleFunc("GET /products", s.handle("GET /products", s.search))
	mux.HandleFunc("GET /products/{sku}", s.handle("GET /products/{sku}", s.product))
	mux.HandleFunc("POST /stock/check", s.handle("POST /stock/check", s.check))
	mux.HandleFunc("POST /stock/reserve", s.handle("POST /stock/reserve", s.reserve))

	srv := &http.Server{Addr: *addr, Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("inventory starting", zap.String("addr", *addr), zap.Int("products", len(s.catalog)))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal("listen failed", zap.Error(err))
	}
}

func catalog() map[string]product {
	names := []string{"desk lamp", "standing desk", "coffee mug", "usb-c cable", "notebook", "headphones",
		"office chair", "kettle", "backpack", "phone charger", "pencil case", "cable organiser"}
	c := map[string]product{}
	for i := 0; i < 60; i++ {
		sku := fmt.Sprintf("SKU-%04d", 1000+i*7)
		c[sku] = product{SKU: sku, Name: fmt.Sprintf("%s %d", names[i%len(names)], i/len(names)+1), Price: float64(5+(i*53)%190) + 0.99}
	}
	return c
}

type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// handle runs fn as the server span of one request and logs its completion.
func (s *server) handle(route string, fn func(ctx context.Context, log *zap.Logger, span w3c.Span, r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		span := w3c.FromRequest(r)
		log := s.log.With(zap.String("trace_id", span.TraceID), zap.String("span_id", span.SpanID), zap.String("parent_span_id", span.ParentID))
		start := time.Now()
		body, err := fn(r.Context(), log, span, r)
		status := 200
		if err != nil {
			var he *httpError
			if errors.As(err, &he) {
				status = he.status
			} else {
				status = 500
				log.Error("request failed", zap.String("route", route), zap.Error(err))
			}
			body = map[string]string{"error": err.Error()}
		}
		log.Info("request completed", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.String("route", route),
			zap.Int("status", status), zap.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
		writeJSON(w, status, body)
	}
}

func (s *server) search(ctx context.Context, log *zap.Logger, span w3c.Span, r *http.Request) (any, error) {
	q := strings.ToLower(r.URL.Query().Get("q"))
	if q == "" {
		return nil, &httpError{400, "missing q"}
	}
	var out []product
	for _, p := range s.catalog {
		if strings.Contains(p.Name, q) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU < out[j].SKU })
	return map[string]any{"results": out}, nil
}

func (s *server) product(ctx context.Context, log *zap.Logger, span w3c.Span, r *http.Request) (any, error) {
	p, ok := s.catalog[r.PathValue("sku")]
	if !ok {
		return nil, &httpError{404, "no such product"}
	}
	var st struct {
		Qty int `json:"qty"`
	}
	if err := s.call(ctx, span, "GET", "/stock/"+p.SKU, nil, &st); err != nil {
		return nil, fmt.Errorf("stock of %s: %w", p.SKU, err)
	}
	return map[string]any{"product": p, "in_stock": st.Qty}, nil
}

type line struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

func (s *server) check(ctx context.Context, log *zap.Logger, span w3c.Span, r *http.Request) (any, error) {
	var l line
	if err := json.NewDecoder(r.Body).Decode(&l); err != nil || l.Qty <= 0 {
		return nil, &httpError{400, "want {sku, qty > 0}"}
	}
	if _, ok := s.catalog[l.SKU]; !ok {
		return nil, &httpError{404, "no such product"}
	}
	go s.recordDemand(l.SKU, l.Qty)
	var st struct {
		Qty int `json:"qty"`
	}
	if err := s.call(ctx, span, "GET", "/stock/"+l.SKU, nil, &st); err != nil {
		return nil, fmt.Errorf("stock of %s: %w", l.SKU, err)
	}
	if st.Qty < l.Qty {
		return nil, &httpError{409, fmt.Sprintf("only %d in stock", st.Qty)}
	}
	return map[string]any{"sku": l.SKU, "available": true}, nil
}

// recordDemand counts a cart line in its sku's histogram of quantities.
func (s *server) recordDemand(sku string, qty int) {
	s.demandMu.Lock()
	defer s.demandMu.Unlock()
	h := s.demand[sku]
	if h == nil {
		h = new([10]int)
		s.demand[sku] = h
	}
	h[qty/10]++
}

func (s *server) reserve(ctx context.Context, log *zap.Logger, span w3c.Span, r *http.Request) (any, error) {
	var req struct {
		Items []line `json:"items"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Items) == 0 {
		return nil, &httpError{400, "want {items: [{sku, qty}]}"}
	}
	total := 0.0
	for _, l := range req.Items {
		p, ok := s.catalog[l.SKU]
		if !ok {
			return nil, &httpError{404, "no such product " + l.SKU}
		}
		if err := s.call(ctx, span, "POST", "/stock/"+l.SKU+"/reserve", map[string]int{"qty": l.Qty}, nil); err != nil {
			var he *httpError
			if errors.As(err, &he) && he.status == 409 {
				return nil, &httpError{409, "out of stock: " + l.SKU}
			}
			return nil, fmt.Errorf("reserve %s: %w", l.SKU, err)
		}
		total += p.Price * float64(l.Qty)
	}
	return map[string]any{"reserved": len(req.Items), "total": float64(int(total*100)) / 100}, nil
}

// call sends one request to db as a child of span.
func (s *server) call(ctx context.Context, span w3c.Span, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.db+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("traceparent", span.Header())
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.hc.Do(req)
	if err != nil {
		return fmt.Errorf("db: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 404 || resp.StatusCode == 409 {
		return &httpError{resp.StatusCode, strings.TrimSpace(string(b))}
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("db: %s %s responded %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
