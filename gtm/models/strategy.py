"""The strategy graph: versions and their members, phases, posts, edges and post variants."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import UTCDateTime, created_at

POST_STATUSES = ("planned", "writing", "ready", "failed")
# A post's review: written (draft), submitted for review, approved, or sent back with a comment.
REVIEW_STATES = ("draft", "in_review", "approved", "changes_requested")


class StrategyVersion(db.Model):
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    number: Mapped[int] = mapped_column()
    # plan, regenerate, restore or follow-up
    origin: Mapped[str] = mapped_column(String(12), default="plan")
    from_phase: Mapped[int | None] = mapped_column()
    direction: Mapped[str] = mapped_column(Text, default="")
    based_on: Mapped[int | None] = mapped_column()
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
    # Who asked for it: a person in the browser, through the chat or with an API token.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A follow-up version: the ids of the posts the marketer picked (the new post follows each of them).
    after_post_ids: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at()


class Member(db.Model):
    """A post that belongs to a strategy version. A post kept by a regeneration belongs to several."""

    __tablename__ = "strategy_member"
    __table_args__ = (UniqueConstraint("campaign_id", "version", "post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    version: Mapped[int] = mapped_column()
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    # The date the post was moved to on the calendar in this version; None means launch date + the post's day.
    # Kept with the version, so older versions keep the date they were planned with.
    moved_to: Mapped[date | None] = mapped_column(Date)
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Phase(db.Model):
    __table_args__ = (UniqueConstraint("campaign_id", "version", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    version: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))
    goal: Mapped[str] = mapped_column(Text)


class Post(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    version: Mapped[int] = mapped_column()
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    phase: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(40))
    brief: Mapped[str] = mapped_column(Text)
    # What sets this post apart from the other posts of its phase, as the plan gave it.
    angle: Mapped[str] = mapped_column(Text, default="", server_default="")
    day: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="planned")
    error: Mapped[str] = mapped_column(Text, default="")
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why the approval was taken away (a variant changed after it was approved); empty otherwise.
    approval_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The review state, kept in step with `approved` (approved exactly when review == "approved").
    review: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rises by one whenever the post changes in a way a calendar shows (moved, approved, rewritten): the
    # calendar feed's SEQUENCE is built on it.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at()

    variants: Mapped[list["Variant"]] = relationship(back_populates="post", order_by="Variant.id")


class Edge(db.Model):
    __table_args__ = (UniqueConstraint("from_post_id", "to_post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    from_post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    to_post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)


class Variant(db.Model):
    __table_args__ = (
        UniqueConstraint("post_id", "label", "number"),
        # At most one current version of each variant, held by the database.
        Index("uq_variant_current", "post_id", "label", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    label: Mapped[str] = mapped_column(String(1))
    number: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    headline: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    call_to_action: Mapped[str] = mapped_column(Text)
    hashtags: Mapped[list] = mapped_column(JSON, default=list)
    image_prompt: Mapped[str] = mapped_column(Text)
    media_path: Mapped[str | None] = mapped_column(String(255))
    feedback: Mapped[str] = mapped_column(Text, default="")
    based_on: Mapped[int | None] = mapped_column()
    # Written by a person on the post page rather than by the model.
    edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What still breaks a rule after the repair call: the channel's rules or the brand voice, as
    # [{"rule": ..., "message": ...}]; None or empty when the draft fits.
    warnings: Mapped[list | None] = mapped_column(JSON)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
    # Who wrote it, with its share of the call's tokens (one call writes both variants of a new post).
    provider: Mapped[str] = mapped_column(String(20), default="")
    model: Mapped[str] = mapped_column(String(80), default="")
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = created_at()

    post: Mapped[Post] = relationship(back_populates="variants")
