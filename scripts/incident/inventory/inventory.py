"""inventory: the sample incident's catalog and stock service.

Python standard library HTTP server, logging with structlog's JSONRenderer
(one JSON object per line on stdout, real tracebacks in "exception").

Public (through the gateway):
  GET  /api/catalog/search?q=     search the catalog
Internal (called by orders):
  GET  /internal/items/{sku}      price of one item
  POST /internal/reserve          hold stock for {"items": [{"sku", "qty"}]}

The catalog carries one record imported from the old shop system that has a
"code" instead of a "sku". Presenting it raises KeyError: 'sku'; searches that
match it ("gift") fail with a 500 from the very first minute. That is the
incident's pre-existing error.

Run with /usr/bin/python3 (Debian's python3-structlog).
"""

import argparse
import json
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars

VERSION = "3.2.0"

CATALOG = [
    {"sku": "SKU-1001", "name": "Ceramic mug", "price_cents": 1299, "stock": 400},
    {"sku": "SKU-1002", "name": "Desk lamp", "price_cents": 2499, "stock": 300},
    {"sku": "SKU-1003", "name": "Notebook, dotted", "price_cents": 899, "stock": 500},
    {"sku": "SKU-1004", "name": "Office chair cushion", "price_cents": 4599, "stock": 200},
    {"sku": "SKU-1005", "name": "USB-C cable, 2 m", "price_cents": 1999, "stock": 500},
    {"sku": "SKU-1006", "name": "Pencil set", "price_cents": 349, "stock": 800},
    {"sku": "SKU-1007", "name": "Noise-cancelling headphones", "price_cents": 7999, "stock": 60},
    {"sku": "SKU-1008", "name": "Travel backpack", "price_cents": 1549, "stock": 150},
    {"sku": "SKU-1009", "name": "Electric kettle", "price_cents": 2899, "stock": 120},
    {"sku": "SKU-1010", "name": "Phone charger", "price_cents": 599, "stock": 600},
    {"sku": "SKU-1011", "name": "Standing desk", "price_cents": 11999, "stock": 12},
    {"sku": "SKU-1012", "name": "Desk organiser", "price_cents": 1099, "stock": 250},
    # Imported from the old shop system in 2019: it has "code", not "sku".
    {"code": "GC-25", "name": "Gift card 25 EUR", "price_cents": 2500, "stock": 10000},
]

log = structlog.get_logger(service="inventory", version=VERSION)
_stock_lock = threading.Lock()


def configure_logging():
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )


def present(item):
    return {"sku": item["sku"], "name": item["name"], "price_cents": item["price_cents"],
            "in_stock": item["stock"] > 0}


def search(handler, url, _match):
    q = parse_qs(url.query).get("q", [""])[0].strip().lower()
    if not q:
        return 400, {"error": "missing query parameter q"}
    hits = [item for item in CATALOG if q in item["name"].lower()]
    return 200, {"query": q, "results": [present(item) for item in hits]}


def find_sku(sku):
    for item in CATALOG:
        if item.get("sku") == sku:
            return item
    return None


def item_price(handler, url, match):
    item = find_sku(match)
    if item is None:
        return 404, {"error": "unknown sku"}
    return 200, {"sku": item["sku"], "price_cents": item["price_cents"]}


def reserve(handler, url, _match):
    length = int(handler.headers.get("Content-Length") or 0)
    try:
        body = json.loads(handler.rfile.read(length) or b"{}")
        wanted = [(str(i["sku"]), int(i["qty"])) for i in body["items"]]
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("bad reservation request", error=str(exc))
        return 400, {"error": "bad reservation request"}
    with _stock_lock:
        items = []
        for sku, qty in wanted:
            item = find_sku(sku)
            if item is None:
                return 404, {"error": "unknown sku", "sku": sku}
            if item["stock"] < qty:
                log.warning("insufficient stock", sku=sku, wanted=qty, available=item["stock"])
                return 409, {"error": "insufficient stock", "sku": sku}
            items.append((item, qty))
        for item, qty in items:
            item["stock"] -= qty
    return 200, {"items": [{"sku": i["sku"], "qty": q, "price_cents": i["price_cents"]} for i, q in items]}


def route(method, path):
    if method == "GET" and path == "/api/catalog/search":
        return "GET /api/catalog/search", search, None
    if method == "GET" and path.startswith("/internal/items/"):
        return "GET /internal/items/{sku}", item_price, path[len("/internal/items/"):]
    if method == "POST" and path == "/internal/reserve":
        return "POST /internal/reserve", reserve, None
    return "", None, None


class Handler(BaseHTTPRequestHandler):
    server_version = "inventory/" + VERSION
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass  # access lines are written by _dispatch, as JSON

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method):
        start = time.perf_counter()
        clear_contextvars()
        url = urlsplit(self.path)
        if url.path == "/health":
            self._send(200, {"status": "ok", "version": VERSION})
            return
        rid = self.headers.get("X-Request-ID") or str(uuid.uuid4())
        bind_contextvars(request_id=rid, user_id=self.headers.get("X-User-ID", ""),
                         method=method, path=url.path)
        name, handler, match = route(method, url.path)
        try:
            if handler is None:
                status, body = 404, {"error": "not found"}
            else:
                status, body = handler(self, url, match)
        except Exception:
            log.exception("unhandled exception while handling request", route=name)
            status, body = 500, {"error": "internal server error", "request_id": rid}
        self._send(status, body)
        emit = log.error if status >= 500 else log.info
        emit("request handled", route=name, status=status,
             duration_ms=round((time.perf_counter() - start) * 1000, 3))

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1:27182")
    args = parser.parse_args()
    configure_logging()
    host, port = args.addr.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True

    def stop(signum, _frame):
        log.info("shutting down", signal=signal.Signals(signum).name)
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("starting", addr=args.addr, catalog_items=len(CATALOG))
    server.serve_forever()
    server.server_close()
    log.info("stopped")


if __name__ == "__main__":
    main()
