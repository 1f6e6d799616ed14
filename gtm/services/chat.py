"""The campaign chat on the strategy board: commands read from messages, their replies, and their outcome.

A message is stored with gtm's reply, whatever it said: a command that cannot be carried out is
answered with what is wrong and the right form, and changes nothing else. `!regenerate phase N
<direction>` starts a regeneration (gtm.services.strategy.regenerate) and the message keeps its
run, so the history shows how it ended and offers Undo while its version is still current.
"""
import logging
import re
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, ChatMessage, Run, RunStatus, StrategyVersion
from . import campaigns, paging, runs, strategy
from .errors import Conflict, Invalid, NotFound, Unavailable, clean_text

log = logging.getLogger(__name__)

MESSAGE_MAX = 2000
# The board shows this many of the newest messages, with a link to the older ones.
MESSAGES_SHOWN = 10
FORM = "!regenerate phase N <direction>"
EXAMPLE = "!regenerate phase 2 Focus on developers, with technical demos"
USAGE = f"Write it as {FORM}, for example: {EXAMPLE}"
HELP = (
    "Commands:\n"
    f"{FORM} regenerates the strategy from phase N in a new direction. The phases before N are kept as they "
    "are; phase N and later are archived (never deleted) and planned again. N can be one past the last phase, "
    f"to add phases after it. Example: {EXAMPLE}\n"
    "!help shows this list.\n"
    "You can start a command with / instead of !."
)
NOT_A_COMMAND = f"That is not a command, so nothing was changed. {HELP}"
EMPTY = "Write a message first, or !help to see the commands."

