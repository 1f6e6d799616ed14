"""Triggers and alerts: the two sections of the results page, their forms and buttons, and the alert badge.

Every form works without JavaScript (it redirects back to the results page's section); with htmx
it swaps the section in place, and an `HX-Trigger` event tells the other section and the badge
to fetch themselves again (a new or resumed trigger may fire at once, a deleted one closes its alert).
"""
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user, login_required

from ..services import campaigns, results
from ..services.errors import Conflict, Invalid
from . import is_htmx, page, workspace_id
from .pages import results_page, sections
from .results import ALERTS_CHANGED

bp = Blueprint("triggers", __name__)

FIELDS = ("scope", "metric", "comparison", "threshold", "min_impressions", "action", "from_phase", "direction")
# The event the badge listens for when only the count of open alerts changed.
ALERT_COUNT_CHANGED = "alert-count-changed"


def results_url(campaign_id: int, section: str = "triggers") -> str:
    """The results page, scrolled to a section (`triggers` or `alerts`)."""
    return url_for("results.show", campaign_id=campaign_id, _anchor=section)


@bp.app_context_processor
def helpers():
    return {"open_alert_count": results.open_alert_count, "results_url": results_url}


def _section(campaign_id: int, section: str, status: int = 200, event: str | None = None, **form):
    """Answer a section (`triggers` or `alerts`): its fragment for htmx, telling the page what else changed;
    else the whole page."""
    context = sections(campaign_id, **form)
    del context["campaign_id"]
    response = results_page(campaign_id, status, f"results/_{section}.html", **context)
    if event and is_htmx():
        response.headers["HX-Trigger"] = event
    return response


def _done(campaign_id: int, section: str, event: str):
    """After a change: the section again for htmx, a redirect back to it otherwise."""
    if is_htmx():
        return _section(campaign_id, section, event=event)
    return redirect(results_url(campaign_id, section), code=303)


def _form_values() -> dict:
    return {name: request.form.get(name, "") for name in FIELDS}


def _rule(values: dict) -> dict:
    """Turn the form's one scope choice (campaign, phase-N or post-ID) into the service's two scope fields."""
    kind, _, number = values["scope"].partition("-")
    rule = {name: values[name] for name in FIELDS if name != "scope"}
    rule["scope_phase"] = number if kind == "phase" else None
    rule["scope_post_id"] = number if kind == "post" else None
    if kind not in ("campaign", "phase", "post"):
        rule["scope_post_id"] = values["scope"] or None
    return rule


@bp.get("/campaigns/<int:campaign_id>/triggers")
@login_required
def index(campaign_id: int):
    """Show the campaign's triggers and alerts (the results page's sections); htmx refreshes the triggers."""
    return _section(campaign_id, "triggers")


@bp.post("/campaigns/<int:campaign_id>/triggers")
@login_required
def create(campaign_id: int):
    """Create a trigger from the form; it is judged at once, and may fire."""
    values = _form_values()
    try:
        results.create(workspace_id(), campaign_id, _rule(values), author_id=current_user.id)
    except Invalid as exc:
        return _section(campaign_id, "triggers", 422, values=values, errors=exc.fields)
    except Conflict as exc:
        return _section(campaign_id, "triggers", 409, values=values, problem=exc.message)
    return _done(campaign_id, "triggers", ALERTS_CHANGED)


@bp.post("/campaigns/<int:campaign_id>/triggers/<int:trigger_id>/pause", endpoint="pause", defaults={"paused": True})
@bp.post("/campaigns/<int:campaign_id>/triggers/<int:trigger_id>/resume", endpoint="resume",
         defaults={"paused": False})
@login_required
def set_paused(campaign_id: int, trigger_id: int, paused: bool):
    """Pause a trigger, or resume it (it is judged again at once)."""
    results.set_paused(workspace_id(), campaign_id, trigger_id, paused)
    return _done(campaign_id, "triggers", ALERTS_CHANGED)


@bp.post("/campaigns/<int:campaign_id>/triggers/<int:trigger_id>/delete")
@login_required
def delete(campaign_id: int, trigger_id: int):
    """Delete a trigger; its alerts stay, as past alerts."""
    results.delete(workspace_id(), campaign_id, trigger_id)
    return _done(campaign_id, "triggers", ALERTS_CHANGED)


@bp.get("/campaigns/<int:campaign_id>/alerts")
@login_required
def alerts(campaign_id: int):
    """Show the open alerts with their evidence, and a page of the past ones (?before=; the results page's section)."""
    campaigns.get_campaign(workspace_id(), campaign_id)
    before = request.args.get("before")
    if not is_htmx():
        return redirect(url_for("results.show", campaign_id=campaign_id, alerts_before=before or None,
                                _anchor="alerts"))
    return _section(campaign_id, "alerts", past_before=before)


@bp.post("/campaigns/<int:campaign_id>/alerts/<int:alert_id>/dismiss")
@login_required
def dismiss(campaign_id: int, alert_id: int):
    """Dismiss an alert; it stays among the past alerts."""
    results.dismiss(workspace_id(), campaign_id, alert_id)
    return _done(campaign_id, "alerts", ALERT_COUNT_CHANGED)


@bp.get("/campaigns/<int:campaign_id>/alerts/badge")
@login_required
def badge(campaign_id: int):
    """Show the count of open alerts (the badge beside the Results tab, which refreshes itself there)."""
    campaigns.get_campaign(workspace_id(), campaign_id)
    if not is_htmx():
        return redirect(results_url(campaign_id, "alerts"))
    return page("strategy/_alert_badge.html", campaign_id=campaign_id, tab="results")
