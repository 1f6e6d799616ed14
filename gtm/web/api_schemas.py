"""The JSON API's bodies and answers as pydantic models, the source of /api/openapi.json.

A body model checks the body's shape: which fields it has and their JSON types. The values
(lengths, channels, budgets, blank text) stay the services' rules, checked where the HTML forms
are checked too, so a limit shown in the schema is described here but enforced there. Unknown
fields are ignored, as they always were.

The answer models describe what `api_json` builds; the tests check every answer against them.
"""
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator, BaseModel, ConfigDict, Field, RootModel, ValidationError, WithJsonSchema, WrapValidator,
)
from pydantic_core import PydanticCustomError

from ..models import STEP_KINDS, RunStatus
from ..models.strategy import POST_STATUSES
from ..services.campaigns import BUDGET_MAX, CHANNELS, LIMITS
from ..services.chat import MESSAGE_MAX
from ..services.steps import STEP_FEEDBACK_MAX
from ..services.strategy import DIRECTION_MAX
from . import MAX_ID

# What a body field gets when its JSON type is wrong, keyed by pydantic's error type; the same words
# the services use, so an API client reads one voice.
MESSAGES = {
    "missing": "This field is required.",
    "string_type": "Must be text.",
    "dict_type": "Must be an object.",
    "model_type": "Must be an object.",
    "list_type": "Must be a list.",
    "int_type": "Must be a whole number.",
    "float_type": "Must be a number.",
    "bool_type": "Must be true or false.",
}


def field_errors(error: ValidationError) -> dict[str, str]:
    """Map each failing field, as a dotted path into the body, to one readable message."""
    detail: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        path = ".".join(str(part) for part in problem["loc"]) or "body"
        detail.setdefault(path, MESSAGES.get(problem["type"], problem["msg"]))
    return detail


def _says(message: str) -> WrapValidator:
    """Answer one message for a field that takes several JSON types; pydantic would list one per type."""
    def validate(value, handler):
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError("wrong_type", message) from None
    return WrapValidator(validate)


def _version_number(value):
    # Digits read as the number; other text goes on as it is and names no version, so the service says 404.
    if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return value


VersionNumber = Annotated[
    int | str | None, AfterValidator(_version_number), _says("Must be a version number."),
    WithJsonSchema({"type": "integer", "minimum": 1}),
]


def _text_list(schema: dict):
    """A list of text, documented as such; one text goes on too, for the service to split as the form's is."""
    return Annotated[list[str] | str | None, _says("Must be a list of text values."),
                     WithJsonSchema({"type": "array", **schema})]


class Body(BaseModel):
    # Strict: a JSON type is never coerced into another ("5" is not a number, 5 is not text).
    model_config = ConfigDict(strict=True, extra="ignore")


class CampaignInput(Body):
    """A new campaign's fields."""

    name: str = Field(json_schema_extra={"maxLength": LIMITS["name"]})
    product: str = Field(json_schema_extra={"maxLength": LIMITS["product"]})
    audience: str = Field(json_schema_extra={"maxLength": LIMITS["audience"]})
    goals: str = Field(json_schema_extra={"maxLength": LIMITS["goals"]})
    competitors: _text_list({"maxItems": LIMITS["competitors"],
                             "items": {"type": "string", "maxLength": LIMITS["competitor"]},
                             "description": "Competitor names; one text with commas or new lines is read too"}) = None
    channels: _text_list({"items": {"type": "string", "enum": list(CHANNELS)},
                          "description": "Where posts go; LinkedIn and email when none are given"}) = None
    budget: Annotated[float | str | None, _says("Must be a number."), WithJsonSchema({
        "type": "number", "minimum": 0, "maximum": float(BUDGET_MAX),
        "description": "In `currency`; a number written as text is read too"})] = None
    currency: str | None = Field(None, json_schema_extra={"pattern": "^[A-Za-z]{3}$", "default": "USD"})
    brief: str | None = Field(None, json_schema_extra={"maxLength": LIMITS["brief"]})


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


def _documented_as(schema: dict):
    """A field whose value the service judges (so its errors come in the service's order), documented as `schema`."""
    return Annotated[Any, WithJsonSchema(schema)]


class RegenerateStrategy(Body):
    """Regenerate a campaign's strategy from phase N with a new direction."""

    model_config = ConfigDict(strict=True, extra="ignore",
                              json_schema_extra={"required": ["campaign_id", "phase_num", "new_direction"]})

    campaign_id: _documented_as({"type": "string", "description": "The campaign's id"}) = None
    phase_num: _documented_as({"type": "integer", "minimum": 1, "description": "Regenerate from this phase; one "
                               "past the last phase adds phases after it"}) = None
    new_direction: _documented_as({"type": "string", "minLength": 1, "maxLength": DIRECTION_MAX,
                                   "description": "Where the strategy should go from that phase"}) = None


