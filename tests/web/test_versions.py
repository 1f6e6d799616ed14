"""The versions page: a timeline after a plan, a regeneration and a restore, with what each one kept, added and
archived; any version read-only with exactly its members; restoring through the version page's dialog; the API."""
import re

import pytest

from markupsafe import escape

from gtm.extensions import db
from gtm.models import Campaign, Member, Post, Run, StrategyVersion
from gtm.services import accounts, campaigns, strategy

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import PASSWORD
from tests.kit.fake_openai import Reply
from tests.kit.pages import check_page
from tests.kit.plans import schema_name, valid_plan, valid_regeneration
from tests.kit.strategy import plan_and_write, regenerate


def members(campaign_id, number) -> set[int]:
    return {m.post_id for m in Member.query.filter_by(campaign_id=campaign_id, version=number)}


def plan_and_regenerate(api, campaign, work) -> tuple[set[int], set[int]]:
    """Plan version 1, regenerate from phase 2 as version 2; return both versions' members."""
    plan_and_write(api, campaign, work)
    status, _ = regenerate(api, campaign.id, 2)
    assert status == 202
    work()
    return members(campaign.id, 1), members(campaign.id, 2)


def tokens_of(run_id) -> int:
    runs = Run.query.filter((Run.id == run_id) | (Run.parent_id == run_id)).all()
    return sum(r.tokens_in + r.tokens_out for r in runs)


def test_timeline_after_plan_regenerate_and_restore(api, auth_client, campaign, work, user):
    v1, v2 = plan_and_regenerate(api, campaign, work)
    response = auth_client.post(f"/campaigns/{campaign.id}/strategy/versions/1/restore")
    assert response.status_code == 303
    kept = v1 & v2
    assert kept and len(v1) == 12 and v2 - v1

    found = {e.version.number: e for e in strategy.timeline(campaign.workspace_id, campaign.id).entries}
    counts = {n: (e.posts, e.kept, e.new, e.back, e.archived, e.is_current) for n, e in found.items()}
    assert counts == {
        1: (12, 0, 12, 0, 0, False),
        2: (len(v2), len(kept), len(v2 - v1), 0, len(v1 - v2), False),
        3: (12, len(kept), 0, len(v1 - v2), len(v2 - v1), True),
    }
    assert [e.author for e in found.values()] == [user.email] * 3
    for entry in found.values():
        assert entry.tokens == tokens_of(entry.version.run_id)
    assert found[2].tokens > 0

    url = f"/campaigns/{campaign.id}/strategy/versions"
    response = auth_client.get(url)
    check_page(url, response)
    html = response.get_data(as_text=True)
    # Newest first, the current one marked, each with where it came from.
    assert [int(n) for n in re.findall(r'<li id="version-(\d+)"', html)] == [3, 2, 1]
    assert re.search(r'id="version-3" class="timeline-entry current"', html)
    assert "· restored from version 1" in html and "· regenerated from phase 2" in html and "· planned" in html
    assert f'{len(kept)} kept</span>,\n        <span class="count-new">{len(v2 - v1)} new' in html
    assert f'<span class="count-archived">{len(v1 - v2)} archived' in html
    # The board keeps a short line that leads here.
    board = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "3 versions ·" in board and f'href="{url}">see the history</a>' in board


def test_a_version_shows_exactly_its_members_and_nothing_to_edit(api, auth_client, campaign, work):
    v1, v2 = plan_and_regenerate(api, campaign, work)
    url = f"/campaigns/{campaign.id}/strategy/versions/1"
    response = auth_client.get(url)
    parser = check_page(url, response)
    html = response.get_data(as_text=True)
    assert "Version 1 · archived · read-only" in html
    cards = {int(i) for i in re.findall(r'<article class="post-card[^"]*" data-post="(\d+)"', html)}
    nodes = {int(i) for i in re.findall(r'<g class="node[^"]*" data-post="(\d+)"', html)}
    assert cards == nodes == v1
    # Each member with its current variant's headline.
    post = db.session.get(Post, min(v1))
    headline = next(v.headline for v in post.variants if v.label == "A" and v.is_current)
    assert f"“{escape(headline)}”" in html
    # Nothing to change: no form at all (approve, retry, plan), no regenerate link; the one htmx request opens
    # the restore dialog.
    content = html[html.index("<main"):html.index("</main>")]
    assert "<form" not in content and "<button" not in content
    for control in ("Approve all", "Retry", "Regenerate from", "Add phases"):
        assert control not in content
    assert [e.get("hx-get") for e in parser.htmx] == [f"{url}/restore"]
    assert "Restore this version" in html and f"compare?a=1&amp;b=2" in html

    current = auth_client.get(f"/campaigns/{campaign.id}/strategy/versions/2").get_data(as_text=True)
    assert "Version 2 · current · read-only" in current and "Restore this version" not in current
    assert {int(i) for i in re.findall(r'<article class="post-card[^"]*" data-post="(\d+)"', current)} == v2
    assert auth_client.get(f"/campaigns/{campaign.id}/strategy/versions/9").status_code == 404


