"""A chat message posted, the history as the chat shows it, and a command's undo or retry.

A message is stored with gtm's reply, whatever it said. A command is carried out at once (a regeneration
starts its run and the message keeps it, so the history shows how it ended and offers Undo while its
version is current). A question is saved with an empty reply and handed to its answering run
(gtm.services.chat.answers), which fills the reply and the suggested action in.
"""
import logging
from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...models import Campaign, ChatMessage, Post, Run, RunStatus, StrategyVersion
from .. import campaigns, paging, roles, runs, strategy, workspaces
from ..errors import Conflict, Forbidden, Invalid, NotFound, clean_text
from . import answers
from .commands import EMPTY, count, parse, regenerate

log = logging.getLogger(__name__)

MESSAGE_MAX = 2000
# The board shows this many of the newest messages, with a link to the older ones.
MESSAGES_SHOWN = 10


def post_message(workspace_id: int, campaign_id: int, user_id: int | None, author: str, text) -> ChatMessage:
    """Store a message with its reply: a valid command starts its run first, and the message keeps the run; a
    question starts the run that answers it.

    Asking changes nothing, so whoever may comment may ask; a command that changes the strategy needs a role
    that may edit (checked here, as one address takes both)."""
    campaigns.get_campaign(workspace_id, campaign_id)
    text = clean_text(text, "message", "The message", MESSAGE_MAX, empty=EMPTY)
    command = parse(text)
    if command.kind == "question":
        return answers.ask(workspace_id, campaign_id, user_id, author, text)
    run_id = None
    if command.kind == "regenerate":
        _require_editor(workspace_id, user_id)
        reply, run_id = regenerate(workspace_id, campaign_id, command, user_id)
    else:
        reply = command.reply
    # The run commits on its own (it takes the campaign's one slot for strategy changes), so the message
    # and its reply follow in one transaction of their own, naming the run that is already under way.
    message = ChatMessage(campaign_id=campaign_id, author_id=user_id, author=author, text=text, reply=reply,
                          run_id=run_id, kind="command")
    db.session.add(message)
    db.session.commit()
    log.info("campaign %s: chat message %s (%s)%s", campaign_id, message.id, command.kind,
             f", run {run_id}" if run_id else "")
    return message


def _require_editor(workspace_id: int, user_id: int | None) -> None:
    """Refuse a command that changes the strategy to a member whose role may not edit (a person, not gtm)."""
    if user_id is None:
        return
    role = workspaces.role_of(user_id, workspace_id)
    if not roles.can(role, "edit"):
        raise Forbidden(roles.refusal(role, "edit") if role else "You are not a member of this workspace.")


@dataclass
class Entry:
    """A message as the chat shows it: its reply, the outcome of the run it started, and for a question its
    answer as it arrives and the action it suggests."""

    message: ChatMessage
    run: Run | None
    current_version: int | None
    # The version that made this message's version's predecessor current again, if one did.
    undone_as: int | None = None
    # A question's answer as the model writes it, while its run is unfinished.
    streamed: str = ""
    # The title of the post a suggested rewrite names.
    action_post_title: str = ""

    @property
    def question(self) -> bool:
        return self.message.kind == "question"

    @property
    def answering(self) -> bool:
        return bool(self.question and self.run and not self.run.finished)

    @property
    def action(self) -> dict | None:
        return self.message.action if self.question and not self.answering else None

    @property
    def version(self) -> int | None:
        return self.run.params.get("version") if self.run and not self.question else None

    @property
    def saved(self) -> bool:
        """True once the run's version exists (its posts may still be being written)."""
        return bool(self.run and not self.question and self.run.params.get("planned"))

    @property
    def outcome(self) -> str:
        """Say how the run ended; empty while it is unfinished, and for an answered question (its reply says)."""
        if self.run is None or not self.run.finished:
            return ""
        if self.question:
            return self.run.error if self.failed else ""
        if self.run.status == RunStatus.succeeded.value:
            return f"Version {self.version} is ready: {count(self.run.total, 'new post')}."
        if self.saved:
            return f"Version {self.version} was saved, but not every post was written. {self.run.error}"
        return self.run.error or "The regeneration failed; nothing was changed."

    @property
    def failed(self) -> bool:
        return bool(self.run and self.run.status == RunStatus.failed.value)

    @property
    def can_retry(self) -> bool:
        """A regeneration that failed before saving its version can start again; a saved one retries its posts."""
        return self.failed and not self.saved and not self.question

    @property
    def can_undo(self) -> bool:
        return bool(self.run and self.run.finished and self.saved and self.version == self.current_version)

    @property
    def undone(self) -> str:
        if self.undone_as is None:
            return ""
        return f"Undone: version {self.version - 1}'s posts are current again as version {self.undone_as}."


