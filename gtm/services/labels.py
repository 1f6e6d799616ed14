"""How a post is named to a person: "Phase 2, post 3 · Instagram", never its key (p2-c) or a channel's key.

A post's key is the plan's own id for it (the model writes one per post, like p2-c: phase 2, the third post),
which edges and the results CSV join on. On screen the key becomes its number within the phase: the letters
count a, b, c, … z, then aa, ab, … (so p3-k is post 11). A key that is not written that way gives no number,
rather than a wrong one; the phase and the channel are then said without it.

The live text of a plan or a regeneration is the model's JSON as it streams; `plan_lines` reads what has
arrived so far into lines a person can follow: each phase, then each post by its label and title.
"""
import json
import re

from .campaigns import CHANNELS

_KEY = re.compile(r"^[A-Za-z]*\d*-([A-Za-z]{1,3})$")


def channel_name(channel: str) -> str:
    """The channel as the campaign form names it (Instagram, X (Twitter)); an unknown one as it is."""
    return CHANNELS.get(channel, (channel, 0))[0]


def post_number(key: str) -> int | None:
    """The post's number within its phase, read from its key's letters (a → 1, k → 11, aa → 27), or None."""
    found = _KEY.match((key or "").strip())
    if found is None:
        return None
    number = 0
    for letter in found.group(1).lower():
        number = number * 26 + ord(letter) - ord("a") + 1
    return number


def post_label(phase: int | None, key: str, channel: str | None = None) -> str:
    """Name a post for a person: "Phase 2, post 3 · Instagram"; the parts not known are left out."""
    number = post_number(key)
    parts = []
    if phase is not None:
        parts.append(f"Phase {phase}, post {number}" if number else f"Phase {phase}")
    elif number:
        parts.append(f"Post {number}")
    if channel:
        parts.append(channel_name(channel))
    return " · ".join(parts)


class _Partial(str):
    """A string value the stream has not finished yet."""


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)("?)|([{}\[\]:,])|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)')


def _text(raw: str) -> str:
    try:
        return json.loads(f'"{raw}"')
    except ValueError:  # an escape cut off by the stream
        return raw.rsplit("\\", 1)[0].replace('\\"', '"').replace("\\n", " ")


def read_partial(text: str):
    """Read as much of a JSON document as `text` holds: objects and lists still open are kept as they are
    so far, the string still arriving as a `_Partial`. Anything around the JSON is skipped."""
    root = None
    stack: list[list] = []  # [container, key waiting for its value, expecting a key]

    def put(value) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        if isinstance(frame[0], list):
            frame[0].append(value)
        elif frame[1] is not None:
            frame[0][frame[1]] = value
            frame[1] = None

    at = 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None:
            at += 1
            continue
        at = found.end()
        raw, closed, mark, scalar = found.groups()
        if mark in ("{", "["):
            container = {} if mark == "{" else []
            put(container)
            stack.append([container, None, mark == "{"])
        elif mark in ("}", "]"):
            if stack:
                stack.pop()
        elif mark == ",":
            if stack and isinstance(stack[-1][0], dict):
                stack[-1][2] = True
        elif mark == ":":
            if stack:
                stack[-1][2] = False
        elif raw is not None:
            value = _text(raw) if closed else _Partial(_text(raw))
            frame = stack[-1] if stack else None
            if frame is not None and isinstance(frame[0], dict) and frame[2]:
                if closed:
                    frame[1] = value
            else:
                put(value)
        elif scalar is not None:
            put(json.loads(scalar))
    return root


def plan_lines(text: str) -> list[str]:
    """The lines a person follows while a plan streams: "Phase 2 · Launch", then each of its posts as
    "Phase 2, post 3 · Instagram: Its title" and its brief. Edges and days are left out; they name keys."""
    plan = read_partial(text)
    lines: list[str] = []
    if not isinstance(plan, dict) or not isinstance(plan.get("phases"), list):
        return lines
    for phase in plan["phases"]:
        if not isinstance(phase, dict):
            continue
        number = phase.get("number") if isinstance(phase.get("number"), int) else None
        name = phase.get("name").strip() if isinstance(phase.get("name"), str) else ""
        if number is not None or name:
            lines.append(" · ".join(str(part) for part in (f"Phase {number}" if number is not None else "", name)
                                    if part))
        for post in phase.get("posts") or []:
            if not isinstance(post, dict):
                continue
            whole = {field: value for field, value in post.items()
                     if isinstance(value, str) and not isinstance(value, _Partial)}
            label = post_label(number, whole.get("key", ""), whole.get("channel"))
            title = post.get("title").strip() if isinstance(post.get("title"), str) else ""
            if label or title:
                lines.append(f"{label}: {title}" if label and title else label or title)
            brief = post.get("brief").strip() if isinstance(post.get("brief"), str) else ""
            if brief:
                lines.append(brief)
    return [line for line in lines if line.strip()]
