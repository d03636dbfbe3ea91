// Command golog runs the orders service logging through kataras/golog
// (Iris's logger) with its JSON formatter; the request id is a golog.Fields
// entry of each call.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/kataras/golog"
)

type logger struct {
	l  *golog.Logger
	id string
}

func (g logger) fields(kv []any) golog.Fields {
	f := golog.Fields{}
	if g.id != "" {
		f["request_id"] = g.id
	}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i].(string)] = kv[i+1]
	}
	return f
}

func (g logger) Info(msg string, kv ...any)    { g.l.Info(msg, g.fields(kv)) }
func (g logger) Request(id string) shop.ReqLog { return logger{g.l, id} }
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.Error(msg, g.fields([]any{"error", err.Error(), "stack", string(stack)}))
}
func (g logger) Error(msg string, err error) { g.l.Error(msg, g.fields([]any{"error", err.Error()})) }

func main() {
	l := golog.New().SetOutput(os.Stdout).SetLevel("info").SetFormat("json", "") // one object per line (the default indents)
	shop.Run("golog", logger{l: l})
}
