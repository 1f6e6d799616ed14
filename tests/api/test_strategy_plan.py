"""Planning the strategy: a valid plan is saved as a version; a plan that breaks a graph rule gets one
repair attempt and then fails the run with nothing saved; bad input changes nothing; each plan records
its members."""
import copy

import pytest

from gtm.extensions import db
from gtm.models import Campaign, Edge, Phase, Post, Run, StepVersion, StrategyVersion, Variant
from gtm.services import accounts, campaigns

from tests.kit.campaigns import CAMPAIGN
from tests.kit.fake_openai import Reply
from tests.kit.jobs import queue_length
from tests.kit.plans import schema_name, valid_plan
from tests.kit.strategy import answer_plans_with, plan_twice


def nothing_saved(campaign_id: int) -> None:
    assert StrategyVersion.query.count() == 0
    assert Phase.query.count() == Post.query.count() == Edge.query.count() == Variant.query.count() == 0
    assert Run.query.filter_by(kind="post").count() == 0
    assert db.session.get(Campaign, campaign_id).current_version is None


@pytest.mark.llm("openai")
def test_valid_plan_is_saved_as_version_1(api, campaign, work, fake_openai):
    plan = valid_plan()
    answer_plans_with(fake_openai, plan)
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202
    work()

    pipeline = db.session.get(Run, int(body["run_id"]))
    assert pipeline.status == "succeeded", pipeline.error
    assert (pipeline.done, pipeline.total) == (12, 12)
    assert pipeline.tokens_in > 0 and pipeline.provider == "openai"
    version = StrategyVersion.query.one()
    assert (version.number, version.origin, version.run_id) == (1, "plan", pipeline.id)
    assert db.session.get(Campaign, campaign.id).current_version == 1
    assert [(p.number, p.name, p.goal) for p in Phase.query.order_by(Phase.number)] == [
        (n, f"Phase {n} name", f"Goal of phase {n}") for n in range(1, 5)]
    posts = {p.key: p for p in Post.query.all()}
    assert len(posts) == 12
    assert all(p.version == 1 and p.is_active and p.status == "ready" for p in posts.values())
    assert posts["p2-1"].phase == 2 and posts["p2-1"].channel == "email" and posts["p2-1"].day == 15
    saved = {(e.from_post_id, e.to_post_id) for e in Edge.query.all()}
    assert saved == {(posts[e["from"]].id, posts[e["to"]].id) for e in plan["edges"]}
    children = Run.query.filter_by(kind="post").all()
    assert len(children) == 12 and {c.parent_id for c in children} == {pipeline.id}
    assert all(c.status == "succeeded" for c in children)
    # Each post has variants A and B, written once.
    assert Variant.query.count() == 24

    plan_request = fake_openai.chat_requests[0]
    assert schema_name(plan_request) == "StrategyPlan"
    prompt = plan_request["messages"][1]["content"]
    assert "Bloom is a CRM" in prompt and "linkedin, email, instagram" in prompt
    assert "Earlier analysis steps" not in prompt  # it works without any analysis


@pytest.mark.llm("openai")
def test_plan_uses_the_current_analysis_versions(api, campaign, work, fake_openai, app):
    fake_openai.responder = lambda body: Reply.json(valid_plan()) if schema_name(body) == "StrategyPlan" else None
    api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    work()
    assert StepVersion.query.filter_by(kind="competitors", is_current=True).count() == 1
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    plan_request = next(r for r in fake_openai.chat_requests if schema_name(r) == "StrategyPlan")
    prompt = plan_request["messages"][1]["content"]
    assert "Earlier analysis steps" in prompt and "[competitors]" in prompt and "Sample name 1" in prompt
    # Each post's call carries the compacted analysis too.
    post_request = next(r for r in fake_openai.chat_requests if schema_name(r) == "PostContent")
    assert "[competitors]" in post_request["messages"][1]["content"]


