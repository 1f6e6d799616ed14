"""The API's triggers and alerts: a trigger's rule in; triggers, where they stand, and fired alerts out."""
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from ...models.results import ACTIONS, COMPARISONS, METRIC_NAMES
from ...services import paging, results
from ...services.results import PLACEHOLDERS, TEMPLATE_MAX, Totals
from .answers import Answer, Attributes, Cursor, IdText, OrEmpty, Timestamp, answer, next_field, stored
from .blueprint import bp, user, workspace
from .fields import Body, PageQuery, passed_on
from .parsing import documented

RATE_NOTE = "Rates (ctr, conversion_rate) in percent: 1 means 1%; cost_per_conversion in the campaign's currency"


class TriggerInput(Body):
    """A trigger: a rule over the campaign's metrics and the change it suggests when the rule is broken."""

    model_config = ConfigDict(strict=True, extra="ignore",
                              json_schema_extra={"required": ["metric", "comparison", "threshold", "action"]})

    metric: Any = passed_on({"type": "string", "enum": list(METRIC_NAMES)})
    comparison: Any = passed_on({"type": "string", "enum": list(COMPARISONS),
                                 "description": "`<` fires below the threshold, `>` above it"})
    threshold: Any = passed_on({"type": "number", "minimum": 0, "description": RATE_NOTE})
    min_impressions: Any = passed_on({"type": "integer", "minimum": 0,
                                      "description": "The scope's impressions needed before the rule is judged"})
    scope_phase: Any = passed_on({"type": ["integer", "null"], "minimum": 1,
                                  "description": "Watch one phase of the current version (or leave out for the "
                                                 "whole campaign)"})
    scope_post_id: Any = passed_on({"type": ["string", "null"],
                                    "description": "Watch one post of the current version; not with `scope_phase`"})
    action: Any = passed_on({"type": "string", "enum": list(ACTIONS),
                             "description": "`regenerate` suggests regenerating from `from_phase`; `rewrite` suggests "
                                            "rewriting the scope post's variants (needs `scope_post_id`)"})
    from_phase: Any = passed_on({"type": ["integer", "null"], "minimum": 1,
                                 "description": "For `regenerate`: the phase to regenerate from; the scope's phase "
                                                "by default"})
    direction: Any = passed_on({"type": "string", "maxLength": TEMPLATE_MAX,
                                "description": "The direction (or feedback) to suggest, after the evidence sentence; "
                                               "placeholders: " + ", ".join("{" + name + "}" for name in PLACEHOLDERS)}
                               )


class Trigger(Answer):
    """A trigger and its rule in words."""

    id: IdText
    metric: Literal[METRIC_NAMES]
    comparison: Literal[COMPARISONS]
    threshold: float = Field(description=RATE_NOTE)
    min_impressions: int
    scope_phase: int | None
    scope_post_id: IdText | None
    action: Literal[ACTIONS]
    from_phase: int | None
    direction: OrEmpty = Field(description="The direction template; empty for the default")
    rule: str = Field(description="The rule in words, e.g. “Phase 2: CTR below 1% after 1,000 impressions → "
                                  "suggest regenerating from phase 2”")
    paused: bool
    created_at: Timestamp

    @classmethod
    def of(cls, trigger, rule: str) -> "Trigger":
        return cls.model_validate(Attributes(trigger, rule=rule))


class TriggerStanding(Trigger):
    """A trigger, with where it stands now."""

    standing: Literal["broken", "holding", "waiting", "paused"]
    status: str = Field(description="Where it stands, in words: “Holding: CTR is 1.4% over 3,400 impressions.”")

    @classmethod
    def judged(cls, judgement: results.Judgement, rule: str) -> "TriggerStanding":
        return cls.model_validate(Attributes(judgement.trigger, rule=rule, standing=judgement.standing,
                                             status=judgement.status))


class TriggerList(Answer):
    """The campaign's triggers, oldest first."""

    triggers: list[TriggerStanding]

    @classmethod
    def of(cls, panel: results.Panel) -> "TriggerList":
        return cls(triggers=[TriggerStanding.judged(judgement, panel.rules[judgement.trigger.id])
                             for judgement in panel.judgements])


