"""The JSON API's strategy shapes: posts and phases, versions, regeneration, its preview, restore and the chat."""
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models.strategy import POST_STATUSES
from ..services.campaigns import CHANNELS
from ..services.chat import MESSAGE_MAX
from ..services.strategy import DIRECTION_MAX
from .api_fields import Body, documented_as, next_field


class RegenerateStrategy(Body):
    """Regenerate a campaign's strategy from phase N with a new direction."""

    model_config = ConfigDict(strict=True, extra="ignore",
                              json_schema_extra={"required": ["campaign_id", "phase_num", "new_direction"]})

    campaign_id: documented_as({"type": "string", "description": "The campaign's id"}) = None
    phase_num: documented_as({"type": "integer", "minimum": 1, "description": "Regenerate from this phase; one "
                               "past the last phase adds phases after it"}) = None
    new_direction: documented_as({"type": "string", "minLength": 1, "maxLength": DIRECTION_MAX,
                                   "description": "Where the strategy should go from that phase"}) = None
    alert_id: documented_as({"type": "string", "description": "The alert whose suggestion this follows (one of the "
                              "campaign's): the model also sees its evidence, and the alert records the run"}) = None


class PreviewQuery(Body):
    """The phase a regeneration would start from."""

    phase_num: documented_as({"type": "integer", "minimum": 1}) = None


class ChatInput(Body):
    """A chat message: a command such as `!regenerate phase 2 <direction>` or `!help`, or any text."""

    message: str = Field(json_schema_extra={"minLength": 1, "maxLength": MESSAGE_MAX})


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
    """A page of the strategy's versions, newest first."""

    current_version: int | None
    versions: list[StrategyVersion]
    next: str | None = next_field("older versions")


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
    """A page of the campaign's chat: the newest messages (or those before `before`), oldest first."""

    messages: list[ChatMessage]
    next: str | None = next_field("older messages")
