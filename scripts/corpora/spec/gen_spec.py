"""Writes the corpora for conventions whose loggers cannot run here (no .NET,
no Lambda, no OTel collector): each line is built from the convention's spec
(cited in testdata/formats/README.md) for the same orders-API scenario as the
real corpora. Where a stack trace's runtime exists here, its text is taken
from a real trace in testdata/stacks with the paths moved to where that
platform deploys code. .NET traces (testdata/stacks/dotnet-*.txt) are
written here too, by hand, in CoreCLR's format.

Usage: gen_spec.py FORMATS_DIR STACKS_DIR
"""

import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone

FORMATS, STACKS = sys.argv[1], sys.argv[2]
UTC = timezone.utc


def write(name, records):
    with open(os.path.join(FORMATS, name), "w") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n")


def stack_file(name):
    with open(os.path.join(STACKS, name)) as f:
        return f.read()


class Clock:
    """Deterministic clock: each tick moves on by a few ms plus sub-ms noise."""

    def __init__(self, start):
        self.t = datetime.fromisoformat(start).astimezone(UTC)
        self.ns = 0
        self.n = 0

    def tick(self, ms=None):
        self.n += 1
        step = ms if ms is not None else 3 + (self.n * 37) % 90
        extra_ns = (self.n * 7919 * 1301) % 1_000_000
        self.ns += step * 1_000_000 + extra_ns
        return self.now()

    def now(self):
        return self.t + timedelta(microseconds=self.ns // 1000)

    def unix_ns(self):
        return int(self.t.timestamp()) * 1_000_000_000 + self.t.microsecond * 1000 + self.ns


# ---------------------------------------------------------------- real stacks

java_trace = re.sub(r'^Exception in thread "[^"]+" ', "", stack_file("java-reserve-1.txt")).rstrip("\n")
python_trace = stack_file("python-pricing-1.txt").rstrip("\n").replace(
    '"/work/main/scripts/corpora/python/stacks/', '"/app/orders/')
node_trace = stack_file("node-price-1.txt").rstrip("\n").replace(
    "/work/main/scripts/corpora/node/stacks/crash.js", "/var/task/index.mjs").replace(
    "/work/main/scripts/corpora/node/shop.js", "/var/task/shop.mjs").replace(
    "async handleCheckout", "async Runtime.handler")
node_trace += "\n    at async Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:29)"
node_trace = node_trace.replace("(/var/task/", "(file:///var/task/").replace("    at /var/task/", "    at file:///var/task/")

# .NET (CoreCLR) traces, by hand: no .NET runtime on this machine.
DOTNET_NULLREF = """System.NullReferenceException: Object reference not set to an instance of an object.
   at Orders.Api.Services.PricingService.PriceLine(CartLine line) in {root}/Orders.Api/Services/PricingService.cs:line {l1}
   at System.Linq.Enumerable.SelectListIterator`2.Sum()
   at Orders.Api.Services.PricingService.TotalAsync(Cart cart, CancellationToken ct) in {root}/Orders.Api/Services/PricingService.cs:line {l2}
   at Orders.Api.Controllers.CheckoutController.Post(CheckoutRequest request, CancellationToken ct) in {root}/Orders.Api/Controllers/CheckoutController.cs:line {l3}
   at lambda_method{lm}(Closure, Object)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfActionResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0(ControllerActionInvoker invoker, ValueTask`1 actionResultValueTask)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeNextActionFilterAsync>g__Awaited|10_0(ControllerActionInvoker invoker, Task lastTask, State next, Scope scope, Object state, Boolean isCompleted)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.Rethrow(ActionExecutedContextSealed context)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.Next(State& next, Scope& scope, Object& state, Boolean& isCompleted)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeInnerFilterAsync>g__Awaited|13_0(ControllerActionInvoker invoker, Task lastTask, State next, Scope scope, Object state, Boolean isCompleted)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeFilterPipelineAsync>g__Awaited|20_0(ResourceInvoker invoker, Task lastTask, State next, Scope scope, Object state, Boolean isCompleted)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker.<InvokeAsync>g__Awaited|17_0(ResourceInvoker invoker, Task task, IDisposable scope)
   at Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|7_0(Endpoint endpoint, Task requestTask, ILogger logger)
   at Microsoft.AspNetCore.Authorization.AuthorizationMiddleware.Invoke(HttpContext context)
   at Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddlewareImpl.<Invoke>g__Awaited|10_0(ExceptionHandlerMiddlewareImpl middleware, HttpContext context, Task task)"""

DOTNET_EMPTYSEQ = """System.InvalidOperationException: Failed to load order {order}.
 ---> System.InvalidOperationException: Sequence contains no elements
   at System.Linq.ThrowHelper.ThrowNoElementsException()
   at System.Linq.Enumerable.First[TSource](IEnumerable`1 source)
   at Orders.Api.Data.OrderRepository.<GetAsync>d__4.MoveNext() in {root}/Orders.Api/Data/OrderRepository.cs:line {l1}
--- End of stack trace from previous location ---
   at Orders.Api.Services.OrderService.GetAsync(Int64 orderId, CancellationToken ct) in {root}/Orders.Api/Services/OrderService.cs:line {l2}
   --- End of inner exception stack trace ---
   at Orders.Api.Services.OrderService.GetAsync(Int64 orderId, CancellationToken ct) in {root}/Orders.Api/Services/OrderService.cs:line {l3}
   at Orders.Api.Controllers.OrdersController.Get(Int64 id, CancellationToken ct) in {root}/Orders.Api/Controllers/OrdersController.cs:line {l4}
   at lambda_method{lm}(Closure, Object)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfActionResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)
   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0(ControllerActionInvoker invoker, ValueTask`1 actionResultValueTask)
   at Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|7_0(Endpoint endpoint, Task requestTask, ILogger logger)
   at Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddlewareImpl.<Invoke>g__Awaited|10_0(ExceptionHandlerMiddlewareImpl middleware, HttpContext context, Task task)"""

dotnet_nullref = DOTNET_NULLREF.format(root="/src", l1=41, l2=28, l3=57, lm=14)
with open(os.path.join(STACKS, "dotnet-nullref-1.txt"), "w") as f:
    f.write(dotnet_nullref + "\n")
with open(os.path.join(STACKS, "dotnet-nullref-2.txt"), "w") as f:
    f.write(DOTNET_NULLREF.format(root="/home/runner/work/orders/orders/src", l1=44, l2=31, l3=60, lm=87) + "\n")
with open(os.path.join(STACKS, "dotnet-emptyseq-1.txt"), "w") as f:
    f.write(DOTNET_EMPTYSEQ.format(root="/src", order=1042, l1=33, l2=19, l3=24, l4=38, lm=9) + "\n")
with open(os.path.join(STACKS, "dotnet-emptyseq-2.txt"), "w") as f:
    f.write(DOTNET_EMPTYSEQ.format(root="/home/runner/work/orders/orders/src", order=7731, l1=35, l2=21, l3=26, l4=40, lm=112) + "\n")


def iso_ms(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


# ------------------------------------------------------------- otel (nested)
# One OTel log record per line in OTLP/JSON field names (timeUnixNano as a
# string, severityNumber, traceId as hex), but with body as a plain string
# and attributes/resource as maps of attribute name -> value instead of
# OTLP's [{key, value: {stringValue}}] lists.
c = Clock("2026-11-24T15:20:00.000+00:00")
res = {"service.name": "orders-service", "service.version": "1.14.2", "deployment.environment": "production", "host.name": "orders-6f5c7d8b9-kx2pq", "telemetry.sdk.language": "java"}
scope = {"name": "shop.OrderController"}
ids = ["5b8efff798038103d269b633813fc60c", "0af7651916cd43dd8448eb211c80319c", "4bf92f3577b34da6a3ce929d0e0e4736", "8a3c60f7d188f8fa79d48a391a778fa6"]
spans = ["eee19b7ec3c1b174", "b7ad6b7169203331", "00f067aa0ba902b7", "53995c3f42cd8ad8"]


def otel(sev, num, body, i=None, **attrs):
    c.tick()
    r = {"timeUnixNano": str(c.unix_ns()), "observedTimeUnixNano": str(c.unix_ns() + 412_000), "severityNumber": num, "severityText": sev, "body": body}
    if i is not None:
        r.update(traceId=ids[i], spanId=spans[i], flags=1)
    if attrs:
        r["attributes"] = {k.replace("_", "."): v for k, v in attrs.items()}
    r["resource"] = res
    r["scope"] = scope
    return r


records = [
    otel("INFO", 9, "Started OrdersApplication in 4.21 seconds"),
    otel("INFO", 9, "request started", 0),
]
records[1]["attributes"] = {"http.request.method": "GET", "url.path": "/api/orders/1042", "http.route": "/api/orders/{id}", "enduser.id": "u-1017"}
r = otel("INFO", 9, "request completed", 0)
r["attributes"] = {"http.request.method": "GET", "url.path": "/api/orders/1042", "http.route": "/api/orders/{id}", "http.response.status_code": 200, "enduser.id": "u-1017"}
records.append(r)
r = otel("INFO", 9, "request started", 1)
r["attributes"] = {"http.request.method": "POST", "url.path": "/api/orders", "http.route": "/api/orders", "enduser.id": "u-2231"}
records.append(r)
r = otel("ERROR", 17, "Request processing failed: could not reserve stock for order 1049", 1)
r["attributes"] = {"http.request.method": "POST", "url.path": "/api/orders", "http.route": "/api/orders", "http.response.status_code": 500, "enduser.id": "u-2231",
                   "exception.type": "java.lang.IllegalStateException", "exception.message": "could not reserve stock for order 1049", "exception.stacktrace": java_trace}
records.append(r)
r = otel("INFO", 9, "request started", 2)
r["attributes"] = {"http.request.method": "GET", "url.path": "/api/orders/7", "url.query": "expand=items", "http.route": "/api/orders/{id}"}
records.append(r)
r = otel("WARN", 13, "Order 7 not found", 2)
r["attributes"] = {"http.request.method": "GET", "url.path": "/api/orders/7", "http.route": "/api/orders/{id}", "http.response.status_code": 404}
records.append(r)
r = otel("INFO", 9, "request started", 3)
r["attributes"] = {"http.request.method": "GET", "url.path": "/api/users/u-1017/orders", "http.route": "/api/users/{userId}/orders", "enduser.id": "u-1017"}
records.append(r)
r = otel("DEBUG", 5, "loaded 3 orders from cache", 3)
records.append(r)
r = otel("INFO", 9, "request completed", 3)
r["attributes"] = {"http.request.method": "GET", "url.path": "/api/users/u-1017/orders", "http.route": "/api/users/{userId}/orders", "http.response.status_code": 200, "enduser.id": "u-1017"}
records.append(r)
write("otel.jsonl", records)

# -------------------------------------------------------------- otel (flat)
# The OTel log data model's field names (Timestamp in ns as a number,
# SeverityText, SeverityNumber, Body, TraceId, SpanId) with resource and log
# attributes flattened to top-level keys under their own dotted names, as
# exporters that write one JSON object per record commonly do. Old HTTP
# semantic conventions (http.method, http.target, http.status_code) on
# purpose: a Python service on an older instrumentation.
c = Clock("2026-11-24T15:25:00.000+00:00")
ids = ["7c2a94f1e3b05d68a1c4e2f7b9d03a56", "e1f2a3b4c5d6e7f8091a2b3c4d5e6f70", "2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a1c", "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"]


def flat(sev, num, body, i=None, **attrs):
    c.tick()
    r = {"Timestamp": c.unix_ns(), "SeverityText": sev, "SeverityNumber": num, "Body": body}
    if i is not None:
        r.update(TraceId=ids[i], SpanId=ids[i][8:24], TraceFlags=1)
    r.update({"service.name": "cart-service", "service.version": "2.3.0", "host.name": "cart-7d9f8c6b5-w4n7j"})
    r.update(attrs)
    return r


records = [
    flat("INFO", 9, "Uvicorn running on http://0.0.0.0:8000"),
    flat("INFO", 9, "request started", 0, **{"http.method": "GET", "http.target": "/api/carts/c-4411", "enduser.id": "u-1017"}),
    flat("INFO", 9, "request finished", 0, **{"http.method": "GET", "http.target": "/api/carts/c-4411", "http.status_code": 200, "enduser.id": "u-1017"}),
    flat("INFO", 9, "request started", 1, **{"http.method": "POST", "http.target": "/api/carts/c-4411/checkout", "enduser.id": "u-2231"}),
    flat("ERROR", 17, "checkout failed", 1, **{"http.method": "POST", "http.target": "/api/carts/c-4411/checkout", "http.status_code": 500, "enduser.id": "u-2231",
                                               "exception.type": "pricing.CheckoutError", "exception.message": "cannot price cart c-4411", "exception.stacktrace": python_trace}),
    flat("INFO", 9, "request started", 2, **{"http.method": "GET", "http.target": "/api/carts/c-7?fields=total"}),
    flat("WARN", 13, "cart not found", 2, **{"http.method": "GET", "http.target": "/api/carts/c-7?fields=total", "http.status_code": 404}),
    flat("INFO", 9, "request started", 3, **{"http.method": "DELETE", "http.target": "/api/carts/c-4411/items/SKU-77", "enduser.id": "u-1017"}),
    flat("DEBUG", 5, "cart line removed", 3, **{"cart.id": "c-4411", "enduser.id": "u-1017"}),
    flat("INFO", 9, "request finished", 3, **{"http.method": "DELETE", "http.target": "/api/carts/c-4411/items/SKU-77", "http.status_code": 204, "enduser.id": "u-1017"}),
]
write("otel-flat.jsonl", records)

# ------------------------------------------------------------------ lambda
# Lambda's JSON log format as the Node.js runtime writes it (aws-lambda-ric
# 3.3.0, LogPatch.js formatJsonMessage): {timestamp, level, requestId,
# message}; console.error(msg, err) adds errorType/errorMessage/stackTrace
# (the stack split into lines); a single logged object becomes the message;
# a handler that throws is logged as "Invoke Error" with the error object as
# the message. Platform events are {time, type, record}.
c = Clock("2026-11-24T15:30:00.000+00:00")
ids = ["8f5e1c2a-7b3d-4e6f-9a0b-1c2d3e4f5a6b", "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", "1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a", "6b5a4f3e-2d1c-4b0a-9f8e-7d6c5b4a3f2e"]


def lam(level, i, message, **extra):
    c.tick()
    r = {"timestamp": iso_ms(c.now()), "level": level, "requestId": ids[i], "message": message}
    r.update(extra)
    return r


def platform(typ, i, **record):
    c.tick()
    return {"time": iso_ms(c.now()), "type": typ, "record": {"requestId": ids[i], **record}}


records = [
    platform("platform.start", 0, version="$LATEST"),
    lam("INFO", 0, "GET /orders/1042"),
    lam("INFO", 0, {"msg": "order loaded", "orderId": 1042, "userId": "u-1017"}),
    platform("platform.report", 0, metrics={"durationMs": 84.21, "billedDurationMs": 85, "memorySizeMB": 256, "maxMemoryUsedMB": 91}, status="success"),
    platform("platform.start", 1, version="$LATEST"),
    lam("INFO", 1, "POST /checkout"),
    lam("ERROR", 1, "checkout failed TypeError: Cannot read properties of undefined (reading 'price')\n" + "\n".join(node_trace.split("\n")[1:]),
        errorType="TypeError", errorMessage="Cannot read properties of undefined (reading 'price')", stackTrace=node_trace.split("\n")),
    lam("ERROR", 1, {"errorType": "TypeError", "errorMessage": "Cannot read properties of undefined (reading 'price')", "stackTrace": node_trace.split("\n")}),
    lam("INFO", 2, "GET /orders/7"),
    lam("WARN", 2, "order 7 not found"),
    lam("INFO", 3, "GET /users/u-1017/cart"),
    lam("DEBUG", 3, "cart has 1 item"),
]
write("lambda.jsonl", records)

# --------------------------------------------------------------- powertools
# Powertools for AWS Lambda (Python) Logger: timestamp "%Y-%m-%d %H:%M:%S,%F%z",
# location, service, Lambda context keys from inject_lambda_context,
# exception_name/exception from logger.exception; extra keys appended.
c = Clock("2026-11-24T15:35:00.000+00:00")
ids = ["52fdfc07-2182-454f-963f-5f0f9a621d72", "9566c74d-1003-4c4d-bbbb-0407d1e2c649", "81855ad8-681d-4d86-91e9-1e00167939cb", "6694d2c4-22ac-4208-a007-2939487f6999"]
xray = ["1-6743b2f0-5b8efff798038103d269b633", "1-6743b2f1-0af7651916cd43dd8448eb21", "1-6743b2f2-4bf92f3577b34da6a3ce929d", "1-6743b2f3-8a3c60f7d188f8fa79d48a39"]
ctx = {"cold_start": False, "function_name": "orders-api", "function_memory_size": "256", "function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:orders-api"}


def pt(level, loc, msg, i=None, **extra):
    c.tick()
    t = c.now()
    r = {"level": level, "location": loc, "message": msg,
         "timestamp": t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}+0000", "service": "orders"}
    if i is not None:
        r.update(ctx)
        r["cold_start"] = i == 0
        r["function_request_id"] = ids[i]
    r.update(extra)
    if i is not None:
        r["xray_trace_id"] = xray[i]
    return r


py_trace_lambda = python_trace.replace('"/app/orders/', '"/var/task/orders/')
records = [
    pt("INFO", "<module>:12", "loading configuration", None, sampling_rate=0.1),
    pt("INFO", "handler:31", "request started", 0, http_method="GET", path="/orders/1042", user_id="u-1017"),
    pt("INFO", "handler:58", "request finished", 0, http_method="GET", path="/orders/1042", status_code=200, user_id="u-1017"),
    pt("INFO", "handler:31", "request started", 1, http_method="POST", path="/checkout", user_id="u-2231"),
    pt("ERROR", "handler:52", "checkout failed", 1, http_method="POST", path="/checkout", status_code=500, user_id="u-2231",
       exception=py_trace_lambda, exception_name="CheckoutError"),
    pt("INFO", "handler:31", "request started", 2, http_method="GET", path="/orders/7"),
    pt("WARNING", "get_order:77", "order not found", 2, order_id=7),
    pt("INFO", "handler:58", "request finished", 2, http_method="GET", path="/orders/7", status_code=404),
    pt("INFO", "handler:31", "request started", 3, http_method="GET", path="/users/u-1017/cart", user_id="u-1017"),
    pt("DEBUG", "load_cart:90", "cart loaded", 3, user_id="u-1017"),
]
write("powertools.jsonl", records)

# -------------------------------------------------------------------- clef
# Serilog CompactJsonFormatter (CLEF): @t with 7 fraction digits, @mt the
# message template, @r renderings of formatted tokens, @l omitted for
# Information, @x the exception's ToString(), @tr/@sp the trace context;
# properties such as RequestId/RequestPath from ASP.NET Core's enrichment.
c = Clock("2026-11-24T15:40:00.000+00:00")
conn = "0HN8R4K2J1P7Q"
trs = ["4bf92f3577b34da6a3ce929d0e0e4736", "5b8efff798038103d269b633813fc60c", "0af7651916cd43dd8448eb211c80319c", "8a3c60f7d188f8fa79d48a391a778fa6"]


def t7(t, extra_ticks):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}{extra_ticks % 10}Z"


def clef(mt, i=None, level=None, ex=None, **props):
    c.tick()
    r = {"@t": t7(c.now(), c.n * 3), "@mt": mt}
    if level:
        r["@l"] = level
    if ex:
        r["@x"] = ex
    if i is not None:
        r["@tr"] = trs[i]
        r["@sp"] = trs[i][:16]
    r.update(props)
    if i is not None:
        r.update(RequestId=f"{conn}:0000000{i + 1}", ConnectionId=conn)
    r["Application"] = "Orders.Api"
    return r


LOGGING = "Serilog.AspNetCore.RequestLoggingMiddleware"
records = [
    clef("Now listening on: {address}", address="http://[::]:8080", SourceContext="Microsoft.Hosting.Lifetime"),
    clef("Fetching order {OrderId} for {UserId}", 0, OrderId=1042, UserId="u-1017", RequestPath="/api/orders/1042", SourceContext="Orders.Api.Controllers.OrdersController"),
    clef("HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms", 0, RequestMethod="GET", RequestPath="/api/orders/1042", StatusCode=200, Elapsed=12.3456, UserId="u-1017", SourceContext=LOGGING),
    clef("Checking out cart for {UserId}", 1, UserId="u-2231", RequestPath="/api/checkout", SourceContext="Orders.Api.Controllers.CheckoutController"),
    clef("HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms", 1, level="Error", ex=dotnet_nullref,
         RequestMethod="POST", RequestPath="/api/checkout", StatusCode=500, Elapsed=48.9012, UserId="u-2231", SourceContext=LOGGING),
    clef("Order {OrderId} not found", 2, level="Warning", OrderId=7, RequestPath="/api/orders/7", SourceContext="Orders.Api.Controllers.OrdersController"),
    clef("HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms", 2, RequestMethod="GET", RequestPath="/api/orders/7", StatusCode=404, Elapsed=3.1002, SourceContext=LOGGING),
    clef("Loaded {Count} cart lines", 3, level="Debug", Count=1, RequestPath="/api/users/u-1017/cart", SourceContext="Orders.Api.Services.CartService"),
    clef("Cart {CartId} served from cache", 3, CartId="c-4411", UserId="u-1017", RequestPath="/api/users/u-1017/cart", SourceContext="Orders.Api.Services.CartService"),
    clef("HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms", 3, RequestMethod="GET", RequestPath="/api/users/u-1017/cart", StatusCode=200, Elapsed=7.8123, UserId="u-1017", SourceContext=LOGGING),
]
for r in records:
    if "Elapsed" in r:
        r["@r"] = [f"{r['Elapsed']:.4f}"]
write("clef.jsonl", records)

# ------------------------------------------------------------------ dotnet
# Microsoft.Extensions.Logging JsonConsoleFormatter with IncludeScopes and
# TimestampFormat "yyyy-MM-ddTHH:mm:ss.fffzzz" (local time, +01:00): Timestamp,
# EventId, LogLevel, Category, Message, Exception, State (with
# {OriginalFormat}), Scopes. Request lines are ASP.NET Core's own
# (Microsoft.AspNetCore.Hosting.Diagnostics events 1 and 2).
c = Clock("2026-11-24T15:45:00.000+00:00")
CET = timezone(timedelta(hours=1))
conn = "0HN8R4K2J1Q2R"
trs = ["1f2e3d4c5b6a79880f1e2d3c4b5a6978", "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", "c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9", "3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b"]


def scopes(i, path):
    return [
        {"Message": f"SpanId:{trs[i][:16]}, TraceId:{trs[i]}, ParentId:0000000000000000", "SpanId": trs[i][:16], "TraceId": trs[i], "ParentId": "0000000000000000"},
        {"Message": f"ConnectionId:{conn}", "ConnectionId": conn},
        {"Message": f"RequestPath:{path} RequestId:{conn}:0000000{i + 1}", "RequestId": f"{conn}:0000000{i + 1}", "RequestPath": path},
    ]


def dn(level, category, event, message, state, i=None, path=None, ex=None):
    c.tick()
    t = c.now().astimezone(CET)
    r = {"Timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+01:00", "EventId": event, "LogLevel": level, "Category": category, "Message": message}
    if ex:
        r["Exception"] = ex
    r["State"] = {"Message": message, **state}
    r["Scopes"] = scopes(i, path) if i is not None else []
    return r


HOST = "Microsoft.AspNetCore.Hosting.Diagnostics"


def start(i, method, path, query=""):
    url = f"http://orders.internal:8080{path}{query}"
    return dn("Information", HOST, 1, f"Request starting HTTP/1.1 {method} {url} - - -",
              {"Protocol": "HTTP/1.1", "Method": method, "ContentType": None, "ContentLength": None, "Scheme": "http", "Host": "orders.internal:8080", "PathBase": "", "Path": path, "QueryString": query,
               "{OriginalFormat}": "Request starting {Protocol} {Method} {Scheme}://{Host}{PathBase}{Path}{QueryString} - {ContentType} {ContentLength}"}, i, path)


def finish(i, method, path, status, ms, query=""):
    url = f"http://orders.internal:8080{path}{query}"
    return dn("Information", HOST, 2, f"Request finished HTTP/1.1 {method} {url} - {status} - application/json;+charset=utf-8 {ms}ms",
              {"ElapsedMilliseconds": ms, "StatusCode": status, "ContentType": "application/json; charset=utf-8", "ContentLength": None, "Protocol": "HTTP/1.1", "Method": method, "Scheme": "http", "Host": "orders.internal:8080", "PathBase": "", "Path": path, "QueryString": query,
               "{OriginalFormat}": "Request finished {Protocol} {Method} {Scheme}://{Host}{PathBase}{Path}{QueryString} - {StatusCode} {ContentLength} {ContentType} {ElapsedMilliseconds}ms"}, i, path)


records = [
    dn("Information", "Microsoft.Hosting.Lifetime", 14, "Now listening on: http://[::]:8080", {"address": "http://[::]:8080", "{OriginalFormat}": "Now listening on: {address}"}),
    start(0, "GET", "/api/orders/1042"),
    dn("Information", "Orders.Api.Controllers.OrdersController", 0, "Fetching order 1042 for u-1017", {"OrderId": 1042, "UserId": "u-1017", "{OriginalFormat}": "Fetching order {OrderId} for {UserId}"}, 0, "/api/orders/1042"),
    finish(0, "GET", "/api/orders/1042", 200, 12.3456),
    start(1, "POST", "/api/checkout"),
    dn("Error", "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", 1, "An unhandled exception has occurred while executing the request.", {"{OriginalFormat}": "An unhandled exception has occurred while executing the request."}, 1, "/api/checkout", dotnet_nullref),
    finish(1, "POST", "/api/checkout", 500, 48.9012),
    start(2, "GET", "/api/orders/7", "?expand=items"),
    dn("Warning", "Orders.Api.Controllers.OrdersController", 0, "Order 7 not found", {"OrderId": 7, "{OriginalFormat}": "Order {OrderId} not found"}, 2, "/api/orders/7"),
    finish(2, "GET", "/api/orders/7", 404, 3.1002, "?expand=items"),
]
write("dotnet.jsonl", records)

# ----------------------------------------------------------------- datadog
# Datadog's standard attributes as a Python service writes them with
# python-json-logger and ddtrace log injection: date, status, message,
# logger.name, http.{request_id,method,url,status_code,useragent}, usr.id,
# error.{kind,message,stack}, and ddtrace's literal dotted dd.* keys.
c = Clock("2026-11-24T15:50:00.000+00:00")
ids = ["f3b2a1c0-9d8e-4f7a-b6c5-d4e3f2a1b0c9", "0a9b8c7d-6e5f-4a3b-9c1d-0e9f8a7b6c5d", "7e6d5c4b-3a29-4187-a6f5-e4d3c2b1a098", "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"]
dd_trace = ["1234567890123456789", "5348729117621938475", "8147263548129374650", "2938475610293847561"]


def dd(status, msg, i=None, http=None, user=None, error=None, logger="orders.api"):
    c.tick()
    r = {"date": iso_ms(c.now()), "status": status, "message": msg, "logger": {"name": logger}}
    if http is not None:
        r["http"] = {"request_id": ids[i], **http}
    if user:
        r["usr"] = {"id": user}
    if error:
        r["error"] = error
    r.update({"dd.trace_id": dd_trace[i] if i is not None else "0", "dd.span_id": str(int(dd_trace[i][:12]) * 7 if i is not None else 0), "dd.service": "orders-api", "dd.env": "prod", "dd.version": "1.14.2"})
    return r


UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"
records = [
    dd("info", "Listening at: http://0.0.0.0:8000", logger="gunicorn.error"),
    dd("info", "request started", 0, {"method": "GET", "url": "/api/orders/1042", "useragent": UA}, "u-1017"),
    dd("info", "request finished", 0, {"method": "GET", "url": "/api/orders/1042", "status_code": 200, "useragent": UA}, "u-1017"),
    dd("info", "request started", 1, {"method": "POST", "url": "/api/checkout", "useragent": UA}, "u-2231"),
    dd("error", "checkout failed", 1, {"method": "POST", "url": "/api/checkout", "status_code": 500, "useragent": UA}, "u-2231",
       {"kind": "CheckoutError", "message": "cannot price cart c-4411", "stack": python_trace}),
    dd("info", "request started", 2, {"method": "GET", "url": "/api/orders/7?expand=items", "useragent": UA}),
    dd("warn", "order not found", 2, {"method": "GET", "url": "/api/orders/7?expand=items", "status_code": 404, "useragent": UA}),
    dd("info", "request started", 3, {"method": "GET", "url": "/api/users/u-1017/cart", "useragent": UA}, "u-1017"),
    dd("debug", "cart loaded from redis", 3, {"method": "GET", "url": "/api/users/u-1017/cart", "useragent": UA}, "u-1017", logger="orders.cart"),
    dd("info", "request finished", 3, {"method": "GET", "url": "/api/users/u-1017/cart", "status_code": 200, "useragent": UA}, "u-1017"),
]
write("datadog.jsonl", records)
