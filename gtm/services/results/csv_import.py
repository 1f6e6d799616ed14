"""Metrics from a CSV file: read and checked into a preview with a problem per bad row, then saved all or none.

The file is a platform's export or the downloadable template: a header line naming the columns (with
common aliases; unknown columns, like the template's post title, are ignored), comma- or semicolon-separated,
UTF-8. A row without numbers is skipped: the template lists every post and variant with its numbers empty.
A row that would change numbers already recorded for its post, variant and day is marked in the preview with
the old and new numbers, and is saved only when the person confirms replacing that many days.
"""
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ...extensions import db
from ...models import Member, Metric, Post
from .. import campaigns
from ..csvsafe import read_text_cell, text_cell
from ..errors import Invalid
from . import dates
from .metrics import (
    ALIASES, COLUMNS, CSV_MAX_BYTES, CSV_MAX_TEXT, REQUIRED_COLUMNS, ROWS_MAX, VARIANTS, Row, TooLarge, check,
    save_and_check,
)

NUMBER_COLUMNS = ("impressions", "clicks", "conversions", "spend")
# The template's title column helps the person find the post; the import reads the key and says nothing of it.
QUIET_COLUMNS = {"title", "post_title"}
TEMPLATE_COLUMNS = ("post", "title", *COLUMNS[1:])


@dataclass
class CsvRow:
    line: int
    values: dict[str, str]
    post: Post | None
    errors: dict[str, str]
    row: Row | None = None
    # The numbers already recorded for the row's post, variant and day, when the row would change them.
    old: Metric | None = None


@dataclass
class CsvPreview:
    """An uploaded CSV read and checked, nothing saved: each row with its problems, or the file's problem."""

    text: str = ""
    rows: list[CsvRow] = field(default_factory=list)
    problem: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    order: str = ""
    # The line whose date showed the file's order of day and month, when the person did not choose it.
    order_line: int | None = None
    ambiguous: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def bad(self) -> list[CsvRow]:
        return [row for row in self.rows if row.errors]

    @property
    def replacing(self) -> list[CsvRow]:
        return [row for row in self.rows if row.old is not None]

    @property
    def ok(self) -> bool:
        return not self.problem and bool(self.rows) and not self.bad


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if len(data) > CSV_MAX_BYTES:
        raise TooLarge(f"The file is too large: {len(data):,} bytes; a CSV upload is at most {CSV_MAX_TEXT} "
                       f"({CSV_MAX_BYTES:,} bytes). Split it into smaller files.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid({"file": "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."}) from None


def preview_csv(workspace_id: int, campaign_id: int, data: bytes | str, order: str | None = None) -> CsvPreview:
    """Read a CSV of metrics and check every row; nothing is saved.

    `order` settles dates of numbers only that read both ways (04/05/2026): dates.DAY_FIRST or MONTH_FIRST."""
    campaigns.get_campaign(workspace_id, campaign_id)
    order = _order(order)
    text = _decode(data)
    if len(text.encode("utf-8")) > CSV_MAX_BYTES:
        raise TooLarge(f"The file is too large; a CSV upload is at most {CSV_MAX_TEXT}.")
    found = CsvPreview(text=text, order=order or "")
    lines = text.splitlines()
    if not text.strip():
        found.problem = "The file is empty. Download the template, fill it in and upload it."
        return found
    header_line = next(line for line in lines if line.strip())
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        found.problem = f"The file is not a readable CSV ({error}). Download the template and start from it."
        return found
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        found.problem = ("The file has no values, only separators or blank cells. Download the template, "
                         "fill it in and upload it.")
        return found
    header = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in rows[0]]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        known = ALIASES.get(name)
        if known and known not in columns:
            columns[known] = index
        elif name and name not in QUIET_COLUMNS:
            found.ignored_columns.append(rows[0][index].strip())
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found.problem = (f"The first line must name the columns; {', '.join(missing)} "
                         f"{'is' if len(missing) == 1 else 'are'} missing. The columns are: {', '.join(COLUMNS)}. "
                         "Download the template to start from it.")
        return found
    body = rows[1:]
    if not body:
        found.problem = "The file has its column names but no rows of numbers."
        return found
    if len(body) > ROWS_MAX:
        found.problem = f"The file has {len(body):,} rows; upload at most {ROWS_MAX:,} at a time."
        return found
    line_of = _line_numbers(text, delimiter)
    batch, batch_lines = [], []
    for index, row in enumerate(body):
        values = {name: (row[at].strip() if at < len(row) else "") for name, at in columns.items()}
        line = line_of[index + 1] if index + 1 < len(line_of) else index + 2
        if not any(values.get(name) for name in NUMBER_COLUMNS):
            found.skipped.append(line)
            continue
        # The template writes a key a spreadsheet would take for a formula with a quote before it.
        values["post"] = read_text_cell(values["post"])
        batch.append(values)
        batch_lines.append(line)
    if not batch:
        found.problem = (f"None of the {len(body):,} rows has numbers, so there is nothing to record. Fill in "
                         "impressions and clicks (and conversions and spend) for the days you ran, then upload the "
                         "file again.")
        return found
    if not _settle_order(found, batch, batch_lines):
        return found
    checked = check(campaign_id, batch, keys=True, read_day=_reader(found.order or None))
    for index, values in enumerate(batch):
        row = checked.rows[index]
        errors = checked.errors.get(index, {})
        found.rows.append(CsvRow(line=batch_lines[index], values=values, errors=errors,
                                 post=checked.posts.get(row.post_id) if row else None, row=None if errors else row))
        if dates.read(values["date"], found.order or None).ambiguous:
            found.ambiguous.append(batch_lines[index])
    _mark_replacements(campaign_id, found)
    return found


