"""Triggers over the metrics and the alerts they raise: every bad rule is refused naming its field, a firing
is recorded once (also under concurrent metric posts), dismissing, pausing and deleting behave, and the
API answers what /api/openapi.json says. And what has won the A/B tests reaches later content calls."""
import threading

import pytest

from gtm.extensions import db
from gtm.models import Post, Trigger
from gtm.services import accounts, campaigns, results, strategy
from gtm.services.results.judging import check_campaign
from gtm.services.results.triggers import get_trigger

from tests.kit.campaigns import CAMPAIGN, CHANNELS
from tests.kit.plans import valid_regeneration
from tests.kit.strategy import Answers, regenerate
from tests.kit.triggers import (
    PHASE_2_CTR, alerts_of, create, current_posts, day, low_ctr, open_alerts, phase, plan, record, row,
)


# --- Rules ---------------------------------------------------------------------------------------------

def test_a_trigger_is_created_with_its_rule_in_words_and_listed_with_its_standing(api, campaign, work):
    posts = plan(api, campaign, work)
    body = create(api, campaign)
    assert body["rule"] == ("Phase 2: CTR below 1% after 1,000 impressions → suggest regenerating from phase 2")
    assert (body["metric"], body["comparison"], body["threshold"], body["scope_phase"], body["from_phase"]) == \
        ("ctr", "<", 1.0, 2, 2)
    assert body["paused"] is False and isinstance(body["id"], str) and body["scope_post_id"] is None

    post = phase(posts, 3)[0]
    status, rewrite = api.post(f"/api/campaigns/{campaign.id}/triggers", json={
        "metric": "cost_per_conversion", "comparison": ">", "threshold": "40", "scope_post_id": str(post.id),
        "action": "rewrite"})
    assert status == 201, rewrite
    assert rewrite["rule"] == f"Post “{post.title}”: Cost per conversion above EUR 40.00 → suggest rewriting " \
                              "the post's variants"
    assert rewrite["scope_post_id"] == str(post.id) and rewrite["min_impressions"] == 0

    status, listed = api.get(f"/api/campaigns/{campaign.id}/triggers")
    assert status == 200
    assert [t["id"] for t in listed["triggers"]] == [body["id"], rewrite["id"]]
    assert listed["triggers"][0]["standing"] == "waiting"
    assert listed["triggers"][0]["status"] == "Waiting for 1,000 impressions (has 0)."


BAD_RULES = [
    ({"metric": "ctrr"}, "metric", "Choose a metric"),
    ({"metric": None}, "metric", "Choose a metric"),
    ({"comparison": "<="}, "comparison", "Choose < (below) or > (above)."),
    ({"threshold": -1}, "threshold", "The threshold cannot be negative."),
    ({"threshold": "lots"}, "threshold", "Give the threshold as a number"),
    ({"threshold": True}, "threshold", "Give the threshold as a number"),
    ({"threshold": None}, "threshold", "Give the threshold the metric is compared with."),
    ({"threshold": 150}, "threshold", "A rate's threshold is a percentage, at most 100."),
    ({"metric": "conversion_rate", "threshold": "100.5%"}, "threshold", "at most 100"),
    ({"min_impressions": -5}, "min_impressions", "The minimum impressions must be between 0 and"),
    ({"min_impressions": "many"}, "min_impressions", "The minimum impressions must be a whole number."),
    ({"scope_phase": 9}, "scope_phase", "The phase must be one of the strategy's phases, 1 to"),
    ({"scope_phase": 0}, "scope_phase", "The phase must be one of the strategy's phases, 1 to"),
    ({"scope_phase": "two"}, "scope_phase", "The phase must be a whole number."),
    ({"scope_phase": None, "scope_post_id": "99999999999999999999"}, "scope_post_id", "This campaign has no such post."),
    ({"scope_phase": None, "scope_post_id": 2**40}, "scope_post_id", "This campaign has no such post."),
    ({"action": "panic"}, "action", "Choose an action"),
    ({"action": "rewrite"}, "scope_post_id", "A rewrite suggestion is for one post"),
    ({"from_phase": 9}, "from_phase", "Regenerate from one of the strategy's phases, 1 to"),
    ({"from_phase": "second"}, "from_phase", "The phase to regenerate from must be a whole number."),
    ({"scope_phase": None, "from_phase": None}, "from_phase", "Say which phase to regenerate from."),
    ({"direction": "lean on {budget}"}, "direction", "{budget} is not a placeholder gtm knows. Use {scope},"),
    ({"direction": "fix {metric!r}"}, "direction", "is not a placeholder gtm knows"),
    ({"direction": "fix {metric"}, "direction", "A brace is not closed."),
    ({"direction": "x" * 501}, "direction", "The direction has at most 500 characters (this has 501)."),
    ({"direction": 7}, "direction", "The direction must be text."),
]


