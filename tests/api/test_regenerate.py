"""Regenerating the strategy from phase N: kept posts stay exactly as they were, later phases are archived
and replaced, the model is called first and a failure changes nothing; the agents API and the preview."""
import pytest

from gtm.extensions import db
from gtm.models import Member, Phase, Post, Run, StrategyVersion, Variant
from gtm.services import accounts, campaigns, strategy
from gtm.services import errors as strategy_errors

from tests.kit.campaigns import CAMPAIGN
from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name, valid_plan
from tests.kit.strategy import plan_and_write, regenerate, snapshot


def test_regenerate_from_phase_2_keeps_phase_1_and_replaces_the_rest(api, campaign, work):
    nodes = plan_and_write(api, campaign, work)
    first = nodes["phases"][0]["posts"][0]["id"]
    strategy.approve_post(campaign.workspace_id, campaign.id, int(first))
    before = api.get(f"/api/campaigns/{campaign.id}/nodes")[1]
    phase_1 = {p["id"]: p for p in before["phases"][0]["posts"]}
    variants_before = {v.id: (v.post_id, v.label, v.headline) for v in Variant.query.all()}
    kept_runs = Run.query.filter(Run.kind == "post").count()
    replaced = [p["id"] for phase in before["phases"][1:] for p in phase["posts"]]

    status, body = regenerate(api, campaign.id, 2)
    assert status == 202 and body["version"] == 2
    work()

    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "succeeded", run.error
    status, after = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert after["version"] == 2
    # Phase 1: the same rows, content and approvals.
    assert {p["id"]: p for p in after["phases"][0]["posts"]} == phase_1
    assert db.session.get(Post, int(first)).approved
    # Every variant written before is still there, unchanged; kept posts got no new runs.
    for variant_id, values in variants_before.items():
        v = db.session.get(Variant, variant_id)
        assert (v.post_id, v.label, v.headline) == values
    new_posts = [p for phase in after["phases"][1:] for p in phase["posts"]]
    assert all(p["version"] == 2 and p["status"] == "ready" for p in new_posts)
    assert Run.query.filter(Run.kind == "post").count() == kept_runs + len(new_posts)
    assert {r.params["post_id"] for r in Run.query.filter_by(parent_id=run.id)} == {int(p["id"]) for p in new_posts}
    # New phase 2 posts hang from the kept phase 1 posts, and every kept phase 1 post has a child.
    edges = {(e["from"], e["to"]) for e in after["edges"]}
    phase_2 = {p["id"] for p in after["phases"][1]["posts"]}
    assert all(any((k, n) in edges for k in phase_1) for n in phase_2)
    assert all(any((k, n) in edges for n in phase_2) for k in phase_1)
    # Archived posts still exist, with their variants, and are not shown.
    for post_id in replaced:
        archived = db.session.get(Post, int(post_id))
        assert archived is not None and not archived.is_active and len(archived.variants) == 2
    shown = {p["id"] for phase in after["phases"] for p in phase["posts"]}
    assert not shown & set(replaced)
    version = StrategyVersion.query.filter_by(campaign_id=campaign.id, number=2).one()
    assert (version.origin, version.from_phase, version.based_on) == ("regenerate", 2, 1)
    assert version.direction.startswith("Pivot to a developer-first") and version.author_id is not None
    members = {m.post_id for m in Member.query.filter_by(campaign_id=campaign.id, version=2)}
    assert members == {int(i) for i in shown}


def test_regenerate_from_phase_1_replaces_every_post(api, campaign, work):
    before = plan_and_write(api, campaign, work)
    old = {p["id"] for phase in before["phases"] for p in phase["posts"]}
    status, body = regenerate(api, campaign.id, 1, "Start over: developer-first")
    assert status == 202
    work()
    after = api.get(f"/api/campaigns/{campaign.id}/nodes")[1]
    new = {p["id"] for phase in after["phases"] for p in phase["posts"]}
    assert after["version"] == 2 and new and not new & old
    version = StrategyVersion.query.filter_by(number=2).one()
    assert (version.origin, version.from_phase) == ("regenerate", 1)
    assert all(not db.session.get(Post, int(i)).is_active for i in old)


def test_one_past_the_last_phase_extends_the_campaign(api, campaign, work):
    before = plan_and_write(api, campaign, work)
    count = len(before["phases"])
    every = {p["id"] for phase in before["phases"] for p in phase["posts"]}
    status, body = regenerate(api, campaign.id, count + 1, "Add a retention phase")
    assert status == 202
    work()
    after = api.get(f"/api/campaigns/{campaign.id}/nodes")[1]
    assert len(after["phases"]) > count
    assert [p["id"] for p in after["phases"][count - 1]["posts"]] == \
        [p["id"] for p in before["phases"][count - 1]["posts"]]
    assert every <= {p["id"] for phase in after["phases"] for p in phase["posts"]}, "nothing is archived"
    last_kept = {p["id"] for p in before["phases"][count - 1]["posts"]}
    added = {p["id"] for p in after["phases"][count]["posts"]}
    edges = {(e["from"], e["to"]) for e in after["edges"]}
    assert all(any((k, n) in edges for k in last_kept) for n in added)


