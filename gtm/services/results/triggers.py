"""Triggers (rules over a campaign's metrics) and the alerts they raise.

A trigger judges the current strategy version's posts in its scope (the campaign, one phase or
one post), summed over every recorded day, once they have at least `min_impressions`. When the
rule is broken it raises an alert with the evidence (values, threshold, dates, posts, a daily
series) and a suggested action: regenerate from phase N with a direction that starts with what
the numbers say, or rewrite one post's variants with the evidence as feedback.

Triggers are checked when metrics arrive and on a schedule (jobs.results.check_triggers, run by
RQ's scheduler). A firing is recorded once: an alert's fingerprint (the trigger and its evidence)
is unique, and a trigger has at most one open alert, both held by the database, so two checks at
the same moment make one alert. Once dismissed, the trigger may fire again, on new evidence only.
"""
import hashlib
import json
import logging
import string
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Alert, Campaign, Member, Phase, Post, Trigger
from ...models.results import ACTIONS, COMPARISONS, METRIC_NAMES
from .. import campaigns
from ..errors import Conflict, Invalid, NotFound
from .summary import by_post_and_variant, current_posts, daily
from .totals import METRIC_LABELS, RATES, Totals, metric_text, threshold_text

log = logging.getLogger(__name__)

TRIGGERS_MAX = 50
TEMPLATE_MAX = 500
THRESHOLD_MAX = 1_000_000_000
MIN_IMPRESSIONS_MAX = 2_000_000_000
EVIDENCE_POSTS_MAX = 30
EVIDENCE_DAYS_MAX = 60
PLACEHOLDERS = ("scope", "metric", "value", "threshold", "impressions", "clicks", "conversions", "spend",
                "first_day", "last_day", "from_phase")
DEFAULT_TEMPLATE = "plan the strategy from phase {from_phase} again to do better on {metric}"
DEFAULT_REWRITE = "rewrite both variants to do better on {metric}"
COMPARISON_WORDS = {"<": "below", ">": "above"}


# --- Rules ----------------------------------------------------------------------------------------

def _phase_count(campaign: Campaign) -> int:
    if not campaign.current_version:
        return 0
    return db.session.scalar(select(func.count()).select_from(Phase).where(
        Phase.campaign_id == campaign.id, Phase.version == campaign.current_version)) or 0


def _whole(value, field: str, label: str, errors: dict, *, minimum: int = 0, maximum: int) -> int | None:
    if isinstance(value, bool):
        errors[field] = f"{label} must be a whole number."
        return None
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            return None
        if not (text.isascii() and text.lstrip("-").isdigit()):
            errors[field] = f"{label} must be a whole number."
            return None
        value = int(text)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is None:
        return None
    if not isinstance(value, int):
        errors[field] = f"{label} must be a whole number."
        return None
    if not minimum <= value <= maximum:
        errors[field] = f"{label} must be between {minimum:,} and {maximum:,}."
        return None
    return value


def _threshold(value, metric: str | None, errors: dict) -> float | None:
    problem = "Give the threshold as a number, 0 or more, like 1 (for 1%) or 40."
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        errors["threshold"] = problem if value not in (None, "") else "Give the threshold the metric is compared with."
        return None
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            errors["threshold"] = problem
            return None
    if not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        errors["threshold"] = problem
        return None
    value = float(value)
    if value < 0:
        errors["threshold"] = "The threshold cannot be negative."
    elif metric in RATES and value > 100:
        errors["threshold"] = "A rate's threshold is a percentage, at most 100."
    elif value > THRESHOLD_MAX:
        errors["threshold"] = f"The threshold is at most {THRESHOLD_MAX:,}."
    else:
        return value
    return None


def check_template(text: str) -> str:
    """Return the direction template, or raise Invalid when its placeholders are not ours."""
    if not isinstance(text, str):
        raise Invalid({"direction": "The direction must be text."})
    text = text.strip()
    if len(text) > TEMPLATE_MAX:
        raise Invalid({"direction": f"The direction has at most {TEMPLATE_MAX:,} characters (this has {len(text):,})."})
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise Invalid({"direction": f"A brace is not closed. Placeholders are {known}; write {{{{ or }}}} "
                                    "for a brace itself."}) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = name if len(name) <= 30 else name[:29] + "…"
            raise Invalid({"direction": f"{{{shown}}} is not a placeholder gtm knows. Use {known}."})
    return text