def test_every_bad_rule_is_refused_naming_its_field_and_creates_nothing(api, campaign, work):
    plan(api, campaign, work)
    for values, field, message in BAD_RULES:
        status, body = api.post(f"/api/campaigns/{campaign.id}/triggers", json={**PHASE_2_CTR, **values})
        assert status == 422, (values, body)
        assert message in body["detail"].get(field, ""), (values, body["detail"])
    assert Trigger.query.count() == 0


def test_scopes_that_name_no_post_of_the_current_strategy_are_refused(api, campaign, work, user):
    posts = plan(api, campaign, work)
    other = campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN, name="Other launch"))
    stranger = accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
    foreign = campaigns.create_campaign(stranger.workspace_id, dict(CAMPAIGN))
    stray = Post(campaign_id=other.id, version=1, phase=1, key="x1", title="Another campaign's post",
                 channel="email", brief="-")
    abroad = Post(campaign_id=foreign.id, version=1, phase=1, key="x1", title="Another workspace's post",
                  channel="email", brief="-")
    db.session.add_all([stray, abroad])
    db.session.commit()
    # Regenerating from phase 3 archives the posts of phases 3 and 4.
    status, body = regenerate(api, campaign.id, 3)
    assert status == 202, body
    work()
    archived = phase(posts, 4)[0]
    db.session.refresh(archived)
    assert not archived.is_active

    cases = [
        ({"scope_phase": None, "scope_post_id": str(stray.id)}, "This campaign has no such post."),
        ({"scope_phase": None, "scope_post_id": str(abroad.id)}, "This campaign has no such post."),
        ({"scope_phase": None, "scope_post_id": str(archived.id)}, "That post belongs to an archived version"),
        ({"scope_phase": 1, "scope_post_id": str(posts[0].id)}, "Choose a phase or one post as the scope, not both."),
        ({"scope_phase": None, "scope_post_id": {"id": 1}}, "This campaign has no such post."),
    ]
    for values, message in cases:
        status, body = api.post(f"/api/campaigns/{campaign.id}/triggers", json={**PHASE_2_CTR, **values})
        assert status == 422, (values, body)
        assert message in body["detail"]["scope_post_id"], (values, body)
    assert Trigger.query.count() == 0


def test_no_strategy_yet_is_a_conflict_and_another_workspace_is_not_found(api, campaign, work):
    status, body = api.post(f"/api/campaigns/{campaign.id}/triggers", json=PHASE_2_CTR)
    assert status == 409 and "no strategy yet" in body["error"]
    stranger = accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
    foreign = campaigns.create_campaign(stranger.workspace_id, dict(CAMPAIGN))
    for path in (f"/api/campaigns/{foreign.id}/triggers", f"/api/campaigns/{foreign.id}/alerts"):
        assert api.get(path)[0] == 404
    assert api.post(f"/api/campaigns/{foreign.id}/triggers", json=PHASE_2_CTR)[0] == 404
    assert api.post(f"/api/campaigns/{foreign.id}/triggers", json={"metric": 5})[0] == 404
    assert Trigger.query.count() == 0


# --- Firing once ---------------------------------------------------------------------------------------

