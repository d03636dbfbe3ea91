// Command db is the sample incident's "database": a tiny in-memory document
// store served over HTTP on the loopback interface, logging with zerolog.
//
// Its data (users, orders, carts) is generated from a fixed seed so that every
// run of scripts/incident/run.sh starts from the same state. Like a real
// database it replays a write-ahead log on start: until -recovery has passed it
// accepts connections but holds queries, so clients with short deadlines time
// out, and /health answers 503.
//
// It imports only the standard library and zerolog.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Billing is a user's billing profile. Accounts created on the legacy plan
// predate billing profiles and have none.
type Billing struct {
	Plan           string `json:"plan"`
	LoyaltyPercent int    `json:"loyalty_percent"`
}

// User is a customer account.
type User struct {
	ID      int      `json:"id"`
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Plan    string   `json:"plan"`
	Billing *Billing `json:"billing,omitempty"`
}

// Item is one line of an order or a cart.
type Item struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int    `json:"price_cents"`
}

// Coupon is a discount attached to an order.
type Coupon struct {
	Code    string `json:"code"`
	Percent int    `json:"percent"`
}

// Order is a placed order.
type Order struct {
	ID        int       `json:"id"`
	UserID    int       `json:"user_id"`
	Items     []Item    `json:"items"`
	Coupon    *Coupon   `json:"coupon"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

type store struct {
	mu     sync.Mutex
	users  map[int]*User
	orders map[int]*Order
	byUser map[int][]int
	carts  map[int][]Item
	nextID int
}

var skus = []struct {
	sku   string
	price int
}{
	{"SKU-1001", 1299}, {"SKU-1002", 2499}, {"SKU-1003", 899}, {"SKU-1004", 4599},
	{"SKU-1005", 1999}, {"SKU-1006", 349}, {"SKU-1007", 7999}, {"SKU-1008", 1549},
	{"SKU-1009", 2899}, {"SKU-1010", 599}, {"SKU-1011", 11999}, {"SKU-1012", 1099},
}

var firstNames = []string{"ana", "ben", "chloe", "dmitri", "elif", "femi", "gita", "hugo", "ines", "jonas", "kaito", "lena"}
var lastNames = []string{"alvarez", "brown", "chen", "dubois", "eze", "fischer", "garcia", "haddad"}

// seed builds the initial data set. Users 1001..1000+users; about one
// in five is on the legacy plan.
func seed(s uint64, users int) *store {
	rng := rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
	st := &store{users: map[int]*User{}, orders: map[int]*Order{}, byUser: map[int][]int{}, carts: map[int][]Item{}, nextID: 70001}
	epoch := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	for i := range users {
		id := 1001 + i
		fn, ln := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		u := &User{ID: id, Name: fn + " " + ln, Email: fmt.Sprintf("%s.%s%d@example.com", fn, ln, id)}
		switch r := rng.IntN(5); {
		case r == 0:
			u.Plan = "legacy"
		case r < 3:
			u.Plan = "standard"
			u.Billing = &Billing{Plan: "standard", LoyaltyPercent: 0}
		default:
			u.Plan = "plus"
			u.Billing = &Billing{Plan: "plus", LoyaltyPercent: 5 + 5*rng.IntN(2)}
		}
		st.users[id] = u
		for range 2 + rng.IntN(5) {
			o := &Order{ID: st.nextID, UserID: id, Status: "delivered",
				CreatedAt: epoch.Add(time.Duration(rng.IntN(300*24)) * time.Hour)}
			st.nextID++
			for range 1 + rng.IntN(3) {
				p := skus[rng.IntN(len(skus))]
				o.Items = append(o.Items, Item{SKU: p.sku, Qty: 1 + rng.IntN(3), PriceCents: p.price})
			}
			if rng.IntN(10) < 3 {
				o.Coupon = &Coupon{Code: "WELCOME10", Percent: 10}
			}
			st.orders[o.ID] = o
			st.byUser[id] = append(st.byUser[id], o.ID)
		}
		for range rng.IntN(3) {
			p := skus[rng.IntN(len(skus))]
			st.carts[id] = append(st.carts[id], Item{SKU: p.sku, Qty: 1, PriceCents: p.price})
		}
	}
	return st
}

type server struct {
	st       *store
	log      zerolog.Logger
	ready    chan struct{}
	slow     time.Duration
	jitterMu sync.Mutex
	jitter   *rand.Rand
}

func main() {
	addr := flag.String("addr", "127.0.0.1:27183", "listen address")
	seedFlag := flag.Uint64("seed", 42, "seed of the initial data set")
	users := flag.Int("users", 48, "number of user accounts")
	recovery := flag.Duration("recovery", 5*time.Second, "time spent replaying the write-ahead log before serving queries")
	flag.Parse()

	log := zerolog.New(os.Stdout).With().Timestamp().Str("service", "db").Str("version", version).Logger()

	s := &server{
		st:     seed(*seedFlag, *users),
		log:    log,
		ready:  make(chan struct{}),
		slow:   250 * time.Millisecond,
		jitter: rand.New(rand.NewPCG(*seedFlag, 7)),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", s.health)
	mux.HandleFunc("GET /users/{id}", s.query(s.getUser))
	mux.HandleFunc("GET /users/{id}/orders", s.query(s.userOrders))
	mux.HandleFunc("GET /orders/{id}", s.query(s.getOrder))
	mux.HandleFunc("POST /orders", s.query(s.putOrder))
	mux.HandleFunc("GET /carts/{id}", s.query(s.getCart))
	mux.HandleFunc("POST /carts/{id}/items", s.query(s.addCartItem))
	mux.HandleFunc("DELETE /carts/{id}", s.query(s.clearCart))

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info().Str("addr", *addr).Int("users", len(s.st.users)).Int("orders", len(s.st.orders)).Msg("starting")
	go func() {
		start := time.Now()
		log.Info().Msg("replaying write-ahead log")
		time.Sleep(*recovery)
		close(s.ready)
		log.Info().Int64("duration_ms", time.Since(start).Milliseconds()).Msg("recovery complete, accepting queries")
	}()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		log.Info().Msg("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error().Err(err).Msg("listen")
		os.Exit(1)
	}
	log.Info().Msg("stopped")
}

func (s *server) health(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.ready:
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": version})
	default:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "recovering", "version": version})
	}
}

type queryFunc func(r *http.Request, id int) (int, any)

// query wraps a handler: it waits for recovery, adds a little latency, and
// logs queries that were slow or that the client gave up on.
func (s *server) query(h queryFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ev := func(e *zerolog.Event) *zerolog.Event {
			return e.Str("request_id", r.Header.Get("X-Request-ID")).Str("query", r.Method+" "+r.URL.Path)
		}
		select {
		case <-s.ready:
		case <-r.Context().Done():
			ev(s.log.Warn()).Int64("waited_ms", time.Since(start).Milliseconds()).
				Msg("query canceled by client while recovering")
			return
		}
		s.jitterMu.Lock()
		d := time.Duration(300+s.jitter.IntN(2500)) * time.Microsecond
		s.jitterMu.Unlock()
		time.Sleep(d)
		id := 0
		if v := r.PathValue("id"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad id"})
				return
			}
			id = n
		}
		status, body := h(r, id)
		writeJSON(w, status, body)
		if el := time.Since(start); el >= s.slow {
			ev(s.log.Warn()).Int64("duration_ms", el.Milliseconds()).Msg("slow query")
		}
	}
}

var notFound = map[string]string{"error": "not found"}

func (s *server) getUser(_ *http.Request, id int) (int, any) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	u, ok := s.st.users[id]
	if !ok {
		return http.StatusNotFound, notFound
	}
	return http.StatusOK, u
}

func (s *server) userOrders(_ *http.Request, id int) (int, any) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if _, ok := s.st.users[id]; !ok {
		return http.StatusNotFound, notFound
	}
	out := []*Order{}
	for _, oid := range s.st.byUser[id] {
		out = append(out, s.st.orders[oid])
	}
	return http.StatusOK, out
}

func (s *server) getOrder(_ *http.Request, id int) (int, any) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	o, ok := s.st.orders[id]
	if !ok {
		return http.StatusNotFound, notFound
	}
	return http.StatusOK, o
}

func (s *server) putOrder(r *http.Request, _ int) (int, any) {
	var o Order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		return http.StatusBadRequest, map[string]string{"error": "bad order: " + err.Error()}
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if _, ok := s.st.users[o.UserID]; !ok {
		return http.StatusNotFound, notFound
	}
	o.ID = s.st.nextID
	s.st.nextID++
	o.Status = "placed"
	o.CreatedAt = time.Now().UTC()
	s.st.orders[o.ID] = &o
	s.st.byUser[o.UserID] = append(s.st.byUser[o.UserID], o.ID)
	return http.StatusCreated, &o
}

func (s *server) getCart(_ *http.Request, id int) (int, any) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if _, ok := s.st.users[id]; !ok {
		return http.StatusNotFound, notFound
	}
	return http.StatusOK, map[string]any{"user_id": id, "items": append([]Item{}, s.st.carts[id]...)}
}

func (s *server) addCartItem(r *http.Request, id int) (int, any) {
	var it Item
	if err := json.NewDecoder(r.Body).Decode(&it); err != nil || it.SKU == "" || it.Qty <= 0 {
		return http.StatusBadRequest, map[string]string{"error": "bad item"}
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if _, ok := s.st.users[id]; !ok {
		return http.StatusNotFound, notFound
	}
	s.st.carts[id] = append(s.st.carts[id], it)
	return http.StatusOK, map[string]any{"user_id": id, "items": s.st.carts[id]}
}

func (s *server) clearCart(_ *http.Request, id int) (int, any) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	delete(s.st.carts, id)
	return http.StatusOK, map[string]any{"user_id": id, "items": []Item{}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
