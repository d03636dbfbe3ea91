package stack

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// stacksDir holds real traces of every language (testdata/stacks/README.md).
const stacksDir = "../../testdata/stacks"

type wantTrace struct {
	typ, msg string
	elided   int
	// frames, in printed order, as "app|lib FUNCTION @ FILE:LINE[:COL]"
	// ("-" for an anonymous function)
	frames []string
}

// corpus states, for every file of testdata/stacks, what an on-call
// engineer reads in it: the exception chain (outermost first) with every
// frame, which frames are the application's, and the culprit frame.
var corpus = []struct {
	file        string
	chain       []wantTrace
	culprit     string // as frames
	culpritText string // Frame.String, as the CLI, its JSON and the TUI print it
}{
	{file: "dotnet-emptyseq-1.txt",
		chain: []wantTrace{
			{typ: "System.InvalidOperationException", msg: "Failed to load order 1042.", elided: 0, frames: []string{
				"app Orders.Api.Services.OrderService.GetAsync @ /src/Orders.Api/Services/OrderService.cs:24",
				"app Orders.Api.Controllers.OrdersController.Get @ /src/Orders.Api/Controllers/OrdersController.cs:38",
				"lib lambda_method9 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfActionResultExecutor.Execute @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0 @ ",
				"lib Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|7_0 @ ",
				"lib Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddlewareImpl.<Invoke>g__Awaited|10_0 @ ",
			}},
			{typ: "System.InvalidOperationException", msg: "Sequence contains no elements", elided: 0, frames: []string{
				"lib System.Linq.ThrowHelper.ThrowNoElementsException @ ",
				"lib System.Linq.Enumerable.First[TSource] @ ",
				"app Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext @ /src/Orders.Api/Data/OrderRepository.cs:33",
				"app Orders.Api.Services.OrderService.GetAsync @ /src/Orders.Api/Services/OrderService.cs:19",
			}},
		},
		culprit:     "app Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext @ /src/Orders.Api/Data/OrderRepository.cs:33",
		culpritText: "Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext (Data/OrderRepository.cs:33)",
	},
	{file: "dotnet-emptyseq-2.txt",
		chain: []wantTrace{
			{typ: "System.InvalidOperationException", msg: "Failed to load order 7731.", elided: 0, frames: []string{
				"app Orders.Api.Services.OrderService.GetAsync @ /home/runner/work/orders/orders/src/Orders.Api/Services/OrderService.cs:26",
				"app Orders.Api.Controllers.OrdersController.Get @ /home/runner/work/orders/orders/src/Orders.Api/Controllers/OrdersController.cs:40",
				"lib lambda_method112 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfActionResultExecutor.Execute @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0 @ ",
				"lib Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|7_0 @ ",
				"lib Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddlewareImpl.<Invoke>g__Awaited|10_0 @ ",
			}},
			{typ: "System.InvalidOperationException", msg: "Sequence contains no elements", elided: 0, frames: []string{
				"lib System.Linq.ThrowHelper.ThrowNoElementsException @ ",
				"lib System.Linq.Enumerable.First[TSource] @ ",
				"app Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext @ /home/runner/work/orders/orders/src/Orders.Api/Data/OrderRepository.cs:35",
				"app Orders.Api.Services.OrderService.GetAsync @ /home/runner/work/orders/orders/src/Orders.Api/Services/OrderService.cs:21",
			}},
		},
		culprit:     "app Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext @ /home/runner/work/orders/orders/src/Orders.Api/Data/OrderRepository.cs:35",
		culpritText: "Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext (Data/OrderRepository.cs:35)",
	},
	{file: "dotnet-nullref-1.txt",
		chain: []wantTrace{
			{typ: "System.NullReferenceException", msg: "Object reference not set to an instance of an object.", elided: 0, frames: []string{
				"app Orders.Api.Services.PricingService.PriceLine @ /src/Orders.Api/Services/PricingService.cs:41",
				"lib System.Linq.Enumerable.SelectListIterator`2.Sum @ ",
				"app Orders.Api.Services.PricingService.TotalAsync @ /src/Orders.Api/Services/PricingService.cs:28",
				"app Orders.Api.Controllers.CheckoutController.Post @ /src/Orders.Api/Controllers/CheckoutController.cs:57",
				"lib lambda_method14 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfActionResultExecutor.Execute @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeNextActionFilterAsync>g__Awaited|10_0 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.Rethrow @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.Next @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeInnerFilterAsync>g__Awaited|13_0 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeFilterPipelineAsync>g__Awaited|20_0 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeAsync>g__Awaited|17_0 @ ",
				"lib Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|7_0 @ ",
				"lib Microsoft.AspNetCore.Authorization.AuthorizationMiddleware.Invoke @ ",
				"lib Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddlewareImpl.<Invoke>g__Awaited|10_0 @ ",
			}},
		},
		culprit:     "app Orders.Api.Services.PricingService.PriceLine @ /src/Orders.Api/Services/PricingService.cs:41",
		culpritText: "Orders.Api.Services.PricingService.PriceLine (Services/PricingService.cs:41)",
	},
	{file: "dotnet-nullref-2.txt",
		chain: []wantTrace{
			{typ: "System.NullReferenceException", msg: "Object reference not set to an instance of an object.", elided: 0, frames: []string{
				"app Orders.Api.Services.PricingService.PriceLine @ /home/runner/work/orders/orders/src/Orders.Api/Services/PricingService.cs:44",
				"lib System.Linq.Enumerable.SelectListIterator`2.Sum @ ",
				"app Orders.Api.Services.PricingService.TotalAsync @ /home/runner/work/orders/orders/src/Orders.Api/Services/PricingService.cs:31",
				"app Orders.Api.Controllers.CheckoutController.Post @ /home/runner/work/orders/orders/src/Orders.Api/Controllers/CheckoutController.cs:60",
				"lib lambda_method87 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfActionResultExecutor.Execute @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeNextActionFilterAsync>g__Awaited|10_0 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.Rethrow @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.Next @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeInnerFilterAsync>g__Awaited|13_0 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeFilterPipelineAsync>g__Awaited|20_0 @ ",
				"lib Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeAsync>g__Awaited|17_0 @ ",
				"lib Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|7_0 @ ",
				"lib Microsoft.AspNetCore.Authorization.AuthorizationMiddleware.Invoke @ ",
				"lib Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddlewareImpl.<Invoke>g__Awaited|10_0 @ ",
			}},
		},
		culprit:     "app Orders.Api.Services.PricingService.PriceLine @ /home/runner/work/orders/orders/src/Orders.Api/Services/PricingService.cs:44",
		culpritText: "Orders.Api.Services.PricingService.PriceLine (Services/PricingService.cs:44)",
	},
	{file: "go-index-1.txt",
		chain: []wantTrace{
			{typ: "panic", msg: "runtime error: index out of range [3] with length 3", elided: 0, frames: []string{
				"app example.com/shop/internal/checkout.PickWarehouse @ example.com/shop/internal/checkout/checkout.go:43",
				"app main.allocate @ example.com/shop/cmd/stacks/main.go:143",
			}},
		},
		culprit:     "app example.com/shop/internal/checkout.PickWarehouse @ example.com/shop/internal/checkout/checkout.go:43",
		culpritText: "checkout.PickWarehouse (checkout/checkout.go:43)",
	},
	{file: "go-index-2.txt",
		chain: []wantTrace{
			{typ: "panic", msg: "runtime error: index out of range [5] with length 2", elided: 0, frames: []string{
				"app example.com/shop/internal/checkout.PickWarehouse @ /tmp/ci-build-ERRIUE/internal/checkout/checkout.go:45",
				"app main.allocate @ /tmp/ci-build-ERRIUE/cmd/stacks/main.go:145",
			}},
		},
		culprit:     "app example.com/shop/internal/checkout.PickWarehouse @ /tmp/ci-build-ERRIUE/internal/checkout/checkout.go:45",
		culpritText: "checkout.PickWarehouse (checkout/checkout.go:45)",
	},
	{file: "go-nilmap-1.txt",
		chain: []wantTrace{
			{typ: "panic", msg: "assignment to entry in nil map", elided: 0, frames: []string{
				"lib net/http.(*conn).serve.func1 @ net/http/server.go:1897",
				"lib panic @ runtime/panic.go:860",
				"app example.com/shop/internal/checkout.(*Cart).Add @ example.com/shop/internal/checkout/checkout.go:37",
				"app main.addItem @ example.com/shop/cmd/stacks/main.go:104",
				"app main.nilMapViaHTTP.func1 @ example.com/shop/cmd/stacks/main.go:64",
				"lib net/http.HandlerFunc.ServeHTTP @ net/http/server.go:2286",
				"lib net/http.(*ServeMux).ServeHTTP @ net/http/server.go:2828",
				"lib net/http.serverHandler.ServeHTTP @ net/http/server.go:3311",
				"lib net/http.(*conn).serve @ net/http/server.go:2067",
			}},
		},
		culprit:     "app example.com/shop/internal/checkout.(*Cart).Add @ example.com/shop/internal/checkout/checkout.go:37",
		culpritText: "checkout.(*Cart).Add (checkout/checkout.go:37)",
	},
	{file: "go-nilmap-2.txt",
		chain: []wantTrace{
			{typ: "panic", msg: "assignment to entry in nil map", elided: 0, frames: []string{
				"lib net/http.(*conn).serve.func1 @ /usr/local/go/src/net/http/server.go:1897",
				"lib panic @ /usr/local/go/src/runtime/panic.go:860",
				"app example.com/shop/internal/checkout.(*Cart).Add @ /tmp/ci-build-ERRIUE/internal/checkout/checkout.go:39",
				"app main.addItem @ /tmp/ci-build-ERRIUE/cmd/stacks/main.go:106",
				"app main.nilMapViaHTTP.func1 @ /tmp/ci-build-ERRIUE/cmd/stacks/main.go:66",
				"lib net/http.HandlerFunc.ServeHTTP @ /usr/local/go/src/net/http/server.go:2286",
				"lib net/http.(*ServeMux).ServeHTTP @ /usr/local/go/src/net/http/server.go:2828",
				"lib net/http.serverHandler.ServeHTTP @ /usr/local/go/src/net/http/server.go:3311",
				"lib net/http.(*conn).serve @ /usr/local/go/src/net/http/server.go:2067",
			}},
		},
		culprit:     "app example.com/shop/internal/checkout.(*Cart).Add @ /tmp/ci-build-ERRIUE/internal/checkout/checkout.go:39",
		culpritText: "checkout.(*Cart).Add (checkout/checkout.go:39)",
	},
	{file: "go-nilptr-1.txt",
		chain: []wantTrace{
			{typ: "panic", msg: "runtime error: invalid memory address or nil pointer dereference", elided: 0, frames: []string{
				"app example.com/shop/internal/checkout.DiscountFor @ example.com/shop/internal/checkout/checkout.go:59",
				"app main.priceFor @ example.com/shop/cmd/stacks/main.go:147",
				"app main.crash @ example.com/shop/cmd/stacks/main.go:138",
				"app main.main @ example.com/shop/cmd/stacks/main.go:30",
			}},
		},
		culprit:     "app example.com/shop/internal/checkout.DiscountFor @ example.com/shop/internal/checkout/checkout.go:59",
		culpritText: "checkout.DiscountFor (checkout/checkout.go:59)",
	},
	{file: "go-nilptr-2.txt",
		chain: []wantTrace{
			{typ: "panic", msg: "runtime error: invalid memory address or nil pointer dereference", elided: 0, frames: []string{
				"app example.com/shop/internal/checkout.DiscountFor @ /tmp/ci-build-ERRIUE/internal/checkout/checkout.go:61",
				"app main.priceFor @ /tmp/ci-build-ERRIUE/cmd/stacks/main.go:149",
				"app main.crash @ /tmp/ci-build-ERRIUE/cmd/stacks/main.go:140",
				"app main.main @ /tmp/ci-build-ERRIUE/cmd/stacks/main.go:32",
			}},
		},
		culprit:     "app example.com/shop/internal/checkout.DiscountFor @ /tmp/ci-build-ERRIUE/internal/checkout/checkout.go:61",
		culpritText: "checkout.DiscountFor (checkout/checkout.go:61)",
	},
	{file: "java-npe-1.txt",
		chain: []wantTrace{
			{typ: "java.lang.NullPointerException", msg: "Cannot invoke \"String.toUpperCase()\" because \"sku\" is null", elided: 0, frames: []string{
				"app shop.OrderService.label @ OrderService.java:25",
				"app shop.Stacks.printLabel @ Stacks.java:41",
				"app shop.Stacks.lambda$main$1 @ Stacks.java:29",
				"lib java.util.concurrent.ThreadPoolExecutor.runWorker @ ThreadPoolExecutor.java:1136",
				"lib java.util.concurrent.ThreadPoolExecutor$Worker.run @ ThreadPoolExecutor.java:635",
				"lib java.lang.Thread.run @ Thread.java:840",
			}},
		},
		culprit:     "app shop.OrderService.label @ OrderService.java:25",
		culpritText: "shop.OrderService.label (OrderService.java:25)",
	},
	{file: "java-npe-2.txt",
		chain: []wantTrace{
			{typ: "java.lang.NullPointerException", msg: "Cannot invoke \"String.toUpperCase()\" because \"sku\" is null", elided: 0, frames: []string{
				"app shop.OrderService.label @ OrderService.java:27",
				"app shop.Stacks.printLabel @ Stacks.java:43",
				"app shop.Stacks.lambda$main$1 @ Stacks.java:31",
				"lib java.util.concurrent.ThreadPoolExecutor.runWorker @ ThreadPoolExecutor.java:1136",
				"lib java.util.concurrent.ThreadPoolExecutor$Worker.run @ ThreadPoolExecutor.java:635",
				"lib java.lang.Thread.run @ Thread.java:840",
			}},
		},
		culprit:     "app shop.OrderService.label @ OrderService.java:27",
		culpritText: "shop.OrderService.label (OrderService.java:27)",
	},
	{file: "java-reserve-1.txt",
		chain: []wantTrace{
			{typ: "java.lang.IllegalStateException", msg: "could not reserve stock for order 1049", elided: 0, frames: []string{
				"app shop.OrderService.placeOrder @ OrderService.java:15",
				"app shop.Stacks.checkout @ Stacks.java:37",
				"app shop.Stacks.lambda$main$1 @ Stacks.java:27",
				"lib java.util.concurrent.ThreadPoolExecutor.runWorker @ ThreadPoolExecutor.java:1136",
				"lib java.util.concurrent.ThreadPoolExecutor$Worker.run @ ThreadPoolExecutor.java:635",
				"lib java.lang.Thread.run @ Thread.java:840",
			}},
			{typ: "java.sql.SQLTransientConnectionException", msg: "HikariPool-1 - Connection is not available, request timed out after 30000ms.", elided: 5, frames: []string{
				"app shop.OrderService$Pool.getConnection @ OrderService.java:30",
				"app shop.OrderService.reserve @ OrderService.java:20",
				"app shop.OrderService.placeOrder @ OrderService.java:13",
			}},
		},
		culprit:     "app shop.OrderService$Pool.getConnection @ OrderService.java:30",
		culpritText: "shop.OrderService$Pool.getConnection (OrderService.java:30)",
	},
	{file: "java-reserve-2.txt",
		chain: []wantTrace{
			{typ: "java.lang.IllegalStateException", msg: "could not reserve stock for order 2091", elided: 0, frames: []string{
				"app shop.OrderService.placeOrder @ OrderService.java:17",
				"app shop.Stacks.checkout @ Stacks.java:39",
				"app shop.Stacks.lambda$main$1 @ Stacks.java:29",
				"lib java.util.concurrent.ThreadPoolExecutor.runWorker @ ThreadPoolExecutor.java:1136",
				"lib java.util.concurrent.ThreadPoolExecutor$Worker.run @ ThreadPoolExecutor.java:635",
				"lib java.lang.Thread.run @ Thread.java:840",
			}},
			{typ: "java.sql.SQLTransientConnectionException", msg: "HikariPool-1 - Connection is not available, request timed out after 30000ms.", elided: 5, frames: []string{
				"app shop.OrderService$Pool.getConnection @ OrderService.java:32",
				"app shop.OrderService.reserve @ OrderService.java:22",
				"app shop.OrderService.placeOrder @ OrderService.java:15",
			}},
		},
		culprit:     "app shop.OrderService$Pool.getConnection @ OrderService.java:32",
		culpritText: "shop.OrderService$Pool.getConnection (OrderService.java:32)",
	},
	{file: "node-json-1.txt",
		chain: []wantTrace{
			{typ: "SyntaxError", msg: "Unexpected token 'o', \"not json\" is not valid JSON", elided: 0, frames: []string{
				"lib JSON.parse @ <anonymous>",
				"app parseWebhook @ /work/main/scripts/corpora/node/stacks/crash.js:17:15",
				"app onWebhook @ /work/main/scripts/corpora/node/stacks/crash.js:22:10",
				"app Immediate.<anonymous> @ /work/main/scripts/corpora/node/stacks/crash.js:27:25",
				"lib process.processImmediate @ node:internal/timers:483:21",
			}},
		},
		culprit:     "app parseWebhook @ /work/main/scripts/corpora/node/stacks/crash.js:17:15",
		culpritText: "parseWebhook (stacks/crash.js:17:15)",
	},
	{file: "node-json-2.txt",
		chain: []wantTrace{
			{typ: "SyntaxError", msg: "Unexpected token ']', \"{\"data\": [1, 2,]}\" is not valid JSON", elided: 0, frames: []string{
				"lib JSON.parse @ <anonymous>",
				"app parseWebhook @ /tmp/ci-build-QLUy8v/stacks/crash.js:19:15",
				"app onWebhook @ /tmp/ci-build-QLUy8v/stacks/crash.js:24:10",
				"app Immediate.<anonymous> @ /tmp/ci-build-QLUy8v/stacks/crash.js:29:25",
				"lib process.processImmediate @ node:internal/timers:483:21",
			}},
		},
		culprit:     "app parseWebhook @ /tmp/ci-build-QLUy8v/stacks/crash.js:19:15",
		culpritText: "parseWebhook (stacks/crash.js:19:15)",
	},
	{file: "node-price-1.txt",
		chain: []wantTrace{
			{typ: "TypeError", msg: "Cannot read properties of undefined (reading 'price')", elided: 0, frames: []string{
				"app - @ /work/main/scripts/corpora/node/shop.js:17:70",
				"lib Array.reduce @ <anonymous>",
				"app priceCart @ /work/main/scripts/corpora/node/shop.js:17:21",
				"app checkout @ /work/main/scripts/corpora/node/shop.js:22:17",
				"app handleCheckout @ /work/main/scripts/corpora/node/stacks/crash.js:10:5",
			}},
		},
		culprit:     "app - @ /work/main/scripts/corpora/node/shop.js:17:70",
		culpritText: "node/shop.js:17:70",
	},
	{file: "node-price-2.txt",
		chain: []wantTrace{
			{typ: "TypeError", msg: "Cannot read properties of undefined (reading 'price')", elided: 0, frames: []string{
				"app - @ /tmp/ci-build-QLUy8v/shop.js:19:70",
				"lib Array.reduce @ <anonymous>",
				"app priceCart @ /tmp/ci-build-QLUy8v/shop.js:19:21",
				"app checkout @ /tmp/ci-build-QLUy8v/shop.js:24:17",
				"app handleCheckout @ /tmp/ci-build-QLUy8v/stacks/crash.js:12:5",
			}},
		},
		culprit:     "app - @ /tmp/ci-build-QLUy8v/shop.js:19:70",
		culpritText: "ci-build-QLUy8v/shop.js:19:70",
	},
	{file: "python-none-1.txt",
		chain: []wantTrace{
			{typ: "AttributeError", msg: "'NoneType' object has no attribute 'discount'", elided: 0, frames: []string{
				"app <module> @ /work/main/scripts/corpora/python/stacks/crash.py:21",
				"app handle_discount @ /work/main/scripts/corpora/python/stacks/crash.py:16",
				"app loyalty_discount @ /work/main/scripts/corpora/python/stacks/pricing.py:22",
			}},
		},
		culprit:     "app loyalty_discount @ /work/main/scripts/corpora/python/stacks/pricing.py:22",
		culpritText: "loyalty_discount (stacks/pricing.py:22)",
	},
	{file: "python-none-2.txt",
		chain: []wantTrace{
			{typ: "AttributeError", msg: "'NoneType' object has no attribute 'discount'", elided: 0, frames: []string{
				"app <module> @ /tmp/ci-build-x3gNYT/crash.py:23",
				"app handle_discount @ /tmp/ci-build-x3gNYT/crash.py:18",
				"app loyalty_discount @ /tmp/ci-build-x3gNYT/pricing.py:24",
			}},
		},
		culprit:     "app loyalty_discount @ /tmp/ci-build-x3gNYT/pricing.py:24",
		culpritText: "loyalty_discount (ci-build-x3gNYT/pricing.py:24)",
	},
	{file: "python-pricing-1.txt",
		chain: []wantTrace{
			{typ: "pricing.CheckoutError", msg: "cannot price cart c-4411", elided: 0, frames: []string{
				"app <module> @ /work/main/scripts/corpora/python/stacks/crash.py:21",
				"app handle_checkout @ /work/main/scripts/corpora/python/stacks/crash.py:11",
				"app checkout @ /work/main/scripts/corpora/python/stacks/pricing.py:18",
			}},
			{typ: "KeyError", msg: "'SKU-9'", elided: 0, frames: []string{
				"app checkout @ /work/main/scripts/corpora/python/stacks/pricing.py:16",
				"app price_cart @ /work/main/scripts/corpora/python/stacks/pricing.py:11",
				"app <genexpr> @ /work/main/scripts/corpora/python/stacks/pricing.py:11",
			}},
		},
		culprit:     "app <genexpr> @ /work/main/scripts/corpora/python/stacks/pricing.py:11",
		culpritText: "<genexpr> (stacks/pricing.py:11)",
	},
	{file: "python-pricing-2.txt",
		chain: []wantTrace{
			{typ: "pricing.CheckoutError", msg: "cannot price cart c-8822", elided: 0, frames: []string{
				"app <module> @ /tmp/ci-build-x3gNYT/crash.py:23",
				"app handle_checkout @ /tmp/ci-build-x3gNYT/crash.py:13",
				"app checkout @ /tmp/ci-build-x3gNYT/pricing.py:20",
			}},
			{typ: "KeyError", msg: "'SKU-18'", elided: 0, frames: []string{
				"app checkout @ /tmp/ci-build-x3gNYT/pricing.py:18",
				"app price_cart @ /tmp/ci-build-x3gNYT/pricing.py:13",
				"app <genexpr> @ /tmp/ci-build-x3gNYT/pricing.py:13",
			}},
		},
		culprit:     "app <genexpr> @ /tmp/ci-build-x3gNYT/pricing.py:13",
		culpritText: "<genexpr> (ci-build-x3gNYT/pricing.py:13)",
	},
	{file: "ruby-nomethod-1.txt",
		chain: []wantTrace{
			{typ: "NoMethodError", msg: "undefined method `[]' for nil:NilClass", elided: 0, frames: []string{
				"app block in total @ /work/main/scripts/corpora/ruby/cart.rb:11",
				"app sum @ /work/main/scripts/corpora/ruby/cart.rb:11",
				"app total @ /work/main/scripts/corpora/ruby/cart.rb:11",
				"app create @ crash.rb:10",
				"app <main> @ crash.rb:23",
			}},
		},
		culprit:     "app block in total @ /work/main/scripts/corpora/ruby/cart.rb:11",
		culpritText: "block in total (ruby/cart.rb:11)",
	},
	{file: "ruby-nomethod-2.txt",
		chain: []wantTrace{
			{typ: "NoMethodError", msg: "undefined method `[]' for nil:NilClass", elided: 0, frames: []string{
				"app block in total @ /tmp/ci-build-sX34qQ/cart.rb:13",
				"app sum @ /tmp/ci-build-sX34qQ/cart.rb:13",
				"app total @ /tmp/ci-build-sX34qQ/cart.rb:13",
				"app create @ crash.rb:12",
				"app <main> @ crash.rb:25",
			}},
		},
		culprit:     "app block in total @ /tmp/ci-build-sX34qQ/cart.rb:13",
		culpritText: "block in total (ci-build-sX34qQ/cart.rb:13)",
	},
	{file: "ruby-zerodiv-1.txt",
		chain: []wantTrace{
			{typ: "ZeroDivisionError", msg: "divided by 0", elided: 0, frames: []string{
				"app / @ /work/main/scripts/corpora/ruby/cart.rb:15",
				"app average_price @ /work/main/scripts/corpora/ruby/cart.rb:15",
				"app stats @ crash.rb:14",
				"app <main> @ crash.rb:23",
			}},
		},
		culprit:     "app average_price @ /work/main/scripts/corpora/ruby/cart.rb:15",
		culpritText: "average_price (ruby/cart.rb:15)",
	},
	{file: "ruby-zerodiv-2.txt",
		chain: []wantTrace{
			{typ: "ZeroDivisionError", msg: "divided by 0", elided: 0, frames: []string{
				"app / @ /tmp/ci-build-sX34qQ/cart.rb:17",
				"app average_price @ /tmp/ci-build-sX34qQ/cart.rb:17",
				"app stats @ crash.rb:16",
				"app <main> @ crash.rb:25",
			}},
		},
		culprit:     "app average_price @ /tmp/ci-build-sX34qQ/cart.rb:17",
		culpritText: "average_price (ci-build-sX34qQ/cart.rb:17)",
	},
}

