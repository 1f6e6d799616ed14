"""The strategy: the board, the graph, the post page, variant regeneration and approval."""
from flask import Blueprint, g, make_response, redirect, request, send_file, url_for
from flask_login import current_user, login_required

from ..services import results, strategy
from ..services.errors import Conflict, Invalid
from . import MAX_ID, go, is_htmx, no_change, number_arg, page, unchanged, workspace_id
from .pages import board_page, post_results_context, strategy_limits

bp = Blueprint("strategy", __name__)


@bp.context_processor
def names():
    return {"channel_names": strategy.channel_names()}


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
    if not is_htmx():
        return redirect(url_for("strategy.board", campaign_id=campaign_id))
    board_ = strategy.board(workspace_id(), campaign_id)
    return page("strategy/_summary.html", board=board_, campaign_id=campaign_id, errors={}, values={},
                limits=strategy_limits())


@bp.post("/campaigns/<int:campaign_id>/strategy/plan")
@login_required
def plan(campaign_id: int):
    """Plan the strategy (then write every post) from the plan form."""
    direction = request.form.get("direction", "")
    try:
        strategy.plan(workspace_id(), campaign_id, direction=direction, author_id=current_user.id)
    except Invalid as exc:
        return board_page(campaign_id, 422, errors=exc.fields, values={"direction": direction})
    except Conflict as exc:
        return board_page(campaign_id, 409, problem=exc.message, values={"direction": direction})
    return go("strategy.board", campaign_id=campaign_id)


