"""RQ: the one module that enqueues jobs, inspects them and runs workers.

Jobs are enqueued by dotted path (so the web code never imports `jobs`), with the JSON
serializer and a job id derived from the run id.
"""
import contextlib
import gc
import logging
import os
import time
from datetime import datetime, timezone

import redis
from flask import Flask, current_app
from rq import Queue, Retry, Worker, get_current_job
from rq.defaults import DEFAULT_WORKER_TTL
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from . import broker, jobnames, metrics

log = logging.getLogger(__name__)

QUEUE_NAME = "gtm"


def job_id(run_id: int) -> str:
    return f"gtm-run-{run_id}"


def job_timeout(app: Flask, llm_calls: int) -> int:
    """Return a job timeout above the LLM's worst case for that many calls.

    Each call may be tried GTM_LLM_ATTEMPTS times at GTM_LLM_TIMEOUT each, with at most
    10 s of back-off between tries, and may need a length retry and a repair call.
    """
    per_call = app.config["GTM_LLM_ATTEMPTS"] * (app.config["GTM_LLM_TIMEOUT"] + 10)
    return int(llm_calls * 3 * per_call + 60)


def _queue(app: Flask | None = None) -> Queue:
    app = app or current_app._get_current_object()
    return Queue(QUEUE_NAME, connection=broker.connection(app), serializer=JSONSerializer)


def enqueue(func_path: str, run_id: int, *, timeout: int, at_front: bool = False) -> str:
    """Enqueue `func_path(run_id)` for a run and return the job id.

    `Retry(max=1)` makes RQ run the job once more when its worker dies under it; the jobs
    are idempotent, so a second run creates nothing twice.
    """
    job = _queue().enqueue(
        func_path,
        run_id,
        job_id=job_id(run_id),
        job_timeout=timeout,
        retry=Retry(max=1),
        result_ttl=3600,
        failure_ttl=7 * 86400,
        description=f"{func_path}({run_id})",
        at_front=at_front,
    )
    return job.id


# An email that could not be sent is tried again after these many seconds (the workers' scheduler runs it).
MAIL_RETRY_INTERVALS = (10, 60, 300)


def enqueue_mail(func_path: str, *args) -> str:
    """Enqueue an email job, `func_path(*args)`, tried again later when the mail server refuses or cannot be
    reached. Its arguments may hold a one-time link, so a failed job is kept one day, not a week."""
    job = _queue().enqueue(
        func_path,
        *args,
        job_timeout=120,
        retry=Retry(max=len(MAIL_RETRY_INTERVALS), interval=list(MAIL_RETRY_INTERVALS)),
        result_ttl=0,
        failure_ttl=86400,
        description=f"{func_path} #{args[0]}",
    )
    return job.id


def enqueue_delivery(func_path: str, delivery_id: int, intervals: tuple[int, ...], *, timeout: int) -> str:
    """Enqueue a webhook delivery, `func_path(delivery_id)`, tried again after each of `intervals` seconds while
    it fails (the workers' scheduler runs the retries). Redelivering enqueues another job for the same delivery;
    the job finds a delivery already made and sends nothing."""
    job = _queue().enqueue(
        func_path,
        delivery_id,
        job_timeout=timeout,
        retry=Retry(max=len(intervals), interval=list(intervals)) if intervals else None,
        result_ttl=0,
        failure_ttl=7 * 86400,
        description=f"{func_path}({delivery_id})",
    )
    return job.id


def retries_left() -> int | None:
    """How many more times RQ will run the current job if it fails (None outside a job)."""
    job = get_current_job()
    return (job.retries_left or 0) if job else None


