// Command charmlog runs the orders service logging through
// charmbracelet/log's JSON formatter with its default timestamp layout.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/charmbracelet/log"
)

type logger struct{ l *log.Logger }

func (g logger) Info(msg string, kv ...any) { g.l.Info(msg, kv...) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{g.l.With("req_id", id)}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.Error(msg, "err", err, "stack", string(stack))
}
func (g logger) Error(msg string, err error) { g.l.Error(msg, "err", err) }

func main() {
	l := log.NewWithOptions(os.Stdout, log.Options{
		Formatter: log.JSONFormatter, ReportTimestamp: true, ReportCaller: true, Prefix: shop.Service,
	})
	shop.Run("charmlog", logger{l})
}