// spec renders a frame as the corpus table writes it.
func spec(f Frame) string {
	fn := f.Function
	if fn == "" {
		fn = "-"
	}
	loc := f.File
	if f.Line > 0 {
		loc += ":" + strconv.Itoa(f.Line)
	}
	if f.Col > 0 {
		loc += ":" + strconv.Itoa(f.Col)
	}
	k := "lib"
	if f.InApp {
		k = "app"
	}
	return k + " " + fn + " @ " + loc
}

func readStack(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(stacksDir, name))
	if err != nil {
		t.Fatalf("the stack corpus is part of the repository: %v", err)
	}
	return string(b)
}

// TestCorpus checks every file of testdata/stacks against the table, and
// that the table covers every file.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(stacksDir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no stacks in %s: %v", stacksDir, err)
	}
	covered := map[string]bool{}
	for _, c := range corpus {
		covered[c.file] = true
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s is not in the corpus table", filepath.Base(f))
		}
	}
	for _, c := range corpus {
		t.Run(c.file, func(t *testing.T) {
			tr := Parse(readStack(t, c.file))
			chain := tr.Chain()
			if len(chain) != len(c.chain) {
				t.Fatalf("chain of %d exceptions, want %d", len(chain), len(c.chain))
			}
			for i, want := range c.chain {
				got := chain[i]
				if got.Type != want.typ || got.Message != want.msg || got.Elided != want.elided {
					t.Errorf("exception %d = %q: %q (%d elided), want %q: %q (%d)", i, got.Type, got.Message, got.Elided, want.typ, want.msg, want.elided)
				}
				var frames []string
				for _, f := range got.Frames {
					frames = append(frames, spec(f))
				}
				if !slices.Equal(frames, want.frames) {
					t.Errorf("exception %d frames:\n%s\nwant:\n%s", i, strings.Join(frames, "\n"), strings.Join(want.frames, "\n"))
				}
			}
			cu := tr.Culprit()
			if cu == nil {
				t.Fatalf("no culprit frame, want %s", c.culprit)
			}
			if got := spec(*cu); got != c.culprit {
				t.Errorf("culprit = %s, want %s", got, c.culprit)
			}
			if got := cu.String(); got != c.culpritText {
				t.Errorf("culprit text = %q, want %q", got, c.culpritText)
			}
			// Lines marks the same frame, and only it.
			marked := 0
			for _, l := range Lines(readStack(t, c.file)) {
				if l.Culprit && l.Frame {
					marked++
					if !strings.Contains(l.Text, cu.Raw) && !strings.Contains(cu.Raw, strings.TrimSpace(l.Text)) {
						t.Errorf("Lines marks %q, the culprit is %q", l.Text, cu.Raw)
					}
				}
			}
			if marked != 1 {
				t.Errorf("Lines marks %d frame lines as the culprit, want 1", marked)
			}
		})
	}
}
