"""Results: metrics recorded per post, variant and day; triggers over them; the alerts they raise."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._base import UTCDateTime, created_at, utcnow

METRIC_NAMES = ("ctr", "conversion_rate", "impressions", "clicks", "conversions", "cost_per_conversion")
COMPARISONS = ("<", ">")
ACTIONS = ("regenerate", "rewrite")


class Metric(db.Model):
    """One variant of one post on one day. Sending the same post, variant and day again updates this row."""

    __table_args__ = (UniqueConstraint("post_id", "variant", "day", name="uq_metric_post_variant_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    variant: Mapped[str] = mapped_column(String(1))
    day: Mapped[date] = mapped_column(Date)
    impressions: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    conversions: Mapped[int] = mapped_column(default=0)
    spend: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


class Trigger(db.Model):
    """A rule over a campaign's metrics: the campaign, one phase or one post; a metric, `<` or `>`, a threshold."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    metric: Mapped[str] = mapped_column(String(24))
    comparison: Mapped[str] = mapped_column(String(1))
    # Rates (ctr, conversion_rate) in percent; cost per conversion in the campaign's currency.
    threshold: Mapped[float] = mapped_column(Float)
    min_impressions: Mapped[int] = mapped_column(default=0)
    # Neither: the whole campaign. A phase number of the current version, or one post.
    scope_phase: Mapped[int | None] = mapped_column()
    scope_post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    # regenerate (from `from_phase`, with `direction` as a template) or rewrite (the post's variants).
    action: Mapped[str] = mapped_column(String(12))
    from_phase: Mapped[int | None] = mapped_column()
    direction: Mapped[str] = mapped_column(Text, default="")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at()


class Alert(db.Model):
    """A trigger that fired: its evidence and the action it suggests.

    `fingerprint` is the trigger with its evidence, unique, so the same evidence never fires twice;
    and a trigger has at most one open (undismissed) alert, held by a partial unique index.
    """

    __table_args__ = (
        Index("uq_alert_open_per_trigger", "trigger_id", unique=True,
              sqlite_where=text("dismissed_at IS NULL"), postgresql_where=text("dismissed_at IS NULL")),
        # Alerts are read newest first a page at a time: from this index, not sorted.
        Index("ix_alert_campaign_id_id", "campaign_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    # None once its trigger is deleted; the evidence keeps the rule written out.
    trigger_id: Mapped[int | None] = mapped_column(ForeignKey("trigger.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    evidence: Mapped[dict] = mapped_column(JSON)
    action: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at()
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The run started from this alert's suggestion, once someone acts on it.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
