"""A trigger's rule: its fields checked against the campaign's current strategy, and the rule in words.

A rule names a scope (the campaign, one phase or one post of the current version), a metric,
`<` or `>`, a threshold (rates in percent), the impressions it waits for, and the action it
suggests: regenerate from a phase with a direction template, or rewrite one post's variants.
"""
import string

from sqlalchemy import func, select

from ... import ids
from ...extensions import db
from ...models import Campaign, Phase, Post, Trigger
from ...models.results import ACTIONS, COMPARISONS, METRIC_NAMES
from ..errors import Conflict, Invalid
from .totals import METRIC_LABELS, RATES, threshold_text

TEMPLATE_MAX = 500
THRESHOLD_MAX = 1_000_000_000
MIN_IMPRESSIONS_MAX = 2_000_000_000
PLACEHOLDERS = ("scope", "metric", "value", "threshold", "impressions", "clicks", "conversions", "spend",
                "first_day", "last_day", "from_phase")
COMPARISON_WORDS = {"<": "below", ">": "above"}
NO_STRATEGY = "This campaign has no strategy yet; plan one first, then set triggers on its phases and posts."


def phase_count(campaign: Campaign) -> int:
    if not campaign.current_version:
        return 0
    return db.session.scalar(select(func.count()).select_from(Phase).where(
        Phase.campaign_id == campaign.id, Phase.version == campaign.current_version)) or 0


def whole_id(value) -> int | None:
    """Read an id given as a number or as digits; None when it cannot name a row."""
    return ids.whole(value.strip() if isinstance(value, str) else value, low=1)


def _whole(value, field: str, label: str, errors: dict, *, minimum: int = 0, maximum: int,
           out_of_range: str | None = None) -> int | None:
    if isinstance(value, bool):
        errors[field] = f"{label} must be a whole number."
        return None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            return None
        if not (text.isascii() and text.lstrip("-").isdigit()):
            errors[field] = f"{label} must be a whole number."
            return None
        # Python will not read an integer of thousands of digits; one of more than 20 is out of range anyway.
        value = int(text) if len(text.lstrip("-").lstrip("0")) <= 20 else maximum + 1
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None:
        return None
    if not isinstance(value, int):
        errors[field] = f"{label} must be a whole number."
        return None
    if not minimum <= value <= maximum:
        errors[field] = out_of_range or f"{label} must be between {minimum:,} and {maximum:,}."
        return None
    return value


def _threshold(value, metric: str | None, errors: dict) -> float | None:
    problem = "Give the threshold as a number, 0 or more, like 1 (for 1%) or 40."
    if value is None or (isinstance(value, str) and not value.strip()):
        errors["threshold"] = "Give the threshold the metric is compared with."
        return None
    if isinstance(value, bool):
        errors["threshold"] = problem
        return None
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            errors["threshold"] = problem
            return None
    if not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        errors["threshold"] = problem
        return None
    value = float(value)
    if value < 0:
        errors["threshold"] = "The threshold cannot be negative."
    elif metric in RATES and value > 100:
        errors["threshold"] = "A rate's threshold is a percentage, at most 100."
    elif value > THRESHOLD_MAX:
        errors["threshold"] = f"The threshold is at most {THRESHOLD_MAX:,}."
    else:
        return value
    return None


def check_template(text) -> str:
    """Return the direction template, or raise Invalid when its placeholders are not ours."""
    if not isinstance(text, str):
        raise Invalid({"direction": "The direction must be text."})
    text = text.strip()
    if len(text) > TEMPLATE_MAX:
        raise Invalid({"direction": f"The direction has at most {TEMPLATE_MAX:,} characters (this has {len(text):,})."})
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise Invalid({"direction": f"A brace is not closed. Placeholders are {known}; write {{{{ or }}}} "
                                    "for a brace itself."}) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = name if len(name) <= 30 else name[:29] + "…"
            raise Invalid({"direction": f"{{{shown}}} is not a placeholder gtm knows. Use {known}."})
    return text


