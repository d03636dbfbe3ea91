"""Python's logging with python-json-logger 2.0 configured for Google Cloud
Logging, as Cloud Run guides show: `levelname` renamed `severity`,
`asctime` renamed `time` (ISO 8601 with zone, by datefmt), the request id
and the trace as `extra`, the traceback in `exc_info`."""
import contextlib
import contextvars
import logging
import sys

from pythonjsonlogger import jsonlogger

import shop

current = contextvars.ContextVar("current", default={})


class ContextFilter(logging.Filter):
    def filter(self, record):
        for k, v in current.get().items():
            setattr(record, k, v)
        return True


formatter = jsonlogger.JsonFormatter(
    "%(asctime)s %(levelname)s %(name)s %(message)s",
    datefmt="%Y-%m-%dT%H:%M:%S%z",
    rename_fields={"levelname": "severity", "asctime": "time", "name": "logger"},
)
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(formatter)
handler.addFilter(ContextFilter())
logging.basicConfig(level=logging.INFO, handlers=[handler])
log = logging.getLogger("orders.http")


class Hooks:
    warns = True

    def startup(self, msg, **f):
        log.info(msg, extra=f)

    @contextlib.contextmanager
    def request(self, rid, environ):
        token = current.set({
            "request_id": rid,
            "logging.googleapis.com/trace": f"projects/acme-orders/traces/{rid.replace('-', '')}",
        })
        try:
            yield self
        finally:
            current.reset(token)

    def info(self, msg, **f):
        log.info(msg, extra=f)

    def warning(self, msg, **f):
        log.warning(msg, extra=f)

    def exception(self, msg, **f):
        log.exception(msg, extra=f)


shop.run("jsonlogger-gcp", Hooks())