def test_restore_from_the_version_page_gives_back_exactly_version_1(api, htmx, campaign, work, fake_openai):
    v1, v2 = plan_and_regenerate(api, campaign, work)
    url = f"/campaigns/{campaign.id}/strategy/versions/1/restore"
    dialog = htmx.get(url)
    check_page(url, dialog)
    html = dialog.get_data(as_text=True)
    assert '<dialog id="restore-dialog"' in html and "No model calls." in html
    assert f"Posts that come back ({len(v1 - v2)})" in html and f"Posts archived ({len(v2 - v1)})" in html
    assert "makes <strong>version 3</strong>" in html
    runs_before, calls_before = Run.query.count(), len(fake_openai.chat_requests)

    response = htmx.post(url)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/campaigns/{campaign.id}/strategy"
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).current_version == 3
    assert members(campaign.id, 3) == v1
    assert {p.id for p in Post.query.filter_by(campaign_id=campaign.id, is_active=True)} == v1
    assert Run.query.count() == runs_before + 1 and Run.query.order_by(Run.id.desc()).first().kind == "restore"
    assert len(fake_openai.chat_requests) == calls_before
    version = StrategyVersion.query.filter_by(campaign_id=campaign.id, number=3).one()
    assert (version.origin, version.based_on) == ("restore", 1)


def test_a_restore_while_a_change_is_in_flight_is_refused_readably(api, htmx, campaign, work):
    plan_and_regenerate(api, campaign, work)
    status, _ = regenerate(api, campaign.id, 3, "Focus on retention")  # queued, not worked: the slot is taken
    assert status == 202
    url = f"/campaigns/{campaign.id}/strategy/versions/1/restore"
    assert "A strategy change" in htmx.get(url).get_data(as_text=True)
    response = htmx.post(url)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert '<form id="restore-form"' in html and 'role="alert">A strategy change' in html
    assert db.session.get(Campaign, campaign.id).current_version == 2


def test_api_version_and_versions(api, campaign, work):
    v1, v2 = plan_and_regenerate(api, campaign, work)
    status, body = api.get(f"/api/campaigns/{campaign.id}/versions/1")
    assert status == 200 and body["version"] == 1 and body["is_current"] is False
    assert {int(p["id"]) for phase in body["phases"] for p in phase["posts"]} == v1
    assert {(int(e["from"]), int(e["to"])) for e in body["edges"]} <= {(a, b) for a in v1 for b in v1}
    assert body["edges"]
    status, current = api.get(f"/api/campaigns/{campaign.id}/versions/2")
    _, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert current == {**nodes, "is_current": True}
    assert api.get(f"/api/campaigns/{campaign.id}/versions/7")[0] == 404
    status, listed = api.get(f"/api/campaigns/{campaign.id}/versions")
    assert listed["current_version"] == 2
    first = listed["versions"][0]
    assert {"number", "origin", "from_phase", "direction", "based_on", "created_at", "posts", "is_current"} <= set(first)
    assert (first["number"], first["origin"], first["from_phase"], first["based_on"], first["posts"],
            first["is_current"]) == (2, "regenerate", 2, 1, len(v2), True)


def test_another_workspaces_versions_are_not_found(api, auth_client, campaign):
    other = accounts.sign_up("rival@example.com", PASSWORD)
    foreign = campaigns.create_campaign(other.workspace_id, dict(CAMPAIGN))
    for path in ("strategy/versions", "strategy/versions/1", "strategy/versions/1/restore"):
        assert auth_client.get(f"/campaigns/{foreign.id}/{path}").status_code == 404, path
    assert auth_client.post(f"/campaigns/{foreign.id}/strategy/versions/1/restore").status_code == 404
    assert api.get(f"/api/campaigns/{foreign.id}/versions/1")[0] == 404


@pytest.mark.llm("openai")
def test_a_restored_post_that_had_failed_comes_back_failed_with_its_retry(api, htmx, campaign, work, fake_openai):
    plan = valid_plan()
    # The post p2-1 cannot be written: the model fails every time it is asked for it.
    fake_openai.responder = lambda body: (
        Reply.json(plan) if schema_name(body) == "StrategyPlan"
        else Reply.error(500, "down") if "p2-1" in body["messages"][-1]["content"] and schema_name(body) == "PostContent"
        else None)
    plan_and_write(api, campaign, work)
    failed = Post.query.filter_by(key="p2-1").one()
    assert failed.status == "failed"
    fake_openai.responder = lambda body: Reply.json(valid_regeneration(1, [], sizes=(3, 3, 3))) \
        if schema_name(body) == "StrategyRegeneration" else None
    status, body = regenerate(api, campaign.id, 1, "Start again")
    assert status == 202, body
    work()
    assert db.session.get(Run, int(body["run_id"])).status == "succeeded"
    db.session.expire_all()
    assert not db.session.get(Post, failed.id).is_active

    status, body = api.post(f"/api/campaigns/{campaign.id}/versions/1/restore")
    assert status == 201
    db.session.expire_all()
    back = db.session.get(Post, failed.id)
    assert back.is_active and back.status == "failed" and back.error
    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert f"/posts/{failed.id}/retry" in board
    assert htmx.post(f"/campaigns/{campaign.id}/posts/{failed.id}/retry").status_code == 200
    work()
    db.session.expire_all()
    assert db.session.get(Post, failed.id).status == "ready"
