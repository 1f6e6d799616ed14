"""JSON from outside (request bodies, imported files), read so that its shape cannot break the server.

Python's json recurses once per level of nesting, so a body of a hundred thousand brackets raises
RecursionError; it refuses an integer of more than 4,300 digits with a ValueError raised from inside the
parser, which reads as "not JSON" although the JSON is fine; it takes NaN and Infinity, which JSON has
not; and it lets an escaped half of a surrogate pair (`\\ud800`) through as text no database can store.
Each becomes a refusal that says what is wrong: a body nested too deeply, or the fields that cannot be
taken. Nothing in gtm nests more than a few levels, so the depth limit is generous; what is deeper is an
attack or a mistake.
"""
import json
import math

from .errors import Invalid, ServiceError

DEPTH_MAX = 64
DIGITS_MAX = 1000
NOT_UNICODE = "Text cannot hold half of a surrogate pair (\\ud800 to \\udfff alone); send Unicode text."


class TooDeep(ServiceError):
    status = 400

    def __init__(self, limit: int = DEPTH_MAX):
        super().__init__(f"The JSON is nested too deeply: at most {limit} levels of arrays and objects "
                         "inside each other.", f"Nest arrays and objects at most {limit} levels deep.")


class _Refused:
    """Stands in for a number the parser cannot take, until the walk names its field."""

    def __init__(self, problem: str):
        self.problem = problem


def loads(raw: str | bytes, max_depth: int = DEPTH_MAX):
    """Parse JSON text; raise TooDeep, Invalid naming the fields that cannot be taken, or ValueError
    (json.JSONDecodeError) for text that is not JSON."""
    def parse_int(text: str):
        digits = len(text.lstrip("-"))
        return int(text) if digits <= DIGITS_MAX else _Refused(
            f"A number has at most {DIGITS_MAX:,} digits (this has {digits:,}).")

    def parse_float(text: str):
        value = float(text)
        return value if math.isfinite(value) else _Refused(f"{text[:20]} is too large a number.")

    def parse_constant(name: str):
        return _Refused(f"{name} is not a number JSON has.")

    try:
        value = json.loads(raw, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant)
    except RecursionError:
        raise TooDeep(max_depth) from None
    _check(value, max_depth)
    return value


def _check(value, max_depth: int) -> None:
    """Walk the parsed value without recursing: raise TooDeep past `max_depth`, or Invalid naming each refused
    number and each text that is not Unicode by its path (`metrics.0.impressions`; `body` for the whole)."""
    problems: dict[str, str] = {}
    pending = [(value, "", 0)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth >= max_depth:
                raise TooDeep(max_depth)
            for key, child in item.items() if isinstance(item, dict) else enumerate(item):
                if isinstance(key, str) and not _unicode(key):
                    problems[path or "body"] = NOT_UNICODE
                else:
                    pending.append((child, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(item, str) and not _unicode(item):
            problems[path or "body"] = NOT_UNICODE
        elif isinstance(item, _Refused):
            problems[path or "body"] = item.problem
    if problems:
        raise Invalid(dict(sorted(problems.items())), f"Some fields cannot be taken: {', '.join(sorted(problems))}.")


def _unicode(text: str) -> bool:
    """False for text holding half of a surrogate pair (JSON lets `\\ud800` through), which no database stores."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
