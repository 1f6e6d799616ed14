"""The job that delivers a webhook event: one try per run. A try that fails raises, and RQ runs the job again
after the next of GTM_WEBHOOK_RETRY_INTERVALS (gtm.queue.enqueue_delivery); after the last try the delivery
is marked failed. A delivery already made is not sent again."""
import logging

from gtm import queue
from gtm.extensions import db
from gtm.services import webhooks

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The receiver did not take the event this time; RQ tries again later."""


def deliver_webhook(delivery_id: int) -> None:
    try:
        left = queue.retries_left()
        if not webhooks.deliver(int(delivery_id), last_try=not left):
            raise DeliveryFailed(f"webhook delivery {delivery_id}: not delivered, {left} more tries")
    finally:
        db.session.remove()
