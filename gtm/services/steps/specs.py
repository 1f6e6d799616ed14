"""The five step kinds: what each one asks for, what it returns and what it builds on.

What differs between the kinds lives in their StepSpec: the form's inputs, the output schema,
extra prompt values and how validated output becomes saved content. Everything else is one
mechanism shared by all five.
"""
from dataclasses import dataclass
from datetime import date
from typing import Callable

from ...llm import schemas
from ...models import STEP_KINDS
from ..errors import NotFound
from . import content as step_content


@dataclass(frozen=True)
class InputField:
    name: str
    label: str
    help: str = ""
    limit: int = 1000
    multiline: bool = True
    # text, money (a non-negative amount), currency (ISO code) or date (YYYY-MM-DD)
    type: str = "text"


def _costs_vars(inputs: dict, campaign: dict) -> dict:
    return {"currency": inputs.get("currency") or campaign.get("currency") or "USD",
            "budget_cap": inputs.get("budget_cap") or campaign.get("budget") or ""}


def _costs_content(content: dict, inputs: dict, campaign: dict) -> dict:
    """Compute the totals in code: the model's arithmetic is never used."""
    values = _costs_vars(inputs, campaign)
    return step_content.cost_totals(content, values["budget_cap"], values["currency"])


def _objectives_vars(inputs: dict, campaign: dict) -> dict:
    return {"today": date.today().isoformat()}


@dataclass(frozen=True)
class StepSpec:
    kind: str
    title: str
    purpose: str
    schema: type
    inputs: tuple[InputField, ...] = ()
    enabled: bool = True
    # Extra prompt values for this kind, from the step inputs and the campaign facts.
    prompt_vars: Callable[[dict, dict], dict] | None = None
    # Turns validated output (or a hand edit) into the content that is saved.
    finish: Callable[[dict, dict, dict], dict] | None = None

    def finished(self, content: dict, inputs: dict, facts: dict) -> dict:
        """Return the content to save for validated output or a hand edit."""
        return self.finish(content, inputs, facts) if self.finish else content


SPECS: dict[str, StepSpec] = {
    "competitors": StepSpec(
        "competitors", "Competitor analysis",
        "Who else the audience considers, what they do well and badly, and how we differ.",
        schemas.CompetitorAnalysis,
        (InputField("known_competitors", "Known competitors", "Comma-separated; the campaign's list is used when empty.", 800),
         InputField("notes", "Notes", "Anything the analysis should take into account.", 2000)),
    ),
    "customers": StepSpec(
        "customers", "Customer analysis",
        "Segments, their pains and jobs to be done, where to reach them and what they object to.",
        schemas.CustomerAnalysis,
        (InputField("segments", "Segments to consider",
                    "One per line or comma-separated; leave empty to let gtm propose them.", 1000),
         InputField("notes", "Notes", "Anything the analysis should take into account.", 2000)),
    ),
    "objectives": StepSpec(
        "objectives", "Objectives",
        "SMART objectives, each with a KPI, a target and a date.",
        schemas.ObjectivesPlan,
        (InputField("kpi_targets", "KPI targets", "Separate targets with a semicolon or a new line, e.g. "
                                                  "“300 paid sign-ups; 40% weekly active”.", 1000),
         InputField("deadline", "Deadline", "YYYY-MM-DD; every objective is due by then.", 10, False, "date")),
        prompt_vars=_objectives_vars,
    ),
    "mechanics": StepSpec(
        "mechanics", "Mechanics",
        "Tactics per channel, their cadence, loyalty or referral mechanics, and the objective each serves.",
        schemas.MechanicsPlan,
        (InputField("include", "Channels and tactics to include", "Comma-separated, e.g. “Newsletter, webinar”.", 800),
         InputField("exclude", "Channels and tactics to exclude", "Comma-separated, e.g. “TikTok, discounts”.", 800)),
    ),
    "costs": StepSpec(
        "costs", "Cost estimate",
        "Line items with totals computed by gtm, checked against the budget.",
        schemas.CostEstimate,
        (InputField("budget_cap", "Budget cap", "A number; the campaign's budget is used when empty.", 20, False,
                    "money"),
         InputField("currency", "Currency", "Three letters, e.g. EUR; the campaign's currency when empty.", 3, False,
                    "currency")),
        prompt_vars=_costs_vars,
        finish=_costs_content,
    ),
}
assert tuple(SPECS) == STEP_KINDS


def spec_for(kind: str) -> StepSpec:
    spec = SPECS.get(kind)
    if spec is None:
        raise NotFound(f"There is no step called '{kind}'. Steps: {', '.join(STEP_KINDS)}.")
    return spec


def earlier(kind: str) -> tuple[str, ...]:
    """Return the kinds a step builds on: every step before it."""
    return STEP_KINDS[:STEP_KINDS.index(kind)]


def blocked_reason(spec: StepSpec, numbers: dict[str, int]) -> str | None:
    """Say why a step cannot be generated yet, given the current version numbers; None when it can."""
    if not spec.enabled:
        return f"{spec.title} is not available yet in this version of gtm."
    before = earlier(spec.kind)
    if before and before[-1] not in numbers:
        return f"Generate the {SPECS[before[-1]].title.lower()} first: this step builds on it."
    return None


def stale_because(kind: str, context_versions: dict | None, numbers: dict[str, int]) -> list[str]:
    """Name the earlier steps whose current version is not the one a version was built on."""
    used = context_versions or {}
    return [SPECS[k].title for k in earlier(kind) if k in numbers and used.get(k) != numbers[k]]
