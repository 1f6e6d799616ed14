"""Settings › Webhooks: the workspace's endpoints that receive its events (owners only): add one (its signing
secret shown once), pause or resume it, change its URL and events, remove it; an endpoint's delivery log with
every try, Redeliver and Send test event. Routes on the settings blueprint."""
from flask import flash, request
from flask_login import current_user, login_required

from ..models import WEBHOOK_EVENTS
from ..services import webhooks
from .context import workspace_id
from .forms import submit
from .htmx import go, page
from .settings import bp

LOG_SHOWN = 20


def webhooks_page(status: int = 200, errors: dict | None = None, problem: str | None = None,
                  values: dict | None = None, **shown):
    """The list of endpoints and the form to add one; `shown` carries an endpoint made just now (`made`)."""
    return page("webhooks/index.html", status=status, endpoints=webhooks.endpoints(workspace_id()),
                event_names=webhooks.EVENT_NAMES, all_events=WEBHOOK_EVENTS, errors=errors or {}, problem=problem,
                values=values or {"events": list(WEBHOOK_EVENTS)}, url_max=webhooks.URL_MAX, **shown)


def log_page(webhook_id: int, status: int = 200, errors: dict | None = None, problem: str | None = None,
             values: dict | None = None):
    found = webhooks.delivery_log(workspace_id(), webhook_id, request.args.get("before"), size=LOG_SHOWN)
    endpoint = found.endpoint
    return page("webhooks/show.html", status=status, log=found, endpoint=endpoint, event_names=webhooks.EVENT_NAMES,
                all_events=WEBHOOK_EVENTS, errors=errors or {}, problem=problem, url_max=webhooks.URL_MAX,
                values=values or {"url": endpoint.url, "events": list(endpoint.events or [])})


@bp.get("/settings/webhooks")
@login_required
def webhooks_index():
    """List the workspace's webhook endpoints, with the form to add one."""
    return webhooks_page()


@bp.post("/settings/webhooks")
@login_required
def create_webhook():
    """Add an endpoint; its signing secret is shown once, to copy."""
    values = {"url": request.form.get("url", ""), "events": request.form.getlist("events")}
    return submit(lambda: webhooks.create(workspace_id(), current_user.id, values["url"], values["events"]),
                  done=lambda endpoint: webhooks_page(201, made=endpoint),
                  again=lambda status, errors, problem: webhooks_page(status, errors, problem, values))


@bp.get("/settings/webhooks/<int:webhook_id>")
@login_required
def webhook_log(webhook_id: int):
    """An endpoint's deliveries, newest first, each with its tries."""
    return log_page(webhook_id)


@bp.post("/settings/webhooks/<int:webhook_id>")
@login_required
def change_webhook(webhook_id: int):
    """Change an endpoint's URL and events."""
    values = {"url": request.form.get("url", ""), "events": request.form.getlist("events")}

    def changed(endpoint):
        flash("The webhook is saved.")
        return go("settings.webhook_log", webhook_id=endpoint.id)
    return submit(lambda: webhooks.change(workspace_id(), current_user.id, webhook_id, url=values["url"],
                                          events=values["events"]),
                  done=changed, again=lambda status, errors, problem: log_page(webhook_id, status, errors, problem,
                                                                               values))


@bp.post("/settings/webhooks/<int:webhook_id>/paused")
@login_required
def pause_webhook(webhook_id: int):
    """Pause an endpoint (`paused=yes`) or resume it (anything else); resuming sends what waited."""
    paused = request.form.get("paused") == "yes"

    def done(endpoint):
        flash(f"The webhook to {endpoint.url} is {'paused: nothing is sent to it' if paused else 'sending again'}.")
        return go("settings.webhooks_index")
    return submit(lambda: webhooks.change(workspace_id(), current_user.id, webhook_id, paused=paused), done=done,
                  again=lambda status, errors, problem: webhooks_page(status, problem=problem))


@bp.post("/settings/webhooks/<int:webhook_id>/delete")
@login_required
def delete_webhook(webhook_id: int):
    """Remove an endpoint and its log once confirmed (gtm.js asks in the browser; without scripts a page asks)."""
    endpoint = webhooks.get(workspace_id(), webhook_id)
    if request.form.get("confirmed") != "yes":
        return page("webhooks/delete.html", endpoint=endpoint)

    def removed(url):
        flash(f"The webhook to {url} is removed; nothing more is sent to it.")
        return go("settings.webhooks_index")
    return submit(lambda: webhooks.remove(workspace_id(), current_user.id, webhook_id), done=removed,
                  again=lambda status, errors, problem: webhooks_page(status, problem=problem))


@bp.post("/settings/webhooks/<int:webhook_id>/test")
@login_required
def test_webhook(webhook_id: int):
    """Send a test event to the endpoint; it shows in the log like the others."""
    def sent(_delivery):
        flash("A test event is on its way; it shows below with each try.")
        return go("settings.webhook_log", webhook_id=webhook_id)
    return submit(lambda: webhooks.send_test(workspace_id(), current_user.id, webhook_id), done=sent,
                  again=lambda status, errors, problem: log_page(webhook_id, status, problem=problem))


@bp.post("/settings/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver")
@login_required
def redeliver_webhook(webhook_id: int, delivery_id: int):
    """Send a delivery again, with its event id."""
    def sent(delivery):
        flash(f"The {delivery.event} event is sent again, with the same event id.")
        return go("settings.webhook_log", webhook_id=webhook_id)
    return submit(lambda: webhooks.redeliver(workspace_id(), current_user.id, webhook_id, delivery_id), done=sent,
                  again=lambda status, errors, problem: log_page(webhook_id, status, problem=problem))
