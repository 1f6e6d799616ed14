"""Judging triggers against the numbers, and recording each firing once as an alert.

A trigger judges the current strategy version's posts in its scope (the campaign, one phase or
one post), summed over every recorded day, once they have at least `min_impressions`. When the
rule is broken it raises an alert with the evidence (values, threshold, dates, posts, a daily
series) and a suggested action: regenerate from phase N, or rewrite one post's variants, with a
direction that states the intent ("Win back clicks in phase 2: try a sharper offer and a clearer
call to action"). The evidence itself reaches the model as context (alerts.prompt_evidence), never
as copy to repeat.

Triggers are checked when metrics arrive and on a schedule (jobs.results.check_triggers, run by
RQ's scheduler). A firing is recorded once: an alert's fingerprint (the trigger and its evidence)
is unique, and a trigger has at most one open alert, both held by the database, so two checks at
the same moment make one alert. Once the alert is closed (dismissed, or acted on), the trigger
may fire again, on new evidence only.
"""
import hashlib
import json
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Alert, Campaign, Post, Trigger
from .. import activity, webhooks
from .rules import describe_trigger, scope_label
from .summary import by_post_and_variant, current_posts, daily
from .totals import METRIC_LABELS, Totals, metric_text, threshold_text

log = logging.getLogger(__name__)

EVIDENCE_POSTS_MAX = 30
EVIDENCE_DAYS_MAX = 60
# The suggestion becomes a regeneration's direction or a variant's feedback: both take at most 1,000 characters.
SUGGESTION_MAX = 1000
# What a suggestion sets out to do, by metric: the aim, and how to get there when the trigger names no direction.
INTENTS = {
    "ctr": ("Win back clicks", "try a sharper offer and a clearer call to action"),
    "clicks": ("Win back clicks", "try a sharper offer and a clearer call to action"),
    "conversion_rate": ("Turn more clicks into sign-ups", "show proof from real customers and make the next step simpler"),
    "conversions": ("Win more sign-ups", "show proof from real customers and make the next step simpler"),
    "impressions": ("Reach more people", "use formats people share and post when the audience is online"),
    "cost_per_conversion": ("Bring the cost per sign-up down",
                            "put the budget behind the posts that convert and cut the rest"),
}
DEFAULT_TEMPLATE = "{approach}"
DEFAULT_REWRITE = "{approach}"


@dataclass
class Judgement:
    """Where a trigger stands now: judged or waiting, broken or not, and the evidence when broken."""

    trigger: Trigger
    totals: Totals
    value: float | None
    judged: bool
    broken: bool
    status: str
    evidence: dict | None = None

    @property
    def standing(self) -> str:
        """One word for the status: paused, waiting, holding or broken."""
        if self.trigger.paused:
            return "paused"
        if self.broken:
            return "broken"
        return "holding" if self.judged else "waiting"


def _scope_posts(trigger: Trigger, posts: list[Post]) -> list[Post] | None:
    """The current posts a trigger judges; None when its post or phase is not in the current version."""
    if trigger.scope_post_id:
        found = [post for post in posts if post.id == trigger.scope_post_id]
        return found or None
    if trigger.scope_phase:
        return [post for post in posts if post.phase == trigger.scope_phase] or None
    return posts


def judge(trigger: Trigger, campaign: Campaign, posts: list[Post], sums: dict) -> Judgement:
    """Judge one trigger against the summed numbers of its scope's current posts."""
    currency = campaign.currency or ""
    if trigger.paused:
        return Judgement(trigger, Totals(), None, False, False, "Paused.")
    scope = _scope_posts(trigger, posts)
    if scope is None:
        missing = "post" if trigger.scope_post_id else f"phase {trigger.scope_phase}"
        return Judgement(trigger, Totals(), None, False, False,
                         f"Not judging: its {missing} is not in the current strategy version.")
    per_post = {post.id: Totals.of(sums.get(post.id, {}).values()) for post in scope}
    totals = Totals.of(per_post.values())
    need = max(trigger.min_impressions, 1)
    if totals.impressions < need:
        return Judgement(trigger, totals, None, False, False,
                         f"Waiting for {need:,} impressions (has {totals.impressions:,}).")
    value = totals.value(trigger.metric)
    label = METRIC_LABELS[trigger.metric]
    if value is None:
        what = "clicks" if trigger.metric == "conversion_rate" else "conversions"
        return Judgement(trigger, totals, None, False, False, f"Not judging {label} yet: no {what} recorded.")
    broken = value < trigger.threshold if trigger.comparison == "<" else value > trigger.threshold
    now = f"{label} is {metric_text(trigger.metric, value, currency)} over {totals.impressions:,} impressions"
    if not broken:
        return Judgement(trigger, totals, value, True, False, f"Holding: {now}.")
    judgement = Judgement(trigger, totals, value, True, True, f"Broken: {now}.")
    judgement.evidence = _evidence(trigger, campaign, scope, per_post, totals, value)
    return judgement


