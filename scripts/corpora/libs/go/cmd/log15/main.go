// Command log15 runs the orders service logging through
// inconshreveable/log15's JsonFormat; the request id is bound by New.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/inconshreveable/log15"
)

type logger struct{ l log15.Logger }

func (g logger) Info(msg string, kv ...any) { g.l.Info(msg, kv...) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{g.l.New("reqid", id)}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.Error(msg, "err", err, "stack", string(stack))
}
func (g logger) Error(msg string, err error) { g.l.Error(msg, "err", err) }

func main() {
	l := log15.New("svc", shop.Service)
	l.SetHandler(log15.StreamHandler(os.Stdout, log15.JsonFormat()))
	shop.Run("log15", logger{l})
}
