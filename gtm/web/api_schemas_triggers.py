"""The JSON API's triggers and alerts: a trigger's rule in, triggers and fired alerts out."""
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models.results import ACTIONS, COMPARISONS, METRIC_NAMES
from ..services.results import PLACEHOLDERS, TEMPLATE_MAX
from .api_fields import Body, documented_as, next_field

RATE_NOTE = "Rates (ctr, conversion_rate) in percent: 1 means 1%; cost_per_conversion in the campaign's currency"


class TriggerInput(Body):
    """A trigger: a rule over the campaign's metrics and the change it suggests when the rule is broken."""

    model_config = ConfigDict(strict=True, extra="ignore",
                              json_schema_extra={"required": ["metric", "comparison", "threshold", "action"]})

    metric: documented_as({"type": "string", "enum": list(METRIC_NAMES)}) = None
    comparison: documented_as({"type": "string", "enum": list(COMPARISONS),
                               "description": "`<` fires below the threshold, `>` above it"}) = None
    threshold: documented_as({"type": "number", "minimum": 0, "description": RATE_NOTE}) = None
    min_impressions: documented_as({"type": "integer", "minimum": 0, "default": 0,
                                    "description": "The scope's impressions needed before the rule is judged"}) = None
    scope_phase: documented_as({"type": ["integer", "null"], "minimum": 1,
                                "description": "Watch one phase of the current version (or leave out for the "
                                               "whole campaign)"}) = None
    scope_post_id: documented_as({"type": ["string", "null"],
                                  "description": "Watch one post of the current version; not with `scope_phase`"}) = None
    action: documented_as({"type": "string", "enum": list(ACTIONS),
                           "description": "`regenerate` suggests regenerating from `from_phase`; `rewrite` suggests "
                                          "rewriting the scope post's variants (needs `scope_post_id`)"}) = None
    from_phase: documented_as({"type": ["integer", "null"], "minimum": 1,
                               "description": "For `regenerate`: the phase to regenerate from; the scope's phase "
                                              "by default"}) = None
    direction: documented_as({"type": "string", "maxLength": TEMPLATE_MAX,
                              "description": "The direction (or feedback) to suggest, after the evidence sentence; "
                                             "placeholders: " + ", ".join("{" + name + "}" for name in PLACEHOLDERS)}
                             ) = None


class Trigger(BaseModel):
    """A trigger and its rule in words."""

    id: str
    metric: Literal[METRIC_NAMES]
    comparison: Literal[COMPARISONS]
    threshold: float = Field(description=RATE_NOTE)
    min_impressions: int
    scope_phase: int | None
    scope_post_id: str | None
    action: Literal[ACTIONS]
    from_phase: int | None
    direction: str = Field(description="The direction template; empty for the default")
    rule: str = Field(description="The rule in words, e.g. “Phase 2: CTR below 1% after 1,000 impressions → "
                                  "suggest regenerating from phase 2”")
    paused: bool
    created_at: datetime


class TriggerStanding(Trigger):
    """A trigger, with where it stands now."""

    standing: Literal["broken", "holding", "waiting", "paused"]
    status: str = Field(description="Where it stands, in words: “Holding: CTR is 1.4% over 3,400 impressions.”")


class TriggerList(BaseModel):
    """The campaign's triggers, oldest first."""

    triggers: list[TriggerStanding]


class MetricTotals(BaseModel):
    """Sums of metric rows and the rates read off them."""

    impressions: int
    clicks: int
    conversions: int
    spend: str = Field(description="A decimal amount in the campaign's currency")
    ctr: float | None = Field(description="Clicks per impression, in percent")
    conversion_rate: float | None = Field(description="Conversions per click, in percent")
    cost_per_conversion: str | None


class EvidencePost(MetricTotals):
    """A post of the scope, with its numbers; those that pull the value the wrong way come first."""

    id: str
    key: str
    title: str
    phase: int
    value: float | None
    value_text: str


class EvidenceDay(BaseModel):
    day: str = Field(json_schema_extra={"format": "date"})
    value: float | None
    impressions: int


class EvidenceScope(BaseModel):
    kind: Literal["campaign", "phase", "post"]
    phase: int | None
    post_id: str | None
    label: str


class Evidence(BaseModel):
    """What the trigger judged when it fired."""

    sentence: str = Field(description="“Phase 2 CTR is 0.6% (threshold 1%) over 3,400 impressions, …”")
    rule: str
    metric: Literal[METRIC_NAMES]
    metric_label: str
    comparison: Literal[COMPARISONS]
    threshold: float
    threshold_text: str
    min_impressions: int
    value: float
    value_text: str
    scope: EvidenceScope
    totals: MetricTotals
    first_day: str | None = Field(json_schema_extra={"format": "date"})
    last_day: str | None = Field(json_schema_extra={"format": "date"})
    posts: list[EvidencePost] = Field(description="At most 30")
    posts_more: int
    daily: list[EvidenceDay] = Field(description="The value per day, oldest first (at most the last 60 days)")
    version: int = Field(description="The strategy version judged")


class SuggestedAction(BaseModel):
    """The change the alert suggests: a regeneration (`from_phase`, `direction`) or a rewrite (`post_id`, `feedback`)."""

    kind: Literal[ACTIONS]
    from_phase: int | None = None
    direction: str | None = Field(None, description="For a regeneration: pass it as `new_direction`, with the "
                                                    "alert's id as `alert_id`, to /api/agents/regenerate-strategy/")
    post_id: str | None = None
    feedback: str | None = None


class Alert(BaseModel):
    """A fired trigger: its evidence and the change it suggests."""

    id: str
    trigger_id: str | None = Field(description="Null once the trigger is deleted")
    evidence: Evidence
    action: SuggestedAction
    created_at: datetime
    dismissed_at: datetime | None = Field(description="When it was dismissed or acted on; null while open")
    run_id: str | None = Field(description="The run started from its suggestion")


class AlertList(BaseModel):
    """A page of the campaign's alerts, newest first."""

    alerts: list[Alert]
    next: str | None = next_field("older alerts")
