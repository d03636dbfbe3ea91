// Command gokit runs the orders service logging through go-kit/log's JSON
// logger with the level package; the request id is bound by log.With.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
)

type logger struct{ l log.Logger }

func (g logger) Info(msg string, kv ...any) { level.Info(g.l).Log(append([]any{"msg", msg}, kv...)...) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{log.With(g.l, "request_id", id)}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	level.Error(g.l).Log("msg", msg, "err", err, "stack", string(stack))
}
func (g logger) Error(msg string, err error) { level.Error(g.l).Log("msg", msg, "err", err) }

func main() {
	l := log.NewJSONLogger(log.NewSyncWriter(os.Stdout))
	l = log.With(l, "ts", log.DefaultTimestampUTC, "caller", log.DefaultCaller, "svc", shop.Service)
	shop.Run("gokit", logger{l})
}
