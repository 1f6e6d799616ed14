"""The results page: totals, charts, A/B results and the per-version view; the CSV upload with its preview;
the post page's metrics form. The triggers and alerts sections are served by gtm.web.triggers.

The CSV upload works without JavaScript: the file is read and every row checked into a preview, with
the file's text kept in the form (so dates that read two ways can be settled by a choice and the file checked
again); nothing is saved until the person confirms, replacing recorded days only when they tick that they
mean to, and then all rows are saved in one transaction, or none.
"""
from flask import Blueprint, request
from flask_login import current_user, login_required

from .. import ids
from ..services import campaigns, exports, results, strategy
from .context import workspace_id
from .forms import submit, swap
from .htmx import download, go, is_htmx, page
from .pages import ALERTS_CHANGED, METRICS_CHANGED, post_results_context, results_page

bp = Blueprint("results", __name__)

RECORD_FIELDS = ("variant", "date", "impressions", "clicks", "conversions", "spend")
# After a day is saved the form keeps its variant and date, ready for the next day's numbers.
RECORD_CLEARED = {"impressions": "", "clicks": "", "conversions": "", "spend": ""}


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
    name, text = results.csv_template(workspace_id(), campaign_id)
    return download(exports.File(text.encode("utf-8"), "text/csv; charset=utf-8", name))


@bp.post("/campaigns/<int:campaign_id>/results/upload")
@login_required
def upload(campaign_id: int):
    """Read an uploaded CSV, or a previewed one again with the order of its dates chosen, and show every row
    checked; nothing is saved yet."""
    campaigns.get_campaign(workspace_id(), campaign_id)
    order = request.form.get("day_order", "")
    file = request.files.get("file")
    if file is not None and file.filename:
        name = file.filename
        with file.stream:
            data = file.read(results.CSV_MAX_BYTES + 1)
    elif "csv" in request.form:
        name, data = request.form.get("name", ""), request.form["csv"]
    else:
        return _refused(campaign_id)(422, errors={}, problem="Choose a CSV file to upload.")
    return submit(lambda: results.preview_csv(workspace_id(), campaign_id, data, order),
                  done=lambda preview: results_page(campaign_id, 200 if preview.ok else 422,
                                                    upload={"preview": preview, "name": name}),
                  again=_refused(campaign_id), also=(results.TooLarge,))


@bp.post("/campaigns/<int:campaign_id>/results/import")
@login_required
def confirm(campaign_id: int):
    """Save every row of a previewed CSV in one transaction, or none; then judge the triggers."""
    text, order = request.form.get("csv", ""), request.form.get("day_order", "")
    replace = ids.whole(request.form.get("replace", "")) or 0
    return submit(lambda: results.import_csv(workspace_id(), campaign_id, text, order=order, replace=replace),
                  done=lambda count: go("results.show", campaign_id=campaign_id, recorded=count, _anchor="bring-in"),
                  again=_refused(campaign_id, text, request.form.get("name", ""), order),
                  also=(results.TooLarge,))


def _refused(campaign_id: int, text: str | None = None, name: str = "", order: str = ""):
    """An `again` for the upload forms: the results page with the file's problem in the upload section, and
    the rows of a file refused on confirming (422) checked again, so the person sees which ones."""
    def again(status: int, errors: dict, problem: str | None):
        preview = None
        if text is not None and status == 422 and "day_order" not in errors:
            preview = results.preview_csv(workspace_id(), campaign_id, text, order)
        return results_page(campaign_id, status, upload={"preview": preview, "name": name if preview else "",
                                                         "problem": problem or " ".join(errors.values())})
    return again


# --- The post page's numbers -------------------------------------------------------------------------

@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/metrics")
@login_required
def record(campaign_id: int, post_id: int):
    """Record one day of one variant's numbers from the post page; the same day again replaces them."""
    values = {name: request.form.get(name, "") for name in RECORD_FIELDS}
    return submit(lambda: results.record_day(workspace_id(), campaign_id, post_id, values),
                  done=swap(lambda: _post_page(campaign_id, post_id, values={**values, **RECORD_CLEARED}, saved=True),
                            "strategy.post", event=f"{METRICS_CHANGED}, {ALERTS_CHANGED}", campaign_id=campaign_id,
                            post_id=post_id, saved=1, _anchor="results"),
                  again=lambda status, errors, problem: _post_page(campaign_id, post_id, status, values=values,
                                                                   errors=errors))


def _post_page(campaign_id: int, post_id: int, status: int = 200, **form):
    """The post page with its results section; for htmx only the section, so the post itself is not read."""
    view = None if is_htmx() else strategy.post_view(workspace_id(), campaign_id, post_id, {},
                                                       viewer_id=current_user.id)
    return page("strategy/post.html", "results/_post_results.html", status=status, view=view,
                **post_results_context(campaign_id, post_id, **form))