def test_an_alert_holds_the_evidence_and_the_suggested_regeneration(api, campaign, work):
    posts = plan(api, campaign, work)
    trigger = create(api, campaign)
    second = phase(posts, 2)
    record(campaign, low_ctr(second[:2], days_ago=2, clicks=4) + low_ctr(second[1:], days_ago=1, clicks=2))

    status, body = api.get(f"/api/campaigns/{campaign.id}/alerts")
    assert status == 200 and len(body["alerts"]) == 1
    alert = body["alerts"][0]
    evidence = alert["evidence"]
    impressions = 1200 * 2 * (2 + len(second) - 1)
    clicks = 4 * 4 + 2 * 2 * (len(second) - 1)
    ctr = 100 * clicks / impressions
    assert evidence["sentence"] == (f"Phase 2 CTR is {ctr:.1f}% (threshold 1%) over {impressions:,} impressions, "
                                    f"{day(2)} to {day(1)}")
    assert evidence["rule"] == trigger["rule"] and evidence["threshold"] == 1
    assert (evidence["first_day"], evidence["last_day"]) == (day(2), day(1))
    assert [d["day"] for d in evidence["daily"]] == [day(2), day(1)]
    assert {p["id"] for p in evidence["posts"]} == {str(p.id) for p in second}
    # The posts that pull the CTR down come first.
    values = [p["value"] for p in evidence["posts"]]
    assert values == sorted(values)
    # The direction states the intent; the evidence reaches the model beside it, not inside it.
    assert alert["action"] == {"kind": "regenerate", "from_phase": 2, "direction": (
        "Win back clicks in phase 2: lead with Phase 2's best posts and fix CTR")}
    assert alert["trigger_id"] == trigger["id"] and alert["dismissed_at"] is None and alert["run_id"] is None

    status, listed = api.get(f"/api/campaigns/{campaign.id}/triggers")
    assert listed["triggers"][0]["standing"] == "broken"
    assert listed["triggers"][0]["status"].startswith(f"Broken: CTR is {ctr:.1f}% over {impressions:,}")


def test_the_same_evidence_never_fires_twice(api, campaign, work):
    posts = plan(api, campaign, work)
    create(api, campaign)
    rows = low_ctr(phase(posts, 2))
    record(campaign, rows)
    record(campaign, rows)
    check_campaign(campaign.id)
    assert len(alerts_of(campaign.id)) == 1

    first = alerts_of(campaign.id)[0]
    status, body = api.post(f"/api/campaigns/{campaign.id}/alerts/{first.id}/dismiss")
    assert status == 200 and body["dismissed_at"] is not None
    # The same rows again, after dismissing: the same evidence, so no new alert.
    record(campaign, rows)
    results.check_all()
    assert len(alerts_of(campaign.id)) == 1 and not open_alerts(campaign.id)

    # New numbers after dismissing make one new alert, and only one.
    record(campaign, low_ctr(phase(posts, 2), days_ago=3))
    record(campaign, low_ctr(phase(posts, 2), days_ago=4))
    assert len(alerts_of(campaign.id)) == 2
    assert [a.id for a in open_alerts(campaign.id)] == [alerts_of(campaign.id)[1].id]
    # Dismissing twice changes nothing.
    status, again = api.post(f"/api/campaigns/{campaign.id}/alerts/{first.id}/dismiss")
    assert status == 200 and again["dismissed_at"] == body["dismissed_at"]


def test_a_rule_that_holds_or_waits_raises_nothing(api, campaign, work):
    posts = plan(api, campaign, work)
    impressions = 1200 * 2 * len(phase(posts, 2))
    create(api, campaign, min_impressions=impressions + 1)
    record(campaign, low_ctr(phase(posts, 2)))
    assert alerts_of(campaign.id) == []
    create(api, campaign, comparison=">", threshold=5)  # CTR 0.25% is not above 5%
    assert alerts_of(campaign.id) == []
    create(api, campaign, scope_phase=3)  # nothing recorded for phase 3
    assert alerts_of(campaign.id) == []
    statuses = [t["status"] for t in api.get(f"/api/campaigns/{campaign.id}/triggers")[1]["triggers"]]
    assert statuses[0] == f"Waiting for {impressions + 1:,} impressions (has {impressions:,})."
    assert statuses[1] == f"Holding: CTR is 0.2% over {impressions:,} impressions."
    assert statuses[2] == "Waiting for 1,000 impressions (has 0)."


def test_pause_stops_firing_and_resume_judges_at_once(api, campaign, work):
    posts = plan(api, campaign, work)
    trigger = get_trigger(campaign.workspace_id, campaign.id, create(api, campaign)["id"])
    results.set_trigger_paused(campaign.workspace_id, campaign.id, trigger.id, True)
    record(campaign, low_ctr(phase(posts, 2)))
    results.check_all()
    assert alerts_of(campaign.id) == []
    assert api.get(f"/api/campaigns/{campaign.id}/triggers")[1]["triggers"][0]["paused"] is True

    results.set_trigger_paused(campaign.workspace_id, campaign.id, trigger.id, False)
    assert len(open_alerts(campaign.id)) == 1


