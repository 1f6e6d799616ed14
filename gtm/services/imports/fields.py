"""The fields of an export, checked as the product's other ways in check them; errors are collected by path."""
from datetime import date
from types import SimpleNamespace

from .. import graph, media
from ...models import STEP_KINDS
from ...models.strategy import POST_STATUSES, REVIEW_STATES
from ..errors import Invalid
from ..exports import VARIANT_LABELS
from ..steps import STEP_FEEDBACK_MAX, clean_inputs, spec_for
from ..steps import content as step_content
from ..strategy.context import HASHTAGS_MAX, body_limit
from ..strategy.variants import CALL_TO_ACTION_MAX, HASHTAG_MAX, HEADLINE_MAX, IMAGE_PROMPT_MAX

PHASE_NAME_MAX = 120  # the column
PROVIDER_MAX, MODEL_MAX = 20, 80  # the columns
# Every post of a phase joined to every post of the next, across the largest strategy a regeneration makes.
EDGES_MAX = (graph.REGENERATE_PHASES_MAX - 1) * graph.POSTS_MAX ** 2


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value, path: str, errors: dict, limit: int, *, required: bool = False) -> str:
    """Return the text trimmed, as the other ways in save it; a problem is recorded under `path`."""
    if not isinstance(value, str):
        errors[path] = "This field is required." if value is None else "Must be text."
        return ""
    value = value.strip()
    if required and not value:
        errors[path] = "Must not be empty."
    elif len(value) > limit:
        errors[path] = f"At most {limit:,} characters (this has {len(value):,})."
    return value


def _objects(value, path: str, errors: dict, limit: int) -> list[dict]:
    """A list of objects, refused whole when longer than the product allows, before any item is read."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors[path] = "Must be a list of objects."
        return []
    if len(value) > limit:
        errors[path] = f"At most {limit:,} items (this has {len(value):,})."
        return []
    return value


def _steps(value, facts: dict, errors: dict) -> list[dict]:
    found = []
    for n, step in enumerate(_objects(value, "steps", errors, len(STEP_KINDS))):
        at = f"steps[{n}]"
        kind = step.get("kind")
        if kind not in STEP_KINDS:
            errors[f"{at}.kind"] = f"Must be one of {', '.join(STEP_KINDS)}."
            continue
        if any(s["kind"] == kind for s in found):
            errors[f"{at}.kind"] = f"The step {kind} appears twice."
            continue
        spec = spec_for(kind)
        inputs = _step_inputs(spec, step.get("inputs"), f"{at}.inputs", errors)
        found.append({"kind": kind, "content": _step_content(spec, step.get("content"), inputs, facts,
                                                               f"{at}.content", errors),
                      "inputs": inputs,
                      "feedback": _text(step.get("feedback", ""), f"{at}.feedback", errors, STEP_FEEDBACK_MAX),
                      "edited": step.get("edited") is True,
                      "provider": _text(step.get("provider", ""), f"{at}.provider", errors, PROVIDER_MAX),
                      "model": _text(step.get("model", ""), f"{at}.model", errors, MODEL_MAX)})
    return found


def _step_inputs(spec, value, at: str, errors: dict) -> dict:
    """The step form's values, checked as the step form checks them."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        errors[at] = "Must be an object."
        return {}
    try:
        return clean_inputs(spec, value)
    except Invalid as error:
        errors.update({f"{at}.{name}": problem for name, problem in error.fields.items()})
        return {}


def _step_content(spec, value, inputs: dict, facts: dict, at: str, errors: dict) -> dict | None:
    """The content as a hand edit saves it: checked against the step's schema, then finished (cost totals are
    computed again, never taken from the file), so every page can show it."""
    if not isinstance(value, dict):
        errors[at] = "Must be an object with the step's fields."
        return None
    checked, problems = step_content.validate(spec.schema, value)
    if problems:
        errors.update({at if name == "content" else f"{at}.{name}": problem for name, problem in problems.items()})
        return None
    return spec.finished(checked.model_dump(mode="json"), inputs, facts)