def _scope_post(campaign: Campaign, raw, errors: dict) -> Post | None:
    if raw in (None, ""):
        return None
    post_id = whole_id(raw)
    post = db.session.get(Post, post_id) if post_id is not None else None
    if post is None or post.campaign_id != campaign.id:
        errors["scope_post_id"] = "This campaign has no such post."
        return None
    if not post.is_active:
        errors["scope_post_id"] = "That post belongs to an archived version; choose a post of the current strategy."
        return None
    return post


def validate(campaign: Campaign, values: dict) -> dict:
    """Check a trigger's fields against the campaign's current strategy; return the clean values."""
    errors: dict[str, str] = {}
    if not campaign.current_version:
        raise Conflict(NO_STRATEGY)
    metric = values.get("metric")
    if metric not in METRIC_NAMES:
        errors["metric"] = f"Choose a metric: {', '.join(METRIC_LABELS[name] for name in METRIC_NAMES)} " \
                           f"({', '.join(METRIC_NAMES)})."
        metric = None
    comparison = values.get("comparison")
    if comparison not in COMPARISONS:
        errors["comparison"] = "Choose < (below) or > (above)."
    threshold = _threshold(values.get("threshold"), metric, errors)
    min_impressions = _whole(values.get("min_impressions"), "min_impressions", "The minimum impressions", errors,
                             maximum=MIN_IMPRESSIONS_MAX)
    phases = phase_count(campaign)
    scope_phase = _whole(values.get("scope_phase"), "scope_phase", "The phase", errors, minimum=1, maximum=phases,
                         out_of_range=f"The phase must be one of the strategy's phases, 1 to {phases}.")
    raw_post = values.get("scope_post_id")
    scope_post = _scope_post(campaign, raw_post, errors)
    if scope_phase is not None and raw_post not in (None, ""):
        errors["scope_post_id"] = "Choose a phase or one post as the scope, not both."
    action = values.get("action")
    from_phase = None
    if action not in ACTIONS:
        errors["action"] = "Choose an action: regenerate (from a phase) or rewrite (one post's variants)."
    elif action == "regenerate":
        from_phase = _whole(values.get("from_phase"), "from_phase", "The phase to regenerate from", errors,
                            minimum=1, maximum=phases,
                            out_of_range=f"Regenerate from one of the strategy's phases, 1 to {phases}.")
        if from_phase is None and "from_phase" not in errors:
            from_phase = scope_phase or (scope_post.phase if scope_post else None)
            if from_phase is None and "scope_phase" not in errors and "scope_post_id" not in errors:
                errors["from_phase"] = "Say which phase to regenerate from."
    elif scope_post is None and "scope_post_id" not in errors:
        errors["scope_post_id"] = "A rewrite suggestion is for one post: choose that post as the scope."
    direction = ""
    try:
        direction = check_template(values.get("direction") if values.get("direction") is not None else "")
    except Invalid as error:
        errors.update(error.fields)
    if errors:
        raise Invalid(errors)
    return {"metric": metric, "comparison": comparison, "threshold": threshold,
            "min_impressions": min_impressions or 0, "scope_phase": scope_phase,
            "scope_post_id": scope_post.id if scope_post else None, "action": action, "from_phase": from_phase,
            "direction": direction}


def scope_label(trigger: Trigger, post: Post | None = None) -> str:
    if trigger.scope_post_id:
        post = post or db.session.get(Post, trigger.scope_post_id)
        return f"Post “{post.title}”" if post else "A deleted post"
    if trigger.scope_phase:
        return f"Phase {trigger.scope_phase}"
    return "The campaign"


def describe_trigger(trigger: Trigger, currency: str = "") -> str:
    """The rule in words: “Phase 2: CTR below 1% after 1,000 impressions → suggest regenerating from phase 2”."""
    rule = (f"{scope_label(trigger)}: {METRIC_LABELS[trigger.metric]} {COMPARISON_WORDS[trigger.comparison]} "
            f"{threshold_text(trigger.metric, trigger.threshold, currency)}")
    if trigger.min_impressions:
        rule += f" after {trigger.min_impressions:,} impressions"
    if trigger.action == "regenerate":
        return f"{rule} → suggest regenerating from phase {trigger.from_phase}"
    return f"{rule} → suggest rewriting the post's variants"
