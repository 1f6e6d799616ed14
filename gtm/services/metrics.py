"""What /metrics reads at scrape time rather than counts as it happens: the queue, the workers, and the webhook
deliveries the database holds. The counts of work done are in gtm/metrics.py."""
import logging

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from .. import queue
from ..extensions import db
from ..models.webhook import DELIVERY_STATUSES, WebhookDelivery

log = logging.getLogger(__name__)


class StateCollector:
    """A Prometheus collector that asks Redis (through gtm.queue) and the database on each scrape. A part that
    does not answer leaves its metrics out of that scrape; /readyz says which part is away."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        with self.app.app_context():
            yield from self._queues()
            yield from self._deliveries()

    def _queues(self):
        try:
            waiting, alive = queue.waiting(self.app), queue.live_workers(self.app)
        except (RedisError, OSError) as exc:
            log.warning("metrics: Redis does not answer, the queue is left out: %s", exc)
            return
        depth = GaugeMetricFamily("gtm_queue_depth", "Jobs waiting in each queue.", labels=["queue"])
        age = GaugeMetricFamily("gtm_queue_oldest_age_seconds",
                                "Seconds the oldest waiting job of each queue has waited (0 when none waits).",
                                labels=["queue"])
        for name, (count, seconds) in waiting.items():
            depth.add_metric([name], count)
            age.add_metric([name], seconds)
        yield depth
        yield age
        yield GaugeMetricFamily("gtm_workers_alive", "Workers whose last heartbeat is recent.", value=alive)

    def _deliveries(self):
        try:
            counts = dict(db.session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)).all())
        except SQLAlchemyError as exc:
            log.warning("metrics: the database does not answer, webhook deliveries are left out: %s", exc)
            db.session.rollback()
            return
        finally:
            db.session.remove()
        family = GaugeMetricFamily("gtm_webhook_deliveries",
                                   "Webhook deliveries by status: pending (waiting for a try), delivered, failed.",
                                   labels=["status"])
        for status in DELIVERY_STATUSES:
            family.add_metric([status], counts.get(status, 0))
        yield family
