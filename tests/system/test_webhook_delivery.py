"""A webhook event delivered by a real `gtm worker`, whose RQ scheduler runs the retries, to a real receiver on
loopback that verifies each signature with the standardwebhooks library: down for three tries, it gets the
event on the fourth, once."""
from gtm.extensions import db
from gtm.models import WebhookAttempt, WebhookDelivery
from gtm.services import strategy, webhooks

from tests.kit import jobs
from tests.kit.strategy import plan_and_write
from tests.kit.wait import wait_for
from tests.kit.webhook_receiver import Receiver


def delivered() -> WebhookDelivery | None:
    db.session.rollback()
    return db.session.scalar(db.select(WebhookDelivery).where(WebhookDelivery.status == "delivered"))


def test_an_event_approved_while_the_receiver_is_down_arrives_once_signed(api, campaign, user, work, worker_process):
    nodes = plan_and_write(api, campaign, work)
    post_id = int(nodes["phases"][0]["posts"][0]["id"])
    endpoint = webhooks.create(user.workspace_id, user.id, "http://127.0.0.1:9/hooks", ["post.approved"])
    with Receiver(endpoint.secret) as receiver:
        webhooks.change(user.workspace_id, user.id, endpoint.id, url=receiver.url)
        receiver.down_for = 3
        worker_process()
        strategy.approve_post(user.workspace_id, campaign.id, post_id, actor_id=user.id)

        wait_for(lambda: receiver.events, timeout=60, message="the event to arrive after three failed tries")
        # The receiver has the event a moment before the worker records it: each look ends its transaction,
        # so it reads what the worker committed since, not the snapshot of its first look.
        delivery = wait_for(lambda: delivered(), message="the delivery marked")
        # Nothing is left to try again: the receiver took it once.
        scheduled = jobs.rq_queue(api.app).scheduled_job_registry.get_job_ids()
        assert [job for job in scheduled if not job.startswith("gtm-check-triggers")] == []
        assert receiver.ids == [delivery.event_id] and receiver.unverified == 0 and receiver.requests == 4

    event = receiver.events[0]
    assert event["type"] == "post.approved"
    assert event["data"]["post"]["id"] == str(post_id) and event["data"]["post"]["approved"] is True
    assert event["data"]["campaign_id"] == str(campaign.id)
    assert event["data"]["workspace_id"] == str(user.workspace_id)
    tries = db.session.scalars(db.select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
                               .order_by(WebhookAttempt.number)).all()
    assert [(t.number, t.ok, t.response_code) for t in tries] == [(1, False, 503), (2, False, 503), (3, False, 503),
                                                                   (4, True, 200)]
    assert tries[0].response_excerpt == "receiver down for maintenance" and tries[0].error == "Answered 503."
    assert delivery.attempts == 4 and delivery.response_code == 200
