"""Importing a JSON export (gtm.services.exports) as a new campaign of the workspace.

The file is read whole and checked before anything is written: its format marker and version, the
fields it must have, the campaign's fields (the same checks as the new-campaign form), each step and post,
and the strategy graph (the same rules as a planned strategy). Then one transaction creates the campaign,
version 1 of each analysis step, and strategy version 1 (origin `plan`) with the phases, posts, edges
and current variants. A bad file creates nothing, and its answer names each field that is wrong.

A file is checked as if its content came in by the product's other ways in:
- each step's inputs as the step form checks them, and its content as a hand edit of the step is checked
  (the step's output schema), then finished as a hand edit is (cost totals are computed again, never read);
- each phase, post and variant within the limits a planned strategy and the model's variants keep: a post's
  key, title and day (gtm.services.graph), a variant's headline, its body by its channel's length, its
  hashtags, and the limits below for the rest.

A file names nothing of this instance. Posts and edges refer to each other by key, within the file; ids
anywhere in it are ignored, so nothing can point at runs, versions or rows here.

Media: a variant's `media_path` is null or `<workspace id>/<plain file name>`; any other shape is refused,
naming the field. A path into another workspace's folder (an export made elsewhere) is dropped without
looking at any file; a path into the importer's own folder is kept only when that file is there.
"""
import logging
from datetime import datetime, timezone
from types import SimpleNamespace

from ..extensions import db
from ..models import STEP_KINDS, Campaign, Edge, Member, Phase, Post, StepVersion, StrategyVersion, Variant
from . import activity, campaigns, graph, jsonsafe, media
from .errors import Invalid, ServiceError, refuse_nul
from ..models.strategy import POST_STATUSES, REVIEW_STATES
from .exports import FORMAT, FORMAT_VERSION, VARIANT_LABELS
from .steps import STEP_FEEDBACK_MAX, clean_inputs, spec_for
from .steps import content as step_content
from .strategy.context import HASHTAGS_MAX, body_limit
from .strategy.variants import CALL_TO_ACTION_MAX, HASHTAG_MAX, HEADLINE_MAX, IMAGE_PROMPT_MAX

log = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_TEXT = "2 MiB"
PHASE_NAME_MAX = 120  # the column
PROVIDER_MAX, MODEL_MAX = 20, 80  # the columns
# Every post of a phase joined to every post of the next, across the largest strategy a regeneration makes.
EDGES_MAX = (graph.REGENERATE_PHASES_MAX - 1) * graph.POSTS_MAX ** 2
UNFINISHED = ("planned", "writing")
CHOOSE_EXPORT = "Choose the .json file that “Download: JSON” on a strategy board saves."


class BadFile(ServiceError):
    """The upload is not a JSON object at all."""

    status = 400


class TooLarge(ServiceError):
    status = 413

    def __init__(self, size: int):
        super().__init__(f"The file is too large: {size:,} bytes; an import is at most {IMPORT_MAX_TEXT} "
                         f"({IMPORT_MAX_BYTES:,} bytes).")


def read(data: bytes | str | dict) -> dict:
    """Return the export as a dict, or raise TooLarge or BadFile."""
    if isinstance(data, dict):
        return data
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > IMPORT_MAX_BYTES:
        raise TooLarge(len(raw))
    if not raw.strip():
        raise BadFile("The file is empty; choose a JSON export of a campaign.")
    try:
        value = jsonsafe.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BadFile(f"This file is not text, so it is not a campaign export. {CHOOSE_EXPORT}") from None
    except ValueError as error:
        # The parser's words ("Expecting value: line 1 column 1 (char 0)") mean nothing to a marketer; the place
        # is kept for someone who edited an export by hand.
        where = f" It stops being JSON at line {error.lineno}, column {error.colno}." if getattr(error, "pos", 0) \
            else ""
        raise BadFile(f"This file is not a campaign export: it is not JSON.{where} {CHOOSE_EXPORT}") from None
    if not isinstance(value, dict):
        raise BadFile("The file is JSON but not an object; choose a JSON export of a campaign.")
    return value


def import_campaign(workspace_id: int, data: bytes | str | dict, author_id: int | None = None) -> Campaign:
    """Check an export and create it as a new campaign with version 1 of its steps and strategy."""
    doc = read(data)
    _check_format(doc)
    refuse_nul(doc)
    missing = [name for name in ("campaign", "steps", "phases", "edges") if name not in doc]
    if missing:
        raise Invalid({name: "This field is required." for name in missing},
                      f"The file lacks {', '.join(missing)}; is it a complete gtm export?")
    errors: dict[str, str] = {}
    if not isinstance(doc["campaign"], dict):
        raise Invalid({"campaign": "Must be an object."})
    try:
        clean = campaigns.validate(doc["campaign"])
    except Invalid as error:
        raise Invalid({f"campaign.{name}": message for name, message in error.fields.items()},
                      "The campaign's fields break the campaign rules.") from None
    found_steps = _steps(doc["steps"], campaigns.as_facts(Campaign(**clean)), errors)
    phases = _phases(doc["phases"], clean["channels"], int(workspace_id), errors)
    edges = _edges(doc["edges"], _keys(phases, errors), errors)
    if errors:
        named = ", ".join(list(errors)[:10]) + (f" and {len(errors) - 10} more" if len(errors) > 10 else "")
        raise Invalid(errors, f"Some fields need attention: {named}.")
    if phases or edges:
        found = _graph_problems(phases, edges, clean["channels"])
        if found:
            raise Invalid({"phases": "; ".join(found)}, f"The strategy breaks the graph rules: {'; '.join(found)}.")
    # A name already in use gets " (imported)"; `renamed_from` lets the page and the API answer say so.
    named = {**clean, "name": campaigns.free_name(workspace_id, clean["name"])}
    campaign = _create(workspace_id, named, found_steps, phases, edges, author_id, _source_version(doc))
    campaign.renamed_from = clean["name"] if named["name"] != clean["name"] else None
    log.info("workspace %s: imported campaign %s with %d posts", workspace_id, campaign.id,
             sum(len(p["posts"]) for p in phases))
    return campaign


