"""The strategy board, the campaign page's summary of it, planning a version, approving every post or submitting
drafts for review, undoing the last regeneration or restore, and the graph."""
from flask import g, make_response, request
from flask_login import current_user, login_required

from ...ids import number_or_text
from ...services import strategy
from ..context import workspace_id
from ..forms import submit, swap, to
from ..htmx import no_change, page, page_only, unchanged
from ..pages import board_page, strategy_limits
from . import bp
from .follow_up import graph_page


@bp.get("/campaigns/<int:campaign_id>/strategy")
@login_required
def board(campaign_id: int):
    """Show the strategy board; htmx polls it while a post is unfinished, and gets 204 while nothing changed."""
    if unchanged(strategy.board_state, campaign_id):
        return no_change()
    return board_page(campaign_id)


@bp.get("/campaigns/<int:campaign_id>/strategy/summary")
@login_required
def summary(campaign_id: int):
    """Show the strategy's summary for the campaign page; it polls while the strategy is being written."""
    if unchanged(strategy.board_state, campaign_id):
        return no_change()
    g.poll_state = strategy.board_state(workspace_id(), campaign_id)  # also 404 for another workspace's campaign
    return page_only("strategy.board", campaign_id=campaign_id) or page(
        "strategy/_summary.html", board=strategy.board(workspace_id(), campaign_id), campaign_id=campaign_id,
        errors={}, values={}, limits=strategy_limits())


@bp.post("/campaigns/<int:campaign_id>/strategy/plan")
@login_required
def plan(campaign_id: int):
    """Plan the strategy (then write every post) from the plan form."""
    values = {"direction": request.form.get("direction", "")}
    return submit(lambda: strategy.plan(workspace_id(), campaign_id, direction=values["direction"],
                                        author_id=current_user.id),
                  done=to("strategy.board", campaign_id=campaign_id),
                  again=lambda status, **outcome: board_page(campaign_id, status, values=values, **outcome))


@bp.post("/campaigns/<int:campaign_id>/strategy/approve-all")
@login_required
def approve_all(campaign_id: int):
    """Approve every written post of the current version."""
    count = strategy.approve_all_posts(workspace_id(), campaign_id, actor_id=current_user.id)
    notice = f"{count} post{'s' if count != 1 else ''} approved."
    return swap(lambda: board_page(campaign_id, notice=notice), "strategy.board", campaign_id=campaign_id)()


@bp.post("/campaigns/<int:campaign_id>/strategy/undo")
@login_required
def undo(campaign_id: int):
    """Undo the current version (the form names it), made by a regeneration, a follow-up or a restore: the version
    before it becomes current again, as a new version. Refused when the named version is no longer current."""
    number = number_or_text(request.form.get("version", ""))
    return submit(lambda: strategy.undo_change(workspace_id(), campaign_id, number, author_id=current_user.id),
                  done=lambda version: swap(lambda: board_page(campaign_id, notice=undone(version)), "strategy.board",
                                            campaign_id=campaign_id)(),
                  again=lambda status, problem, **_: board_page(campaign_id, status, problem=problem))


@bp.post("/campaigns/<int:campaign_id>/strategy/reviews")
@login_required
def submit_reviews(campaign_id: int):
    """Submit the current version's written drafts for review: one phase's (phase=N) or all of them."""
    phase = number_or_text(request.form.get("phase", "")) or None
    phase = phase if isinstance(phase, int) else None
    count = strategy.submit_for_review(workspace_id(), campaign_id, current_user.id, phase=phase)
    notice = submitted(count, phase)
    return swap(lambda: board_page(campaign_id, notice=notice), "strategy.board", campaign_id=campaign_id)()


def submitted(count: int, phase: int | None = None) -> str:
    """What the board says after submitting drafts for review."""
    where = f" in phase {phase}" if phase else ""
    if not count:
        return f"No written drafts to submit{where}: every written post is already in review or approved."
    return f"{count} post{'s' if count != 1 else ''}{where} submitted for review."


def undone(version) -> str:
    """What the board says after an undo."""
    return f"Undone: version {version.based_on}'s posts are current again as version {version.number}."


@bp.get("/campaigns/<int:campaign_id>/strategy/graph")
@login_required
def graph(campaign_id: int):
    """Show the strategy graph as SVG, with its Mermaid text; ?after= and ?instruction= (a chat answer's
    suggestion) fill in its follow-up form."""
    asked = {"after": request.args.getlist("after"), "instruction": request.args.get("instruction", "")}
    return graph_page(campaign_id, follow_up={"values": asked} if any(asked.values()) else None)


@bp.get("/campaigns/<int:campaign_id>/strategy/graph.mmd")
@login_required
def mermaid(campaign_id: int):
    """Download the strategy graph as Mermaid text."""
    drawing = strategy.graph_drawing(workspace_id(), campaign_id)
    response = make_response(drawing.mermaid)
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="campaign-{campaign_id}-strategy-v{drawing.version or 0}.mmd"')
    response.headers["Vary"] = "HX-Request"
    return response
