"""Regenerating the strategy from a phase with a new direction: the dialog (or page) with its preview of what is
kept, archived and paid for, starting it, and starting a failed one again."""
from flask import request
from flask_login import current_user, login_required

from ...ids import number_or_text
from ...services import results, strategy
from ..context import workspace_id
from ..forms import submit, to
from ..htmx import is_htmx, page, page_only
from ..pages import board_page, strategy_limits
from . import bp

PAGE = "strategy/regenerate_strategy.html"
FORM, PREVIEW = "strategy/_regenerate_strategy_form.html", "strategy/_regenerate_strategy_preview.html"


@bp.route("/campaigns/<int:campaign_id>/strategy/regenerate", methods=["GET", "POST"])
@login_required
def regenerate_strategy(campaign_id: int):
    """Show what regenerating from a phase keeps and archives, and start it with a new direction."""
    if request.method == "GET":
        return _form(campaign_id, **_suggested(campaign_id))
    asked = {"phase_num": number_or_text(request.values.get("phase_num", "")),
             "direction": request.form.get("new_direction", ""), "alert_id": request.values.get("alert_id") or None}
    return submit(lambda: strategy.regenerate(workspace_id(), campaign_id, asked["phase_num"], asked["direction"],
                                              author_id=current_user.id, alert_id=asked["alert_id"]),
                  done=to("strategy.board", campaign_id=campaign_id),
                  again=lambda status, **outcome: _form(campaign_id, status, FORM, **asked, **outcome))


def _suggested(campaign_id: int) -> dict:
    """The phase and direction asked for (?phase_num=, ?direction=: a chat answer's suggestion fills them in),
    and what an alert (?alert_id=) suggests: its phase, unless one was asked for, and its direction. The alert
    goes along with the form."""
    asked = {"phase_num": number_or_text(request.args.get("phase_num", "")),
             "direction": request.args.get("direction", ""), "alert_id": request.args.get("alert_id") or None}
    if asked["alert_id"]:
        suggestion = results.get_alert(workspace_id(), campaign_id, asked["alert_id"]).action
        if asked["phase_num"] == "":
            asked["phase_num"] = suggestion.get("from_phase", "")
        asked["direction"] = suggestion.get("direction", "")
    return asked


def _form(campaign_id: int, status: int = 200, fragment: str | None = None, *, phase_num, direction: str,
          alert_id, errors: dict | None = None, problem: str | None = None):
    """The regeneration form with the preview of `phase_num`: the dialog or the page, or only `fragment` for htmx."""
    return page(PAGE, fragment, status=status, campaign_id=campaign_id, phase_num=phase_num, direction=direction,
                alert_id=alert_id, problem=problem, limits=strategy_limits(), in_dialog=is_htmx(),
                **_preview(campaign_id, phase_num, errors or {}))


@bp.get("/campaigns/<int:campaign_id>/strategy/regenerate/preview")
@login_required
def regenerate_preview(campaign_id: int):
    """Show what regenerating from the chosen phase keeps, archives and costs (the dialog's preview)."""
    phase_num = number_or_text(request.args.get("phase_num", ""))
    shown = _preview(campaign_id, phase_num, {})
    return page_only("strategy.regenerate_strategy", campaign_id=campaign_id, phase_num=phase_num) or page(
        PAGE, PREVIEW, campaign_id=campaign_id, phase_num=phase_num, oob=True, **shown)


def _preview(campaign_id: int, phase_num, form_errors: dict) -> dict:
    """The board and what a regeneration from `phase_num` would do, or why there is none (a bad phase, no
    strategy yet); a bad phase is also said beside the phase field, unless the form's own errors say it."""
    board = strategy.board(workspace_id(), campaign_id)
    # A phase after the last one adds phases: the dialog is then titled and its button labelled for that.
    adding = bool(board.columns) and phase_num == len(board.columns) + 1

    def no_preview(_status: int, errors: dict, problem: str | None) -> dict:
        return {"board": board, "preview": None, "preview_problem": problem or errors.get("phase_num"),
                "errors": {**errors, **form_errors}, "adding": adding}

    # The preview refuses what the regeneration itself would refuse, so its refusals are read as the form's are.
    return submit(lambda: strategy.regeneration_preview(workspace_id(), campaign_id, phase_num),
                  done=lambda found: {"board": board, "preview": found, "preview_problem": None,
                                      "errors": form_errors, "adding": adding},
                  again=no_preview)


@bp.post("/campaigns/<int:campaign_id>/strategy/regenerate/<int:run_id>/retry")
@login_required
def retry_regeneration(campaign_id: int, run_id: int):
    """Start a failed regeneration again, with the same phase and direction."""
    # The form is a single button, so a refused input is said above the board.
    return submit(lambda: strategy.retry_regeneration(workspace_id(), campaign_id, run_id,
                                                      author_id=current_user.id),
                  done=to("strategy.board", campaign_id=campaign_id),
                  again=lambda status, errors, problem: board_page(campaign_id, status,
                                                                   problem=problem or " ".join(errors.values())))
