"""The campaign chat on the strategy board: its history, new messages (commands and questions), and undo or retry
in place.

With htmx the chat's forms are answered with its section or the one message they act on; without JavaScript,
with the whole board (the chat is part of that page), or a redirect to the message on it."""
from flask import Blueprint, request
from flask_login import current_user, login_required

from ..services import chat
from .context import workspace_id
from .forms import submit, swap
from .htmx import go, is_htmx
from .pages import board_page

bp = Blueprint("chat", __name__)

SECTION, MESSAGE = "chat/_section.html", "chat/_message.html"
# The board listens for this event and refreshes itself when a chat command changed the strategy.
STRATEGY_CHANGED = "strategy-changed"


def _section(campaign_id: int, status: int = 200, **context):
    """The chat section, newest messages first; without JavaScript, the whole board around it."""
    return board_page(campaign_id, status, SECTION,
                      chat=chat.conversation(workspace_id(), campaign_id, limit=chat.MESSAGES_SHOWN), **context)


def _message(campaign_id: int, message_id: int, status: int = 200, entry: chat.Entry | None = None,
             problem: str | None = None):
    """One message with its reply; without JavaScript, the whole board, the problem shown at the message."""
    return board_page(campaign_id, status, MESSAGE, entry=entry or chat.entry(workspace_id(), campaign_id, message_id),
                      chat_problem={"id": message_id, "text": problem} if problem else None)


def _answer(campaign_id: int, message_id: int, fragment, strategy_changed: bool):
    """Answer a chat form that worked: htmx gets `fragment()`, and the board is told when the strategy changed; a
    browser goes back to the message on the board."""
    return swap(fragment, "strategy.board", event=STRATEGY_CHANGED if strategy_changed else None,
                campaign_id=campaign_id, _anchor=f"chat-message-{message_id}")()


@bp.get("/campaigns/<int:campaign_id>/chat")
@login_required
def show(campaign_id: int):
    """Show the campaign's newest chat messages, or those before ?before=, oldest first."""
    before = request.args.get("before")
    entries = chat.conversation(workspace_id(), campaign_id, before, chat.MESSAGES_SHOWN)
    if not is_htmx():
        return go("strategy.board", campaign_id=campaign_id, before=before or None, _anchor="chat")
    return board_page(campaign_id, fragment=SECTION, chat=entries)


@bp.post("/campaigns/<int:campaign_id>/chat")
@login_required
def post(campaign_id: int):
    """Send a message to the chat: a command in it is carried out and gtm replies; a question is answered by a
    background run, which the message shows as it arrives."""
    values = {"message": request.form.get("message", "")}
    return submit(lambda: chat.post_message(workspace_id(), campaign_id, current_user.id, current_user.email,
                                            values["message"]),
                  done=lambda message: _answer(campaign_id, message.id, lambda: _section(campaign_id),
                                               message.kind == "command" and bool(message.run_id)),
                  again=lambda status, **outcome: _section(campaign_id, status, values=values, **outcome))


@bp.get("/campaigns/<int:campaign_id>/chat/<int:message_id>")
@login_required
def message(campaign_id: int, message_id: int):
    """Show one chat message with its reply; it polls while its run is unfinished."""
    entry = chat.entry(workspace_id(), campaign_id, message_id)
    if not is_htmx():
        return go("strategy.board", campaign_id=campaign_id, _anchor=f"chat-message-{message_id}")
    return _message(campaign_id, message_id, entry=entry)


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
    return submit(lambda: action(workspace_id(), campaign_id, message_id, current_user.id),
                  done=lambda entry: _answer(campaign_id, message_id,
                                             lambda: _message(campaign_id, message_id, entry=entry), True),
                  again=lambda status, problem, **_: _message(campaign_id, message_id, status, problem=problem))
