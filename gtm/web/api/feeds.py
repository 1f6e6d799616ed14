"""The API's calendar feed: a campaign's secret ICS address for calendar apps, made anew (the old address stops
working) or turned off, by owners and editors."""
from pydantic import Field

from ...services import calendar_feed
from ..feeds import addresses
from .answers import Answer, answer
from .blueprint import bp, user, workspace
from .parsing import documented


class FeedMade(Answer):
    """A new feed address: anyone who has `url` reads the campaign's current strategy as an ICS calendar, with
    no log-in, until a new address replaces it or it is turned off. It is answered only here, once."""

    url: str = Field(description="The feed's address (https, or http without a proxy)")
    webcal_url: str = Field(description="The same address as webcal://, which opens a calendar app to subscribe")


@bp.post("/campaigns/<int:campaign_id>/feed")
@documented({201: FeedMade}, errors=(403, 409))
def create_calendar_feed(campaign_id: int):
    """Make the campaign's calendar feed address, replacing the one it had (owners and editors)."""
    shown = addresses(calendar_feed.create(workspace(), campaign_id, user().id))
    return answer(FeedMade(url=shown["new_url"], webcal_url=shown["webcal_url"]), 201)


@bp.delete("/campaigns/<int:campaign_id>/feed")
@documented({204: None}, errors=(403,))
def revoke_calendar_feed(campaign_id: int):
    """Turn the campaign's calendar feed off: its address answers 404 from then on; 404 when it has none."""
    calendar_feed.revoke(workspace(), campaign_id, user().id)
    return "", 204
