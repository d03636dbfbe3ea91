"""logzero with json=True (its JSON formatter, on python-json-logger); logzero
writes to stderr. The request id rides in each call's extra (logzero has no
binding of its own), errors through logger.exception."""
import contextlib
import logging

import logzero

import shop

log = logzero.setup_logger(name="orders", level=logging.INFO, json=True)


class Hooks:
    rid = None

    def startup(self, msg, **f):
        log.info(msg, extra=f)

    @contextlib.contextmanager
    def request(self, rid, environ):
        self.rid = rid
        try:
            yield self
        finally:
            self.rid = None

    def info(self, msg, **f):
        log.info(msg, extra=dict(f, request_id=self.rid))

    def exception(self, msg, **f):
        log.exception(msg, extra=dict(f, request_id=self.rid))


shop.run("logzero", Hooks())
