// Command formats writes the real output of Go logging libraries (zap,
// zerolog, logrus, log/slog) for one small web-service scenario into
// testdata/formats. Times come from a fake clock so that a re-run gives the
// same timestamps; everything else is what the libraries print.
//
// Usage: go run -trimpath ./cmd/formats OUTDIR
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"
	_ "time/tzdata" // the fake clock uses named zones

	"example.com/shop/internal/checkout"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/pkgerrors"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
)

// clock is a deterministic clock: every reading advances it by a few
// milliseconds (with sub-millisecond noise) so timestamps look real.
type clock struct {
	t     time.Time
	n     int
	scale time.Duration
}

// newClock starts a clock at start (RFC 3339) shown in zone; scale
// stretches its steps (1: a few ms per reading; 100: about a second).
func newClock(start, zone string, scale time.Duration) *clock {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	t, err := time.Parse(time.RFC3339Nano, start)
	if err != nil {
		panic(err)
	}
	return &clock{t: t.In(loc), scale: scale}
}

// Now implements zapcore.Clock and zerolog.TimestampFunc.
func (c *clock) Now() time.Time {
	c.n++
	c.t = c.t.Add(c.scale * (time.Duration(3+c.n*7%23)*time.Millisecond + time.Duration(c.n*137%1000)*time.Microsecond + time.Duration(c.n*31)*time.Nanosecond))
	return c.t
}

// NewTicker implements zapcore.Clock.
func (c *clock) NewTicker(d time.Duration) *time.Ticker { return time.NewTicker(d) }

// ids returns n deterministic ids for a corpus, in the given style.
func ids(seed, style string, n int) []string {
	out := make([]string, n)
	for i := range out {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", seed, i)))
		h := hex.EncodeToString(sum[:])
		switch style {
		case "uuid":
			out[i] = fmt.Sprintf("%s-%s-4%s-a%s-%s", h[0:8], h[8:12], h[13:16], h[17:20], h[20:32])
		case "xid": // rs/xid alphabet
			const alpha = "0123456789abcdefghijklmnopqrstuv"
			b := make([]byte, 20)
			for j := range b {
				b[j] = alpha[int(sum[j])%32]
			}
			out[i] = string(b)
		default:
			out[i] = h[:32]
		}
	}
	return out
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: formats OUTDIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	for name, f := range map[string]func(string) error{
		"zap.jsonl":            writeZap,
		"zap-dev.jsonl":        writeZapDev,
		"zerolog.jsonl":        func(p string) error { return writeZerolog(p, "") },
		"zerolog-unixms.jsonl": func(p string) error { return writeZerolog(p, zerolog.TimeFormatUnixMs) },
		"logrus.jsonl":         writeLogrus,
		"slog.jsonl":           writeSlog,
	} {
		// zap appends to its output paths: start from an empty file.
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := f(filepath.Join(dir, name)); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(1)
		}
	}
}

