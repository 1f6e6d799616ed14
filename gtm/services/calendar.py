"""The content calendar: the current strategy version's posts by date, and a post moved to another date.

One rule places a post (`date_of`): the date it was moved to in that version, else the campaign's launch date
(today while it has none) + the post's day. The calendar page, the API, every export and the calendar feed
use it. A move is kept on the post's member row of the current version only (`Member.moved_to`, with who and
when), so an archived version keeps the date it was planned with; a version made later that keeps the post
carries the move (gtm.services.strategy.members.add_members).
"""
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, Member, Phase, Post, User
from ..models._base import utcnow
from . import activity, campaigns, webhooks
from .campaign_changes import update_campaign
from .campaigns import LAUNCH_YEARS
from .errors import Conflict, Invalid, NotFound
from .strategy.context import channel_names
from .strategy.lookups import get_post
from .strategy.review import REVIEW_NAMES

VIEWS = ("month", "week")
# More posts than this on one channel on one day is more than the channel should carry.
POSTS_PER_CHANNEL_DAY = 1


def planned_date(campaign: Campaign, post: Post, today: date) -> date:
    """The date a post was planned for: the launch date (today while there is none) + its day."""
    return (campaign.launch_date or today) + timedelta(days=post.day)


def date_of(campaign: Campaign, member: Member | None, post: Post, today: date) -> date:
    """The post's date in the version `member` belongs to: where it was moved to, else its planned date."""
    if member is not None and member.moved_to is not None:
        return member.moved_to
    return planned_date(campaign, post, today)


def members_of(campaign_id: int, version: int | None) -> dict[int, Member]:
    """The member rows of a version, by post id."""
    if version is None:
        return {}
    return {m.post_id: m for m in db.session.scalars(select(Member).where(Member.campaign_id == campaign_id,
                                                                          Member.version == version))}


def parse_day(raw, field_name: str = "date", label: str = "the date", required: bool = True) -> date | None:
    """Read a date written YYYY-MM-DD within the years a launch date may take, or raise Invalid naming
    `field_name`."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if not required:
            return None
        raise Invalid({field_name: f"Choose {label} (YYYY-MM-DD)."})
    if isinstance(raw, date):
        value = raw
    else:
        text = raw.strip() if isinstance(raw, str) else ""
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            value = date.fromisoformat(text)
        except ValueError:
            raise Invalid({field_name: f"Enter {label} as YYYY-MM-DD, like 2026-05-14."}) from None
    if not LAUNCH_YEARS[0] <= value.year <= LAUNCH_YEARS[1]:
        raise Invalid({field_name: f"{label[0].upper()}{label[1:]} must fall between {LAUNCH_YEARS[0]} and "
                                   f"{LAUNCH_YEARS[1]}."})
    return value


def day_text(day: date, other: date | None = None) -> str:
    """A date as people read it, "12 May", with the year when `other` falls in another year."""
    text = f"{day.day} {day:%B}"
    return f"{text} {day.year}" if other is not None and other.year != day.year else text


# -- Reading the calendar --------------------------------------------------------------------------------------

@dataclass
class Entry:
    """A post of the current version on its date."""

    post: Post
    date: date
    planned: date
    phase_name: str
    channel_name: str
    review_name: str
    moved_by: str | None = None  # the email of whoever moved it
    moved_at: object = None

    @property
    def moved(self) -> bool:
        return self.moved_at is not None or self.date != self.planned


@dataclass
class Day:
    date: date
    entries: list[Entry] = field(default_factory=list)
    in_range: bool = True  # a month grid's days of the weeks around the month are not
    is_today: bool = False

    @property
    def overloaded(self) -> dict[str, int]:
        """The channels with more posts this day than one channel should carry: channel name → posts."""
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.channel_name] = counts.get(entry.channel_name, 0) + 1
        return {name: n for name, n in counts.items() if n > POSTS_PER_CHANNEL_DAY}


@dataclass
class Calendar:
    campaign: Campaign
    view: str
    start: date  # the month's first day, or the week's Monday
    today: date
    weeks: list[list[Day]]
    entries: list[Entry]  # every post of the current version, by date
    previous: date
    next: date

    @property
    def assumed_today(self) -> bool:
        return self.campaign.launch_date is None

    @property
    def title(self) -> str:
        if self.view == "month":
            return f"{self.start:%B} {self.start.year}"
        end = self.start + timedelta(days=6)
        return f"{day_text(self.start, end)} to {day_text(end)} {end.year}"

    @property
    def days(self) -> list[Day]:
        return [day for week in self.weeks for day in week]

    @property
    def shown(self) -> int:
        return sum(len(day.entries) for day in self.days if day.in_range)

    @property
    def overloaded_days(self) -> list[Day]:
        return [day for day in self.days if day.in_range and day.overloaded]

    @property
    def first(self) -> date | None:
        return self.entries[0].date if self.entries else None

    @property
    def last(self) -> date | None:
        return self.entries[-1].date if self.entries else None


def check_view(value) -> str:
    if value in (None, ""):
        return "month"
    if value not in VIEWS:
        raise Invalid({"view": "Choose the view month or week."}, "Unknown calendar view.")
    return value


def entries(campaign: Campaign, today: date, start: date | None = None, end: date | None = None) -> list[Entry]:
    """The current version's posts on their dates, by date (then phase), those from `start` to `end` when given."""
    if campaign.current_version is None:
        return []
    members = members_of(campaign.id, campaign.current_version)
    posts = list(db.session.scalars(select(Post).where(Post.id.in_(list(members)))))
    phases = dict(db.session.execute(select(Phase.number, Phase.name).where(
        Phase.campaign_id == campaign.id, Phase.version == campaign.current_version)).all())
    movers = {m.moved_by_id for m in members.values() if m.moved_by_id}
    emails = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(movers))).all()) if movers else {}
    names = channel_names()
    found = []
    for post in posts:
        member = members[post.id]
        day = date_of(campaign, member, post, today)
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        found.append(Entry(post, day, planned_date(campaign, post, today), phases.get(post.phase, ""),
                           names.get(post.channel, post.channel), REVIEW_NAMES.get(post.review, post.review),
                           emails.get(member.moved_by_id), member.moved_at))
    found.sort(key=lambda e: (e.date, e.post.phase, e.post.id))
    return found


