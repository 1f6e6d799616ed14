"""Approving posts: one at a time, or every written post of the current version at once."""
from sqlalchemy import func, select, update

from ...extensions import db
from ...models import Post
from ...models._base import utcnow
from .. import campaigns
from ..errors import Conflict
from .lookups import get_post, require_active


def approve_post(workspace_id: int, campaign_id: int, post_id: int, approved: bool = True) -> Post:
    """Approve a written post, or take the approval back."""
    post = require_active(get_post(workspace_id, campaign_id, post_id))
    if approved and post.status != "ready":
        raise Conflict("Only a written post can be approved; wait until it is ready.")
    post.approved = approved
    post.approved_at = utcnow() if approved else None
    db.session.commit()
    return post


def approve_all_posts(workspace_id: int, campaign_id: int) -> int:
    """Approve every written post of the current version; return how many active posts are approved."""
    campaigns.get_campaign(workspace_id, campaign_id)
    now = utcnow()
    db.session.execute(update(Post).where(Post.campaign_id == campaign_id, Post.is_active.is_(True),
                                          Post.status == "ready", Post.approved.is_(False))
                       .values(approved=True, approved_at=now))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Post).where(
        Post.campaign_id == campaign_id, Post.is_active.is_(True), Post.approved.is_(True))) or 0
