"""The content calendar: the current version's posts by date in a month grid or a week list, each moved to
another date by its form (no JavaScript needed) or, where scripts run, dragged onto a day (gtm.js fills in the
post's form and submits it); and the launch date set from the page when the campaign has none."""
from flask import Blueprint, flash, request
from flask_login import current_user, login_required

from ..services import calendar
from .context import workspace_id
from .forms import submit
from .htmx import go, is_htmx, page

bp = Blueprint("calendar", __name__)


def _where() -> dict:
    """The view and week or month the person is looking at, kept through a form so the answer shows the same."""
    return {"view": request.values.get("view") or None, "start": request.values.get("start") or None}


def _page(campaign_id: int, status: int = 200, **shown):
    where = _where()
    found = calendar.calendar(workspace_id(), campaign_id, where["view"], where["start"])
    return page("calendar/show.html", "calendar/_calendar.html", status=status, cal=found, campaign_id=campaign_id,
                **{"move_errors": {}, "tried": {}, "launch_errors": {}, **shown})


@bp.get("/campaigns/<int:campaign_id>/calendar")
@login_required
def show(campaign_id: int):
    """Show the calendar: ?view=month (weeks Monday first) or week, around ?start=YYYY-MM-DD."""
    return _page(campaign_id)


@bp.post("/campaigns/<int:campaign_id>/calendar/posts/<int:post_id>/move")
@login_required
def move(campaign_id: int, post_id: int):
    """Move a post of the current version to the date in the form."""
    value = request.form.get("date", "")
    return submit(lambda: calendar.move_post(workspace_id(), campaign_id, post_id, value, current_user.id),
                  done=lambda moved: _moved(campaign_id, moved),
                  again=lambda status, errors, problem: _page(
                      campaign_id, status, move_errors={post_id: errors.get("date")} if errors else {},
                      tried={post_id: value}, problem=problem))


def _moved(campaign_id: int, moved):
    if is_htmx():
        return _page(campaign_id, message=moved.message)
    flash(moved.message)
    return go("calendar.show", campaign_id=campaign_id, **{k: v for k, v in _where().items() if v})


@bp.post("/campaigns/<int:campaign_id>/calendar/launch-date")
@login_required
def launch_date(campaign_id: int):
    """Set the campaign's launch date, the day the posts are placed from."""
    value = request.form.get("launch_date", "")
    return submit(lambda: calendar.set_launch_date(workspace_id(), campaign_id, value),
                  done=lambda _c: go("calendar.show", campaign_id=campaign_id),
                  again=lambda status, errors, problem: _page(campaign_id, status, launch_errors=errors,
                                                             launch_value=value, problem=problem))
