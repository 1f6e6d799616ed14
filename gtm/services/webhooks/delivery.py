"""Delivering an event: sign it (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature), send it
through gtm.webhook_http, and keep every try. A delivery keeps its event id on every try and on a redelivery,
so a receiver that saw it already can drop the repeat; a delivery already made is never sent again by a retry.
"""
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from standardwebhooks import Webhook

from ... import webhook_http
from ...extensions import db
from ...models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .. import paging
from ..errors import Conflict, NotFound
from .endpoints import get, require_owner
from .events import TEST_EVENT, enqueue_after_commit, new_event_id, payload

EXCERPT_CHARS = 1024
SHOWN = 20


def signed_headers(secret: str, event_id: str, body: str, at: datetime | None = None) -> dict[str, str]:
    """The Standard Webhooks headers for `body`, signed with the endpoint's secret at `at` (now)."""
    at = at or datetime.now(timezone.utc)
    return {"webhook-id": event_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(event_id, at, body)}


def body_of(delivery: WebhookDelivery) -> str:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))


def deliver(delivery_id: int, *, last_try: bool) -> bool:
    """Make one try of a delivery (the job's work); return True when no retry is wanted: delivered, refused
    for its address, gone, or this was the last try. A delivery already made, or waiting while its endpoint
    is paused, is not sent."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status == "delivered":
        return True
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint.paused and delivery.event != TEST_EVENT:
        return True  # resuming the endpoint enqueues it again
    url, body = endpoint.url, body_of(delivery)
    headers = signed_headers(endpoint.secret, delivery.event_id, body)
    # Nothing holds a database transaction while the receiver answers.
    db.session.commit()
    outcome = webhook_http.post(url, body.encode(), headers)

    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # its endpoint was removed meanwhile
        return True
    now = datetime.now(timezone.utc)
    delivery.attempts += 1
    db.session.add(WebhookAttempt(delivery_id=delivery.id, number=delivery.attempts, at=now, ok=outcome.ok,
                                  response_code=outcome.status, response_excerpt=outcome.excerpt[:EXCERPT_CHARS],
                                  error=outcome.error, duration_ms=outcome.duration_ms))
    delivery.last_attempt_at, delivery.response_code = now, outcome.status
    done = outcome.ok or outcome.refused or last_try
    if outcome.ok:
        delivery.status, delivery.delivered_at = "delivered", now
    elif delivery.status != "delivered":
        delivery.status = "failed" if done else "pending"
    db.session.commit()
    return done


def _delivery(workspace_id: int, endpoint_id, delivery_id) -> WebhookDelivery:
    endpoint = get(workspace_id, endpoint_id)
    delivery = db.session.get(WebhookDelivery, delivery_id) if isinstance(delivery_id, int) else None
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound("No such delivery of this webhook.")
    return delivery


def redeliver(workspace_id: int, actor_id: int, endpoint_id, delivery_id) -> WebhookDelivery:
    """Send a delivery again, with its event id, whatever became of it (owners only)."""
    require_owner(workspace_id, actor_id)
    delivery = _delivery(workspace_id, endpoint_id, delivery_id)
    if delivery.endpoint.paused and delivery.event != TEST_EVENT:
        raise Conflict("This webhook is paused: resume it to send its events again.")
    delivery.status, delivery.delivered_at = "pending", None
    enqueue_after_commit(delivery)
    db.session.commit()
    return delivery


def send_test(workspace_id: int, actor_id: int, endpoint_id) -> WebhookDelivery:
    """Send a `webhook.test` event to an endpoint, delivered and logged like the others (owners only)."""
    require_owner(workspace_id, actor_id)
    endpoint = get(workspace_id, endpoint_id)
    body = payload(TEST_EVENT, workspace_id, None, {"webhook": {"id": str(endpoint.id), "url": endpoint.url,
                                                                "events": list(endpoint.events or [])}})
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=new_event_id(), event=TEST_EVENT, payload=body)
    db.session.add(delivery)
    enqueue_after_commit(delivery)
    db.session.commit()
    return delivery


@dataclass
class Log:
    """A page of an endpoint's deliveries, newest first, each with its tries (oldest first)."""

    endpoint: WebhookEndpoint
    deliveries: paging.Page[WebhookDelivery]
    tries: dict[int, list[WebhookAttempt]]

    def tries_of(self, delivery: WebhookDelivery) -> list[WebhookAttempt]:
        return self.tries.get(delivery.id, [])


def delivery_log(workspace_id: int, endpoint_id, before=None, limit=None, *, size: int | None = None) -> Log:
    """A page of the endpoint's deliveries, newest first (those before the cursor `before`), with their tries."""
    endpoint = get(workspace_id, endpoint_id)
    before, size = paging.cursor(before), size or paging.limit(limit)
    rows = db.session.scalars(paging.keyset(select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id), WebhookDelivery.id, before, size)).all()
    found = paging.page_of(rows, size, before, lambda delivery: delivery.id)
    tries: dict[int, list[WebhookAttempt]] = {}
    if found:
        for attempt in db.session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(
                [d.id for d in found])).order_by(WebhookAttempt.delivery_id, WebhookAttempt.number)):
            tries.setdefault(attempt.delivery_id, []).append(attempt)
    return Log(endpoint, found, tries)
