"""What every template can use, supplied once for the whole app, and the signed-in workspace of a request."""
from flask import Flask, g, url_for
from flask_login import current_user

from .. import llm
from ..services import chat, results, roles, strategy, workspaces
from .assets import htmx_script


def workspace_id() -> int:
    """The workspace the signed-in person acts in (see authorization.py): every page and form acts inside it."""
    return g.workspace_id


def results_url(campaign_id: int, section: str = "triggers") -> str:
    """The results page, scrolled to a section (`triggers` or `alerts`)."""
    return url_for("results.show", campaign_id=campaign_id, _anchor=section)


def my_workspaces() -> dict:
    """For the header: the signed-in person's workspaces with their role in each, and the one this request acts in."""
    if not current_user.is_authenticated:
        return {"all": [], "current": None}
    return {"all": workspaces.workspaces_of(current_user.id), "current": g.get("workspace_id")}


def metric_text(metric: str, value, currency: str = "") -> str:
    """A metric's value as a marketer reads it."""
    return results.metric_text(metric, None if value is None else float(value), currency)


def init_app(app: Flask) -> None:
    @app.context_processor
    def everywhere():
        return {
            "htmx_script": htmx_script, "llm_info": llm.describe,
            "channel_names": strategy.channel_names(), "chat_message_max": chat.MESSAGE_MAX,
            "metric_labels": results.METRIC_LABELS, "min_impressions": results.MIN_IMPRESSIONS,
            "min_clicks": results.MIN_CLICKS, "open_alert_count": results.open_alert_count,
            "results_url": results_url, "my_workspaces": my_workspaces, "role_names": roles.ROLE_NAMES,
        }

    # Macros are imported without the page's context, so what they call is a global.
    app.add_template_global(metric_text)
    app.add_template_global(strategy.follow_up_titles)
