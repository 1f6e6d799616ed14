"""The JSON API's shapes for exports and imports: the JSON export itself (an answer and an import body)."""
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import STEP_KINDS
from ..models.strategy import POST_STATUSES
from ..services.exports import FORMAT, FORMAT_VERSION, FORMATS, VARIANT_LABELS
from .api_fields import Body, VersionNumber


class ExportQuery(Body):
    """Which file to export."""

    format: str | None = Field(None, description="json (to import again), md, csv or ics",
                               json_schema_extra={"enum": list(FORMATS), "default": "json"})
    version: VersionNumber = Field(None, description="The strategy version; the current one by default")


class ExportedFrom(BaseModel):
    at: datetime
    campaign_id: str
    version: int | None = Field(description="The strategy version exported; null before a strategy is planned")
    assumed_launch_date: date | None = Field(description="The date used as the launch when the campaign has none")


class ExportCampaignFields(BaseModel):
    name: str
    product: str
    audience: str
    goals: str
    competitors: list[str]
    channels: list[str]
    budget: str | None = Field(description="A decimal number as text")
    currency: str
    brief: str
    launch_date: date | None


class ExportStep(BaseModel):
    kind: Literal[tuple(STEP_KINDS)]
    content: dict[str, Any]
    inputs: dict[str, Any]
    feedback: str
    edited: bool
    provider: str
    model: str


class ExportVariant(BaseModel):
    headline: str
    body: str
    call_to_action: str
    hashtags: list[str]
    image_prompt: str
    media_path: str | None = Field(description="The image, relative to the instance's media folder; an import "
                                   "keeps it only when that file exists there for the workspace")
    provider: str
    model: str


class ExportPost(BaseModel):
    key: str
    title: str
    channel: str
    brief: str
    day: int = Field(description="Days after the launch date")
    status: Literal[tuple(POST_STATUSES)]
    approved: bool
    variants: dict[Literal[tuple(VARIANT_LABELS)], ExportVariant] = Field(description="The current variants")


class ExportPhase(BaseModel):
    number: int
    name: str
    goal: str
    posts: list[ExportPost]


class ExportEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="A post key")
    to: str = Field(description="A post key")


class CampaignExport(BaseModel):
    """A campaign exported as JSON: the campaign, its current analysis steps and one strategy version."""

    format: Literal[FORMAT]
    format_version: Literal[FORMAT_VERSION]
    exported: ExportedFrom | None = Field(None, description="Where the file came from; an import ignores it")
    campaign: ExportCampaignFields
    steps: list[ExportStep]
    phases: list[ExportPhase]
    edges: list[ExportEdge]
