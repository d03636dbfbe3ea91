"""python-json-logger's JsonFormatter with the format its README shows,
request_id/user_id passed as `extra`, and exc_info on the error."""

import logging
import sys

from pythonjsonlogger import jsonlogger

import server

handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(jsonlogger.JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
log = logging.getLogger("orders.api")
log.addHandler(handler)
log.setLevel(logging.DEBUG)


def extra(req, **kw):
    e = {"request_id": req.id, **kw}
    if req.user:
        e["user_id"] = req.user
    return e


class Hooks:
    def start(self, req):
        log.info("request started", extra=extra(req, method=req.method, path=req.path))

    def debug(self, req, msg, **kw):
        log.debug(msg, extra=extra(req, **kw))

    def warn(self, req, msg, **kw):
        log.warning(msg, extra=extra(req, **kw))

    def error(self, req, msg):
        log.error(msg, exc_info=True, extra=extra(req))

    def done(self, req, status, ms):
        log.log(logging.ERROR if status >= 500 else logging.INFO, "request finished",
                extra=extra(req, method=req.method, path=req.path, status=status, duration_ms=ms))


log.info("server listening", extra={"port": 8000})
server.run(Hooks(), ["9f86d081884c7d65", "60303ae22b998861", "fd61a03af4f77d87", "a4e624d686e03ed2"])