func writeZap(path string) error {
	clk := newClock("2026-11-24T14:02:11.000Z", "UTC", 1)
	cfg := zap.NewProductionConfig()
	cfg.OutputPaths = []string{path}
	base, err := cfg.Build(zap.WithClock(clk))
	if err != nil {
		return err
	}
	log := base.Named("http").With(zap.String("service", "checkout-api"), zap.String("version", "v1.14.2"))
	id := ids("zap", "uuid", 4)
	log.Info("server listening", zap.String("addr", ":8080"))
	// request 1: GET an order
	r := log.With(zap.String("request_id", id[0]))
	r.Info("request started", zap.String("method", "GET"), zap.String("path", "/api/orders/1042"), zap.String("user_id", "u-1017"))
	r.Debug("order loaded from cache", zap.Int("order_id", 1042))
	r.Info("request completed", zap.String("method", "GET"), zap.String("path", "/api/orders/1042"), zap.Int("status", 200), zap.Duration("duration", 12400*time.Microsecond), zap.String("user_id", "u-1017"))
	// request 2: POST checkout fails
	r = log.With(zap.String("request_id", id[1]))
	r.Info("request started", zap.String("method", "POST"), zap.String("path", "/api/checkout"), zap.String("user_id", "u-2231"))
	r.Warn("payment provider slow", zap.Duration("latency", 812*time.Millisecond), zap.String("provider", "stripe"))
	err = checkout.ReserveInventory("SKU-1042", 2)
	r.Error("checkout failed", zap.String("method", "POST"), zap.String("path", "/api/checkout"), zap.Int("status", 500), zap.String("user_id", "u-2231"), zap.Error(err))
	r.Info("request completed", zap.String("method", "POST"), zap.String("path", "/api/checkout"), zap.Int("status", 500), zap.Duration("duration", 845*time.Millisecond), zap.String("user_id", "u-2231"))
	// request 3: order not found, anonymous
	r = log.With(zap.String("request_id", id[2]))
	r.Info("request started", zap.String("method", "GET"), zap.String("path", "/api/orders/7?expand=items"))
	r.Warn("order not found", zap.Int("order_id", 7))
	r.Info("request completed", zap.String("method", "GET"), zap.String("path", "/api/orders/7?expand=items"), zap.Int("status", 404), zap.Duration("duration", 3100*time.Microsecond))
	// request 4: cart
	r = log.With(zap.String("request_id", id[3]))
	r.Info("request started", zap.String("method", "GET"), zap.String("path", "/api/users/u-1017/cart"), zap.String("user_id", "u-1017"))
	r.Info("request completed", zap.String("method", "GET"), zap.String("path", "/api/users/u-1017/cart"), zap.Int("status", 200), zap.Duration("duration", 8*time.Millisecond), zap.String("user_id", "u-1017"))
	return base.Sync()
}

func writeZapDev(path string) error {
	clk := newClock("2026-11-24T14:05:40.000Z", "Europe/Berlin", 1)
	cfg := zap.Config{
		Level:            zap.NewAtomicLevelAt(zap.DebugLevel),
		Development:      true,
		Encoding:         "json",
		EncoderConfig:    zap.NewDevelopmentEncoderConfig(),
		OutputPaths:      []string{path},
		ErrorOutputPaths: []string{"stderr"},
	}
	base, err := cfg.Build(zap.WithClock(clk))
	if err != nil {
		return err
	}
	log := base.Named("orders").With(zap.String("service", "orders"))
	id := ids("zap-dev", "uuid", 4)
	log.Info("server listening", zap.String("addr", "127.0.0.1:8081"))
	r := log.With(zap.String("request_id", id[0]))
	r.Info("request started", zap.String("method", "GET"), zap.String("path", "/api/orders/1042"), zap.String("user_id", "u-1017"))
	r.Info("request completed", zap.Int("status", 200), zap.String("method", "GET"), zap.String("path", "/api/orders/1042"))
	r = log.With(zap.String("request_id", id[1]))
	r.Info("request started", zap.String("method", "POST"), zap.String("path", "/api/checkout"), zap.String("user_id", "u-2231"))
	r.Error("checkout failed", zap.Int("status", 500), zap.String("method", "POST"), zap.String("path", "/api/checkout"), zap.Error(checkout.ReserveInventory("SKU-1042", 2)))
	r.Info("request completed", zap.Int("status", 500), zap.String("method", "POST"), zap.String("path", "/api/checkout"))
	r = log.With(zap.String("request_id", id[2]))
	r.Debug("request started", zap.String("method", "GET"), zap.String("path", "/api/orders/7"))
	r.Info("request completed", zap.Int("status", 404), zap.String("method", "GET"), zap.String("path", "/api/orders/7"))
	r = log.With(zap.String("request_id", id[3]))
	r.Info("request started", zap.String("method", "GET"), zap.String("path", "/api/orders/1042/items"), zap.String("user_id", "u-1017"))
	r.Warn("slow request", zap.Int("status", 200), zap.String("method", "GET"), zap.String("path", "/api/orders/1042/items"), zap.Duration("duration", 2300*time.Millisecond))
	return base.Sync()
}

