"""The strategy's history: the timeline of versions, one version read-only, two compared, and a restore."""
from flask import Blueprint, request
from flask_login import current_user, login_required

from ..services import strategy
from ..services.errors import Conflict, Invalid
from . import MAX_ID, go, is_htmx, page, workspace_id

bp = Blueprint("versions", __name__)


@bp.context_processor
def names():
    return {"channel_names": strategy.channel_names()}


@bp.get("/campaigns/<int:campaign_id>/strategy/versions")
@login_required
def index(campaign_id: int):
    """Show the strategy versions, newest first a page at a time (?before=), with what each one changed."""
    found = strategy.timeline(workspace_id(), campaign_id, request.args.get("before"))
    return page("strategy/versions.html", timeline=found, campaign=found.campaign, campaign_id=campaign_id)


@bp.get("/campaigns/<int:campaign_id>/strategy/versions/<int:number>")
@login_required
def show(campaign_id: int, number: int):
    """Show one version as it was, read-only: its phases, posts and graph."""
    view = strategy.version_view(workspace_id(), campaign_id, number)
    return page("strategy/version.html", view=view, campaign=view.campaign, campaign_id=campaign_id,
                drawing={"svg": view.svg, "version": view.number})


@bp.route("/campaigns/<int:campaign_id>/strategy/versions/<int:number>/restore", methods=["GET", "POST"])
@login_required
def restore(campaign_id: int, number: int):
    """Show what restoring a version changes, and restore it once confirmed; no model calls."""
    status, problem = 200, None
    if request.method == "POST":
        try:
            strategy.restore(workspace_id(), campaign_id, number, author_id=current_user.id)
        except Conflict as exc:
            status, problem = 409, exc.message
        else:
            return go("strategy.board", campaign_id=campaign_id)
    preview = strategy.restore_preview(workspace_id(), campaign_id, number)
    context = {"preview": preview, "campaign_id": campaign_id, "problem": problem, "in_dialog": is_htmx()}
    if request.method == "GET" and is_htmx():
        return page("strategy/restore.html", "strategy/_restore_dialog.html", status=status, **context)
    return page("strategy/restore.html", "strategy/_restore_form.html", status=status, **context)


def _version_arg(name: str):
    """Read a version number from the query string: digits become a number; anything else goes on to be refused."""
    raw = request.args.get(name)
    if raw is not None and raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
        return int(raw)
    return raw


@bp.get("/campaigns/<int:campaign_id>/strategy/compare")
@login_required
def compare(campaign_id: int):
    """Compare two versions (?a=&b=): posts, links and phases, with one graph coloured by change."""
    a, b = _version_arg("a"), _version_arg("b")
    try:
        found = strategy.compare(workspace_id(), campaign_id, a, b)
    except Invalid as exc:
        # Show the choice again, with what was wrong with it.
        counted = strategy.version_count(workspace_id(), campaign_id)
        return page("strategy/compare.html", status=422, comparison=None, errors=exc.fields, message=exc.message,
                    latest=counted.latest, current_version=counted.campaign.current_version,
                    campaign=counted.campaign, campaign_id=campaign_id, values={"a": a, "b": b})
    return page("strategy/compare.html", comparison=found, errors={}, message=None, latest=found.latest,
                current_version=found.campaign.current_version, campaign=found.campaign, campaign_id=campaign_id,
                values={"a": found.a.number, "b": found.b.number})
