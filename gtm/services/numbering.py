"""Numbered rows (step versions, variants): the next number, and a commit that survives a race.

Two writers can read the same highest number at the same moment (a job saving its answer and a
person saving a hand edit, say), or mark two rows current at once (a make-current and a job).
A unique constraint refuses the second; it then reads again and writes again instead of failing.
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


def commit_retrying(add: Callable[[], T]) -> T:
    """Call `add` (which reads and writes its rows) and commit; when a unique constraint refused it, do it again."""
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