def test_the_board_shows_the_version_its_origin_and_the_kept_posts(api, campaign, work, auth_client):
    plan_and_write(api, campaign, work)
    regenerate(api, campaign.id, 2, "Pivot to a developer-first strategy with <b>technical</b> demos")
    work()
    page = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Version 2</strong> · regenerated from phase 2: Pivot to a developer-first strategy with &lt;b&gt;" in page
    kept = Post.query.filter_by(version=1, is_active=True).count()
    assert kept and page.count("from version 1") == kept
    assert page.count(">Regenerate from phase ") == len(Phase.query.filter_by(version=2).all())
    archived = Post.query.filter_by(version=1, is_active=False).first()
    post_page = auth_client.get(f"/campaigns/{campaign.id}/posts/{archived.id}").get_data(as_text=True)
    assert "Archived in version 2" in post_page and "Regenerate variant" not in post_page


@pytest.mark.llm("openai")
def test_a_model_failure_changes_nothing_and_the_run_says_why(api, campaign, work, fake_openai):
    fake_openai.responder = lambda body: Reply.json(valid_plan()) if schema_name(body) == "StrategyPlan" else None
    plan_and_write(api, campaign, work)
    before = snapshot(campaign.id)
    fake_openai.responder = lambda body: Reply.error(500, "the model is down") \
        if schema_name(body) == "StrategyRegeneration" else None
    status, body = regenerate(api, campaign.id, 2)
    assert status == 202
    work()
    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "failed" and run.error
    assert snapshot(campaign.id) == before
    # The slot is free again: the marketer can retry at once.
    assert regenerate(api, campaign.id, 2)[0] == 202


@pytest.mark.llm("openai")
def test_a_plan_that_breaks_the_graph_rules_twice_changes_nothing(api, campaign, work, fake_openai):
    fake_openai.responder = lambda body: Reply.json(valid_plan()) if schema_name(body) == "StrategyPlan" else None
    plan_and_write(api, campaign, work)
    before = snapshot(campaign.id)
    # New phase 2 posts with no link from the kept phase 1 posts, and an edge into phase 1.
    broken = valid_plan(sizes=(3, 3))
    for number, phase in enumerate(broken["phases"], start=2):
        phase["number"] = number
    broken["edges"].append({"from": "p1-0", "to": "p1-1"})
    fake_openai.responder = lambda body: Reply.json(broken) if schema_name(body) == "StrategyRegeneration" else None
    status, body = regenerate(api, campaign.id, 2)
    work()
    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "failed"
    assert "not usable twice" in run.error and "kept" in run.error
    regeneration_calls = [r for r in fake_openai.chat_requests if schema_name(r) == "StrategyRegeneration"]
    assert len(regeneration_calls) == 2, "one repair, then it gives up"
    assert "kept post" in regeneration_calls[1]["messages"][-1]["content"]
    assert snapshot(campaign.id) == before


def test_the_swap_rolls_back_whole_when_it_cannot_be_saved(api, campaign, work):
    plan_and_write(api, campaign, work)
    status, body = regenerate(api, campaign.id, 2)
    assert status == 202
    # Something else took the number the run was to save (the database refuses a second version 2):
    # everything the swap wrote before that point must go too.
    db.session.add(StrategyVersion(campaign_id=campaign.id, number=2, origin="plan"))
    db.session.commit()
    before = snapshot(campaign.id)
    work()
    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "failed" and "nothing was changed" in run.error
    assert snapshot(campaign.id) == before
    assert Run.query.filter_by(parent_id=run.id).count() == 0


def test_undo_and_restore_make_new_versions_without_model_calls(api, campaign, work, fake_openai):
    nodes_1 = plan_and_write(api, campaign, work)
    regenerate(api, campaign.id, 2)
    work()
    calls = len(fake_openai.chat_requests)
    version = strategy.undo_change(campaign.workspace_id, campaign.id, 2)
    assert (version.number, version.origin, version.based_on) == (3, "restore", 1)
    status, nodes_3 = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert nodes_3["version"] == 3
    assert nodes_3["phases"] == nodes_1["phases"] and nodes_3["edges"] == nodes_1["edges"]
    assert len(fake_openai.chat_requests) == calls and Run.query.filter_by(kind="post").count() == \
        sum(len(p["posts"]) for p in nodes_1["phases"]) + Post.query.filter_by(version=2).count()
    # Undo only applies to the current version.
    with pytest.raises(strategy_errors.Conflict):
        strategy.undo_change(campaign.workspace_id, campaign.id, 2)
    # Version 3 holds exactly version 1's posts: restoring 1 again would only repeat it.
    status, body = api.post(f"/api/campaigns/{campaign.id}/versions/1/restore")
    assert status == 409 and "already holds exactly the posts of version 1" in body["error"]
    status, body = api.post(f"/api/campaigns/{campaign.id}/versions/2/restore")
    assert status == 201 and body == {"version": 4, "restored": 2}
    assert api.get(f"/api/campaigns/{campaign.id}/nodes")[1]["version"] == 4
    assert api.post(f"/api/campaigns/{campaign.id}/versions/4/restore")[0] == 409, "already current"
    assert api.post(f"/api/campaigns/{campaign.id}/versions/9/restore")[0] == 404
    assert [v.number for v in StrategyVersion.query.order_by(StrategyVersion.number)] == [1, 2, 3, 4]


