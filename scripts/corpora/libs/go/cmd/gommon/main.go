// Command gommon runs the orders service logging through labstack/gommon's
// log (Echo's logger) with its default JSON header and the *j methods; the
// request id is the "id" field, as Echo's request logger names it.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/labstack/gommon/log"
)

type logger struct {
	l  *log.Logger
	id string
}

func (g logger) json(msg string, kv []any) log.JSON {
	j := log.JSON{"message": msg}
	if g.id != "" {
		j["id"] = g.id
	}
	for i := 0; i+1 < len(kv); i += 2 {
		j[kv[i].(string)] = kv[i+1]
	}
	return j
}

func (g logger) Info(msg string, kv ...any)    { g.l.Infoj(g.json(msg, kv)) }
func (g logger) Request(id string) shop.ReqLog { return logger{g.l, id} }
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.Errorj(g.json(msg, []any{"error", err.Error(), "stack", string(stack)}))
}
func (g logger) Error(msg string, err error) { g.l.Errorj(g.json(msg, []any{"error", err.Error()})) }

func main() {
	l := log.New(shop.Service)
	l.SetOutput(os.Stdout)
	l.SetLevel(log.INFO)
	shop.Run("gommon", logger{l: l})
}
