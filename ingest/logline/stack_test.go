package logline

import (
	"slices"
	"testing"
)

func TestParseStack(t *testing.T) {
	cases := []struct {
		name     string
		stack    string
		typ, msg string
		frames   []string
	}{
		{
			name: "go panic",
			stack: "panic: runtime error: index out of range [3] with length 3\n\n" +
				"goroutine 7 [running]:\n" +
				"github.com/acme/shop/internal/cart.(*Cart).Pick(0xc000010000, {0x6b3c20, 0x5})\n" +
				"\t/build/internal/cart/cart.go:43 +0x1d\n" +
				"github.com/acme/shop/internal/cart.(*Cart).Pick.func2(...)\n" +
				"\t/build/internal/cart/cart.go:50\n" +
				"github.com/lib/pq.(*conn).query(0x1)\n" +
				"\t/root/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go:12 +0x2\n" +
				"net/http.HandlerFunc.ServeHTTP(0x0?, {0x0?, 0x0?}, 0x0?)\n" +
				"\t/usr/local/go/src/net/http/server.go:2286 +0x29\n" +
				"main.main()\n\t/build/main.go:9 +0x1\n" +
				"created by net/http.(*Server).Serve in goroutine 1\n" +
				"\t/usr/local/go/src/net/http/server.go:3464 +0x485\n\n" +
				"goroutine 1 [chan receive]:\nmain.other()\n\t/build/other.go:1 +0x1\n",
			typ: "panic", msg: "runtime error: index out of range [3] with length 3",
			frames: []string{"github.com/acme/shop/internal/cart.(*Cart).Pick", "github.com/acme/shop/internal/cart.(*Cart).Pick.func", "main.main"},
		},
		{
			name: "go debug.Stack in a recovering middleware: frames from panic() on",
			stack: "goroutine 45 [running]:\nruntime/debug.Stack()\n\truntime/debug/stack.go:26 +0x5e\n" +
				"main.main.(*server).middleware.func3.1()\n\tshop/orders/main.go:160 +0x111\n" +
				"panic({0x73e4c0?, 0xa77380?})\n\truntime/panic.go:860 +0x13a\n" +
				"main.loyaltyDiscount(...)\n\tshop/orders/pricing.go:20\n" +
				"main.(*server).getOrder(0x1f93be616108, {0x7c9060, 0x1f93be69a7e0}, 0x1f93be7a1a40)\n\tshop/orders/handlers.go:80 +0x4e4\n" +
				"net/http.HandlerFunc.ServeHTTP(0x1f93be70a0c0?, {0x7c9060?, 0x1f93be69a7e0?}, 0x1f93be651970?)\n\tnet/http/server.go:2286 +0x29\n",
			frames: []string{"main.loyaltyDiscount", "main.(*server).getOrder"},
		},
		{
			name: "zap stacktrace without arguments",
			stack: "main.handler\n\t/app/main.go:42\n" +
				"go.uber.org/zap.(*Logger).Error\n\t/go/pkg/mod/go.uber.org/zap@v1.27.0/logger.go:1\n" +
				"runtime.main\n\t/usr/local/go/src/runtime/proc.go:250",
			frames: []string{"main.handler"},
		},
		{
			name: "java caused by",
			stack: "java.lang.IllegalStateException: could not reserve stock for order 1049\n" +
				"\tat shop.OrderService.placeOrder(OrderService.java:15)\n" +
				"\tat shop.Stacks.lambda$main$1(Stacks.java:27)\n" +
				"\tat java.base/java.lang.Thread.run(Thread.java:840)\n" +
				"Caused by: org.postgresql.util.PSQLException: ERROR: deadlock detected\n" +
				"\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)\n" +
				"\tat shop.OrderService$1.run(OrderService.java:30)\n" +
				"\tat shop.OrderService$$EnhancerBySpringCGLIB$$a1b2c3d4.reserve(<generated>)\n" +
				"\t... 5 more\n",
			typ: "org.postgresql.util.PSQLException", msg: "ERROR: deadlock detected",
			frames: []string{"shop.OrderService$.run", "shop.OrderService$$EnhancerBySpringCGLIB$$.reserve"},
		},
		{
			name: "java root cause with only library frames takes the app frames of the chain",
			stack: "java.lang.RuntimeException: wrapped\n\tat shop.A.b(A.java:1)\n" +
				"Caused by: java.net.SocketTimeoutException: Read timed out\n\tat java.net.SocketInputStream.read(SocketInputStream.java:1)\n",
			typ: "java.net.SocketTimeoutException", msg: "Read timed out",
			frames: []string{"shop.A.b"},
		},
		{
			name: "dotnet inner exception",
			stack: "System.InvalidOperationException: Failed to load order 1042.\n" +
				" ---> System.InvalidOperationException: Sequence contains no elements\n" +
				"   at System.Linq.ThrowHelper.ThrowNoElementsException()\n" +
				"   at Orders.Data.OrderRepository.<GetAsync>d__4.MoveNext() in /src/Orders/OrderRepository.cs:line 33\n" +
				"--- End of stack trace from previous location ---\n" +
				"   --- End of inner exception stack trace ---\n" +
				"   at Orders.Services.OrderService.GetAsync(Int64 orderId) in /src/Orders/OrderService.cs:line 24\n" +
				"   at lambda_method9(Closure, Object)\n",
			typ: "System.InvalidOperationException", msg: "Sequence contains no elements",
			frames: []string{"Orders.Data.OrderRepository.<GetAsync>d__.MoveNext"},
		},
		{
			name: "node",
			stack: "TypeError: Cannot read properties of undefined (reading 'price')\n" +
				"    at /srv/app/shop.js:17:70\n" +
				"    at Array.reduce (<anonymous>)\n" +
				"    at async Object.priceCart [as price] (/srv/app/shop.js:17:21)\n" +
				"    at new Checkout (file:///srv/app/checkout.mjs:3:1)\n" +
				"    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)\n" +
				"    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n",
			typ: "TypeError", msg: "Cannot read properties of undefined (reading 'price')",
			frames: []string{"shop.js", "shop.js:Object.priceCart", "checkout.mjs:Checkout"},
		},
		{
			name: "python chained: the first traceback is the cause",
			stack: "Traceback (most recent call last):\n" +
				"  File \"/srv/releases/42/app/pricing.py\", line 11, in price_cart\n" +
				"    return CATALOG[sku]\n" +
				"           ~~~~~~~^^^^^\n" +
				"KeyError: 'SKU-9'\n\n" +
				"During handling of the above exception, another exception occurred:\n\n" +
				"Traceback (most recent call last):\n" +
				"  File \"/usr/lib/python3.12/site-packages/flask/app.py\", line 880, in full_dispatch_request\n" +
				"  File \"/srv/releases/42/app/views.py\", line 3, in <lambda>\n" +
				"pricing.CheckoutError: cannot price cart c-1\n",
			typ: "KeyError", msg: "'SKU-9'",
			frames: []string{"pricing.price_cart"},
		},
		{
			name: "ruby",
			stack: "/app/models/order.rb:42:in `block (2 levels) in reserve': undefined method `id' for nil (NoMethodError)\n" +
				"\tfrom /usr/lib/ruby/gems/3.2.0/gems/activerecord-7.1/lib/x.rb:1:in `transaction'\n" +
				"\tfrom /app/models/order.rb:40:in 'Order#reserve'\n",
			typ: "NoMethodError", msg: "undefined method `id' for nil",
			frames: []string{"order:block in reserve", "order:Order#reserve"},
		},
		{
			name:  "no frames",
			stack: "something went wrong\nand more text",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := parseStack(c.stack)
			if got := st.rootType(); got != c.typ {
				t.Errorf("type = %q, want %q", got, c.typ)
			}
			if got := st.rootMessage(); got != c.msg {
				t.Errorf("message = %q, want %q", got, c.msg)
			}
			if got := st.fingerprintFrames(); !slices.Equal(got, c.frames) {
				t.Errorf("frames = %q, want %q", got, c.frames)
			}
		})
	}
}

// TestFingerprintReleases: the same bug in another release (other line
// numbers, addresses, deploy directory, goroutine ids, lambda numbering)
// keeps its fingerprint; another bug does not share it.
func TestFingerprintReleases(t *testing.T) {
	a := "panic: assignment to entry in nil map\n\ngoroutine 20 [running]:\n" +
		"main.handler.func1({0x792f48, 0x270aec640000})\n\t/srv/v1/main.go:64 +0x1ee\n" +
		"main.addItem(...)\n\t/srv/v1/main.go:104\n"
	b := "panic: assignment to entry in nil map\n\ngoroutine 977 [running]:\n" +
		"main.handler.func3({0x111111, 0x222222})\n\t/srv/v2/main.go:70 +0x2aa\n" +
		"main.addItem(...)\n\t/srv/v2/main.go:118\n"
	other := "panic: assignment to entry in nil map\n\ngoroutine 20 [running]:\n" +
		"main.removeItem(...)\n\t/srv/v1/main.go:104\n"
	if Fingerprint("", "", a) != Fingerprint("", "", b) {
		t.Error("same bug, other release: fingerprints differ")
	}
	if Fingerprint("", "", a) == Fingerprint("", "", other) {
		t.Error("different bugs share a fingerprint")
	}
}
