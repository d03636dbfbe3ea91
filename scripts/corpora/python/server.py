"""A tiny orders API on 127.0.0.1 (http.server) and a client that sends it the
corpus scenario. Each producer passes hooks that log through the library
under test: hooks.start(req), .debug/.warn(req, msg, **kw), .error(req, msg),
.done(req, status, ms)."""

import http.server
import json
import re
import select
import threading
import time
import urllib.error
import urllib.request

from shop import checkout


class Req:
    """What the hooks see of one request."""

    def __init__(self, method, path, headers):
        self.method = method
        self.path = path
        self.id = headers.get("x-request-id")
        self.user = headers.get("x-user-id")


def scenario(ids):
    return [
        ("GET", "/api/orders/1042", {"x-request-id": ids[0], "x-user-id": "u-1017"}),
        ("POST", "/api/checkout", {"x-request-id": ids[1], "x-user-id": "u-2231"}),
        ("GET", "/api/orders/7?expand=items", {"x-request-id": ids[2]}),
        ("GET", "/api/users/u-1017/cart", {"x-request-id": ids[3], "x-user-id": "u-1017"}),
    ]


def route(req, hooks):
    m = re.match(r"^/api/orders/(\d+)(\?.*)?$", req.path)
    if req.method == "GET" and m:
        if m.group(1) == "7":
            hooks.warn(req, "order not found", order_id=7)
            return 404
        hooks.debug(req, "order loaded from cache", order_id=int(m.group(1)))
        return 200
    if req.method == "POST" and req.path == "/api/checkout":
        try:
            checkout(req.user)
            return 200
        except Exception:
            hooks.error(req, "checkout failed")
            return 500
    if req.method == "GET" and re.match(r"^/api/users/[^/]+/cart$", req.path):
        return 200
    return 404


def run(hooks, ids):
    class Handler(http.server.BaseHTTPRequestHandler):
        def handle_one(self):
            req = Req(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            start = time.perf_counter()
            hooks.start(req)
            status = route(req, hooks)
            body = json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            hooks.done(req, status, round((time.perf_counter() - start) * 1000, 2))

        do_GET = do_POST = handle_one

        def log_message(self, *args):
            pass  # the hooks log instead

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    port = server.server_address[1]
    for method, path, headers in scenario(ids):
        r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, headers=headers, data=b"" if method == "POST" else None)
        try:
            urllib.request.urlopen(r).read()
        except urllib.error.HTTPError as e:
            e.read()
        # a pause between requests; select, since time.sleep fails under faketime
        select.select([], [], [], 0.05)
    server.shutdown()
