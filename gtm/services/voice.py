"""The brand voice: how a workspace speaks, and a campaign's own voice that overrides it.

A voice is a tone in a few words, words and phrases to use and to avoid, a reading level and up to three
example posts. The workspace's voice is in force for every campaign that has none of its own. Every
generation prompt carries the voice in force (`for_prompt`: a bounded copy, its examples shortened to fit
the block's token budget), and a saved variant that still uses a word to avoid is flagged (`check`).
"""
from sqlalchemy.orm.attributes import flag_modified

from ..extensions import db
from ..llm import PROMPTS
from ..llm.offline.voice import avoided_in, shorten
from ..models import Campaign, Workspace
from . import activity, campaigns, workspaces
from .errors import Invalid, refuse_nul

FIELDS = ("tone", "use", "avoid", "reading_level", "examples")
TONE_MAX = 80
WORD_MAX = 40
WORDS_MAX = 20
EXAMPLE_MAX = 600
EXAMPLES_MAX = 3
READING_LEVELS: dict[str, str] = {
    "plain": "Plain: short sentences and everyday words (about age 12)",
    "general": "General: clear writing for any adult reader (about age 15)",
    "expert": "Expert: the words specialists use, without explaining them",
}
# The voice's block in a prompt stays within this many tokens (characters / 4, as the offline provider and
# the benchmarks count them): the examples are shortened to fit, never the words to use or avoid.
PROMPT_TOKENS = 600
CHARS_PER_TOKEN = 4
EXAMPLE_MIN = 80  # an example shorter than this after shortening is left out of the prompt
SOURCES = ("campaign", "workspace", "none")


def empty() -> dict:
    return {"tone": "", "use": [], "avoid": [], "reading_level": "", "examples": []}


