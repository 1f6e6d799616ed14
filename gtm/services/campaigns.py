"""Campaigns: their editable fields, creation with validated fields, and workspace-scoped lookup."""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from sqlalchemy import select

from .. import ids
from ..extensions import db
from ..models import Campaign
from . import activity, paging
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


@dataclass(frozen=True)
class Limit:
    """What validate() holds a field to: at most `most` characters of text, items of a list (of at most `each`
    characters each) or units of an amount; `required` text must not be blank."""

    most: int | Decimal
    each: int | None = None
    required: bool = False


class CampaignFields(BaseModel):
    """A campaign's editable fields as a campaign holds them: the one statement of their names, types and limits.

    validate() enforces the limits, with messages for people, for every way in (the form, the API, an import);
    pydantic only carries them, so a model built on these fields never judges a value itself. The export writes
    these fields as they are, and the API's campaign, its new-campaign body and the export's description build
    on them.
    """

    model_config = ConfigDict(from_attributes=True)

    name: Annotated[str, Limit(120, required=True)]
    product: Annotated[str, Limit(2000, required=True)]
    audience: Annotated[str, Limit(1000, required=True)]
    goals: Annotated[str, Limit(1000, required=True)]
    competitors: Annotated[list[str], Limit(10, each=80)]
    channels: list[str]  # each one of CHANNELS; LinkedIn and email when none are given
    budget: Annotated[Decimal | None, Limit(Decimal("1000000000")),
                      WithJsonSchema({"type": ["string", "null"], "description": "A decimal number as text"})]
    currency: str  # three letters, USD when none is given
    brief: Annotated[str, Limit(4000)]
    launch_date: date | None = Field(description="The day the launch starts (day 0 of the posts), YYYY-MM-DD")


def limit(field: str) -> Limit:
    """Return the limit CampaignFields states for `field`."""
    return next(rule for rule in CampaignFields.model_fields[field].metadata if isinstance(rule, Limit))


# The text fields and their lengths (and a competitor's), as the form's maxlength shows them.
TEXTS = tuple(name for name, field in CampaignFields.model_fields.items()
              if field.annotation is str and any(isinstance(rule, Limit) for rule in field.metadata))
LIMITS = {**{name: limit(name).most for name in TEXTS},
          "competitor": limit("competitors").each, "competitors": limit("competitors").most}
BUDGET_MAX = limit("budget").most
REQUIRED = tuple(name for name in TEXTS if limit(name).required)


def _text(values: dict, field: str, errors: dict, required: bool) -> str:
    raw = values.get(field)
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        errors[field] = "Must be text."
        return ""
    value = raw.strip()
    if required and not value:
        errors[field] = f"{field.capitalize()} is required."
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
    clean = {field: _text(values, field, errors, field in REQUIRED) for field in TEXTS}

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
                errors["budget"] = f"The budget can be at most {BUDGET_MAX:,}."
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
    db.session.flush()
    activity.record(workspace_id, "campaign_created", f"Created the campaign “{campaign.name}”", campaign_id=campaign.id,
                    subject=campaign, link=activity.campaign_path(campaign.id))
    db.session.commit()
    return campaign


def get_campaign(workspace_id: int, campaign_id: int) -> Campaign:
    """Return the workspace's campaign; another workspace's id is simply not found."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.workspace_id != workspace_id:
        raise NotFound("No such campaign.")
    return campaign


def campaign_row(model, workspace_id: int, campaign_id: int, row_id, missing: str):
    """Return the `model` row `row_id` (a number or its digits) of the workspace's campaign; any other id, or
    another campaign's row, is NotFound(`missing`)."""
    get_campaign(workspace_id, campaign_id)
    found = ids.whole(row_id.strip() if isinstance(row_id, str) else row_id, low=1)
    row = db.session.get(model, found) if found is not None else None
    if row is None or row.campaign_id != campaign_id:
        raise NotFound(missing)
    return row


def free_name(workspace_id: int, name: str, mark: str = "imported") -> str:
    """Return `name`, or `name (imported)` (then `(imported 2)`, ...) while another of the workspace's campaigns,
    archived or not, has it; cut to fit the name's limit."""
    taken = set(db.session.scalars(select(Campaign.name).where(Campaign.workspace_id == workspace_id)))
    found, n = name, 1
    while found in taken:
        suffix = f" ({mark})" if n == 1 else f" ({mark} {n})"
        found, n = name[:LIMITS["name"] - len(suffix)].rstrip() + suffix, n + 1
    return found


# The campaigns page shows this many at a time, newest first; the API takes `limit`.
CAMPAIGNS_SHOWN = 20


def list_campaigns(workspace_id: int, before=None, limit=None, archived: bool = False) -> paging.Page[Campaign]:
    """Return a page of the workspace's campaigns in use (the archived ones when `archived`), newest first:
    those created before the cursor `before` (as given, checked here); `limit` is the page's size,
    paging.LIMIT_DEFAULT when None."""
    before, size = paging.cursor(before), paging.limit(limit)
    shown = Campaign.archived_at.is_not(None) if archived else Campaign.archived_at.is_(None)
    rows = db.session.scalars(paging.keyset(select(Campaign).where(Campaign.workspace_id == workspace_id, shown),
                                            Campaign.id, before, size)).all()
    return paging.page_of(rows, size, before, lambda campaign: campaign.id)


def as_facts(campaign: Campaign) -> dict:
    """Return the campaign's fields as plain values for prompts (the launch date is the calendar's, not theirs)."""
    facts = CampaignFields.model_validate(campaign).model_dump(mode="json", exclude={"launch_date"})
    return {**facts, "budget": facts["budget"] or ""}
