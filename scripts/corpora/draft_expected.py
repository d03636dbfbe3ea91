"""Drafts testdata/formats/expected.json from the skeleton below (each file's
convention, field paths and the lines worth checking) by reading those lines
with check_expected.py's reference reader. Run it after regenerating the
corpora (times and ids of the Node and Python corpora change on every run),
then review the diff of expected.json by eye before committing it: the
skeleton is the claim, the draft only saves typing.

Usage: draft_expected.py FORMATS_DIR
"""

import json
import os
import sys

from check_expected import extract, load

# file: (convention, fields, defaults, [(line, stack_contains or None)])
SKELETON = {
    "zap.jsonl": ("zap", {"time": "ts", "level": "level", "message": "msg", "request_id": "request_id", "service": "service", "version": "version", "method": "method", "path": "path", "status": "status", "user": "user_id", "duration": "duration", "error": "error", "stack": "stacktrace"}, {},
                  [(1, None), (3, None), (6, "main.writeZap"), (7, None), (10, None)]),
    "zap-dev.jsonl": ("zap", {"time": "T", "level": "L", "message": "M", "request_id": "request_id", "service": "service", "method": "method", "path": "path", "status": "status", "user": "user_id", "duration": "duration", "error": "error", "stack": "S"}, {},
                      [(1, None), (3, None), (5, "main.writeZapDev"), (8, None), (10, None)]),
    "zerolog.jsonl": ("zerolog", {"time": "time", "level": "level", "message": "message", "request_id": "request_id", "service": "service", "method": "method", "path": "path", "status": "status", "user": "user_id", "duration": "elapsed", "error": "error", "stack": "stack"}, {},
                      [(1, None), (4, None), (7, "ReserveInventory"), (8, None), (11, None)]),
    "zerolog-unixms.jsonl": ("zerolog", {"time": "time", "level": "level", "message": "message", "request_id": "request_id", "service": "service", "method": "method", "path": "path", "status": "status", "user": "user_id", "duration": "elapsed", "error": "error", "stack": "stack"}, {},
                             [(1, None), (4, None), (7, "ReserveInventory"), (8, None), (11, None)]),
    "logrus.jsonl": ("logrus", {"time": "time", "level": "level", "message": "msg", "request_id": "request_id", "service": "service", "method": "method", "path": "path", "status": "status", "user": "user_id", "error": "error", "stack": "stack"}, {},
                     [(1, None), (3, None), (5, None), (6, "main.writeLogrus"), (9, None)]),
    "slog.jsonl": ("slog", {"time": "time", "level": "level", "message": "msg", "request_id": "req.id", "service": "service", "host": "host", "method": "req.method", "path": "req.path", "status": "status", "user": "user_id", "duration": "duration", "error": "error", "stack": "stack"}, {},
                   [(1, None), (4, None), (6, None), (7, "main.writeSlog"), (10, None)]),
    "pino.jsonl": ("pino", {"time": "time", "level": "level", "message": "msg", "request_id": "req.id", "service": "service", "host": "hostname", "method": "req.method", "path": "req.url", "status": "res.statusCode", "user": "userId", "duration": "responseTime", "error_type": "err.type", "error": "err.message", "stack": "err.stack"}, {},
                   [(1, None), (3, None), (4, "priceCart"), (5, "priceCart"), (7, None)]),
    "bunyan.jsonl": ("bunyan", {"time": "time", "level": "level", "message": "msg", "request_id": "req_id", "service": "name", "host": "hostname", "method": "req.method", "path": "req.url", "status": "res.statusCode", "user": "user_id", "duration": "latency_ms", "error_type": "err.name", "error": "err.message", "stack": "err.stack"}, {},
                     [(1, None), (2, None), (6, "priceCart"), (7, None), (10, None)]),
    "winston.jsonl": ("winston", {"time": "timestamp", "level": "level", "message": "message", "request_id": "requestId", "service": "service", "method": "method", "path": "url", "status": "statusCode", "user": "userId", "duration": "durationMs", "stack": "stack"}, {},
                      [(1, None), (3, None), (4, "priceCart"), (5, None), (7, None)]),
    "ecs.jsonl": ("ecs", {"time": "@timestamp", "level": "log.level", "message": "message", "request_id": "http.request.id", "service": "service.name", "version": "service.version", "host": "host.hostname", "method": "http.request.method", "path": "url.path", "status": "http.response.status_code", "user": "user.id", "duration": "event.duration", "error_type": "error.type", "error": "error.message", "stack": "error.stack_trace"}, {},
                  [(1, None), (3, None), (4, "priceCart"), (5, None), (7, None)]),
    "gcp.jsonl": ("gcp", {"time": "timestamp", "level": "severity", "message": "message", "request_id": "logging.googleapis.com/trace", "service": "serviceContext.service", "version": "serviceContext.version", "method": "httpRequest.requestMethod", "path": "httpRequest.requestUrl", "status": "httpRequest.status", "user": "userId", "duration": "httpRequest.latency"}, {},
                  [(1, None), (2, None), (4, None), (5, "priceCart"), (6, None), (8, None)]),
    "structlog.jsonl": ("structlog", {"time": "timestamp", "level": "level", "message": "event", "request_id": "request_id", "service": "service", "method": "method", "path": "path", "status": "status", "user": "user_id", "duration": "duration_ms", "stack": "exception"}, {},
                        [(1, None), (4, None), (6, "price_cart"), (7, None), (10, None)]),
    "structlog-dict.jsonl": ("structlog", {"time": "timestamp", "level": "level", "message": "event", "request_id": "request_id", "service": "service", "method": "method", "path": "path", "status": "status", "user": "user_id", "duration": "duration_ms", "stack": "exception"}, {},
                             [(1, None), (4, None), (6, "price_cart"), (7, None), (10, None)]),
    "python-json-logger.jsonl": ("python-json-logger", {"time": "asctime", "level": "levelname", "message": "message", "request_id": "request_id", "service": "name", "method": "method", "path": "path", "status": "status", "user": "user_id", "duration": "duration_ms", "stack": "exc_info"}, {},
                                 [(1, None), (4, None), (6, "price_cart"), (7, None), (10, None)]),
    "logstash.jsonl": ("logstash", {"time": "@timestamp", "level": "level", "message": "message", "request_id": "traceId", "service": "app", "method": "method", "path": "path", "status": "status", "user": "userId", "duration": "durationMs", "stack": "stack_trace"}, {},
                       [(1, None), (3, None), (4, "Caused by: java.sql.SQLTransientConnectionException"), (5, None), (7, None)]),
    "otel.jsonl": ("otel", {"time": "timeUnixNano", "level": "severityText", "message": "body", "request_id": "traceId", "service": "resource.service.name", "version": "resource.service.version", "host": "resource.host.name", "method": "attributes.http.request.method", "path": "attributes.url.path", "route": "attributes.http.route", "status": "attributes.http.response.status_code", "user": "attributes.enduser.id", "error_type": "attributes.exception.type", "error": "attributes.exception.message", "stack": "attributes.exception.stacktrace"}, {},
                   [(1, None), (3, None), (5, "shop.OrderService.placeOrder"), (7, None)]),
    "otel-flat.jsonl": ("otel", {"time": "Timestamp", "level": "SeverityText", "message": "Body", "request_id": "TraceId", "service": "service.name", "version": "service.version", "host": "host.name", "method": "http.method", "path": "http.target", "status": "http.status_code", "user": "enduser.id", "error_type": "exception.type", "error": "exception.message", "stack": "exception.stacktrace"}, {},
                        [(1, None), (3, None), (5, "price_cart"), (7, None)]),
    "lambda.jsonl": ("lambda", {"time": "timestamp", "level": "level", "message": "message", "request_id": "requestId", "error_type": "errorType", "error": "errorMessage", "stack": "stackTrace"}, {},
                     [(2, None), (7, "priceCart"), (10, None)]),
    "powertools.jsonl": ("powertools", {"time": "timestamp", "level": "level", "message": "message", "request_id": "function_request_id", "service": "service", "method": "http_method", "path": "path", "status": "status_code", "user": "user_id", "error_type": "exception_name", "stack": "exception"}, {},
                         [(1, None), (3, None), (5, "price_cart"), (7, None), (8, None)]),
    "clef.jsonl": ("clef", {"time": "@t", "level": "@l", "message": "@mt", "request_id": "RequestId", "service": "Application", "method": "RequestMethod", "path": "RequestPath", "status": "StatusCode", "user": "UserId", "duration": "Elapsed", "stack": "@x"}, {"level": "info"},
                   [(1, None), (3, None), (5, "PricingService.PriceLine"), (6, None), (7, None)]),
    "dotnet.jsonl": ("dotnet", {"time": "Timestamp", "level": "LogLevel", "message": "Message", "request_id": "Scopes.#.RequestId|0", "method": "State.Method", "path": "State.Path", "status": "State.StatusCode", "user": "State.UserId", "duration": "State.ElapsedMilliseconds", "stack": "Exception"}, {},
                     [(1, None), (3, None), (4, None), (6, "PricingService.PriceLine"), (10, None)]),
    "datadog.jsonl": ("datadog", {"time": "date", "level": "status", "message": "message", "request_id": "http.request_id", "service": "dd.service", "version": "dd.version", "method": "http.method", "path": "http.url", "status": "http.status_code", "user": "usr.id", "error_type": "error.kind", "error": "error.message", "stack": "error.stack"}, {},
                      [(1, None), (3, None), (5, "price_cart"), (7, None)]),
}
CHECK_KEYS = ["time", "level", "request_id", "status", "method", "path", "user", "service", "error", "error_type"]
EMPTY = {"request_id": "", "user": "", "status": 0, "method": "", "path": ""}


def main():
    fdir = sys.argv[1]
    out = []
    for name in sorted(SKELETON):
        conv, fields, defaults, lines = SKELETON[name]
        objs = load(os.path.join(fdir, name))
        checks = []
        for n, stack in lines:
            got = extract(objs[n - 1], fields, defaults)
            c = {"line": n}
            for k in CHECK_KEYS:
                if k in got:
                    c[k] = got[k]
                elif k in EMPTY and k in fields:
                    c[k] = EMPTY[k]  # the line lacks it: a correct parser leaves it empty
            if "level" in fields and "level" not in got:
                c["level"] = ""
            if stack:
                c["stack_contains"] = stack
            checks.append(c)
        e = {"file": name, "convention": conv, "fields": fields}
        if defaults:
            e["defaults"] = defaults
        e["checks"] = checks
        out.append(e)
    with open(os.path.join(fdir, "expected.json"), "w") as f:
        f.write("[\n" + ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in out) + "\n]\n")


if __name__ == "__main__":
    main()
