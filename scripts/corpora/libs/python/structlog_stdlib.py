"""structlog 22 rendering the stdlib logging records of the service through
structlog.stdlib.ProcessorFormatter (the setup its docs give for apps whose
libraries log through logging): epoch `timestamp` (TimeStamper(fmt=None)),
`level`, `logger`, the event renamed to `message` (EventRenamer), the request
id bound in contextvars, the traceback as a string in `exception`
(format_exc_info)."""
import contextlib
import logging
import sys

import structlog

import shop

shared = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt=None, utc=True),
]
structlog.configure(
    processors=[structlog.stdlib.filter_by_level, *shared,
                structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(structlog.stdlib.ProcessorFormatter(
    foreign_pre_chain=shared,
    processors=[
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        structlog.processors.format_exc_info,
        structlog.processors.EventRenamer("message"),
        structlog.processors.JSONRenderer(),
    ],
))
logging.basicConfig(level=logging.INFO, handlers=[handler])
log = structlog.stdlib.get_logger("orders.http")


class Hooks:
    warns = True

    def startup(self, msg, **f):
        log.info(msg, service=shop.SERVICE, **f)

    @contextlib.contextmanager
    def request(self, rid, environ):
        with structlog.contextvars.bound_contextvars(request_id=rid, service=shop.SERVICE):
            yield self

    def info(self, msg, **f):
        log.info(msg, **f)

    def warning(self, msg, **f):
        log.warning(msg, **f)

    def exception(self, msg, **f):
        log.exception(msg, **f)


shop.run("structlog-stdlib", Hooks())