func writeZerolog(path, timeFormat string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	seed, start := "zerolog", "2026-11-24T14:10:02.000Z"
	if timeFormat != "" {
		seed, start = "zerolog-unixms", "2026-11-24T14:12:47.000Z"
	}
	clk := newClock(start, "UTC", 100)
	zerolog.TimestampFunc = clk.Now
	zerolog.ErrorStackMarshaler = pkgerrors.MarshalStack
	if timeFormat != "" {
		zerolog.TimeFieldFormat = timeFormat
		defer func() { zerolog.TimeFieldFormat = time.RFC3339 }()
	}
	log := zerolog.New(f).With().Timestamp().Caller().Str("service", "inventory").Logger()
	id := ids(seed, "xid", 4)
	log.Info().Str("addr", ":9000").Msg("server listening")
	r := log.With().Str("request_id", id[0]).Logger()
	r.Info().Str("method", "GET").Str("path", "/api/orders/1042").Str("user_id", "u-1017").Msg("request started")
	r.Debug().Int("order_id", 1042).Msg("order loaded from cache")
	r.Info().Str("method", "GET").Str("path", "/api/orders/1042").Int("status", 200).Dur("elapsed", 12400*time.Microsecond).Str("user_id", "u-1017").Msg("request completed")
	r = log.With().Str("request_id", id[1]).Logger()
	r.Info().Str("method", "POST").Str("path", "/api/checkout").Str("user_id", "u-2231").Msg("request started")
	r.Warn().Dur("latency", 812*time.Millisecond).Msg("payment provider slow")
	r.Error().Stack().Err(checkout.ReserveInventory("SKU-1042", 2)).Str("method", "POST").Str("path", "/api/checkout").Int("status", 500).Str("user_id", "u-2231").Msg("checkout failed")
	r.Info().Str("method", "POST").Str("path", "/api/checkout").Int("status", 500).Dur("elapsed", 845*time.Millisecond).Msg("request completed")
	r = log.With().Str("request_id", id[2]).Logger()
	r.Info().Str("method", "GET").Str("path", "/api/orders/7?expand=items").Msg("request started")
	r.Warn().Int("order_id", 7).Msg("order not found")
	r.Info().Str("method", "GET").Str("path", "/api/orders/7?expand=items").Int("status", 404).Dur("elapsed", 3100*time.Microsecond).Msg("request completed")
	r = log.With().Str("request_id", id[3]).Logger()
	r.Info().Str("method", "DELETE").Str("path", "/api/users/u-1017/cart/SKU-77").Str("user_id", "u-1017").Msg("request started")
	r.Info().Str("method", "DELETE").Str("path", "/api/users/u-1017/cart/SKU-77").Int("status", 204).Str("user_id", "u-1017").Msg("request completed")
	return nil
}

func writeLogrus(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	clk := newClock("2026-11-24T14:20:31.000Z", "America/New_York", 100)
	l := logrus.New()
	l.Out = f
	l.Formatter = &logrus.JSONFormatter{}
	l.Level = logrus.DebugLevel
	l.SetReportCaller(true)
	log := l.WithField("service", "payments")
	id := ids("logrus", "hex", 4)
	at := func(e *logrus.Entry) *logrus.Entry { return e.WithTime(clk.Now()) }
	at(log).WithField("addr", ":8443").Info("server listening")
	r := log.WithField("request_id", id[0])
	at(r).WithFields(logrus.Fields{"method": "GET", "path": "/api/payments/88", "user_id": 1017}).Info("request started")
	at(r).WithFields(logrus.Fields{"method": "GET", "path": "/api/payments/88", "user_id": 1017, "status": 200}).Info("request completed")
	r = log.WithField("request_id", id[1])
	at(r).WithFields(logrus.Fields{"method": "POST", "path": "/api/payments", "user_id": 2231}).Info("request started")
	at(r).WithField("attempt", 2).Warn("card network timeout, retrying")
	err = checkout.ReserveInventory("SKU-1042", 2)
	at(r).WithError(err).WithFields(logrus.Fields{"method": "POST", "path": "/api/payments", "user_id": 2231, "status": 500, "stack": string(debug.Stack())}).Error("payment capture failed")
	at(r).WithFields(logrus.Fields{"method": "POST", "path": "/api/payments", "user_id": 2231, "status": 500}).Info("request completed")
	r = log.WithField("request_id", id[2])
	at(r).WithFields(logrus.Fields{"method": "GET", "path": "/api/payments/7?include=refunds"}).Info("request started")
	at(r).WithFields(logrus.Fields{"method": "GET", "path": "/api/payments/7?include=refunds", "status": 404}).Warn("payment not found")
	r = log.WithField("request_id", id[3])
	at(r).WithFields(logrus.Fields{"method": "GET", "path": "/healthz"}).Debug("request started")
	at(r).WithFields(logrus.Fields{"method": "GET", "path": "/healthz", "status": 200}).Debug("request completed")
	return nil
}

