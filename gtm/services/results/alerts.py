"""Alerts: fired triggers listed, dismissed and acted on; their evidence as a small chart and as prompt lines.

An alert stays open until it is dismissed or acted on (a regeneration or a rewrite started from
its suggestion); then it is a past alert, kept with its evidence, and its trigger may fire again
on new evidence.
"""
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from ...extensions import db
from ...models import Alert
from .. import activity, campaigns, paging
from .rules import whole_id
from .charts import polyline
from .totals import metric_text

PROMPT_POSTS_MAX = 10
PROMPT_TITLE_CHARS = 90


def alerts(workspace_id: int, campaign_id: int, before=None, limit=None, *, past: bool = False) -> paging.Page[Alert]:
    """A page of the campaign's alerts, newest first (those before the cursor `before`): open ones and past
    ones, or only the past ones (dismissed or acted on)."""
    campaigns.get_campaign(workspace_id, campaign_id)
    before, size = paging.cursor(before), paging.limit(limit)
    query = select(Alert).where(Alert.campaign_id == campaign_id)
    if past:
        query = query.where(Alert.dismissed_at.is_not(None))
    rows = db.session.scalars(paging.keyset(query, Alert.id, before, size)).all()
    return paging.page_of(rows, size, before, lambda alert: alert.id)


def open_alerts(workspace_id: int, campaign_id: int) -> list[Alert]:
    """The campaign's open alerts, newest first: at most one a trigger, so never more than its triggers."""
    campaigns.get_campaign(workspace_id, campaign_id)
    return list(db.session.scalars(select(Alert).where(Alert.campaign_id == campaign_id,
                                                       Alert.dismissed_at.is_(None)).order_by(Alert.id.desc())))


def past_alert_count(campaign_id: int) -> int:
    """How many of the campaign's alerts are past (one COUNT)."""
    return db.session.scalar(select(func.count()).select_from(Alert).where(
        Alert.campaign_id == campaign_id, Alert.dismissed_at.is_not(None))) or 0


def open_alert_count(campaign_id: int) -> int:
    """How many of the campaign's alerts are open (one COUNT, for the badge on every campaign page)."""
    return db.session.scalar(select(func.count()).select_from(Alert).where(
        Alert.campaign_id == campaign_id, Alert.dismissed_at.is_(None))) or 0


def get_alert(workspace_id: int, campaign_id: int, alert_id) -> Alert:
    """Return one of the campaign's alerts; an unknown id, or another campaign's alert, is not found."""
    return campaigns.campaign_row(Alert, workspace_id, campaign_id, alert_id, "No such alert.")


def dismiss_alert(workspace_id: int, campaign_id: int, alert_id) -> Alert:
    """Dismiss an alert; it stays in the list of past alerts. Dismissing it again changes nothing."""
    alert = get_alert(workspace_id, campaign_id, alert_id)
    if alert.dismissed_at is None:
        alert.dismissed_at = datetime.now(timezone.utc)
        activity.record(workspace_id, "alert_dismissed", f"Dismissed the alert: {alert_sentence(alert)}",
                        campaign_id=campaign_id, subject=alert, link=activity.triggers_path(campaign_id))
        db.session.commit()
    return alert


def alert_sentence(alert: Alert) -> str:
    """What an alert says happened, for the history."""
    return (alert.evidence or {}).get("sentence") or "a trigger's rule was broken"


def mark_alert_acted(alert_id: int, run_id: int) -> None:
    """Remember the run started from an alert's suggestion, and close the alert: it has been dealt with."""
    alert = db.session.get(Alert, alert_id)
    if alert is not None:
        alert.run_id = run_id
        if alert.dismissed_at is None:
            alert.dismissed_at = datetime.now(timezone.utc)
        db.session.commit()


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def prompt_evidence(alert_id: int | None) -> dict | None:
    """The results that prompted a change, bounded for a prompt: the sentence, the rule, and at most
    PROMPT_POSTS_MAX posts' lines with their values. None when there is no such alert."""
    alert = db.session.get(Alert, alert_id) if whole_id(alert_id) else None
    if alert is None:
        return None
    evidence = alert.evidence
    label = evidence.get("metric_label", "")
    lines = []
    for post in evidence.get("posts", [])[:PROMPT_POSTS_MAX]:
        lines.append(f"{_short(post['title'], PROMPT_TITLE_CHARS)} (phase {post['phase']}, key {post['key']}): "
                     f"{label} {post['value_text']}; {post['impressions']:,} impressions, {post['clicks']:,} clicks, "
                     f"{post['conversions']:,} conversions")
    more = max(0, len(evidence.get("posts", [])) - PROMPT_POSTS_MAX) + evidence.get("posts_more", 0)
    return {"sentence": evidence.get("sentence", ""), "rule": evidence.get("rule", ""), "posts": lines,
            "posts_more": more}


# --- The daily series as a small chart ---------------------------------------------------------------

@dataclass
class Chart:
    """A small line chart of an alert's daily series against its threshold, with its text for screen readers."""

    width: int
    height: int
    left: int
    bottom: int
    points: list[tuple[float, float, str]]
    threshold_y: float
    top_label: str
    threshold_label: str
    first_day: str
    last_day: str
    text: str

    @property
    def line(self) -> str:
        return polyline(self.points)


def alert_chart(evidence: dict, currency: str = "", width: int = 320, height: int = 120) -> Chart | None:
    """Lay out the alert's daily values (days with no value are left out) and the threshold line."""
    metric = evidence.get("metric", "")
    days = [(date.fromisoformat(item["day"]), item["value"]) for item in evidence.get("daily", [])
            if item.get("value") is not None]
    if not days:
        return None
    left, right, top, bottom = 44, 8, 8, 20
    threshold = float(evidence.get("threshold") or 0)
    highest = max([value for _, value in days] + [threshold]) or 1.0
    scale = (height - top - bottom) / (highest * 1.1)
    span = max((days[-1][0] - days[0][0]).days, 1)
    inner = width - left - right

    def x_of(day: date) -> float:
        if len(days) == 1:
            return left + inner / 2
        return left + inner * (day - days[0][0]).days / span

    def y_of(value: float) -> float:
        return height - bottom - value * scale

    points = [(x_of(day), y_of(value), f"{day.isoformat()}: {metric_text(metric, value, currency)}")
              for day, value in days]
    label = evidence.get("metric_label", metric)
    values = "; ".join(f"{day.isoformat()} {metric_text(metric, value, currency)}" for day, value in days)
    text = (f"{label} by day, {days[0][0].isoformat()} to {days[-1][0].isoformat()}, against the threshold of "
            f"{evidence.get('threshold_text', '')}: {values}.")
    return Chart(width, height, left, bottom, points, y_of(threshold), metric_text(metric, highest * 1.1, currency),
                 evidence.get("threshold_text", ""), days[0][0].isoformat(), days[-1][0].isoformat(), text)
