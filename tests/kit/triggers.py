"""Triggers over a campaign's numbers: the current posts to put numbers on, rows of poor numbers, a trigger on
phase 2's CTR, and the alerts raised."""
from datetime import datetime, timedelta, timezone

from gtm.extensions import db
from gtm.models import Alert, Post
from gtm.services import results


def plan(api, campaign, work) -> list[Post]:
    """Plan the strategy and write its posts; return the current posts, by phase."""
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202, body
    work()
    return current_posts(campaign.id)


def current_posts(campaign_id: int) -> list[Post]:
    db.session.expire_all()
    return Post.query.filter_by(campaign_id=campaign_id, is_active=True).order_by(Post.phase, Post.id).all()


def day(days_ago: int) -> str:
    return (datetime.now(timezone.utc).date() - timedelta(days=days_ago)).isoformat()


def row(post: Post, variant="A", days_ago=1, impressions=1000, clicks=5, conversions=0, spend="0") -> dict:
    return {"post_id": str(post.id), "variant": variant, "date": day(days_ago), "impressions": impressions,
            "clicks": clicks, "conversions": conversions, "spend": spend}


def record(campaign, rows: list[dict]) -> int:
    return results.record_metrics(campaign.workspace_id, campaign.id, rows)


def alerts_of(campaign_id: int) -> list[Alert]:
    db.session.expire_all()
    return Alert.query.filter_by(campaign_id=campaign_id).order_by(Alert.id).all()


def open_alerts(campaign_id: int) -> list[Alert]:
    return [alert for alert in alerts_of(campaign_id) if alert.dismissed_at is None]


PHASE_2_CTR = {"metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
               "action": "regenerate", "direction": "lead with {scope}'s best posts and fix {metric}"}


def create(api, campaign, **values) -> dict:
    status, body = api.post(f"/api/campaigns/{campaign.id}/triggers", json={**PHASE_2_CTR, **values})
    assert status == 201, body
    return body


def phase(posts: list[Post], number: int) -> list[Post]:
    return [post for post in posts if post.phase == number]


def low_ctr(posts: list[Post], days_ago=1, impressions=1200, clicks=3) -> list[dict]:
    return [row(post, variant, days_ago, impressions, clicks) for post in posts for variant in "AB"]
