// Command orders is the sample incident's orders service: Go, net/http with
// Go 1.22 mux patterns, log/slog's JSON handler.
//
// It serves orders, carts, checkout and user profiles for the gateway, keeps
// its data in the db service and reserves stock in the inventory service, both
// over HTTP, passing X-Request-ID downstream. A panic in a handler is
// recovered, logged at ERROR with debug.Stack() and answered with a 500.
//
// The listener sets SO_REUSEPORT so that a new release can start on the same
// port before the old one drains, as a rolling deploy would.
//
// It imports the standard library and golang.org/x/sys/unix.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type server struct {
	log *slog.Logger
	db  *client
	inv *client
}

func main() {
	addr := flag.String("addr", "127.0.0.1:27181", "listen address")
	dbURL := flag.String("db", "http://127.0.0.1:27183", "db service base URL")
	invURL := flag.String("inventory", "http://127.0.0.1:27182", "inventory service base URL")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("service", "orders", "version", version)
	s := &server{
		log: log,
		db:  newClient("db", *dbURL, 1500*time.Millisecond),
		inv: newClient("inventory", *invURL, 2*time.Second),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": version})
	})
	mux.HandleFunc("GET /api/orders/{id}", s.getOrder)
	mux.HandleFunc("POST /api/orders", s.createOrder)
	mux.HandleFunc("GET /api/users/{id}/profile", s.profile)
	mux.HandleFunc("GET /api/cart", s.getCart)
	mux.HandleFunc("POST /api/cart/items", s.addCartItem)
	mux.HandleFunc("POST /api/checkout", s.checkout)

	lc := net.ListenConfig{Control: reusePort}
	ln, err := lc.Listen(context.Background(), "tcp", *addr)
	if err != nil {
		log.Error("listen failed", "addr", *addr, "error", err.Error())
		os.Exit(1)
	}
	srv := &http.Server{Handler: s.middleware(mux), ReadHeaderTimeout: 5 * time.Second}
	log.Info("starting", "addr", *addr, "db", *dbURL, "inventory", *invURL)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Error("shutdown", "error", err.Error())
		}
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve failed", "error", err.Error())
		os.Exit(1)
	}
	<-done
	log.Info("stopped")
}

func reusePort(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

type logKey struct{}

// logger returns the request-scoped logger the middleware stored in ctx.
func logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(logKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// middleware binds the request's attributes to a logger, recovers panics and
// writes one access line per request.
func (s *server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		rid := r.Header.Get("X-Request-ID")
		if rid == "" {
			rid = newRequestID()
		}
		l := s.log.With("request_id", rid, "user_id", r.Header.Get("X-User-ID"),
			"method", r.Method, "path", r.URL.Path)
		ctx := context.WithValue(context.WithValue(r.Context(), logKey{}, l), ridKey{}, rid)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				l.Error("panic recovered", "route", r.Pattern, "error", fmt.Sprint(p),
					"stack", string(debug.Stack()))
				if sw.status == 0 {
					writeJSON(sw, http.StatusInternalServerError, map[string]string{"error": "internal server error", "request_id": rid})
				}
			}
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			l.Log(r.Context(), level, "request completed", "route", r.Pattern, "status", sw.status,
				"duration_ms", float64(time.Since(start).Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r)
	})
}

// fail logs a failed dependency call and answers 500.
func fail(w http.ResponseWriter, r *http.Request, query string, err *depError) {
	logger(r.Context()).Error(err.dep+" "+err.what+" failed", "route", r.Pattern, "query", query, "error", err.Error())
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal server error"})
}

// newRequestID returns a random UUID v4.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
