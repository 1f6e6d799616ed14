"""Row locks that make a count checked before an insert hold under concurrent requests."""
from sqlalchemy import update

from ..extensions import db
from ..models import Campaign


def hold_campaign(campaign_id: int) -> None:
    """Hold the campaign's row until the transaction ends.

    An UPDATE that changes nothing still takes the row's lock on PostgreSQL and the write lock on SQLite,
    so a second request that wants to add to the same campaign waits here, then counts what the first added.
    Call it before counting, and commit (or roll back) soon after.
    """
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(id=Campaign.id)
                       .execution_options(synchronize_session=False))
