"""The JSON API's results: metric rows in; totals, A/B results, days and versions out."""
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..services.results import COUNT_MAX, ROWS_MAX, VARIANTS
from .api_fields import Body, documented_as, next_field
from .api_schemas_triggers import Alert, MetricTotals


class MetricsInput(Body):
    """Metric rows: one per post, variant and day. All are saved, or none; a row for a post, variant and day
    already recorded replaces its numbers."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra={"required": ["metrics"]})

    metrics: documented_as({
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
                  }}}) = None


class Recorded(BaseModel):
    """How many rows were saved, and the campaign's open alerts after the triggers were checked."""

    recorded: int
    open_alerts: list[Alert]


class ABTest(BaseModel):
    a_rate: float | None = Field(description="Percent")
    b_rate: float | None = Field(description="Percent")
    enough: bool = Field(description="Whether both variants reached the minimum sample")
    confidence: float | None = Field(description="1 - the two-sided p-value of the two-proportion z-test")
    leader: Literal["A", "B"] | None = Field(description="The variant that leads with 95% confidence")
    sentence: str = Field(description="“B leads on CTR, 2.1% vs 1.4%, 96% confidence.”")


class ABResult(BaseModel):
    ctr: ABTest
    conversion_rate: ABTest
    winner: Literal["A", "B"] | None = Field(description="The leader on conversion rate, else on CTR")


class PostResult(BaseModel):
    id: str
    key: str
    title: str
    phase: int
    channel: str
    version: int = Field(description="The strategy version that created the post")
    totals: MetricTotals
    variants: dict[Literal["A", "B"], MetricTotals]
    ab: ABResult


class PhaseResult(BaseModel):
    number: int
    name: str
    totals: MetricTotals
    posts: list[PostResult]


class DayResult(MetricTotals):
    day: str = Field(json_schema_extra={"format": "date"})


class VersionResult(BaseModel):
    number: int
    is_current: bool
    origin: str
    from_phase: int | None
    direction: str
    posts: int
    posts_with_numbers: int
    new_posts: int = Field(description="Posts the version wrote itself")
    totals: MetricTotals
    new_posts_totals: MetricTotals


class CampaignResults(BaseModel):
    """The campaign's results: totals, the current strategy by phase and post with A/B results, archived posts
    with numbers, the daily series and each strategy version's numbers."""

    totals: MetricTotals
    first_day: str | None = Field(json_schema_extra={"format": "date"})
    last_day: str | None = Field(json_schema_extra={"format": "date"})
    phases: list[PhaseResult]
    archived: list[PostResult]
    daily: list[DayResult] = Field(description="Oldest first, at most the last 120 days with numbers")
    versions: list[VersionResult] = Field(description="A page of the strategy versions, newest first: the newest "
                                          "ones, or those before `before`")
    next: str | None = next_field("older versions")
