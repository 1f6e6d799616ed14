"""The last step of an offline post or variant: fit the channel's limits the prompt states (`channel_limits`),
after the voice has had its say, so an offline draft never breaks its channel's rules.

- The email preview (the body's first line) holds at most `preview_max` characters: the first sentence goes on
  a line of its own, shortened at a word only when it alone is longer.
- The post as posted (headline, body and hashtags, separated by blank lines) holds at most `posted_max`
  characters: whole closing paragraphs go first, then closing sentences, and only then is the body shortened at
  a word.
"""
import re

from .compose import shorten

POST_TASKS = ("post", "variant")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def fit(answer, task: str, values: dict):
    """Fit each variant of a composed post to `values["channel_limits"]`; other answers unchanged."""
    limits = values.get("channel_limits") if isinstance(values, dict) else None
    if task not in POST_TASKS or not limits or not isinstance(answer, dict):
        return answer
    variants = [answer[k] for k in ("a", "b") if isinstance(answer.get(k), dict)] or [answer]
    for variant in variants:
        if not isinstance(variant.get("body"), str):
            continue
        if limits.get("preview_max"):
            variant["body"] = _preview_fits(variant["body"], limits["preview_max"])
        if limits.get("posted_max"):
            variant["body"] = _posted_fits(variant, limits["posted_max"])
    return answer


def as_posted(variant: dict) -> str:
    tags = " ".join(f"#{str(tag).lstrip('#')}" for tag in variant.get("hashtags") or [] if str(tag).strip())
    parts = [str(variant.get("headline", "")).strip(), str(variant.get("body", "")).strip(), tags]
    return "\n\n".join(part for part in parts if part)


def _preview_fits(body: str, limit: int) -> str:
    first, _, rest = body.strip().partition("\n")
    if len(first) <= limit:
        return body
    sentences = SENTENCE_END.split(first, maxsplit=1)
    # The first sentence on its own line (shortened at a word only when it alone is too long), the rest below.
    lead = sentences[0] if len(sentences[0]) <= limit else shorten(sentences[0], limit)
    after = sentences[1].strip() if len(sentences) > 1 else ""
    return "\n\n".join(part for part in (lead, after, rest.strip()) if part)


def _posted_fits(variant: dict, limit: int) -> str:
    body = variant["body"].strip()
    over = lambda text: len(as_posted({**variant, "body": text})) > limit  # noqa: E731
    while over(body) and "\n\n" in body:
        body = body.rsplit("\n\n", 1)[0].strip()
    while over(body) and len(SENTENCE_END.split(body)) > 1:
        body = SENTENCE_END.split(body)[:-1]
        body = " ".join(body).strip()
    if over(body):
        room = limit - (len(as_posted({**variant, "body": ""})) + 2)
        body = shorten(body, max(room, 1))
    return body
