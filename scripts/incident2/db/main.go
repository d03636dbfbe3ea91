// Command db is the incident's database: two tables (orders, stock) behind a
// small HTTP query API, logging with logrus in Elastic Common Schema field
// names (@timestamp, log.level, message, trace.id, span.id, parent.id,
// event.duration in nanoseconds). It knows the caller only by its W3C
// traceparent.
//
// Each query takes its table's lock, shared for reads and exclusive for
// writes, waiting in line like a real database's lock queue. A maintenance job
// (POST /admin/maintenance, what a nightly cron would start) first analyzes
// the table in passes that hold the exclusive lock for longer and longer,
// then rewrites it (VACUUM FULL) holding the lock throughout: queries queue
// behind it, their durations grow, and callers time out. A query whose caller
// went away while it waited is cancelled and logged as such.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"culprit-incident2/internal/w3c"

	"github.com/sirupsen/logrus"
	"golang.org/x/sync/semaphore"
)

var version = "dev"

const lockAll = 1 << 20 // weight of an exclusive lock

type table struct {
	name string
	lock *semaphore.Weighted
}

type order struct {
	ID       int64   `json:"id"`
	User     string  `json:"user"`
	Items    []item  `json:"items"`
	Total    float64 `json:"total"`
	Currency string  `json:"currency"`
	Payment  string  `json:"payment"`
	Created  string  `json:"created"`
}

type item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type server struct {
	log    *logrus.Logger
	tables map[string]*table

	mu     sync.Mutex
	orders map[int64]order
	nextID int64
	stock  map[string]int
}