class MetricTotals(Answer):
    """Sums of metric rows and the rates read off them."""

    impressions: int
    clicks: int
    conversions: int
    spend: str = Field(description="A decimal amount in the campaign's currency")
    ctr: float | None = Field(description="Clicks per impression, in percent")
    conversion_rate: float | None = Field(description="Conversions per click, in percent")
    cost_per_conversion: str | None

    @model_validator(mode="before")
    @classmethod
    def _totals(cls, totals):
        # Totals say how they are written (alerts keep the same in their evidence).
        return totals.as_dict() if isinstance(totals, Totals) else totals


class EvidencePost(MetricTotals):
    """A post of the scope, with its numbers; those that pull the value the wrong way come first."""

    id: str
    key: str
    title: str
    phase: int
    value: float | None
    value_text: str


class EvidenceDay(Answer):
    day: str = Field(json_schema_extra={"format": "date"})
    value: float | None
    impressions: int


class EvidenceScope(Answer):
    kind: Literal["campaign", "phase", "post"]
    phase: int | None
    post_id: str | None
    label: str


class Evidence(Answer):
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


class SuggestedAction(Answer):
    """The change the alert suggests: a regeneration (`from_phase`, `direction`) or a rewrite (`post_id`, `feedback`)."""

    kind: Literal[ACTIONS]
    from_phase: int | None = None
    direction: str | None = Field(None, description="For a regeneration: pass it as `new_direction`, with the "
                                                    "alert's id as `alert_id`, to /api/agents/regenerate-strategy/")
    post_id: str | None = None
    feedback: str | None = None


class Alert(Answer):
    """A fired trigger: its evidence and the change it suggests."""

    id: IdText
    trigger_id: IdText | None = Field(description="Null once the trigger is deleted")
    # Both are kept as the trigger wrote them when it fired, and answered so.
    evidence: stored(Evidence)
    action: stored(SuggestedAction)
    created_at: Timestamp
    dismissed_at: Timestamp | None = Field(description="When it was dismissed or acted on; null while open")
    run_id: IdText | None = Field(description="The run started from its suggestion")


class AlertList(Answer):
    """A page of the campaign's alerts, newest first."""

    alerts: list[Alert]
    next: Cursor = next_field("older alerts")

    @classmethod
    def of(cls, found: paging.Page) -> "AlertList":
        return cls(alerts=list(found), next=found.next)


@bp.post("/campaigns/<int:campaign_id>/triggers")
@documented({201: Trigger}, body=TriggerInput, errors=(409,))
def create_trigger(campaign_id: int, body: TriggerInput):
    """Create a trigger; it is judged at once against the metrics already recorded, and may fire."""
    trigger = results.create_trigger(workspace(), campaign_id, body.model_dump(), author_id=user().id)
    return answer(Trigger.of(trigger, results.trigger_rule(trigger)), 201)


@bp.get("/campaigns/<int:campaign_id>/triggers")
@documented({200: TriggerList})
def list_triggers(campaign_id: int):
    """List the campaign's triggers, each with where it stands now."""
    return answer(TriggerList.of(results.triggers_and_alerts(workspace(), campaign_id)))


@bp.get("/campaigns/<int:campaign_id>/alerts")
@documented({200: AlertList}, query=PageQuery)
def list_alerts(campaign_id: int, query: PageQuery):
    """List the campaign's alerts (fired triggers), newest first, a page at a time: evidence and suggested action."""
    return answer(AlertList.of(results.alerts(workspace(), campaign_id, query.before, query.limit)))


@bp.post("/campaigns/<int:campaign_id>/alerts/<int:alert_id>/dismiss")
@documented({200: Alert})
def dismiss_alert(campaign_id: int, alert_id: int):
    """Dismiss an alert; it stays among the past alerts, and its trigger may fire again on new evidence."""
    return answer(Alert.model_validate(results.dismiss_alert(workspace(), campaign_id, alert_id)))