// slogAt logs a record at a given time, the way log/slog's documentation
// shows for wrappers (so AddSource still names the caller).
func slogAt(h slog.Handler, t time.Time, level slog.Level, msg string, attrs ...slog.Attr) {
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:])
	r := slog.NewRecord(t, level, msg, pcs[0])
	r.AddAttrs(attrs...)
	if err := h.Handle(context.Background(), r); err != nil {
		panic(err)
	}
}

func writeSlog(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	clk := newClock("2026-11-24T14:31:09.000Z", "Asia/Kolkata", 1)
	h := slog.NewJSONHandler(f, &slog.HandlerOptions{AddSource: true, Level: slog.LevelDebug}).
		WithAttrs([]slog.Attr{slog.String("service", "cart"), slog.String("host", "cart-6f7d9c-x2k4p")})
	id := ids("slog", "uuid", 4)
	req := func(id, method, path string) slog.Attr {
		return slog.Group("req", slog.String("id", id), slog.String("method", method), slog.String("path", path))
	}
	slogAt(h, clk.Now(), slog.LevelInfo, "server listening", slog.String("addr", ":8082"))
	slogAt(h, clk.Now(), slog.LevelInfo, "request started", req(id[0], "GET", "/api/users/u-1017/cart"), slog.String("user_id", "u-1017"))
	slogAt(h, clk.Now(), slog.LevelDebug, "cart loaded", req(id[0], "GET", "/api/users/u-1017/cart"), slog.Int("items", 3))
	slogAt(h, clk.Now(), slog.LevelInfo, "request completed", req(id[0], "GET", "/api/users/u-1017/cart"), slog.Int("status", 200), slog.String("user_id", "u-1017"), slog.Duration("duration", 8200*time.Microsecond))
	slogAt(h, clk.Now(), slog.LevelInfo, "request started", req(id[1], "POST", "/api/users/u-2231/cart/items"), slog.String("user_id", "u-2231"))
	slogAt(h, clk.Now(), slog.Level(2), "cart cache miss", req(id[1], "POST", "/api/users/u-2231/cart/items"))
	err = checkout.ReserveInventory("SKU-1042", 2)
	slogAt(h, clk.Now(), slog.LevelError, "add to cart failed", req(id[1], "POST", "/api/users/u-2231/cart/items"), slog.Int("status", 500), slog.String("user_id", "u-2231"), slog.String("error", err.Error()), slog.String("stack", string(debug.Stack())))
	slogAt(h, clk.Now(), slog.LevelInfo, "request completed", req(id[1], "POST", "/api/users/u-2231/cart/items"), slog.Int("status", 500), slog.String("user_id", "u-2231"))
	slogAt(h, clk.Now(), slog.LevelInfo, "request started", req(id[2], "GET", "/api/users/u-404/cart?fields=total"))
	slogAt(h, clk.Now(), slog.LevelWarn, "request completed", req(id[2], "GET", "/api/users/u-404/cart?fields=total"), slog.Int("status", 404))
	slogAt(h, clk.Now(), slog.LevelInfo, "request started", req(id[3], "PUT", "/api/users/u-1017/cart/items/SKU-77"), slog.String("user_id", "u-1017"))
	slogAt(h, clk.Now(), slog.LevelInfo, "request completed", req(id[3], "PUT", "/api/users/u-1017/cart/items/SKU-77"), slog.Int("status", 200), slog.String("user_id", "u-1017"))
	return nil
}
