"""Real `gtm worker` processes: jobs run there, log their job id, posts are written in parallel by separate
workers, and a killed worker leaves no run stuck."""
import os
import signal
import time

import pytest

from gtm.extensions import db
from gtm.models import Run, StepVersion
from gtm.services import runs

from tests.kit.fake_openai import Reply
from tests.kit.plans import valid_plan
from tests.kit.processes import kill_worker_tree, work_horse
from tests.kit.statements import statements_of
from tests.kit.strategy import answer_plans_with
from tests.kit.wait import wait_for
from tests.kit.workflow import VALID


pytestmark = pytest.mark.llm("openai")


def run_status(run_id):
    db.session.expire_all()
    return db.session.get(Run, run_id).status


def start_generation(api, campaign):
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    assert status == 202
    return int(body["run_id"])


def test_a_separate_worker_process_runs_the_job_and_logs_its_id(api, campaign, worker_process, fake_openai, tmp_path):
    worker_process()
    run_id = start_generation(api, campaign)
    wait_for(lambda: run_status(run_id) == "succeeded", message="the run to succeed")
    assert StepVersion.query.one().run_id == run_id
    log = (tmp_path / "worker-0.log").read_text()
    assert f"[job gtm-run-{run_id}] jobs._runtime: run {run_id}: generate_step started" in log


def test_a_killed_work_horse_is_retried_by_its_worker(api, campaign, worker_process, fake_openai):
    fake_openai.script(Reply.json(VALID, delay=30))
    worker = worker_process()
    run_id = start_generation(api, campaign)
    wait_for(lambda: len(fake_openai.chat_requests) == 1, message="the model call")
    horse = wait_for(lambda: work_horse(worker.pid), message="the work horse")
    os.kill(horse, signal.SIGKILL)
    # RQ's worker notices its horse died and re-queues the job (it has a retry left); it then succeeds.
    wait_for(lambda: run_status(run_id) == "succeeded", timeout=30, message="the retried run to succeed")
    run = db.session.get(Run, run_id)
    assert run.attempts == 2
    assert StepVersion.query.count() == 1


def test_a_killed_worker_leaves_no_run_stuck_as_running(api, campaign, worker_process, fake_openai, app):
    fake_openai.script(Reply.json(VALID, delay=30), Reply.json(VALID, delay=30))
    worker = worker_process()
    run_id = start_generation(api, campaign)
    wait_for(lambda: run_status(run_id) == "running" and len(fake_openai.chat_requests) == 1, message="running")
    kill_worker_tree(worker)

    # Nothing heartbeats for the job any more. Once its heartbeat has expired, the next look at the run
    # re-queues the job, because it has a retry left. Ask "as of three minutes from now" instead of waiting.
    later = time.time() + 180
    run = runs.reconcile(db.session.get(Run, run_id), now=later)
    assert run.status == "queued" and "Restarted" in run.message

    second = worker_process()
    wait_for(lambda: len(fake_openai.chat_requests) == 2 and run_status(run_id) == "running", message="rerun")
    kill_worker_tree(second)

    # Killed again: no retries left, so the run fails with a reason and can be retried by hand.
    run = runs.reconcile(db.session.get(Run, run_id), now=time.time() + 180)
    assert run.status == "failed" and "worker stopped" in run.error and "Retry" in run.error
    assert run.active_key is None
    assert StepVersion.query.count() == 0
    status, body = api.get(f"/api/runs/{run_id}")
    assert body["status"] == "failed"


def test_a_dead_workers_job_is_given_up_after_a_few_missed_heartbeats(api, campaign, worker_process, fake_openai):
    fake_openai.script(Reply.json(VALID, delay=30), Reply.json(VALID))
    worker = worker_process(GTM_WORKER_HEARTBEAT="1")
    run_id = start_generation(api, campaign)
    wait_for(lambda: run_status(run_id) == "running" and len(fake_openai.chat_requests) == 1, message="running")
    kill_worker_tree(worker)

    # Nothing is faked here: the run is read as a page reads it, and RQ gives the job up once the dead
    # worker's heartbeat has lapsed, after lost_after(1) = 10 s more instead of RQ's own 60 s.
    wait_for(lambda: api.get(f"/api/runs/{run_id}")[1]["status"] == "queued", timeout=45, interval=0.5,
             message="the job to be given up and queued again")
    worker_process(GTM_WORKER_HEARTBEAT="1")
    wait_for(lambda: run_status(run_id) == "succeeded", timeout=30, message="the second attempt")
    assert db.session.get(Run, run_id).attempts == 2
    assert StepVersion.query.count() == 1


