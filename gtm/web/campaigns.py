"""The campaigns list, the new-campaign form and the campaign page."""
from flask import Blueprint, request
from flask_login import login_required

from ..services import campaigns, steps
from ..services.campaigns import CHANNELS, LIMITS
from .context import workspace_id
from .forms import submit
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
    values = {**request.form.to_dict(), "channels": request.form.getlist("channels")}
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