def calendar(workspace_id: int, campaign_id: int, view=None, start=None, today: date | None = None) -> Calendar:
    """The calendar of the campaign's current version: a month (weeks Monday first) or one week, around `start`
    (YYYY-MM-DD; by default the first post's date, or today)."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    view = check_view(view)
    today = today or date.today()
    anchor = parse_day(start, "start", "the start", required=False)
    every = entries(campaign, today)
    if anchor is None:
        anchor = every[0].date if every else today
    if view == "month":
        first = anchor.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        begin = first - timedelta(days=first.weekday())
        end = following - timedelta(days=1)
        end += timedelta(days=6 - end.weekday())
        previous = (first - timedelta(days=1)).replace(day=1)
        in_range = lambda day: day.month == first.month  # noqa: E731
    else:
        first = begin = anchor - timedelta(days=anchor.weekday())
        end, previous, following = begin + timedelta(days=6), begin - timedelta(days=7), begin + timedelta(days=7)
        in_range = lambda day: True  # noqa: E731
    days = {}
    for n in range((end - begin).days + 1):
        day = begin + timedelta(days=n)
        days[day] = Day(day, in_range=in_range(day), is_today=day == today)
    for entry in every:
        if entry.date in days:
            days[entry.date].entries.append(entry)
    ordered = list(days.values())
    weeks = [ordered[n:n + 7] for n in range(0, len(ordered), 7)]
    return Calendar(campaign, view, first, today, weeks, every, previous, following)


@dataclass
class Between:
    campaign: Campaign
    entries: list[Entry]


def posts_between(workspace_id: int, campaign_id: int, start=None, end=None, today: date | None = None) -> Between:
    """The current version's posts on their dates from `start` to `end` (YYYY-MM-DD, both included; either may be
    left out), by date."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    first = parse_day(start, "from", "the first date", required=False)
    last = parse_day(end, "to", "the last date", required=False)
    if first is not None and last is not None and last < first:
        raise Invalid({"to": "The last date must not come before the first date (`from`)."})
    return Between(campaign, entries(campaign, today or date.today(), first, last))


# -- Moving a post ---------------------------------------------------------------------------------------------

@dataclass
class Move:
    post: Post
    old: date
    new: date

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def message(self) -> str:
        if not self.changed:
            return f"“{self.post.title}” is already on {day_text(self.new)}; nothing was changed."
        return f"Moved “{self.post.title}” from {day_text(self.old, self.new)} to {day_text(self.new, self.old)}."


NOT_CURRENT = ("This post is not in the current strategy version (version {current}), so it cannot be moved. "
               "Reload the calendar to see the current posts.")


def move_post(workspace_id: int, campaign_id: int, post_id: int, new_date, actor_id: int | None = None,
              today: date | None = None) -> Move:
    """Move a post of the current version to `new_date` (YYYY-MM-DD). Only the current version's member row
    changes, so older versions keep their dates; moving to the date it has already changes nothing."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    post = get_post(workspace_id, campaign_id, post_id)
    new = parse_day(new_date, "date", "the date to move the post to")
    member = None
    if campaign.current_version is not None:
        member = db.session.scalar(select(Member).where(Member.campaign_id == campaign_id,
                                                        Member.version == campaign.current_version,
                                                        Member.post_id == post.id))
    if member is None:
        if campaign.current_version is None:
            raise NotFound("No such post.")
        raise Conflict(NOT_CURRENT.format(current=campaign.current_version))
    today = today or date.today()
    move = Move(post, date_of(campaign, member, post, today), new)
    if not move.changed:
        return move
    member.moved_to, member.moved_by_id, member.moved_at = new, actor_id or activity.actor(), utcnow()
    post.sequence = (post.sequence or 0) + 1
    activity.record(workspace_id, "post_moved", move.message.removesuffix("."), campaign_id=campaign_id,
                    actor_id=actor_id, subject=post, link=activity.post_path(campaign_id, post.id))
    webhooks.emit(workspace_id, "post.moved", campaign_id, {"post": webhooks.post_data(post),
                                                            "from": move.old.isoformat(), "to": new.isoformat()})
    db.session.commit()
    return move


def set_launch_date(workspace_id: int, campaign_id: int, value):
    """Set the campaign's launch date from the calendar (only that field), YYYY-MM-DD; an empty value is refused."""
    campaigns.get_campaign(workspace_id, campaign_id)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid({"launch_date": "Choose the launch date (YYYY-MM-DD)."})
    return update_campaign(workspace_id, campaign_id, {"launch_date": value})
