"""The API's webhooks: a workspace's endpoints that receive its events signed to the Standard Webhooks
specification (owners only): made (the secret answered once), listed, changed, paused, removed; each one's
deliveries with their tries, a delivery sent again, and a test event."""
from typing import Any, Literal

from pydantic import Field

from ...models import DELIVERY_STATUSES, WEBHOOK_EVENTS
from ...services import webhooks
from .answers import Answer, Attributes, Cursor, IdText, OrNull, Timestamp, answer, next_field
from .blueprint import bp, user, workspace
from .fields import Body, PageQuery, passed_on
from .parsing import documented

EVENTS_SCHEMA = {"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(WEBHOOK_EVENTS)},
                 "description": "The events to send: " + ", ".join(WEBHOOK_EVENTS)}
URL_SCHEMA = {"type": "string", "maxLength": webhooks.URL_MAX, "format": "uri",
              "description": "An http:// or https:// URL on a public address; redirects are not followed"}


class WebhookInput(Body):
    """An endpoint: where to send, and which events."""

    url: Any = passed_on(URL_SCHEMA)
    events: Any = passed_on(EVENTS_SCHEMA)


class WebhookChange(Body):
    """What to change of an endpoint; what is left out stays as it is."""

    url: Any = passed_on(URL_SCHEMA)
    events: Any = passed_on(EVENTS_SCHEMA)
    paused: Any = passed_on({"type": "boolean", "description": "A paused endpoint is sent nothing; resuming it "
                                                              "sends the deliveries that waited"})


class Webhook(Answer):
    """An endpoint (its secret is answered only when it is made)."""

    id: IdText
    url: str
    events: list[Literal[WEBHOOK_EVENTS]]
    paused: bool
    created_at: Timestamp
    last_status: Literal[DELIVERY_STATUSES] | None = Field(description="The newest delivery's status; null before "
                                                                       "the first")


class WebhookMade(Webhook):
    """The endpoint made, with its signing secret: keep it now, it is not shown again. Receivers verify each
    request's `webhook-signature` with it (any Standard Webhooks library)."""

    secret: str = Field(description="`whsec_` and base64: the Standard Webhooks signing secret")


class WebhookList(Answer):
    """The workspace's endpoints, oldest first."""

    webhooks: list[Webhook]


class Try(Answer):
    number: int
    at: Timestamp
    ok: bool
    response_code: int | None
    response_excerpt: str = Field(description="The first bytes of the receiver's answer")
    error: OrNull = Field(description="Why the try failed: the status, a timeout, a refused address")
    duration_ms: int


class Delivery(Answer):
    """One event for the endpoint, with every try."""

    id: IdText
    event: str = Field(description="The event type, or `webhook.test`")
    event_id: str = Field(description="The `webhook-id` header: the same on every try and redelivery")
    status: Literal[DELIVERY_STATUSES]
    attempts: int
    response_code: int | None = Field(description="The last try's HTTP status")
    at: Timestamp = Field(description="The last try, or when the event happened before any try")
    tries: list[Try] = Field(description="Oldest first")


class Deliveries(Answer):
    """A page of the endpoint's deliveries, newest first."""

    deliveries: list[Delivery]
    next: Cursor = next_field("older deliveries")

    @classmethod
    def of(cls, log: webhooks.Log) -> "Deliveries":
        return cls(next=log.deliveries.next, deliveries=[
            Attributes(d, at=d.last_attempt_at or d.created_at, tries=log.tries_of(d)) for d in log.deliveries])


class DeliveryAccepted(Answer):
    """The delivery was queued."""

    id: IdText
    event: str
    event_id: str
    status: Literal[DELIVERY_STATUSES]


def _listed(endpoint) -> Webhook:
    return Webhook.model_validate(Attributes(endpoint, last_status=getattr(endpoint, "last_status", None)))


@bp.post("/webhooks")
@documented({201: WebhookMade}, body=WebhookInput, errors=(403,))
def create_webhook(body: WebhookInput):
    """Add an endpoint (owners only); the answer holds its signing secret, shown only here."""
    endpoint = webhooks.create(workspace(), user().id, body.url, body.events)
    return answer(WebhookMade.model_validate(Attributes(endpoint, last_status=None)), 201)


@bp.get("/webhooks")
@documented({200: WebhookList})
def list_webhooks():
    """List the workspace's endpoints with their newest delivery's status."""
    return answer(WebhookList(webhooks=[_listed(found) for found in webhooks.endpoints(workspace())]))


@bp.patch("/webhooks/<int:webhook_id>")
@documented({200: Webhook}, body=WebhookChange, errors=(403,))
def change_webhook(webhook_id: int, body: WebhookChange):
    """Change an endpoint's URL or events, or pause or resume it."""
    endpoint = webhooks.change(workspace(), user().id, webhook_id, url=body.url, events=body.events,
                               paused=body.paused)
    return answer(_listed(endpoint))


@bp.delete("/webhooks/<int:webhook_id>")
@documented({204: None}, errors=(403,))
def delete_webhook(webhook_id: int):
    """Remove an endpoint and its delivery log; nothing more is sent to it."""
    webhooks.remove(workspace(), user().id, webhook_id)
    return "", 204


@bp.get("/webhooks/<int:webhook_id>/deliveries")
@documented({200: Deliveries}, query=PageQuery)
def webhook_deliveries(webhook_id: int, query: PageQuery):
    """The endpoint's deliveries, newest first, each with its tries."""
    return answer(Deliveries.of(webhooks.delivery_log(workspace(), webhook_id, query.before, query.limit)))


@bp.post("/webhooks/<int:webhook_id>/test")
@documented({202: DeliveryAccepted}, errors=(403,))
def test_webhook(webhook_id: int):
    """Send a `webhook.test` event to the endpoint, delivered and logged like the others."""
    return answer(DeliveryAccepted.model_validate(webhooks.send_test(workspace(), user().id, webhook_id)), 202)


@bp.post("/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver")
@documented({202: DeliveryAccepted}, errors=(403, 409))
def redeliver_webhook(webhook_id: int, delivery_id: int):
    """Send a delivery again with the same event id (a receiver that took it already can drop it)."""
    return answer(DeliveryAccepted.model_validate(
        webhooks.redeliver(workspace(), user().id, webhook_id, delivery_id)), 202)
