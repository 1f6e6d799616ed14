"""The strategy's history: the timeline of versions, one version read-only, two compared, and a restore."""
from flask import Blueprint, request
from flask_login import current_user, login_required

from ..ids import number_or_text
from ..services import strategy
from .context import workspace_id
from .forms import submit, to
from .htmx import is_htmx, page

bp = Blueprint("versions", __name__)


@bp.get("/campaigns/<int:campaign_id>/strategy/versions")
@login_required
def index(campaign_id: int):
    """Show the strategy versions, newest first a page at a time (?before=), with what each one changed."""
    found = strategy.timeline(workspace_id(), campaign_id, request.args.get("before"))
    return page("versions/index.html", timeline=found, campaign=found.campaign, campaign_id=campaign_id)


@bp.get("/campaigns/<int:campaign_id>/strategy/versions/<int:number>")
@login_required
def show(campaign_id: int, number: int):
    """Show one version as it was, read-only: its phases, posts and graph."""
    view = strategy.version_view(workspace_id(), campaign_id, number)
    return page("versions/show.html", view=view, campaign=view.campaign, campaign_id=campaign_id,
                drawing={"svg": view.svg, "version": view.number})


@bp.route("/campaigns/<int:campaign_id>/strategy/versions/<int:number>/restore", methods=["GET", "POST"])
@login_required
def restore(campaign_id: int, number: int):
    """Show what restoring a version changes, and restore it once confirmed; no model calls."""
    if request.method == "GET":
        return _restore_form(campaign_id, number)
    return submit(lambda: strategy.restore_version(workspace_id(), campaign_id, number, author_id=current_user.id),
                  done=to("strategy.board", campaign_id=campaign_id),
                  again=lambda status, problem, **_: _restore_form(campaign_id, number, status,
                                                                   "versions/_restore_form.html", problem))


def _restore_form(campaign_id: int, number: int, status: int = 200, fragment: str | None = None,
                  problem: str | None = None):
    """The restore's preview and confirmation: the dialog or the page, or only `fragment` for htmx."""
    return page("versions/restore.html", fragment, status=status, in_dialog=is_htmx(), campaign_id=campaign_id,
                preview=strategy.restore_preview(workspace_id(), campaign_id, number), problem=problem)


@bp.get("/campaigns/<int:campaign_id>/strategy/compare")
@login_required
def compare(campaign_id: int):
    """Compare two versions (?a=&b=): posts, links and phases, with one graph coloured by change."""
    a, b = number_or_text(request.args.get("a")), number_or_text(request.args.get("b"))
    return submit(lambda: strategy.compare_versions(workspace_id(), campaign_id, a, b),
                  done=lambda found: _compare_page(campaign_id, found, values={"a": found.a.number,
                                                                               "b": found.b.number}),
                  # The choice is shown again, with what was wrong with it.
                  again=lambda status, **outcome: _compare_page(campaign_id, None, status, values={"a": a, "b": b},
                                                                **outcome),
                  summary=True)


def _compare_page(campaign_id: int, comparison, status: int = 200, *, values: dict, errors: dict | None = None,
                  problem: str | None = None):
    """The comparison of two versions, or only the form to choose them when there is none."""
    counted = comparison if comparison is not None else strategy.version_count(workspace_id(), campaign_id)
    return page("versions/compare.html", status=status, comparison=comparison, values=values, errors=errors or {},
                problem=problem, latest=counted.latest, current_version=counted.campaign.current_version,
                campaign=counted.campaign, campaign_id=campaign_id)
