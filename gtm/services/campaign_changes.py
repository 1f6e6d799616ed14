"""A campaign's fields edited, the campaign archived or brought back, and deleted with everything it holds.

An edit is no new version of anything: the campaign changes in place. Every analysis step reads the campaign's
fields but its launch date (see campaigns.as_facts), so a change to one of those fields makes every step
version made before it stale, as a change to an earlier step does.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import Alert, ChatMessage, Edge, Member, Metric, Phase, Post, Run, StepVersion, StrategyVersion
from ..models import CalendarFeed, Comment, Trigger, Variant
from ..models._base import utcnow
from ..models.review_link import ReviewLink
from ..models.run import UNFINISHED
from . import campaigns, media
from . import activity as history
from .campaigns import CampaignFields
from .errors import Conflict, Invalid

# The fields as the campaign form names them, for the history.
FIELD_NAMES = {"name": "name", "product": "product", "audience": "audience", "goals": "goals",
               "competitors": "competitors", "channels": "channels", "budget": "budget", "currency": "currency",
               "launch_date": "launch date"}

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
    if changed:
        names = ", ".join(FIELD_NAMES.get(field, field.replace("_", " ")) for field in changed)
        history.record(workspace_id, "campaign_edited", f"Edited the campaign “{campaign.name}”: {names}",
                       campaign_id=campaign_id, subject=campaign, link=history.campaign_path(campaign_id))
    db.session.commit()
    return campaign


def archive(workspace_id: int, campaign_id: int):
    """Hide the campaign from the campaigns list, keeping everything; archiving twice changes nothing."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    if campaign.archived_at is None:
        campaign.archived_at = utcnow()
        history.record(workspace_id, "campaign_archived", f"Archived the campaign “{campaign.name}”",
                       campaign_id=campaign_id, subject=campaign, link=history.campaign_path(campaign_id))
        db.session.commit()
    return campaign


def unarchive(workspace_id: int, campaign_id: int):
    """Bring an archived campaign back to the campaigns list."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    if campaign.archived_at is not None:
        campaign.archived_at = None
        history.record(workspace_id, "campaign_unarchived", f"Brought back the archived campaign “{campaign.name}”",
                       campaign_id=campaign_id, subject=campaign, link=history.campaign_path(campaign_id))
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
        "comments": _count(Comment, campaign_id),
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
            delete(Comment).where(Comment.campaign_id == campaign_id),
            delete(ReviewLink).where(ReviewLink.campaign_id == campaign_id),
            delete(CalendarFeed).where(CalendarFeed.campaign_id == campaign_id),
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
    # The history keeps what happened to the campaign, without links to its pages, and says it was deleted.
    history.forget_campaign(campaign_id)
    history.record(workspace_id, "campaign_deleted", f"Deleted the campaign “{campaign.name}” and everything in it",
                   subject=("campaign", campaign_id))
    db.session.delete(campaign)
    db.session.commit()
    # The files go once the rows are gone: a failed commit leaves every image its variant names. An imported
    # copy of this campaign may name the same files; those stay.
    kept = set(db.session.scalars(select(Variant.media_path).where(Variant.media_path.in_(images)))) if images else set()
    for relative in set(images) - kept:
        found = media.path(workspace_id, relative)
        if found is not None:
            found.unlink(missing_ok=True)


@dataclass(frozen=True)
class Activity:
    """What the campaigns list shows beside a campaign: its open alerts, and its last change and what it was."""

    open_alerts: int
    changed_at: datetime
    changed: str


# Where a campaign changes, each with its time column and what the list calls the change.
_CHANGES = (
    (StepVersion.created_at, StepVersion.campaign_id, "analysis step written"),
    (StrategyVersion.created_at, StrategyVersion.campaign_id, "strategy version made"),
    (Variant.created_at, Post.campaign_id, "post copy written"),
    (Metric.updated_at, Metric.campaign_id, "results recorded"),
    (Alert.created_at, Alert.campaign_id, "alert raised"),
)


def activity(campaign_list) -> dict[int, Activity]:
    """Return each campaign's Activity, in one query per kind of change whatever the number of campaigns."""
    found = {c.id: (c.details_changed_at or c.created_at, "details edited" if c.details_changed_at else "created")
             for c in campaign_list}
    if not found:
        return {}
    for moment, owner, what in _CHANGES:
        query = select(owner, func.max(moment)).where(owner.in_(found)).group_by(owner)
        if owner is Post.campaign_id:
            query = query.join(Post, Variant.post_id == Post.id)
        for campaign_id, latest in db.session.execute(query):
            if latest is not None and latest > found[campaign_id][0]:
                found[campaign_id] = (latest, what)
    alerts = dict(db.session.execute(select(Alert.campaign_id, func.count()).where(
        Alert.campaign_id.in_(found), Alert.dismissed_at.is_(None)).group_by(Alert.campaign_id)).all())
    return {campaign_id: Activity(alerts.get(campaign_id, 0), *change) for campaign_id, change in found.items()}