def _words(value, field: str, label: str, errors: dict) -> list[str]:
    """Words or phrases from a list of text, or from text split at commas and new lines; duplicates dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.replace("\n", ",").split(",")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        errors[field] = f"{label} must be a list of words or short phrases."
        return []
    words: dict[str, str] = {}
    for item in items:
        word = " ".join(item.split())
        if not word:
            continue
        if len(word) > WORD_MAX:
            errors[field] = f"Each of the {label.lower()} has at most {WORD_MAX} characters (“{word[:WORD_MAX]}…” " \
                            f"has {len(word)})."
            return []
        words.setdefault(word.lower(), word)
    if len(words) > WORDS_MAX:
        errors[field] = f"{label}: at most {WORDS_MAX} words or phrases (this has {len(words)})."
        return []
    return list(words.values())


def clean(values: dict | None) -> dict | None:
    """Return the voice `values` describe, checked; None when every field is empty. Raise Invalid naming each
    field that is wrong."""
    if values is None:
        return None
    if not isinstance(values, dict):
        raise Invalid({"voice": "A voice is an object with tone, use, avoid, reading_level and examples."})
    errors: dict[str, str] = {}
    voice = empty()
    tone = values.get("tone")
    if tone is not None and not isinstance(tone, str):
        errors["tone"] = "The tone must be text."
    else:
        tone = " ".join((tone or "").split())
        if len(tone) > TONE_MAX:
            errors["tone"] = f"The tone has at most {TONE_MAX} characters (this has {len(tone)}): a few words."
        voice["tone"] = tone
    voice["use"] = _words(values.get("use"), "use", "Words to use", errors)
    voice["avoid"] = _words(values.get("avoid"), "avoid", "Words to avoid", errors)
    both = sorted({w.lower() for w in voice["use"]} & {w.lower() for w in voice["avoid"]})
    if both and "avoid" not in errors:
        errors["avoid"] = f"“{both[0]}” is also among the words to use; keep it in one list."
    level = values.get("reading_level")
    if level not in (None, "") and (not isinstance(level, str) or level not in READING_LEVELS):
        errors["reading_level"] = f"Choose a reading level: {', '.join(READING_LEVELS)}, or none."
    else:
        voice["reading_level"] = level or ""
    voice["examples"] = _examples(values.get("examples"), errors)
    if errors:
        raise Invalid(errors, "Some fields of the voice need attention; nothing was saved.")
    refuse_nul(voice)
    return voice if any(voice.values()) else None


def _examples(value, errors: dict) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors["examples"] = "Examples must be a list of posts as text."
        return []
    examples = [item.strip() for item in value if item.strip()]
    if len(examples) > EXAMPLES_MAX:
        errors["examples"] = f"At most {EXAMPLES_MAX} example posts (this has {len(examples)})."
        return []
    for number, example in enumerate(examples, start=1):
        if len(example) > EXAMPLE_MAX:
            errors["examples"] = (f"Each example post has at most {EXAMPLE_MAX} characters (example {number} has "
                                  f"{len(example)}).")
            return []
    return examples


# Reading.
def workspace_voice(workspace_id: int) -> dict | None:
    return workspaces.get_workspace(workspace_id).voice or None


def campaign_voice(workspace_id: int, campaign_id: int) -> dict | None:
    """The campaign's own voice, or None when it follows the workspace's."""
    return campaigns.get_campaign(workspace_id, campaign_id).voice or None


def resolved(workspace_id: int, campaign_id: int) -> tuple[dict | None, str]:
    """The voice in force for a campaign and where it comes from: "campaign", "workspace" or "none"."""
    own = campaign_voice(workspace_id, campaign_id)
    if own:
        return own, "campaign"
    shared = workspace_voice(workspace_id)
    return (shared, "workspace") if shared else (None, "none")


def voice_in_force(workspace_id: int, campaign_id: int) -> dict | None:
    """The campaign's voice when it has one, else the workspace's, else None."""
    return resolved(workspace_id, campaign_id)[0]


def of_campaign(campaign: Campaign) -> dict | None:
    """The voice in force for a campaign already loaded (a job's): its own, else its workspace's."""
    if campaign.voice:
        return campaign.voice
    workspace = db.session.get(Workspace, campaign.workspace_id)
    return (workspace.voice or None) if workspace is not None else None


# Changing.
def set_workspace_voice(workspace_id: int, values: dict | None) -> dict | None:
    """Set the workspace's voice (empty values clear it); record the change. Nothing changes on bad input."""
    voice = clean(values)
    workspace = workspaces.get_workspace(workspace_id)
    if voice != (workspace.voice or None):
        workspace.voice = voice
        flag_modified(workspace, "voice")
        activity.record(workspace_id, "voice_changed", _summary("the workspace's voice", voice), link=VOICE_PATH)
    db.session.commit()
    return voice


def set_campaign_voice(workspace_id: int, campaign_id: int, values: dict | None,
                       follow_workspace: bool = False) -> dict | None:
    """Give a campaign its own voice; None or empty values clear it, so the workspace's voice is in force. With
    `follow_workspace` the values sent are still checked (a field past its limit is refused, nothing changed),
    then the campaign's own voice is cleared."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    checked = clean(values)
    voice = None if follow_workspace else checked
    if voice != (campaign.voice or None):
        campaign.voice = voice
        flag_modified(campaign, "voice")
        summary = (_summary(f"the voice of “{campaign.name}”", voice) if voice
                   else f"“{campaign.name}” follows the workspace's voice again")
        activity.record(workspace_id, "campaign_voice_changed", summary, campaign_id=campaign_id,
                        link=campaign_path(campaign_id))
    db.session.commit()
    return voice


VOICE_PATH = "/settings/voice"


def campaign_path(campaign_id: int) -> str:
    return f"/campaigns/{campaign_id}/voice"


def _summary(what: str, voice: dict | None) -> str:
    if not voice:
        return f"Cleared {what}"
    return f"Set {what}" + (f": {activity.quote(voice['tone'], 60)}" if voice.get("tone") else "")


# The prompt's block.
def block_text(voice: dict | None) -> str:
    """The voice's block as a prompt carries it."""
    return PROMPTS.get_template("_voice.j2").render(voice=voice)


def block_tokens(voice: dict | None) -> int:
    return -(-len(block_text(voice)) // CHARS_PER_TOKEN)


def for_prompt(voice: dict | None) -> dict | None:
    """A copy of the voice for a prompt, within PROMPT_TOKENS: the examples shortened at a word boundary (with
    "…") to share what the rest of the block leaves, and left out when too little is left for them."""
    if not voice or not any(voice.get(field) for field in FIELDS):
        return None
    shown = {**empty(), **{field: voice.get(field) or empty()[field] for field in FIELDS}}
    shown["reading_level_text"] = READING_LEVELS.get(shown["reading_level"], "")
    examples = list(shown["examples"])
    shown["examples"] = []
    room = PROMPT_TOKENS * CHARS_PER_TOKEN - len(block_text(shown))
    while examples:
        # What one example adds beside its text: its separator and heading lines, measured.
        overhead = len(block_text({**shown, "examples": ["x"] * len(examples)})) - len(block_text(shown)) \
            - len(examples)
        each = (room - overhead) // len(examples)
        if each >= EXAMPLE_MIN:
            shown["examples"] = [shorten(example, each) for example in examples]
            break
        examples.pop()
    return shown


def prompt_voice(campaign: Campaign) -> dict | None:
    """The voice in force for a campaign, ready for its prompts (once per run)."""
    return for_prompt(of_campaign(campaign))


# The flag on a saved variant.
COPY_FIELDS = ("headline", "body", "call_to_action")


def check(voice: dict | None, fields) -> list[dict]:
    """What in a variant's words the voice avoids, as warnings {"rule", "message"} (one per word or phrase)."""
    avoid = (voice or {}).get("avoid") or []
    if not avoid:
        return []
    get = fields.get if isinstance(fields, dict) else lambda name, default=None: getattr(fields, name, default)
    texts = [str(get(name, "") or "") for name in COPY_FIELDS]
    texts += [str(tag).lstrip("#") for tag in (get("hashtags", None) or [])]
    found = avoided_in("\n".join(texts), avoid)
    return [{"rule": "voice_avoid", "word": word,
             "message": f"Uses ‘{word}’, which the voice avoids"} for word in found]


def rewrite_feedback(warning: dict) -> str:
    """The feedback a one-click rewrite sends for a voice warning."""
    return f"Do not use ‘{warning.get('word', '')}’."
