"""The access log without the noise of polls: unchanged polls (GET answered 204) are counted, not logged.

Pages poll while a run is unfinished, and every poll that finds nothing new is answered 204. Logged one
line each, they bury what happened. `UnchangedPolls` is a logging filter for the access loggers (gunicorn's
`gunicorn.access`, which `gtm run` and production use, and werkzeug's request log of the development
server): it drops each GET answered 204, and lets through at most once a minute, in place of one of them,
a summary line: "42 unchanged polls in the last minute". Every other line passes unchanged; a 204 to
another method (a DELETE, say) is an action and is logged. Each process counts its own polls.
"""
import logging
import threading
import time

ACCESS_LOGGERS = ("gunicorn.access", "werkzeug")
SUMMARY_EVERY = 60.0  # seconds


class UnchangedPolls(logging.Filter):
    """Drop access-log lines of unchanged polls; log how many there were, at most once every `every` seconds."""

    def __init__(self, every: float = SUMMARY_EVERY, clock=time.monotonic):
        super().__init__()
        self.every, self.clock = every, clock
        self.count = 0
        self.since: float | None = None
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not is_unchanged_poll(record):
            return True
        now = self.clock()
        with self.lock:
            if self.since is None:
                self.since = now
            self.count += 1
            if now - self.since < self.every:
                return False
            count, minutes = self.count, max(1, round((now - self.since) / 60))
            self.count, self.since = 0, now
        record.msg = "%d unchanged poll%s in the last %s"
        record.args = (count, "" if count == 1 else "s", "minute" if minutes == 1 else f"{minutes} minutes")
        return True


def is_unchanged_poll(record: logging.LogRecord) -> bool:
    """Whether an access-log record is a GET answered 204: gunicorn's (its atoms as the record's args) or
    werkzeug's (address, request line, status, size)."""
    args = record.args
    if isinstance(args, dict):
        method, status = args.get("m"), args.get("s")
    elif isinstance(args, tuple) and len(args) >= 3 and isinstance(args[1], str):
        method, status = args[1].split(" ", 1)[0], args[2]
    else:
        return False
    return method == "GET" and str(getattr(status, "value", status)) == "204"


def install() -> None:
    """Put the filter on the access loggers once per process (create_app may run more than once)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, UnchangedPolls) for existing in logger.filters):
            logger.addFilter(UnchangedPolls())
