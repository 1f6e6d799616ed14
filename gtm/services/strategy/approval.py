"""Approving posts: one at a time, or every written post of the current version at once. An approval keeps the
post's review in step (approved exactly when its review is "approved"; taking it back makes it a draft)."""
from sqlalchemy import func, select

from ...extensions import db
from ...models import Campaign, Post
from ...models._base import utcnow
from .. import activity, campaigns, webhooks
from ..errors import Conflict
from .lookups import get_post, require_active
from .review import refuse_own_submission, set_review, submitted_by_self


def approve_post(workspace_id: int, campaign_id: int, post_id: int, approved: bool = True,
                 actor_id: int | None = None) -> Post:
    """Approve a written post, or take the approval back (it becomes a draft). Nobody approves a post they
    submitted for review, except an owner alone in the workspace."""
    post = require_active(get_post(workspace_id, campaign_id, post_id))
    if approved and post.status != "ready":
        raise Conflict("Only a written post can be approved; wait until it is ready.")
    if approved:
        refuse_own_submission(workspace_id, post, actor_id)
    set_review(post, "approved" if approved else "draft", actor_id)
    post.approval_note = ""
    activity.record(workspace_id, "post_approved" if approved else "post_unapproved",
                    f"{'Approved' if approved else 'Withdrew the approval of'} “{post.title}”", campaign_id=campaign_id,
                    subject=post, link=activity.post_path(campaign_id, post.id))
    if approved:
        webhooks.emit(workspace_id, "post.approved", campaign_id, post)
    db.session.commit()
    return post


def take_approval(post: Post, change: str) -> bool:
    """Take an approved post's approval away because its content changed (`change` says how, as the start of a
    sentence); return whether it was approved. A post sent back for changes is a draft again once it changed.
    The caller commits, with the change."""
    post.sequence = (post.sequence or 0) + 1  # its words changed: the calendar feed shows it anew
    if post.review == "changes_requested":
        post.review = "draft"
    if not post.approved:
        return False
    set_review(post, "draft")
    post.approval_note = f"{change} after the post was approved, so the approval was taken away: read it and " \
                         "approve it again."
    workspace_id = db.session.get(Campaign, post.campaign_id).workspace_id
    activity.record(workspace_id, "approval_taken", f"The approval of “{post.title}” was taken away: {change[:1].lower()}"
                    f"{change[1:]}", campaign_id=post.campaign_id, subject=post,
                    link=activity.post_path(post.campaign_id, post.id))
    return True


def approve_all_posts(workspace_id: int, campaign_id: int, actor_id: int | None = None) -> int:
    """Approve every written post of the current version (but those the person submitted for review themselves,
    unless they are an owner alone in the workspace); return how many active posts are approved."""
    campaigns.get_campaign(workspace_id, campaign_id)
    waiting = db.session.scalars(select(Post).where(Post.campaign_id == campaign_id, Post.is_active.is_(True),
                                                    Post.status == "ready", Post.approved.is_(False)))
    now = utcnow()
    approving = 0
    for post in waiting:
        if not submitted_by_self(workspace_id, post, actor_id):
            set_review(post, "approved", actor_id, now)
            post.approval_note = ""
            approving += 1
            webhooks.emit(workspace_id, "post.approved", campaign_id, post)
    if approving:
        activity.record(workspace_id, "posts_approved", f"Approved all {approving} written post"
                        f"{'s' if approving != 1 else ''} still waiting for approval", campaign_id=campaign_id,
                        link=activity.board_path(campaign_id))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Post).where(
        Post.campaign_id == campaign_id, Post.is_active.is_(True), Post.approved.is_(True))) or 0
