"""Importing a JSON export (gtm.services.exports) as a new campaign of the workspace.

The file is read whole and checked before anything is written: its format marker and version, the
fields it must have, the campaign's fields (the same checks as the new-campaign form), each step and post,
and the strategy graph (the same rules as a planned strategy). Then one transaction creates the campaign,
version 1 of each analysis step, and strategy version 1 (origin `plan`) with the phases, posts, edges
and current variants. A bad file creates nothing.
"""
import json
import logging
from datetime import datetime, timezone
from types import SimpleNamespace

from ..extensions import db
from ..models import STEP_KINDS, Campaign, Edge, Member, Phase, Post, StepVersion, StrategyVersion, Variant
from . import campaigns, graph, media
from .errors import Invalid, ServiceError, refuse_nul
from ..models.strategy import POST_STATUSES
from .exports import FORMAT, FORMAT_VERSION, VARIANT_LABELS

log = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_TEXT = "2 MiB"
PHASE_NAME_MAX = 120
TEXT_MAX = 20_000
MEDIA_PATH_MAX = 255
UNFINISHED = ("planned", "writing")


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
        value = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadFile(f"The file is not JSON ({str(error)[:120]}); choose a JSON export of a campaign.") from None
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
    steps = _steps(doc["steps"], errors)
    phases = _phases(doc["phases"], errors)
    edges = _edges(doc["edges"], errors)
    if errors:
        raise Invalid(errors, f"Some fields need attention: {', '.join(errors)}.")
    if phases or edges:
        found = _graph_problems(phases, edges, clean["channels"])
        if found:
            raise Invalid({"phases": "; ".join(found)}, f"The strategy breaks the graph rules: {'; '.join(found)}.")
    exported = doc.get("exported") if isinstance(doc.get("exported"), dict) else {}
    campaign = _create(workspace_id, clean, steps, phases, edges, author_id, exported.get("version"))
    log.info("workspace %s: imported campaign %s with %d posts", workspace_id, campaign.id,
             sum(len(p["posts"]) for p in phases))
    return campaign


def _check_format(doc: dict) -> None:
    if doc.get("format") != FORMAT:
        raise Invalid({"format": f"This is not a gtm campaign export: `format` must be {FORMAT!r}."},
                      f"The file is not a gtm campaign export (its format is {str(doc.get('format'))[:40]!r}).")
    if doc.get("format_version") != FORMAT_VERSION:
        raise Invalid({"format_version": f"This gtm reads format version {FORMAT_VERSION}; the file has "
                                         f"{str(doc.get('format_version'))[:20]!r}."},
                      "The file's format version is not one this gtm can read.")


