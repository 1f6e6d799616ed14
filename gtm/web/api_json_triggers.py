"""The JSON API's triggers and alerts, built from what gtm.services.results returns."""
from ..models import Alert, Trigger
from ..services import paging, results
from .api_json import cursor_json


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


def alerts_json(found: paging.Page[Alert]) -> dict:
    """Return a page of alerts, newest first."""
    return {"alerts": [alert_json(alert) for alert in found], "next": cursor_json(found)}


# --- Results ------------------------------------------------------------------------------------------

def _test_json(test: results.Test) -> dict:
    return {"a_rate": _rate(test.a_rate), "b_rate": _rate(test.b_rate), "enough": test.enough,
            "confidence": round(test.confidence, 4) if test.confidence is not None else None,
            "leader": test.leader, "sentence": test.sentence}


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def post_result_json(result: results.PostResult) -> dict:
    post = result.post
    return {"id": str(post.id), "key": post.key, "title": post.title, "phase": post.phase, "channel": post.channel,
            "version": post.version, "totals": result.totals.as_dict(),
            "variants": {label: totals.as_dict() for label, totals in result.variants.items()},
            "ab": {"ctr": _test_json(result.ab.ctr), "conversion_rate": _test_json(result.ab.conversion_rate),
                   "winner": result.ab.winner}}


def results_json(found: results.Results) -> dict:
    return {
        "totals": found.totals.as_dict(),
        "first_day": found.first_day.isoformat() if found.first_day else None,
        "last_day": found.last_day.isoformat() if found.last_day else None,
        "phases": [{"number": phase.number, "name": phase.name, "totals": phase.totals.as_dict(),
                    "posts": [post_result_json(result) for result in phase.posts]} for phase in found.phases],
        "archived": [post_result_json(result) for result in found.archived],
        "daily": [{"day": day.isoformat(), **totals.as_dict()} for day, totals in found.daily],
        "versions": [{"number": v.number, "is_current": v.is_current, "origin": v.origin, "from_phase": v.from_phase,
                      "direction": v.direction or "", "posts": v.posts, "posts_with_numbers": v.posts_with_numbers,
                      "new_posts": v.new_posts, "totals": v.totals.as_dict(), "new_posts_totals": v.new_totals.as_dict()}
                     for v in found.versions],
        "next": cursor_json(found.versions),
    }
