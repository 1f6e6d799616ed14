"""Outbound webhooks: a workspace's endpoints, the events delivered to them, and every try."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import UTCDateTime, created_at

WEBHOOK_EVENTS = ("post.approved", "post.moved", "strategy.version_created", "alert.raised", "metrics.recorded")
# pending: waiting for its first or next try; delivered: a 2xx came back; failed: every try failed.
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookEndpoint(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    # The event types it wants, from WEBHOOK_EVENTS.
    events: Mapped[list] = mapped_column(JSON, default=list)
    # The Standard Webhooks signing secret (`whsec_` and base64). It signs every payload, so it is kept as
    # it is; the owner sees it once, when the endpoint is made.
    secret: Mapped[str] = mapped_column(String(100))
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at()


class WebhookDelivery(db.Model):
    """One event for one endpoint. `event_id` is the `webhook-id` header: the same on every try, so a
    receiver can drop a repeat."""

    __table_args__ = (UniqueConstraint("endpoint_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    response_code: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = created_at()
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(db.Model):
    """One try of a delivery: when, how it ended, and the first bytes of the answer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_delivery.id"), index=True)
    number: Mapped[int] = mapped_column()
    at: Mapped[datetime] = created_at()
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    response_code: Mapped[int | None] = mapped_column()
    # The first bytes of the receiver's answer, or why there was none (refused, timed out).
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(default=0)