def _order(order: str | None) -> str | None:
    if order in (None, ""):
        return None
    if order not in dates.ORDERS:
        raise Invalid({"day_order": "Choose whether dates are written day first or month first."})
    return order


def _settle_order(found: CsvPreview, batch: list[dict], lines: list[int]) -> bool:
    """Take the order of day and month a file's own dates show (a day over 12) when the person chose none;
    a file that shows both orders is refused, as its dates cannot all be read one way."""
    if found.order:
        return True
    shown: dict[str, int] = {}
    for values, line in zip(batch, lines):
        own = dates.numeric_order(values.get("date", ""))
        if own:
            shown.setdefault(own, line)
    if len(shown) > 1:
        found.problem = (f"The file writes dates in two orders: line {shown[dates.DAY_FIRST]} day first, line "
                         f"{shown[dates.MONTH_FIRST]} month first. Write every date one way, like 2026-12-04, "
                         "and upload the file again.")
        return False
    for own, line in shown.items():
        found.order, found.order_line = own, line
    return True


def _reader(order: str | None):
    def read_day(text: str):
        read = dates.read(text, order)
        return read.day, read.problem
    return read_day


def _mark_replacements(campaign_id: int, found: CsvPreview) -> None:
    """Mark each good row that would change numbers already recorded; a row recorded with the same numbers
    changes nothing and is only counted."""
    good = [row for row in found.rows if row.row is not None]
    if not good:
        return
    recorded = {(metric.post_id, metric.variant, metric.day): metric for metric in db.session.scalars(
        select(Metric).where(Metric.campaign_id == campaign_id,
                             Metric.post_id.in_({row.row.post_id for row in good}),
                             Metric.day.in_({row.row.day for row in good})))}
    for row in good:
        metric = recorded.get((row.row.post_id, row.row.variant, row.row.day))
        if metric is None:
            continue
        if (metric.impressions, metric.clicks, metric.conversions, metric.spend) == (
                row.row.impressions, row.row.clicks, row.row.conversions, row.row.spend):
            found.unchanged += 1
        else:
            row.old = metric


def _line_numbers(text: str, delimiter: str) -> list[int]:
    """The line each non-empty record starts on, so a problem names the line a spreadsheet shows."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    starts, line = [], 1
    for row in reader:
        if any(cell.strip() for cell in row):
            starts.append(line)
        line = reader.line_num + 1
    return starts


def import_csv(workspace_id: int, campaign_id: int, data: bytes | str, *, order: str | None = None,
               replace: int = 0) -> int:
    """Check the CSV again and save all its rows in one transaction, or none of them.

    `replace` is the number of recorded days the person confirmed replacing; unless it is the number the file
    would replace now, nothing is saved."""
    found = preview_csv(workspace_id, campaign_id, data, order)
    if found.problem:
        raise Invalid({"file": found.problem})
    if found.bad:
        raise Invalid({"file": f"{len(found.bad):,} of {len(found.rows):,} rows need attention; nothing was "
                               "recorded. Fix them and upload the file again."})
    count = len(found.replacing)
    if count and replace != count:
        days = f"{count:,} day{'s' if count != 1 else ''}"
        raise Invalid({"replace": f"{days} of this file {'are' if count != 1 else 'is'} already recorded with "
                                  f"other numbers; nothing was recorded. Tick “Replace {days} already recorded” "
                                  "to save the new numbers over them, or take those rows out of the file."})
    return save_and_check(campaign_id, [row.row for row in found.rows], " from a CSV file")


def csv_template(workspace_id: int, campaign_id: int) -> tuple[str, str]:
    """Return a CSV template's file name and text: the columns, and a row per current post and variant with
    its title beside the key and its numbers empty (a row left empty is skipped, never saved as zeros)."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    posts = db.session.scalars(select(Post).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign_id, Member.version == campaign.current_version)
        .order_by(Post.phase, Post.id)) if campaign.current_version else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS)
    day = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    for post in posts:
        for label in VARIANTS:
            # The key and the title are text someone chose, so they are written safe to open in a sheet.
            writer.writerow([text_cell(post.key), text_cell(post.title), label, day, "", "", "", ""])
    return f"metrics-template-campaign-{campaign_id}.csv", out.getvalue()
