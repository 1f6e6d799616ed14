"""What the offline composers share: their registry, the prompt values as facts, and phrasing helpers.

The offline model writes what a newcomer sees first, so its text must read as publishable copy: the
product is named from the product field, feedback and directions shape the draft rather than being
quoted into it, the simple requests a marketer makes are applied (shorter, more detail, another
angle, drop a channel), and punctuation and hashtags come out clean.
"""
import hashlib
import re
import textwrap

COMPOSERS: dict = {}

CHANNEL_WORDS = {
    "linkedin": ("linkedin",), "x": ("x", "twitter"), "instagram": ("instagram", "ig", "insta"),
    "facebook": ("facebook", "fb"), "tiktok": ("tiktok",), "youtube": ("youtube",),
    "email": ("email", "e-mail", "emails", "mail", "mailing"), "blog": ("blog", "blogs"),
    "newsletter": ("newsletter", "newsletters"), "reddit": ("reddit",),
}
# Words that are spelled one way only, wherever they land (hashtags among them).
BRANDS = {"linkedin": "LinkedIn", "tiktok": "TikTok", "youtube": "YouTube", "instagram": "Instagram",
          "facebook": "Facebook", "reddit": "Reddit", "iphone": "iPhone", "github": "GitHub"}
_DROP = re.compile(r"\b(?:drop|no|without|remove|skip|leave out|cut|exclude|not on|stop using|lose)\s+"
                   r"((?:the\s+)?[\w\-]+(?:\s*(?:,|and|or)\s*(?:no\s+|the\s+)?[\w\-]+)*)", re.I)
_ARTICLES = {"a", "an", "the", "our", "your"}
# Words that open a description in capitals only because they open the sentence.
_COMMON = _ARTICLES | {"simple", "smart", "easy", "fast", "free", "new", "modern", "online", "better", "one",
                       "this", "it", "we", "every", "all", "software", "tools", "helping", "making", "affordable"}


def composer(task: str):
    """Register the function that composes the offline answer for a task."""
    def register(func):
        COMPOSERS[task] = func
        return func
    return register


class Facts:
    """The prompt values with helpers for deterministic phrasing."""

    def __init__(self, values: dict):
        self.values = values
        self.campaign = values.get("campaign", {}) or {}
        self.inputs = values.get("inputs", {}) or {}
        self.feedback = (values.get("feedback") or "").strip()

    def pick(self, options: list, salt: str, count: int = 1) -> list:
        """Choose `count` distinct options, the same ones every time for the same salt."""
        digest = hashlib.sha256(f"{salt}|{self.feedback}".encode()).digest()
        pool = list(options)
        chosen = []
        for i in range(min(count, len(pool))):
            chosen.append(pool.pop(digest[i] % len(pool)))
        return chosen

    # --- what the feedback asks for ------------------------------------------------------------

    @property
    def concise(self) -> bool:
        return asks_shorter(self.feedback)

    @property
    def detailed(self) -> bool:
        return "detail" in self.feedback.lower() or "longer" in self.feedback.lower()

    @property
    def new_angle(self) -> bool:
        return asks_new_angle(self.feedback)

    @property
    def dropped(self) -> set[str]:
        """The channels the feedback asks to leave out ("drop LinkedIn", "no X", "without email")."""
        return dropped_channels(self.feedback)

    def count(self, normal: int) -> int:
        """How many bullets to write, following "more concise" or "more detail" feedback."""
        if self.concise:
            return max(1, normal - 1)
        if self.detailed:
            return normal + 2
        return normal

    def shaped(self, summary: str, more: str = "") -> str:
        """A summary shaped by the feedback: its first sentence when asked to be shorter, one more sentence
        when asked for detail."""
        if self.concise:
            summary = first_sentence(summary, 400)
        elif self.detailed and more:
            summary = f"{summary} {more}"
        return tidy(summary)

    # --- the campaign, in words ------------------------------------------------------------------

    def product_phrase(self) -> str:
        return clause(first_sentence(self.campaign.get("product") or "the product", 200))

    def product_name(self) -> str:
        return product_name(self.campaign.get("product") or "")

    def product_what(self) -> str:
        return product_what(self.campaign.get("product") or "")

    def product_detail(self) -> str:
        """The product's second sentence, if it has one ("It tracks orders, deliveries and repeat customers.")."""
        return second_sentence(self.campaign.get("product") or "")

    def audience(self) -> str:
        return clause(lower_first(" ".join(str(self.campaign.get("audience") or "people like you").split())))

    def audience_short(self) -> str:
        return short_audience(self.audience())


def asks_shorter(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in ("concise", "shorter", "brief", "trim", "tighter copy", "less text"))


def asks_new_angle(text: str) -> bool:
    return bool(re.search(r"\b(another|different|new|fresh|other)\s+angle\b", text, re.I))


def dropped_channels(text: str) -> set[str]:
    found = set()
    for match in _DROP.finditer(text or ""):
        for word in re.split(r"\s*(?:,|\band\b|\bor\b)\s*", match.group(1), flags=re.I):
            word = re.sub(r"^(?:no|the)\s+", "", word.strip().lower())
            found |= {key for key, words in CHANNEL_WORDS.items() if word in words}
    return found


