"""The orders service every Python producer runs.

A real WSGI server on 127.0.0.1 (wsgiref) and a client sending it the same
eight requests. Two checkouts hit one bug (a SKU missing from the catalog:
TypeError in price_for), one a body that is not JSON (JSONDecodeError in
read_order).

A producer passes hooks: startup(msg, **fields) logs a line without a
request; request(id) is a context manager that binds the request id the
library's way and yields a logger with info(msg, **fields) and
exception(msg, **fields) (called inside the except block). Hooks whose
`warns` is true also get warning(msg, **fields) for a request answered 404
(the producers written before it log none).
"""
import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

SERVICE = "orders"

CATALOG = {"SKU-1042": {"cents": 1999}, "SKU-2001": {"cents": 450}}


def price_for(sku, qty):
    item = CATALOG.get(sku)
    return item["cents"] * qty


def read_order(body):
    order = json.loads(body)
    return order["sku"], int(order["qty"])


REQUESTS = [
    ("GET", "/api/orders/1042", None, "u-1017"),
    ("POST", "/api/checkout", '{"sku":"SKU-1042","qty":2}', "u-1017"),
    ("POST", "/api/checkout", '{"sku":"SKU-9999","qty":1}', "u-2231"),  # price_for bug
    ("GET", "/api/orders/7", None, ""),
    ("POST", "/api/checkout", '{"sku":"SKU-2001",qty:3}', "u-3301"),  # not JSON
    ("POST", "/api/checkout", '{"sku":"SKU-2001","qty":3}', "u-2231"),
    ("POST", "/api/checkout", '{"sku":"SKU-7777","qty":4}', "u-4410"),  # price_for bug
    ("GET", "/api/orders/1042", None, "u-3301"),
]


def request_id(lib, i):
    """The id of the i-th request (0-based) of producer lib: a UUID derived
    from both, so each file has its own ids."""
    h = hashlib.sha1(f"{lib}/{i}".encode()).hexdigest()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def handle(method, path, body):
    if method == "GET":
        if path.rsplit("/", 1)[-1] == "1042":
            return 200, {"id": 1042}
        return 404, {"error": "not found"}
    sku, qty = read_order(body)
    return 200, {"total_cents": price_for(sku, qty)}


def make_app(hooks):
    def app(environ, start_response):
        start = time.monotonic()
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        rid = environ.get("HTTP_X_REQUEST_ID", "")
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size).decode() if size else ""
        with hooks.request(rid, environ) as log:
            log.info("request started", method=method, path=path, user_id=environ.get("HTTP_X_USER_ID"))
            try:
                status, out = handle(method, path, body)
            except Exception:
                log.exception("checkout failed", method=method, path=path)
                status, out = 500, {"error": "internal error"}
            if status == 404 and getattr(hooks, "warns", False):
                log.warning("order not found", method=method, path=path, status=status)
            ms = round((time.monotonic() - start) * 1000, 3)
            log.info("request completed", method=method, path=path, status=status, duration_ms=ms)
        reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}[status]
        start_response(f"{status} {reason}", [("Content-Type", "application/json")])
        return [json.dumps(out).encode()]

    return app


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # the access log is the library's job here
        pass


def run(lib, hooks, headers=None):
    """Serve the requests; headers(i, rid) may add request headers."""
    server = make_server("127.0.0.1", 0, make_app(hooks), handler_class=QuietHandler)
    port = server.server_address[1]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    hooks.startup("listening", addr=f"127.0.0.1:{port}")
    for i, (method, path, body, user) in enumerate(REQUESTS):
        rid = request_id(lib, i)
        h = {"X-Request-Id": rid}
        if user:
            h["X-User-Id"] = user
        if headers:
            h.update(headers(i, rid))
        data = body.encode() if body else None
        if data:
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req) as resp:
                resp.read()
        except urllib.error.HTTPError as e:
            e.read()
        time.sleep(0.003)
    server.shutdown()
    server.server_close()
