"""The campaigns list, the new-campaign form and the campaign page."""
from flask import Blueprint, request
from flask_login import login_required

from ..services import campaigns, steps
from ..services.campaigns import CHANNELS, LIMITS
from ..services.errors import Invalid
from . import go, page, workspace_id

bp = Blueprint("campaigns", __name__)


@bp.get("/")
@login_required
def index():
    """Show the workspace's campaigns, newest first, a page at a time (?before=)."""
    found = campaigns.list_campaigns(workspace_id(), request.args.get("before"), campaigns.CAMPAIGNS_SHOWN)
    return page("campaigns/index.html", campaigns=found)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def new():
    """Show the new-campaign form, and create the campaign."""
    errors, values = {}, {"currency": "USD", "channels": ["linkedin", "email"]}
    if request.method == "POST":
        values = request.form.to_dict()
        values["channels"] = request.form.getlist("channels")
        try:
            campaign = campaigns.create_campaign(workspace_id(), values)
        except Invalid as exc:
            errors = exc.fields
        else:
            return go("campaigns.show", campaign_id=campaign.id)
    return page("campaigns/new.html", errors=errors, values=values, channels=CHANNELS, limits=LIMITS,
                status=422 if errors else 200)


@bp.get("/campaigns/<int:campaign_id>")
@login_required
def show(campaign_id: int):
    """Show a campaign with its five analysis steps."""
    campaign = campaigns.get_campaign(workspace_id(), campaign_id)
    return page("campaigns/show.html", campaign=campaign, cards=steps.overview(workspace_id(), campaign_id),
                channels=CHANNELS)