def first_sentence(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    for mark in (". ", "! ", "? "):
        if mark in text:
            text = text.split(mark, 1)[0] + mark.strip()
            break
    return shorten(text, limit)


def second_sentence(text: str) -> str:
    text = " ".join(str(text).split())
    parts = re.split(r"(?<=[.!?])\s+", text, maxsplit=2)
    return parts[1] if len(parts) > 1 and parts[1] else ""


def shorten(text: str, limit: int) -> str:
    """Shorten at a word boundary to at most `limit` characters; a cut sentence ends with an ellipsis (counted)
    and no stray punctuation before it."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = textwrap.shorten(text, max(limit - 1, 1), placeholder="")
    return cut.rstrip(" ,;:.-–—") + "…"


def clause(text: str) -> str:
    """A phrase without its closing punctuation, to be built into a sentence."""
    return " ".join(str(text).split()).rstrip(" .,;:!")


def lower_first(text: str) -> str:
    """Lower the first letter unless the first word is an acronym or a name in capitals ("CRM", "US")."""
    if not text:
        return text
    first = text.split()[0]
    if len(first) > 1 and (first[1:].lower() != first[1:] or first.lower() in BRANDS):
        return text
    return text[0].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def product_name(product: str) -> str:
    """A short name for the product from its description: the words before " is ", " - " or ":", else the
    proper noun it opens with, else "our <thing>"."""
    text = clause(first_sentence(product or "", 300))
    for mark in (" is ", " are ", " - ", " – ", " — ", ": ", ", "):
        head = text.split(mark, 1)[0].strip()
        if mark in text and 0 < len(head.split()) <= 4 and head.split()[0].lower() not in _ARTICLES:
            return head
    words = text.split()
    proper = []
    for word in words[:4]:
        bare = word.strip(",.;:!?()")
        if not bare or not bare[0].isupper() or (not proper and bare.lower() in _COMMON):
            break
        proper.append(bare)
    if proper and (len(proper) > 1 or len(words) == 1 or words[1][:1].islower()):
        return " ".join(proper)
    if words:
        rest = words[1:] if words[0].lower() in _ARTICLES else words
        thing = re.split(r"\s+(?:for|that|which|to|with|who)\s+", " ".join(rest), maxsplit=1)[0]
        if 0 < len(thing.split()) <= 3:
            return f"our {lower_first(thing)}"
    return "our product"


def product_what(product: str) -> str:
    """What the product is, as a phrase: "a CRM for independent florists"."""
    text = clause(first_sentence(product or "", 300))
    for mark in (" is ", " are ", " - ", " – ", " — ", ": "):
        if mark in text:
            return lower_first(text.split(mark, 1)[1].strip())
    if text and text.startswith(product_name(product)):
        return text
    return lower_first(text) or "a product for people like you"


def short_audience(audience: str, limit: int = 40) -> str:
    """The audience's head: "independent florists" from "independent florists in the US with 1-10 staff"."""
    head = re.split(r"\s+(?:with|who|in|that|across|at|from|using)\s+|,", audience, maxsplit=1)[0].strip()
    head = head if len(head.split()) >= 1 else audience
    return shorten(head, limit).rstrip("…") if len(head) > limit else head


def hashtag(text: str) -> str:
    """A hashtag (without #) in CamelCase from words: "Bloom CRM" → BloomCRM, "linkedin" → LinkedIn."""
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"^(?:our|your|the)\s+", "", text or "", flags=re.I))
    parts = []
    for word in words:
        if word.lower() in BRANDS:
            parts.append(BRANDS[word.lower()])
        elif word[1:].lower() != word[1:]:  # an acronym or a name with capitals inside: keep it
            parts.append(upper_first(word))
        else:
            parts.append(word.capitalize())
    tag = "".join(parts)
    tag = re.sub(r"^[0-9]+", "", tag)
    return upper_first(tag) if len(tag) >= 2 else ""


def hashtags(*sources: str, limit: int | None = None) -> list[str]:
    """Distinct, well-formed hashtags from the sources, at most `limit`."""
    found = []
    for source in sources:
        tag = hashtag(source)
        if tag and tag.lower() not in {t.lower() for t in found}:
            found.append(tag)
    return found if limit is None else found[:max(limit, 0)]


def tidy(text: str) -> str:
    """Clean punctuation: no doubled marks, no space before a mark, no ", so" after a full stop."""
    paragraphs = []
    for paragraph in str(text).split("\n\n"):
        p = " ".join(paragraph.split())
        p = re.sub(r"\s+([,.;:!?])", r"\1", p)
        p = re.sub(r"([.!?…])[.,;:]+", r"\1", p)
        p = re.sub(r",{2,}", ",", p)
        p = re.sub(r"\.\s*,\s*", ". ", p)
        p = re.sub(r"([,;:])\1+", r"\1", p)
        p = re.sub(r"([,;])(?=[A-Za-z])", r"\1 ", p)
        p = re.sub(r"\.\s+(so|and|but)\b", lambda m: ", " + m.group(1), p)
        p = re.sub(r"(?<=[.!?])\s+([a-z])", lambda m: " " + m.group(1).upper(), p)
        paragraphs.append(p.strip())
    return "\n\n".join(p for p in paragraphs if p)


def split_list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").replace("\n", ",").split(",") if part.strip()]
