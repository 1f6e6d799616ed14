"""Dates as platforms' exports write them, for the CSV upload: 2026-12-04, 12/04/2026, 04.12.2026, Dec 4, 2026,
4 Dec 2026.

A date of numbers only (12/04/2026) reads two ways when both numbers could be a month. The order is never guessed:
a file that writes a day over 12 somewhere (25/04/2026) shows its own order, else the person chooses it on the
upload form. The API and the post page's form keep to YYYY-MM-DD.
"""
import re
from dataclasses import dataclass
from datetime import date

DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
ORDERS = {DAY_FIRST: "day first (31/12/2026)", MONTH_FIRST: "month first (12/31/2026)"}

MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), start=1) for name in names}
ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
NUMBERS = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
MONTH_DAY = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]+)\.?,?[\s\-]+(\d{4})")
FORMS = "YYYY-MM-DD, like 2026-11-02 (also 11/02/2026, 02.11.2026, Nov 2, 2026 or 2 Nov 2026)"


@dataclass(frozen=True)
class Read:
    """A date read from text: the day, or what is wrong; `ambiguous` when only the order of day and month is missing."""

    day: date | None = None
    problem: str = ""
    ambiguous: bool = False


def numeric_order(text: str) -> str | None:
    """The order a numbers-only date shows by itself (a first number over 12 is a day), or None."""
    match = NUMBERS.fullmatch(text.strip())
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(3))
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    return None


def read(text: str, order: str | None) -> Read:
    """Read `text` as a date; a numbers-only date whose order matters needs `order`."""
    text = text.strip()
    shown = text if len(text) <= 20 else text[:19] + "…"
    if match := ISO.fullmatch(text):
        return _on_calendar(shown, int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := NUMBERS.fullmatch(text):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if first == second:
            return _on_calendar(shown, year, first, second)
        own = numeric_order(text)
        if own is None and order is None:
            return Read(problem=f"“{shown}” can be read day first or month first; choose which on the form.",
                        ambiguous=True)
        if own is not None and order is not None and own != order:
            return Read(problem=f"“{shown}” is not a date read {ORDERS[order].split(' (')[0]}, as chosen for this file.")
        day_first = (own or order) == DAY_FIRST
        return _on_calendar(shown, year, second if day_first else first, first if day_first else second)
    for pattern, month_at, day_at in ((MONTH_DAY, 1, 2), (DAY_MONTH, 2, 1)):
        if match := pattern.fullmatch(text):
            month = MONTHS.get(match.group(month_at).lower())
            if month is None:
                return Read(problem=f"“{_short(match.group(month_at))}” is not a month; write the date as {FORMS}.")
            return _on_calendar(shown, int(match.group(3)), month, int(match.group(day_at)))
    return Read(problem=f"Write the date as {FORMS} (not “{shown}”).")


def _on_calendar(shown: str, year: int, month: int, day: int) -> Read:
    try:
        return Read(day=date(year, month, day))
    except ValueError:
        return Read(problem=f"“{shown}” is not a date on the calendar.")


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
