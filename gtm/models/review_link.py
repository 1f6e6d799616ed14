"""Review links: an owner or editor shares posts of a campaign's current version with people outside the
workspace, who approve them or request changes without an account. Only a SHA-256 of the link's token is kept."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._base import UTCDateTime, created_at
from .workspace import User


class ReviewLink(db.Model):
    """A link that shows chosen posts to whoever holds it until it expires or is revoked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The posts it shares, by id, as they were chosen (every current post when none were ticked).
    post_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # With it, each post takes one decision through the link; `decided_post_ids` are the posts already decided.
    one_use_per_post: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    decided_post_ids: Mapped[list] = mapped_column(JSON, default=list)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
