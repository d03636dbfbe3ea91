// Command phuslu runs the orders service logging through phuslu/log's JSON
// writer; the request id is in a per-request logger's Context, and the panic
// stack comes from the library's own Entry.Stack.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/phuslu/log"
)

type logger struct{ l *log.Logger }

func (g logger) Info(msg string, kv ...any) { g.l.Info().KeysAndValues(kv...).Msg(msg) }
func (g logger) Request(id string) shop.ReqLog {
	l := *g.l
	l.Context = log.NewContext(l.Context).Str("trace_id", id).Value()
	return logger{&l}
}
func (g logger) Panic(msg string, err error, _ []byte) {
	g.l.Error().Err(err).Stack().Msg(msg)
}
func (g logger) Error(msg string, err error) { g.l.Error().Err(err).Msg(msg) }

func main() {
	l := &log.Logger{
		Level: log.InfoLevel, Caller: 1, Writer: &log.IOWriter{Writer: os.Stdout},
		Context: log.NewContext(nil).Str("service", shop.Service).Value(),
	}
	shop.Run("phuslu", logger{l})
}
