"""Comments by members on a post or on a step version: threaded by subject, never deleted."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._base import UTCDateTime, created_at

COMMENT_SUBJECTS = ("post", "step_version")


class Comment(db.Model):
    __table_args__ = (Index("ix_comment_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    # "post" or "step_version", and that row's id.
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column()
    # The member who wrote it; empty for someone without an account, who is known by `author_name`.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    author_name: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A deleted comment keeps its place in the thread and shows as "Comment deleted"; its row stays.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
