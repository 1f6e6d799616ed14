"""The API's campaigns: create one, list them, read one, change its fields, archive and delete it.

A campaign's fields are stated once, by gtm.services.campaigns.CampaignFields; the body and the answer
here build on it, each saying only where its JSON differs.
"""
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, WithJsonSchema

from ...services import campaign_changes, campaigns, paging, steps
from ...services.campaigns import BUDGET_MAX, CHANNELS, LIMITS, CampaignFields, Limit, limit
from .answers import Answer, Attributes, Cursor, IdText, Timestamp, answer, next_field
from .blueprint import bp, workspace
from .fields import Body, PageQuery, says, text_list
from .parsing import documented


def _limits_shown(schema: dict, model) -> None:
    """Document each text field's limit as its maxLength (validate() enforces it, with its own message)."""
    for name, field in model.model_fields.items():
        rule = next((rule for rule in field.metadata if isinstance(rule, Limit)), None)
        if rule is not None:
            schema["properties"][name]["maxLength"] = rule.most


Competitors = text_list({"maxItems": LIMITS["competitors"],
                         "items": {"type": "string", "maxLength": LIMITS["competitor"]},
                         "description": "Competitor names; one text with commas or new lines is read too"})
Channels = text_list({"items": {"type": "string", "enum": list(CHANNELS)},
                      "description": "Where posts go; LinkedIn and email when none are given"})
Budget = Annotated[float | str | None, says("Must be a number."), WithJsonSchema({
    "type": "number", "minimum": 0, "maximum": float(BUDGET_MAX),
    "description": "In `currency`; a number written as text is read too"})]


class CampaignInput(Body, CampaignFields):
    """A new campaign's fields."""

    model_config = ConfigDict(json_schema_extra=_limits_shown)

    # The name, product, audience and goals are text as CampaignFields says; the rest may be left out (the
    # service fills them in), and some come as another JSON type too.
    competitors: Competitors = None
    channels: Channels = None
    budget: Budget = None
    currency: str | None = Field(None, json_schema_extra={"pattern": "^[A-Za-z]{3}$", "default": "USD"})
    brief: Annotated[str | None, limit("brief")] = None
    launch_date: str | None = Field(None, description=CampaignFields.model_fields["launch_date"].description,
                                    json_schema_extra={"format": "date"})


class CampaignChanges(CampaignInput):
    """The fields to change; those left out keep their values, and each is checked as a new campaign's is."""

    name: Annotated[str | None, limit("name")] = None
    product: Annotated[str | None, limit("product")] = None
    audience: Annotated[str | None, limit("audience")] = None
    goals: Annotated[str | None, limit("goals")] = None


class StepStatus(Answer):
    current_version: int | None
    stale: bool
    available: bool


class Campaign(CampaignFields):
    """A campaign with its steps' status."""

    id: IdText
    # A number here, where the export writes the decimal as text.
    budget: float | None
    current_version: int | None = Field(description="The current strategy version")
    steps: dict[str, StepStatus]
    created_at: Timestamp
    archived_at: Timestamp | None = Field(description="When it was archived (left out of the list); null in use")

    @classmethod
    def of(cls, campaign, steps_status: dict | None = None) -> "Campaign":
        """The campaign; a list passes each one's `steps_status`, read for all of them at once."""
        status = steps.status_summary(campaign.id) if steps_status is None else steps_status
        return cls.model_validate(Attributes(campaign, steps=status))


class ImportedCampaign(Campaign):
    """The campaign made from an export, with its steps' status."""

    renamed_from: str | None = Field(description="The export's name when a campaign already had it: the new one "
                                     "got \" (imported)\" added; null when the name was free")

    @classmethod
    def of(cls, campaign, steps_status: dict | None = None) -> "ImportedCampaign":
        return cls.model_validate(Attributes(campaign, steps=steps.status_summary(campaign.id),
                                             renamed_from=getattr(campaign, "renamed_from", None)))


class CampaignList(Answer):
    """A page of the workspace's campaigns in use (or the archived ones), newest first."""

    campaigns: list[Campaign]
    next: Cursor = next_field("campaigns")

    @classmethod
    def of(cls, found: paging.Page) -> "CampaignList":
        status = steps.status_summaries([campaign.id for campaign in found])
        return cls(campaigns=[Campaign.of(campaign, status[campaign.id]) for campaign in found], next=found.next)


@bp.post("/campaigns")
@documented({201: Campaign}, body=CampaignInput)
def create_campaign(body: CampaignInput):
    """Create a campaign."""
    return answer(Campaign.of(campaigns.create_campaign(workspace(), body.model_dump(exclude_unset=True))), 201)


class CampaignsQuery(PageQuery):
    archived: Literal["true", "false"] = Field("false", description="true lists the archived campaigns instead")


@bp.get("/campaigns")
@documented({200: CampaignList}, query=CampaignsQuery)
def list_campaigns(query: CampaignsQuery):
    """List the workspace's campaigns in use (or the archived ones), newest first, a page at a time."""
    return answer(CampaignList.of(campaigns.list_campaigns(workspace(), query.before, query.limit,
                                                           archived=query.archived == "true")))


@bp.get("/campaigns/<int:campaign_id>")
@documented({200: Campaign})
def get_campaign(campaign_id: int):
    """Return a campaign with its steps' status."""
    return answer(Campaign.of(campaigns.get_campaign(workspace(), campaign_id)))


@bp.patch("/campaigns/<int:campaign_id>")
@documented({200: Campaign}, body=CampaignChanges)
def update_campaign(campaign_id: int, body: CampaignChanges):
    """Change a campaign's fields; a change to what the analysis steps read marks them stale."""
    return answer(Campaign.of(campaign_changes.update_campaign(workspace(), campaign_id,
                                                               body.model_dump(exclude_unset=True))))


@bp.post("/campaigns/<int:campaign_id>/archive")
@documented({200: Campaign})
def archive_campaign(campaign_id: int):
    """Archive a campaign: it leaves the list (see ?archived=true) and keeps everything."""
    return answer(Campaign.of(campaign_changes.archive(workspace(), campaign_id)))


@bp.post("/campaigns/<int:campaign_id>/unarchive")
@documented({200: Campaign})
def unarchive_campaign(campaign_id: int):
    """Bring an archived campaign back to the list."""
    return answer(Campaign.of(campaign_changes.unarchive(workspace(), campaign_id)))


@bp.delete("/campaigns/<int:campaign_id>")
@documented({204: None}, errors=(409,))
def delete_campaign(campaign_id: int):
    """Delete a campaign with everything it holds, for good; refused while one of its runs is in flight."""
    campaign_changes.delete_campaign(workspace(), campaign_id)
    return "", 204
