"""Runs: create and enqueue them, record their progress, and keep their status honest.

A run's status lives in the database. The RQ job behind it can vanish (its worker was killed,
Redis was restarted), so reading an unfinished run reconciles it with RQ: a job that RQ gave up
on fails the run with a reason, and a job RQ re-queued puts the run back to queued. A parent run
(a strategy pipeline, say) hands its work to child runs; its progress and outcome are derived
from theirs. Every run's job id derives from its run id, so a run is found in RQ without one.
"""
import logging
import re
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import broker, metrics, queue
from ..extensions import db
from ..models import Run, RunStatus
from ..models.run import UNFINISHED
from ..models._base import utcnow
from . import activity
from .errors import Conflict, NotFound, Unavailable
from .labels import plan_lines

log = logging.getLogger(__name__)

MISSING_GRACE = timedelta(seconds=30)
LOST = ("The worker stopped while working on this (it was restarted, or ran out of memory or time). "
        "Nothing half-made was saved. Retry to run it again.")


# Kinds that share one slot: a plan, a regeneration, a restore and a follow-up all change the campaign's strategy,
# so only one of them may be in flight per campaign (its posts still being written count as in flight).
SLOTS = {"strategy": "strategy", "regenerate": "strategy", "restore": "strategy", "follow_up": "strategy"}


def active_key(campaign_id: int | None, kind: str, subject: str) -> str:
    return f"{campaign_id}:{SLOTS.get(kind, kind)}:{subject}"


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
    values = dict(workspace_id=workspace_id, campaign_id=campaign_id, kind=kind, subject=subject, params=params,
                  total=total, parent_id=parent_id)
    run = add(**values)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        # The slot's holder may be over in all but name: a pipeline whose last post has just been written,
        # or a job whose worker died. Bring it up to date before refusing, so a slot never outlives its work.
        holder = in_flight(campaign_id, kind, subject)
        if holder is not None and not reconcile(holder).finished:
            raise Conflict(busy_message) from exc
        run = add(**values)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            raise Conflict(busy_message) from exc
    if parent_id:
        settle(parent_id)  # a parent that had finished is at work again
    if job:
        enqueue(run, job, llm_calls)
    return run


def add(*, workspace_id: int, campaign_id: int | None, kind: str, subject: str = "", params: dict | None = None,
        total: int = 1, parent_id: int | None = None) -> Run:
    """Add a queued run to the session, to be committed with the caller's other changes and then enqueued.

    The run's `author_id` is the person the request acts for, so its job's changes are recorded as theirs."""
    params = dict(params or {})
    if activity.actor() is not None:
        params["author_id"] = activity.actor()
    run = Run(workspace_id=workspace_id, campaign_id=campaign_id, kind=kind, subject=subject, params=params,
              total=total, active_key=active_key(campaign_id, kind, subject), parent_id=parent_id,
              message="Waiting for a worker…")
    db.session.add(run)
    return run


def enqueue(run: Run, job: str, llm_calls: int = 1, *, commit: bool = True) -> None:
    """Put the run's job on the queue; if Redis is down, fail the run and say so."""
    try:
        run.job_id = queue.enqueue(job, run.id, timeout=queue.job_timeout(current_app, llm_calls))
    except RedisError as exc:
        log.error("cannot enqueue run %s: %s", run.id, exc)
        _finish(run, RunStatus.failed, error="Background work is unavailable: Redis does not answer. "
                                             "Start gtm with `gtm run`, or check REDIS_URL.")
        db.session.commit()
        raise Unavailable("Background work is unavailable right now: Redis does not answer. "
                          "Check that gtm's workers and Redis are running, then try again.") from exc
    if commit:
        db.session.commit()


def enqueue_children(parent_id: int, job: str, llm_calls: int = 1) -> None:
    """Enqueue the parent's queued child runs that RQ does not hold yet, in order (safe to call twice).

    The first workers start on the first children while this loop runs, so it commits once at the end.
    """
    children = db.session.scalars(select(Run).where(Run.parent_id == parent_id, Run.status == RunStatus.queued.value)
                                  .order_by(Run.id)).all()
    for child in children:
        try:
            if not queue.job_exists(child.id):
                enqueue(child, job, llm_calls, commit=False)
        except (Unavailable, RedisError):
            # The child is failed with the reason, or is failed by reconciling once its grace is over;
            # the others may still get through.
            continue
    db.session.commit()
    settle(parent_id)


def get(workspace_id: int, run_id: int) -> Run:
    """Return the workspace's run, reconciled with RQ."""
    run = db.session.get(Run, run_id)
    if run is None or run.workspace_id != workspace_id:
        raise NotFound("No such run.")
    return reconcile(run)


def reconcile(run: Run, now: float | None = None) -> Run:
    """Bring an unfinished run in line with what RQ knows about its job, or a parent with its children."""
    if run.finished:
        return run
    if db.session.scalar(select(Run.id).where(Run.parent_id == run.id).limit(1)) is not None:
        # A parent's own job ended when it handed over; its children finish it, so ask them instead.
        for child in db.session.scalars(select(Run).where(Run.parent_id == run.id, Run.status.in_(UNFINISHED))).all():
            reconcile(child, now)
        settle(run.id)
        db.session.refresh(run)
        return run
    try:
        state = queue.job_state(run.id, now=now)
    except RedisError:
        return run  # say nothing new rather than guess while Redis is away
    db.session.refresh(run)  # the job may have finished between our two reads
    if run.finished:
        return run
    if state in ("failed", "finished"):
        _finish(run, RunStatus.failed, error=LOST)
    elif state == "missing" and utcnow() - run.created_at > MISSING_GRACE:
        _finish(run, RunStatus.failed, error="The background job was lost (Redis was restarted, or did not answer "
                                             "when the job was handed over). Retry to run it again.")
    elif state == "queued" and run.status == RunStatus.running.value:
        run.status = RunStatus.queued.value
        run.message = "Restarted after its worker stopped; waiting for a worker…"
    else:
        return run
    db.session.commit()
    settle(run.parent_id)
    return run


