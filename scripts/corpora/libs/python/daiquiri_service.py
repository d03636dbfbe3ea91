"""daiquiri with its Datadog JSON formatter on stdout; the request id bound to a
per-request logger by daiquiri.getLogger(name, request_id=...) (its
KeywordArgumentAdapter), errors through logger.exception."""
import contextlib
import logging
import sys

import daiquiri
import daiquiri.formatter

import shop

daiquiri.setup(level=logging.INFO, outputs=[
    daiquiri.output.Stream(sys.stdout, formatter=daiquiri.formatter.DATADOG_FORMATTER),
])


class Hooks:
    log = daiquiri.getLogger("orders.http", service=shop.SERVICE)

    def startup(self, msg, **f):
        self.log.info(msg, **f)

    @contextlib.contextmanager
    def request(self, rid, environ):
        yield Hooks.Request(daiquiri.getLogger("orders.http", service=shop.SERVICE, request_id=rid))

    class Request:
        def __init__(self, log):
            self.log = log

        def info(self, msg, **f):
            self.log.info(msg, **f)

        def exception(self, msg, **f):
            self.log.exception(msg, **f)


shop.run("daiquiri", Hooks())
