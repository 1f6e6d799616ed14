"""The API's brand voice: the workspace's, and a campaign's own that overrides it; each answers the voice in force
and where it comes from. A PUT replaces the whole voice; an empty voice (no body, `null`, `{}` or every field
empty) clears it, so a campaign follows the workspace's voice again."""
from typing import Any, Literal

from flask import request
from pydantic import Field

from ...services import voice
from .answers import Answer, answer
from .blueprint import bp, workspace
from .errors import ApiError
from .fields import Body, passed_on
from .parsing import documented


class VoiceAnswer(Answer):
    """The voice in force: the campaign's own, else the workspace's, else none (every field empty)."""

    tone: str = Field(description="The tone, in a few words")
    use: list[str] = Field(description="Words and phrases to use")
    avoid: list[str] = Field(description="Words and phrases to avoid; a draft that still uses one is flagged")
    reading_level: Literal[tuple(voice.READING_LEVELS)] | None = Field(
        description="plain (about age 12), general (about age 15) or expert; null for none")
    examples: list[str] = Field(description=f"Up to {voice.EXAMPLES_MAX} example posts")
    source: Literal[voice.SOURCES] = Field(
        description="Where the voice in force comes from: the campaign's own, the workspace's, or none")


class VoiceBody(Body):
    """A whole voice; leave a field out (or empty) for none. Lists may also be given as text split at commas."""

    tone: Any = passed_on({"type": "string", "maxLength": voice.TONE_MAX})
    use: Any = passed_on({"type": "array", "maxItems": voice.WORDS_MAX,
                          "items": {"type": "string", "maxLength": voice.WORD_MAX}})
    avoid: Any = passed_on({"type": "array", "maxItems": voice.WORDS_MAX,
                            "items": {"type": "string", "maxLength": voice.WORD_MAX}})
    reading_level: Any = passed_on({"type": "string", "enum": list(voice.READING_LEVELS), "nullable": True})
    examples: Any = passed_on({"type": "array", "maxItems": voice.EXAMPLES_MAX,
                               "items": {"type": "string", "maxLength": voice.EXAMPLE_MAX}})


def _body() -> dict | None:
    """The voice the body holds: an object, or None for no body or `null`."""
    raw = request.get_data().strip()
    if not raw or raw == b"null":
        return None
    found = request.get_json(silent=True)
    if found is None:
        raise ApiError(400, "The body must be JSON (Content-Type: application/json).")
    if not isinstance(found, dict):
        raise ApiError(400, "The body must be a JSON object, or null to clear the voice.")
    return {name: found.get(name) for name in voice.FIELDS}


def _answer(found: dict | None, source: str):
    shown = {**voice.empty(), **(found or {})}
    return answer(VoiceAnswer(**{name: shown[name] for name in voice.FIELDS if name != "reading_level"},
                              reading_level=shown["reading_level"] or None, source=source))


@bp.get("/workspace/voice")
@documented({200: VoiceAnswer})
def get_workspace_voice():
    """Return the workspace's voice (source "none" when it has none)."""
    found = voice.workspace_voice(workspace())
    return _answer(found, "workspace" if found else "none")


@bp.put("/workspace/voice")
@documented({200: VoiceAnswer}, body=VoiceBody, optional=True, raw_body=True)
def put_workspace_voice():
    """Set the workspace's voice (owners and editors); an empty voice clears it. 422 names each wrong field."""
    found = voice.set_workspace_voice(workspace(), _body())
    return _answer(found, "workspace" if found else "none")


@bp.get("/campaigns/<int:campaign_id>/voice")
@documented({200: VoiceAnswer})
def get_campaign_voice(campaign_id: int):
    """Return the voice in force for the campaign: its own, else the workspace's, with its source."""
    return _answer(*voice.resolved(workspace(), campaign_id))


@bp.put("/campaigns/<int:campaign_id>/voice")
@documented({200: VoiceAnswer}, body=VoiceBody, optional=True, raw_body=True)
def put_campaign_voice(campaign_id: int):
    """Give the campaign its own voice (owners and editors); an empty voice (no body, null or {}) clears it, so
    the workspace's voice is in force again. Answers the voice in force."""
    voice.campaign_voice(workspace(), campaign_id)  # another workspace's campaign is 404 whatever the body
    voice.set_campaign_voice(workspace(), campaign_id, _body())
    return _answer(*voice.resolved(workspace(), campaign_id))
