"""Ids in URLs and query strings: `<int:...>` in every rule, and `?version=`-like numbers, name something only
when they fit the database's integer column."""
from flask import request
from werkzeug.routing import IntegerConverter

from ..ids import ID_MAX, ID_PATTERN, whole
from ..services.errors import NotFound


class IdConverter(IntegerConverter):
    """Integer ids that fit the database's integer column; anything larger is simply not found."""

    # A larger number must not match the URL at all: werkzeug checks the method before it converts, so
    # when a path has a GET rule and a POST rule, a number refused by `max` would answer 405, not 404.
    regex = ID_PATTERN

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def number_arg(name: str) -> int | None:
    """Read a number (a version, say) from the query string: None when absent, 404 when it names nothing."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    number = whole(raw)
    if number is None or not raw.isascii() or not raw.isdigit():
        raise NotFound(f"There is no {name} '{raw[:20]}'.")
    return number