func main() {
	addr := flag.String("addr", "127.0.0.1:27293", "listen address")
	host := flag.String("host", "db-0", "host name to log")
	flag.Parse()

	log := logrus.New()
	log.SetOutput(os.Stdout)
	log.SetFormatter(&logrus.JSONFormatter{
		TimestampFormat: time.RFC3339Nano,
		FieldMap: logrus.FieldMap{
			logrus.FieldKeyTime:  "@timestamp",
			logrus.FieldKeyLevel: "log.level",
			logrus.FieldKeyMsg:   "message",
		},
	})
	base := log.WithFields(logrus.Fields{"service.name": "db", "service.version": version, "host.name": *host, "ecs.version": "1.6.0"})

	s := &server{
		log:    log,
		tables: map[string]*table{},
		orders: map[int64]order{},
		nextID: 50001,
		stock:  map[string]int{},
	}
	for _, n := range []string{"orders", "stock"} {
		s.tables[n] = &table{name: n, lock: semaphore.NewWeighted(lockAll)}
	}
	for i := 0; i < 60; i++ {
		s.stock[fmt.Sprintf("SKU-%04d", 1000+i*7)] = 40 + (i*37)%200
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"status": "ok", "version": version})
	})
	mux.HandleFunc("POST /orders", s.query("orders", true, "INSERT INTO orders (user_id, items, total, currency, payment_id) VALUES ($1, $2, $3, $4, $5) RETURNING id", s.insertOrder))
	mux.HandleFunc("GET /orders/{id}", s.query("orders", false, "SELECT * FROM orders WHERE id = $1", s.getOrder))
	mux.HandleFunc("GET /stock/{sku}", s.query("stock", false, "SELECT qty FROM stock WHERE sku = $1", s.getStock))
	mux.HandleFunc("POST /stock/{sku}/reserve", s.query("stock", true, "UPDATE stock SET qty = qty - $2 WHERE sku = $1 AND qty >= $2", s.reserve))
	mux.HandleFunc("POST /admin/maintenance", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Table          string  `json:"table"`
			AnalyzeSeconds float64 `json:"analyze_seconds"`
			VacuumSeconds  float64 `json:"vacuum_seconds"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || s.tables[req.Table] == nil {
			writeJSON(w, 400, map[string]string{"error": "want {table, analyze_seconds, vacuum_seconds}"})
			return
		}
		go s.maintain(base, s.tables[req.Table], secs(req.AnalyzeSeconds), secs(req.VacuumSeconds))
		writeJSON(w, 202, map[string]string{"status": "started"})
	})

	srv := &http.Server{Addr: *addr, Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		base.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	base.WithField("addr", *addr).Info("database system is ready to accept connections")
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		base.WithError(err).Fatal("listen failed")
	}
}

func secs(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// query wraps a statement: it takes the table lock (waiting in line), runs
// fn, and logs the statement with its duration and lock wait.
func (s *server) query(tbl string, write bool, stmt string, fn func(r *http.Request) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		span := w3c.FromRequest(r)
		log := s.log.WithFields(logrus.Fields{
			"service.name": "db", "service.version": version,
			"trace.id": span.TraceID, "span.id": span.SpanID, "parent.id": span.ParentID,
			"db.statement": stmt, "db.sql.table": tbl,
		})
		start := time.Now()
		weight := int64(1)
		if write {
			weight = 2 // writers share the table too (row locks), but count more
		}
		t := s.tables[tbl]
		if err := t.lock.Acquire(r.Context(), weight); err != nil {
			waited := time.Since(start)
			log.WithFields(logrus.Fields{"event.duration": waited.Nanoseconds(), "lock_wait_ms": waited.Milliseconds(), "error.type": "QueryCanceled"}).
				Error("canceling statement due to user request")
			return
		}
		waited := time.Since(start)
		status, body := fn(r)
		t.lock.Release(weight)
		d := time.Since(start)
		entry := log.WithFields(logrus.Fields{"event.duration": d.Nanoseconds(), "lock_wait_ms": waited.Milliseconds(), "db.rows_affected": rows(status)})
		if d > 500*time.Millisecond {
			entry.Warnf("slow query: duration %.3f ms", float64(d.Microseconds())/1000)
		} else {
			entry.Info("query executed")
		}
		if r.Context().Err() != nil {
			return // the caller is gone; the result is lost
		}
		writeJSON(w, status, body)
	}
}

func rows(status int) int {
	if status < 300 {
		return 1
	}
	return 0
}

func (s *server) insertOrder(r *http.Request) (int, any) {
	var o order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil || o.User == "" {
		return 400, map[string]string{"error": "invalid input syntax for type json"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o.ID = s.nextID
	s.nextID++
	o.Created = time.Now().UTC().Format(time.RFC3339Nano)
	s.orders[o.ID] = o
	return 201, o
}

func (s *server) getOrder(r *http.Request) (int, any) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 400, map[string]string{"error": "invalid input syntax for type bigint"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return 404, map[string]string{"error": "no rows"}
	}
	return 200, o
}

func (s *server) getStock(r *http.Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.stock[r.PathValue("sku")]
	if !ok {
		return 404, map[string]string{"error": "no rows"}
	}
	return 200, map[string]any{"sku": r.PathValue("sku"), "qty": q}
}

func (s *server) reserve(r *http.Request) (int, any) {
	var req struct {
		Qty int `json:"qty"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Qty <= 0 {
		return 400, map[string]string{"error": "invalid qty"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sku := r.PathValue("sku")
	q, ok := s.stock[sku]
	if !ok {
		return 404, map[string]string{"error": "no rows"}
	}
	if q < req.Qty {
		return 409, map[string]any{"error": "insufficient stock", "qty": q}
	}
	s.stock[sku] = q - req.Qty
	if s.stock[sku] < 5 {
		s.stock[sku] += 100 // the warehouse restocks
	}
	return 200, map[string]any{"sku": sku, "qty": s.stock[sku]}
}

// maintain analyzes t in passes that hold its exclusive lock for longer each
// time (the table grew since the last statistics), then rewrites it holding
// the lock for the whole of vacuum.
func (s *server) maintain(log *logrus.Entry, t *table, analyze, vacuum time.Duration) {
	log = log.WithField("db.sql.table", t.name)
	log.WithField("phase", "analyze").Info("automatic analyze of table started")
	start := time.Now()
	pass := 0
	for time.Since(start) < analyze {
		pass++
		hold := time.Duration(float64(40*time.Millisecond) * (1 + 1.6*float64(pass)))
		_ = t.lock.Acquire(context.Background(), lockAll)
		time.Sleep(hold)
		t.lock.Release(lockAll)
		time.Sleep(250 * time.Millisecond)
	}
	log.WithFields(logrus.Fields{"phase": "analyze", "passes": pass, "event.duration": time.Since(start).Nanoseconds()}).Info("automatic analyze of table finished")
	log.WithField("phase", "vacuum").Warn("VACUUM FULL started: table rewrite holds an ACCESS EXCLUSIVE lock")
	vstart := time.Now()
	_ = t.lock.Acquire(context.Background(), lockAll)
	time.Sleep(vacuum)
	t.lock.Release(lockAll)
	log.WithFields(logrus.Fields{"phase": "vacuum", "event.duration": time.Since(vstart).Nanoseconds()}).Info("VACUUM FULL finished")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
