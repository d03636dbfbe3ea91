"""Python's logging with a JSON formatter of the kind services write for
themselves (a logging.Formatter subclass emitting one object per line); the
request id comes from a contextvar through a logging.Filter, errors through
logger.exception."""
import contextlib
import contextvars
import datetime
import json
import logging
import sys

import shop

request_id = contextvars.ContextVar("request_id", default=None)

RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class JSONFormatter(logging.Formatter):
    def format(self, record):
        out = {
            "ts": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "severity": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": record.request_id,
        }
        out.update({k: v for k, v in vars(record).items() if k not in RESERVED})
        if record.exc_info:
            out["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(out)


class RequestIDFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(JSONFormatter())
handler.addFilter(RequestIDFilter())
logging.basicConfig(level=logging.INFO, handlers=[handler])
log = logging.getLogger("orders.http")


class Hooks:
    def startup(self, msg, **f):
        log.info(msg, extra=f)

    @contextlib.contextmanager
    def request(self, rid, environ):
        token = request_id.set(rid)
        try:
            yield self
        finally:
            request_id.reset(token)

    def info(self, msg, **f):
        log.info(msg, extra=f)

    def exception(self, msg, **f):
        log.exception(msg, extra=f)


shop.run("stdlib", Hooks())
