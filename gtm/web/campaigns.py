"""The campaigns list, the new-campaign form, the campaign page, and a campaign edited, archived and deleted."""
from flask import Blueprint, request
from flask_login import login_required

from ..services import campaign_changes, campaigns, steps
from ..services.campaigns import CHANNELS, LIMITS, CampaignFields
from .context import workspace_id
from .forms import submit, to
from .htmx import go, page
from .pages import campaigns_page

bp = Blueprint("campaigns", __name__)
NEW_CAMPAIGN = {"currency": "USD", "channels": ["linkedin", "email"]}


@bp.get("/")
@login_required
def index():
    """Show the workspace's campaigns, newest first, a page at a time (?before=)."""
    return campaigns_page()


def _new_page(values: dict, status: int = 200, errors: dict | None = None, problem: str | None = None):
    return page("campaigns/new.html", status=status, errors=errors or {}, problem=problem, values=values,
                channels=CHANNELS, limits=LIMITS)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def new():
    """Show the new-campaign form, and create the campaign."""
    if request.method == "GET":
        return _new_page(NEW_CAMPAIGN)
    values = _form_values()
    return submit(lambda: campaigns.create_campaign(workspace_id(), values),
                  done=lambda campaign: go("campaigns.show", campaign_id=campaign.id),
                  again=lambda status, **refusal: _new_page(values, status, **refusal))


@bp.get("/campaigns/<int:campaign_id>")
@login_required
def show(campaign_id: int):
    """Show a campaign with its five analysis steps."""
    campaign = campaigns.get_campaign(workspace_id(), campaign_id)
    return page("campaigns/show.html", campaign=campaign, cards=steps.overview(workspace_id(), campaign_id),
                channels=CHANNELS)


def _form_values() -> dict:
    return {**request.form.to_dict(), "channels": request.form.getlist("channels")}


def _edit_page(campaign, values: dict, status: int = 200, errors: dict | None = None, problem: str | None = None):
    return page("campaigns/edit.html", status=status, errors=errors or {}, problem=problem, values=values,
                campaign=campaign, channels=CHANNELS, limits=LIMITS)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int):
    """Show the campaign's fields in a form, and save the changes."""
    campaign = campaigns.get_campaign(workspace_id(), campaign_id)
    if request.method == "GET":
        return _edit_page(campaign, CampaignFields.model_validate(campaign).model_dump())
    values = _form_values()
    return submit(lambda: campaign_changes.update_campaign(workspace_id(), campaign_id, values),
                  done=to("campaigns.show", campaign_id=campaign_id),
                  again=lambda status, **refusal: _edit_page(campaign, values, status, **refusal))


@bp.post("/campaigns/<int:campaign_id>/archive")
@login_required
def archive(campaign_id: int):
    """Archive the campaign: it leaves the campaigns list and keeps everything."""
    campaign_changes.archive(workspace_id(), campaign_id)
    return go("campaigns.show", campaign_id=campaign_id)


@bp.post("/campaigns/<int:campaign_id>/unarchive")
@login_required
def unarchive(campaign_id: int):
    """Bring the archived campaign back to the campaigns list."""
    campaign_changes.unarchive(workspace_id(), campaign_id)
    return go("campaigns.show", campaign_id=campaign_id)


def _delete_page(campaign, status: int = 200, errors: dict | None = None, problem: str | None = None,
                 typed: str = ""):
    return page("campaigns/delete.html", status=status, errors=errors or {}, problem=problem, campaign=campaign,
                removes=campaign_changes.removal(workspace_id(), campaign.id), typed=typed)


@bp.route("/campaigns/<int:campaign_id>/delete", methods=["GET", "POST"])
@login_required
def delete(campaign_id: int):
    """Show what deleting the campaign removes, and delete it once its name is typed."""
    campaign = campaigns.get_campaign(workspace_id(), campaign_id)
    if request.method == "GET":
        return _delete_page(campaign)
    typed = request.form.get("confirm_name", "")
    return submit(lambda: campaign_changes.delete_confirmed(workspace_id(), campaign_id, typed),
                  done=to("campaigns.index"),
                  again=lambda status, **refusal: _delete_page(campaign, status, typed=typed, **refusal))
