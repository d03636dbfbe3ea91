// Command funcr runs the orders service logging through go-logr's own JSON
// implementation, funcr.NewJSON, with timestamps and caller; the request id
// is bound with WithValues.
package main

import (
	"fmt"

	"github.com/acme/orders/internal/shop"
	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

type logger struct{ l logr.Logger }

func (g logger) Info(msg string, kv ...any) { g.l.Info(msg, kv...) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{g.l.WithValues("request_id", id)}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.Error(err, msg, "stack", string(stack))
}
func (g logger) Error(msg string, err error) { g.l.Error(err, msg) }

func main() {
	l := funcr.NewJSON(func(obj string) { fmt.Println(obj) }, funcr.Options{LogTimestamp: true, LogCaller: funcr.All})
	shop.Run("funcr", logger{l.WithName(shop.Service)})
}
