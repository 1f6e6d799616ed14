"""Filling in the URL rules of the app's URL map with the ids of real rows."""
import re

import pytest

VALUES = {
    "kind": "competitors", "number": 1, "n": 1, "version": 1, "label": "A", "phase": 1, "phase_num": 1,
}


def url_for_rule(rule: str, ids: dict) -> str:
    def value(match):
        name = match.group(2)
        if name in ids:
            return str(ids[name])
        if name in VALUES:
            return str(VALUES[name])
        pytest.fail(f"no value for the route parameter <{name}> in {rule}: add it to the ids given")
    return re.sub(r"<(?:(\w+):)?(\w+)>", value, rule)