def _source_version(doc: dict) -> int | None:
    """The exported version number, only to mention it in the new version's direction; nothing is looked up."""
    exported = doc.get("exported") if isinstance(doc.get("exported"), dict) else {}
    number = exported.get("version")
    return number if _whole(number) and 0 < number < 10**9 else None


def _check_format(doc: dict) -> None:
    if doc.get("format") != FORMAT:
        raise Invalid({"format": f"This is not a gtm campaign export: `format` must be {FORMAT!r}."},
                      f"The file is not a gtm campaign export (its format is {str(doc.get('format'))[:40]!r}).")
    if doc.get("format_version") != FORMAT_VERSION:
        raise Invalid({"format_version": f"This gtm reads format version {FORMAT_VERSION}; the file has "
                                         f"{str(doc.get('format_version'))[:20]!r}."},
                      "The file's format version is not one this gtm can read.")


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
    # A channel that is not one (its own error says so) is held to the length of an unknown channel.
    limit = body_limit(channel if isinstance(channel, str) else "")
    return {"key": _text(post.get("key"), f"{at}.key", errors, graph.KEY_MAX, required=True),
            "title": _text(post.get("title"), f"{at}.title", errors, graph.TITLE_MAX, required=True),
            "channel": channel, "brief": _text(post.get("brief"), f"{at}.brief", errors, graph.BRIEF_MAX),
            "day": day, "status": post.get("status"), "approved": post.get("approved") is True, "review": review,
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
    return found


def _create(workspace_id: int, clean: dict, steps: list[dict], phases: list[dict], edges: list[tuple[str, str]],
            author_id: int | None, source_version: int | None) -> Campaign:
    """Write the checked export in one transaction."""
    campaign = Campaign(workspace_id=workspace_id, **clean)
    db.session.add(campaign)
    db.session.flush()
    for step in steps:
        earlier = STEP_KINDS[:STEP_KINDS.index(step["kind"])]
        db.session.add(StepVersion(
            campaign_id=campaign.id, kind=step["kind"], number=1, content=step["content"], inputs=step["inputs"],
            feedback=step["feedback"], is_current=True, edited=step["edited"], provider=step["provider"],
            model=step["model"], context_versions={k: 1 for k in earlier if any(s["kind"] == k for s in steps)}))
    if phases:
        source = f", version {source_version}" if source_version is not None else ""
        db.session.add(StrategyVersion(campaign_id=campaign.id, number=1, origin="plan", author_id=author_id,
                                       direction=f"Imported from a JSON export of “{clean['name']}”{source}"))
        campaign.current_version = 1
        now = datetime.now(timezone.utc)
        by_key: dict[str, Post] = {}
        for phase in phases:
            db.session.add(Phase(campaign_id=campaign.id, version=1, number=phase["number"], name=phase["name"],
                                 goal=phase["goal"]))
            for item in phase["posts"]:
                # No run will finish a post that was still being written; it can be retried instead.
                unfinished = item["status"] in UNFINISHED
                post = Post(campaign_id=campaign.id, version=1, is_active=True, phase=phase["number"],
                            key=item["key"], title=item["title"], channel=item["channel"],
                            brief=item["brief"], day=item["day"], status="failed" if unfinished else item["status"],
                            error="Imported before it was written; retry to write it." if unfinished else "",
                            approved=item["approved"], approved_at=now if item["approved"] else None,
                            review=item["review"])
                db.session.add(post)
                by_key[post.key] = post
                post.variants = [Variant(
                    label=label, number=1, is_current=True, headline=v["headline"], body=v["body"],
                    call_to_action=v["call_to_action"], hashtags=v["hashtags"], image_prompt=v["image_prompt"],
                    media_path=v["media_path"], edited=v["edited"], provider=v["provider"], model=v["model"],
                ) for label, v in sorted(item["variants"].items())]
        db.session.flush()
        # The keys and edges were checked against the file's own posts: every end is in `by_key`.
        for a, b in edges:
            db.session.add(Edge(campaign_id=campaign.id, from_post_id=by_key[a].id, to_post_id=by_key[b].id))
        for post in by_key.values():
            db.session.add(Member(campaign_id=campaign.id, version=1, post_id=post.id))
    activity.record(workspace_id, "campaign_imported", f"Imported the campaign “{campaign.name}” from a JSON export",
                    campaign_id=campaign.id, actor_id=author_id, subject=campaign,
                    link=activity.campaign_path(campaign.id))
    db.session.commit()
    return campaign
