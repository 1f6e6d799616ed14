"""Strategy plans that follow every graph rule, for tests and benchmarks."""


def valid_plan(sizes=(3, 3, 3, 3), channels=("linkedin", "email", "instagram"), titles=None, *,
               title_of=lambda key: f"Title of {key}", brief_of=lambda key: f"Brief of {key}",
               goal_of=lambda number: f"Goal of phase {number}",
               name_of=lambda number: f"Phase {number} name") -> dict:
    """A plan that follows every rule: each post joined to the same slot in the next phase, plus a
    branch (slot 0 → slot 1) and a merge (slot 1 → slot 0) between every pair of phases."""
    titles = titles or {}
    phases, keys = [], []
    for number, size in enumerate(sizes, start=1):
        phase_keys = [f"p{number}-{slot}" for slot in range(size)]
        keys.append(phase_keys)
        phases.append({"number": number, "name": name_of(number), "goal": goal_of(number),
                       "posts": [{"key": key, "title": titles.get(key, title_of(key)),
                                  "channel": channels[slot % len(channels)], "brief": brief_of(key),
                                  "day": number * 7 + slot} for slot, key in enumerate(phase_keys)]})
    edges = []
    for before, after in zip(keys, keys[1:]):
        pairs = {(before[min(i, len(before) - 1)], child) for i, child in enumerate(after)}
        pairs |= {(parent, after[min(i, len(after) - 1)]) for i, parent in enumerate(before)}
        if len(before) > 1 and len(after) > 1:
            pairs |= {(before[0], after[1]), (before[1], after[0])}
        edges += [{"from": a, "to": b} for a, b in sorted(pairs)]
    return {"phases": phases, "edges": edges}


def schema_name(body: dict) -> str:
    """The name of the output schema a chat request asks for."""
    return ((body.get("response_format") or {}).get("json_schema") or {}).get("name", "")
