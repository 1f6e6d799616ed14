"""Triggers: rules over a campaign's metrics, created, paused, resumed and deleted; where each one stands.

The rule's fields are checked in rules.py; judging and the alerts a firing records are in
judging.py; the alerts themselves (listed, dismissed, acted on) in alerts.py.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from ...extensions import db
from ...models import Alert, Campaign, Phase, Post, Trigger
from .. import activity, campaigns, locks, paging
from ..errors import Conflict
from .judging import Judgement, check_campaign, judge  # noqa: F401 - check_campaign: metrics.py checks through here
from .alerts import Chart, alerts, alert_chart, open_alerts, past_alert_count
from .rules import describe_trigger, validate
from .summary import by_post_and_variant, current_posts

log = logging.getLogger(__name__)

TRIGGERS_MAX = 50
# The results page shows this many past alerts at a time, newest first.
PAST_ALERTS_SHOWN = 10


def create_trigger(workspace_id: int, campaign_id: int, values: dict, author_id: int | None = None) -> Trigger:
    """Create a trigger and judge it at once against the numbers already recorded."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    clean = validate(campaign, values)
    locks.hold_campaign(campaign_id)
    count = db.session.scalar(select(func.count()).select_from(Trigger).where(Trigger.campaign_id == campaign_id))
    if count >= TRIGGERS_MAX:
        db.session.rollback()
        raise Conflict(f"A campaign has at most {TRIGGERS_MAX} triggers; delete one first.")
    trigger = Trigger(campaign_id=campaign_id, author_id=author_id, **clean)
    db.session.add(trigger)
    db.session.flush()
    activity.record(workspace_id, "trigger_created", f"Created the trigger “{trigger_rule(trigger)}”",
                    campaign_id=campaign_id, actor_id=author_id, subject=trigger,
                    link=activity.triggers_path(campaign_id))
    db.session.commit()
    log.info("campaign %s: trigger %s created (%s %s %s)", campaign_id, trigger.id, trigger.metric,
             trigger.comparison, trigger.threshold)
    check_campaign(campaign_id)
    return trigger


def get_trigger(workspace_id: int, campaign_id: int, trigger_id) -> Trigger:
    """Return one of the campaign's triggers; an unknown id, or another campaign's trigger, is not found."""
    return campaigns.campaign_row(Trigger, workspace_id, campaign_id, trigger_id, "No such trigger.")


def list_triggers(workspace_id: int, campaign_id: int) -> list[Trigger]:
    campaigns.get_campaign(workspace_id, campaign_id)
    return list(db.session.scalars(select(Trigger).where(Trigger.campaign_id == campaign_id).order_by(Trigger.id)))


def set_trigger_paused(workspace_id: int, campaign_id: int, trigger_id, paused: bool) -> Trigger:
    """Pause a trigger (it judges nothing until resumed) or resume it, judging it at once."""
    trigger = get_trigger(workspace_id, campaign_id, trigger_id)
    if trigger.paused != paused:
        activity.record(workspace_id, "trigger_paused" if paused else "trigger_resumed",
                        f"{'Paused' if paused else 'Resumed'} the trigger “{trigger_rule(trigger)}”",
                        campaign_id=campaign_id, subject=trigger, link=activity.triggers_path(campaign_id))
    trigger.paused = paused
    db.session.commit()
    if not paused:
        check_campaign(campaign_id)
    return trigger


def delete_trigger(workspace_id: int, campaign_id: int, trigger_id) -> None:
    """Delete a trigger. Its alerts stay, as past alerts, with the rule they came from written out."""
    trigger = get_trigger(workspace_id, campaign_id, trigger_id)
    now = datetime.now(timezone.utc)
    currency = db.session.get(Campaign, campaign_id).currency or ""
    for alert in db.session.scalars(select(Alert).where(Alert.trigger_id == trigger.id)):
        alert.evidence = {**alert.evidence, "rule": describe_trigger(trigger, currency)}
        if alert.dismissed_at is None:
            alert.dismissed_at = now
        alert.trigger_id = None
    db.session.flush()
    activity.record(workspace_id, "trigger_deleted", f"Deleted the trigger “{describe_trigger(trigger, currency)}”",
                    campaign_id=campaign_id, subject=("trigger", trigger.id), link=activity.triggers_path(campaign_id))
    db.session.delete(trigger)
    db.session.commit()


def trigger_rule(trigger: Trigger) -> str:
    """The trigger's rule in words, with amounts in its campaign's currency."""
    return describe_trigger(trigger, db.session.get(Campaign, trigger.campaign_id).currency or "")


def trigger_standings(workspace_id: int, campaign_id: int) -> list[Judgement]:
    """Where each of the campaign's triggers stands now (for the results page)."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    posts = current_posts(campaign)
    sums = by_post_and_variant(campaign_id)
    return [judge(trigger, campaign, posts, sums) for trigger in list_triggers(workspace_id, campaign_id)]


@dataclass
class Panel:
    """What the triggers and alerts sections show: each trigger and where it stands, the alerts open and
    past, and the current version's phases and posts (the scopes a new trigger may take)."""

    campaign: Campaign
    judgements: list[Judgement]
    open_alerts: list[Alert]
    past_alerts: paging.Page[Alert]
    phases: list[Phase]
    posts: list[Post]
    rules: dict[int, str]
    past_count: int = 0

    @property
    def can_create(self) -> bool:
        return bool(self.campaign.current_version) and len(self.judgements) < TRIGGERS_MAX

    def chart(self, alert: Alert) -> Chart | None:
        return alert_chart(alert.evidence, self.campaign.currency or "")


def triggers_and_alerts(workspace_id: int, campaign_id: int, past_before=None) -> Panel:
    """Return the campaign's triggers with their standing, its open alerts and a page of its past ones (the
    newest, or those before the cursor `past_before`), and the scopes a trigger may take."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    past = alerts(workspace_id, campaign_id, past_before, PAST_ALERTS_SHOWN, past=True)
    found = trigger_standings(workspace_id, campaign_id)
    phases = list(db.session.scalars(select(Phase).where(
        Phase.campaign_id == campaign_id, Phase.version == campaign.current_version).order_by(Phase.number))) \
        if campaign.current_version else []
    currency = campaign.currency or ""
    return Panel(campaign, found, open_alerts(workspace_id, campaign_id), past, phases, current_posts(campaign),
                 {j.trigger.id: describe_trigger(j.trigger, currency) for j in found}, past_alert_count(campaign_id))
