"""The analysis workflow's pages: step cards, generation, regeneration with feedback, versions, diffs and edits."""
import json

from flask import Blueprint, request
from flask_login import login_required

from ...models import STEP_KINDS
from ...services import steps
from ..context import workspace_id
from ..converters import number_arg
from ..forms import submit, swap, to
from ..htmx import go, is_htmx, page
from .fields import edit_form, posted_content

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


def _to_card(campaign_id: int, kind: str, later_changed: bool = False):
    """A `done` for the card's forms: htmx gets the card, a browser goes back to it on the campaign page.

    The later cards are asked to refresh when `later_changed`, or when the card's run has already succeeded:
    a worker quick enough to finish before this answer leaves no poll to tell them."""
    def card():
        shown = steps.step_card(workspace_id(), campaign_id, kind)
        return _card_page(campaign_id, shown, refresh_later=later_changed or _done(shown))
    return swap(card, "campaigns.show", campaign_id=campaign_id, _anchor=f"step-{kind}")


def _card_again(campaign_id: int, kind: str, **context):
    """An `again` for the card's forms: the card with the messages beside the form's fields (422), or saying
    why the run cannot start (409)."""
    return lambda status, errors, problem: _card_page(campaign_id, steps.step_card(workspace_id(), campaign_id, kind),
                                                      status, errors=errors, problem=problem, **context)


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>")
@login_required
def step(campaign_id: int, kind: str):
    """Show one step card, optionally an older version (?v=); htmx polls it while its run is unfinished."""
    card = steps.step_card(workspace_id(), campaign_id, kind, number_arg("v"))
    # A poll that finds the run done also refreshes the later cards, which now see the new version.
    return _card_page(campaign_id, card, refresh_later=bool(request.args.get("poll")) and _done(card))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/generate")
@login_required
def generate(campaign_id: int, kind: str):
    """Start generating a step from its form."""
    inputs = {name: request.form.get(name, "") for name in request.form if name != "csrf_token"}
    return submit(lambda: steps.start_step(workspace_id(), campaign_id, kind, inputs=inputs),
                  done=_to_card(campaign_id, kind), again=_card_again(campaign_id, kind, values=inputs))


def _regenerate_page(campaign_id: int, kind: str, status: int = 200, fragment: str | None = None, **context):
    """The regenerate form: a dialog over the card for an htmx GET, a page of its own otherwise."""
    return page("workflow/regenerate.html", fragment, status=status, in_dialog=is_htmx(), campaign_id=campaign_id,
                card=steps.revisable_card(workspace_id(), campaign_id, kind), quick_picks=steps.QUICK_PICKS,
                feedback_max=steps.STEP_FEEDBACK_MAX, **context)


def _regenerate_again(campaign_id: int, kind: str, feedback: str):
    """An `again` for the regenerate form: the form with its messages (422), or the card saying why the
    revision cannot start (409)."""
    def again(status: int, errors: dict, problem: str | None):
        if status != 422:
            return _card_again(campaign_id, kind)(status, errors, problem)
        response = _regenerate_page(campaign_id, kind, status, "workflow/_regenerate_form.html", feedback=feedback,
                                    errors=errors)
        if is_htmx():
            # The form targets the card, which a revision replaces; a refused one swaps only itself, so the
            # dialog stays open with what was typed.
            response.headers["HX-Retarget"] = f"#regenerate-form-{kind}"
            response.headers["HX-Reswap"] = "outerHTML"
        return response
    return again


@bp.route("/campaigns/<int:campaign_id>/steps/<kind>/regenerate", methods=["GET", "POST"])
@login_required
def regenerate(campaign_id: int, kind: str):
    """Show the regenerate form (a dialog for htmx, a page otherwise), and start the revision."""
    if request.method == "GET":
        return _regenerate_page(campaign_id, kind)
    feedback, picks = request.form.get("feedback", ""), request.form.getlist("quick")
    return submit(lambda: steps.regenerate_step(workspace_id(), campaign_id, kind, feedback, picks),
                  done=_to_card(campaign_id, kind), again=_regenerate_again(campaign_id, kind, feedback))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/refresh")
@login_required
def refresh(campaign_id: int, kind: str):
    """Regenerate a stale step with its inputs and the new context of the earlier steps."""
    return submit(lambda: steps.refresh_step(workspace_id(), campaign_id, kind),
                  done=_to_card(campaign_id, kind), again=_card_again(campaign_id, kind))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/runs/<int:run_id>/retry")
@login_required
def retry(campaign_id: int, kind: str, run_id: int):
    """Run a failed generation again with the same inputs."""
    return submit(lambda: steps.retry_step(workspace_id(), campaign_id, kind, run_id),
                  done=_to_card(campaign_id, kind), again=_card_again(campaign_id, kind))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/versions/<int:number>/make-current")
@login_required
def make_current(campaign_id: int, kind: str, number: int):
    """Make an older version current again; the later steps become stale."""
    steps.make_current(workspace_id(), campaign_id, kind, number)
    if request.form.get("next") == "versions":
        return go("workflow.versions", campaign_id=campaign_id, kind=kind)
    return _to_card(campaign_id, kind, later_changed=True)()


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>/versions")
@login_required
def versions(campaign_id: int, kind: str):
    """List a step's versions, newest first a page at a time (?before=), and the differences between two (?a=&b=)."""
    history = steps.step_history(workspace_id(), campaign_id, kind, number_arg("a"), number_arg("b"),
                            before=request.args.get("before"))
    return page("workflow/versions.html", "workflow/_diff.html", history=history, diff=history.diff,
                campaign_id=campaign_id)


def _edit_page(campaign_id: int, kind: str, number, posted=None, status: int = 200, **context):
    form = edit_form(workspace_id(), campaign_id, kind, number, posted=posted)
    return page("workflow/edit.html", status=status, form=form, campaign_id=campaign_id, **context)


@bp.route("/campaigns/<int:campaign_id>/steps/<kind>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int, kind: str):
    """Show the edit form of a version (?v=, the current one by default), and save it as an edited version."""
    number = number_arg("v")
    if request.method == "GET":
        return _edit_page(campaign_id, kind, number, errors={})
    content, names = posted_content(kind, request.form)
    return submit(lambda: steps.save_edit(workspace_id(), campaign_id, kind, content, based_on=number, names=names),
                  done=to("campaigns.show", campaign_id=campaign_id, _anchor=f"step-{kind}"),
                  again=lambda status, errors, problem: _edit_page(campaign_id, kind, number, request.form, status,
                                                                   errors=errors, problem=problem))
