"""eliot: the client's task id arrives in the X-Eliot-Task-Id header (eliot's
cross-process tracing, Action.continue_task), so every message of a request
carries the caller's task_uuid; the request is an action, the error a
write_traceback() message (eliot has no levels)."""
import contextlib
import sys

from eliot import Action, log_message, start_action, to_file, write_traceback

import shop

to_file(sys.stdout)


class Hooks:
    def startup(self, msg, **f):
        log_message(message_type="orders:startup", service=shop.SERVICE, message=msg, **f)

    @contextlib.contextmanager
    def request(self, rid, environ):
        with Action.continue_task(task_id=environ["HTTP_X_ELIOT_TASK_ID"]):
            with start_action(action_type="orders:request", service=shop.SERVICE,
                              method=environ["REQUEST_METHOD"], path=environ["PATH_INFO"]):
                yield self

    def info(self, msg, **f):
        log_message(message_type="orders:" + msg.replace(" ", "_"), **{k: v for k, v in f.items() if v is not None})

    def exception(self, msg, **f):
        write_traceback()


# The caller's task: its uuid is the request id, at level /1 of its task.
shop.run("eliot", Hooks(), headers=lambda i, rid: {"X-Eliot-Task-Id": f"{rid}@/1"})
