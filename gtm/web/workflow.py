"""The analysis workflow: step cards, generation and retries."""
from flask import Blueprint, request
from flask_login import login_required

from ..services import steps
from ..services.errors import Conflict, Invalid
from . import go, is_htmx, page, workspace_id

bp = Blueprint("workflow", __name__)


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>")
@login_required
def step(campaign_id: int, kind: str):
    """Show one step card; htmx polls it while its run is unfinished."""
    card = steps.card(workspace_id(), campaign_id, kind)
    return page("workflow/step.html", "workflow/_step.html", card=card, campaign_id=campaign_id)


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
        return go("campaigns.show", campaign_id=campaign_id, _anchor=f"step-{kind}")
    card = steps.card(workspace_id(), campaign_id, kind)
    status = 422 if errors else 409 if problem else 200
    return page("workflow/step.html", "workflow/_step.html", card=card, campaign_id=campaign_id, errors=errors,
                values=inputs, problem=problem, status=status)


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/runs/<int:run_id>/retry")
@login_required
def retry(campaign_id: int, kind: str, run_id: int):
    """Run a failed generation again with the same inputs."""
    problem = None
    try:
        steps.retry(workspace_id(), campaign_id, kind, run_id)
    except Conflict as exc:
        problem = exc.message
    if not problem and not is_htmx():
        return go("campaigns.show", campaign_id=campaign_id, _anchor=f"step-{kind}")
    card = steps.card(workspace_id(), campaign_id, kind)
    return page("workflow/step.html", "workflow/_step.html", card=card, campaign_id=campaign_id, problem=problem,
                status=409 if problem else 200)
