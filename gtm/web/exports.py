"""Downloads of a strategy version (JSON, Markdown, CSV, ICS), and a JSON export imported as a new campaign."""
from flask import Blueprint, request
from flask_login import current_user, login_required

from ..services import campaigns, exports, imports
from ..services.errors import ServiceError
from . import download, go, number_arg, page, workspace_id

bp = Blueprint("exports", __name__)


@bp.get("/campaigns/<int:campaign_id>/strategy/export")
@login_required
def export(campaign_id: int):
    """Download the current strategy version, or ?version=N, as ?format=json, md, csv or ics."""
    return download(exports.export(workspace_id(), campaign_id, request.args.get("format", "json"),
                                   version=number_arg("version")))


@bp.post("/campaigns/import")
@login_required
def import_campaign():
    """Create a campaign from an uploaded JSON export; a bad file creates nothing and says why beside the field."""
    upload = request.files.get("export")
    try:
        if upload is None or not upload.filename:
            raise imports.BadFile("Choose a JSON export of a campaign to import.")
        campaign = imports.import_campaign(workspace_id(), upload.read(),
                                           author_id=current_user.id)
    except ServiceError as error:
        return page("campaigns/index.html", status=422, campaigns=campaigns.list_campaigns(workspace_id()),
                    import_error=_message(error))
    return go("campaigns.show", campaign_id=campaign.id)


def _message(error: ServiceError) -> str:
    """The error in one sentence, with each field's problem when the file broke field rules."""
    if isinstance(error.detail, dict) and error.detail:
        return f"{error.message} " + " ".join(f"{name}: {problem}" for name, problem in error.detail.items())
    return error.message
