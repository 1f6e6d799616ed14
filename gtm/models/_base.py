"""Column helpers shared by the model modules."""
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.orm import mapped_column


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def created_at():
    """Return a `created_at` column filled on insert."""
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