def test_preview_lists_what_is_kept_and_archived(api, campaign, work):
    nodes = plan_and_write(api, campaign, work)
    approved = nodes["phases"][2]["posts"][0]["id"]
    strategy.approve_post(campaign.workspace_id, campaign.id, int(approved))
    before = snapshot(campaign.id)
    status, body = api.get(f"/api/campaigns/{campaign.id}/regenerate-preview?phase_num=3")
    assert status == 200
    assert [p["id"] for p in body["kept"]] == [p["id"] for phase in nodes["phases"][:2] for p in phase["posts"]]
    assert [p["id"] for p in body["archived"]] == [p["id"] for phase in nodes["phases"][2:] for p in phase["posts"]]
    assert body["approved_archived"] == 1 and body["version"] == 2 and body["busy"] is False
    assert body["calls_estimate"] == 1 + len(body["archived"])
    assert snapshot(campaign.id) == before
    for bad in ("0", "x", "", str(len(nodes["phases"]) + 2)):
        status, body = api.get(f"/api/campaigns/{campaign.id}/regenerate-preview?phase_num={bad}")
        assert status == 422 and "phase_num" in body["detail"], bad
    assert api.get(f"/api/campaigns/{campaign.id}/regenerate-preview")[0] == 422


def test_bad_requests_get_clear_errors_and_change_nothing(api, campaign, work, app):
    path = "/api/agents/regenerate-strategy/"
    good = {"campaign_id": str(campaign.id), "phase_num": 2, "new_direction": "Developer-first"}
    # No strategy yet.
    status, body = api.post(path, json=good)
    assert status == 409 and "plan one first" in body["error"]
    nodes = plan_and_write(api, campaign, work)
    before = snapshot(campaign.id)
    phases = len(nodes["phases"])
    cases = [
        ({**good, "campaign_id": "999999"}, 404, None),
        ({**good, "campaign_id": "abc"}, 404, None),
        ({k: v for k, v in good.items() if k != "campaign_id"}, 422, "campaign_id"),
        ({k: v for k, v in good.items() if k != "phase_num"}, 422, "phase_num"),
        ({**good, "phase_num": "2"}, 422, "phase_num"),
        ({**good, "phase_num": 2.5}, 422, "phase_num"),
        ({**good, "phase_num": True}, 422, "phase_num"),
        ({**good, "phase_num": 0}, 422, "phase_num"),
        ({**good, "phase_num": phases + 2}, 422, "phase_num"),
        ({k: v for k, v in good.items() if k != "new_direction"}, 422, "new_direction"),
        ({**good, "new_direction": ""}, 422, "new_direction"),
        ({**good, "new_direction": "   "}, 422, "new_direction"),
        ({**good, "new_direction": "x" * 1001}, 422, "new_direction"),
        ({**good, "new_direction": 5}, 422, "new_direction"),
    ]
    for payload, expected, field in cases:
        status, body = api.post(path, json=payload)
        assert status == expected, (payload, body)
        assert "error" in body
        if field:
            assert field in body["detail"], (payload, body)
    assert api.post(path, json=None, data="nope", content_type="text/plain")[0] == 400
    assert snapshot(campaign.id) == before and Run.query.filter_by(kind="regenerate").count() == 0
    # A foreign campaign is not found, the same as one that does not exist.
    with app.app_context():
        other = accounts.sign_up("other@example.com", "correct horse battery staple")
        foreign = campaigns.create_campaign(other.workspace_id, {**CAMPAIGN})
        assert api.post(path, json={**good, "campaign_id": str(foreign.id)})[0] == 404
        assert api.get(f"/api/campaigns/{foreign.id}/regenerate-preview?phase_num=1")[0] == 404
    # A second change while one is in flight.
    assert api.post(path, json=good)[0] == 202
    status, body = api.post(path, json=good)
    assert status == 409 and "in flight" in body["error"]
    assert api.post(f"/api/campaigns/{campaign.id}/strategy")[0] == 409
    assert api.post(f"/api/campaigns/{campaign.id}/versions/1/restore")[0] == 409
