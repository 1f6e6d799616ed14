"""The API's calendar: the current version's posts by date, and a post moved to another date."""
from typing import Any, Literal

from pydantic import Field

from ...models.strategy import REVIEW_STATES
from ...services import calendar
from ...services.campaigns import CHANNELS, LAUNCH_YEARS
from .answers import Answer, Attributes, Day, IdText, answer
from .blueprint import bp, user, workspace
from .fields import Body, passed_on
from .parsing import documented
from .strategy import Post

DAY = {"type": "string", "format": "date", "description": f"YYYY-MM-DD, in the years {LAUNCH_YEARS[0]} to "
                                                          f"{LAUNCH_YEARS[1]}"}


class CalendarQuery(Body):
    """The dates to list the posts of, both included; every post when left out."""

    from_: Any = Field(None, alias="from", json_schema_extra={**DAY, "description": "The first date, YYYY-MM-DD"})
    to: Any = passed_on({**DAY, "description": "The last date, YYYY-MM-DD"})


class CalendarPost(Answer):
    """A post of the current version on its date."""

    id: IdText
    date: Day = Field(description="Where it was moved to on the calendar, else the launch date (today while "
                                  "there is none) + its day")
    channel: Literal[tuple(CHANNELS)]
    phase: int
    review: Literal[REVIEW_STATES]
    title: str
    moved: bool = Field(description="Moved on the calendar from its planned date")


class CalendarAnswer(Answer):
    """The current version's posts by date."""

    launch_date: Day = Field(description="Null while the campaign has none: the dates then assume the launch is "
                                         "today")
    posts: list[CalendarPost]


class MoveInput(Body):
    """Where the post goes."""

    date: Any = passed_on({**DAY, "description": "The post's new date, YYYY-MM-DD"})


class MovedPost(Post):
    """The post, on its new date."""

    date: Day = Field(description="Its date now, YYYY-MM-DD")


@bp.get("/campaigns/<int:campaign_id>/calendar")
@documented({200: CalendarAnswer}, query=CalendarQuery)
def campaign_calendar(campaign_id: int, query: CalendarQuery):
    """Return the current version's posts on their dates, from `from` to `to` when given, by date."""
    found = calendar.posts_between(workspace(), campaign_id, query.from_, query.to)
    return answer(CalendarAnswer(launch_date=found.campaign.launch_date, posts=[
        CalendarPost.model_validate(Attributes(entry.post, date=entry.date, moved=entry.moved))
        for entry in found.entries]))


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/move")
@documented({200: MovedPost}, body=MoveInput, errors=(409,))
def move_post(campaign_id: int, post_id: int, body: MoveInput):
    """Move a post of the current version to another date; older versions keep theirs. Moving a post to the
    date it has changes nothing."""
    move = calendar.move_post(workspace(), campaign_id, post_id, body.date, user().id)
    return answer(MovedPost.model_validate(Attributes(move.post, date=move.new)))
