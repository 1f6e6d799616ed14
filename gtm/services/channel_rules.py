"""The channels' rules for a draft: one table of what each channel allows, and a check against it.

A draft that breaks its channel's rules gets one repair call naming each rule; what still breaks them is
saved on the variant as warnings (`Variant.warnings`), never cut. The model's hashtags past the channel's
number are the exception: they are dropped when its draft is saved, as the prompt asked for no more; a
person's own hashtags are kept, with a warning. Each rule is a platform's own limit (or
what its readers see, for an email's subject and preview), not a taste:

| channel | as posted | hashtags | links |
|---|---|---|---|
| X | headline, body and hashtags together at most 280 characters (a link counts as 23, as X shortens it) | at most 3 | yes |
| LinkedIn | headline, body and hashtags at most 3,000 characters | at most 5 | yes |
| Instagram | the caption (headline, body and hashtags) at most 2,200 characters | at most 30 | no: captions do not make links clickable |
| TikTok | the caption at most 2,200 characters | at most 10 | no, as on Instagram |
| YouTube | the title (headline) at most 100 characters, the description (body and hashtags) 5,000 | at most 15 | yes |
| Reddit | the title (headline) at most 300 characters | none | yes |
| Email, newsletter | the subject (headline) at most 60 characters and the preview (first line of the body) 90, which is what an inbox shows | none | yes |
| Blog, Facebook | no limit a draft reaches | - | yes |

Channels are named by their keys (`x`, `linkedin`, …) or their names ("X (Twitter)", "Twitter", "E-mail"),
in any case; a channel the table does not know has no rules.
"""
import re
from dataclasses import dataclass

from .campaigns import CHANNELS

# How X counts a link, whatever its length: it shortens every link to one of this many characters.
X_LINK_CHARS = 23
LINK = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|co|app|dev|ly)"
                  r"(?:/\S*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Rules:
    """What one channel allows; None where it sets no limit."""

    name: str
    posted_max: int | None = None  # headline, body and hashtags as posted
    posted_label: str = "the post"  # what the marketer calls the posted text on this channel
    headline_max: int | None = None
    headline_label: str = "headline"
    body_max: int | None = None  # the body with its hashtags (a description)
    preview_max: int | None = None  # the first line of the body
    hashtags_max: int | None = None
    links: bool = True
    link_chars: int | None = None  # a link counts as this many characters, whatever its length
    link_advice: str = ""


EMAIL = Rules("Email", headline_max=60, headline_label="subject line", preview_max=90, hashtags_max=0)
RULES = {
    "x": Rules("X", posted_max=280, hashtags_max=3, link_chars=X_LINK_CHARS),
    "linkedin": Rules("LinkedIn", posted_max=3000, hashtags_max=5),
    "instagram": Rules("Instagram", posted_max=2200, posted_label="the caption", hashtags_max=30, links=False,
                       link_advice="put the link in the bio and say “link in bio”"),
    "tiktok": Rules("TikTok", posted_max=2200, posted_label="the caption", hashtags_max=10, links=False,
                    link_advice="put the link in the profile and say so"),
    "youtube": Rules("YouTube", headline_max=100, headline_label="title", body_max=5000, hashtags_max=15),
    "reddit": Rules("Reddit", headline_max=300, headline_label="title", hashtags_max=0),
    "email": EMAIL,
    "newsletter": Rules("The newsletter", headline_max=60, headline_label="subject line", preview_max=90,
                        hashtags_max=0),
}
ALIASES = {"twitter": "x", "x (twitter)": "x", "e-mail": "email", "mail": "email", "linked in": "linkedin",
           "ig": "instagram", "yt": "youtube"}


def rules_for(channel) -> Rules | None:
    """The rules of a channel named by its key or its name, in any case; None for a channel without rules."""
    name = " ".join(str(channel or "").split()).lower()
    key = ALIASES.get(name) or next((k for k, (label, _) in CHANNELS.items() if name in (k, label.lower())), name)
    return RULES.get(key)


def _field(fields, name: str, default=""):
    return fields.get(name, default) if isinstance(fields, dict) else getattr(fields, name, default)


def _tags(fields) -> list[str]:
    tags = _field(fields, "hashtags", []) or []
    return [tag.strip().lstrip("#") for tag in tags if tag.strip().lstrip("#")]


def as_posted(fields) -> str:
    """The text as it goes out: the headline, the body and the hashtags, separated by blank lines."""
    tags = " ".join(f"#{tag}" for tag in _tags(fields))
    parts = [str(_field(fields, "headline")).strip(), str(_field(fields, "body")).strip(), tags]
    return "\n\n".join(part for part in parts if part)


def _length(text: str, rules: Rules) -> int:
    if rules.link_chars is None:
        return len(text)
    return len(LINK.sub("x" * rules.link_chars, text))


