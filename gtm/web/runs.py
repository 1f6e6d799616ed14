"""Runs: a page and a self-polling fragment for any background generation."""
from flask import Blueprint
from flask_login import login_required

from ..services import runs
from ..services.run_titles import run_title
from .context import workspace_id
from .htmx import page

bp = Blueprint("runs", __name__)


@bp.get("/runs/<int:run_id>")
@login_required
def show(run_id: int):
    """Show a run's progress; the fragment polls while the run is unfinished."""
    run = runs.get(workspace_id(), run_id)
    # The readable lines of the streamed text, not the raw text: the template prints one paragraph per item.
    live = [] if run.finished else runs.live_lines(run)
    return page("runs/show.html", "runs/_run.html", run=run, live=live, title=run_title(run))
