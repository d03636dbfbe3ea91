// Command gozero runs the orders service logging through go-zero's logx
// (JSON encoding, console mode: `@timestamp`, `level`, `content`, `caller`),
// the request id a field of the request's context (logx.ContextWithFields),
// warnings at logx's "slow" level (it has no warn), the recovered panic's
// error and stack as fields of Errorw.
package main

import (
	"context"
	"fmt"

	"github.com/acme/orders/internal/shop"
	"github.com/zeromicro/go-zero/core/logx"
)

type logger struct{ ctx context.Context }

func fields(kv []any) []logx.LogField {
	var out []logx.LogField
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, logx.Field(fmt.Sprint(kv[i]), kv[i+1]))
	}
	return out
}

func (g logger) Info(msg string, kv ...any) { logx.WithContext(g.ctx).Infow(msg, fields(kv)...) }
func (g logger) Warn(msg string, kv ...any) { logx.WithContext(g.ctx).Sloww(msg, fields(kv)...) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{logx.ContextWithFields(context.Background(), logx.Field("request_id", id))}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	logx.WithContext(g.ctx).Errorw(msg, logx.Field("error", err.Error()), logx.Field("stack", string(stack)))
}
func (g logger) Error(msg string, err error) {
	logx.WithContext(g.ctx).Errorw(msg, logx.Field("error", err.Error()))
}

func main() {
	logx.MustSetup(logx.LogConf{ServiceName: shop.Service, Mode: "console", Encoding: "json", Stat: false})
	logx.DisableStat()
	shop.Run("gozero", logger{context.Background()})
}
