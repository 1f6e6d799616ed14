"""What a step version's content becomes: computed cost totals, prompt summaries, readable lines and diffs,
and the check of content edited by hand, with a message per refused field.

Nothing here touches the database. The web layer builds the edit form from the step's schema
(gtm/web/workflow/fields.py); the labels of the step's fields are stated here, for it and for the diffs.
"""
import difflib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pydantic import BaseModel, ValidationError

CENT = Decimal("0.01")
EDIT_TEXT_MAX = 4000

FIELD_LABELS = {
    "kpi": "KPI", "how_we_differ": "How we differ", "jobs_to_be_done": "Jobs to be done",
    "where_to_reach": "Where to reach them", "loyalty_and_referral": "Loyalty and referral",
    "unit_cost": "Unit cost", "pricing_notes": "Pricing notes", "how_it_works": "How it works",
    "serves": "Objective it serves", "line_items": "Line items",
}
ITEM_LABELS = {
    "competitors": "Competitor", "segments": "Segment", "objectives": "Objective", "channels": "Channel",
    "tactics": "Tactic", "loyalty_and_referral": "Loyalty or referral mechanic", "line_items": "Line item",
}


def label(name: str) -> str:
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


# ---------------------------------------------------------------- costs

def decimal(value) -> Decimal:
    """Read a number the model or a person wrote, exactly (via its text, never float arithmetic)."""
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a number: {value!r}")
    return number


def plain(number: Decimal) -> str:
    """Write a Decimal without exponent or trailing zeros: 38, 0.004, 12.5."""
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def cost_totals(content: dict, budget, currency: str) -> dict:
    """Return cost content with line totals, running totals, the grand total and budget flags.

    Every total is computed here from unit cost × quantity; whatever totals the model sent
    were dropped by the schema and are never read.
    """
    cap = decimal(budget).quantize(CENT) if budget not in (None, "") else None
    items, running = [], Decimal(0)
    for raw in content.get("line_items", []):
        unit, quantity = decimal(raw["unit_cost"]), decimal(raw["quantity"])
        total = (unit * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
        running += total
        items.append({
            "item": raw["item"], "channel": raw.get("channel", ""), "unit_cost": plain(unit),
            "quantity": plain(quantity), "notes": raw.get("notes", ""),
            "total": str(total), "running_total": str(running),
            # The item that crosses the cap, and every one after it, does not fit the budget.
            "over_budget": cap is not None and running > cap,
        })
    over = cap is not None and running > cap
    return {
        "summary": content.get("summary", ""),
        "line_items": items,
        "currency": currency,
        "budget": str(cap) if cap is not None else None,
        "grand_total": str(running.quantize(CENT)),
        "over_budget": over,
        "over_by": str((running - cap).quantize(CENT)) if over else None,
        "remaining": str((cap - running).quantize(CENT)) if cap is not None and not over else None,
    }


# ---------------------------------------------------------------- prompt summaries

def compact(content: dict | None, limit: int) -> str:
    """Flatten a step's content to short text lines, cut to `limit` characters, for another call's prompt."""
    if not content:
        return ""
    lines: list[str] = []

    def walk(value, prefix=""):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{prefix}{key}: " if not isinstance(item, (dict, list)) else f"{prefix}{key}. ")
        elif isinstance(value, list):
            if all(not isinstance(item, (dict, list)) for item in value):
                lines.append(prefix + "; ".join(str(item) for item in value))
            else:
                for item in value:
                    walk(item, prefix)
        else:
            lines.append(f"{prefix}{value}")

    walk(content)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


# ---------------------------------------------------------------- readable lines and diffs

def readable_lines(content: dict | None) -> list[str]:
    """Flatten content to labelled lines, one list entry per line, so a diff shows what changed.

    Lines inside a group start with the group's name ("Floranext › Strengths: • …"), so equal
    entries of different groups stay distinct and the diff lines them up with the right group.
    """
    lines: list[str] = []

    def walk(value, key: str, indent: str, owner: str):
        prefix = f"{owner} › " if owner else ""
        if isinstance(value, dict):
            for sub_key, item in value.items():
                walk(item, sub_key, indent, owner)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    name_key = next((k for k, v in item.items() if isinstance(v, str) and v), None)
                    heading = item.get(name_key, "") if name_key else ""
                    lines.append(f"{indent}{prefix}{ITEM_LABELS.get(key, label(key))}: {heading}")
                    for sub_key, sub in item.items():
                        if sub_key != name_key:
                            walk(sub, sub_key, indent + "  ", heading)
                else:
                    lines.append(f"{indent}{prefix}{label(key)}: • {item}")
        elif value not in (None, ""):
            if isinstance(value, bool):
                value = "yes" if value else "no"
            lines.append(f"{indent}{prefix}{label(key)}: {value}")

    walk(content or {}, "", "", "")
    return lines


@dataclass
class DiffLine:
    op: str  # "same", "added" or "removed"
    text: str


def diff_lines(old: dict | None, new: dict | None) -> list[DiffLine]:
    """Compare two contents line by line."""
    a, b = readable_lines(old), readable_lines(new)
    rows: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffLine("same", line) for line in a[i1:i2]]
        else:
            rows += [DiffLine("removed", line) for line in a[i1:i2]]
            rows += [DiffLine("added", line) for line in b[j1:j2]]
    return rows


