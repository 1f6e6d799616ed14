"""Restoring a strategy version, and undoing a change: the members of an earlier version become current again.

A restore is a strategy change like a plan or a regeneration: it takes the campaign's one slot
(a run of kind `restore`), so it waits for nothing and nothing waits for it for long. It makes no
model calls: version n+1 is a new row whose members are the restored version's posts, the same
rows with their variants, approvals and metrics.
"""
import logging

from sqlalchemy import select, update

from ...extensions import db
from ...models import Member, Phase, Post, Run, StrategyVersion
from .. import activity, campaigns, runs, webhooks
from ..errors import Conflict, NotFound
from ..numbering import next_number
from .members import add_members
from .regenerate import BUSY

log = logging.getLogger(__name__)


def get_version(campaign_id: int, number) -> StrategyVersion:
    """Return strategy version `number` of the campaign, or raise NotFound."""
    found = None
    if isinstance(number, int) and not isinstance(number, bool):
        found = db.session.scalar(select(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id,
                                                                StrategyVersion.number == number))
    if found is None:
        raise NotFound("No such strategy version.")
    return found


def restore_version(workspace_id: int, campaign_id: int, number, author_id: int | None = None,
                    undoing: int | None = None) -> StrategyVersion:
    """Make the members of version `number` current again, as a new version (origin `restore`); `undoing` is
    the version an undo takes back."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    target = get_version(campaign_id, number)
    if campaign.current_version == target.number:
        raise Conflict(f"Version {target.number} is already the current version; there is nothing to restore.")
    if campaign.current_version is not None and \
            _members(campaign_id, target.number) == _members(campaign_id, campaign.current_version):
        raise Conflict(f"The current version {campaign.current_version} already holds exactly the posts of version "
                       f"{target.number}; there is nothing to restore.")
    run = runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="restore",
                      params={"restores": target.number, "author_id": author_id}, busy_message=BUSY)
    try:
        version = _swap(run, target, author_id, undoing)
    except Exception:
        runs.fail(run.id, "The restore could not be saved; nothing was changed.")
        raise
    log.info("campaign %s: restored version %s as version %s", campaign_id, target.number, version.number)
    return version


def _members(campaign_id: int, number: int) -> set[int]:
    return set(db.session.scalars(select(Member.post_id).where(Member.campaign_id == campaign_id,
                                                               Member.version == number)))


def _swap(run: Run, target: StrategyVersion, author_id: int | None, undoing: int | None = None) -> StrategyVersion:
    campaign_id = target.campaign_id
    campaign = campaigns.get_campaign(run.workspace_id, campaign_id)
    number = next_number(StrategyVersion.number, StrategyVersion.campaign_id == campaign_id)
    version = StrategyVersion(campaign_id=campaign_id, number=number, origin="restore", based_on=target.number,
                              direction="", run_id=run.id, author_id=author_id)
    db.session.add(version)
    members = list(db.session.scalars(select(Member.post_id).where(Member.campaign_id == campaign_id,
                                                                   Member.version == target.number)))
    # The restored posts come back on the dates they had in version K.
    add_members(campaign_id, number, members, carried_from=target.number)
    for phase in db.session.scalars(select(Phase).where(Phase.campaign_id == campaign_id,
                                                        Phase.version == target.number)):
        db.session.add(Phase(campaign_id=campaign_id, version=number, number=phase.number, name=phase.name,
                             goal=phase.goal))
    db.session.execute(update(Post).where(Post.campaign_id == campaign_id, Post.is_active.is_(True),
                                          Post.id.not_in(members)).values(is_active=False))
    db.session.execute(update(Post).where(Post.campaign_id == campaign_id, Post.id.in_(members))
                       .values(is_active=True))
    campaign.current_version = number
    runs.succeed(run, f"Restored version {target.number} as version {number}")
    run.params = {**run.params, "version": number}
    if undoing is not None:
        activity.record(run.workspace_id, "strategy_undone", f"Undid version {undoing}: version {target.number}'s "
                        f"posts are current again as version {number}", campaign_id=campaign_id, actor_id=author_id,
                        subject=version, link=activity.version_path(campaign_id, number))
    else:
        activity.record(run.workspace_id, "strategy_restored", f"Restored version {target.number} of the strategy "
                        f"as version {number}", campaign_id=campaign_id, actor_id=author_id, subject=version,
                        link=activity.version_path(campaign_id, number))
    webhooks.emit(run.workspace_id, "strategy.version_created", campaign_id, version)
    db.session.commit()
    return version


def undo_change(workspace_id: int, campaign_id: int, number, author_id: int | None = None) -> StrategyVersion:
    """Undo version `number` while it is current: the version before it becomes current again, as a new version."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    version = get_version(campaign_id, number)
    if campaign.current_version != version.number:
        raise Conflict(f"Version {version.number} is no longer the current version (version "
                       f"{campaign.current_version} is), so there is nothing to undo. Open the versions to restore "
                       "any version.")
    if version.number == 1:
        raise Conflict("Version 1 is the first plan; there is no earlier version to go back to.")
    # Each version became current when it was made, so the one before it by number was current just before.
    return restore_version(workspace_id, campaign_id, version.number - 1, author_id, undoing=version.number)
