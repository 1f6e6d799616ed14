"""Events out: `emit` names an event in the transaction of the change it reports; when that transaction
commits, each subscribed, unpaused endpoint of the workspace gets a delivery (its own event id), saved in the
same commit, and the deliveries are enqueued once the commit is done. A change rolled back sends nothing.

The object is read when the transaction commits, after its last change (an approval's note cleared, an
alert's id given), so the payload says what was saved."""
import logging
import secrets
from datetime import datetime, timezone

from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ... import jobnames, queue
from ...extensions import db
from ...models import WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint
from .payloads import render

log = logging.getLogger(__name__)

TEST_EVENT = "webhook.test"
# Keys of Session.info: events named in this transaction; deliveries to enqueue once it commits.
PENDING = "gtm.webhooks.pending"
READY = "gtm.webhooks.ready"
# A try's job may take the receiver's timeout plus this much.
JOB_MARGIN = 30


def new_event_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def payload(event: str, workspace_id: int, campaign_id: int | None, data: dict, at: datetime | None = None) -> dict:
    return {"type": event, "timestamp": (at or datetime.now(timezone.utc)).isoformat(),
            "data": {"workspace_id": str(workspace_id), "campaign_id": str(campaign_id) if campaign_id else None,
                     **data}}


def emit(workspace_id: int, event: str, campaign_id: int | None, subject) -> None:
    """Send `event` about `subject` (a post, strategy version or alert row, or a dict of data) to the workspace's
    endpoints that want it, once the current transaction commits."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    db.session.info.setdefault(PENDING, []).append((workspace_id, event, campaign_id, subject))


def enqueue_after_commit(delivery: WebhookDelivery) -> None:
    """Enqueue a delivery's job once the current transaction commits (never for one rolled back)."""
    db.session.info.setdefault(READY, []).append(delivery)


@sa_event.listens_for(Session, "before_commit")
def _deliveries(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(PENDING):
        return
    pending = session.info.pop(PENDING)
    session.flush()
    now = datetime.now(timezone.utc)
    wanted: dict[int, list[WebhookEndpoint]] = {}
    for workspace_id, event, campaign_id, subject in pending:
        if workspace_id not in wanted:
            wanted[workspace_id] = list(session.scalars(select(WebhookEndpoint).where(
                WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.paused.is_(False))
                .order_by(WebhookEndpoint.id)))
        endpoints = [endpoint for endpoint in wanted[workspace_id] if event in (endpoint.events or [])]
        if not endpoints:
            continue
        body = payload(event, workspace_id, campaign_id, render(subject), now)
        for endpoint in endpoints:
            delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=new_event_id(), event=event, payload=body)
            session.add(delivery)
            session.info.setdefault(READY, []).append(delivery)


@sa_event.listens_for(Session, "after_commit")
def _enqueue(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for delivery in session.info.pop(READY, []):
        identity = inspect(delivery).identity
        if identity is None:
            continue
        try:
            enqueue(identity[0])
        except Exception as exc:  # noqa: BLE001 - the change is saved; the log offers Redeliver
            log.warning("webhook delivery %s: could not enqueue (%s); it stays pending", identity[0], exc)


@sa_event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(READY, None)


def enqueue(delivery_id: int) -> str:
    from flask import current_app

    config = current_app.config
    return queue.enqueue_delivery(jobnames.DELIVER_WEBHOOK, delivery_id, tuple(config["GTM_WEBHOOK_RETRY_INTERVALS"]),
                                  timeout=int(config["GTM_WEBHOOK_TIMEOUT"]) + JOB_MARGIN)
