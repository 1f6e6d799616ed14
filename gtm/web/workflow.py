"""The analysis workflow: step cards, generation, regeneration with feedback, versions, diffs and edits."""
import json

from flask import Blueprint, request
from flask_login import login_required

from ..models import STEP_KINDS
from ..services import steps
from ..services.errors import Conflict, Invalid
from . import go, is_htmx, number_arg, page, workspace_id

bp = Blueprint("workflow", __name__)

STEP_PAGE, STEP_FRAGMENT = "workflow/step.html", "workflow/_step.html"
# The events that tell a card to fetch itself again, one per step (see _step.html): an event per
# card, not one event with a filter, because the Content-Security-Policy forbids htmx to evaluate filters.
STEPS_CHANGED = "steps-changed-{kind}"


def _card_page(campaign_id: int, card, status: int = 200, refresh_later: bool = False, **context):
    """Render a step card (a page, or the fragment for htmx); `refresh_later` asks the later cards to refresh."""
    response = page(STEP_PAGE, STEP_FRAGMENT, status=status, card=card, campaign_id=campaign_id, **context)
    if refresh_later and is_htmx():
        # The later cards may be stale or unblocked now. They fetch themselves rather than get a copy
        # out of band here: a copy rendered now could land after a newer answer to that card's own
        # request (its Generate, say) and put the older state back. A card's own requests are in step.
        later = STEP_KINDS[STEP_KINDS.index(card.kind) + 1:]
        response.headers["HX-Trigger"] = json.dumps({STEPS_CHANGED.format(kind=kind): {} for kind in later})
    return response


def _done(card) -> bool:
    """True when the card's latest run has just succeeded: the later cards may be stale or unblocked."""
    return bool(not card.busy and card.run and card.run.status == "succeeded")


def _back_to_card(campaign_id: int, kind: str):
    return go("campaigns.show", campaign_id=campaign_id, _anchor=f"step-{kind}")


def _start_run(campaign_id: int, kind: str, start):
    """Call `start`; show the card (409 with the reason when refused), or go back to it without htmx."""
    problem = None
    try:
        start()
    except Conflict as exc:
        problem = exc.message
    if not problem and not is_htmx():
        return _back_to_card(campaign_id, kind)
    card = steps.card(workspace_id(), campaign_id, kind)
    # A worker quick enough to finish before this answer leaves no poll to tell the later cards.
    return _card_page(campaign_id, card, 409 if problem else 200, refresh_later=not problem and _done(card),
                      problem=problem)


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>")
@login_required
def step(campaign_id: int, kind: str):
    """Show one step card, optionally an older version (?v=); htmx polls it while its run is unfinished."""
    card = steps.card(workspace_id(), campaign_id, kind, number_arg("v"))
    # A poll that finds the run done also refreshes the later cards, which now see the new version.
    return _card_page(campaign_id, card, refresh_later=bool(request.args.get("poll")) and _done(card))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/generate")
@login_required
def generate(campaign_id: int, kind: str):
    """Start generating a step from its form."""
    inputs = {name: request.form.get(name, "") for name in request.form if name != "csrf_token"}
    errors, problem = {}, None
    try:
        steps.start(workspace_id(), campaign_id, kind, inputs=inputs)
    except Invalid as exc:
        errors = exc.fields
    except Conflict as exc:
        problem = exc.message
    if not errors and not problem and not is_htmx():
        return _back_to_card(campaign_id, kind)
    card = steps.card(workspace_id(), campaign_id, kind)
    status = 422 if errors else 409 if problem else 200
    return _card_page(campaign_id, card, status, refresh_later=status == 200 and _done(card), errors=errors,
                      values=inputs, problem=problem)


@bp.route("/campaigns/<int:campaign_id>/steps/<kind>/regenerate", methods=["GET", "POST"])
@login_required
def regenerate(campaign_id: int, kind: str):
    """Show the regenerate form (a dialog for htmx, a page otherwise), and start the revision."""
    context = {"campaign_id": campaign_id, "quick_picks": steps.QUICK_PICKS, "feedback_max": steps.STEP_FEEDBACK_MAX}
    if request.method == "GET":
        card = steps.revisable_card(workspace_id(), campaign_id, kind)
        return page("workflow/regenerate.html", "workflow/_regenerate.html", card=card, **context)
    feedback = request.form.get("feedback", "")
    try:
        steps.regenerate(workspace_id(), campaign_id, kind, feedback, request.form.getlist("quick"))
    except Invalid as exc:
        # Only the form is swapped, so the dialog stays open with what was typed.
        card = steps.revisable_card(workspace_id(), campaign_id, kind)
        response = page("workflow/regenerate.html", "workflow/_regenerate_form.html", status=422, card=card,
                        feedback=feedback, errors=exc.fields, in_dialog=True, **context)
        response.headers["HX-Retarget"] = f"#regenerate-form-{kind}"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    except Conflict as exc:
        if not is_htmx():
            card = steps.card(workspace_id(), campaign_id, kind)
            return page("workflow/step.html", card=card, campaign_id=campaign_id, problem=exc.message, status=409)
        return _card_page(campaign_id, steps.card(workspace_id(), campaign_id, kind), 409, problem=exc.message)
    if not is_htmx():
        return _back_to_card(campaign_id, kind)
    return _card_page(campaign_id, steps.card(workspace_id(), campaign_id, kind))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/refresh")
@login_required
def refresh(campaign_id: int, kind: str):
    """Regenerate a stale step with its inputs and the new context of the earlier steps."""
    return _start_run(campaign_id, kind, lambda: steps.refresh(workspace_id(), campaign_id, kind))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/runs/<int:run_id>/retry")
@login_required
def retry(campaign_id: int, kind: str, run_id: int):
    """Run a failed generation again with the same inputs."""
    return _start_run(campaign_id, kind, lambda: steps.retry(workspace_id(), campaign_id, kind, run_id))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/versions/<int:number>/make-current")
@login_required
def make_current(campaign_id: int, kind: str, number: int):
    """Make an older version current again; the later steps become stale."""
    steps.make_current(workspace_id(), campaign_id, kind, number)
    if request.form.get("next") == "versions":
        return go("workflow.versions", campaign_id=campaign_id, kind=kind)
    if not is_htmx():
        return _back_to_card(campaign_id, kind)
    return _card_page(campaign_id, steps.card(workspace_id(), campaign_id, kind), refresh_later=True)


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>/versions")
@login_required
def versions(campaign_id: int, kind: str):
    """List a step's versions, newest first a page at a time (?before=), and the differences between two (?a=&b=)."""
    history = steps.history(workspace_id(), campaign_id, kind, number_arg("a"), number_arg("b"),
                            before=request.args.get("before"))
    return page("workflow/versions.html", "workflow/_diff.html", history=history, diff=history.diff,
                campaign_id=campaign_id)


@bp.route("/campaigns/<int:campaign_id>/steps/<kind>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int, kind: str):
    """Show the edit form of a version (?v=, the current one by default), and save it as an edited version."""
    number = number_arg("v")
    if request.method == "POST":
        try:
            steps.save_edit_form(workspace_id(), campaign_id, kind, request.form, based_on=number)
        except Invalid as exc:
            form = steps.edit_form(workspace_id(), campaign_id, kind, number, posted=request.form)
            return page("workflow/edit.html", form=form, errors=exc.fields, campaign_id=campaign_id, status=422)
        return _back_to_card(campaign_id, kind)
    form = steps.edit_form(workspace_id(), campaign_id, kind, number)
    return page("workflow/edit.html", form=form, errors={}, campaign_id=campaign_id)
