"""Metrics in: rows checked the same way from the post page's form, a CSV upload and the API.

A row names a post, a variant (A or B) and a day, with impressions, clicks, conversions and spend.
Every row of a batch is checked before anything is written; a batch with one bad row writes
nothing, and each problem is named by its row and field. A good batch is saved in one transaction
as upserts: the same post, variant and day again replaces that day's numbers, never adds a row.
Archived posts take metrics too: they may have run before a pivot.
"""
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ... import ids
from ...extensions import db
from ...models import Campaign, Metric, Post
from .. import activity, campaigns, webhooks
from ..errors import Invalid, NotFound, ServiceError

log = logging.getLogger(__name__)

VARIANTS = ("A", "B")
COUNT_MAX = 2_000_000_000
SPEND_MAX = Decimal("999999999999.99")
EARLIEST = date(2000, 1, 1)
ROWS_MAX = 5000
CSV_MAX_BYTES = 1024 * 1024
CSV_MAX_TEXT = "1 MiB"
# The latest calendar day anywhere on Earth (UTC+14): a day someone has already lived through is not "future".
AHEAD = timedelta(hours=14)
COLUMNS = ("post", "variant", "date", "impressions", "clicks", "conversions", "spend")
REQUIRED_COLUMNS = ("post", "variant", "date", "impressions", "clicks")
# Other names a platform's export or a hand-made sheet may use for a column.
ALIASES = {
    "post": "post", "post_key": "post", "post_id": "post", "key": "post", "id": "post",
    "variant": "variant", "label": "variant", "ab": "variant",
    "date": "date", "day": "date",
    "impressions": "impressions", "clicks": "clicks", "conversions": "conversions",
    "spend": "spend", "cost": "spend", "amount_spent": "spend",
}
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")


class TooLarge(ServiceError):
    status = 413


@dataclass(frozen=True)
class Row:
    """A checked metric row, ready to save."""

    post_id: int
    variant: str
    day: date
    impressions: int
    clicks: int
    conversions: int
    spend: Decimal


@dataclass
class Checked:
    """A batch after checking: the good rows, and each bad row's problems by field (keyed by its index)."""

    rows: list[Row | None]
    errors: dict[int, dict[str, str]]
    posts: dict[int, Post]

    @property
    def ok(self) -> bool:
        return not self.errors


def latest_day() -> date:
    return (datetime.now(timezone.utc) + AHEAD).date()


class PostFinder:
    """Find a campaign's posts by id or key; a key names the current version's post, else its only post."""

    def __init__(self, campaign_id: int):
        self.campaign_id = campaign_id
        rows = db.session.scalars(select(Post).where(Post.campaign_id == campaign_id).order_by(Post.id))
        self.by_id = {post.id: post for post in rows}
        self.by_key: dict[str, list[Post]] = {}
        for post in self.by_id.values():
            self.by_key.setdefault(post.key.lower(), []).append(post)

    def find(self, value, *, keys: bool) -> tuple[Post | None, str]:
        """Return the post `value` names, or None with what is wrong."""
        if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
            return None, "Name the post: its key (like p2-a) or its id." if keys else "This field is required."
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            return None, "Must be a post id, as text."
        text = value.strip()
        if ids.whole(text) is not None:
            post = self.by_id.get(ids.whole(text))
            if post is not None:
                return post, ""
        if keys:
            found = self.by_key.get(text.lower(), [])
            current = [post for post in found if post.is_active]
            if len(current) == 1:
                return current[0], ""
            if len(found) == 1:
                return found[0], ""
            if len(found) > 1:
                return None, (f"Several archived posts have the key “{_short(text)}”; use the post id "
                              f"({', '.join(str(post.id) for post in found[:5])}).")
        return None, f"This campaign has no post “{_short(text)}”."


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _count(value, label: str) -> tuple[int | None, str]:
    if isinstance(value, bool):
        return None, f"{label} must be a whole number, 0 or more."
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        if re.fullmatch(r"-\d+", text):
            return None, f"{label} cannot be negative."
        if not (text.isascii() and text.isdigit()):
            return None, (f"{label} is required; write 0 when there were none." if not text
                          else f"{label} must be a whole number, 0 or more (not “{_short(text, 20)}”).")
        # Python refuses to read an integer of thousands of digits; one longer than the limit is too large anyway.
        number = int(text) if len(text.lstrip("0")) <= len(str(COUNT_MAX)) else COUNT_MAX + 1
    elif value is None:
        return None, f"{label} is required; write 0 when there were none."
    else:
        return None, f"{label} must be a whole number, 0 or more."
    if number < 0:
        return None, f"{label} cannot be negative."
    if number > COUNT_MAX:
        return None, f"{label} is at most {COUNT_MAX:,} per post, variant and day."
    return number, ""


