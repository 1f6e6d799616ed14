"""Numbered rows (step versions, variants): the next number, and a commit that survives a race for it.

Two writers can read the same highest number at the same moment (a job saving its answer and a
person saving a hand edit, say). The unique constraint refuses the second; it then takes the
next number instead of failing.
"""
from typing import Callable, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db

T = TypeVar("T")
ATTEMPTS = 3


def next_number(column, *where) -> int:
    """Return one past the highest `column` among the rows matching `where`."""
    return (db.session.scalar(select(func.max(column)).where(*where)) or 0) + 1


def commit_numbered(add: Callable[[], T]) -> T:
    """Call `add` (which numbers and adds a row) and commit; when the number was taken meanwhile, add again."""
    for attempt in range(ATTEMPTS):
        row = add()
        try:
            db.session.commit()
            return row
        except IntegrityError:
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
