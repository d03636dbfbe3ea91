"""structlog with JSONRenderer, TimeStamper(fmt="iso") and request-scoped
context vars. Usage: structlog_corpus.py text|dict  (text: format_exc_info,
the exception as traceback text; dict: dict_tracebacks, a list of dicts)."""

import sys

import structlog

import server

exc = structlog.processors.format_exc_info if sys.argv[1] == "text" else structlog.processors.dict_tracebacks
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.processors.StackInfoRenderer(),
        exc,
        structlog.processors.JSONRenderer(),
    ],
    logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
)
log = structlog.get_logger().bind(service="orders-api")


class Hooks:
    def start(self, req):
        structlog.contextvars.clear_contextvars()
        ctx = {"request_id": req.id}
        if req.user:
            ctx["user_id"] = req.user
        structlog.contextvars.bind_contextvars(**ctx)
        log.info("request started", method=req.method, path=req.path)

    def debug(self, req, msg, **kw):
        log.debug(msg, **kw)

    def warn(self, req, msg, **kw):
        log.warning(msg, **kw)

    def error(self, req, msg):
        log.exception(msg)

    def done(self, req, status, ms):
        level = log.error if status >= 500 else log.info
        level("request finished", method=req.method, path=req.path, status=status, duration_ms=ms)
        structlog.contextvars.clear_contextvars()


log.info("server listening", port=8000)
if sys.argv[1] == "text":
    ids = ["e3b0c442-98fc-4c14-9afb-f4c8996fb924", "a665a459-2042-4f9d-817e-4867efdc4fb8", "2c26b46b-68ff-4c68-9f0b-9d2b5e1c0f3a", "fcde2b2e-dba5-4bf4-8860-1f5e7d3a9c21"]
else:
    ids = ["18ac3e73-43f0-4b4f-9d1a-0b5c7e2f4a61", "7c211433-f024-4d4b-8e6c-9a1f3d5b7e20", "3973e022-e93d-4b2e-a6f1-5c8d0e2b4f97", "5feceb66-ffc8-4d6f-9b3a-1e7c5a9d2f08"]
server.run(Hooks(), ids)
