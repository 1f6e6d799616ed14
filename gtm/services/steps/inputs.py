"""What a marketer types for a step: the step form's values and the feedback for a revision."""
import re
from datetime import date
from decimal import Decimal
from typing import Mapping

from ..errors import Invalid, clean_text
from . import content as step_content
from .specs import InputField, StepSpec

STEP_FEEDBACK_MAX = 2000
QUICK_PICKS = ("More concise", "More detail", "Different angle")
BUDGET_MAX = Decimal("1000000000")


def _clean_value(item: InputField, value: str) -> tuple[str, str | None]:
    """Normalise one typed input; return (value, error)."""
    if not value or item.type == "text":
        return value, None
    if item.type == "money":
        try:
            amount = step_content.decimal(value)
        except ValueError:
            return value, "Enter an amount as a number, like 5000 or 5000.50."
        if amount < 0:
            return value, "The amount cannot be negative."
        if amount > BUDGET_MAX:
            return value, "The amount can be at most 1,000,000,000."
        return str(amount.quantize(step_content.CENT)), None
    if item.type == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            return value, "Use a three-letter currency code, like USD or EUR."
        return value.upper(), None
    if item.type == "date":
        try:
            return date.fromisoformat(value).isoformat(), None
        except ValueError:
            return value, "Enter a date as YYYY-MM-DD, like 2025-06-30."
    raise AssertionError(f"unknown input type {item.type}")


def clean_inputs(spec: StepSpec, raw: Mapping | None) -> dict:
    """Return the step form's values, or raise Invalid naming each field that breaks a rule."""
    raw = raw or {}
    errors, clean = {}, {}
    for item in spec.inputs:
        value = raw.get(item.name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[item.name] = "Must be text."
            continue
        value = value.strip()
        if item.type != "text":
            # A typed value says what is wrong with it better than a character count would.
            value, problem = _clean_value(item, value)
            if problem:
                errors[item.name] = problem
        elif len(value) > item.limit:
            errors[item.name] = f"At most {item.limit:,} characters (this has {len(value):,})."
        clean[item.name] = value
    if errors:
        raise Invalid(errors)
    return clean


def clean_feedback(feedback) -> str:
    return clean_text(feedback, "feedback", "Feedback", STEP_FEEDBACK_MAX,
                      empty="Say what should change, or pick one of the quick options.")


def compose_feedback(text, picks) -> str:
    """Join the quick picks and the typed feedback into one feedback text, checked."""
    picks = [p for p in (picks or []) if p]
    unknown = [p for p in picks if p not in QUICK_PICKS]
    if unknown:
        raise Invalid({"quick": f"Choose quick picks from: {', '.join(QUICK_PICKS)}."})
    text = text if isinstance(text, str) else ""
    if len(text.strip()) > STEP_FEEDBACK_MAX:
        return clean_feedback(text)
    parts = [f"{pick}." for pick in picks] + ([text.strip()] if text.strip() else [])
    return clean_feedback(" ".join(parts))
