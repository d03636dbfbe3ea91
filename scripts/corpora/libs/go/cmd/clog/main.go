// Command clog runs the orders service logging through chainguard-dev/clog
// with its gcp handler: log/slog's JSON handler with the ReplaceAttr that
// Cloud Logging needs (`severity`, `message`,
// `logging.googleapis.com/sourceLocation`); the stack goes to `stack_trace`,
// where Error Reporting looks for it.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/chainguard-dev/clog"
	"github.com/chainguard-dev/clog/gcp"
)

type logger struct{ l *clog.Logger }

func (g logger) Info(msg string, kv ...any) { g.l.Info(msg, kv...) }
func (g logger) Warn(msg string, kv ...any) { g.l.Warn(msg, kv...) }
func (g logger) Request(id string) shop.ReqLog {
	ctx := clog.WithLogger(context.Background(), g.l.With("request_id", id))
	return logger{clog.FromContext(ctx)}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.Error(msg, "error", err.Error(), "stack_trace", string(stack))
}
func (g logger) Error(msg string, err error) { g.l.Error(msg, "error", err.Error()) }

func main() {
	l := clog.New(gcp.NewHandlerForWriter(os.Stdout, slog.LevelInfo)).With("service", shop.Service)
	shop.Run("clog", logger{l})
}