def validate(campaign: Campaign, values: dict) -> dict:
    """Check a trigger's fields against the campaign's current strategy; return the clean values."""
    errors: dict[str, str] = {}
    if not campaign.current_version:
        raise Conflict("This campaign has no strategy yet; plan one first, then set triggers on its phases and posts.")
    metric = values.get("metric")
    if metric not in METRIC_NAMES:
        errors["metric"] = f"Choose a metric: {', '.join(METRIC_LABELS[name] for name in METRIC_NAMES)} " \
                           f"({', '.join(METRIC_NAMES)})."
        metric = None
    comparison = values.get("comparison")
    if comparison not in COMPARISONS:
        errors["comparison"] = "Choose < (below) or > (above)."
    threshold = _threshold(values.get("threshold"), metric, errors)
    min_impressions = _whole(values.get("min_impressions"), "min_impressions", "The minimum impressions", errors,
                             maximum=MIN_IMPRESSIONS_MAX)
    phases = _phase_count(campaign)
    scope_phase = _whole(values.get("scope_phase"), "scope_phase", "The phase", errors, minimum=1,
                         maximum=max(phases, 1))
    if scope_phase is not None and scope_phase > phases:
        errors["scope_phase"] = f"The strategy has phases 1 to {phases}."
    scope_post = None
    raw_post = values.get("scope_post_id")
    if raw_post not in (None, ""):
        post_id = int(raw_post) if isinstance(raw_post, str) and raw_post.strip().isascii() \
            and raw_post.strip().isdigit() and len(raw_post.strip()) < 11 else raw_post
        scope_post = db.session.get(Post, post_id) if isinstance(post_id, int) and not isinstance(post_id, bool) \
            else None
        if scope_post is None or scope_post.campaign_id != campaign.id:
            errors["scope_post_id"] = "This campaign has no such post."
            scope_post = None
        elif not scope_post.is_active:
            errors["scope_post_id"] = "That post belongs to an archived version; choose a post of the current strategy."
            scope_post = None
    if scope_phase is not None and raw_post not in (None, ""):
        errors["scope_post_id"] = "Choose a phase or one post as the scope, not both."
    action = values.get("action")
    from_phase = None
    direction = ""
    if action not in ACTIONS:
        errors["action"] = "Choose an action: regenerate (from a phase) or rewrite (one post's variants)."
    elif action == "regenerate":
        default = scope_phase or (scope_post.phase if scope_post else None)
        from_phase = _whole(values.get("from_phase"), "from_phase", "The phase to regenerate from", errors,
                            minimum=1, maximum=max(phases, 1))
        if from_phase is None and "from_phase" not in errors:
            from_phase = default
            if from_phase is None:
                errors["from_phase"] = "Say which phase to regenerate from."
        elif from_phase is not None and from_phase > phases:
            errors["from_phase"] = f"The strategy has phases 1 to {phases}."
    elif action == "rewrite" and scope_post is None and "scope_post_id" not in errors:
        errors["scope_post_id"] = "A rewrite suggestion is for one post: choose that post as the scope."
    try:
        direction = check_template(values.get("direction") or "")
    except Invalid as error:
        errors.update(error.fields)
    if errors:
        raise Invalid(errors)
    return {"metric": metric, "comparison": comparison, "threshold": threshold,
            "min_impressions": min_impressions or 0, "scope_phase": scope_phase,
            "scope_post_id": scope_post.id if scope_post else None, "action": action, "from_phase": from_phase,
            "direction": direction}