def _text(value, path: str, errors: dict, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    if not isinstance(value, str):
        errors[path] = "This field is required." if value is None else "Must be text."
        return ""
    if required and not value.strip():
        errors[path] = "Must not be empty."
    elif len(value) > limit:
        errors[path] = f"At most {limit:,} characters (this has {len(value):,})."
    return value


def _objects(value, path: str, errors: dict) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        errors[path] = "Must be a list of objects."
        return []
    return value


def _steps(value, errors: dict) -> list[dict]:
    found = []
    for n, step in enumerate(_objects(value, "steps", errors)):
        at = f"steps[{n}]"
        if step.get("kind") not in STEP_KINDS:
            errors[f"{at}.kind"] = f"Must be one of {', '.join(STEP_KINDS)}."
        elif any(s["kind"] == step["kind"] for s in found):
            errors[f"{at}.kind"] = f"The step {step['kind']} appears twice."
        if not isinstance(step.get("content"), dict):
            errors[f"{at}.content"] = "Must be an object."
        inputs = step.get("inputs") or {}
        if not isinstance(inputs, dict):
            errors[f"{at}.inputs"] = "Must be an object."
        found.append({"kind": step.get("kind"), "content": step.get("content"), "inputs": inputs,
                      "feedback": _text(step.get("feedback", ""), f"{at}.feedback", errors),
                      "edited": step.get("edited") is True,
                      "provider": _text(step.get("provider", ""), f"{at}.provider", errors, limit=20),
                      "model": _text(step.get("model", ""), f"{at}.model", errors, limit=80)})
    return found


def _phases(value, errors: dict) -> list[dict]:
    found = []
    for n, phase in enumerate(_objects(value, "phases", errors)):
        at = f"phases[{n}]"
        number = phase.get("number")
        if not isinstance(number, int) or isinstance(number, bool):
            errors[f"{at}.number"] = "Must be a whole number."
        found.append({"number": number, "name": _text(phase.get("name"), f"{at}.name", errors, limit=PHASE_NAME_MAX),
                      "goal": _text(phase.get("goal"), f"{at}.goal", errors),
                      "posts": [_post(post, f"{at}.posts[{i}]", errors)
                                for i, post in enumerate(_objects(phase.get("posts"), f"{at}.posts", errors))]})
    return found


def _post(post: dict, at: str, errors: dict) -> dict:
    day = post.get("day")
    if not isinstance(day, int) or isinstance(day, bool):
        errors[f"{at}.day"] = "Must be a whole number."
        day = 0
    if post.get("status") not in POST_STATUSES:
        errors[f"{at}.status"] = f"Must be one of {', '.join(POST_STATUSES)}."
    if not isinstance(post.get("approved"), bool):
        errors[f"{at}.approved"] = "Must be true or false."
    variants = post.get("variants") or {}
    if not isinstance(variants, dict) or any(label not in VARIANT_LABELS for label in variants):
        errors[f"{at}.variants"] = "Must be an object with variants A and/or B."
        variants = {}
    return {"key": _text(post.get("key"), f"{at}.key", errors), "title": _text(post.get("title"), f"{at}.title", errors),
            "channel": _text(post.get("channel"), f"{at}.channel", errors), "brief": _text(post.get("brief"), f"{at}.brief", errors),
            "day": day, "status": post.get("status"), "approved": post.get("approved") is True,
            "variants": {label: _variant(v, f"{at}.variants.{label}", errors) for label, v in variants.items()}}


def _variant(variant, at: str, errors: dict) -> dict:
    if not isinstance(variant, dict):
        errors[at] = "Must be an object."
        return {}
    tags = variant.get("hashtags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        errors[f"{at}.hashtags"] = "Must be a list of text values."
    media_path = variant.get("media_path")
    if media_path is not None:
        _text(media_path, f"{at}.media_path", errors, limit=MEDIA_PATH_MAX)
    return {**{name: _text(variant.get(name), f"{at}.{name}", errors)
               for name in ("headline", "body", "call_to_action", "image_prompt")},
            "hashtags": tags, "media_path": media_path,
            "provider": _text(variant.get("provider", ""), f"{at}.provider", errors, limit=20),
            "model": _text(variant.get("model", ""), f"{at}.model", errors, limit=80)}


def _edges(value, errors: dict) -> list[tuple[str, str]]:
    found = []
    for n, edge in enumerate(_objects(value, "edges", errors)):
        ends = (edge.get("from"), edge.get("to"))
        if not all(isinstance(end, str) for end in ends):
            errors[f"edges[{n}]"] = "Must have `from` and `to`, the post keys it joins."
        else:
            found.append(ends)
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


def _media(workspace_id: int, path) -> str | None:
    """Keep a media reference only to a file of this workspace that this instance has."""
    if not path or not path.startswith(f"{int(workspace_id)}/") or media.path(path) is None:
        return None
    return path


def _create(workspace_id: int, clean: dict, steps: list[dict], phases: list[dict], edges: list[tuple[str, str]],
            author_id: int | None, source_version) -> Campaign:
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
        source = f", version {source_version}" if isinstance(source_version, int) else ""
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
                            key=item["key"].strip(), title=item["title"].strip(), channel=item["channel"],
                            brief=item["brief"], day=item["day"], status="failed" if unfinished else item["status"],
                            error="Imported before it was written; retry to write it." if unfinished else "",
                            approved=item["approved"], approved_at=now if item["approved"] else None)
                db.session.add(post)
                by_key[post.key] = post
                post.variants = [Variant(
                    label=label, number=1, is_current=True, headline=v["headline"], body=v["body"],
                    call_to_action=v["call_to_action"], hashtags=v["hashtags"], image_prompt=v["image_prompt"],
                    media_path=_media(workspace_id, v["media_path"]), provider=v["provider"], model=v["model"],
                ) for label, v in sorted(item["variants"].items())]
        db.session.flush()
        for a, b in edges:
            db.session.add(Edge(campaign_id=campaign.id, from_post_id=by_key[a.strip()].id,
                                to_post_id=by_key[b.strip()].id))
        for post in by_key.values():
            db.session.add(Member(campaign_id=campaign.id, version=1, post_id=post.id))
    db.session.commit()
    return campaign