def test_replanning_makes_version_2_and_deactivates_older_posts(api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    first = {p.id for p in Post.query.all()}
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "A short campaign"})
    assert status == 202
    work()
    assert db.session.get(Run, int(body["run_id"])).status == "succeeded"
    assert db.session.get(Campaign, campaign.id).current_version == 2
    old = Post.query.filter(Post.id.in_(first)).all()
    assert old and all(not p.is_active and p.version == 1 for p in old)
    new = Post.query.filter_by(version=2).all()
    assert new and all(p.is_active and p.status == "ready" for p in new)
    # The offline plan follows the direction: "short" gives three phases.
    assert Phase.query.filter_by(version=2).count() == 3
    status, versions = api.get(f"/api/campaigns/{campaign.id}/versions")
    assert status == 200 and versions["current_version"] == 2
    assert [v["number"] for v in versions["versions"]] == [2, 1]
    assert versions["versions"][0]["direction"] == "A short campaign" and versions["versions"][0]["is_current"]
    assert versions["versions"][1]["posts"] == len(first)
    status, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    ids = {int(p["id"]) for phase in nodes["phases"] for p in phase["posts"]}
    assert nodes["version"] == 2 and ids == {p.id for p in new}


def _break(plan: dict, rule: str) -> dict:
    plan = copy.deepcopy(plan)
    phases, edges = plan["phases"], plan["edges"]
    if rule == "duplicate key":
        phases[1]["posts"][1]["key"] = "p1-0"
    elif rule == "unknown channel":
        phases[2]["posts"][0]["channel"] = "fax"
    elif rule == "no parent":
        plan["edges"] = [e for e in edges if e["to"] != "p3-2"]
    elif rule == "no child":
        plan["edges"] = [e for e in edges if e["from"] != "p2-2"]
    elif rule == "skips a phase":
        edges.append({"from": "p1-0", "to": "p3-0"})
    elif rule == "backwards edge":
        edges.append({"from": "p3-0", "to": "p2-2"})
    elif rule == "edge inside a phase":
        edges.append({"from": "p2-0", "to": "p2-1"})
    elif rule == "duplicate edge":
        edges.append(dict(edges[0]))
    elif rule == "unknown key":
        edges.append({"from": "p1-0", "to": "p9-9"})
    elif rule == "misnumbered phases":
        phases[2]["number"] = 4
        phases[3]["number"] = 5
    elif rule == "day out of range":
        phases[0]["posts"][0]["day"] = -3
    return plan


RULES = [
    ("too few phases", lambda: valid_plan(sizes=(3, 3)), "the plan has 2 phases; it needs 3 to 5"),
    ("too many phases", lambda: valid_plan(sizes=(2,) * 6), "the plan has 6 phases; it needs 3 to 5"),
    ("too few posts", lambda: valid_plan(sizes=(3, 1, 3, 3)), "phase 2 has 1 post; each phase needs 2 to 5"),
    ("too many posts", lambda: valid_plan(sizes=(3, 6, 3)), "phase 2 has 6 posts; each phase needs 2 to 5"),
    ("duplicate key", None, "post key 'p1-0' is used twice"),
    ("unknown channel", None, "uses channel 'fax'; use one of the campaign's channels"),
    ("no parent", None, "post 'p3-2' in phase 3 has no parent in phase 2"),
    ("no child", None, "post 'p2-2' in phase 2 has no child in phase 3"),
    ("skips a phase", None, "edge p1-0 → p3-0 joins phase 1 to phase 3"),
    ("backwards edge", None, "edge p3-0 → p2-2 joins phase 3 to phase 2"),
    ("edge inside a phase", None, "edge p2-0 → p2-1 joins phase 2 to phase 2"),
    ("duplicate edge", None, "edge p1-0 → p2-0 appears twice"),
    ("unknown key", None, "names unknown post key 'p9-9'"),
    ("misnumbered phases", None, "phases must be numbered 1 to 4 in order"),
    ("day out of range", None, "post 'p1-0' is on day -3"),
]


