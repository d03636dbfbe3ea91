// Command zapdriver runs the orders service logging through
// blendle/zapdriver, zap configured for Google Cloud Logging (Stackdriver):
// `severity`, `timestamp`, `message`, the request id as a label, errors
// reported for Error Reporting (`serviceContext`, `context.reportLocation`)
// and zap's own `stacktrace`, taken in the recover while the panicking frames
// are still on the stack.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/blendle/zapdriver"
	"go.uber.org/zap"
)

type logger struct{ l *zap.SugaredLogger }

func (g logger) Info(msg string, kv ...any) { g.l.Infow(msg, kv...) }
func (g logger) Warn(msg string, kv ...any) { g.l.Warnw(msg, kv...) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{g.l.Desugar().With(zapdriver.Label("request_id", id)).Sugar()}
}
func (g logger) Panic(msg string, err error, _ []byte) { g.l.Errorw(msg, "error", err) }
func (g logger) Error(msg string, err error)           { g.l.Errorw(msg, "error", err) }

func main() {
	cfg := zapdriver.NewProductionConfig()
	cfg.OutputPaths = []string{"stdout"}
	l, err := cfg.Build(zapdriver.WrapCore(zapdriver.ReportAllErrors(true), zapdriver.ServiceName(shop.Service)))
	if err != nil {
		os.Exit(1)
	}
	defer l.Sync()
	shop.Run("zapdriver", logger{l.Sugar()})
}