def test_deleting_a_trigger_keeps_its_alerts_as_past_alerts(api, campaign, work):
    posts = plan(api, campaign, work)
    trigger = create(api, campaign)
    record(campaign, low_ctr(phase(posts, 2)))
    results.delete_trigger(campaign.workspace_id, campaign.id, trigger["id"])
    assert Trigger.query.count() == 0
    status, body = api.get(f"/api/campaigns/{campaign.id}/alerts")
    assert len(body["alerts"]) == 1
    alert = body["alerts"][0]
    assert alert["trigger_id"] is None and alert["dismissed_at"] is not None
    assert alert["evidence"]["rule"] == trigger["rule"]
    # More bad numbers fire nothing: the rule is gone.
    record(campaign, low_ctr(phase(posts, 2), days_ago=2))
    assert len(alerts_of(campaign.id)) == 1


def test_alerts_of_another_campaign_or_unknown_are_not_found(api, campaign, work, user):
    posts = plan(api, campaign, work)
    create(api, campaign)
    record(campaign, low_ctr(phase(posts, 2)))
    alert = alerts_of(campaign.id)[0]
    other = campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN, name="Other launch"))
    assert api.post(f"/api/campaigns/{other.id}/alerts/{alert.id}/dismiss")[0] == 404
    assert api.post(f"/api/campaigns/{campaign.id}/alerts/{alert.id + 1}/dismiss")[0] == 404
    assert open_alerts(campaign.id)[0].id == alert.id


def test_concurrent_metric_posts_that_each_break_the_rule_fire_exactly_once(app, api, campaign, work):
    """Threads, each in its own app context (its own session and connection), record metrics at the same
    moment against the same database; every batch breaks the rule with different numbers, so each check
    sees new evidence. The database keeps one open alert per trigger."""
    posts = plan(api, campaign, work)
    create(api, campaign, scope_phase=None, from_phase=2, min_impressions=500)
    batches = [[row(post, variant, days_ago, 1000, 1)] for post in posts[:4] for variant in "AB"
               for days_ago in (1, 2)]
    barrier = threading.Barrier(len(batches))
    failures = []

    def send(batch):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results.record_metrics(campaign.workspace_id, campaign.id, batch)
            except Exception as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(alerts_of(campaign.id)) == 1
    assert results.open_alert_count(campaign.id) == 1


# --- What has worked: the A/B winners in later content calls ---------------------------------------------

WINNERS_HEADING = "What has worked so far in this campaign's A/B tests"


def _variant_call(fake_openai, answers, work, campaign, post, label="A") -> str:
    """Rewrite one variant of `post`; return the user message of its model call."""
    fake_openai.reset()
    answers.listen()
    strategy.regenerate_variant(campaign.workspace_id, campaign.id, post.id, label, "Shorter, please")
    work()
    calls = answers.calls("VariantContent")
    assert len(calls) == 1
    return calls[0]["messages"][1]["content"]


@pytest.mark.llm("openai")
def test_the_winning_variant_reaches_later_content_calls_and_nothing_before(api, campaign, work, fake_openai):
    answers = Answers(fake_openai)
    answers.plan_and_write(api, campaign, work)
    posts = current_posts(campaign.id)
    tested = posts[0]
    # No numbers, then numbers without a clear winner: the prompts say nothing about A/B tests.
    assert WINNERS_HEADING not in _variant_call(fake_openai, answers, work, campaign, posts[1])
    record(campaign, [row(tested, "A", 2, 2000, 40), row(tested, "B", 2, 2000, 42)])
    assert results.winners(campaign.id) == []
    assert WINNERS_HEADING not in _variant_call(fake_openai, answers, work, campaign, posts[1])

    # B wins with confidence: its headline and angle go into the next variant's call ...
    record(campaign, [row(tested, "A", 1, 2000, 20), row(tested, "B", 1, 2000, 100)])
    winner = f'variant B: headline "Headline {tested.key} B"; angle: Body of {tested.key}, variant B.'
    prompt = _variant_call(fake_openai, answers, work, campaign, posts[2])
    assert WINNERS_HEADING in prompt and winner in prompt
    assert "Headline " + tested.key + " A" not in prompt

    # ... and into every new post's call after a regeneration.
    fake_openai.reset()
    answers.listen()
    answers.regeneration = valid_regeneration(3, [p.key for p in phase(posts, 2)], (2, 2), CHANNELS)
    status, body = regenerate(api, campaign.id, 3)
    assert status == 202, body
    work()
    content = answers.calls("PostContent")
    assert len(content) == 4
    for call in content:
        text = call["messages"][1]["content"]
        assert text.count(WINNERS_HEADING) == 1 and winner in text
