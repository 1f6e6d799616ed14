"""The calendar feed: a campaign's secret ICS address for calendar apps, made, replaced and turned off by owners
and editors (the panel the calendar page loads, or its page of its own without JavaScript), and the address
itself, /feeds/<token>.ics (authorization.PUBLIC).

The address answers without a log-in and the same to everyone: its view reads no session and no signed-in
person, so the answer sets no cookie, and a session cookie sent with it opens nothing more. An unknown or
revoked address answers the same plain 404. Calendar apps may ask again with If-None-Match (ETag); no cache
keeps the secret address's answer without asking, and it is rate limited per client address."""
import hashlib

from flask import Blueprint, current_app, flash, make_response, request
from flask_login import current_user, login_required

from ..extensions import limiter
from ..services import calendar_feed
from ..services.errors import NotFound
from .context import workspace_id
from .forms import submit
from .htmx import go, page
from .links import external

bp = Blueprint("feeds", __name__)

# Per client address: a calendar app fetches a feed every few minutes at most.
FEED_LIMIT = "60 per minute"


def base_url() -> str:
    """Where the feed's links lead: GTM_BASE_URL when set, else the address this request came to."""
    return current_app.config.get("GTM_BASE_URL") or request.host_url


def addresses(raw: str) -> dict[str, str]:
    """A new feed's address to copy: https (or http) for a browser or a calendar's "from URL", webcal to
    subscribe in one click."""
    url = external("feeds.feed", token=raw)
    return {"new_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@bp.get("/feeds/<token>.ics")
@limiter.limit(FEED_LIMIT)
def feed(token: str):
    """The campaign's current version as an ICS calendar, for whoever holds the address."""
    try:
        data = calendar_feed.ics_for_token(token, base_url())
    except NotFound as error:
        response = make_response(error.message + "\n", 404)
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
    else:
        response = make_response(data)
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
        response.set_etag(hashlib.sha256(data).hexdigest())
        response.make_conditional(request)
    # A calendar app asks again each time (the ETag spares it the body); nobody else keeps the answer.
    response.headers["Cache-Control"] = "no-cache, private"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def panel(campaign_id: int, status: int = 200, problem: str | None = None, **shown):
    """The campaign's feed: its page for a browser, the panel alone for htmx (the calendar page loads it)."""
    feed = calendar_feed.current(workspace_id(), campaign_id)
    response = page("feeds/show.html", "feeds/_panel.html", status=status, feed=feed, campaign=feed.campaign,
                    campaign_id=campaign_id, problem=problem, **shown)
    if shown.get("new_url"):
        response.headers["Cache-Control"] = "no-store"  # the address is shown once; no cache keeps it
    return response


@bp.get("/campaigns/<int:campaign_id>/feed")
@login_required
def show(campaign_id: int):
    """Whether the campaign has a feed, with Make a new address and Turn off for owners and editors."""
    return panel(campaign_id)


@bp.post("/campaigns/<int:campaign_id>/feed")
@login_required
def create(campaign_id: int):
    """Make a new address (the old one stops working): shown once, to copy."""
    return submit(lambda: calendar_feed.create(workspace_id(), campaign_id, current_user.id),
                  done=lambda raw: panel(campaign_id, 201, **addresses(raw)),
                  again=lambda status, errors, problem: panel(campaign_id, status, problem=problem))


@bp.post("/campaigns/<int:campaign_id>/feed/revoke")
@login_required
def revoke(campaign_id: int):
    """Turn the feed off: its address answers 404 from now on."""
    def revoked(_result):
        flash("The calendar feed is off: its address no longer works.")
        return go("feeds.show", campaign_id=campaign_id)
    return submit(lambda: calendar_feed.revoke(workspace_id(), campaign_id, current_user.id), done=revoked,
                  again=lambda status, errors, problem: panel(campaign_id, status, problem=problem))
