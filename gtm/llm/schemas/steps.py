"""Output schemas of the five analysis steps."""
import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from ._base import Strict

# Text that opens with one of these marks is a placeholder to check, not a fact. The offline model
# invents its claims about competitors and its cost figures, so it marks them; the pages show such
# text with a "Placeholder" badge, and a marketer removes the mark by editing once it is checked.
PLACEHOLDER_CLAIM = "Placeholder — check: "
PLACEHOLDER_ESTIMATE = "Placeholder estimate — replace with a real quote."
PLACEHOLDER_MARKS = (PLACEHOLDER_CLAIM, PLACEHOLDER_ESTIMATE)


def is_placeholder(text) -> bool:
    """Tell whether text carries a placeholder mark."""
    return isinstance(text, str) and text.startswith(PLACEHOLDER_MARKS)


def without_placeholder(text: str) -> str:
    """Return the text after its placeholder mark, if it has one."""
    for mark in PLACEHOLDER_MARKS:
        if text.startswith(mark):
            return text[len(mark):].strip()
    return text


class Competitor(Strict):
    name: str = Field(min_length=1, max_length=120)
    positioning: str
    strengths: list[str]
    weaknesses: list[str]
    pricing_notes: str
    how_we_differ: str


class CompetitorAnalysis(Strict):
    summary: str
    competitors: list[Competitor] = Field(min_length=1, max_length=10)


class Segment(Strict):
    name: str = Field(min_length=1, max_length=120)
    description: str
    pains: list[str] = Field(min_length=1)
    jobs_to_be_done: list[str] = Field(min_length=1)
    where_to_reach: list[str] = Field(min_length=1,
                                      description="Channels, places and communities where they can be reached")
    objections: list[str]


class CustomerAnalysis(Strict):
    summary: str
    segments: list[Segment] = Field(min_length=1, max_length=8)


class Objective(Strict):
    objective: str = Field(min_length=1, max_length=400, description="The SMART objective in one sentence")
    kpi: str = Field(min_length=1, max_length=120)
    target: str = Field(min_length=1, max_length=120, description="The KPI value to reach, with its unit")
    date: datetime.date = Field(description="When the target must be reached (YYYY-MM-DD)")
    segment: str = Field(max_length=120, description="The customer segment it is about, or empty")
    rationale: str = Field(description="Why it matters and why it is achievable")


class ObjectivesPlan(Strict):
    summary: str
    objectives: list[Objective] = Field(min_length=1, max_length=8)


class Tactic(Strict):
    name: str = Field(min_length=1, max_length=120)
    description: str
    serves: str = Field(min_length=1, max_length=400, description="The objective this tactic serves")


class ChannelPlan(Strict):
    channel: str = Field(min_length=1, max_length=80)
    cadence: str = Field(min_length=1, max_length=200, description="How often, e.g. 'two posts a week'")
    tactics: list[Tactic] = Field(min_length=1, max_length=8)


class LoyaltyMechanic(Strict):
    name: str = Field(min_length=1, max_length=120)
    type: Literal["loyalty", "referral"]
    how_it_works: str
    reward: str
    serves: str = Field(min_length=1, max_length=400, description="The objective this mechanic serves")


class MechanicsPlan(Strict):
    summary: str
    channels: list[ChannelPlan] = Field(min_length=1, max_length=10)
    loyalty_and_referral: list[LoyaltyMechanic] = Field(max_length=6)


class Lenient(Strict):
    # Models like to add their own totals. Those are dropped, not refused: the code computes
    # every total, so an extra field is harmless and a repair call for it would be waste.
    model_config = ConfigDict(extra="ignore")


class CostLineItem(Lenient):
    item: str = Field(min_length=1, max_length=200)
    channel: str = Field(max_length=80)
    unit_cost: float = Field(ge=0, le=1e9, description="Cost of one unit, in the campaign's currency")
    quantity: float = Field(ge=0, le=1e6)
    notes: str = Field(max_length=400)


class CostEstimate(Lenient):
    summary: str
    line_items: list[CostLineItem] = Field(min_length=1, max_length=30)