# ---------------------------------------------------------------- checking an edit

FRIENDLY = {
    "float_parsing": "Enter a number, like 12.50.",
    "float_type": "Enter a number, like 12.50.",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD.",
    "date_parsing": "Enter a date as YYYY-MM-DD.",
    "date_type": "Enter a date as YYYY-MM-DD.",
    "missing": "This is required.",
    "greater_than_equal": "Must be 0 or more.",
    "extra_forbidden": "This field is not part of the step.",
}


def validate(schema: type[BaseModel], data: dict, names: dict | None = None) -> tuple[BaseModel | None, dict]:
    """Validate content against the schema; return (value, errors by field name).

    With `names` (where each group of a posted form was posted) the error keys are the form's control names;
    without, they are dotted paths into the content, like `segments.0.name`.
    """
    errors: dict[str, str] = {}
    _check_lengths(data, (), errors, names)
    try:
        value = schema.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            errors.setdefault(_field_name(err["loc"], names) or "content", _message(err))
        return None, errors
    return (None, errors) if errors else (value, {})


def too_long(content: dict) -> list[str]:
    """Name each text of the model's content that a hand edit could not save, as sentences for a repair request.

    The model is held to the hand edit's limit, so every version it writes can be edited and saved as it is."""
    errors: dict[str, str] = {}
    _check_lengths(content, (), errors, None)
    return [f"{name}: {message[0].lower()}{message[1:]}" for name, message in errors.items()]


def _check_lengths(value, path: tuple, errors: dict, names: dict | None) -> None:
    """Refuse any one text longer than EDIT_TEXT_MAX (the schema leaves most free-text fields open)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_lengths(item, (*path, key), errors, names)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_lengths(item, (*path, index), errors, names)
    elif isinstance(value, str) and len(value) > EDIT_TEXT_MAX:
        errors[_field_name(path, names)] = f"At most {EDIT_TEXT_MAX:,} characters (this has {len(value):,})."


def _field_name(loc, names: dict | None) -> str:
    """Name the field an error location points at."""
    loc = tuple(loc)
    if names is None:
        return ".".join(str(part) for part in loc)
    # A form: groups are renamed to where they were posted; a list of lines is one textarea.
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in names:
            return ".".join([names[loc[:cut]], *(str(p) for p in loc[cut:] if not isinstance(p, int))])
    return ".".join(str(part) for part in loc if not isinstance(part, int))


def _message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "This is required."
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return f"Add at least {need} item{'s' if need != 1 else ''}."
    if kind == "too_long":
        return f"At most {ctx.get('max_length')} items."
    if kind == "string_too_long":
        return f"At most {ctx.get('max_length'):,} characters."
    if kind == "literal_error":
        return f"Choose one of: {ctx.get('expected', '')}."
    return FRIENDLY.get(kind) or err["msg"]
