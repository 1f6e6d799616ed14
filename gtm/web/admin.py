"""The instance's administrators' pages: the jobs dashboard, /admin/jobs (the queues with their depth, the workers
with their state and last heartbeat, the failed jobs with their error, which may be requeued or deleted).

Every route of this blueprint is for administrators only (authorization.BLUEPRINTS): anyone else signed in gets
404. It is a page of gtm's own rather than rq-dashboard's blueprint, whose pages build their rows with inline
scripts and templates compiled by `new Function` (script-src 'unsafe-eval'), print a failed job's error
unescaped, post their actions without a CSRF token and requeue on a GET."""
from flask import Blueprint, flash, request
from flask_login import login_required

from ..services import jobs_dashboard
from .htmx import go, page

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/jobs")
@login_required
def jobs():
    """Show the queues, the workers and the newest failed jobs."""
    return page("admin/jobs.html", found=jobs_dashboard.overview())


@bp.post("/jobs/requeue")
@login_required
def requeue():
    """Put a failed job back on its queue."""
    job_id = jobs_dashboard.requeue(request.form.get("job_id"))
    flash(f"The job {job_id} is back on its queue.")
    return go("admin.jobs")


@bp.post("/jobs/delete")
@login_required
def delete():
    """Delete a failed job (gtm.js asks first)."""
    job_id = jobs_dashboard.delete(request.form.get("job_id"))
    flash(f"The job {job_id} is deleted.")
    return go("admin.jobs")
