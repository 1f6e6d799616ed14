"""Metrics from a CSV file: read and checked into a preview with a problem per bad row, then saved all or none.

The file is a platform's export or the downloadable template: a header line naming the columns (with
common aliases; unknown columns are ignored), comma- or semicolon-separated, UTF-8.
"""
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ...extensions import db
from ...models import Member, Post
from .. import campaigns
from ..csvsafe import read_text_cell, text_cell
from ..errors import Invalid
from .metrics import (
    ALIASES, COLUMNS, CSV_MAX_BYTES, CSV_MAX_TEXT, REQUIRED_COLUMNS, ROWS_MAX, VARIANTS, TooLarge, check,
    save_and_check,
)


@dataclass
class CsvRow:
    line: int
    values: dict[str, str]
    post: Post | None
    errors: dict[str, str]


@dataclass
class CsvPreview:
    """An uploaded CSV read and checked, nothing saved: each row with its problems, or the file's problem."""

    text: str = ""
    rows: list[CsvRow] = field(default_factory=list)
    problem: str = ""
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad(self) -> list[CsvRow]:
        return [row for row in self.rows if row.errors]

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


def preview_csv(workspace_id: int, campaign_id: int, data: bytes | str) -> CsvPreview:
    """Read a CSV of metrics and check every row; nothing is saved."""
    campaigns.get_campaign(workspace_id, campaign_id)
    text = _decode(data)
    if len(text.encode("utf-8")) > CSV_MAX_BYTES:
        raise TooLarge(f"The file is too large; a CSV upload is at most {CSV_MAX_TEXT}.")
    found = CsvPreview(text=text)
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
        elif name:
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
    batch = [{name: (row[index].strip() if index < len(row) else "") for name, index in columns.items()}
             for row in body]
    for values in batch:
        # The template writes a key a spreadsheet would take for a formula with a quote before it.
        values["post"] = read_text_cell(values["post"])
    checked = check(campaign_id, batch, keys=True)
    line_of = _line_numbers(text, delimiter)
    for index, values in enumerate(batch):
        row = checked.rows[index]
        found.rows.append(CsvRow(line=line_of[index + 1] if index + 1 < len(line_of) else index + 2, values=values,
                                 post=checked.posts.get(row.post_id) if row else None,
                                 errors=checked.errors.get(index, {})))
    return found


def _line_numbers(text: str, delimiter: str) -> list[int]:
    """The line each non-empty record starts on, so a problem names the line a spreadsheet shows."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    starts, line = [], 1
    for row in reader:
        if any(cell.strip() for cell in row):
            starts.append(line)
        line = reader.line_num + 1
    return starts


def import_csv(workspace_id: int, campaign_id: int, data: bytes | str) -> int:
    """Check the CSV again and save all its rows in one transaction, or none of them."""
    found = preview_csv(workspace_id, campaign_id, data)
    if found.problem:
        raise Invalid({"file": found.problem})
    if found.bad:
        raise Invalid({"file": f"{len(found.bad):,} of {len(found.rows):,} rows need attention; nothing was "
                               "recorded. Fix them and upload the file again."})
    rows = check(campaign_id, [row.values for row in found.rows], keys=True).rows
    return save_and_check(campaign_id, rows)


def csv_template(workspace_id: int, campaign_id: int) -> tuple[str, str]:
    """Return a CSV template's file name and text: the columns, and a row per current post and variant."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    posts = db.session.scalars(select(Post).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign_id, Member.version == campaign.current_version)
        .order_by(Post.phase, Post.id)) if campaign.current_version else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    day = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    for post in posts:
        for label in VARIANTS:
            # The key is text someone chose, so it is written safe to open; the counts and the spend are
            # numbers a sheet should add up, and gtm's own zeros, so they stay numbers.
            writer.writerow([text_cell(post.key), label, day, 0, 0, 0, "0.00"])
    return f"metrics-template-campaign-{campaign_id}.csv", out.getvalue()
