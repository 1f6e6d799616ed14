"""The brand voice in the offline answers: words to avoid replaced or dropped, the tone worked in.

`honour` is applied to every offline answer after it is composed. It touches only the text meant as copy
(headlines, bodies, calls to action, titles, briefs, summaries and goals, and hashtags), never keys, ids or
channels, and it is deterministic: the same answer and voice always give the same text.
"""
import re

# Neutral words for the hype a voice usually avoids; any other avoided word or phrase is dropped.
NEUTRAL = {
    "revolutionary": "new", "revolutionize": "change", "revolutionise": "change", "game-changing": "useful",
    "game changer": "big step", "game-changer": "big step", "cutting-edge": "modern", "cutting edge": "modern",
    "disruptive": "new", "disrupt": "change", "innovative": "new", "best-in-class": "strong",
    "world-class": "strong", "seamless": "smooth", "seamlessly": "smoothly", "leverage": "use",
    "synergy": "teamwork", "unlock": "open", "empower": "help", "supercharge": "speed up",
    "effortless": "easy", "effortlessly": "easily", "ultimate": "complete", "amazing": "good",
    "incredible": "good", "awesome": "good", "next-generation": "new", "next-gen": "new", "robust": "solid",
    "powerful": "capable", "simple": "clear", "easy": "simple", "free": "included", "fast": "quick",
    "launch": "release", "discover": "see", "transform": "change", "boost": "raise",
}
COPY_KEYS = frozenset({"headline", "body", "call_to_action", "title", "brief", "summary", "goal", "phase_name",
                       "phase_goal", "angle", "answer"})
HASHTAG_KEYS = frozenset({"hashtags"})
# A name that is copy (a phase's), where other names are not (a competitor's).
NAMED_COPY = frozenset({("name", "phases")})
# Posts and variants where the tone is worked into the first sentence, and the call to action.
POST_TASKS = frozenset({"post", "variant"})


def pattern(term: str) -> re.Pattern:
    """The whole word or phrase `term`, in any case, with any spacing between its words."""
    words = [re.escape(word) for word in term.split()]
    return re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])", re.IGNORECASE)


def avoided_in(text: str, avoid: list[str]) -> list[str]:
    """The words and phrases of `avoid` that `text` uses, in the voice's order."""
    return [term for term in avoid if term.strip() and pattern(term).search(text or "")]


def _case_like(word: str, found: str) -> str:
    if found.isupper() and len(found) > 1:
        return word.upper()
    if found[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _article(before: str, word: str) -> str:
    """"a" or "an" (in the case of `before`) for the word after it."""
    chosen = "an" if word[:1].lower() in "aeiou" else "a"
    return _case_like(chosen, before)


def without(text: str, avoid: list[str]) -> str:
    """`text` with each avoided word or phrase replaced by a neutral word, or dropped with clean spacing."""
    if not text or not avoid:
        return text
    avoided = [pattern(term) for term in avoid if term.strip()]

    def neutral_for(found: str) -> str:
        word = NEUTRAL.get(" ".join(found.lower().split()), "")
        return "" if any(p.search(word) for p in avoided) else word

    if not any(p.search(text) for p in avoided):
        return text
    for term in sorted((t for t in avoid if t.strip()), key=len, reverse=True):
        article = re.compile(r"(?<![\w])(an?\s+)?(" + pattern(term).pattern + ")", re.IGNORECASE)

        def swap(match: re.Match) -> str:
            before, found = match.group(1), match.group(2)
            word = _case_like(neutral_for(found), found)
            if not word:
                head = match.string[:match.start()]
                if not before and (not head.strip() or re.search(r"[.!?]\s*$|\n\s*$", head)):
                    return OPENING  # the sentence now starts with the word after it
                return (before or "") + DROPPED  # an article stays for the word that follows; fixed in tidy
            return (_article(before.strip(), word) + " " if before else "") + word

        text = article.sub(swap, text)
    return tidy(text)


DROPPED = "\x01"  # where a word was dropped, until tidy has cleaned up around it
OPENING = "\x02"  # where a sentence's first word was dropped: the next word opens it


def tidy(text: str) -> str:
    """Clean the spacing and punctuation dropped words leave behind, with "a"/"an" right for the word after."""
    text = re.sub(r"(?<![\w])(an?)\s+" + DROPPED + r"[\s" + DROPPED + r"]*(\w)",
                  lambda m: _article(m.group(1), m.group(2)) + " " + m.group(2), text, flags=re.IGNORECASE)
    text = re.sub(OPENING + r"[\s,;:" + DROPPED + OPENING + r"]*(?:(?:and|or|but|&)\s+)?(\w)",
                  lambda m: m.group(1).upper(), text, flags=re.IGNORECASE)
    # "a fast, (dropped) tool": the comma went with the adjective it came before.
    text = re.sub(r"(\w),[ \t]*" + DROPPED + r"[ \t]+(?=\w)", r"\1 ", text)
    text = text.replace(DROPPED, "").replace(OPENING, "")
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"\(\s*\)", "", line)
        line = re.sub(r"[ \t]{2,}", " ", line)
        line = re.sub(r"\s+([,.;:!?…)])", r"\1", line)
        line = re.sub(r"([,;:])\s*[,;:]", r"\1", line)
        line = re.sub(r"[,;:]\s*([.!?])", r"\1", line)
        line = re.sub(r",?\s+(?:and|or|but|&)(?=[.;:!?]|$)", "", line, flags=re.IGNORECASE)
        line = re.sub(r"^[\s,;:.]+", "", line) if line.strip(" ,;:.") else line.strip()
        lines.append(line.rstrip())
    return "\n".join(lines)