def _spend(value) -> tuple[Decimal | None, str]:
    problem = "Spend must be an amount, 0 or more, with at most 2 decimals, like 12.50."
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0"), ""
    if isinstance(value, bool):
        return None, problem
    if isinstance(value, (int, float)):
        value = repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        return None, problem
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    if text.startswith("-"):
        return None, "Spend cannot be negative."
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None, problem
    # Decimal's 28 digits of precision cannot round an amount of more whole digits: it raises instead.
    if len(text.partition(".")[0].lstrip("0")) > len(str(int(SPEND_MAX))):
        return None, f"Spend is at most {SPEND_MAX:,}."
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, problem
    if amount != amount.quantize(Decimal("0.01")):
        return None, problem
    if amount > SPEND_MAX:
        return None, f"Spend is at most {SPEND_MAX:,}."
    return amount.quantize(Decimal("0.01")), ""


def _day(value, read_day=None) -> tuple[date | None, str]:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    elif read_day is not None and isinstance(value, str) and value.strip():
        day, problem = read_day(value)
        if problem:
            return None, problem
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            return None, f"“{_short(value.strip(), 20)}” is not a date on the calendar; write YYYY-MM-DD."
    elif value is None or (isinstance(value, str) and not value.strip()):
        return None, "The date is required, as YYYY-MM-DD."
    else:
        shown = _short(value.strip(), 20) if isinstance(value, str) else str(value)[:20]
        return None, f"Write the date as YYYY-MM-DD, like 2026-11-02 (not “{shown}”)."
    if day > latest_day():
        return None, f"{day.isoformat()} is in the future; record results for days that have happened."
    if day < EARLIEST:
        return None, f"{day.isoformat()} is too early; dates start at {EARLIEST.isoformat()}."
    return day, ""


def _variant(value) -> tuple[str | None, str]:
    if isinstance(value, str) and value.strip().upper() in VARIANTS:
        return value.strip().upper(), ""
    return None, "The variant must be A or B."


def check_row(values: dict, finder: PostFinder, *, keys: bool, post_field: str = "post",
              read_day=None) -> tuple[Row | None, dict]:
    """Check one row's values; return the row, or None and each field's problem.

    `read_day` reads a date's text into (day, problem) where more forms than YYYY-MM-DD are taken (the CSV)."""
    errors: dict[str, str] = {}
    post, problem = finder.find(values.get(post_field), keys=keys)
    if problem:
        errors[post_field] = problem
    variant, problem = _variant(values.get("variant"))
    if problem:
        errors["variant"] = problem
    day, problem = _day(values.get("date"), read_day)
    if problem:
        errors["date"] = problem
    counts = {}
    for name, label in (("impressions", "Impressions"), ("clicks", "Clicks"), ("conversions", "Conversions")):
        raw = values.get(name)
        if name == "conversions" and (raw is None or (isinstance(raw, str) and not raw.strip())):
            raw = 0
        counts[name], problem = _count(raw, label)
        if problem:
            errors[name] = problem
    spend, problem = _spend(values.get("spend"))
    if problem:
        errors["spend"] = problem
    impressions, clicks, conversions = counts["impressions"], counts["clicks"], counts["conversions"]
    if impressions is not None and clicks is not None and clicks > impressions:
        errors["clicks"] = f"Clicks ({clicks:,}) cannot be more than impressions ({impressions:,})."
    if clicks is not None and conversions is not None and conversions > clicks:
        errors["conversions"] = f"Conversions ({conversions:,}) cannot be more than clicks ({clicks:,})."
    if errors:
        return None, errors
    return Row(post.id, variant, day, impressions, clicks, conversions, spend), {}


