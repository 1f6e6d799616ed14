"""A campaign's fields edited, the campaign archived or brought back, and deleted with everything it holds.

An edit is no new version of anything: the campaign changes in place. Every analysis step reads the campaign's
fields but its launch date (see campaigns.as_facts), so a change to one of those fields makes every step
version made before it stale, as a change to an earlier step does.
"""
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import Alert, ChatMessage, Edge, Member, Metric, Phase, Post, Run, StepVersion, StrategyVersion
from ..models import Trigger, Variant
from ..models._base import utcnow
from ..models.run import UNFINISHED
from . import campaigns, media
from .campaigns import CampaignFields
from .errors import Conflict, Invalid

# The fields the steps do not read: changing them leaves every step as it is.
UNREAD_BY_STEPS = frozenset({"launch_date"})


def update_campaign(workspace_id: int, campaign_id: int, values: dict):
    """Change the fields given in `values` (the others keep theirs), checked as a new campaign's are; return
    the campaign. A change to a field the steps read marks them stale; nothing changes when a field is refused."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    before = CampaignFields.model_validate(campaign).model_dump()
    clean = campaigns.validate({**before, **values})
    changed = [field for field, value in clean.items() if before.get(field) != value]
    for field in changed:
        setattr(campaign, field, clean[field])
    if set(changed) - UNREAD_BY_STEPS:
        campaign.details_changed_at = utcnow()
    db.session.commit()
    return campaign


def archive(workspace_id: int, campaign_id: int):
    """Hide the campaign from the campaigns list, keeping everything; archiving twice changes nothing."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    if campaign.archived_at is None:
        campaign.archived_at = utcnow()
        db.session.commit()
    return campaign


def unarchive(workspace_id: int, campaign_id: int):
    """Bring an archived campaign back to the campaigns list."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    if campaign.archived_at is not None:
        campaign.archived_at = None
        db.session.commit()
    return campaign


def _count(model, campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.campaign_id == campaign_id)) or 0


def removal(workspace_id: int, campaign_id: int) -> dict[str, int]:
    """Count what deleting the campaign removes, by what a person calls it."""
    campaigns.get_campaign(workspace_id, campaign_id)
    posts = select(Post.id).where(Post.campaign_id == campaign_id)
    return {
        "analysis step versions": _count(StepVersion, campaign_id),
        "strategy versions": _count(StrategyVersion, campaign_id),
        "posts": _count(Post, campaign_id),
        "post variants": db.session.scalar(
            select(func.count()).select_from(Variant).where(Variant.post_id.in_(posts))) or 0,
        "days of results": _count(Metric, campaign_id),
        "triggers": _count(Trigger, campaign_id),
        "alerts": _count(Alert, campaign_id),
        "chat messages": _count(ChatMessage, campaign_id),
        "runs": _count(Run, campaign_id),
    }


def delete_confirmed(workspace_id: int, campaign_id: int, typed_name) -> None:
    """Delete the campaign once its name is typed (the page's guard against a slip); a wrong name is Invalid
    and deletes nothing."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    typed = typed_name.strip() if isinstance(typed_name, str) else ""
    if typed != campaign.name.strip():
        raise Invalid({"confirm_name": "Type the campaign's name exactly as shown to delete it."
                       if typed else "Type the campaign's name to delete it."})
    delete_campaign(workspace_id, campaign_id)


def delete_campaign(workspace_id: int, campaign_id: int) -> None:
    """Delete the campaign and every row and image it holds, in one transaction.

    A run still going is a Conflict and deletes nothing, since its job would write into a campaign that is gone."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    busy = db.session.scalar(select(func.count()).select_from(Run).where(
        Run.campaign_id == campaign_id, Run.status.in_(UNFINISHED))) or 0
    if busy:
        raise Conflict(f"{busy} generation{'s are' if busy != 1 else ' is'} still running for this campaign; "
                       "wait until it finishes (or fails), then delete the campaign.")
    posts = select(Post.id).where(Post.campaign_id == campaign_id)
    images = [path for path in db.session.scalars(select(Variant.media_path).where(
        Variant.post_id.in_(posts), Variant.media_path.is_not(None)))]
    runs = select(Run.id).where(Run.campaign_id == campaign_id)
    # Children before what they point at; runs last, their parent links cut first.
    for statement in (
            delete(ChatMessage).where(ChatMessage.campaign_id == campaign_id),
            delete(Alert).where(Alert.campaign_id == campaign_id),
            delete(Metric).where(Metric.campaign_id == campaign_id),
            delete(Trigger).where(Trigger.campaign_id == campaign_id),
            delete(Member).where(Member.campaign_id == campaign_id),
            delete(Edge).where(Edge.campaign_id == campaign_id),
            delete(Variant).where(Variant.post_id.in_(posts)),
            delete(Post).where(Post.campaign_id == campaign_id),
            delete(Phase).where(Phase.campaign_id == campaign_id),
            delete(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id),
            delete(StepVersion).where(StepVersion.campaign_id == campaign_id),
            update(Run).where(Run.parent_id.in_(runs)).values(parent_id=None),
            delete(Run).where(Run.campaign_id == campaign_id)):
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.delete(campaign)
    db.session.commit()
    # The files go once the rows are gone: a failed commit leaves every image its variant names. An imported
    # copy of this campaign may name the same files; those stay.
    kept = set(db.session.scalars(select(Variant.media_path).where(Variant.media_path.in_(images)))) if images else set()
    for relative in set(images) - kept:
        found = media.path(workspace_id, relative)
        if found is not None:
            found.unlink(missing_ok=True)
