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
    post.approval_note = ""
    db.session.commit()
    return post


def take_approval(post: Post, change: str) -> bool:
    """Take an approved post's approval away because its content changed (`change` says how, as the start of a
    sentence); return whether it was approved. The caller commits, with the change."""
    if not post.approved:
        return False
    post.approved, post.approved_at = False, None
    post.approval_note = f"{change} after the post was approved, so the approval was taken away: read it and " \
                         "approve it again."
    return True


def approve_all_posts(workspace_id: int, campaign_id: int) -> int:
    """Approve every written post of the current version; return how many active posts are approved."""
    campaigns.get_campaign(workspace_id, campaign_id)
    now = utcnow()
    db.session.execute(update(Post).where(Post.campaign_id == campaign_id, Post.is_active.is_(True),
                                          Post.status == "ready", Post.approved.is_(False))
                       .values(approved=True, approved_at=now, approval_note=""))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Post).where(
        Post.campaign_id == campaign_id, Post.is_active.is_(True), Post.approved.is_(True))) or 0
