"""Runs: a page and a self-polling fragment for any background generation."""
from flask import Blueprint
from flask_login import login_required

from .. import broker
from ..services import runs
from . import page, workspace_id

bp = Blueprint("runs", __name__)


@bp.get("/runs/<int:run_id>")
@login_required
def show(run_id: int):
    """Show a run's progress; the fragment polls while the run is unfinished."""
    run = runs.get(workspace_id(), run_id)
    return page("runs/show.html", "runs/_run.html", run=run, live=_live(run))


def _live(run) -> str:
    if run.finished:
        return ""
    try:
        return broker.live_text(run.id)
    except Exception:  # noqa: BLE001 - live text is a nicety; the page works without it
        return ""