def conversation(workspace_id: int, campaign_id: int, before=None, limit=None) -> paging.Page[Entry]:
    """Return a page of the campaign's chat, oldest first: the newest messages, or those before the cursor
    `before`; their unfinished runs are reconciled with the queue."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    before, size = paging.cursor(before), paging.limit(limit)
    rows = db.session.scalars(paging.keyset(select(ChatMessage).where(ChatMessage.campaign_id == campaign_id),
                                            ChatMessage.id, before, size)).all()
    found = paging.page_of(rows, size, before, lambda message: message.id)
    return paging.Page(_entries(campaign, found.items[::-1]), found.next, before)


def entry(workspace_id: int, campaign_id: int, message_id: int) -> Entry:
    """Return one message of the campaign's chat, its run reconciled with the queue."""
    campaign, message = _message(workspace_id, campaign_id, message_id)
    return _entries(campaign, [message])[0]


def _message(workspace_id: int, campaign_id: int, message_id: int) -> tuple[Campaign, ChatMessage]:
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    message = db.session.get(ChatMessage, message_id)
    if message is None or message.campaign_id != campaign.id:
        raise NotFound("No such chat message.")
    return campaign, message


def _entries(campaign: Campaign, messages: list[ChatMessage]) -> list[Entry]:
    run_ids = [m.run_id for m in messages if m.run_id]
    found = {run.id: run for run in db.session.scalars(select(Run).where(Run.id.in_(run_ids)))} if run_ids else {}
    for run in found.values():
        if not run.finished:
            runs.reconcile(run)
    entries = [Entry(message, found.get(message.run_id), campaign.current_version) for message in messages]
    for item in entries:
        if item.answering:
            item.streamed = answers.streamed(item.run.id)
    _name_posts(entries)
    # Only the versions that could have undone these messages' versions: one read, whatever the history.
    wanted = {item.version + 1 for item in entries if item.saved}
    versions = {v.number: v for v in db.session.scalars(select(StrategyVersion).where(
        StrategyVersion.campaign_id == campaign.id, StrategyVersion.number.in_(wanted)))} if wanted else {}
    for item in entries:
        if item.saved:
            item.undone_as = _undone_as(versions, item.version)
    return entries


def _name_posts(entries: list[Entry]) -> None:
    """Give each suggested rewrite the title of its post: one read for the page."""
    wanted = {item.action["post_id"] for item in entries
              if item.action and item.action.get("kind") == "rewrite_variant"}
    if not wanted:
        return
    titles = dict(db.session.execute(select(Post.id, Post.title).where(Post.id.in_(wanted))).all())
    for item in entries:
        if item.action and item.action.get("kind") == "rewrite_variant":
            item.action_post_title = titles.get(item.action["post_id"], "")


def _undone_as(versions: dict[int, StrategyVersion], number: int) -> int | None:
    """Return the version that undid version `number`, if one did.

    An undo is only allowed while `number` is current, and every strategy change takes the next
    number, so the undo is version number+1, restoring number-1. A restore of number-1 made from the
    versions page at that moment did the same, and reads the same.
    """
    after = versions.get(number + 1)
    if after is not None and after.origin == "restore" and after.based_on == number - 1:
        return after.number
    return None


def undo(workspace_id: int, campaign_id: int, message_id: int, user_id: int | None = None) -> Entry:
    """Undo the version a message's command made, while it is current; no model calls."""
    _, message = _message(workspace_id, campaign_id, message_id)
    run = db.session.get(Run, message.run_id) if message.run_id and message.kind != "question" else None
    if run is None or not run.params.get("planned"):
        raise Conflict("This message made no strategy version, so there is nothing to undo.")
    strategy.undo_change(workspace_id, campaign_id, run.params["version"], author_id=user_id)
    return entry(workspace_id, campaign_id, message_id)


def retry(workspace_id: int, campaign_id: int, message_id: int, user_id: int | None = None) -> Entry:
    """Start a message's failed regeneration again, with the same phase and direction."""
    _, message = _message(workspace_id, campaign_id, message_id)
    if message.run_id is None or message.kind == "question":
        raise Conflict("This message started nothing, so there is nothing to retry.")
    try:
        run = strategy.retry_regeneration(workspace_id, campaign_id, message.run_id, author_id=user_id)
    except Invalid as exc:
        # The strategy changed since (fewer phases, say): the old request no longer fits it.
        raise Conflict(f"{' '.join(exc.fields.values())} Send a new command instead.") from exc
    message.run_id = run.id
    db.session.commit()
    return entry(workspace_id, campaign_id, message_id)
