"""The calendar feed: a secret address per campaign that calendar apps subscribe to, serving the campaign's
current strategy version as an ICS calendar. Whoever holds the address reads the posts' dates, titles, briefs
and headlines, and nothing else: it needs no log-in and answers the same to everyone.

Only a SHA-256 of the address's secret is kept. Making a new address replaces the old one, and revoking
deletes it, so the old address answers 404 at once, the same as an address that never existed. An archived
campaign's feed still answers; a deleted campaign's feed is deleted with it.

Each post is one all-day event under the UID the ICS export gives it (exports.uid), so a calendar updates an
event rather than adding another. Calendar apps keep the copy with the highest SEQUENCE, so it never goes
down for a UID: it is the post's own count of changes (`Post.sequence`, raised when it is moved, approved or
sent back, or rewritten) plus the campaign's current version number (raised by every plan, regeneration and
restore). An approved post is CONFIRMED, any other TENTATIVE.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import CalendarFeed, Campaign, User
from ..models._base import utcnow
from . import activity, campaigns, exports, roles, workspaces
from .errors import Conflict, Forbidden, NotFound
from .strategy.context import channel_names

GONE = "No such calendar feed: the address is wrong, or it was replaced or turned off."
TOKEN_MAX = 200  # a longer token is not one of ours, and is not hashed
REFRESH = timedelta(hours=1)  # how often calendar apps are asked to fetch the feed again


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_path(campaign_id: int) -> str:
    """The campaign's page of its calendar feed (for the activity history)."""
    return f"/campaigns/{campaign_id}/feed"


def _require_editor(workspace_id: int, actor_id: int) -> None:
    role = workspaces.role_of(actor_id, workspace_id)
    if not roles.can(role, "edit"):
        raise Forbidden(roles.refusal(role, "edit") if role else "You are not a member of this workspace.")


def _feed_of(campaign_id: int) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.campaign_id == campaign_id))


def create(workspace_id: int, campaign_id: int, actor_id: int) -> str:
    """Make the campaign's feed address (owners and editors), replacing the one it had; return its secret,
    which is not kept: only its SHA-256 is."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    _require_editor(workspace_id, actor_id)
    old = _feed_of(campaign.id)
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    raw = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(workspace_id=workspace_id, campaign_id=campaign.id, token_hash=digest(raw),
                                created_by_id=actor_id, created_at=utcnow()))
    activity.record(workspace_id, "feed_created", "Made a new calendar feed address" + (
        " (the old address no longer works)" if old is not None else ""), campaign_id=campaign.id,
        actor_id=actor_id, link=feed_path(campaign.id))
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else made an address for this campaign at the same moment: theirs stands.
        db.session.rollback()
        raise Conflict("Another calendar feed address was made for this campaign at the same moment; reload "
                       "the page to see it, and make a new one if you need its address.") from None
    return raw


def revoke(workspace_id: int, campaign_id: int, actor_id: int) -> None:
    """Turn the campaign's feed off (owners and editors): its address answers 404 from now on."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    _require_editor(workspace_id, actor_id)
    feed = _feed_of(campaign.id)
    if feed is None:
        raise NotFound("This campaign has no calendar feed to turn off.")
    db.session.delete(feed)
    activity.record(workspace_id, "feed_revoked", "Turned the calendar feed off: its address no longer works",
                    campaign_id=campaign.id, actor_id=actor_id, link=feed_path(campaign.id))
    db.session.commit()


@dataclass
class Current:
    """A campaign's feed as its page shows it: whether it has one, when it was made and by whom (its address is
    not kept, so it cannot be shown again)."""

    campaign: Campaign
    created_at: datetime | None = None
    created_by: str | None = None

    @property
    def exists(self) -> bool:
        return self.created_at is not None


def current(workspace_id: int, campaign_id: int) -> Current:
    """The campaign's feed: whether there is one, when it was made and by whom."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    feed = _feed_of(campaign_id)
    if feed is None:
        return Current(campaign)
    user = db.session.get(User, feed.created_by_id) if feed.created_by_id else None
    return Current(campaign, feed.created_at, user.email if user else None)


def campaign_of(token) -> Campaign:
    """The campaign whose feed the token opens; NotFound (GONE) for anything else."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        raise NotFound(GONE)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == digest(token)))
    campaign = db.session.get(Campaign, feed.campaign_id) if feed is not None else None
    if campaign is None:
        raise NotFound(GONE)
    return campaign


def ics_for_token(token, base_url: str, today: date | None = None) -> bytes:
    """The feed the token opens, as ICS: the campaign's current version, each post linking to its page under
    `base_url`. An unknown or revoked token is NotFound."""
    return ics(campaign_of(token), base_url, today)


def ics(campaign: Campaign, base_url: str, today: date | None = None) -> bytes:
    snapshot = exports.snapshot_of(campaign, None, today or date.today())
    calendar = exports.ics_calendar(snapshot, campaign.name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    if snapshot.version is None:
        return calendar.to_ical()
    names = channel_names()
    base = base_url.rstrip("/")
    for post in snapshot.posts:
        variants = snapshot.variants.get(post.id, {}).values()
        # When the post last changed as the calendar shows it: it joined this version, was written, reviewed,
        # rewritten or moved. The feed's bytes, and so its ETag, stay the same until something changes.
        changed = max(when for when in (snapshot.version.created_at, post.created_at, post.approved_at,
                                        post.reviewed_at, getattr(snapshot.members.get(post.id), "moved_at", None),
                                        *(v.created_at for v in variants))
                      if when is not None)
        changed = changed.replace(tzinfo=changed.tzinfo or timezone.utc, microsecond=0)
        event = exports.ics_event(snapshot, post, changed,
                                  summary=f"{post.title} · {names.get(post.channel, post.channel)}")
        event.add("last-modified", changed)
        event.add("sequence", sequence(campaign, post))
        event.add("status", "CONFIRMED" if post.approved else "TENTATIVE")
        event.add("url", base + activity.post_path(campaign.id, post.id))
        calendar.add_component(event)
    return calendar.to_ical()


def sequence(campaign: Campaign, post) -> int:
    """The post's event SEQUENCE: its changes plus the current version, both of which only ever rise."""
    return (post.sequence or 0) + (campaign.current_version or 0)