def test_a_killed_worker_during_a_regeneration_changes_nothing(api, campaign, work, worker_process, fake_openai):
    from tests.kit.plans import schema_name, valid_plan
    from tests.kit.strategy import plan_and_write, regenerate, snapshot

    fake_openai.responder = lambda body: Reply.json(valid_plan()) if schema_name(body) == "StrategyPlan" else None
    plan_and_write(api, campaign, work)
    before = snapshot(campaign.id)
    fake_openai.responder = None
    # The regeneration call never answers in time, and the worker dies while it waits, twice.
    fake_openai.script(Reply.json({}, delay=30), Reply.json({}, delay=30))
    calls = len(fake_openai.chat_requests)
    status, body = regenerate(api, campaign.id, 2)
    run_id = int(body["run_id"])
    for attempt in (1, 2):
        worker = worker_process()
        wait_for(lambda: run_status(run_id) == "running" and len(fake_openai.chat_requests) == calls + attempt,
                 message=f"attempt {attempt} running")
        kill_worker_tree(worker)
        run = runs.reconcile(db.session.get(Run, run_id), now=time.time() + 180)
    assert run.status == "failed" and "worker stopped" in run.error
    assert snapshot(campaign.id) == before
    # The slot is free: the marketer can start it again.
    assert regenerate(api, campaign.id, 2)[0] == 202


def test_two_executions_of_one_job_at_once_let_only_one_work(api, campaign, app, fake_openai):
    from jobs.steps import generate_step

    run_id = start_generation(api, campaign)
    # RQ handed the job to two workers at once. The other execution claims the run, writes and saves the
    # step between this one's read of the run and its claim, so this one finds the claim taken and stops.
    with statements_of(app, before=1, run=lambda: generate_step(run_id)):
        assert runs.start(run_id) is None
    db.session.expire_all()
    run = db.session.get(Run, run_id)
    assert (run.status, run.attempts) == ("succeeded", 1)
    assert StepVersion.query.count() == 1
    assert len(fake_openai.chat_requests) == 1


def test_abandoned_jobs_are_given_up_by_one_caller_at_a_time(app):
    from gtm import broker, queue

    # Pages and workers all give abandoned jobs up; two at once would re-queue a job twice.
    connection = broker.connection(app)
    with queue._cleaning(connection) as first, queue._cleaning(connection) as second:
        assert (first, second) == (True, False)
    with queue._cleaning(connection) as later:
        assert later


def test_posts_are_written_in_parallel_by_separate_workers(api, campaign, fake_openai, worker_process):
    answer_plans_with(fake_openai, valid_plan(sizes=(2, 2, 2)))
    # Each call takes a while, so one post is still being written when the other worker takes the next.
    fake_openai.latency = 0.6
    worker_process(count=2)
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202

    def finished():
        return api.get(f"/api/runs/{body['run_id']}")[1]["status"] in ("succeeded", "failed")

    wait_for(finished, timeout=60, interval=0.1, message="the pipeline to finish")
    status, run = api.get(f"/api/runs/{body['run_id']}")
    assert run["status"] == "succeeded", run
    assert run["progress"] == {"done": 6, "total": 6}

    # Proof of parallel work from what the runs recorded, not from how long the test took: two post
    # runs were in progress at the same moment (each started before the other finished).
    spans = [(c.started_at, c.finished_at) for c in Run.query.filter_by(kind="post").all()]
    assert len(spans) == 6 and all(start and end for start, end in spans), spans
    assert any(_overlap(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]), spans


def _overlap(a: tuple, b: tuple) -> bool:
    """True when the intervals a and b share a moment."""
    return a[0] < b[1] and b[0] < a[1]