def create(workspace_id: int, campaign_id: int, values: dict, author_id: int | None = None) -> Trigger:
    """Create a trigger and judge it at once against the numbers already recorded."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    clean = validate(campaign, values)
    count = db.session.scalar(select(func.count()).select_from(Trigger).where(Trigger.campaign_id == campaign_id))
    if count >= TRIGGERS_MAX:
        raise Conflict(f"A campaign has at most {TRIGGERS_MAX} triggers; delete one first.")
    trigger = Trigger(campaign_id=campaign_id, author_id=author_id, **clean)
    db.session.add(trigger)
    db.session.commit()
    log.info("campaign %s: trigger %s created (%s %s %s)", campaign_id, trigger.id, trigger.metric,
             trigger.comparison, trigger.threshold)
    check_campaign(campaign_id)
    return trigger


def get_trigger(workspace_id: int, campaign_id: int, trigger_id: int) -> Trigger:
    campaigns.get_campaign(workspace_id, campaign_id)
    trigger = db.session.get(Trigger, trigger_id)
    if trigger is None or trigger.campaign_id != campaign_id:
        raise NotFound("No such trigger.")
    return trigger


def list_triggers(workspace_id: int, campaign_id: int) -> list[Trigger]:
    campaigns.get_campaign(workspace_id, campaign_id)
    return list(db.session.scalars(select(Trigger).where(Trigger.campaign_id == campaign_id).order_by(Trigger.id)))


def set_paused(workspace_id: int, campaign_id: int, trigger_id: int, paused: bool) -> Trigger:
    """Pause a trigger (it judges nothing until resumed) or resume it, judging it at once."""
    trigger = get_trigger(workspace_id, campaign_id, trigger_id)
    trigger.paused = paused
    db.session.commit()
    if not paused:
        check_campaign(campaign_id)
    return trigger


def delete(workspace_id: int, campaign_id: int, trigger_id: int) -> None:
    """Delete a trigger. Its alerts stay, as past alerts, with the rule they came from written out."""
    trigger = get_trigger(workspace_id, campaign_id, trigger_id)
    now = datetime.now(timezone.utc)
    for alert in db.session.scalars(select(Alert).where(Alert.trigger_id == trigger.id)):
        alert.evidence = {**alert.evidence, "rule": describe(trigger, _currency(trigger.campaign_id))}
        if alert.dismissed_at is None:
            alert.dismissed_at = now
        alert.trigger_id = None
    db.session.flush()
    db.session.delete(trigger)
    db.session.commit()


def _currency(campaign_id: int) -> str:
    return db.session.get(Campaign, campaign_id).currency or ""


def scope_label(trigger: Trigger, post: Post | None = None) -> str:
    if trigger.scope_post_id:
        post = post or db.session.get(Post, trigger.scope_post_id)
        return f"Post “{post.title}”" if post else "A deleted post"
    if trigger.scope_phase:
        return f"Phase {trigger.scope_phase}"
    return "The campaign"


def describe(trigger: Trigger, currency: str = "") -> str:
    """The rule in words: “Phase 2: CTR below 1% after 1,000 impressions → regenerate from phase 2”."""
    rule = (f"{scope_label(trigger)}: {METRIC_LABELS[trigger.metric]} {COMPARISON_WORDS[trigger.comparison]} "
            f"{threshold_text(trigger.metric, trigger.threshold, currency)}")
    if trigger.min_impressions:
        rule += f" after {trigger.min_impressions:,} impressions"
    if trigger.action == "regenerate":
        return f"{rule} → suggest regenerating from phase {trigger.from_phase}"
    return f"{rule} → suggest rewriting the post's variants"


# --- Judging --------------------------------------------------------------------------------------

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


def _scope_posts(trigger: Trigger, posts: list[Post]) -> list[Post] | None:
    """The current posts a trigger judges; None when its post is no longer in the current version."""
    if trigger.scope_post_id:
        found = [post for post in posts if post.id == trigger.scope_post_id]
        return found or None
    if trigger.scope_phase:
        return [post for post in posts if post.phase == trigger.scope_phase]
    return posts


def judge(trigger: Trigger, campaign: Campaign, posts: list[Post], sums: dict) -> Judgement:
    """Judge one trigger against the summed numbers of its scope's current posts."""
    currency = campaign.currency or ""
    scope = _scope_posts(trigger, posts)
    if scope is None:
        return Judgement(trigger, Totals(), None, False, False,
                         "Not judging: its post is not in the current strategy version.")
    if trigger.paused:
        return Judgement(trigger, Totals(), None, False, False, "Paused.")
    per_post = {post.id: Totals.of(sums.get(post.id, {}).values()) for post in scope}
    totals = Totals.of(per_post.values())
    if totals.impressions < max(trigger.min_impressions, 1):
        need = max(trigger.min_impressions, 1)
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
    metric_name = label if scope_text == "The campaign" else label
    sentence = (f"{scope_text} {metric_name} is {metric_text(trigger.metric, value, currency)} "
                f"(threshold {threshold_text(trigger.metric, trigger.threshold, currency)}) "
                f"over {totals.impressions:,} impressions")
    if first_day:
        sentence += f", {first_day} to {last_day}" if first_day != last_day else f", on {first_day}"
    if scope_text == "The campaign":
        sentence = "The campaign's" + sentence[len("The campaign"):]
    posts = []
    for post in scope:
        numbers = per_post[post.id]
        if numbers.empty:
            continue
        post_value = numbers.value(trigger.metric)
        posts.append({"id": str(post.id), "key": post.key, "title": post.title, "phase": post.phase,
                      **numbers.as_dict(), "value": post_value,
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
        "rule": describe(trigger, currency),
        "version": campaign.current_version,
    }


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _fill(template: str, trigger: Trigger, evidence: dict) -> str:
    totals = evidence["totals"]
    values = {"scope": evidence["scope"]["label"], "metric": evidence["metric_label"],
              "value": evidence["value_text"], "threshold": evidence["threshold_text"],
              "impressions": f"{totals['impressions']:,}", "clicks": f"{totals['clicks']:,}",
              "conversions": f"{totals['conversions']:,}", "spend": totals["spend"],
              "first_day": evidence["first_day"] or "", "last_day": evidence["last_day"] or "",
              "from_phase": trigger.from_phase or ""}
    return template.format_map(values)


def suggested_action(trigger: Trigger, evidence: dict) -> dict:
    """What the alert suggests: the regeneration's phase and direction, or the post and its feedback."""
    if trigger.action == "regenerate":
        return {"kind": "regenerate", "from_phase": trigger.from_phase,
                "direction": f"{evidence['sentence']}; {_fill(trigger.direction or DEFAULT_TEMPLATE, trigger, evidence)}"}
    return {"kind": "rewrite", "post_id": str(trigger.scope_post_id),
            "feedback": f"{evidence['sentence']}; {_fill(trigger.direction or DEFAULT_REWRITE, trigger, evidence)}"}


def fingerprint(trigger: Trigger, evidence: dict) -> str:
    """The trigger and what it judged: the same numbers over the same posts and days give the same print."""
    basis = {"trigger": [trigger.id, trigger.created_at.isoformat()], "rule": [trigger.metric, trigger.comparison, trigger.threshold,
                                             trigger.min_impressions],
             "version": evidence["version"], "totals": evidence["totals"], "days": [evidence["first_day"],
                                                                                     evidence["last_day"]],
             "posts": sorted(post["id"] for post in evidence["posts"])}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def judgements(workspace_id: int, campaign_id: int) -> list[Judgement]:
    """Where each of the campaign's triggers stands now (for the results page)."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    posts = current_posts(campaign)
    sums = by_post_and_variant(campaign_id)
    return [judge(trigger, campaign, posts, sums) for trigger in list_triggers(workspace_id, campaign_id)]


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


# --- Alerts ---------------------------------------------------------------------------------------

def alerts(workspace_id: int, campaign_id: int) -> list[Alert]:
    """The campaign's alerts, newest first: open ones and dismissed ones."""
    campaigns.get_campaign(workspace_id, campaign_id)
    return list(db.session.scalars(select(Alert).where(Alert.campaign_id == campaign_id)
                                   .order_by(Alert.created_at.desc(), Alert.id.desc())))


def open_alert_count(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Alert).where(
        Alert.campaign_id == campaign_id, Alert.dismissed_at.is_(None))) or 0


def get_alert(workspace_id: int, campaign_id: int, alert_id: int) -> Alert:
    campaigns.get_campaign(workspace_id, campaign_id)
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.campaign_id != campaign_id:
        raise NotFound("No such alert.")
    return alert


def dismiss(workspace_id: int, campaign_id: int, alert_id: int) -> Alert:
    """Dismiss an alert; it stays in the list of past alerts. Dismissing it again changes nothing."""
    alert = get_alert(workspace_id, campaign_id, alert_id)
    if alert.dismissed_at is None:
        alert.dismissed_at = datetime.now(timezone.utc)
        db.session.commit()
    return alert


def acted(alert_id: int, run_id: int) -> None:
    """Remember the run started from an alert's suggestion."""
    alert = db.session.get(Alert, alert_id)
    if alert is not None:
        alert.run_id = run_id
        db.session.commit()
