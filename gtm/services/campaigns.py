"""Campaigns: creation with validated fields, and workspace-scoped lookup."""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from ..extensions import db
from ..models import Campaign
from . import paging
from .errors import Invalid, NotFound

# Channels a post can be written for, with the body length that suits each.
CHANNELS = {
    "linkedin": ("LinkedIn", 1300),
    "x": ("X (Twitter)", 280),
    "instagram": ("Instagram", 600),
    "facebook": ("Facebook", 600),
    "tiktok": ("TikTok", 300),
    "youtube": ("YouTube", 1000),
    "email": ("Email", 1500),
    "blog": ("Blog", 3000),
    "newsletter": ("Newsletter", 1500),
    "reddit": ("Reddit", 1200),
}

LIMITS = {
    "name": 120,
    "product": 2000,
    "audience": 1000,
    "goals": 1000,
    "brief": 4000,
    "competitor": 80,
    "competitors": 10,
}
BUDGET_MAX = Decimal("1000000000")
REQUIRED = ("name", "product", "audience", "goals")
FIELD_NAMES = {"name": "Name", "product": "Product", "audience": "Audience", "goals": "Goals"}


def _text(values: dict, field: str, errors: dict, required: bool) -> str:
    raw = values.get(field)
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors[field] = "Must be text."
        return ""
    value = raw.strip()
    if required and not value:
        errors[field] = f"{FIELD_NAMES.get(field, field.capitalize())} is required."
    elif len(value) > LIMITS[field]:
        errors[field] = f"At most {LIMITS[field]:,} characters (this has {len(value):,})."
    return value


def _string_list(raw, field: str, errors: dict) -> list[str]:
    """Accept a list of strings, or one string separated by commas or new lines."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[,\n]", raw)]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        errors[field] = "Must be a list of text values."
        return []
    return [item.strip() for item in raw if item.strip()]


def validate(values: dict) -> dict:
    """Return clean campaign fields, or raise Invalid with a message per field."""
    errors: dict[str, str] = {}
    clean = {field: _text(values, field, errors, field in REQUIRED) for field in (*REQUIRED, "brief")}

    competitors = _string_list(values.get("competitors"), "competitors", errors)
    if len(competitors) > LIMITS["competitors"]:
        errors["competitors"] = f"At most {LIMITS['competitors']} competitors."
    elif any(len(name) > LIMITS["competitor"] for name in competitors):
        errors["competitors"] = f"Each competitor name has at most {LIMITS['competitor']} characters."
    clean["competitors"] = list(dict.fromkeys(competitors))

    channels = [c.lower() for c in _string_list(values.get("channels"), "channels", errors)]
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        errors["channels"] = f"Unknown channel {', '.join(unknown)}; choose from {', '.join(CHANNELS)}."
    elif "channels" not in errors and not channels:
        channels = ["linkedin", "email"]
    clean["channels"] = list(dict.fromkeys(channels))

    clean["budget"] = None
    raw_budget = values.get("budget")
    if raw_budget not in (None, ""):
        try:
            if isinstance(raw_budget, bool):
                raise InvalidOperation
            budget = Decimal(str(raw_budget).replace(",", "").strip())
            if not budget.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["budget"] = "Enter the budget as a number, like 5000 or 5000.50."
        else:
            if budget < 0:
                errors["budget"] = "The budget cannot be negative."
            elif budget > BUDGET_MAX:
                errors["budget"] = "The budget can be at most 1,000,000,000."
            else:
                clean["budget"] = budget.quantize(Decimal("0.01"))

    currency = values.get("currency") or "USD"
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency.strip()):
        errors["currency"] = "Use a three-letter currency code, like USD or EUR."
    else:
        clean["currency"] = currency.strip().upper()

    clean["launch_date"] = _launch_date(values.get("launch_date"), errors)

    if errors:
        raise Invalid(errors)
    return clean


LAUNCH_YEARS = (2000, 2100)


def _launch_date(raw, errors: dict) -> date | None:
    """Read the optional launch date, written as YYYY-MM-DD (a date object from Python callers is taken too)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        value = raw
    else:
        text = raw.strip() if isinstance(raw, str) else None
        try:
            if text is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            value = date.fromisoformat(text)
        except ValueError:
            errors["launch_date"] = "Enter the launch date as YYYY-MM-DD, like 2026-05-01."
            return None
    if not LAUNCH_YEARS[0] <= value.year <= LAUNCH_YEARS[1]:
        errors["launch_date"] = f"The launch date must fall between {LAUNCH_YEARS[0]} and {LAUNCH_YEARS[1]}."
        return None
    return value


def create_campaign(workspace_id: int, values: dict) -> Campaign:
    """Validate the fields and create a campaign in the workspace."""
    campaign = Campaign(workspace_id=workspace_id, **validate(values))
    db.session.add(campaign)
    db.session.commit()
    return campaign


def get_campaign(workspace_id: int, campaign_id: int) -> Campaign:
    """Return the workspace's campaign; another workspace's id is simply not found."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.workspace_id != workspace_id:
        raise NotFound("No such campaign.")
    return campaign


# The campaigns page shows this many at a time, newest first; the API takes `limit`.
CAMPAIGNS_SHOWN = 20


def list_campaigns(workspace_id: int, before=None, limit=None) -> paging.Page[Campaign]:
    """Return a page of the workspace's campaigns, newest first: those created before the cursor `before`
    (as given, checked here); `limit` is the page's size, paging.LIMIT_DEFAULT when None."""
    before, size = paging.cursor(before), paging.limit(limit)
    rows = db.session.scalars(paging.keyset(select(Campaign).where(Campaign.workspace_id == workspace_id),
                                            Campaign.id, before, size)).all()
    return paging.page_of(rows, size, before, lambda campaign: campaign.id)


def as_facts(campaign: Campaign) -> dict:
    """Return the campaign's fields as plain values for prompts."""
    return {
        "name": campaign.name,
        "product": campaign.product,
        "audience": campaign.audience,
        "goals": campaign.goals,
        "competitors": list(campaign.competitors or []),
        "channels": list(campaign.channels or []),
        "budget": str(campaign.budget) if campaign.budget is not None else "",
        "currency": campaign.currency,
        "brief": campaign.brief or "",
    }
