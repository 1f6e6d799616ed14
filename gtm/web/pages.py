"""The pages that more than one feature answers with: the campaigns list (a refused import answers with it),
the strategy board (the chat's forms answer with it when JavaScript is off), the results page (its trigger and
alert sections are their own routes), and the post page's results section (the post page shows it, the metrics
form answers with it)."""
from datetime import datetime, timedelta, timezone

from flask import g, request

from ..services import campaign_changes, campaigns, chat, results, strategy
from ..services.results import charts
from .context import workspace_id
from .converters import number_arg
from .htmx import is_htmx, page

# Events the results page's sections and the alert badge listen for: new numbers, and alerts that may have changed.
METRICS_CHANGED = "metrics-changed"
ALERTS_CHANGED = "alerts-changed"

TRIGGER_DEFAULTS = {"scope": "campaign", "metric": "ctr", "comparison": "<", "threshold": "", "min_impressions": "1000",
                    "action": "regenerate", "from_phase": "", "direction": ""}


def board_page(campaign_id: int, status: int = 200, fragment: str | None = None, **context):
    """The strategy board with the chat below it. htmx gets the board's own fragment, or `fragment` when one is
    named (the chat's section or one of its messages), rendered with the context given."""
    context = {"errors": {}, "values": {}, **context}
    if fragment and is_htmx():
        return page("strategy/board.html", fragment, status=status, campaign_id=campaign_id, **context)
    # Read before the board, so a change made meanwhile shows at the next poll rather than being missed.
    g.poll_state = strategy.board_state(workspace_id(), campaign_id)
    board = strategy.board(workspace_id(), campaign_id)
    if "chat" not in context:
        # Only the full page shows the chat (its newest messages, or those before ?before=); the board's htmx
        # fragment (polled every second) has none.
        context["chat"] = None if is_htmx() else chat.conversation(workspace_id(), campaign_id,
                                                                   request.args.get("before"), chat.MESSAGES_SHOWN)
    return page("strategy/board.html", "strategy/_board.html", status=status, board=board, campaign_id=campaign_id,
                ctr=results.ctr_by_post(campaign_id, [post.id for post in board.posts]),
                versions=strategy.version_count(workspace_id(), campaign_id), limits=strategy_limits(), **context)


def strategy_limits() -> dict:
    """The limits the strategy's forms state beside their fields: a direction's and feedback's length, and phases."""
    return {"direction": strategy.DIRECTION_MAX, "feedback": strategy.VARIANT_FEEDBACK_MAX,
            "max_phases": strategy.REGENERATE_PHASES_MAX}


def sections(campaign_id: int, values: dict | None = None, errors: dict | None = None,
             problem: str | None = None, past_before=None) -> dict:
    """What `triggers/_triggers.html` and `triggers/_alerts.html` need (their routes are in gtm.web.triggers);
    `past_before` is the cursor of the past alerts shown."""
    return {"campaign_id": campaign_id, "panel": results.triggers_and_alerts(workspace_id(), campaign_id, past_before),
            "trigger_values": values or TRIGGER_DEFAULTS, "trigger_errors": errors or {}, "trigger_problem": problem,
            "trigger_limits": {"direction": results.TEMPLATE_MAX, "placeholders": results.PLACEHOLDERS,
                               "metrics": results.METRIC_LABELS}}


def results_page(campaign_id: int, status: int = 200, fragment: str | None = None, **context):
    """The results page; for htmx, only `fragment` (with the context given) when one is named."""
    if fragment and is_htmx():
        return page("results/show.html", fragment, status=status, campaign_id=campaign_id, **context)
    found = results.campaign_results(workspace_id(), campaign_id, request.args.get("before"), results.VERSIONS_SHOWN)
    metric = charts.chart_metric(request.args.get("metric"))
    currency = found.campaign.currency
    phase_totals = [(f"Phase {phase.number} · {phase.name}", phase.totals) for phase in found.phases]
    context = {**sections(campaign_id, past_before=request.args.get("alerts_before")), "upload": None, **context}
    del context["campaign_id"]
    return page("results/show.html", status=status, campaign_id=campaign_id, found=found, metric=metric,
                chart_metrics=charts.CHART_METRICS, line=charts.daily_line(found.daily, metric, currency),
                bars=charts.phase_bars(phase_totals, metric, currency), recorded=number_arg("recorded"),
                limits={"bytes": results.CSV_MAX_TEXT, "rows": results.ROWS_MAX, "columns": results.COLUMNS,
                        "orders": results.DAY_ORDERS},
                **context)


def post_results_context(campaign_id: int, post_id: int, values: dict | None = None, errors: dict | None = None,
                         saved: bool = False) -> dict:
    """What `results/_post_results.html` needs; an empty form offers variant A and yesterday."""
    yesterday = datetime.now(timezone.utc).date() - timedelta(days=1)
    return {"campaign_id": campaign_id, "post_id": post_id,
            "currency": campaigns.get_campaign(workspace_id(), campaign_id).currency,
            "numbers": results.post_results(workspace_id(), campaign_id, post_id),
            "days": results.post_days(campaign_id, post_id, limit=14),
            "metric_values": values or {"variant": "A", "date": yesterday.isoformat()},
            "metric_errors": errors or {}, "metric_saved": saved}


def campaigns_page(status: int = 200, **context):
    """The workspace's campaigns, newest first a page at a time (?before=), with the import form."""
    archived = request.args.get("archived") == "1"
    found = campaigns.list_campaigns(workspace_id(), request.args.get("before"), campaigns.CAMPAIGNS_SHOWN, archived)
    return page("campaigns/index.html", status=status, campaigns=found, archived=archived,
                activity=campaign_changes.activity(found), **context)
