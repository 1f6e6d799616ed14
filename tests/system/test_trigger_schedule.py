"""The scheduled check of every campaign's triggers, run by RQ's scheduler inside a real `gtm worker`.

Metric rows are saved with metrics.save, which checks no trigger, so only the scheduled job can fire.
"""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from gtm.services import results
from gtm.services.results import metrics

from tests.kit.triggers import PHASE_2_CTR, alerts_of, phase, plan
from tests.kit.wait import wait_for


def test_the_scheduled_check_fires_once_in_a_real_worker(api, campaign, work, worker_process, tmp_path):
    posts = plan(api, campaign, work)
    results.create_trigger(campaign.workspace_id, campaign.id, dict(PHASE_2_CTR))
    yesterday: date = datetime.now(timezone.utc).date() - timedelta(days=1)
    rows = [metrics.Row(post.id, variant, yesterday, 1200, 3, 0, Decimal("0")) for post in phase(posts, 2)
            for variant in "AB"]
    assert metrics.save(campaign.id, rows) == len(rows)
    assert alerts_of(campaign.id) == []  # saving checks nothing

    worker_process(GTM_TRIGGER_CHECK_SECONDS="1")
    alert = wait_for(lambda: alerts_of(campaign.id), message="the scheduled check to raise the alert")[0]
    assert alert.evidence["sentence"].startswith("Phase 2 CTR is 0.2% (threshold 1%)")
    assert alert.evidence["totals"]["impressions"] == 1200 * len(rows)

    # The check keeps running on its schedule; running again on the same numbers raises nothing new.
    log = tmp_path / "worker-0.log"
    wait_for(lambda: log.read_text().count("trigger check: ") >= 3, message="two more scheduled checks")
    assert [a.id for a in alerts_of(campaign.id)] == [alert.id]
    assert "trigger check: 1 alert(s) raised" in log.read_text()


def test_a_worker_schedules_the_check_again_when_redis_comes_back_empty(app):
    """A restarted Redis has lost the scheduled check; the worker that waited for it schedules it again."""
    from rq.serializers import JSONSerializer

    from gtm import broker, queue

    connection = broker.connection(app)
    worker = queue.GtmWorker([queue._queue(app)], connection=connection, serializer=JSONSerializer)
    scheduled = queue.schedule_trigger_check(app)
    connection.flushdb()  # what a Redis restart leaves
    assert not connection.exists(f"rq:job:{scheduled}")

    worker._wait_for_redis()

    assert connection.exists(f"rq:job:{scheduled}")