def _phases(value, channels: list[str], workspace_id: int, errors: dict) -> list[dict]:
    found = []
    for n, phase in enumerate(_objects(value, "phases", errors, graph.REGENERATE_PHASES_MAX)):
        at = f"phases[{n}]"
        number = phase.get("number")
        if not _whole(number):
            errors[f"{at}.number"] = "Must be a whole number."
        posts = _objects(phase.get("posts"), f"{at}.posts", errors, graph.POSTS_MAX)
        found.append({"number": number,
                      "name": _text(phase.get("name"), f"{at}.name", errors, PHASE_NAME_MAX, required=True),
                      "goal": _text(phase.get("goal"), f"{at}.goal", errors, graph.GOAL_MAX, required=True),
                      "posts": [_post(post, f"{at}.posts[{i}]", channels, workspace_id, errors)
                                for i, post in enumerate(posts)]})
    return found


def _post(post: dict, at: str, channels: list[str], workspace_id: int, errors: dict) -> dict:
    day = post.get("day")
    if not _whole(day) or not 0 <= day <= graph.DAY_MAX:
        errors[f"{at}.day"] = f"Must be a whole number of days from 0 to {graph.DAY_MAX}."
        day = 0
    channel = post.get("channel")
    if channel not in channels:
        errors[f"{at}.channel"] = f"Must be one of the campaign's channels: {', '.join(channels)}."
    if post.get("status") not in POST_STATUSES:
        errors[f"{at}.status"] = f"Must be one of {', '.join(POST_STATUSES)}."
    if not isinstance(post.get("approved"), bool):
        errors[f"{at}.approved"] = "Must be true or false."
    # The review, when the file has one (exports before reviews have only `approved`, which it follows).
    review = post.get("review", "approved" if post.get("approved") is True else "draft")
    if review not in REVIEW_STATES:
        errors[f"{at}.review"] = f"Must be one of {', '.join(REVIEW_STATES)}."
    elif isinstance(post.get("approved"), bool) and post["approved"] != (review == "approved"):
        errors[f"{at}.review"] = "Must be approved exactly when `approved` is true."
    variants = post.get("variants") or {}
    if not isinstance(variants, dict) or any(label not in VARIANT_LABELS for label in variants):
        errors[f"{at}.variants"] = "Must be an object with variants A and/or B."
        variants = {}
    # The date the export placed it on: kept as a calendar move when it is not launch date + day.
    on = post.get("date")
    if on is not None:
        try:
            on = date.fromisoformat(on) if isinstance(on, str) and len(on) == 10 else None
        except ValueError:
            on = None
        if on is None:
            errors[f"{at}.date"] = "Must be a date written YYYY-MM-DD, or left out."
    # A channel that is not one (its own error says so) is held to the length of an unknown channel.
    limit = body_limit(channel if isinstance(channel, str) else "")
    return {"key": _text(post.get("key"), f"{at}.key", errors, graph.KEY_MAX, required=True),
            "title": _text(post.get("title"), f"{at}.title", errors, graph.TITLE_MAX, required=True),
            "channel": channel, "brief": _text(post.get("brief"), f"{at}.brief", errors, graph.BRIEF_MAX),
            "day": day, "date": on, "status": post.get("status"), "approved": post.get("approved") is True, "review": review,
            "variants": {label: _variant(v, f"{at}.variants.{label}", limit, workspace_id, errors)
                         for label, v in variants.items()}}