def _phase_num(raw):
    """Read the phase from a form or query string: digits become a number; anything else goes on to be refused."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= MAX_ID:
        return int(raw)
    return raw


@bp.route("/campaigns/<int:campaign_id>/strategy/regenerate", methods=["GET", "POST"])
@login_required
def regenerate_strategy(campaign_id: int):
    """Show what regenerating from a phase keeps and archives, and start it with a new direction."""
    values = request.values if request.method == "POST" else request.args
    phase_num = _phase_num(values.get("phase_num", ""))
    direction = request.form.get("new_direction", "")
    # Opened from an alert: its suggested phase and direction are filled in, and the alert goes along.
    alert_id = values.get("alert_id") or None
    if request.method == "GET" and alert_id:
        suggestion = results.get_alert(workspace_id(), campaign_id, alert_id).action
        phase_num = phase_num if phase_num != "" else suggestion.get("from_phase", "")
        direction = suggestion.get("direction", "")
    context = {"campaign_id": campaign_id, "errors": {}, "problem": None, "direction": direction,
               "phase_num": phase_num, "limits": strategy_limits(), "in_dialog": is_htmx(), "alert_id": alert_id}
    status = 200
    if request.method == "POST":
        try:
            strategy.regenerate(workspace_id(), campaign_id, phase_num, direction, author_id=current_user.id,
                                alert_id=alert_id)
        except Invalid as exc:
            context["errors"], status = exc.fields, 422
        except Conflict as exc:
            context["problem"], status = exc.message, 409
        else:
            return go("strategy.board", campaign_id=campaign_id)
    context.update(_preview_context(campaign_id, phase_num, context["errors"]))
    if request.method == "GET" or not is_htmx():
        return page("strategy/regenerate_strategy.html", "strategy/_regenerate_strategy_dialog.html", status=status,
                    **context)
    return page("strategy/regenerate_strategy.html", "strategy/_regenerate_strategy_form.html", status=status,
                **context)


@bp.get("/campaigns/<int:campaign_id>/strategy/regenerate/preview")
@login_required
def regenerate_preview(campaign_id: int):
    """Show what regenerating from the chosen phase keeps, archives and costs (the dialog's preview)."""
    phase_num = _phase_num(request.args.get("phase_num", ""))
    context = _preview_context(campaign_id, phase_num, {})
    if not is_htmx():
        return redirect(url_for("strategy.regenerate_strategy", campaign_id=campaign_id, phase_num=phase_num))
    return page("strategy/regenerate_strategy.html", "strategy/_regenerate_preview.html", campaign_id=campaign_id,
                phase_num=phase_num, **context)


def _preview_context(campaign_id: int, phase_num, errors: dict) -> dict:
    """Return the preview of a regeneration from `phase_num`, or why there is none (a bad phase, no strategy)."""
    board = strategy.board(workspace_id(), campaign_id)
    try:
        found = strategy.preview(workspace_id(), campaign_id, phase_num)
    except Invalid as exc:
        return {"preview": None, "board": board, "preview_problem": exc.fields.get("phase_num"),
                "errors": {**exc.fields, **errors}}
    except Conflict as exc:
        return {"preview": None, "board": board, "preview_problem": exc.message}
    return {"preview": found, "board": board, "preview_problem": None}


@bp.post("/campaigns/<int:campaign_id>/strategy/regenerate/<int:run_id>/retry")
@login_required
def retry_regeneration(campaign_id: int, run_id: int):
    """Start a failed regeneration again, with the same phase and direction."""
    try:
        strategy.retry_regeneration(workspace_id(), campaign_id, run_id, author_id=current_user.id)
    except Conflict as exc:
        return board_page(campaign_id, 409, problem=exc.message)
    except Invalid as exc:
        return board_page(campaign_id, 422, problem=" ".join(exc.fields.values()))
    return go("strategy.board", campaign_id=campaign_id)


@bp.post("/campaigns/<int:campaign_id>/strategy/approve-all")
@login_required
def approve_all(campaign_id: int):
    """Approve every written post of the current version."""
    count = strategy.approve_all(workspace_id(), campaign_id)
    if is_htmx():
        return board_page(campaign_id, notice=f"{count} post{'s' if count != 1 else ''} approved.")
    return go("strategy.board", campaign_id=campaign_id)


@bp.get("/campaigns/<int:campaign_id>/strategy/graph")
@login_required
def graph(campaign_id: int):
    """Show the strategy graph as SVG, with its Mermaid text."""
    drawing = strategy.drawing(workspace_id(), campaign_id)
    return page("strategy/graph.html", drawing=drawing, campaign=drawing.campaign, campaign_id=campaign_id,
                max_phases=strategy.REGENERATE_PHASES_MAX)


@bp.get("/campaigns/<int:campaign_id>/strategy/graph.mmd")
@login_required
def mermaid(campaign_id: int):
    """Download the strategy graph as Mermaid text."""
    drawing = strategy.drawing(workspace_id(), campaign_id)
    response = make_response(drawing.mermaid)
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="campaign-{campaign_id}-strategy-v{drawing.version or 0}.mmd"')
    response.headers["Vary"] = "HX-Request"
    return response


@bp.get("/campaigns/<int:campaign_id>/posts/<int:post_id>")
@login_required
def post(campaign_id: int, post_id: int):
    """Show a post with variants A and B side by side; htmx polls it while something is being written."""
    numbers = {label: number_arg(label) for label in strategy.VARIANT_LABELS}
    view = strategy.post_view(workspace_id(), campaign_id, post_id, numbers)
    if is_htmx():
        return page("strategy/post.html", "strategy/_post.html", view=view, campaign_id=campaign_id)
    return page("strategy/post.html", view=view,
                **post_results_context(campaign_id, post_id, saved=request.args.get("saved") == "1"))


@bp.get("/campaigns/<int:campaign_id>/posts/<int:post_id>/variants/<label>")
@login_required
def variant(campaign_id: int, post_id: int, label: str):
    """Show one version of a variant (the current one by default)."""
    number = number_arg("number")
    view = strategy.variant_view(workspace_id(), campaign_id, post_id, label, number)
    if not is_htmx():
        return redirect(url_for("strategy.post", campaign_id=campaign_id, post_id=post_id, **{label: number}))
    return page("strategy/post.html", "strategy/_variant.html", vv=view, campaign_id=campaign_id, post_id=post_id)


@bp.route("/campaigns/<int:campaign_id>/posts/<int:post_id>/variants/<label>/regenerate", methods=["GET", "POST"])
@login_required
def regenerate(campaign_id: int, post_id: int, label: str):
    """Ask for feedback and write a new version of a variant; the old one is kept."""
    view = strategy.variant_view(workspace_id(), campaign_id, post_id, label)
    # Opened from an alert: its suggested feedback is filled in, and the alert goes along.
    alert_id = request.values.get("alert_id") or None
    context = {"vv": view, "campaign_id": campaign_id, "post_id": post_id, "label": view.label, "errors": {},
               "feedback": "", "problem": None, "limits": strategy_limits(), "alert_id": alert_id,
               "post_title": strategy.get_post(workspace_id(), campaign_id, post_id).title}
    if request.method == "GET":
        strategy.check_revisable(workspace_id(), campaign_id, post_id, label)
        if alert_id:
            context["feedback"] = results.get_alert(workspace_id(), campaign_id, alert_id).action.get("feedback", "")
        return page("strategy/regenerate.html", "strategy/_regenerate_dialog.html", in_dialog=is_htmx(), **context)
    context["feedback"] = request.form.get("feedback", "")
    try:
        strategy.regenerate_variant(workspace_id(), campaign_id, post_id, label, context["feedback"],
                                    alert_id=alert_id)
    except Invalid as exc:
        context["errors"], status = exc.fields, 422
    except Conflict as exc:
        context["problem"], status = exc.message, 409
    else:
        return go("strategy.post", campaign_id=campaign_id, post_id=post_id)
    return page("strategy/regenerate.html", "strategy/_regenerate_form.html", status=status, in_dialog=is_htmx(),
                **context)


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/retry")
@login_required
def retry(campaign_id: int, post_id: int):
    """Write a failed post again, alone."""
    back = request.form.get("back") == "post"
    try:
        strategy.retry_post(workspace_id(), campaign_id, post_id)
    except Conflict as exc:
        if back:
            view = strategy.post_view(workspace_id(), campaign_id, post_id)
            return page("strategy/post.html", "strategy/_post.html", status=409, view=view, campaign_id=campaign_id,
                        problem=exc.message)
        return board_page(campaign_id, 409, problem=exc.message)
    if back:
        return go("strategy.post", campaign_id=campaign_id, post_id=post_id)
    if is_htmx():
        return board_page(campaign_id)
    return go("strategy.board", campaign_id=campaign_id)


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/approve")
@login_required
def approve(campaign_id: int, post_id: int):
    """Approve a post, or take the approval back (approved=0)."""
    approved = request.form.get("approved", "1") != "0"
    back = request.form.get("back") == "board"
    problem = None
    try:
        strategy.approve(workspace_id(), campaign_id, post_id, approved)
    except Conflict as exc:
        problem = exc.message
    status = 409 if problem else 200
    if back:
        if is_htmx() or problem:
            return board_page(campaign_id, status, problem=problem)
        return go("strategy.board", campaign_id=campaign_id)
    if is_htmx() or problem:
        view = strategy.post_view(workspace_id(), campaign_id, post_id)
        return page("strategy/post.html", "strategy/_post.html", status=status, view=view, campaign_id=campaign_id,
                    problem=problem)
    return go("strategy.post", campaign_id=campaign_id, post_id=post_id)


@bp.get("/media/variants/<int:variant_id>.png")
@login_required
def media(variant_id: int):
    """Send a variant's image, only to the workspace that owns it."""
    response = send_file(strategy.media_file(workspace_id(), variant_id), mimetype="image/png", max_age=300)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
