"""loguru with serialize=True on stdout; the request id bound for the
request's duration with logger.contextualize (contextvars), errors through
logger.exception."""
import contextlib
import sys

from loguru import logger

import shop

logger.remove()
logger.add(sys.stdout, serialize=True, level="INFO", backtrace=False, diagnose=False)
log = logger.bind(service=shop.SERVICE)


class Hooks:
    def startup(self, msg, **f):
        log.info(msg, **f)

    @contextlib.contextmanager
    def request(self, rid, environ):
        with logger.contextualize(request_id=rid):
            yield self

    def info(self, msg, **f):
        log.bind(**f).info(msg)

    def exception(self, msg, **f):
        log.bind(**f).exception(msg)


shop.run("loguru", Hooks())
