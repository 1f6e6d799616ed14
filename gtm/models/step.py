"""Versions of the five analysis steps. A version is never overwritten."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._base import created_at

STEP_KINDS = ("competitors", "customers", "objectives", "mechanics", "costs")


class StepVersion(db.Model):
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "number"),
        # At most one current version per step, held by the database (both SQLite and PostgreSQL).
        Index("uq_step_version_current", "campaign_id", "kind", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column()
    content: Mapped[dict] = mapped_column(JSON)
    # The step form values this version was generated from.
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    feedback: Mapped[str] = mapped_column(Text, default="")
    based_on: Mapped[int | None] = mapped_column()
    # Which version of each earlier step was the context: {"competitors": 2, ...}.
    context_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
    # Who wrote it: the provider ("openai", "offline") and model, with its call's tokens; empty for a hand edit.
    provider: Mapped[str] = mapped_column(String(20), default="")
    model: Mapped[str] = mapped_column(String(80), default="")
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = created_at()