def _evidence(trigger: Trigger, campaign: Campaign, scope: list[Post], per_post: dict[int, Totals], totals: Totals,
              value: float) -> dict:
    currency = campaign.currency or ""
    series = daily(campaign.id, [post.id for post in scope])
    first_day, last_day = (series[0][0].isoformat(), series[-1][0].isoformat()) if series else (None, None)
    label = METRIC_LABELS[trigger.metric]
    scope_text = scope_label(trigger, scope[0] if trigger.scope_post_id else None)
    whose = "The campaign's" if scope_text == "The campaign" else scope_text
    sentence = (f"{whose} {label} is {metric_text(trigger.metric, value, currency)} "
                f"(threshold {threshold_text(trigger.metric, trigger.threshold, currency)}) "
                f"over {totals.impressions:,} impressions")
    if first_day:
        sentence += f", {first_day} to {last_day}" if first_day != last_day else f", on {first_day}"
    posts = []
    for post in scope:
        numbers = per_post[post.id]
        if numbers.empty:
            continue
        post_value = numbers.value(trigger.metric)
        posts.append({"id": str(post.id), "key": post.key, "title": post.title, "phase": post.phase,
                      **numbers.as_dict(), "value": _rounded(post_value),
                      "value_text": metric_text(trigger.metric, post_value, currency)})
    # The posts that pull the number the wrong way come first.
    posts.sort(key=lambda item: (item["value"] is None,
                                 (item["value"] or 0) * (1 if trigger.comparison == "<" else -1)))
    return {
        "metric": trigger.metric, "metric_label": label, "comparison": trigger.comparison,
        "threshold": trigger.threshold, "threshold_text": threshold_text(trigger.metric, trigger.threshold, currency),
        "min_impressions": trigger.min_impressions,
        "value": round(value, 4), "value_text": metric_text(trigger.metric, value, currency),
        "scope": {"kind": "post" if trigger.scope_post_id else "phase" if trigger.scope_phase else "campaign",
                  "phase": trigger.scope_phase,
                  "post_id": str(trigger.scope_post_id) if trigger.scope_post_id else None, "label": scope_text},
        "totals": totals.as_dict(), "first_day": first_day, "last_day": last_day,
        "posts": posts[:EVIDENCE_POSTS_MAX], "posts_more": max(0, len(posts) - EVIDENCE_POSTS_MAX),
        "daily": [{"day": day.isoformat(), "value": _rounded(numbers.value(trigger.metric)),
                   "impressions": numbers.impressions} for day, numbers in series[-EVIDENCE_DAYS_MAX:]],
        "sentence": sentence,
        "rule": describe_trigger(trigger, currency),
        "version": campaign.current_version,
    }


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _fill(template: str, trigger: Trigger, evidence: dict) -> str:
    totals = evidence["totals"]
    values = {"approach": INTENTS.get(trigger.metric, INTENTS["ctr"])[1],"scope": evidence["scope"]["label"], "metric": evidence["metric_label"],
              "value": evidence["value_text"], "threshold": evidence["threshold_text"],
              "impressions": f"{totals['impressions']:,}", "clicks": f"{totals['clicks']:,}",
              "conversions": f"{totals['conversions']:,}", "spend": totals["spend"],
              "first_day": evidence["first_day"] or "", "last_day": evidence["last_day"] or "",
              "from_phase": trigger.from_phase or ""}
    return template.format_map(values)


def _bounded(text: str) -> str:
    return text if len(text) <= SUGGESTION_MAX else text[:SUGGESTION_MAX - 1] + "…"