def _variant(variant, at: str, body_max: int, workspace_id: int, errors: dict) -> dict:
    """A variant within the limits the model's variants keep (gtm.services.strategy.variants)."""
    if not isinstance(variant, dict):
        errors[at] = "Must be an object."
        return {}
    tags = variant.get("hashtags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        errors[f"{at}.hashtags"] = "Must be a list of text values."
        tags = []
    elif len(tags) > HASHTAGS_MAX:
        errors[f"{at}.hashtags"] = f"At most {HASHTAGS_MAX} hashtags (this has {len(tags)})."
    elif any(len(tag) > HASHTAG_MAX for tag in tags):
        errors[f"{at}.hashtags"] = f"Each hashtag has at most {HASHTAG_MAX} characters."
    return {"headline": _text(variant.get("headline"), f"{at}.headline", errors, HEADLINE_MAX, required=True),
            "body": _text(variant.get("body"), f"{at}.body", errors, body_max, required=True),
            "call_to_action": _text(variant.get("call_to_action"), f"{at}.call_to_action", errors,
                                    CALL_TO_ACTION_MAX, required=True),
            "image_prompt": _text(variant.get("image_prompt"), f"{at}.image_prompt", errors, IMAGE_PROMPT_MAX,
                                  required=True),
            "hashtags": [tag.strip() for tag in tags],
            "media_path": _media(workspace_id, variant.get("media_path"), f"{at}.media_path", errors),
            "edited": variant.get("edited") is True,
            "provider": _text(variant.get("provider", ""), f"{at}.provider", errors, PROVIDER_MAX),
            "model": _text(variant.get("model", ""), f"{at}.model", errors, MODEL_MAX)}


def _media(workspace_id: int, value, at: str, errors: dict) -> str | None:
    """Keep a media reference only to a file in the importer's own folder; see the module's docstring."""
    if value is None:
        return None
    owner = media.owner(value)
    if owner is None:
        errors[at] = ("Must be null or `<workspace id>/<file name>`, like `3/variant-12.png`: a plain file name "
                      "(letters, digits, dots, dashes, underscores; no leading dot) in one workspace's folder.")
        return None
    if owner != workspace_id:
        return None
    return value if media.path(workspace_id, value) is not None else None


def _keys(phases: list[dict], errors: dict) -> set[str]:
    """The posts' keys, which edges refer to: each trimmed key names one post of the file."""
    seen: dict[str, str] = {}
    for n, phase in enumerate(phases):
        for i, post in enumerate(phase["posts"]):
            key, at = post["key"], f"phases[{n}].posts[{i}].key"
            if not key:
                continue
            if key in seen:
                errors[at] = f"The key {key!r} is already used by {seen[key]}; keys must be unique."
            else:
                seen[key] = at
    return set(seen)


def _edges(value, keys: set[str], errors: dict) -> list[tuple[str, str]]:
    found = []
    for n, edge in enumerate(_objects(value, "edges", errors, EDGES_MAX)):
        ends = []
        for end in ("from", "to"):
            key = edge.get(end)
            if not isinstance(key, str):
                errors[f"edges[{n}].{end}"] = "Must be the key of a post in the file."
            elif key.strip() not in keys:
                errors[f"edges[{n}].{end}"] = f"No post in the file has the key {key.strip()[:graph.KEY_MAX]!r}."
            else:
                ends.append(key.strip())
        if len(ends) == 2:
            found.append(tuple(ends))
    return found


def _graph_problems(phases: list[dict], edges: list[tuple[str, str]], channels: list[str]) -> list[str]:
    """The rules of a planned strategy (gtm.services.graph), on the imported phases, posts and edges."""
    plan = SimpleNamespace(
        phases=[SimpleNamespace(number=p["number"], name=p["name"], goal=p["goal"],
                                posts=[SimpleNamespace(**post) for post in p["posts"]]) for p in phases],
        edges=[SimpleNamespace(from_key=a, to_key=b) for a, b in edges])
    found = graph.problems(plan, channels)
    # A regeneration may have grown the strategy past a first plan's size; such an export is still whole.
    if graph.PHASES_MAX < len(phases) <= graph.REGENERATE_PHASES_MAX:
        found = [problem for problem in found if not problem.startswith(f"the plan has {len(phases)} phases")]
    # A follow-up post may open a phase of its own after the last one, after some of the posts before it: a
    # last phase of one post, and posts of the phase before it leading nowhere, are what gtm itself makes then.
    last = f"has no child in phase {len(phases)}"
    alone = f"phase {len(phases)} has 1 post;"
    return [problem for problem in found if not (problem.startswith(alone)
                                                  or (problem.startswith("post ") and problem.endswith(last)))]
