// Command klog runs the orders service logging the Kubernetes way: klog's
// contextual logging backed by component-base's JSON format (what
// --logging-format=json selects in Kubernetes components); the request id
// is bound with klog.LoggerWithValues.
package main

import (
	"os"

	"github.com/acme/orders/internal/shop"
	"github.com/go-logr/logr"
	logsjson "k8s.io/component-base/logs/json"
	"k8s.io/klog/v2"
)

type logger struct{ l logr.Logger }

func (g logger) Info(msg string, kv ...any) { g.l.Info(msg, kv...) }
func (g logger) Request(id string) shop.ReqLog {
	return logger{klog.LoggerWithValues(g.l, "requestID", id)}
}
func (g logger) Panic(msg string, err error, stack []byte) {
	g.l.Error(err, msg, "stacktrace", string(stack))
}
func (g logger) Error(msg string, err error) { g.l.Error(err, msg) }

func main() {
	l, control := logsjson.NewJSONLogger(0, os.Stdout, nil, nil)
	defer control.Flush()
	klog.SetLogger(l)
	shop.Run("klog", logger{klog.LoggerWithName(klog.Background(), shop.Service)})
}
