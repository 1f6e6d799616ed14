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
    return {"phases": phases, "edges": _edges(keys)}


def valid_regeneration(from_phase, kept_keys_of_previous_phase=(), sizes=(3, 3),
                       channels=("linkedin", "email", "instagram"), *, prefix="r",
                       title_of=lambda key: f"Title of {key}", brief_of=lambda key: f"Brief of {key}",
                       goal_of=lambda number: f"New goal of phase {number}",
                       name_of=lambda number: f"New phase {number}") -> dict:
    """A regeneration from `from_phase` that follows every rule on the combined graph: new phases numbered
    from `from_phase`, keys `{prefix}{phase}-{slot}` (pick a prefix no kept key starts with), and the same
    joins as valid_plan, starting from the kept posts of the phase before (none when `from_phase` is 1)."""
    kept = list(kept_keys_of_previous_phase)
    if (from_phase > 1) != bool(kept):
        raise ValueError("the kept keys of phase N-1 are needed exactly when N > 1")
    phases, keys = [], [kept] if kept else []
    for number, size in enumerate(sizes, start=from_phase):
        phase_keys = [f"{prefix}{number}-{slot}" for slot in range(size)]
        if set(phase_keys) & set(kept):
            raise ValueError(f"prefix {prefix!r} makes keys that collide with kept keys")
        keys.append(phase_keys)
        phases.append({"number": number, "name": name_of(number), "goal": goal_of(number),
                       "posts": [{"key": key, "title": title_of(key), "channel": channels[slot % len(channels)],
                                  "brief": brief_of(key), "day": number * 7 + slot}
                                 for slot, key in enumerate(phase_keys)]})
    return {"phases": phases, "edges": _edges(keys)}


def _edges(keys: list[list[str]]) -> list[dict]:
    """Each post joined to the same slot in the next phase, plus a branch (slot 0 → slot 1) and a merge
    (slot 1 → slot 0) between every pair of phases that both have two posts or more."""
    edges = []
    for before, after in zip(keys, keys[1:]):
        pairs = {(before[min(i, len(before) - 1)], child) for i, child in enumerate(after)}
        pairs |= {(parent, after[min(i, len(after) - 1)]) for i, parent in enumerate(before)}
        if len(before) > 1 and len(after) > 1:
            pairs |= {(before[0], after[1]), (before[1], after[0])}
        edges += [{"from": a, "to": b} for a, b in sorted(pairs)]
    return edges


def schema_name(body: dict) -> str:
    """The name of the output schema a chat request asks for."""
    return ((body.get("response_format") or {}).get("json_schema") or {}).get("name", "")
