"""Triggers and alerts: the two sections of the results page, their forms and buttons, and the alert badge.

Every form works without JavaScript (it redirects back to the results page's section); with htmx
it swaps the section in place, and an `HX-Trigger` event tells the other section and the badge
to fetch themselves again (a new or resumed trigger may fire at once, a deleted one closes its alert).
"""
from flask import Blueprint, request
from flask_login import current_user, login_required

from ..services import campaigns, results
from .context import workspace_id
from .forms import submit, swap
from .htmx import page, page_only
from .pages import ALERTS_CHANGED, TRIGGER_DEFAULTS, results_page, sections

bp = Blueprint("triggers", __name__)

# The new-trigger form's fields: those its defaults name.
FIELDS = tuple(TRIGGER_DEFAULTS)
# The event the badge listens for when only the count of open alerts changed.
ALERT_COUNT_CHANGED = "alert-count-changed"


def _section(campaign_id: int, section: str, status: int = 200, **form):
    """Answer a section (`triggers` or `alerts`): its fragment for htmx, else the whole results page."""
    context = sections(campaign_id, **form)
    del context["campaign_id"]
    return results_page(campaign_id, status, f"triggers/_{section}.html", **context)


def _changed(campaign_id: int, section: str, event: str):
    """After a change: the section again for htmx, telling the page what else changed; a redirect back to it
    otherwise."""
    return swap(lambda: _section(campaign_id, section), "results.show", event=event, campaign_id=campaign_id,
                _anchor=section)


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
    values = {name: request.form.get(name, "") for name in FIELDS}
    return submit(lambda: results.create_trigger(workspace_id(), campaign_id, _rule(values), author_id=current_user.id),
                  done=_changed(campaign_id, "triggers", ALERTS_CHANGED),
                  again=lambda status, **outcome: _section(campaign_id, "triggers", status, values=values, **outcome))


@bp.post("/campaigns/<int:campaign_id>/triggers/<int:trigger_id>/pause", endpoint="pause", defaults={"paused": True})
@bp.post("/campaigns/<int:campaign_id>/triggers/<int:trigger_id>/resume", endpoint="resume",
         defaults={"paused": False})
@login_required
def set_paused(campaign_id: int, trigger_id: int, paused: bool):
    """Pause a trigger, or resume it (it is judged again at once)."""
    results.set_trigger_paused(workspace_id(), campaign_id, trigger_id, paused)
    return _changed(campaign_id, "triggers", ALERTS_CHANGED)()


@bp.post("/campaigns/<int:campaign_id>/triggers/<int:trigger_id>/delete")
@login_required
def delete(campaign_id: int, trigger_id: int):
    """Delete a trigger; its alerts stay, as past alerts."""
    results.delete_trigger(workspace_id(), campaign_id, trigger_id)
    return _changed(campaign_id, "triggers", ALERTS_CHANGED)()


@bp.get("/campaigns/<int:campaign_id>/alerts")
@login_required
def alerts(campaign_id: int):
    """Show the open alerts with their evidence, and a page of the past ones (?before=; the results page's section)."""
    campaigns.get_campaign(workspace_id(), campaign_id)
    before = request.args.get("before")
    return (page_only("results.show", campaign_id=campaign_id, alerts_before=before or None, _anchor="alerts")
            or _section(campaign_id, "alerts", past_before=before))


@bp.post("/campaigns/<int:campaign_id>/alerts/<int:alert_id>/dismiss")
@login_required
def dismiss(campaign_id: int, alert_id: int):
    """Dismiss an alert; it stays among the past alerts."""
    results.dismiss_alert(workspace_id(), campaign_id, alert_id)
    return _changed(campaign_id, "alerts", ALERT_COUNT_CHANGED)()


@bp.get("/campaigns/<int:campaign_id>/alerts/badge")
@login_required
def badge(campaign_id: int):
    """Show the count of open alerts (the badge beside the Results tab, which refreshes itself there)."""
    campaigns.get_campaign(workspace_id(), campaign_id)
    return (page_only("results.show", campaign_id=campaign_id, _anchor="alerts")
            or page("triggers/_alert_badge.html", campaign_id=campaign_id, tab="results"))
