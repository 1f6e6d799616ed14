"""What the offline composers share: their registry, the prompt values as facts, and phrasing helpers."""
import hashlib
import textwrap

COMPOSERS: dict = {}


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
        self.campaign = values.get("campaign", {})
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

    @property
    def concise(self) -> bool:
        return "concise" in self.feedback.lower() or "shorter" in self.feedback.lower()

    @property
    def detailed(self) -> bool:
        return "detail" in self.feedback.lower() or "longer" in self.feedback.lower()

    def count(self, normal: int) -> int:
        """How many bullets to write, following "more concise" or "more detail" feedback."""
        if self.concise:
            return max(1, normal - 1)
        if self.detailed:
            return normal + 2
        return normal

    def product_phrase(self) -> str:
        return first_sentence(self.campaign.get("product", "the product")).rstrip(".")

    def revision_note(self) -> str:
        return f" Revised for: {self.feedback}" if self.feedback else ""


def first_sentence(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    for mark in (". ", "! ", "? "):
        if mark in text:
            text = text.split(mark, 1)[0] + mark.strip()
            break
    return textwrap.shorten(text, limit, placeholder="…")


def split_list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").replace("\n", ",").split(",") if part.strip()]
