"""The activity history: who changed what and when, for the workspace and for one campaign, newest first."""
from flask import Blueprint, request
from flask_login import current_user, login_required

from ..services import activity, campaigns
from .context import workspace_id
from .htmx import page

bp = Blueprint("activity", __name__)


@bp.teardown_app_request
def forget_actor(_exc=None):
    """A request's actor ends with it, so nothing later in the same thread is recorded as theirs."""
    activity.set_actor(None)


def _filters(with_campaign: bool) -> activity.Filters:
    return activity.filters(request.args.get("person"), request.args.get("kind"),
                            request.args.get("campaign") if with_campaign else None)


@bp.get("/activity")
@login_required
def index():
    """Show the workspace's history, newest first a page at a time (?before=), filtered by person, kind and
    campaign."""
    found = _filters(True)
    rows = activity.workspace_history(workspace_id(), request.args.get("before"), found=found)
    return page("activity/index.html", rows=rows, found=found, people=activity.people(workspace_id()),
                kinds=activity.KINDS, campaign_names=activity.campaign_names(workspace_id()), campaign=None,
                me=current_user.id)


@bp.get("/campaigns/<int:campaign_id>/activity")
@login_required
def campaign(campaign_id: int):
    """Show one campaign's history, newest first a page at a time (?before=), filtered by person and kind."""
    shown = campaigns.get_campaign(workspace_id(), campaign_id)
    found = _filters(False)
    rows = activity.campaign_history(workspace_id(), campaign_id, request.args.get("before"), found=found)
    return page("activity/index.html", rows=rows, found=found, people=activity.people(workspace_id()),
                kinds=activity.KINDS, campaign_names={}, campaign=shown, campaign_id=campaign_id,
                me=current_user.id)
