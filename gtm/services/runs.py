"""Runs: create and enqueue them, record their progress, and keep their status honest.

A run's status lives in the database. The RQ job behind it can vanish (its worker was killed,
Redis was restarted), so reading an unfinished run reconciles it with RQ: a job that RQ gave up
on fails the run with a reason, and a job RQ re-queued puts the run back to queued.
"""
import logging
import re
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import broker, queue
from ..extensions import db
from ..models import Run, RunStatus
from ..models._base import utcnow
from .errors import Conflict, NotFound, Unavailable

log = logging.getLogger(__name__)

MISSING_GRACE = timedelta(seconds=30)
LOST = ("The worker stopped while working on this (it was restarted, or ran out of memory or time). "
        "Nothing half-made was saved. Retry to run it again.")


def active_key(campaign_id: int | None, kind: str, subject: str) -> str:
    return f"{campaign_id}:{kind}:{subject}"


def in_flight(campaign_id: int, kind: str, subject: str = "") -> Run | None:
    return db.session.scalar(select(Run).where(Run.active_key == active_key(campaign_id, kind, subject)))


def latest(campaign_id: int, kind: str, subject: str = "") -> Run | None:
    """Return the newest run for this subject, finished or not."""
    return db.session.scalar(
        select(Run).where(Run.campaign_id == campaign_id, Run.kind == kind, Run.subject == subject)
        .order_by(Run.id.desc()).limit(1)
    )


def create(*, workspace_id: int, campaign_id: int | None, kind: str, subject: str = "", params: dict | None = None,
           total: int = 1, job: str | None = None, llm_calls: int = 1, parent_id: int | None = None,
           busy_message: str = "This is already being generated; wait for it to finish.") -> Run:
    """Create a run and enqueue its job; a second run for the same subject while one is in flight is a Conflict."""
    run = Run(workspace_id=workspace_id, campaign_id=campaign_id, kind=kind, subject=subject, params=params or {},
              total=total, active_key=active_key(campaign_id, kind, subject), parent_id=parent_id,
              message="Waiting for a worker…")
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(busy_message) from exc
    if job:
        enqueue(run, job, llm_calls)
    return run


def enqueue(run: Run, job: str, llm_calls: int = 1) -> None:
    """Put the run's job on the queue; if Redis is down, fail the run and say so."""
    try:
        run.job_id = queue.enqueue(job, run.id, timeout=queue.job_timeout(current_app, llm_calls))
    except RedisError as exc:
        log.error("cannot enqueue run %s: %s", run.id, exc)
        _finish(run, RunStatus.failed, error="Background work is unavailable: Redis does not answer. "
                                             "Start gtm with `gtm run`, or check REDIS_URL.")
        raise Unavailable("Background work is unavailable right now: Redis does not answer. "
                          "Check that gtm's workers and Redis are running, then try again.") from exc
    db.session.commit()


def get(workspace_id: int, run_id: int) -> Run:
    """Return the workspace's run, reconciled with RQ."""
    run = db.session.get(Run, run_id)
    if run is None or run.workspace_id != workspace_id:
        raise NotFound("No such run.")
    return reconcile(run)


def reconcile(run: Run, now: float | None = None) -> Run:
    """Bring an unfinished run in line with what RQ knows about its job."""
    if run.finished or not run.job_id:
        return run
    if run.kind == "strategy" and run.params.get("planned"):
        # Once planned, a pipeline's own job is done; its post runs finish it, so ask them instead.
        from .strategy import settle_pipeline

        return settle_pipeline(run, now)
    try:
        state = queue.job_state(run.id, now=now)
    except RedisError:
        return run  # say nothing new rather than guess while Redis is away
    db.session.refresh(run)  # the job may have finished between our two reads
    if run.finished:
        return run
    if state == "failed" or (state == "finished"):
        _finish(run, RunStatus.failed, error=LOST)
        db.session.commit()
    elif state == "missing" and utcnow() - run.created_at > MISSING_GRACE:
        _finish(run, RunStatus.failed, error="The background job was lost (Redis may have been restarted). "
                                             "Retry to run it again.")
        db.session.commit()
    elif state == "queued" and run.status == RunStatus.running.value:
        run.status = RunStatus.queued.value
        run.message = "Restarted after its worker stopped; waiting for a worker…"
        db.session.commit()
    return run


def start(run_id: int, message: str = "Starting…") -> Run | None:
    """Mark a run as running for a (possibly repeated) job; None when it has already finished.

    Changes the caller has already made in the session are committed in the same transaction.
    """
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        return None
    run.status = RunStatus.running.value
    run.attempts += 1
    run.started_at = run.started_at or utcnow()
    run.error = ""
    run.job_id = run.job_id or queue.current_job_id()
    run.message = message
    db.session.commit()
    return run


def progress(run_id: int, message: str, done: int | None = None, total: int | None = None) -> None:
    """Record progress on the run row, where pages read it."""
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        return
    run.message = message
    if done is not None:
        run.done = done
    if total is not None:
        run.total = total
    db.session.commit()


def record_usage(run: Run, result) -> None:
    """Add an LLM result's token usage and model to the run (the caller commits)."""
    run.tokens_in += result.tokens_in
    run.tokens_out += result.tokens_out
    run.provider = result.provider
    run.model = result.model


def succeed(run: Run, message: str = "Done") -> None:
    """Mark the run succeeded (the caller commits, with whatever the run produced)."""
    run.done = run.total
    _finish(run, RunStatus.succeeded, message=message)


def fail(run_id: int, error: str) -> None:
    """Mark a run failed with a readable reason, in its own transaction."""
    db.session.rollback()
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        return
    _finish(run, RunStatus.failed, error=error)
    db.session.commit()


def _finish(run: Run, status: RunStatus, *, error: str = "", message: str | None = None) -> None:
    run.status = status.value
    run.active_key = None
    run.error = error
    run.finished_at = utcnow()
    run.message = message if message is not None else ("Failed" if error else run.message)
    try:
        broker.clear_live_text(run.id)
    except RedisError:
        pass


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)(?:("\s*:)|"|\Z)')


def live_lines(run: Run, keep: int = 12) -> list[str]:
    """Return the readable text streamed so far: the string values of the partial JSON, not its syntax."""
    try:
        text = broker.live_text(run.id)
    except RedisError:
        return []
    lines = []
    for match in _STRING.finditer(text):
        if match.group(2):  # a key, not a value
            continue
        value = match.group(1).replace('\\"', '"').replace("\\n", " ").strip()
        if value:
            lines.append(value)
    return lines[-keep:]


def as_json(run: Run) -> dict:
    """Return the run in the API's shape."""
    return {
        "id": str(run.id),
        "kind": run.kind,
        "subject": run.subject,
        "status": run.status,
        "progress": {"done": run.done, "total": run.total},
        "message": run.message,
        "error": run.error or None,
        "tokens": {"in": run.tokens_in, "out": run.tokens_out},
        "provider": run.provider or None,
        "model": run.model or None,
        "parent_id": str(run.parent_id) if run.parent_id else None,
        "created_at": run.created_at.isoformat(),
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }
