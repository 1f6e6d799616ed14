"""Reviewing posts: editors submit written drafts for review; reviewers (and owners) approve them or request
changes with a comment. Nobody reviews a post they submitted, except an owner alone in the workspace.

A post's review is "draft", "in_review", "approved" or "changes_requested"; `Post.approved` is kept in step
(true exactly when the review is "approved"), so exports, imports and numbers read it as before. Recording
numbers never depends on the review."""
from datetime import datetime

from sqlalchemy import func, select

from ...extensions import db
from ...ids import whole
from ...models import Membership, Post
from ...models._base import utcnow
from .. import activity, campaigns, comments, roles, webhooks, workspaces
from ..errors import Conflict, Forbidden, Invalid, NotFound
from .lookups import get_post, require_active

REVIEW_NAMES = {"draft": "Draft", "in_review": "In review", "approved": "Approved",
                "changes_requested": "Changes requested"}
DECISIONS = ("approve", "request_changes")
SUBMITTABLE = ("draft", "changes_requested")
POST_IDS_MAX = 500


def set_review(post: Post, state: str, reviewer_id: int | None = None, now: datetime | None = None) -> None:
    """Put a post in a review state, keeping `approved` and `approved_at` in step (the caller commits).
    A reviewer's approval or request for changes records who and when."""
    now = now or utcnow()
    post.review, post.sequence = state, (post.sequence or 0) + 1  # the calendar feed shows the change
    post.approved = state == "approved"
    post.approved_at = now if post.approved else None
    if state in ("approved", "changes_requested"):
        post.reviewed_by_id, post.reviewed_at = reviewer_id, now


def _alone(workspace_id: int) -> bool:
    return (db.session.scalar(select(func.count()).select_from(Membership)
                              .where(Membership.workspace_id == workspace_id)) or 0) <= 1


def submitted_by_self(workspace_id: int, post: Post, actor_id: int | None) -> bool:
    """Whether the person would be reviewing their own submission (an owner alone in the workspace may)."""
    return (actor_id is not None and post.review == "in_review" and post.submitted_by_id == actor_id
            and not (workspaces.role_of(actor_id, workspace_id) == "owner" and _alone(workspace_id)))


def refuse_own_submission(workspace_id: int, post: Post, actor_id: int | None) -> None:
    if submitted_by_self(workspace_id, post, actor_id):
        raise Forbidden("You submitted this post for review, so someone else reviews it: ask a reviewer or an "
                        "owner to approve it or request changes.")


def _post_ids(post_ids) -> list[int]:
    if not isinstance(post_ids, list) or not post_ids:
        raise Invalid({"post_ids": "Give the posts to submit as a list of their ids."})
    if len(post_ids) > POST_IDS_MAX:
        raise Invalid({"post_ids": f"Submit at most {POST_IDS_MAX} posts at a time."})
    found = [whole(value, 1) for value in post_ids]
    wrong = [str(value) for value, number in zip(post_ids, found) if number is None]
    if wrong:
        raise Invalid({"post_ids": f"These are not post ids: {', '.join(wrong[:5])}."})
    return list(dict.fromkeys(found))


def submit_for_review(workspace_id: int, campaign_id: int, actor_id: int, post_ids=None, *,
                      phase: int | None = None) -> int:
    """Submit written drafts (and posts sent back for changes) of the current version for review; return how
    many went to review. Without `post_ids`, every such post of the current version, or of `phase`.
    A post of another campaign is not found and nothing is submitted; other posts are left as they are."""
    campaigns.get_campaign(workspace_id, campaign_id)
    query = select(Post).where(Post.campaign_id == campaign_id, Post.is_active.is_(True))
    if post_ids is not None:
        wanted = _post_ids(post_ids)
        found = {post.id: post for post in db.session.scalars(select(Post).where(
            Post.id.in_(wanted), Post.campaign_id == campaign_id))}
        missing = [str(post_id) for post_id in wanted if post_id not in found]
        if missing:
            raise NotFound(f"No such post in this campaign: {', '.join(missing[:5])}.")
        query = query.where(Post.id.in_(wanted))
    if phase is not None:
        query = query.where(Post.phase == phase)
    now, submitted = utcnow(), 0
    for post in db.session.scalars(query.order_by(Post.phase, Post.id)):
        if post.status == "ready" and post.review in SUBMITTABLE:
            post.review, post.submitted_by_id, post.submitted_at = "in_review", actor_id, now
            submitted += 1
    if submitted:
        where = f" of phase {phase}" if phase is not None else ""
        activity.record(workspace_id, "posts_submitted", f"Submitted {submitted} post{'s' if submitted != 1 else ''}"
                        f"{where} for review", campaign_id=campaign_id, actor_id=actor_id,
                        link=activity.board_path(campaign_id))
    db.session.commit()
    return submitted


def review_post(workspace_id: int, campaign_id: int, actor_id: int, post_id: int, decision, comment=None) -> Post:
    """Approve a written post, or request changes with a comment (saved on the post's thread). Reviewers and
    owners only; nobody reviews a post they submitted, except an owner alone in the workspace."""
    post = require_active(get_post(workspace_id, campaign_id, post_id))
    if decision not in DECISIONS:
        raise Invalid({"decision": "Choose approve or request_changes."})
    comment = _comment(comment, required=decision == "request_changes")
    role = workspaces.role_of(actor_id, workspace_id)
    if not roles.can(role, "review"):
        raise Forbidden(roles.refusal(role, "review") if role else "You are not a member of this workspace.")
    if post.status != "ready":
        raise Conflict("Only a written post can be reviewed; wait until it is ready.")
    refuse_own_submission(workspace_id, post, actor_id)
    if decision == "approve" and post.review == "approved":
        raise Conflict("This post is already approved.")
    if decision == "request_changes" and post.review == "changes_requested":
        raise Conflict("Changes were already requested on this post; add a comment to say more.")
    set_review(post, "approved" if decision == "approve" else "changes_requested", actor_id)
    post.approval_note = ""
    if comment:
        comments.new_comment(workspace_id, campaign_id, "post", post.id, actor_id, comment)
    said = f": “{comment[:200]}”" if comment else ""
    activity.record(workspace_id, "post_approved" if decision == "approve" else "changes_requested",
                    f"{'Approved' if decision == 'approve' else 'Requested changes to'} “{post.title}”{said}",
                    campaign_id=campaign_id, actor_id=actor_id, subject=post,
                    link=activity.post_path(campaign_id, post.id))
    if decision == "approve":
        webhooks.emit(workspace_id, "post.approved", campaign_id, post)
    db.session.commit()
    return post


def _comment(comment, required: bool) -> str:
    """The review's comment, checked: required to request changes, optional to approve."""
    if comment is None or (isinstance(comment, str) and not comment.strip()):
        if required:
            raise Invalid({"comment": "Say what should change, so the editor knows what to do."})
        return ""
    try:
        return comments.clean_body(comment)
    except Invalid as refused:
        raise Invalid({"comment": message for message in refused.fields.values()}) from None