@pytest.mark.llm("openai")
@pytest.mark.parametrize("rule,make,message", RULES, ids=[r[0] for r in RULES])
def test_a_plan_that_breaks_a_rule_is_repaired_once_then_fails(rule, make, message, api, campaign, work,
                                                               fake_openai, app):
    bad = make() if make else _break(valid_plan(), rule)
    fake_openai.script(Reply.json(bad), Reply.json(bad))
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202
    work()

    requests = fake_openai.chat_requests
    assert len(requests) == 2, "one planning call and one repair attempt"
    repair = requests[1]["messages"][-1]["content"]
    assert "cannot be used because of these problems" in repair and message in repair
    assert requests[1]["messages"][-2] == {"role": "assistant", "content": __import__("json").dumps(bad)}
    status, run = api.get(f"/api/runs/{body['run_id']}")
    assert run["status"] == "failed"
    assert "nothing was saved" in run["error"] and message in run["error"]
    nothing_saved(campaign.id)
    assert queue_length(app) == 0


@pytest.mark.llm("openai")
def test_a_repaired_plan_is_saved(api, campaign, work, fake_openai):
    fake_openai.script(Reply.json(_break(valid_plan(), "no parent")), Reply.json(valid_plan(sizes=(2, 2, 2))))
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    assert db.session.get(Run, int(body["run_id"])).status == "succeeded"
    assert Post.query.filter_by(is_active=True).count() == 6
    assert len([r for r in fake_openai.chat_requests if schema_name(r) == "StrategyPlan"]) == 2


def test_direction_too_long_is_refused_and_nothing_changes(api, campaign, app):
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "x" * 1001})
    assert status == 422
    assert "at most 1,000 characters" in body["detail"]["direction"]
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": ["not", "text"]})
    assert status == 422 and "direction" in body["detail"]
    assert Run.query.count() == 0 and queue_length(app) == 0


def test_a_second_plan_while_one_is_in_flight_is_a_conflict(api, campaign, app, work):
    status, first = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "Another"})
    assert status == 409 and "already being planned" in body["error"]
    assert Run.query.count() == 1 and queue_length(app) == 1
    work()
    # Once the pipeline has finished, planning again is fine.
    status, _ = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202


def test_unknown_and_foreign_campaigns_are_not_found(api, campaign, app):
    stranger = accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
    theirs = campaigns.create_campaign(stranger.workspace_id, dict(CAMPAIGN, name="Theirs"))
    for campaign_id in (theirs.id, 99999):
        assert api.post(f"/api/campaigns/{campaign_id}/strategy")[0] == 404
        assert api.get(f"/api/campaigns/{campaign_id}/nodes")[0] == 404
        assert api.post(f"/api/campaigns/{campaign_id}/approve-all")[0] == 404
        assert api.get(f"/api/campaigns/{campaign_id}/versions")[0] == 404
    assert Run.query.count() == 0 and queue_length(app) == 0


def test_plan_form_shows_field_errors_then_plans(auth_client, campaign, app):
    response = auth_client.post(f"/campaigns/{campaign.id}/strategy/plan", data={"direction": "y" * 1200})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="direction-error"' in page and "at most 1,000 characters" in page
    assert Run.query.count() == 0 and queue_length(app) == 0
    response = auth_client.post(f"/campaigns/{campaign.id}/strategy/plan", data={"direction": "Warm tone"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/campaigns/{campaign.id}/strategy")
    assert Run.query.one().params["direction"] == "Warm tone"
    response = auth_client.post(f"/campaigns/{campaign.id}/strategy/plan", data={})
    assert response.status_code == 409 and "already being planned" in response.get_data(as_text=True)
    assert Run.query.count() == 1


def test_each_plan_records_its_members(api, campaign, work):
    from gtm.services.strategy.lookups import member_posts

    plan_twice(api, campaign, work)
    for version in (1, 2):
        members = member_posts(campaign.id, version)
        assert members and [p.id for p in members] == [p.id for p in Post.query.filter_by(version=version)
                                                        .order_by(Post.phase, Post.id)]
    assert {p.is_active for p in member_posts(campaign.id, 2)} == {True}
