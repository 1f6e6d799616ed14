"""The results page: totals, charts, A/B results and the per-version view; the CSV upload with its preview;
the post page's metrics form. The triggers and alerts sections are served by gtm.web.triggers.

The CSV upload works without JavaScript: the file is read and every row checked into a preview, with
the file's text kept in the form; nothing is saved until the person confirms, and then all rows are
saved in one transaction, or none.
"""
from flask import Blueprint, redirect, request, url_for
from flask_login import login_required

from ..services import campaigns, exports, results, strategy
from ..services.errors import Invalid
from . import download, is_htmx, page, workspace_id
from .pages import post_results_context, results_page

bp = Blueprint("results", __name__)


@bp.app_context_processor
def helpers():
    return {"metric_labels": results.METRIC_LABELS, "min_impressions": results.MIN_IMPRESSIONS,
            "min_clicks": results.MIN_CLICKS, "channel_names": strategy.channel_names()}


@bp.app_template_global()
def metric_text(metric: str, value, currency: str = "") -> str:
    """A metric's value as a marketer reads it (macros imported without context see it too)."""
    return results.metric_text(metric, None if value is None else float(value), currency)

# Events the page's sections listen for: new numbers, and alerts that may have changed.
METRICS_CHANGED = "metrics-changed"
ALERTS_CHANGED = "alerts-changed"
RECORD_FIELDS = ("variant", "date", "impressions", "clicks", "conversions", "spend")


@bp.get("/campaigns/<int:campaign_id>/results")
@login_required
def show(campaign_id: int):
    """Show the campaign's results: totals by phase and post, charts, A/B results, versions (a page at a time,
    ?before=), triggers and alerts (past ones a page at a time, ?alerts_before=)."""
    return results_page(campaign_id)


@bp.get("/campaigns/<int:campaign_id>/results/template.csv")
@login_required
def template(campaign_id: int):
    """Download a CSV template: the columns, and a row per current post and variant."""
    name, text = results.template(workspace_id(), campaign_id)
    return download(exports.File(text.encode("utf-8"), "text/csv; charset=utf-8", name))


@bp.post("/campaigns/<int:campaign_id>/results/upload")
@login_required
def upload(campaign_id: int):
    """Read an uploaded CSV and show every row checked; nothing is saved yet."""
    campaigns.get_campaign(workspace_id(), campaign_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _upload_problem(campaign_id, "Choose a CSV file to upload.", 422)
    try:
        with file.stream:
            data = file.read(results.CSV_MAX_BYTES + 1)
        preview = results.preview_csv(workspace_id(), campaign_id, data)
    except results.TooLarge as exc:
        return _upload_problem(campaign_id, exc.message, 413)
    except Invalid as exc:
        return _upload_problem(campaign_id, exc.fields.get("file", exc.message), 422)
    return results_page(campaign_id, 200 if preview.ok else 422, upload={"preview": preview, "name": file.filename})


@bp.post("/campaigns/<int:campaign_id>/results/import")
@login_required
def confirm(campaign_id: int):
    """Save every row of a previewed CSV in one transaction, or none; then judge the triggers."""
    text = request.form.get("csv", "")
    try:
        count = results.import_csv(workspace_id(), campaign_id, text)
    except results.TooLarge as exc:
        return _upload_problem(campaign_id, exc.message, 413)
    except Invalid as exc:
        preview = results.preview_csv(workspace_id(), campaign_id, text)
        return results_page(campaign_id, 422, upload={"preview": preview, "name": request.form.get("name", ""),
                                                      "problem": exc.fields.get("file", exc.message)})
    return redirect(url_for("results.show", campaign_id=campaign_id, recorded=count, _anchor="bring-in"), code=303)


def _upload_problem(campaign_id: int, problem: str, status: int):
    return results_page(campaign_id, status, upload={"preview": None, "problem": problem, "name": ""})


# --- The post page's numbers -------------------------------------------------------------------------

@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/metrics")
@login_required
def record(campaign_id: int, post_id: int):
    """Record one day of one variant's numbers from the post page; the same day again replaces them."""
    values = {name: request.form.get(name, "") for name in RECORD_FIELDS}
    try:
        results.record_one(workspace_id(), campaign_id, post_id, values)
    except Invalid as exc:
        if is_htmx():
            return page("strategy/post.html", "results/_post_results.html", status=422,
                        **post_results_context(campaign_id, post_id, values, exc.fields))
        view = strategy.post_view(workspace_id(), campaign_id, post_id, {})
        return page("strategy/post.html", status=422, view=view,
                    **post_results_context(campaign_id, post_id, values, exc.fields))
    if is_htmx():
        response = page("strategy/post.html", "results/_post_results.html",
                        **post_results_context(campaign_id, post_id, {**values, "impressions": "", "clicks": "",
                                                              "conversions": "", "spend": ""}, saved=True))
        response.headers["HX-Trigger"] = f"{METRICS_CHANGED}, {ALERTS_CHANGED}"
        return response
    return redirect(url_for("strategy.post", campaign_id=campaign_id, post_id=post_id, saved=1, _anchor="results"),
                    code=303)
