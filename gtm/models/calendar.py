"""The calendar feed: a secret, revocable ICS address for a campaign's current version."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._base import created_at


class CalendarFeed(db.Model):
    """A campaign's subscribe address. Only a SHA-256 of its secret is kept; making a new one replaces it,
    and revoking deletes the row, so the old address answers 404."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at()
