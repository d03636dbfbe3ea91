"""Logbook 1.5 records written as logbook's own JSON: a handler that emits
what its queue handlers (ZeroMQHandler, MessageQueueHandler) send,
json.dumps(record.to_dict(json_safe=True)): numeric logbook `level` (INFO 11,
WARNING 13, ERROR 14), `channel`, `msg` and `message`, the traceback in
`formatted_exception` with `exception_name`; the request id put into
`extra` by a logbook.Processor bound for the request's duration."""
import contextlib
import json
import sys

import logbook

import shop


class JSONHandler(logbook.Handler):
    def emit(self, record):
        sys.stdout.write(json.dumps(record.to_dict(json_safe=True)) + "\n")
        sys.stdout.flush()


JSONHandler(level="INFO").push_application()
log = logbook.Logger(shop.SERVICE)


class Hooks:
    warns = True

    def startup(self, msg, **f):
        log.info(msg, **f)

    @contextlib.contextmanager
    def request(self, rid, environ):
        def inject(record):
            record.extra["request_id"] = rid

        with logbook.Processor(inject).threadbound():
            yield self

    def info(self, msg, **f):
        log.info(msg, **f)

    def warning(self, msg, **f):
        log.warning(msg, **f)

    def exception(self, msg, **f):
        log.exception(msg, **f)


shop.run("logbook", Hooks())
