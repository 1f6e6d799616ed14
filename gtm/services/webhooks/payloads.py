"""What an event carries: the object in the shape the API answers it, so a receiver reads a post, a version or
an alert as `GET /api/...` gives it (a test holds the two side by side)."""
from datetime import datetime

from sqlalchemy import func, select

from ...extensions import db
from ...models import Alert, Campaign, Member, Post, StrategyVersion


def _text(value) -> str | None:
    return str(value) if value is not None else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def post_data(post: Post) -> dict:
    """A post as `GET /api/campaigns/{id}/nodes` lists it."""
    return {"id": str(post.id), "key": post.key, "title": post.title, "channel": post.channel, "angle": post.angle,
            "brief": post.brief, "day": post.day, "status": post.status, "approved": post.approved,
            "approval_note": post.approval_note or None, "review": post.review, "version": post.version,
            "is_active": post.is_active}


def version_data(version: StrategyVersion) -> dict:
    """A strategy version as `GET /api/campaigns/{id}/versions` lists it."""
    posts = db.session.scalar(select(func.count()).select_from(Member).where(
        Member.campaign_id == version.campaign_id, Member.version == version.number)) or 0
    current = db.session.get(Campaign, version.campaign_id).current_version
    return {"number": version.number, "origin": version.origin, "direction": version.direction or None,
            "from_phase": version.from_phase, "based_on": version.based_on, "posts": posts,
            "is_current": version.number == current, "run_id": _text(version.run_id),
            "created_at": _moment(version.created_at),
            "after_post_ids": [str(post_id) for post_id in version.after_post_ids]
            if version.after_post_ids is not None else None}


def alert_data(alert: Alert) -> dict:
    """An alert as `GET /api/campaigns/{id}/alerts` lists it."""
    return {"id": str(alert.id), "trigger_id": _text(alert.trigger_id), "evidence": alert.evidence,
            "action": alert.action, "created_at": _moment(alert.created_at),
            "dismissed_at": _moment(alert.dismissed_at), "run_id": _text(alert.run_id)}


def metric_rows(rows) -> list[dict]:
    """Metric rows as `POST /api/campaigns/{id}/metrics` takes them."""
    return [{"post_id": str(row.post_id), "variant": row.variant, "date": row.day.isoformat(),
             "impressions": row.impressions, "clicks": row.clicks, "conversions": row.conversions,
             "spend": str(row.spend)} for row in rows]


def render(subject) -> dict:
    """The event's object under its name (`post`, `version`, `alert`); a dict is passed on as it is."""
    if isinstance(subject, Post):
        return {"post": post_data(subject)}
    if isinstance(subject, StrategyVersion):
        return {"version": version_data(subject)}
    if isinstance(subject, Alert):
        return {"alert": alert_data(subject)}
    return dict(subject)
