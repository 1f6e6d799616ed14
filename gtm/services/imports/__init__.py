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

from ...models import Campaign
from .. import campaigns, jsonsafe
from ..errors import Invalid, ServiceError, refuse_nul
from ..exports import FORMAT, FORMAT_VERSION
from .create import create as _create
from .fields import _edges, _graph_problems, _keys, _phases, _steps, _whole

log = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_TEXT = "2 MiB"
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
