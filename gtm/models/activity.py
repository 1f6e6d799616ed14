"""The activity history: who changed what and when, per workspace and per campaign."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._base import created_at


class Activity(db.Model):
    """One change, in a sentence a person reads, with who made it and the page of what changed.

    Rows are only added, never edited. A deleted campaign's rows stay, without their campaign and link."""

    # Both lists are read newest first a page at a time: from these indexes, not sorted.
    __table_args__ = (Index("ix_activity_workspace_id_id", "workspace_id", "id"),
                      Index("ix_activity_campaign_id_id", "campaign_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Who did it as the history shows them: the person's email as it was, or "gtm" for scheduled work.
    actor_name: Mapped[str] = mapped_column(String(254), default="")
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    # The page of what changed, as a path; none when it has no page (or no longer has one).
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at()

    @property
    def at(self) -> datetime:
        return self.created_at