def schedule_trigger_check(app: Flask | None = None) -> str:
    """Schedule the next check of every campaign's triggers with RQ's scheduler, which the workers run.

    Checks fall on the multiples of GTM_TRIGGER_CHECK_SECONDS. The job id names its slot, so every
    worker that starts, and each check as it ends, schedules the same next job once, never a second.
    """
    app = app or current_app._get_current_object()
    interval = app.config["GTM_TRIGGER_CHECK_SECONDS"]
    slot = int(time.time() // interval) + 1
    scheduled_id = f"gtm-check-triggers-{slot}"
    queue = _queue(app)
    if queue.connection.exists(Job.key_for(scheduled_id)):
        return scheduled_id
    queue.enqueue_at(datetime.fromtimestamp(slot * interval, timezone.utc), jobnames.CHECK_TRIGGERS, job_id=scheduled_id,
                     job_timeout=max(60, interval), result_ttl=max(60, 2 * interval), failure_ttl=7 * 86400,
                     description="check every campaign's triggers")
    return scheduled_id


def schedule_checks(app: Flask) -> bool:
    """Schedule the trigger check; False (and a warning) when Redis does not answer."""
    try:
        schedule_trigger_check(app)
        return True
    except REDIS_DOWN as exc:
        log.warning("cannot schedule the trigger check while Redis does not answer (%s)", exc)
        return False


def job_state(run_id: int, now: float | None = None) -> str:
    """Return the RQ status of a run's job: queued, started, finished, failed or missing.

    Abandoned jobs (their worker died and stopped sending heartbeats) are first moved to
    the failed registry, or re-queued when they have a retry left. `now` lets a caller ask
    "as of then", which tests use instead of waiting out the heartbeat.
    """
    queue = _queue()
    with _cleaning(queue.connection) as mine:
        if mine:
            StartedJobRegistry(queue=queue).cleanup(timestamp=now)
    try:
        job = Job.fetch(job_id(run_id), connection=queue.connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return "missing"
    status = job.get_status(refresh=False)
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
        return "queued"
    if status == JobStatus.STARTED:
        return "started"
    if status == JobStatus.FINISHED:
        return "finished"
    return "failed"


CLEANING_KEY = "gtm:cleaning-started-jobs"


@contextlib.contextmanager
def _cleaning(connection: redis.Redis):
    """Let one caller at a time give up abandoned jobs; the others skip it (True for the one that cleans).

    RQ's cleanup reads the expired jobs and then re-queues them, not atomically: two callers at once
    would both re-queue a job, and two workers would then run it together. Every page that reads an
    unfinished run cleans up, so callers do meet."""
    token = os.urandom(8).hex()
    mine = bool(connection.set(CLEANING_KEY, token, nx=True, ex=30))
    try:
        yield mine
    finally:
        if mine and connection.get(CLEANING_KEY) == token.encode():
            connection.delete(CLEANING_KEY)


def job_exists(run_id: int) -> bool:
    """Return True when RQ holds a job for the run, in any state."""
    return bool(_queue().connection.exists(Job.key_for(job_id(run_id))))


def live_workers(app: Flask | None = None, now: float | None = None) -> int:
    """Workers registered on the queue whose last heartbeat is recent: within RQ's worker TTL and the minute it
    adds (an idle worker beats once per TTL, a busy one every GTM_WORKER_HEARTBEAT). `now` asks "as of then"."""
    horizon = (now or time.time()) - DEFAULT_WORKER_TTL - 60
    return sum(1 for w in Worker.all(queue=_queue(app)) if w.last_heartbeat and w.last_heartbeat.timestamp() >= horizon)


def waiting(app: Flask | None = None, now: float | None = None) -> dict[str, tuple[int, float]]:
    """Each queue's name with its count of waiting jobs and the age in seconds of the oldest (0 when none waits)."""
    queue = _queue(app)
    oldest = next(iter(queue.get_jobs(0, 1)), None)
    age = (now or time.time()) - oldest.enqueued_at.timestamp() if oldest and oldest.enqueued_at else 0.0
    return {queue.name: (queue.count, max(0.0, age))}


def current_job_id() -> str | None:
    job = get_current_job()
    return job.id if job else None


class JobIdFilter(logging.Filter):
    """Put the current RQ job id on every log record as `job_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.job_id = current_job_id() or "-"
        return True


class QuickCommands:
    """A worker that listens on its command channel with a short poll, so it stops in moments.

    RQ polls that channel with a 60 s wait. When the reply to its unsubscribe arrives before it stops
    the polling thread, redis-py's PubSub waits those 60 s for a new subscription before the thread can
    end, and the worker waits for the thread: a worker asked to stop would take up to a minute."""

    def subscribe(self):
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=0.1, daemon=True,
                                                       exception_handler=self._pubsub_exception_handler)


def lost_after(interval: int) -> int:
    """Seconds past a missed heartbeat after which a busy worker's job is taken for abandoned."""
    return max(3 * interval, 10)


REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class GtmWorker(QuickCommands, Worker):
    """RQ's forking worker, with a shorter wait before a dead worker's job is given up, and a Redis restart
    survived while a job runs.

    RQ keeps a started job for its last heartbeat's interval plus 60 s; the job of a worker that died with
    it (SIGKILL, the OOM killer, a lost machine) is retried or failed only after that. Here the margin is
    `lost_after(GTM_WORKER_HEARTBEAT)`: about three missed heartbeats.

    RQ's worker quits when Redis does not answer while it watches a job, and leaves the work horse running
    alone. Here a heartbeat that cannot reach Redis is skipped, and when the bookkeeping around a job fails
    the same way the worker lets its horse finish (the job records its outcome in the database itself),
    waits for Redis to answer again, and takes the next job. Whatever Redis lost, reading a run reconciles."""

    def get_heartbeat_ttl(self, job: Job) -> int:
        return super().get_heartbeat_ttl(job) - 60 + lost_after(self.job_monitoring_interval)

    def maintain_heartbeats(self, job: Job) -> None:
        try:
            super().maintain_heartbeats(job)
        except REDIS_DOWN as exc:
            log.warning("worker %s: heartbeat for job %s skipped, Redis does not answer: %s", self.name, job.id, exc)

    def set_current_job_working_time(self, current_job_working_time: float, pipeline=None) -> None:
        try:
            super().set_current_job_working_time(current_job_working_time, pipeline=pipeline)
        except REDIS_DOWN:
            self.current_job_working_time = current_job_working_time

    def execute_job(self, job: Job, queue: Queue) -> None:
        try:
            super().execute_job(job, queue)
        except REDIS_DOWN as exc:
            log.warning("worker %s: lost Redis around job %s (%s); waiting for it to come back", self.name, job.id,
                        exc)
            if self._horse_pid:
                try:
                    os.waitpid(self._horse_pid, 0)
                except ChildProcessError:
                    pass
                self._horse_pid = 0
            self._wait_for_redis()

    def clean_registries(self) -> None:
        """RQ's periodic clean-up, taking turns with the pages that give abandoned jobs up (see _cleaning)."""
        with _cleaning(self.connection) as mine:
            if mine:
                super().clean_registries()

    def _wait_for_redis(self) -> None:
        wait = 0.5
        while not self._stop_requested:
            try:
                self.connection.ping()
                break
            except REDIS_DOWN:
                time.sleep(wait)
                wait = min(wait * 2, 10)
        # Redis may have lost this worker's registration; without it `rq info` and the workers' count miss it.
        try:
            if not self.connection.sismember(self.redis_workers_keys, self.key):
                self.connection.delete(self.key)
                self.register_birth()
        except REDIS_DOWN:
            pass
        # A Redis that was restarted has lost the scheduled trigger check too.
        schedule_checks(current_app._get_current_object())


def run_worker(app: Flask, *, burst: bool = False, name: str | None = None) -> bool:
    """Run one RQ worker on the app's Redis inside an app context."""
    broker.check(app)
    with app.app_context():
        _prepare_for_forks(app)
        # Redis can go away between the check above and here (a restart): wait for it as a working worker does.
        while not schedule_checks(app):
            time.sleep(1)
        worker = GtmWorker(
            [_queue(app)],
            connection=broker.connection(app),
            serializer=JSONSerializer,
            name=name,
            job_monitoring_interval=app.config["GTM_WORKER_HEARTBEAT"],
        )
        return worker.work(burst=burst, logging_level=logging.getLevelName(logging.getLogger().level), with_scheduler=True)


def _prepare_for_forks(app: Flask) -> None:
    """Do once in the worker what every forked work horse would otherwise redo for each job."""
    import importlib

    from sqlalchemy.orm import configure_mappers

    from . import llm
    from .extensions import db

    engine = db.engine
    # Horses add their counts to their worker's metrics files rather than leave files of their own (gtm/metrics.py).
    metrics.count_as(os.getpid())
    # A forked work horse must not share its parent's pooled database connections; it opens its own.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    configure_mappers()
    llm.warm_up(app)
    for module in jobnames.modules():
        importlib.import_module(module)
    # Move everything built so far out of the collector's reach: otherwise the first collection in
    # each forked horse touches every inherited object and copies most of the parent's memory.
    gc.collect()
    gc.freeze()


def wait_for_workers(app: Flask, count: int, timeout: float = 20) -> bool:
    """Return True once `count` workers are registered on the queue."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(Worker.all(queue=_queue(app))) >= count:
            return True
        time.sleep(0.1)
    return False


def overview(shown: int, app: Flask | None = None) -> dict:
    """Every queue with its depth, every worker with its state and last heartbeat, and each queue's `shown`
    newest failed jobs, as plain values (for the administrators' jobs dashboard, services/jobs_dashboard.py)."""
    connection = broker.connection(app or current_app._get_current_object())
    found: dict = {"queues": [], "workers": [], "failed": []}
    for each in sorted(Queue.all(connection=connection, serializer=JSONSerializer) or [_queue(app)],
                       key=lambda q: q.name):
        failed = FailedJobRegistry(queue=each)
        found["queues"].append({"name": each.name, "queued": each.count, "started": each.started_job_registry.count,
                                "scheduled": each.scheduled_job_registry.count, "failed": failed.count})
        newest = failed.get_job_ids(0, shown - 1, desc=True)
        for job in filter(None, Job.fetch_many(newest, connection, JSONSerializer)):
            result = job.latest_result()
            found["failed"].append({"id": job.id, "queue": each.name, "description": job.description or job.id,
                                    "ended_at": job.ended_at, "error": result.exc_string if result else ""})
    for worker in sorted(Worker.all(connection=connection, serializer=JSONSerializer), key=lambda w: w.name):
        found["workers"].append({"name": worker.name, "state": str(worker.get_state()),
                                 "job": worker.get_current_job_id(), "queues": [q.name for q in worker.queues],
                                 "last_heartbeat": worker.last_heartbeat,
                                 "successes": worker.successful_job_count, "failures": worker.failed_job_count})
    return found


def settle_failed(job_id: str, requeue: bool) -> bool:
    """Put a failed job back at the end of its queue, or delete it; False when no failed job has this id."""
    try:
        job = Job.fetch(job_id, connection=_queue().connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return False
    registry = FailedJobRegistry(job.origin, connection=job.connection, serializer=JSONSerializer)
    if job_id not in registry:
        return False
    registry.requeue(job) if requeue else job.delete()
    return True
