// Command apexlog runs the orders service logging through apex/log's JSON
// handler; the request id is a field of a per-request Entry.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/apex/log"
	"github.com/apex/log/handlers/json"
)

type logger struct{ l log.Interface }

func fields(kv []any) log.Fields {
	f := log.Fields{}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i].(string)] = kv[i+1]
	}
	return f
}

func (g logger) Info(msg string, kv ...any) { g.l.WithFields(fields(kv)).Info(msg) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{g.l.WithField("request_id", id)}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.WithError(err).WithField("stack", string(stack)).Error(msg)
}
func (g logger) Error(msg string, err error) { g.l.WithError(err).Error(msg) }

func main() {
	l := &log.Logger{Handler: json.New(os.Stdout), Level: log.InfoLevel}
	shop.Run("apexlog", logger{l.WithField("app", shop.Service)})
}
