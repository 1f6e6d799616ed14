"""Limits counted before an insert hold when requests race.

Two requests for the last trigger a campaign may have are made to meet right after counting: each
waits (briefly) for the other to have counted too. Without a lock both count 49 and both insert; with
the campaign's row held, the second cannot count until the first has committed, and is refused.
"""
import threading

from sqlalchemy import event

from gtm.extensions import db
from gtm.models import Trigger
from gtm.services import results
from gtm.services.results.triggers import TRIGGERS_MAX

from tests.kit.strategy import plan_and_write

RULE = {"metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
        "action": "regenerate", "from_phase": 2, "direction": "Lead with the price"}


def test_two_requests_for_the_last_trigger_get_one_trigger_and_one_refusal(app, api, campaign, work):
    plan_and_write(api, campaign, work)
    db.session.expire_all()
    for _ in range(TRIGGERS_MAX - 1):
        results.create_trigger(campaign.workspace_id, campaign.id, dict(RULE))
    db.session.remove()

    counted = threading.Barrier(2)

    def meet_after_counting(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().lower().startswith("select count(*)") and 'from "trigger"' in statement.lower():
            try:
                counted.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass  # the other request is held back by the lock: this one goes on alone

    answers = []

    def post():
        response = app.test_client().post(f"/api/campaigns/{campaign.id}/triggers", json=RULE, headers=api.headers)
        answers.append((response.status_code, response.get_json()))

    event.listen(db.engine, "after_cursor_execute", meet_after_counting)
    try:
        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(db.engine, "after_cursor_execute", meet_after_counting)

    assert sorted(status for status, _ in answers) == [201, 409], answers
    refused = next(body for status, body in answers if status == 409)
    assert f"at most {TRIGGERS_MAX} triggers" in refused["error"]
    db.session.expire_all()
    assert Trigger.query.filter_by(campaign_id=campaign.id).count() == TRIGGERS_MAX