# A command is ! or / right before a word; "/ that" or "!!" is ordinary text.
COMMAND = re.compile(r"([!/])([A-Za-z][\w-]*)(?:\s+(.*))?", re.DOTALL)
PHASE = re.compile(r"phase\s+(\S+?):?(?:\s+(.*))?", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    """What a message asks for: `kind` is regenerate, help, refused (`reply` says why) or talk (no command)."""

    kind: str
    phase_num: int | None = None
    direction: str = ""
    reply: str = ""


def parse(text: str) -> Command:
    """Read a command from a message's text; nothing is looked up, so a phase number is not checked yet."""
    found = COMMAND.fullmatch(text.strip())
    if found is None:
        return Command("talk", reply=NOT_A_COMMAND)
    prefix, name, rest = found.group(1), found.group(2).lower(), (found.group(3) or "").strip()
    if name == "help":
        return Command("help", reply=HELP)
    if name != "regenerate":
        return Command("refused", reply=f"There is no command {prefix}{_short(found.group(2))}, so nothing was "
                                        f"changed. {HELP}")
    if not rest:
        return _refused("Say which phase to regenerate from, and where the strategy should go from there.")
    phase = PHASE.fullmatch(rest)
    if phase is None:
        first = rest.split()[0]
        if first.isascii() and first.isdigit():
            return _refused(f"Write the word “phase” before its number: {prefix}regenerate phase {first} …")
        return _refused("Say which phase to regenerate from, with the word “phase” and its number.")
    number, direction = phase.group(1), (phase.group(2) or "").strip()
    # isdigit alone takes "²" and "٣"; only ASCII digits name a phase.
    if not (number.isascii() and number.isdigit()):
        return _refused(f"“{_short(number)}” is not a phase number; use a whole number, such as 2.")
    if not direction:
        return _refused(f"Say where the strategy should go from phase {int(number)} (the new direction), "
                        "after the phase number.")
    return Command("regenerate", phase_num=int(number), direction=direction)


def _refused(problem: str) -> Command:
    return Command("refused", reply=f"{problem} Nothing was changed. {USAGE}")


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def post_message(workspace_id: int, campaign_id: int, user_id: int | None, author: str, text) -> ChatMessage:
    """Store a message with its reply; a valid command starts its run first, and the message keeps the run."""
    campaigns.get_campaign(workspace_id, campaign_id)
    text = clean_text(text, "message", "The message", MESSAGE_MAX, empty=EMPTY)
    command = parse(text)
    run_id = None
    if command.kind == "regenerate":
        reply, run_id = _regenerate(workspace_id, campaign_id, command, user_id)
    else:
        reply = command.reply
    # The run commits on its own (it takes the campaign's one slot for strategy changes), so the message
    # and its reply follow in one transaction of their own, naming the run that is already under way.
    message = ChatMessage(campaign_id=campaign_id, author_id=user_id, author=author, text=text, reply=reply,
                          run_id=run_id)
    db.session.add(message)
    db.session.commit()
    log.info("campaign %s: chat message %s (%s)%s", campaign_id, message.id, command.kind,
             f", run {run_id}" if run_id else "")
    return message


def _regenerate(workspace_id: int, campaign_id: int, command: Command, user_id: int | None) -> tuple[str, int | None]:
    """Start a regeneration; return the reply and the run, or the reason nothing was started."""
    try:
        found = strategy.regeneration_preview(workspace_id, campaign_id, command.phase_num)
        run = strategy.regenerate(workspace_id, campaign_id, command.phase_num, command.direction, author_id=user_id)
    except Invalid as exc:
        return f"{' '.join(exc.fields.values())} Nothing was changed. {USAGE}", None
    except (Conflict, Unavailable) as exc:
        return f"{exc.message} Nothing was changed.", None
    return _started(found, run.params["version"]), run.id


def _started(found: strategy.Preview, version: int) -> str:
    """Say what the regeneration keeps and archives, in the words of the strategy board."""
    split, number = found.split, found.split.phase_num
    last = len(split.phases)
    kept = f"Keeping {_phases(1, number - 1)} ({_count(len(split.kept), 'post')})" if number > 1 else \
        "Keeping no phases"
    if split.extends:
        change = f"adding phases after phase {last}; nothing is archived."
    else:
        approved = len(found.approved_archived)
        archived = _count(len(split.archived), "post") + (f", {approved} approved" if approved else "")
        change = f"archiving {_phases(number, last)} ({archived}) — nothing is deleted."
    return f"Regenerating from phase {number} as version {version}. {kept}; {change}"


def _phases(first: int, last: int) -> str:
    return f"phase {first}" if first == last else f"phases {first}–{last}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass
class Entry:
    """A message as the chat shows it: its reply, and the outcome of the run it started."""

    message: ChatMessage
    run: Run | None
    current_version: int | None
    # The version that made this message's version's predecessor current again, if one did.
    undone_as: int | None = None

    @property
    def version(self) -> int | None:
        return self.run.params.get("version") if self.run else None

    @property
    def saved(self) -> bool:
        """True once the run's version exists (its posts may still be being written)."""
        return bool(self.run and self.run.params.get("planned"))

    @property
    def outcome(self) -> str:
        """Say how the run ended; empty while it is unfinished."""
        if self.run is None or not self.run.finished:
            return ""
        if self.run.status == RunStatus.succeeded.value:
            return f"Version {self.version} is ready: {_count(self.run.total, 'new post')}."
        if self.saved:
            return f"Version {self.version} was saved, but not every post was written. {self.run.error}"
        return self.run.error or "The regeneration failed; nothing was changed."

    @property
    def failed(self) -> bool:
        return bool(self.run and self.run.status == RunStatus.failed.value)

    @property
    def can_retry(self) -> bool:
        """A regeneration that failed before saving its version can start again; a saved one retries its posts."""
        return self.failed and not self.saved

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
    # Only the versions that could have undone these messages' versions: one read, whatever the history.
    wanted = {item.version + 1 for item in entries if item.saved}
    versions = {v.number: v for v in db.session.scalars(select(StrategyVersion).where(
        StrategyVersion.campaign_id == campaign.id, StrategyVersion.number.in_(wanted)))} if wanted else {}
    for item in entries:
        if item.saved:
            item.undone_as = _undone_as(versions, item.version)
    return entries


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
    run = db.session.get(Run, message.run_id) if message.run_id else None
    if run is None or not run.params.get("planned"):
        raise Conflict("This message made no strategy version, so there is nothing to undo.")
    strategy.undo_change(workspace_id, campaign_id, run.params["version"], author_id=user_id)
    return entry(workspace_id, campaign_id, message_id)


def retry(workspace_id: int, campaign_id: int, message_id: int, user_id: int | None = None) -> Entry:
    """Start a message's failed regeneration again, with the same phase and direction."""
    _, message = _message(workspace_id, campaign_id, message_id)
    if message.run_id is None:
        raise Conflict("This message started nothing, so there is nothing to retry.")
    try:
        run = strategy.retry_regeneration(workspace_id, campaign_id, message.run_id, author_id=user_id)
    except Invalid as exc:
        # The strategy changed since (fewer phases, say): the old request no longer fits it.
        raise Conflict(f"{' '.join(exc.fields.values())} Send a new command instead.") from exc
    message.run_id = run.id
    db.session.commit()
    return entry(workspace_id, campaign_id, message_id)
