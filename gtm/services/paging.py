"""Pages of the lists that grow with use: the newest items, and a cursor for the ones before them.

A cursor is the position of the last item a page holds (an id, or a version number); the next page
holds the items before it. Pages are read by keyset (`position < cursor`, newest first, one row more
than the page to tell whether there is another), so a page costs the same however long the list is
and however far back it is, and an item added meanwhile neither repeats nor hides one on a walk to
the end.
"""
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .. import ids
from .errors import Invalid

T = TypeVar("T")

# What the API gives when it is not told, and the most it gives; pages choose their own size.
LIMIT_DEFAULT = 50
LIMIT_MAX = 200


@dataclass
class Page(Generic[T]):
    """Some items of a list; `next` is the cursor of the items after them, None at the end."""

    items: list[T] = field(default_factory=list)
    next: int | None = None
    before: int | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __getitem__(self, index):
        return self.items[index]

    @property
    def older(self) -> bool:
        """True when this is not the newest page."""
        return self.before is not None


def cursor(value, name: str = "before") -> int | None:
    """Read a cursor (None when absent), or raise Invalid naming the parameter."""
    if value is None or value == "":
        return None
    # Positions are ids and version numbers, which fit the database's integer columns.
    found = ids.whole(value, low=1)
    if found is None:
        raise Invalid({name: "Must be the `next` cursor of a page: a whole number from 1."},
                      f"The cursor `{name}` is not one a page gave; leave it out for the newest page.")
    return found


def limit(value, default: int = LIMIT_DEFAULT, name: str = "limit") -> int:
    """Read a page size from 1 to LIMIT_MAX (`default` when absent), or raise Invalid naming the parameter."""
    if value is None or value == "":
        return default
    found = ids.whole(value, low=1, high=LIMIT_MAX)
    if found is None:
        raise Invalid({name: f"Must be a whole number from 1 to {LIMIT_MAX}."},
                      f"`{name}` must be a whole number from 1 to {LIMIT_MAX}.")
    return found


def keyset(query, position, before: int | None, size: int):
    """`query` narrowed to the items before the cursor, newest first, one more than a page."""
    if before is not None:
        query = query.where(position < before)
    return query.order_by(position.desc()).limit(size + 1)


def page_of(rows: list, size: int, before: int | None, position_of) -> Page:
    """Cut the rows read by `keyset` to a page, newest first, with the cursor of what follows."""
    items = list(rows[:size])
    more = len(rows) > size
    return Page(items, position_of(items[-1]) if more and items else None, before)
