"""The post page: variants A and B side by side with their versions, a variant rewritten with feedback, a failed
post written again, approval, and a variant's image."""
from flask import request, send_file
from flask_login import current_user, login_required

from ...services import results, strategy
from ..context import workspace_id
from ..converters import number_arg
from ..forms import submit, swap, to
from ..htmx import is_htmx, page, page_only
from ..pages import board_page, post_results_context, strategy_limits
from . import bp

POST_PAGE, POST_FRAGMENT = "strategy/post.html", "strategy/_post.html"
VARIANT_PAGE, VARIANT_FORM = "strategy/regenerate_variant.html", "strategy/_regenerate_variant_form.html"
EDIT_PAGE, EDIT_FORM = "strategy/edit_variant.html", "strategy/_edit_variant_form.html"
EDITED = ("headline", "body", "call_to_action", "hashtags")


@bp.get("/campaigns/<int:campaign_id>/posts/<int:post_id>")
@login_required
def post(campaign_id: int, post_id: int):
    """Show a post with variants A and B side by side; htmx polls it while something is being written."""
    numbers = {label: number_arg(label) for label in strategy.VARIANT_LABELS}
    view = strategy.post_view(workspace_id(), campaign_id, post_id, numbers, viewer_id=current_user.id)
    # The post's results are part of the page only; the polled fragment leaves them out.
    context = {"campaign_id": campaign_id} if is_htmx() else post_results_context(
        campaign_id, post_id, saved=request.args.get("saved") == "1")
    return page(POST_PAGE, POST_FRAGMENT, view=view, **context)


def _shown_again(campaign_id: int, post_id: int, on_board: bool):
    """Where a post's button is answered: `again(status, problem=...)` shows the board, or the post's detail, again
    (the problem above it when refused), and `where` is that page, for a browser to go back to."""
    if on_board:
        return (lambda status, problem=None, **_: board_page(campaign_id, status, problem=problem),
                {"endpoint": "strategy.board", "campaign_id": campaign_id})
    return (lambda status, problem=None, **_: page(POST_PAGE, POST_FRAGMENT, status=status, campaign_id=campaign_id,
                                                   view=strategy.post_view(workspace_id(), campaign_id, post_id,
                                                                           viewer_id=current_user.id),
                                                   problem=problem),
            {"endpoint": "strategy.post", "campaign_id": campaign_id, "post_id": post_id})


@bp.get("/campaigns/<int:campaign_id>/posts/<int:post_id>/variants/<label>")
@login_required
def variant(campaign_id: int, post_id: int, label: str):
    """Show one version of a variant (the current one by default)."""
    number = number_arg("number")
    view = strategy.variant_view(workspace_id(), campaign_id, post_id, label, number)
    return page_only("strategy.post", campaign_id=campaign_id, post_id=post_id, **{label: number}) or page(
        POST_PAGE, "strategy/_variant.html", vv=view, campaign_id=campaign_id, post_id=post_id)


@bp.route("/campaigns/<int:campaign_id>/posts/<int:post_id>/variants/<label>/regenerate", methods=["GET", "POST"])
@login_required
def regenerate(campaign_id: int, post_id: int, label: str):
    """Ask for feedback and write a new version of a variant; the old one is kept."""
    if request.method == "GET":
        strategy.check_revisable(workspace_id(), campaign_id, post_id, label)
        alert_id = request.args.get("alert_id") or None
        # Opened from an alert: its suggested feedback is filled in, and the alert goes along; opened from a chat
        # answer's suggestion, its feedback (?feedback=).
        feedback = results.get_alert(workspace_id(), campaign_id, alert_id).action.get("feedback", "") \
            if alert_id else request.args.get("feedback", "")
        return _variant_form(campaign_id, post_id, label, feedback=feedback, alert_id=alert_id)
    asked = {"feedback": request.form.get("feedback", ""), "alert_id": request.values.get("alert_id") or None}
    return submit(lambda: strategy.regenerate_variant(workspace_id(), campaign_id, post_id, label, asked["feedback"],
                                                      alert_id=asked["alert_id"]),
                  done=to("strategy.post", campaign_id=campaign_id, post_id=post_id),
                  again=lambda status, **outcome: _variant_form(campaign_id, post_id, label, status, VARIANT_FORM,
                                                                **asked, **outcome))


def _variant_form(campaign_id: int, post_id: int, label: str, status: int = 200, fragment: str | None = None, *,
                  feedback: str, alert_id, errors: dict | None = None, problem: str | None = None):
    """The feedback form for rewriting a variant: the dialog or the page, or only `fragment` for htmx."""
    view = strategy.variant_view(workspace_id(), campaign_id, post_id, label)
    return page(VARIANT_PAGE, fragment, status=status, in_dialog=is_htmx(), vv=view, campaign_id=campaign_id,
                post_id=post_id, label=view.label, feedback=feedback, alert_id=alert_id, errors=errors or {},
                problem=problem, limits=strategy_limits(),
                post_title=strategy.get_post(workspace_id(), campaign_id, post_id).title)


