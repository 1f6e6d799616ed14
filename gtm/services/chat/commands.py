"""Commands read from a chat message, and the regeneration `!regenerate phase N <direction>` starts.

A message that is no command (no ! or / right before a word) is a question, answered by
gtm.services.chat.answers; a command that cannot be carried out is answered with what is wrong and
the right form, and changes nothing else.
"""
import re
from dataclasses import dataclass

from .. import strategy
from ..errors import Conflict, Invalid, Unavailable

FORM = "!regenerate phase N <direction>"
EXAMPLE = "!regenerate phase 2 Focus on developers, with technical demos"
USAGE = f"Write it as {FORM}, for example: {EXAMPLE}"
HELP = (
    "Commands:\n"
    f"{FORM} regenerates the strategy from phase N in a new direction. The phases before N are kept as they "
    "are; phase N and later are archived (never deleted) and planned again. N can be one past the last phase, "
    f"to add phases after it. Example: {EXAMPLE}\n"
    "!help shows this list.\n"
    "You can start a command with / instead of !. Anything else is a question about the campaign, which gtm "
    "answers from its plan, results and alerts, sometimes with a next step to open."
)
EMPTY = "Write a message first, or !help to see the commands."

# A command is ! or / right before a word; "/ that" or "!!" is ordinary text.
COMMAND = re.compile(r"([!/])([A-Za-z][\w-]*)(?:\s+(.*))?", re.DOTALL)
PHASE = re.compile(r"phase\s+(\S+?):?(?:\s+(.*))?", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    """What a message asks for: `kind` is regenerate, help, refused (`reply` says why) or question (no command)."""

    kind: str
    phase_num: int | None = None
    direction: str = ""
    reply: str = ""


def parse(text: str) -> Command:
    """Read a command from a message's text; nothing is looked up, so a phase number is not checked yet."""
    found = COMMAND.fullmatch(text.strip())
    if found is None:
        return Command("question")
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


def regenerate(workspace_id: int, campaign_id: int, command: Command, user_id: int | None) -> tuple[str, int | None]:
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
    kept = f"Keeping {_phases(1, number - 1)} ({count(len(split.kept), 'post')})" if number > 1 else \
        "Keeping no phases"
    if split.extends:
        change = f"adding phases after phase {last}; nothing is archived."
    else:
        approved = len(found.approved_archived)
        archived = count(len(split.archived), "post") + (f", {approved} approved" if approved else "")
        change = f"archiving {_phases(number, last)} ({archived}) — nothing is deleted."
    return f"Regenerating from phase {number} as version {version}. {kept}; {change}"


def _phases(first: int, last: int) -> str:
    return f"phase {first}" if first == last else f"phases {first}–{last}"


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
