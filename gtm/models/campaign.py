"""A campaign: the product, the launch and the current strategy version."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._base import UTCDateTime, created_at


class Campaign(db.Model):
    # A workspace's campaigns are listed newest first a page at a time: read from this index, not sorted.
    __table_args__ = (Index("ix_campaign_workspace_id_id", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    product: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(Text)
    goals: Mapped[str] = mapped_column(Text)
    competitors: Mapped[list] = mapped_column(JSON, default=list)
    channels: Mapped[list] = mapped_column(JSON, default=list)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    brief: Mapped[str] = mapped_column(Text, default="")
    # The day the launch starts: day 0 of the strategy's posts; the calendar exports need it.
    launch_date: Mapped[date | None] = mapped_column(Date)
    current_version: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = created_at()
    # When a field the analysis steps read last changed: a step version made before it is stale.
    details_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Archived campaigns leave the campaigns list and keep everything; None while in use.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The brand voice for this campaign only ({"tone", "use", "avoid", "reading_level", "examples"}); None
    # means the workspace's voice is in force.
    voice: Mapped[dict | None] = mapped_column(JSON)
