"""Comments on a post or a step version: write one, change its words within minutes, delete it (it stays in the
thread as "Comment deleted").

Every form works without JavaScript (it goes back to the post page, or to the campaign page's step card); with
htmx it swaps the thread in place, and a refusal is shown in it with what was typed kept."""
from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from ..models import COMMENT_SUBJECTS
from ..services import comments
from ..services.errors import Forbidden
from .context import workspace_id
from .forms import submit, swap
from .htmx import page

bp = Blueprint("comments", __name__)

THREAD_PAGE, THREAD_FRAGMENT = "comments/thread.html", "comments/_thread.html"


def _thread(campaign_id: int, subject_type: str, subject_id: int, status: int = 200, **form):
    """The thread: its fragment for htmx (opened), else a page of its own (a refused form without JavaScript)."""
    thread = comments.thread(workspace_id(), campaign_id, subject_type, subject_id)
    return page(THREAD_PAGE, THREAD_FRAGMENT, status=status, thread=thread, campaign_id=campaign_id, opened=True,
                comment_limit=comments.BODY_MAX, **form)


def _back(campaign_id: int, subject_type: str, subject_id: int):
    """After a change: the thread again for htmx; a browser goes back to the page that shows it."""
    if subject_type == "post":
        where = {"endpoint": "strategy.post", "post_id": subject_id, "_anchor": f"comments-post-{subject_id}"}
    else:
        kind = comments.thread(workspace_id(), campaign_id, subject_type, subject_id).kind
        where = {"endpoint": "campaigns.show", "_anchor": f"step-{kind}"}
    return swap(lambda: _thread(campaign_id, subject_type, subject_id), campaign_id=campaign_id, **where)


def _refused(campaign_id: int, subject_type: str, subject_id: int, **form):
    return lambda status, errors=None, problem=None, **_: _thread(
        campaign_id, subject_type, subject_id, status, comment_errors=errors or {}, comment_problem=problem, **form)


@bp.post("/campaigns/<int:campaign_id>/comments/<subject_type>/<int:subject_id>")
@login_required
def create(campaign_id: int, subject_type: str, subject_id: int):
    """Comment on a post (subject_type=post) or a step version (step_version)."""
    if subject_type not in COMMENT_SUBJECTS:
        abort(404)
    body = request.form.get("body", "")
    return submit(lambda: comments.add_comment(workspace_id(), campaign_id, subject_type, subject_id,
                                               current_user.id, body),
                  done=lambda _c: _back(campaign_id, subject_type, subject_id)(),
                  again=_refused(campaign_id, subject_type, subject_id, comment_body=body))


@bp.post("/campaigns/<int:campaign_id>/comments/<int:comment_id>/edit")
@login_required
def edit(campaign_id: int, comment_id: int):
    """Change a comment's words: its author, within minutes of writing it."""
    comment = comments.get_comment(workspace_id(), campaign_id, comment_id)
    subject = comment.subject_type, comment.subject_id
    body = request.form.get("body", "")
    return submit(lambda: comments.edit_comment(workspace_id(), campaign_id, comment_id, current_user.id, body),
                  done=lambda _c: _back(campaign_id, *subject)(),
                  again=_refused(campaign_id, *subject, editing={comment_id: body}), also=(Forbidden,))


@bp.post("/campaigns/<int:campaign_id>/comments/<int:comment_id>/delete")
@login_required
def delete(campaign_id: int, comment_id: int):
    """Delete a comment: its author or an owner; it stays in the thread as "Comment deleted"."""
    comment = comments.get_comment(workspace_id(), campaign_id, comment_id)
    subject = comment.subject_type, comment.subject_id
    return submit(lambda: comments.delete_comment(workspace_id(), campaign_id, comment_id, current_user.id),
                  done=lambda _c: _back(campaign_id, *subject)(),
                  again=_refused(campaign_id, *subject), also=(Forbidden,))