def check(campaign_id: int, batch: list[dict], *, keys: bool, post_field: str = "post", read_day=None) -> Checked:
    """Check every row of a batch, and that no two rows name the same post, variant and day."""
    finder = PostFinder(campaign_id)
    rows: list[Row | None] = []
    errors: dict[int, dict[str, str]] = {}
    seen: dict[tuple, int] = {}
    for index, values in enumerate(batch):
        if not isinstance(values, dict):
            rows.append(None)
            errors[index] = {"row": "Each metric must be an object."}
            continue
        row, problems = check_row(values, finder, keys=keys, post_field=post_field, read_day=read_day)
        rows.append(row)
        if problems:
            errors[index] = problems
            continue
        where = (row.post_id, row.variant, row.day)
        if where in seen:
            errors[index] = {"row": f"Repeats the post, variant and date of row {seen[where] + 1}; "
                                    "keep one row for each."}
        else:
            seen[where] = index
    return Checked(rows, errors, finder.by_id)


def save(campaign_id: int, rows: list[Row], how: str = "") -> int:
    """Upsert the rows in one transaction: a repeated post, variant and day replaces that day's numbers; `how`
    ends the history's sentence (" from a CSV file")."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    now = datetime.now(timezone.utc)
    values = [{"campaign_id": campaign_id, "post_id": row.post_id, "variant": row.variant, "day": row.day,
               "impressions": row.impressions, "clicks": row.clicks, "conversions": row.conversions,
               "spend": row.spend, "created_at": now, "updated_at": now} for row in rows]
    try:
        for start in range(0, len(values), 500):
            statement = insert(Metric).values(values[start:start + 500])
            statement = statement.on_conflict_do_update(
                index_elements=[Metric.post_id, Metric.variant, Metric.day],
                set_={name: statement.excluded[name]
                      for name in ("impressions", "clicks", "conversions", "spend", "updated_at")})
            db.session.execute(statement)
        activity.record(db.session.get(Campaign, campaign_id).workspace_id, "results_recorded",
                        f"Recorded {len(rows):,} day{'s' if len(rows) != 1 else ''} of results{how}",
                        campaign_id=campaign_id, link=activity.results_path(campaign_id))
        webhooks.emit(db.session.get(Campaign, campaign_id).workspace_id, "metrics.recorded", campaign_id,
                      {"metrics": webhooks.metric_rows(rows)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("campaign %s: recorded %s metric rows", campaign_id, len(rows))
    return len(rows)


def record_metrics(workspace_id: int, campaign_id: int, batch) -> int:
    """Check and save a batch sent through the API (`post_id` per row); all rows or none."""
    campaigns.get_campaign(workspace_id, campaign_id)
    if not isinstance(batch, list):
        raise Invalid({"metrics": "Must be a list of metric rows." if batch is not None else "This field is required."})
    if not batch:
        raise Invalid({"metrics": "Send at least one metric row."})
    if len(batch) > ROWS_MAX:
        raise Invalid({"metrics": f"Send at most {ROWS_MAX:,} rows at a time (this has {len(batch):,})."})
    checked = check(campaign_id, batch, keys=False, post_field="post_id")
    if not checked.ok:
        raise Invalid({f"metrics.{index}.{name}": problem
                       for index, problems in checked.errors.items() for name, problem in problems.items()},
                      f"{len(checked.errors):,} of {len(batch):,} rows need attention; nothing was recorded.")
    return save_and_check(campaign_id, checked.rows)


def record_day(workspace_id: int, campaign_id: int, post_id: int, values: dict) -> Row:
    """Check and save one day of one variant from the post page's form; the errors name the form's fields."""
    campaigns.get_campaign(workspace_id, campaign_id)
    post = db.session.get(Post, post_id)
    if post is None or post.campaign_id != campaign_id:
        raise NotFound("No such post.")
    finder = PostFinder(campaign_id)
    row, problems = check_row({**values, "post": str(post.id)}, finder, keys=False)
    if problems:
        raise Invalid(problems)
    save_and_check(campaign_id, [row], f" for “{post.title}”, variant {row.variant}")
    return row


def save_and_check(campaign_id: int, rows: list[Row], how: str = "") -> int:
    """Save the rows, then judge the campaign's triggers on them.

    The rows are saved either way: a check that fails is logged, and the scheduled check judges them later."""
    from . import judging

    count = save(campaign_id, rows, how)
    try:
        judging.check_campaign(campaign_id)
    except Exception:
        db.session.rollback()
        log.exception("campaign %s: checking triggers after new metrics failed; the scheduled check will retry",
                      campaign_id)
    return count
