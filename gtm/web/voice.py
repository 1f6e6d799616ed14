"""The brand voice's pages: Settings › Voice for the workspace, and a campaign's voice (its own, or the
workspace's). Routes on the settings and campaigns blueprints."""
from flask import flash, request
from flask_login import login_required

from ..services import campaigns as campaign_service
from ..services import voice
from .campaigns import bp as campaigns_bp
from .context import workspace_id
from .forms import submit
from .htmx import go, page
from .settings import bp as settings_bp

FORM = "voice/_form.html"


def _shown(found: dict | None) -> dict:
    """A voice as the form shows it: the lists one a line, three example boxes."""
    found = {**voice.empty(), **(found or {})}
    examples = list(found["examples"]) + [""] * (voice.EXAMPLES_MAX - len(found["examples"]))
    return {"tone": found["tone"], "use": "\n".join(found["use"]), "avoid": "\n".join(found["avoid"]),
            "reading_level": found["reading_level"], "examples": examples[:voice.EXAMPLES_MAX]}


def _typed() -> dict:
    """What the form sent, as the service reads it (and as the form shows it again when refused)."""
    form = request.form
    return {"tone": form.get("tone", ""), "use": form.get("use", ""), "avoid": form.get("avoid", ""),
            "reading_level": form.get("reading_level", ""),
            "examples": [form.get(f"example_{n}", "") for n in range(1, voice.EXAMPLES_MAX + 1)]}


def _limits() -> dict:
    return {"tone": voice.TONE_MAX, "word": voice.WORD_MAX, "words": voice.WORDS_MAX, "example": voice.EXAMPLE_MAX,
            "examples": voice.EXAMPLES_MAX, "levels": voice.READING_LEVELS,
            "list_chars": voice.WORDS_MAX * (voice.WORD_MAX + 1)}


def _workspace_page(status: int = 200, values: dict | None = None, errors: dict | None = None,
                    problem: str | None = None):
    return page("voice/settings.html", FORM, status=status, values=values or _shown(voice.workspace_voice(
        workspace_id())), errors=errors or {}, problem=problem, limits=_limits())


@settings_bp.get("/settings/voice")
@login_required
def voice_page():
    """The workspace's voice, with the form to change it (owners and editors)."""
    return _workspace_page()


@settings_bp.post("/settings/voice")
@login_required
def save_voice():
    """Set the workspace's voice; every field empty clears it."""
    values = _typed()

    def saved(found):
        flash("The workspace's voice is saved: every draft from now on is written in it." if found
              else "The workspace has no voice now.")
        return go("settings.voice_page")
    return submit(lambda: voice.set_workspace_voice(workspace_id(), values), done=saved,
                  again=lambda status, errors, problem: _workspace_page(status, values, errors, problem))


def _campaign_page(campaign_id: int, status: int = 200, values: dict | None = None, errors: dict | None = None,
                   problem: str | None = None, own: bool | None = None):
    campaign = campaign_service.get_campaign(workspace_id(), campaign_id)
    shared = voice.workspace_voice(workspace_id())
    return page("voice/campaign.html", FORM, status=status, campaign=campaign, shared=shared,
                own=bool(campaign.voice) if own is None else own,
                values=values or _shown(campaign.voice or shared), errors=errors or {}, problem=problem,
                limits=_limits())


@campaigns_bp.get("/campaigns/<int:campaign_id>/voice")
@login_required
def campaign_voice(campaign_id: int):
    """The campaign's voice: the workspace's, or its own."""
    return _campaign_page(campaign_id)


@campaigns_bp.post("/campaigns/<int:campaign_id>/voice")
@login_required
def save_campaign_voice(campaign_id: int):
    """Give the campaign its own voice, or let it follow the workspace's again."""
    own = request.form.get("source") == "campaign"
    values = _typed()

    def saved(found):
        flash("This campaign has its own voice now." if found else "This campaign follows the workspace's voice.")
        return go("campaigns.campaign_voice", campaign_id=campaign_id)
    return submit(lambda: voice.set_campaign_voice(workspace_id(), campaign_id, values, follow_workspace=not own),
                  done=saved, again=lambda status, errors, problem: _campaign_page(
                      campaign_id, status, values, errors, problem, own=own))
