"""Comments: notes members leave on a post or on a step version, read as one thread per subject, oldest first.

A comment is never deleted: deleting it keeps its place in the thread, shown as "Comment deleted". Its author
may change its words within EDIT_MINUTES of writing it. Bodies are plain text (the pages escape them).
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import Comment, Post, StepVersion, User
from ..models._base import utcnow
from . import activity, campaigns, workspaces
from .errors import Conflict, Forbidden, NotFound, clean_text, refuse_nul

BODY_MAX = 4000
EDIT_MINUTES = 10
EMPTY = "Write the comment first."


@dataclass
class Thread:
    """A subject's comments, oldest first, for a page; `subject` is (type, id), and `kind` the step of a step
    version (None for a post)."""

    subject: tuple[str, int]
    comments: list[Comment]
    kind: str | None = None

    @property
    def count(self) -> int:
        return sum(1 for comment in self.comments if comment.deleted_at is None)

    def editable(self, comment: Comment, user_id: int | None) -> bool:
        return editable(comment, user_id)


def _subject(workspace_id: int, campaign_id: int, subject_type: str, subject_id) -> Post | StepVersion:
    """A post or step version of the workspace's campaign; anything else is not found."""
    campaigns.get_campaign(workspace_id, campaign_id)
    model = {"post": Post, "step_version": StepVersion}.get(subject_type)
    row = db.session.get(model, subject_id) if model is not None and isinstance(subject_id, int) else None
    if row is None or row.campaign_id != campaign_id:
        raise NotFound("No such post." if subject_type == "post" else "No such version.")
    return row


def clean_body(body) -> str:
    body = clean_text(body if body is not None else "", "body", "A comment", BODY_MAX, empty=EMPTY)
    refuse_nul(body, "body")
    return body


def new_comment(workspace_id: int, campaign_id: int, subject_type: str, subject_id: int, author_id: int | None,
                body: str) -> Comment:
    """Add a checked comment to the session (the caller commits, with whatever it goes with)."""
    author = db.session.get(User, author_id) if author_id is not None else None
    comment = Comment(workspace_id=workspace_id, campaign_id=campaign_id, subject_type=subject_type,
                      subject_id=subject_id, author_id=author_id, author_name=author.email if author else "",
                      body=body)
    db.session.add(comment)
    db.session.flush()
    return comment


def add_comment(workspace_id: int, campaign_id: int, subject_type: str, subject_id, author_id: int | None,
                body) -> Comment:
    """Comment on a post or a step version of the campaign."""
    subject = _subject(workspace_id, campaign_id, subject_type, subject_id)
    comment = new_comment(workspace_id, campaign_id, subject_type, subject.id, author_id, clean_body(body))
    if isinstance(subject, Post):
        on, link = f"“{subject.title}”", activity.post_path(campaign_id, subject.id)
    else:
        on, link = f"version {subject.number} of a step", activity.step_path(campaign_id, subject.kind)
    activity.record(workspace_id, "commented", f"Commented on {on}: “{comment.body[:200]}”",
                    campaign_id=campaign_id, actor_id=author_id, subject=comment, link=link)
    db.session.commit()
    return comment


def thread(workspace_id: int, campaign_id: int, subject_type: str, subject_id) -> Thread:
    """A post's or a step version's comments, oldest first."""
    subject = _subject(workspace_id, campaign_id, subject_type, subject_id)
    found = db.session.scalars(select(Comment).where(
        Comment.campaign_id == campaign_id, Comment.subject_type == subject_type, Comment.subject_id == subject.id)
        .order_by(Comment.created_at, Comment.id))
    return Thread((subject_type, subject.id), list(found), getattr(subject, "kind", None))


def get_comment(workspace_id: int, campaign_id: int, comment_id) -> Comment:
    """A comment of the workspace's campaign, deleted or not."""
    campaigns.get_campaign(workspace_id, campaign_id)
    comment = db.session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if comment is None or comment.campaign_id != campaign_id:
        raise NotFound("No such comment.")
    return comment


def counts(campaign_id: int, subject_type: str, subject_ids: Iterable[int]) -> dict[int, int]:
    """How many comments (not deleted) each subject has; a subject without any is left out."""
    ids = list(subject_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Comment.subject_id, func.count()).where(
        Comment.campaign_id == campaign_id, Comment.subject_type == subject_type, Comment.subject_id.in_(ids),
        Comment.deleted_at.is_(None)).group_by(Comment.subject_id))
    return {subject_id: n for subject_id, n in rows}


def editable(comment: Comment, user_id: int | None, now: datetime | None = None) -> bool:
    """Whether `user_id` may still change the comment's words: its author, within EDIT_MINUTES."""
    return (comment.deleted_at is None and user_id is not None and comment.author_id == user_id
            and (now or utcnow()) - comment.created_at <= timedelta(minutes=EDIT_MINUTES))


def _live_comment(workspace_id: int, campaign_id: int, comment_id) -> Comment:
    comment = get_comment(workspace_id, campaign_id, comment_id)
    if comment.deleted_at is not None:
        raise Conflict("This comment was deleted; it cannot be changed.")
    return comment


def edit_comment(workspace_id: int, campaign_id: int, comment_id, actor_id: int, body) -> Comment:
    """Change a comment's words: only its author, within EDIT_MINUTES of writing it."""
    comment = _live_comment(workspace_id, campaign_id, comment_id)
    if comment.author_id != actor_id:
        raise Forbidden("Only the person who wrote a comment can change it.")
    if not editable(comment, actor_id):
        raise Forbidden(f"A comment can be changed for {EDIT_MINUTES} minutes after it is written; write a new "
                        "comment instead.")
    body = clean_body(body)
    if body != comment.body:
        comment.body, comment.edited_at = body, utcnow()
    db.session.commit()
    return comment


def delete_comment(workspace_id: int, campaign_id: int, comment_id, actor_id: int) -> Comment:
    """Delete a comment: its author, or an owner. It stays in the thread as "Comment deleted"."""
    comment = _live_comment(workspace_id, campaign_id, comment_id)
    if comment.author_id != actor_id and workspaces.role_of(actor_id, workspace_id) != "owner":
        raise Forbidden("Only the person who wrote a comment, or an owner, can delete it.")
    comment.deleted_at = utcnow()
    db.session.commit()
    return comment