def _first_line(body: str) -> str:
    return next((line.strip() for line in str(body).splitlines() if line.strip()), "")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def check(channel, fields) -> list[dict]:
    """What a draft (headline, body, hashtags) breaks of its channel's rules, as [{"rule", "message"}],
    in words a marketer reads; empty when it fits or the channel has no rules."""
    rules = rules_for(channel)
    if rules is None:
        return []
    key = next(k for k, v in RULES.items() if v is rules)
    found = []
    headline, body, tags = str(_field(fields, "headline")), str(_field(fields, "body")), _tags(fields)
    if rules.posted_max is not None:
        length = _length(as_posted(fields), rules)
        if length > rules.posted_max:
            found.append({"rule": f"{key}.length", "message": (
                f"Longer than {rules.name} allows: {length:,} of {rules.posted_max:,} characters for "
                f"{rules.posted_label}, counting the headline, the body and the hashtags"
                + (f" (a link counts as {rules.link_chars})" if rules.link_chars else "") + ".")})
    if rules.headline_max is not None and len(headline.strip()) > rules.headline_max:
        found.append({"rule": f"{key}.headline", "message": (
            f"The {rules.headline_label} is longer than {rules.name} shows: {len(headline.strip()):,} of "
            f"{rules.headline_max:,} characters.")})
    if rules.body_max is not None:
        length = len("\n\n".join(part for part in (body.strip(), " ".join(f"#{t}" for t in tags)) if part))
        if length > rules.body_max:
            found.append({"rule": f"{key}.body", "message": (
                f"Longer than {rules.name} allows: {length:,} of {rules.body_max:,} characters for the "
                "description, counting the hashtags.")})
    preview = _first_line(body)
    if rules.preview_max is not None and len(preview) > rules.preview_max:
        found.append({"rule": f"{key}.preview", "message": (
            f"The preview (the body's first line) is longer than an inbox shows: {len(preview):,} of "
            f"{rules.preview_max:,} characters.")})
    if rules.hashtags_max is not None and len(tags) > rules.hashtags_max:
        found.append({"rule": f"{key}.hashtags", "message": (
            f"{rules.name} posts take no hashtags: this one has {len(tags)}." if rules.hashtags_max == 0 else
            f"More hashtags than suit {rules.name}: {len(tags)} of at most {rules.hashtags_max}.")})
    if not rules.links:
        links = LINK.findall(" ".join((headline, body, str(_field(fields, "call_to_action")))))
        if links:
            found.append({"rule": f"{key}.links", "message": (
                f"{rules.name} does not make links clickable here ({_plural(len(links), 'link')}, "
                f"such as {links[0][:60]}): {rules.link_advice}.")})
    return found


def describe(channel) -> list[str]:
    """The channel's rules as short sentences for a prompt (none for a channel without rules)."""
    rules = rules_for(channel)
    if rules is None:
        return []
    said = []
    if rules.posted_max is not None:
        said.append(f"{rules.posted_label[0].upper() + rules.posted_label[1:]} as posted (headline, body and hashtags "
                    f"together) has at most {rules.posted_max} characters"
                    + (f"; a link counts as {rules.link_chars}" if rules.link_chars else "") + ".")
    if rules.headline_max is not None:
        said.append(f"The headline is the {rules.headline_label}: at most {rules.headline_max} characters.")
    if rules.body_max is not None:
        said.append(f"The body and its hashtags have at most {rules.body_max} characters.")
    if rules.preview_max is not None:
        said.append(f"The body's first line is the inbox preview: at most {rules.preview_max} characters.")
    if rules.hashtags_max == 0:
        said.append("No hashtags.")
    elif rules.hashtags_max is not None:
        said.append(f"At most {rules.hashtags_max} hashtags.")
    if not rules.links:
        said.append(f"No links in the text: {rules.name} does not make them clickable; {rules.link_advice}.")
    return said


def limits(channel) -> dict:
    """The channel's limits as numbers (none for a channel without rules), for a composer that fits them."""
    rules = rules_for(channel)
    if rules is None:
        return {}
    names = ("posted_max", "headline_max", "body_max", "preview_max", "hashtags_max", "link_chars")
    return {name: getattr(rules, name) for name in names if getattr(rules, name) is not None} | {"links": rules.links}


def hashtags_max(channel, default: int) -> int:
    """The most hashtags a prompt asks for on this channel: its rule's limit, or `default`."""
    rules = rules_for(channel)
    return default if rules is None or rules.hashtags_max is None else min(default, rules.hashtags_max)


def repair_problems(label: str, channel, fields) -> list[str]:
    """The rules a variant the model wrote breaks, as sentences for a repair request that name each rule.

    Hashtags over the channel's number are not among them: a model's extra hashtags are dropped when its
    draft is saved (`hashtags_max`), as a person's are not."""
    return [f"variant {label}: {found['message']} (channel rule {found['rule']}; rewrite to fit, do not cut "
            "sentences off)" for found in check(channel, fields) if not found["rule"].endswith(".hashtags")]