class PreviewQuery(Body):
    """The phase a regeneration would start from."""

    phase_num: _documented_as({"type": "integer", "minimum": 1}) = None


class DiffQuery(Body):
    """The two versions to compare."""

    a: VersionNumber = Field(description="The older version")
    b: VersionNumber = Field(description="The newer version")


class ChatInput(Body):
    """A chat message: a command such as `!regenerate phase 2 <direction>` or `!help`, or any text."""

    message: str = Field(json_schema_extra={"minLength": 1, "maxLength": MESSAGE_MAX})


class Error(BaseModel):
    """An error; `detail` maps field names to messages when fields break a rule."""

    error: str
    detail: str | dict[str, str] | None = None


class Tokens(BaseModel):
    in_: int = Field(alias="in")
    out: int


class Progress(BaseModel):
    done: int
    total: int


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
    current_version: int | None = Field(description="The current strategy version")
    steps: dict[str, StepStatus]
    created_at: datetime


class CampaignList(BaseModel):
    """The workspace's campaigns, newest first."""

    campaigns: list[Campaign]


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
    """A step with all its versions, oldest first."""

    kind: Literal[tuple(STEP_KINDS)]
    title: str
    current_version: int | None
    stale: bool
    stale_because: list[str] = Field(description="The earlier steps that changed since the current version")
    available: bool
    blocked: str | None = Field(description="Why it cannot be generated yet")
    run: Run | None = Field(description="The latest run")
    versions: list[StepVersion]


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


class Post(BaseModel):
    """A post of the strategy graph."""

    id: str
    key: str
    title: str
    channel: Literal[tuple(CHANNELS)]
    brief: str
    day: int = Field(ge=0, description="Days after the launch")
    status: Literal[POST_STATUSES]
    approved: bool
    version: int = Field(description="The strategy version that created it")


class Phase(BaseModel):
    number: int
    name: str
    goal: str
    posts: list[Post]


class Edge(BaseModel):
    from_: str = Field(alias="from", description="Post id")
    to: str = Field(description="Post id")


class Nodes(BaseModel):
    """The active posts by phase, and the edges between them."""

    version: int | None
    phases: list[Phase]
    edges: list[Edge]


class Approved(BaseModel):
    """How many posts are approved now."""

    approved: int = Field(description="Active posts approved now")


class StrategyVersion(BaseModel):
    number: int
    origin: Literal["plan", "regenerate", "restore"]
    direction: str | None
    from_phase: int | None
    based_on: int | None
    posts: int
    is_current: bool
    run_id: str | None
    created_at: datetime


class StrategyVersions(BaseModel):
    """The strategy's versions, newest first."""

    current_version: int | None
    versions: list[StrategyVersion]


class RegenerateAccepted(BaseModel):
    """The regeneration was queued; `version` is the number the new version will have."""

    run_id: str
    version: int


class RegeneratePreview(BaseModel):
    """What a regeneration from `phase_num` would keep, archive and cost; nothing is deleted."""

    phase_num: int
    version: int = Field(description="The number the new version would have")
    kept: list[Post] = Field(description="Posts of the phases before `phase_num`: kept as they are")
    archived: list[Post] = Field(description="Posts of `phase_num` and later: archived, never deleted")
    approved_archived: int = Field(description="How many of the archived posts are approved")
    calls_estimate: int = Field(description="Model calls for text: one plan and one per new post (estimated)")
    images_estimate: int = Field(description="Images for the new posts' variants (estimated)")
    busy: bool = Field(description="True while another strategy change is in flight (a request would get 409)")


class Restored(BaseModel):
    """The new version that made an earlier one's posts current again."""

    version: int
    restored: int = Field(description="The version whose posts are current again")


class ChatPosted(BaseModel):
    """The message as stored, and gtm's reply to it."""

    message: str
    reply: str
    run_id: str | None = Field(description="The run the message's command started (a regeneration), else null")


class ChatMessage(BaseModel):
    """A message of the chat, with gtm's reply."""

    author: str
    text: str
    reply: str
    created_at: datetime
    run_id: str | None = Field(description="The run its command started, or its latest retry")


class ChatHistory(BaseModel):
    """The campaign's chat, oldest first."""

    messages: list[ChatMessage]


class OpenApiDocument(RootModel[dict[str, Any]]):
    """This document, OpenAPI 3.1."""
