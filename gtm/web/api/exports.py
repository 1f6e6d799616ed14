"""The API's exports and imports: a strategy version as a file, and a JSON export made a new campaign.

The JSON export is built by gtm.services.exports; the models here describe it, for the document (an answer
and an import body). Its campaign part is CampaignFields itself, as the export writes it.
"""
from datetime import date, datetime
from typing import Any, Literal

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from ...models import STEP_KINDS
from ...models.strategy import POST_STATUSES, REVIEW_STATES
from ...services import exports, imports
from ...services.campaigns import CampaignFields
from ...services.exports import FORMAT, FORMAT_VERSION, FORMATS, VARIANT_LABELS
from ..htmx import download
from .answers import answer
from .blueprint import bp, user, workspace
from .campaigns import ImportedCampaign
from .fields import Body, VersionNumber
from .parsing import documented


class ExportQuery(Body):
    """Which file to export."""

    format: str | None = Field(None, description="json (to import again), md, zip (the Markdown with its images: "
                               "strategy.md and images/…png), csv or ics",
                               json_schema_extra={"enum": list(FORMATS), "default": "json"})
    version: VersionNumber = Field(None, description="The strategy version; the current one by default")


class ExportedFrom(BaseModel):
    at: datetime
    campaign_id: str
    version: int | None = Field(description="The strategy version exported; null before a strategy is planned")
    assumed_launch_date: date | None = Field(description="The date used as the launch when the campaign has none")


class ExportCampaignFields(CampaignFields):
    # The campaign's fields as the export writes them, under the name the document has always given them.
    pass


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
    edited: bool = Field(False, description="Written by a person rather than by the model")
    provider: str
    model: str


class ExportPost(BaseModel):
    key: str
    title: str
    channel: str
    brief: str
    day: int = Field(description="Days after the launch date")
    date: str | None = Field(None, description="The post's date in this version, YYYY-MM-DD: where it was moved "
                             "to on the calendar, else the launch date + `day`. An import places posts by `day`")
    status: Literal[tuple(POST_STATUSES)]
    approved: bool
    review: Literal[tuple(REVIEW_STATES)] = Field("draft", description="draft, in_review, approved or "
                                                  "changes_requested; approved exactly when `approved` is true. "
                                                  "An import without it follows `approved`")
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


@bp.post("/campaigns/import")
@documented({201: ImportedCampaign}, body=CampaignExport, raw_body=True, errors=(413,))
def import_campaign():
    """Create a campaign from a JSON export: its analysis steps, and its strategy as version 1."""
    campaign = imports.import_campaign(workspace(), request.get_data(), author_id=user().id)
    return answer(ImportedCampaign.of(campaign), 201)


@bp.get("/campaigns/<int:campaign_id>/export")
@documented({200: CampaignExport}, query=ExportQuery, errors=(409,),
            files=tuple(content_type for content_type, *_ in exports.FORMATS.values() if "json" not in content_type))
def export_campaign(campaign_id: int, query: ExportQuery):
    """Download a strategy version as JSON (to import again), Markdown, Markdown with its images (a zip), a CSV
    content calendar or an ICS calendar."""
    return download(exports.export(workspace(), campaign_id, query.format or "json", version=query.version))
