"""checkout: the incident's order service (Python 3.11, http.server).

It logs one JSON object per line with python-json-logger's JsonFormatter
(`timestamp` ISO 8601 from the record's creation time, `level`, `logger`,
`message`, `exc_info` with the traceback text) and knows a request only by
its W3C traceparent: a logging filter adds the ids under the names the
OpenTelemetry logging instrumentation gives them (otelTraceID, otelSpanID,
otelServiceName, otelTraceSampled).

POST /checkout reserves stock at inventory, charges at payments (round robin
over its hosts) and writes the order to db; GET /orders/{id} reads it back;
POST /coupons/validate reads the promotion rules from the file that the
PROMO_RULES_PATH environment variable names, on first use.
"""

import argparse
import itertools
import json
import logging
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pythonjsonlogger import jsonlogger

VERSION = os.environ.get("APP_VERSION", "dev")
HOST = os.environ.get("HOSTNAME_OVERRIDE", "checkout-0")

_span = threading.local()


class TraceContextFilter(logging.Filter):
    """Adds the current span's ids to every record, as opentelemetry-instrumentation-logging does."""

    def filter(self, record):
        record.otelTraceID = getattr(_span, "trace_id", "0")
        record.otelSpanID = getattr(_span, "span_id", "0")
        record.otelServiceName = "checkout"
        record.otelTraceSampled = True
        record.version = VERSION
        record.host = HOST
        return True


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(jsonlogger.JsonFormatter(
    "%(levelname)s %(name)s %(message)s",
    timestamp=True,
    rename_fields={"levelname": "level", "name": "logger"},
))
handler.addFilter(TraceContextFilter())
log = logging.getLogger("checkout")
log.addHandler(handler)
log.setLevel(logging.INFO)
log.propagate = False


def start_span(headers):
    """Starts this request's span as a child of the caller's traceparent."""
    _span.span_id = secrets.token_hex(8)
    parts = (headers.get("traceparent") or "").split("-")
    if len(parts) == 4 and parts[0] == "00" and len(parts[1]) == 32 and len(parts[2]) == 16:
        _span.trace_id = parts[1]
    else:
        _span.trace_id = secrets.token_hex(16)


class HTTPFailure(Exception):
    """An answer this service gives on purpose (status and message)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class App:
    def __init__(self, args):
        self.inventory = args.inventory
        self.payment_hosts = args.payments.split(",")
        self.payments = itertools.cycle(self.payment_hosts)
        self.payments_lock = threading.Lock()
        self.db = args.db
        self._rules = None

    def call(self, base, method, path, body=None, timeout=3.0):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + path, data=data, method=method, headers={
            "Content-Type": "application/json",
            "traceparent": f"00-{_span.trace_id}-{_span.span_id}-01",
        })
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")

    def downstream(self, name, fn):
        """Runs one downstream call; logs and maps its failure to our answer."""
        try:
            return fn()
        except urllib.error.HTTPError as e:
            if e.code in (404, 409):
                raise HTTPFailure(e.code, f"{name}: {e.read().decode(errors='replace').strip()}") from e
            log.exception(f"{name} call failed")
            raise HTTPFailure(502, f"{name} responded {e.code}") from e
        except TimeoutError as e:
            log.exception(f"{name} call timed out")
            raise HTTPFailure(504, f"{name} timed out") from e
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            log.exception(f"{name} call failed")
            raise HTTPFailure(503, f"{name} unavailable: {e}") from e

    def checkout(self, body):
        user, items = body.get("user"), body.get("items") or []
        currency = body.get("currency", "EUR")
        if not user or not items:
            raise HTTPFailure(400, "want {user, items, currency}")
        reserved = self.downstream("inventory", lambda: self.call(self.inventory, "POST", "/stock/reserve", {"items": items}))
        amount = f"{reserved['total']:.2f}"
        charge = self.downstream("payments", lambda: self.charge(user, amount, currency))
        order = self.downstream("db", lambda: self.call(self.db, "POST", "/orders", {
            "user": user, "items": items, "total": float(amount), "currency": currency,
            "payment": charge["payment_id"]}, timeout=2.0))
        log.info("order placed", extra={"order_id": order["id"], "amount": amount, "currency": currency})
        return 201, {"order_id": order["id"], "payment_id": charge["payment_id"], "amount": amount}

    def charge(self, user, amount, currency):
        """Charges at the next payments host; a host that refuses the connection never saw the
        charge, so the one after it is tried."""
        with self.payments_lock:
            first = next(self.payments)
        hosts = [first] + [h for h in self.payment_hosts if h != first]
        for i, host in enumerate(hosts):
            try:
                return self.call(host, "POST", "/charge", {"user": user, "amount": amount, "currency": currency})
            except urllib.error.URLError as e:
                if i + 1 == len(hosts) or not isinstance(e.reason, ConnectionRefusedError):
                    raise
                log.warning("payments host refused the connection, trying the next", extra={"payments_host": host})

    def order(self, order_id):
        return 200, self.downstream("db", lambda: self.call(self.db, "GET", f"/orders/{order_id}", timeout=2.0))

    def rules(self):
        if self._rules is None:
            with open(os.environ["PROMO_RULES_PATH"]) as f:
                self._rules = json.load(f)
        return self._rules

    def validate_coupon(self, body):
        code = str(body.get("code", "")).upper()
        rule = self.rules().get(code)
        if rule is None:
            raise HTTPFailure(404, f"unknown coupon {code}")
        return 200, {"code": code, "percent_off": rule["percent_off"]}


class Server(ThreadingHTTPServer):
    """Binds with SO_REUSEPORT so that a new release can start on the port before the old one stops."""

    daemon_threads = True

    def server_bind(self):
        import socket
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    app = None

    def log_message(self, fmt, *args):  # http.server's own access log goes nowhere
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}") if n else {}

    def route(self):
        path = self.path.split("?")[0]
        if self.command == "GET" and path == "/health":
            return "GET /health", lambda: (200, {"status": "ok", "version": VERSION})
        if self.command == "POST" and path == "/checkout":
            return "POST /checkout", lambda: self.app.checkout(self.body())
        if self.command == "GET" and path.startswith("/orders/"):
            return "GET /orders/{id}", lambda: self.app.order(path[len("/orders/"):])
        if self.command == "POST" and path == "/coupons/validate":
            return "POST /coupons/validate", lambda: self.app.validate_coupon(self.body())
        return None, lambda: (404, {"error": "not found"})

    def serve(self):
        start = time.monotonic()
        start_span(self.headers)
        route, fn = self.route()
        try:
            status, body = fn()
        except HTTPFailure as e:
            status, body = e.status, {"error": str(e)}
        except Exception:
            log.exception("unhandled error")
            status, body = 500, {"error": "internal server error"}
        if route != "GET /health":
            log.info("request completed", extra={
                "http.method": self.command, "http.route": route, "http.status_code": status,
                "duration_ms": round((time.monotonic() - start) * 1000, 3)})
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = serve


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--addr", default="127.0.0.1:27291")
    p.add_argument("--inventory", default="http://127.0.0.1:27292")
    p.add_argument("--payments", default="http://127.0.0.1:27294,http://127.0.0.1:27295")
    p.add_argument("--db", default="http://127.0.0.1:27293")
    args = p.parse_args()
    Handler.app = App(args)
    host, port = args.addr.rsplit(":", 1)
    srv = Server((host, int(port)), Handler)
    log.info("checkout started", extra={"addr": args.addr,
                                        "promo_rules": os.environ.get("PROMO_RULES_PATH", "(unset)")})
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


def _terminate(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, _terminate)
    main()
