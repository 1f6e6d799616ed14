"""Downloads of a strategy version (JSON, Markdown, Markdown with images, CSV, ICS), and a JSON export imported as
a new campaign."""
from flask import Blueprint, flash, request
from flask_login import current_user, login_required

from ..services import exports, imports
from ..services.errors import ServiceError
from .context import workspace_id
from .converters import number_arg
from .forms import submit
from .htmx import download, go
from .pages import campaigns_page

bp = Blueprint("exports", __name__)


@bp.get("/campaigns/<int:campaign_id>/strategy/export")
@login_required
def export(campaign_id: int):
    """Download the current strategy version, or ?version=N, as ?format=json, md, zip, csv or ics."""
    return download(exports.export(workspace_id(), campaign_id, request.args.get("format", "json"),
                                   version=number_arg("version")))


@bp.post("/campaigns/import")
@login_required
def import_campaign():
    """Create a campaign from an uploaded JSON export; a bad file creates nothing and says why beside the field."""
    upload = request.files.get("export")
    if upload is None or not upload.filename:
        return _refused(422, errors={}, problem="Choose a JSON export of a campaign to import.")
    # Every refusal, whatever its kind (not JSON, too large, a field that breaks a rule), is a problem of the file.
    return submit(lambda: imports.import_campaign(workspace_id(), upload.read(), author_id=current_user.id),
                  done=_imported,
                  again=_refused, also=(ServiceError,), summary=True)


def _imported(campaign):
    """Open the imported campaign, saying so when its name was taken and it got " (imported)"."""
    if campaign.renamed_from:
        flash(f"A campaign is already called “{campaign.renamed_from}”, so this one is “{campaign.name}”. "
              "Edit it to rename it.")
    return go("campaigns.show", campaign_id=campaign.id)


def _refused(status: int, errors: dict, problem: str | None):
    """The campaigns page with what is wrong with the file in one sentence beside the field, each field's problem
    after the service's message; always 422, since the file is the one field of the form."""
    sentence = " ".join([problem or "", *(f"{name}: {message}" for name, message in errors.items())]).strip()
    return campaigns_page(422, import_error=sentence)