def _tone_word(voice: dict) -> str:
    """The tone's first word (lower case), which the first sentence of a post can carry; "" when it has none."""
    words = re.findall(r"[A-Za-z][A-Za-z-]*", voice.get("tone") or "")
    return words[0].lower() if words else ""


def _with_tone(body: str, tone: str, avoid: list[str], limit: int) -> str:
    """The body with the tone word worked in as a closing sentence ("A friendly way to get there."), or after
    the first paragraph with the rest shortened when the channel's limit leaves no room at the end."""
    if not tone or avoided_in(tone, avoid) or re.search(rf"(?<![\w]){re.escape(tone)}(?![\w])", body, re.I):
        return body
    sentence = f"{_article('a', tone).capitalize()} {tone} way to get there."
    whole = f"{body.rstrip()}\n\n{sentence}"
    if len(whole) <= limit:
        return whole
    first, _, rest = body.partition("\n\n")
    opening = f"{first.rstrip()}\n\n{sentence}"
    if len(opening) > limit:
        return body
    room = limit - len(opening) - 2
    rest = shorten(rest, room) if rest and room >= 40 else ""
    return f"{opening}\n\n{rest}" if rest else opening


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary and ended with "…" when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def _call_to_action(text: str, use: list[str], salt: str) -> str:
    """A call to action that carries one of the words to use when it does not already."""
    if not use or any(pattern(word).search(text) for word in use):
        return text
    word = use[sum(map(ord, salt)) % len(use)]
    return f"{text.rstrip('.! ')} – {word}" if text else word


def honour(answer, task: str, values: dict):
    """Apply the prompt's voice (`values["voice"]`) to a composed offline answer (a dict of JSON values);
    without a voice, the answer as it is."""
    voice = values.get("voice") if isinstance(values, dict) else None
    if not voice:
        return answer
    limit = int(values.get("body_limit") or 1000)
    avoid = [w for w in voice.get("avoid") or [] if str(w).strip()]
    answer = _walk(answer, avoid, "")
    if task in POST_TASKS:
        tone = _tone_word(voice)
        use = [w for w in voice.get("use") or [] if not avoided_in(w, avoid)]
        variants = [answer[k] for k in ("a", "b") if isinstance(answer.get(k), dict)] or [answer]
        for n, variant in enumerate(variants):
            if isinstance(variant.get("body"), str):
                variant["body"] = _with_tone(variant["body"], tone, avoid, limit)
            if isinstance(variant.get("call_to_action"), str):
                variant["call_to_action"] = _call_to_action(variant["call_to_action"], use,
                                                            str(variant.get("headline", "")) + str(n))
    return answer


def _walk(value, avoid: list[str], key: str, within: str = ""):
    """Apply the voice to the copy inside `value` (found under `key`, inside a list under `within`)."""
    if isinstance(value, dict):
        return {k: _walk(v, avoid, k, key if key else within) for k, v in value.items()}
    if isinstance(value, list):
        if key in HASHTAG_KEYS:
            return [tag for tag in value if not (isinstance(tag, str) and avoided_in(tag, avoid))]
        return [_walk(item, avoid, key, within) for item in value]
    if isinstance(value, str) and (key in COPY_KEYS or (key, within) in NAMED_COPY):
        cleaned = without(value, avoid)
        return cleaned if cleaned.strip() else value  # nothing left: keep it, and the flag will say so
    return value
