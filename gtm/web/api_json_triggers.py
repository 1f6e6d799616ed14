"""The JSON API's triggers and alerts, built from what gtm.services.results returns."""
from ..models import Alert, Trigger
from ..services import results


def trigger_json(trigger: Trigger, rule: str) -> dict:
    return {
        "id": str(trigger.id),
        "metric": trigger.metric,
        "comparison": trigger.comparison,
        "threshold": trigger.threshold,
        "min_impressions": trigger.min_impressions,
        "scope_phase": trigger.scope_phase,
        "scope_post_id": str(trigger.scope_post_id) if trigger.scope_post_id else None,
        "action": trigger.action,
        "from_phase": trigger.from_phase,
        "direction": trigger.direction or "",
        "rule": rule,
        "paused": trigger.paused,
        "created_at": trigger.created_at.isoformat(),
    }


def triggers_json(panel: results.Panel) -> dict:
    return {"triggers": [{**trigger_json(judgement.trigger, panel.rules[judgement.trigger.id]),
                          "standing": judgement.standing, "status": judgement.status}
                         for judgement in panel.judgements]}


def alert_json(alert: Alert) -> dict:
    return {
        "id": str(alert.id),
        "trigger_id": str(alert.trigger_id) if alert.trigger_id else None,
        "evidence": alert.evidence,
        "action": alert.action,
        "created_at": alert.created_at.isoformat(),
        "dismissed_at": alert.dismissed_at.isoformat() if alert.dismissed_at else None,
        "run_id": str(alert.run_id) if alert.run_id else None,
    }
