"""The campaign chat on the strategy board: its history, new messages, and undo or retry in place."""
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user, login_required

from ..services import chat
from ..services.errors import Conflict, Invalid
from . import is_htmx, page, workspace_id
from .pages import board_page
from .strategy import names

bp = Blueprint("chat", __name__)
# A form posted without JavaScript is answered with the whole board, which needs the strategy pages' names.
bp.context_processor(names)

# The board listens for this event and refreshes itself when a chat command changed the strategy.
CHANGED = {"HX-Trigger": "strategy-changed"}


@bp.app_context_processor
def limits():
    # The chat form is part of the board page, which the strategy blueprint renders.
    return {"chat_message_max": chat.MESSAGE_MAX}


def _section(campaign_id: int, status: int = 200, **context):
    """Answer htmx with the chat section, and a plain form post with the whole board around it."""
    context.setdefault("errors", {})
    context.setdefault("values", {})
    if not is_htmx():
        return board_page(campaign_id, status, **context)
    return page("strategy/board.html", "strategy/_chat.html", status, campaign_id=campaign_id,
                chat=chat.conversation(workspace_id(), campaign_id, limit=chat.MESSAGES_SHOWN), **context)


def _message(campaign_id: int, entry: chat.Entry | None, message_id: int, status: int = 200, problem: str = ""):
    """Answer htmx with one message, and a plain form post with the whole board, the problem shown at the message."""
    chat_problem = {"id": message_id, "text": problem} if problem else None
    if not is_htmx():
        return board_page(campaign_id, status, chat_problem=chat_problem)
    entry = entry or chat.entry(workspace_id(), campaign_id, message_id)
    return page("strategy/board.html", "strategy/_chat_message.html", status, campaign_id=campaign_id, entry=entry,
                chat_problem=chat_problem)


def _back(campaign_id: int, message_id: int | None = None, before: str | None = None):
    anchor = f"chat-message-{message_id}" if message_id else "chat"
    return redirect(url_for("strategy.board", campaign_id=campaign_id, before=before or None, _anchor=anchor), code=303)


@bp.get("/campaigns/<int:campaign_id>/chat")
@login_required
def show(campaign_id: int):
    """Show the campaign's newest chat messages, or those before ?before=, oldest first."""
    before = request.args.get("before")
    entries = chat.conversation(workspace_id(), campaign_id, before, chat.MESSAGES_SHOWN)
    if not is_htmx():
        return _back(campaign_id, before=before)
    return page("strategy/board.html", "strategy/_chat.html", campaign_id=campaign_id, chat=entries, errors={},
                values={})


@bp.post("/campaigns/<int:campaign_id>/chat")
@login_required
def post(campaign_id: int):
    """Send a message to the chat; a command in it is carried out, and gtm replies."""
    text = request.form.get("message", "")
    try:
        message = chat.post_message(workspace_id(), campaign_id, current_user.id, current_user.email, text)
    except Invalid as exc:
        return _section(campaign_id, 422, errors=exc.fields, values={"message": text})
    if not is_htmx():
        return _back(campaign_id, message.id)
    response = _section(campaign_id)
    if message.run_id:
        response.headers.update(CHANGED)
    return response


@bp.get("/campaigns/<int:campaign_id>/chat/<int:message_id>")
@login_required
def message(campaign_id: int, message_id: int):
    """Show one chat message with its reply; it polls while its run is unfinished."""
    entry = chat.entry(workspace_id(), campaign_id, message_id)
    if not is_htmx():
        return _back(campaign_id, message_id)
    return _message(campaign_id, entry, message_id)


@bp.post("/campaigns/<int:campaign_id>/chat/<int:message_id>/undo")
@login_required
def undo(campaign_id: int, message_id: int):
    """Undo the version a chat command made, while it is still the current version."""
    return _change(chat.undo, campaign_id, message_id)


@bp.post("/campaigns/<int:campaign_id>/chat/<int:message_id>/retry")
@login_required
def retry(campaign_id: int, message_id: int):
    """Start a chat command's failed regeneration again."""
    return _change(chat.retry, campaign_id, message_id)


def _change(action, campaign_id: int, message_id: int):
    """Carry out a message's undo or retry; answer with the message, and tell the board the strategy changed."""
    try:
        entry = action(workspace_id(), campaign_id, message_id, current_user.id)
    except Conflict as exc:
        return _message(campaign_id, None, message_id, 409, exc.message)
    if not is_htmx():
        return _back(campaign_id, message_id)
    response = _message(campaign_id, entry, message_id)
    response.headers.update(CHANGED)
    return response
