"""The API's results: metric rows in; totals, A/B results, days and strategy versions out."""
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from ...services import results
from ...services.results import COUNT_MAX, ROWS_MAX, VARIANTS
from .answers import Answer, Attributes, Cursor, Day, IdText, OrEmpty, Rate, answer, next_field
from .blueprint import bp, workspace
from .fields import Body, PageQuery, passed_on
from .parsing import documented
from .triggers import Alert, MetricTotals


class MetricsInput(Body):
    """Metric rows: one per post, variant and day. All are saved, or none; a row for a post, variant and day
    already recorded replaces its numbers."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra={"required": ["metrics"]})

    metrics: Any = passed_on({
        "type": "array", "minItems": 1, "maxItems": ROWS_MAX,
        "items": {"type": "object", "required": ["post_id", "variant", "date", "impressions", "clicks"],
                  "properties": {
                      "post_id": {"type": ["string", "integer"], "description": "A post of this campaign, current "
                                                                             "or archived"},
                      "variant": {"type": "string", "enum": list(VARIANTS)},
                      "date": {"type": "string", "format": "date", "description": "YYYY-MM-DD, not in the future"},
                      "impressions": {"type": "integer", "minimum": 0, "maximum": COUNT_MAX},
                      "clicks": {"type": "integer", "minimum": 0, "maximum": COUNT_MAX,
                                 "description": "At most the impressions"},
                      "conversions": {"type": "integer", "minimum": 0, "maximum": COUNT_MAX, "default": 0,
                                      "description": "At most the clicks"},
                      "spend": {"type": ["string", "number"], "default": "0",
                                "description": "An amount in the campaign's currency, at most 2 decimals"},
                  }}})


class Recorded(Answer):
    """How many rows were saved, and the campaign's open alerts after the triggers were checked."""

    recorded: int
    open_alerts: list[Alert]


class ABTest(Answer):
    a_rate: Rate = Field(description="Percent")
    b_rate: Rate = Field(description="Percent")
    enough: bool = Field(description="Whether both variants reached the minimum sample")
    confidence: Rate = Field(description="1 - the two-sided p-value of the two-proportion z-test")
    leader: Literal["A", "B"] | None = Field(description="The variant that leads with 95% confidence")
    sentence: str = Field(description="“B leads on CTR, 2.1% vs 1.4%, 96% confidence.”")


class ABResult(Answer):
    ctr: ABTest
    conversion_rate: ABTest
    winner: Literal["A", "B"] | None = Field(description="The leader on conversion rate, else on CTR")


class PostResult(Answer):
    id: IdText
    key: str
    title: str
    phase: int
    channel: str
    version: int = Field(description="The strategy version that created the post")
    totals: MetricTotals
    variants: dict[Literal["A", "B"], MetricTotals]
    ab: ABResult

    @model_validator(mode="before")
    @classmethod
    def _post(cls, result):
        # A post's numbers, beside the post's own fields.
        return Attributes(result.post, totals=result.totals, variants=result.variants, ab=result.ab)


class PhaseResult(Answer):
    number: int
    name: str
    totals: MetricTotals
    posts: list[PostResult]


class DayResult(MetricTotals):
    day: str = Field(json_schema_extra={"format": "date"})

    @model_validator(mode="before")
    @classmethod
    def _day(cls, found):
        # The services give a day's numbers as the pair (day, totals).
        day, totals = found
        return {**totals.as_dict(), "day": day.isoformat()}


class VersionResult(Answer):
    number: int
    is_current: bool
    origin: str
    from_phase: int | None
    direction: OrEmpty
    posts: int
    posts_with_numbers: int
    new_posts: int = Field(description="Posts the version wrote itself")
    totals: MetricTotals
    new_posts_totals: MetricTotals = Field(validation_alias="new_totals")


class CampaignResults(Answer):
    """The campaign's results: totals, the current strategy by phase and post with A/B results, archived posts
    with numbers, the daily series and each strategy version's numbers."""

    totals: MetricTotals
    first_day: Day = Field(json_schema_extra={"format": "date"})
    last_day: Day = Field(json_schema_extra={"format": "date"})
    phases: list[PhaseResult]
    archived: list[PostResult]
    daily: list[DayResult] = Field(description="Oldest first, at most the last 120 days with numbers")
    versions: list[VersionResult] = Field(description="A page of the strategy versions, newest first: the newest "
                                          "ones, or those before `before`")
    next: Cursor = next_field("older versions")

    @model_validator(mode="before")
    @classmethod
    def _page(cls, found):
        # `versions` is a page: its items here, and its cursor as `next`.
        return Attributes(found, versions=list(found.versions), next=found.versions.next)


@bp.post("/campaigns/<int:campaign_id>/metrics")
@documented({201: Recorded}, body=MetricsInput, errors=(413,))
def record_metrics(campaign_id: int, body: MetricsInput):
    """Record metric rows (one per post, variant and day), all or none; the triggers are checked on them."""
    count = results.record_metrics(workspace(), campaign_id, body.metrics)
    return answer(Recorded(recorded=count, open_alerts=results.open_alerts(workspace(), campaign_id)), 201)


@bp.get("/campaigns/<int:campaign_id>/metrics")
@documented({200: CampaignResults}, query=PageQuery)
def campaign_results(campaign_id: int, query: PageQuery):
    """Return the campaign's results: totals, by phase and post with A/B results, by day, and a page of versions."""
    found = results.campaign_results(workspace(), campaign_id, query.before, query.limit)
    return answer(CampaignResults.model_validate(found))
