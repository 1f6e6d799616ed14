"""Regenerating the strategy from phase N: kept posts stay exactly as they were, later phases are archived
and replaced, the model is called first and a failure changes nothing; the agents API and the preview."""
import pytest

from gtm.extensions import db
from gtm.models import Campaign, Edge, Member, Phase, Post, Run, StrategyVersion, Variant
from gtm.services import strategy

from .fake_openai import Reply
from .plans import schema_name, valid_plan


def plan_and_write(api, campaign, work) -> dict:
    """Plan version 1 and write every post; return the nodes."""
    status, _ = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202
    work()
    status, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert status == 200 and nodes["version"] == 1
    return nodes


def snapshot(campaign_id: int) -> dict:
    """Everything a failed or refused change must leave as it was."""
    db.session.expire_all()
    return {
        "current": db.session.get(Campaign, campaign_id).current_version,
        "versions": sorted(v.number for v in StrategyVersion.query.filter_by(campaign_id=campaign_id)),
        "active": sorted(p.id for p in Post.query.filter_by(campaign_id=campaign_id, is_active=True)),
        "posts": Post.query.filter_by(campaign_id=campaign_id).count(),
        "members": Member.query.filter_by(campaign_id=campaign_id).count(),
        "phases": Phase.query.filter_by(campaign_id=campaign_id).count(),
        "edges": Edge.query.filter_by(campaign_id=campaign_id).count(),
        "variants": Variant.query.count(),
    }


def regenerate(api, campaign_id, phase_num, direction="Pivot to a developer-first strategy with technical demos"):
    return api.post("/api/agents/regenerate-strategy/",
                    json={"campaign_id": str(campaign_id), "phase_num": phase_num, "new_direction": direction})


def test_regenerate_from_phase_2_keeps_phase_1_and_replaces_the_rest(api, campaign, work):
    nodes = plan_and_write(api, campaign, work)
    first = nodes["phases"][0]["posts"][0]["id"]
    strategy.approve(campaign.workspace_id, campaign.id, int(first))
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