@bp.route("/campaigns/<int:campaign_id>/posts/<int:post_id>/variants/<label>/edit", methods=["GET", "POST"])
@login_required
def edit_variant(campaign_id: int, post_id: int, label: str):
    """Change a variant's words by hand: a new version, made current; the image stays."""
    if request.method == "GET":
        current = strategy.check_revisable(workspace_id(), campaign_id, post_id, label)
        values = {"headline": current.headline, "body": current.body, "call_to_action": current.call_to_action,
                  "hashtags": " ".join(f"#{tag}" for tag in current.hashtags or [])}
        return _edit_form(campaign_id, post_id, label, values=values, based_on=current.number)
    values = {name: request.form.get(name, "") for name in EDITED}
    based_on = request.form.get("based_on")
    return submit(lambda: strategy.edit_variant(workspace_id(), campaign_id, post_id, label, values, based_on),
                  done=to("strategy.post", campaign_id=campaign_id, post_id=post_id),
                  again=lambda status, **outcome: _edit_form(campaign_id, post_id, label, status, EDIT_FORM,
                                                             values=values, based_on=based_on, **outcome),
                  summary=True)


def _edit_form(campaign_id: int, post_id: int, label: str, status: int = 200, fragment: str | None = None, *,
               values: dict, based_on, errors: dict | None = None, problem: str | None = None):
    """The form for editing a variant by hand: the dialog or the page, or only `fragment` for htmx."""
    view = strategy.variant_view(workspace_id(), campaign_id, post_id, label)
    return page(EDIT_PAGE, fragment, status=status, in_dialog=is_htmx(), vv=view, campaign_id=campaign_id,
                post_id=post_id, label=view.label, values=values, based_on=based_on, errors=errors or {},
                problem=problem, limits=strategy.edit_limits(view.post.channel), post_title=view.post.title)


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/variants/<label>/versions/<int:number>/current")
@login_required
def make_variant_current(campaign_id: int, post_id: int, label: str, number: int):
    """Make an older version of a variant current again."""
    again, where = _shown_again(campaign_id, post_id, on_board=False)
    return submit(lambda: strategy.make_variant_current(workspace_id(), campaign_id, post_id, label, number),
                  done=to(**where), again=again)


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/retry")
@login_required
def retry(campaign_id: int, post_id: int):
    """Write a failed post again, alone; from the board, or from the post page (back=post)."""
    on_board = request.form.get("back") != "post"
    again, where = _shown_again(campaign_id, post_id, on_board)
    # The post page's Retry is a plain form, so it always goes back to the post page, which shows the writing.
    done = swap(lambda: again(200), **where) if on_board else to(**where)
    return submit(lambda: strategy.retry_post(workspace_id(), campaign_id, post_id), done=done, again=again)


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/approve")
@login_required
def approve(campaign_id: int, post_id: int):
    """Approve a post, or take the approval back (approved=0); from the post page or the board (back=board)."""
    approved = request.form.get("approved", "1") != "0"
    again, where = _shown_again(campaign_id, post_id, on_board=request.form.get("back") == "board")
    return submit(lambda: strategy.approve_post(workspace_id(), campaign_id, post_id, approved,
                                                actor_id=current_user.id),
                  done=swap(lambda: again(200), **where), again=again)


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/submit")
@login_required
def submit_review(campaign_id: int, post_id: int):
    """Submit a written draft for review, from the post page."""
    again, where = _shown_again(campaign_id, post_id, on_board=False)
    return submit(lambda: strategy.submit_for_review(workspace_id(), campaign_id, current_user.id, [post_id]),
                  done=swap(lambda: again(200), **where), again=again)


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/review")
@login_required
def review(campaign_id: int, post_id: int):
    """Approve a post or request changes with a comment (decision=approve|request_changes), from the post page."""
    asked = {"decision": request.form.get("decision", ""), "comment": request.form.get("comment", "")}
    again, where = _shown_again(campaign_id, post_id, on_board=False)
    return submit(lambda: strategy.review_post(workspace_id(), campaign_id, current_user.id, post_id,
                                               asked["decision"], asked["comment"]),
                  done=swap(lambda: again(200), **where),
                  again=lambda status, problem=None, errors=None, **_: again(
                      status, problem=problem or " ".join((errors or {}).values()) or None))


@bp.get("/media/variants/<int:variant_id>.png")
@login_required
def media(variant_id: int):
    """Send a variant's image, only to the workspace that owns it."""
    response = send_file(strategy.media_file(workspace_id(), variant_id), mimetype="image/png", max_age=300)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