def intent(trigger: Trigger) -> str:
    """What a suggestion sets out to do, and where: "Win back clicks in phase 2"."""
    aim = INTENTS.get(trigger.metric, INTENTS["ctr"])[0]
    if trigger.scope_post_id:
        return f"{aim} on this post"
    if trigger.scope_phase:
        return f"{aim} in phase {trigger.scope_phase}"
    return f"{aim} from phase {trigger.from_phase}" if trigger.action == "regenerate" else f"{aim} across the campaign"


def _suggestion(trigger: Trigger, evidence: dict, default: str) -> str:
    how = _fill(trigger.direction or default, trigger, evidence).strip().rstrip(".")
    return _bounded(f"{intent(trigger)}: {how}" if how else intent(trigger))


def suggested_action(trigger: Trigger, evidence: dict) -> dict:
    """What the alert suggests: the regeneration's phase and direction, or the post and its feedback. Either
    states the intent; the evidence goes to the model beside it (alerts.prompt_evidence), not inside it."""
    if trigger.action == "regenerate":
        return {"kind": "regenerate", "from_phase": trigger.from_phase,
                "direction": _suggestion(trigger, evidence, DEFAULT_TEMPLATE)}
    return {"kind": "rewrite", "post_id": str(trigger.scope_post_id),
            "feedback": _suggestion(trigger, evidence, DEFAULT_REWRITE)}


def fingerprint(trigger: Trigger, evidence: dict) -> str:
    """The trigger and what it judged: the same numbers over the same posts and days give the same print."""
    basis = {"trigger": [trigger.id, trigger.created_at.isoformat()],
             "rule": [trigger.metric, trigger.comparison, trigger.threshold, trigger.min_impressions],
             "version": evidence["version"], "totals": evidence["totals"],
             "days": [evidence["first_day"], evidence["last_day"]],
             "posts": sorted(post["id"] for post in evidence["posts"])}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def check_campaign(campaign_id: int) -> list[Alert]:
    """Judge the campaign's live triggers and record an alert for each broken one that has no open alert
    and has not fired on the same evidence before. Safe to run at the same moment as another check."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return []
    triggers = list(db.session.scalars(select(Trigger).where(Trigger.campaign_id == campaign_id,
                                                             Trigger.paused.is_(False)).order_by(Trigger.id)))
    if not triggers:
        return []
    posts = current_posts(campaign)
    sums = by_post_and_variant(campaign_id)
    fired = []
    for trigger in triggers:
        found = judge(trigger, campaign, posts, sums)
        if not found.broken:
            continue
        if db.session.scalar(select(Alert.id).where(Alert.trigger_id == trigger.id, Alert.dismissed_at.is_(None))):
            continue
        print_ = fingerprint(trigger, found.evidence)
        if db.session.scalar(select(Alert.id).where(Alert.fingerprint == print_)):
            continue
        alert = Alert(campaign_id=campaign_id, trigger_id=trigger.id, fingerprint=print_, evidence=found.evidence,
                      action=suggested_action(trigger, found.evidence))
        db.session.add(alert)
        # gtm raises alerts on its own, whoever's numbers it judged.
        activity.record(campaign.workspace_id, "alert_raised", f"Alert: {found.evidence.get('sentence') or 'a rule was broken'}",
                        campaign_id=campaign_id, actor_name=activity.GTM, link=activity.triggers_path(campaign_id))
        webhooks.emit(campaign.workspace_id, "alert.raised", campaign_id, alert)
        try:
            db.session.commit()
        except IntegrityError:
            # Another check recorded this firing (or an open alert) first; one is enough.
            db.session.rollback()
            continue
        log.info("campaign %s: trigger %s fired, alert %s: %s", campaign_id, trigger.id, alert.id,
                 found.evidence["sentence"])
        fired.append(alert)
    return fired


def check_all() -> int:
    """Check every campaign that has live triggers; return how many alerts were raised."""
    campaign_ids = list(db.session.scalars(select(Trigger.campaign_id).where(Trigger.paused.is_(False)).distinct()))
    fired = 0
    for campaign_id in campaign_ids:
        try:
            fired += len(check_campaign(campaign_id))
        except Exception:  # noqa: BLE001 - one campaign's trouble must not stop the others' checks
            db.session.rollback()
            log.exception("campaign %s: checking its triggers failed", campaign_id)
    return fired
