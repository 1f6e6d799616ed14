"""A follow-up post after picked posts of the current version, from the board or the graph: the form's answer."""
from flask import request
from flask_login import current_user, login_required

from ...services import strategy
from ..context import workspace_id
from ..forms import submit, to
from ..htmx import page
from ..pages import board_page, strategy_limits
from . import bp


@bp.post("/campaigns/<int:campaign_id>/strategy/follow-up")
@login_required
def add_follow_up(campaign_id: int):
    """Start a follow-up post after the ticked posts; a refusal is said in the form, on the board or the graph."""
    values = {"after": request.form.getlist("after"), "instruction": request.form.get("instruction", "")}
    on_graph = request.form.get("from") == "graph"

    def again(status: int, errors: dict, problem: str | None):
        shown = {"values": values, "errors": errors, "problem": problem}
        if on_graph:
            return graph_page(campaign_id, status, "strategy/_follow_up_form.html", follow_up=shown)
        return board_page(campaign_id, status, follow_up=shown)

    return submit(lambda: strategy.add_follow_up(workspace_id(), campaign_id, values["after"], values["instruction"],
                                                 author_id=current_user.id),
                  done=to("strategy.board", campaign_id=campaign_id), again=again)


def graph_page(campaign_id: int, status: int = 200, fragment: str | None = None, **context):
    """The strategy graph with its follow-up form; htmx gets only `fragment` when one is named."""
    drawing = strategy.graph_drawing(workspace_id(), campaign_id)
    return page("strategy/graph.html", fragment, status=status, drawing=drawing, campaign=drawing.campaign,
                campaign_id=campaign_id, max_phases=strategy.REGENERATE_PHASES_MAX, fu_columns=drawing.columns,
                listed=True, limits=strategy_limits(),
                next_version=strategy.version_count(workspace_id(), campaign_id).latest + 1, **context)
