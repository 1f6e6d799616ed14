"""A workspace's webhook endpoints: made, listed, changed, paused and removed by owners. An endpoint has a URL,
the events it wants and a signing secret, shown once when it is made."""
import base64
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select

from ...extensions import db
from ...models import WEBHOOK_EVENTS, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .. import activity, roles, workspaces
from ..errors import Forbidden, Invalid, NotFound

URL_MAX = 2000
SECRET_BYTES = 24
EVENT_NAMES = {
    "post.approved": "A post is approved",
    "post.moved": "A post is moved on the calendar",
    "strategy.version_created": "A strategy version is made",
    "alert.raised": "A trigger raises an alert",
    "metrics.recorded": "Results are recorded",
}


def require_owner(workspace_id: int, actor_id: int | None) -> None:
    role = workspaces.role_of(actor_id, workspace_id) if actor_id is not None else None
    if not roles.can(role, "manage"):
        raise Forbidden(roles.refusal(role, "manage") if role else "You are not a member of this workspace.")


def check_url(url) -> str:
    """An http or https URL with a host, at most URL_MAX characters; Invalid naming `url` otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid({"url": "Enter the URL that receives the events, such as https://example.com/hooks/gtm."})
    url = url.strip()
    if len(url) > URL_MAX:
        raise Invalid({"url": f"The URL has at most {URL_MAX:,} characters (this has {len(url):,})."})
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise Invalid({"url": "The URL cannot contain spaces or control characters."})
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise Invalid({"url": "This is not a URL gtm can send to: check the host and the port."}) from None
    if parts.scheme not in ("http", "https"):
        raise Invalid({"url": "The URL must start with https:// (or http://)."})
    if not parts.hostname:
        raise Invalid({"url": "The URL must name a host, such as https://example.com/hooks/gtm."})
    if parts.fragment:
        raise Invalid({"url": "A URL with a #fragment cannot receive events: leave the fragment out."})
    return url


def check_events(events) -> list[str]:
    """A non-empty list of known events, in WEBHOOK_EVENTS' order; Invalid naming `events` otherwise."""
    if not isinstance(events, list) or not events:
        raise Invalid({"events": "Choose at least one event to send."})
    unknown = [str(name)[:60] for name in events if name not in WEBHOOK_EVENTS]
    if unknown:
        raise Invalid({"events": f"Unknown event {unknown[0]!r}: choose from {', '.join(WEBHOOK_EVENTS)}."})
    return [name for name in WEBHOOK_EVENTS if name in events]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


# The history's rows of webhooks link nowhere: everyone in the workspace reads the history, only owners the webhooks.
def create(workspace_id: int, actor_id: int, url, events) -> WebhookEndpoint:
    """Make an endpoint (owners only); its `secret` is for the caller to show once."""
    require_owner(workspace_id, actor_id)
    errors = {}
    try:
        url = check_url(url)
    except Invalid as exc:
        errors.update(exc.fields)
    try:
        events = check_events(events)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    endpoint = WebhookEndpoint(workspace_id=workspace_id, url=url, events=events, secret=new_secret(),
                               created_by_id=actor_id)
    db.session.add(endpoint)
    activity.record(workspace_id, "webhook_created", f"Added a webhook to {url} for {', '.join(events)}",
                    actor_id=actor_id, subject=endpoint)
    db.session.commit()
    return endpoint


def get(workspace_id: int, endpoint_id) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id) if isinstance(endpoint_id, int) else None
    if endpoint is None or endpoint.workspace_id != workspace_id:
        raise NotFound("No such webhook in this workspace.")
    return endpoint


@dataclass
class Listed:
    """An endpoint with the status of its newest delivery (None before the first)."""

    endpoint: WebhookEndpoint
    last_status: str | None
    last_at: object = None

    def __getattr__(self, name):
        return getattr(self.endpoint, name)


def endpoints(workspace_id: int) -> list[Listed]:
    """The workspace's endpoints, oldest first, each with its newest delivery's status."""
    found = list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace_id)
                                    .order_by(WebhookEndpoint.id)))
    newest = select(func.max(WebhookDelivery.id)).where(
        WebhookDelivery.endpoint_id.in_([e.id for e in found])).group_by(WebhookDelivery.endpoint_id)
    last = {d.endpoint_id: d for d in db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.id.in_(newest)))} if found else {}
    return [Listed(e, last[e.id].status if e.id in last else None,
                   (last[e.id].last_attempt_at or last[e.id].created_at) if e.id in last else None) for e in found]


def change(workspace_id: int, actor_id: int, endpoint_id, *, url=None, events=None, paused=None) -> WebhookEndpoint:
    """Change an endpoint's URL or events, or pause or resume it (owners only). Resuming sends what waited."""
    require_owner(workspace_id, actor_id)
    endpoint = get(workspace_id, endpoint_id)
    errors, said = {}, []
    if url is not None:
        try:
            url = check_url(url)
        except Invalid as exc:
            errors.update(exc.fields)
    if events is not None:
        try:
            events = check_events(events)
        except Invalid as exc:
            errors.update(exc.fields)
    if paused is not None and not isinstance(paused, bool):
        errors["paused"] = "Must be true or false."
    if errors:
        raise Invalid(errors)
    if url is not None and url != endpoint.url:
        said.append(f"its URL is now {url}")
        endpoint.url = url
    if events is not None and events != endpoint.events:
        said.append(f"it sends {', '.join(events)}")
        endpoint.events = events
    resumed = False
    if paused is not None and paused != endpoint.paused:
        said.append("paused" if paused else "resumed")
        endpoint.paused, resumed = paused, not paused
    if said:
        activity.record(workspace_id, "webhook_changed", f"Changed the webhook to {endpoint.url}: {'; '.join(said)}",
                        actor_id=actor_id, subject=endpoint)
    if resumed:
        from .events import enqueue_after_commit

        for delivery in db.session.scalars(select(WebhookDelivery).where(
                WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")):
            enqueue_after_commit(delivery)
    db.session.commit()
    return endpoint


def remove(workspace_id: int, actor_id: int, endpoint_id) -> str:
    """Remove an endpoint with its delivery log (owners only); return its URL. Nothing more is sent to it."""
    require_owner(workspace_id, actor_id)
    endpoint = get(workspace_id, endpoint_id)
    url = endpoint.url
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    db.session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    activity.record(workspace_id, "webhook_deleted", f"Removed the webhook to {url}", actor_id=actor_id,
                    subject=("webhook_endpoint", endpoint.id))
    db.session.delete(endpoint)
    db.session.commit()
    return url
