// Command hclog runs the orders service logging through hashicorp/go-hclog
// in JSON format, a request-scoped logger made by With.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/hashicorp/go-hclog"
)

type logger struct{ l hclog.Logger }

func (g logger) Info(msg string, kv ...any) { g.l.Info(msg, kv...) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{g.l.With("request_id", id)}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.Error(msg, "error", err, "stack", string(stack))
}
func (g logger) Error(msg string, err error) { g.l.Error(msg, "error", err) }

func main() {
	l := hclog.New(&hclog.LoggerOptions{
		Name: shop.Service, Level: hclog.Info, Output: os.Stdout, JSONFormat: true, IncludeLocation: true,
	})
	shop.Run("hclog", logger{l})
}
