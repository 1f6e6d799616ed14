"""The jobs dashboard of the instance's administrators: the queues, the workers and the failed jobs, and a failed
job requeued or deleted. It reads RQ through gtm.queue only; who may see it is gtm/web/authorization.py's."""
from dataclasses import dataclass, field
import re
from datetime import datetime, timezone

from redis.exceptions import RedisError

from .. import queue
from .errors import Invalid, NotFound, Unavailable

# The lines of an error shown at once; the whole traceback is one click away, cut at this many lines.
ERROR_LINES = 3
TRACEBACK_LINES = 60
JOB_ID_MAX = 200
FAILED_SHOWN = 50  # of each queue, newest first
# "ValueError: ...", "rq.timeouts.JobTimeoutException: ...", "KeyError" alone: the line that names the exception.
EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(:\s|:?$)")
DOWN = ("Redis does not answer, so the queues cannot be read. Check that gtm's Redis is running (`gtm run` starts "
        "it) or that REDIS_URL names one, then reload this page.")


@dataclass
class Overview:
    queues: list[dict] = field(default_factory=list)
    workers: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    shown: int = FAILED_SHOWN


def error_summary(exc_string: str) -> tuple[str, str]:
    """The error of a failed job as (its first lines, its traceback): the exception's own message comes first,
    since a Python traceback names the error on its last line."""
    lines = (exc_string or "").rstrip().splitlines()
    if not lines:
        return "No error was recorded (the job may have been stopped or timed out).", ""
    named = [n for n, line in enumerate(lines) if EXCEPTION_LINE.match(line) and not line.startswith("Traceback")]
    start = named[-1] if named else len(lines) - 1
    summary = "\n".join(lines[start:start + ERROR_LINES])
    return summary, "\n".join(lines[-TRACEBACK_LINES:])


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))).total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago" if seconds < 86400 else f"{seconds // 86400} days ago"


def overview() -> Overview:
    """Every queue with its depth, every worker with its state and last heartbeat, the newest failed jobs."""
    try:
        found = queue.overview(FAILED_SHOWN)
    except RedisError as exc:
        raise Unavailable(DOWN) from exc
    now = datetime.now(timezone.utc)
    for worker in found["workers"]:
        worker["heartbeat_ago"] = _ago(worker["last_heartbeat"], now)
    for job in found["failed"]:
        job["summary"], job["traceback"] = error_summary(job["error"])
        job["ended_ago"] = _ago(job["ended_at"], now)
    found["failed"].sort(key=lambda job: job["ended_at"] or now, reverse=True)
    return Overview(**found)


def _job_id(raw) -> str:
    job_id = raw.strip() if isinstance(raw, str) else ""
    if not job_id or len(job_id) > JOB_ID_MAX:
        message = "Name the failed job by its id."
        raise Invalid({"job_id": message}, message)
    return job_id


def requeue(raw_job_id) -> str:
    """Put a failed job back on its queue; NotFound when no failed job has that id (requeued or deleted since)."""
    return _settle(raw_job_id, requeue=True)


def delete(raw_job_id) -> str:
    """Delete a failed job; NotFound when no failed job has that id."""
    return _settle(raw_job_id, requeue=False)


def _settle(raw_job_id, requeue: bool) -> str:
    job_id = _job_id(raw_job_id)
    try:
        done = queue.settle_failed(job_id, requeue)
    except RedisError as exc:
        raise Unavailable(DOWN) from exc
    if not done:
        raise NotFound(f"No failed job has the id {job_id!r}: it was requeued or deleted already, or has expired.")
    return job_id