def settle(parent_id: int | None) -> None:
    """Derive a parent run's progress and outcome from its children, and commit."""
    _settle(parent_id, reopen=True)
    db.session.commit()


def _settle(parent_id: int | None, *, reopen: bool = False) -> None:
    """Derive a parent run's progress and outcome from the latest child run of each subject (the caller commits).

    The parent finishes when every subject's latest run has, and fails when any of those failed.
    A retry is a new child run of the same subject: when it starts, a finished parent is at work
    again, and when it succeeds, the parent settles again.

    A child settles its parent in the transaction that finishes it, so nobody ever sees every post
    written while the pipeline still holds the campaign's slot. The parent's row is locked first
    (PostgreSQL; SQLite's single writer does the same), so two last children finishing at once
    cannot each see the other unfinished. Only a caller that commits on its own may `reopen` a
    finished parent, as that takes the slot again and may lose it to another run.
    """
    if not parent_id:
        return
    parent = db.session.get(Run, parent_id, populate_existing=True, with_for_update=True)
    if parent is None:
        return
    latest: dict[str, Run] = {}
    # Read the children afresh too: this session may hold some from before the parent's lock was taken (a page that
    # reconciled them first), and a child another process finished since would otherwise still look unfinished here,
    # putting a parent that process has just finished back to work.
    for child in db.session.scalars(select(Run).where(Run.parent_id == parent_id).order_by(Run.id)
                                    .execution_options(populate_existing=True)):
        latest[child.subject] = child
    if not latest:
        return
    total = len(latest)
    done = sum(child.finished for child in latest.values())
    failed = sum(child.status == RunStatus.failed.value for child in latest.values())
    unit = parent.params.get("unit", "item")
    if done < total:
        if parent.finished and (not reopen or not _reopen(parent)):
            parent = db.session.get(Run, parent_id)
        if not parent.finished:
            parent.message = f"Writing {unit} {done + 1} of {total}…"
    elif failed and parent.status != RunStatus.failed.value:
        _finish(parent, RunStatus.failed, error=f"{failed} of {total} {unit}s could not be written; the others are "
                                                "ready. Open a failed one to see why, and retry it.")
    elif not failed and parent.status != RunStatus.succeeded.value:
        _finish(parent, RunStatus.succeeded, message=f"Wrote all {total} {unit}s")
    parent.total, parent.done = total, done


def settle_parent_of(run_id: int) -> None:
    """Settle the parent of a run that has just finished, if it has one."""
    settle(db.session.scalar(select(Run.parent_id).where(Run.id == run_id)))


def _reopen(parent: Run) -> bool:
    """Put a finished parent back to work; False when another run of its subject is in flight."""
    parent.status, parent.error, parent.finished_at = RunStatus.running.value, "", None
    parent.active_key = active_key(parent.campaign_id, parent.kind, parent.subject)
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def start(run_id: int, message: str = "Starting…") -> Run | None:
    """Claim a run for this execution of its job and mark it running; None when there is nothing to do.

    That is when the run has finished, or when another execution of the same job claimed it at the same
    moment: RQ can hand one job to two workers (an abandoned job re-queued twice), and only one may work.
    The claim is a compare-and-set on the attempt count, so it holds on SQLite and PostgreSQL alike.
    Changes the caller has already made in the session are committed in the same transaction, or dropped
    with it when the claim is lost.
    """
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        db.session.rollback()
        return None
    claimed = db.session.execute(
        update(Run).where(Run.id == run_id, Run.attempts == run.attempts, Run.finished_at.is_(None))
        .values(attempts=Run.attempts + 1, status=RunStatus.running.value, error="", message=message,
                started_at=run.started_at or utcnow(), job_id=run.job_id or queue.current_job_id())
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        log.warning("run %s: another execution of its job has claimed it; this one stops", run_id)
        return None
    db.session.commit()
    db.session.refresh(run)
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
    db.session.info.setdefault(FINISHED, []).append((run.kind, status.value))
    run.status = status.value
    run.active_key = None
    run.error = error
    run.finished_at = utcnow()
    run.message = message if message is not None else ("Failed" if error else run.message)
    broker.live_text.clear(run.id)
    _settle(run.parent_id)


# Key of Session.info: the runs this transaction finished, by kind and outcome, counted once it commits (a
# transaction rolled back, or lost to a concurrent one, finished nothing).
FINISHED = "gtm.runs.finished"


@sa_event.listens_for(Session, "after_commit")
def _count_finished(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for kind, outcome in session.info.pop(FINISHED, []):
        metrics.run_finished(kind, outcome)


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_finished(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(FINISHED, None)


PLAN_KINDS = ("strategy", "regenerate")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)(?:("\s*:)|"|\Z)')


def live_lines(run: Run, keep: int = 12) -> list[str]:
    """Return the readable text streamed so far: the string values of the partial JSON, not its syntax; for a
    plan or a regeneration, its phases and posts by their labels (never a post's key or a channel's)."""
    try:
        text = broker.live_text.read(run.id)
    except RedisError:
        return []
    if run.kind in PLAN_KINDS:
        return plan_lines(text)[-keep:]
    lines = []
    for match in _STRING.finditer(text):
        if match.group(2):  # a key, not a value
            continue
        value = match.group(1).replace('\\"', '"').replace("\\n", " ").strip()
        if value:
            lines.append(value)
    return lines[-keep:]


