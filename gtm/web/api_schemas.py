"""The JSON API's bodies and answers as pydantic models, the source of /api/openapi.json.

A body model checks the body's shape: which fields it has and their JSON types. The values
(lengths, channels, budgets, blank text) stay the services' rules, checked where the HTML forms
are checked too, so a limit shown in the schema is described here but enforced there. Unknown
fields are ignored, as they always were.

The answer models describe what `api_json` builds; the tests check every answer against them.
"""
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, RootModel, WithJsonSchema

from ..models import STEP_KINDS, RunStatus
from ..services.campaigns import BUDGET_MAX, CHANNELS, LIMITS
from ..services.steps import STEP_FEEDBACK_MAX
from ..services.strategy import DIRECTION_MAX
from .api_fields import (  # noqa: F401
    Body, Error, PageQuery, Progress, Tokens, VersionNumber, field_errors, next_field, says, text_list,
)
from .api_schemas_exports import CampaignExport, ExportQuery  # noqa: F401
from .api_schemas_strategy import (  # noqa: F401
    Approved, ChatHistory, ChatInput, ChatMessage, ChatPosted, Edge, Nodes, Phase, Post, PreviewQuery,
    RegenerateAccepted, RegeneratePreview, RegenerateStrategy, Restored, StrategyVersion, StrategyVersions,
)
from .api_schemas_results import CampaignResults, MetricsInput, Recorded  # noqa: F401
from .api_schemas_triggers import (  # noqa: F401
    Alert, AlertList, Evidence, SuggestedAction, Trigger, TriggerInput, TriggerList, TriggerStanding,
)
from .api_schemas_versions import (  # noqa: F401
    CompareQuery, Comparison, EdgeChanges, PhaseChanges, PostChanges, PostPair, VersionNodes,
)

class CampaignInput(Body):
    """A new campaign's fields."""

    name: str = Field(json_schema_extra={"maxLength": LIMITS["name"]})
    product: str = Field(json_schema_extra={"maxLength": LIMITS["product"]})
    audience: str = Field(json_schema_extra={"maxLength": LIMITS["audience"]})
    goals: str = Field(json_schema_extra={"maxLength": LIMITS["goals"]})
    competitors: text_list({"maxItems": LIMITS["competitors"],
                             "items": {"type": "string", "maxLength": LIMITS["competitor"]},
                             "description": "Competitor names; one text with commas or new lines is read too"}) = None
    channels: text_list({"items": {"type": "string", "enum": list(CHANNELS)},
                          "description": "Where posts go; LinkedIn and email when none are given"}) = None
    budget: Annotated[float | str | None, says("Must be a number."), WithJsonSchema({
        "type": "number", "minimum": 0, "maximum": float(BUDGET_MAX),
        "description": "In `currency`; a number written as text is read too"})] = None
    currency: str | None = Field(None, json_schema_extra={"pattern": "^[A-Za-z]{3}$", "default": "USD"})
    brief: str | None = Field(None, json_schema_extra={"maxLength": LIMITS["brief"]})
    launch_date: str | None = Field(None, description="The day the launch starts (day 0 of the posts), YYYY-MM-DD",
                                    json_schema_extra={"format": "date"})


class GenerateStep(Body):
    """Generate a step from its inputs, or revise its current version with feedback."""

    feedback: str | None = Field(None, description="Revise the current version with this feedback",
                                 json_schema_extra={"minLength": 1, "maxLength": STEP_FEEDBACK_MAX})
    inputs: dict[str, str | None] | None = Field(None, description="The step form's inputs; the last ones by default")


class EditStep(Body):
    """Hand-edited content for a new version of a step."""

    content: dict[str, Any] = Field(description="The step's structured content, in the shape of its versions' "
                                    "`content` (cost totals are computed again and may be left out)")
    based_on: VersionNumber = Field(None, description="The version edited (digits as text are read too); "
                                    "the current one by default")


class PlanStrategy(Body):
    """Plan the strategy, optionally leaning on a direction."""

    direction: str | None = Field(None, description="What the plan should lean on",
                                  json_schema_extra={"maxLength": DIRECTION_MAX})


class DiffQuery(Body):
    """The two versions to compare."""

    a: VersionNumber = Field(description="The older version")
    b: VersionNumber = Field(description="The newer version")


class Run(BaseModel):
    """A background generation and its progress."""

    id: str
    kind: str
    subject: str
    status: RunStatus
    progress: Progress
    message: str
    error: str | None
    tokens: Tokens
    provider: str | None
    model: str | None
    parent_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RunAccepted(BaseModel):
    """The run was queued."""

    run_id: str


class StepStatus(BaseModel):
    current_version: int | None
    stale: bool
    available: bool


class Campaign(BaseModel):
    """A campaign with its steps' status."""

    id: str
    name: str
    product: str
    audience: str
    goals: str
    competitors: list[str]
    channels: list[str]
    budget: float | None
    currency: str
    brief: str
    launch_date: date | None = Field(description="The day the launch starts (day 0 of the posts), YYYY-MM-DD")
    current_version: int | None = Field(description="The current strategy version")
    steps: dict[str, StepStatus]
    created_at: datetime


class CampaignList(BaseModel):
    """A page of the workspace's campaigns, newest first."""

    campaigns: list[Campaign]
    next: str | None = next_field("campaigns")


class StepVersion(BaseModel):
    """One version of a step."""

    number: int
    feedback: str | None
    based_on: int | None
    edited: bool
    current: bool
    provider: str | None
    model: str | None
    tokens: Tokens
    context_versions: dict[str, int] = Field(description="The version of each earlier step it was built on")
    inputs: dict[str, str]
    content: dict[str, Any] = Field(description="The step's structured output. For costs, gtm adds line totals, "
                                    "`grand_total`, `budget`, `over_budget` and `over_by`, as decimal strings it "
                                    "computed itself")
    created_at: datetime


class Step(BaseModel):
    """A step with a page of its versions: the newest ones (or those before `before`), oldest first."""

    kind: Literal[tuple(STEP_KINDS)]
    title: str
    current_version: int | None
    stale: bool
    stale_because: list[str] = Field(description="The earlier steps that changed since the current version")
    available: bool
    blocked: str | None = Field(description="Why it cannot be generated yet")
    run: Run | None = Field(description="The latest run")
    versions: list[StepVersion]
    next: str | None = next_field("older versions")


class DiffLine(BaseModel):
    op: Literal["same", "added", "removed"]
    text: str


class StepDiff(BaseModel):
    """The differences between two versions of a step, as readable lines."""

    a: int
    b: int
    added: int
    removed: int
    lines: list[DiffLine]


class OpenApiDocument(RootModel[dict[str, Any]]):
    """This document, OpenAPI 3.1."""
