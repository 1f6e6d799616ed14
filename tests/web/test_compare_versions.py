"""Comparing two strategy versions: posts added, removed, kept and changed (paired by key, then by the closest
title on the same channel, within a phase), edges and phases; the page's word diff and coloured graph; bad
versions refused."""
import re

import pytest

from gtm.extensions import db
from gtm.models import Edge, Member, Phase, Post, StrategyVersion, Variant
from gtm.services import accounts, campaigns
from gtm.services.strategy.compare import title_overlap, word_diff

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import PASSWORD
from tests.kit.pages import check_page


def add_post(campaign_id, version, phase, key, title, **values) -> Post:
    post = Post(campaign_id=campaign_id, version=version, phase=phase, key=key, title=title,
                channel=values.get("channel", "linkedin"), brief=values.get("brief", f"Brief of {title}"),
                day=values.get("day", phase * 7), status="ready", is_active=values.get("is_active", False))
    db.session.add(post)
    db.session.flush()
    if "headline" in values:
        db.session.add(Variant(post_id=post.id, label="A", headline=values["headline"], body=values.get("body", ""),
                               call_to_action="", image_prompt=""))
    return post


def add_version(campaign_id, number, phases, posts, edges=()):
    db.session.add(StrategyVersion(campaign_id=campaign_id, number=number, origin="plan" if number == 1 else
                                   "regenerate", from_phase=None if number == 1 else 2))
    for phase_number, name, goal in phases:
        db.session.add(Phase(campaign_id=campaign_id, version=number, number=phase_number, name=name, goal=goal))
    for post in posts:
        db.session.add(Member(campaign_id=campaign_id, version=number, post_id=post.id))
    for a, b in edges:
        if not Edge.query.filter_by(from_post_id=a.id, to_post_id=b.id).first():
            db.session.add(Edge(campaign_id=campaign_id, from_post_id=a.id, to_post_id=b.id))


@pytest.fixture
def two_versions(campaign):
    """Version 1 and version 2, built row by row so every kind of change is there on purpose."""
    c = campaign.id
    p = {
        "teaser": add_post(c, 1, 1, "teaser", "Launch teaser video"),
        "tour": add_post(c, 1, 2, "tour", "Product tour"),
        "story": add_post(c, 1, 2, "story", "Customer story: Acme", headline="Acme grew fast", body="Read how"),
        "pricing": add_post(c, 1, 2, "pricing", "Webinar on pricing"),
        "packaging": add_post(c, 1, 2, "packaging", "Webinar on packaging"),
        "holiday": add_post(c, 1, 2, "holiday", "Holiday promo"),
        "tips": add_post(c, 1, 1, "tips", "Setup tips"),
    }
    q = {
        # Same key as "story": changed, though the title differs a lot.
        "story": add_post(c, 2, 2, "story", "Globex case study", headline="Globex grew <b>fast</b>", body="Read how",
                          channel="email", is_active=True),
        # A new key, but the title is most like "Webinar on pricing" (more than "... packaging").
        "pricing": add_post(c, 2, 2, "webinar-2", "Webinar on pricing tiers", is_active=True),
        # Nothing like anything removed: added.
        "api": add_post(c, 2, 2, "api", "Developer API deep dive", is_active=True),
        # Same key as a removed phase 1 post, but in phase 3: not a pair.
        "tips": add_post(c, 2, 3, "tips", "Setup tips", is_active=True),
    }
    add_version(c, 1, [(1, "Awareness", "Be seen"), (2, "Consideration", "Be chosen")],
                [p[k] for k in p], [(p["teaser"], p[k]) for k in ("tour", "story", "pricing", "packaging", "holiday")])
    add_version(c, 2, [(1, "Awareness", "Be seen"), (2, "Evaluation", "Be chosen"), (3, "Adoption", "Be used")],
                [p["teaser"], p["tour"], *q.values()],
                [(p["teaser"], p["tour"]), (p["teaser"], q["story"]), (p["teaser"], q["pricing"]),
                 (p["teaser"], q["api"]), (q["pricing"], q["tips"])])
    campaign.current_version = 2
    for post in (p["teaser"], p["tour"]):
        post.is_active = True
    db.session.commit()
    return p, q


def test_compare_pairs_by_key_then_by_most_alike_title_within_a_phase(api, campaign, two_versions):
    p, q = two_versions
    status, body = api.get(f"/api/campaigns/{campaign.id}/compare?a=1&b=2")
    assert status == 200
    s = lambda *posts: sorted(str(post.id) for post in posts)  # noqa: E731
    assert {k: body[k] for k in ("a", "b")} == {"a": 1, "b": 2}
    assert sorted(body["posts"]["kept"]) == s(p["teaser"], p["tour"])
    assert sorted(body["posts"]["changed"], key=lambda pair: pair["from"]) == sorted([
        {"from": str(p["story"].id), "to": str(q["story"].id)},
        {"from": str(p["pricing"].id), "to": str(q["pricing"].id)}], key=lambda pair: pair["from"])
    # A changed pair is in neither list; a same key in another phase pairs nothing.
    assert sorted(body["posts"]["added"]) == s(q["api"], q["tips"])
    assert sorted(body["posts"]["removed"]) == s(p["packaging"], p["holiday"], p["tips"])
    edge = lambda a, b: {"from": str(a.id), "to": str(b.id)}  # noqa: E731
    key = lambda e: (int(e["from"]), int(e["to"]))  # noqa: E731
    assert sorted(body["edges"]["added"], key=key) == sorted(
        [edge(p["teaser"], q["story"]), edge(p["teaser"], q["pricing"]), edge(p["teaser"], q["api"]),
         edge(q["pricing"], q["tips"])], key=key)
    assert sorted(body["edges"]["removed"], key=key) == sorted(
        [edge(p["teaser"], p[k]) for k in ("story", "pricing", "packaging", "holiday")], key=key)
    assert body["phases"] == {"added": [3], "removed": [], "changed": [2]}
    assert body["summary"] == "2 posts kept, 2 changed, 2 new, 3 archived; 8 links changed; 2 phases changed"

    # The other way round: what was added is removed, and the pairs turn around.
    status, back = api.get(f"/api/campaigns/{campaign.id}/compare?a=2&b=1")
    assert sorted(back["posts"]["removed"]) == s(q["api"], q["tips"])
    assert {(pair["from"], pair["to"]) for pair in back["posts"]["changed"]} == \
        {(str(q["story"].id), str(p["story"].id)), (str(q["pricing"].id), str(p["pricing"].id))}
    assert back["phases"] == {"added": [], "removed": [3], "changed": [2]}


@pytest.mark.parametrize("old, new, share", [
    ("Webinar on pricing", "Webinar on pricing tiers", 0.75),
    ("Webinar on pricing", "Webinar on packaging", 0.5),  # half the words: close, the edge
    ("Webinar on packaging", "Webinar on pricing tiers", 0.4),  # under half: not close
    ("Launch day: what you get!", "launch DAY, what you get", 1.0),  # case and punctuation ignored
    ("", "", 0.0),
])
def test_title_overlap_is_the_share_of_distinct_words_both_titles_have(old, new, share):
    assert title_overlap(old, new) == pytest.approx(share)
    assert title_overlap(new, old) == pytest.approx(share)


def test_posts_on_another_channel_or_with_distant_titles_are_archived_and_new_not_changed(api, campaign):
    """The tour's case: an approved LinkedIn post of day 7 and a new email post of day 8 are two posts."""
    c = campaign.id
    old = {
        "approved": add_post(c, 1, 2, "p2-a", "Hands-on: Acme in practice", channel="linkedin", day=7),
        "half": add_post(c, 1, 2, "p2-b", "Webinar on pricing", channel="x"),
        "under": add_post(c, 1, 2, "p2-c", "Webinar on packaging", channel="facebook"),
    }
    new = {
        # The same title on email: another channel is another post.
        "email": add_post(c, 2, 2, "r2-a", "Hands-on: Acme in practice", channel="email", day=8, is_active=True),
        # Half the words in common, on the same channel: close, so changed.
        "half": add_post(c, 2, 2, "r2-b", "Webinar on packaging", channel="x", is_active=True),
        # Two of five words in common, on the same channel: not close.
        "under": add_post(c, 2, 2, "r2-c", "Webinar on pricing tiers", channel="facebook", is_active=True),
    }
    old["approved"].approved = True
    add_version(c, 1, [(1, "Awareness", "Be seen"), (2, "Consideration", "Be chosen")], list(old.values()))
    add_version(c, 2, [(1, "Awareness", "Be seen"), (2, "Consideration", "Be chosen")], list(new.values()))
    campaign.current_version = 2
    db.session.commit()
    status, body = api.get(f"/api/campaigns/{c}/compare?a=1&b=2")
    assert status == 200, body
    assert body["posts"]["changed"] == [{"from": str(old["half"].id), "to": str(new["half"].id)}]
    assert sorted(body["posts"]["removed"]) == sorted(str(old[k].id) for k in ("approved", "under"))
    assert sorted(body["posts"]["added"]) == sorted(str(new[k].id) for k in ("email", "under"))
    assert body["summary"].startswith("0 posts kept, 1 changed, 2 new, 2 archived")


def test_word_diff_marks_inserted_and_deleted_words():
    assert word_diff("Acme grew fast", "Globex grew really fast") == [
        ("del", "Acme"), ("ins", "Globex"), ("same", "grew"), ("ins", "really"), ("same", "fast")]
    assert word_diff("", "New") == [("ins", "New")]


def test_compare_page_shows_the_word_diff_escaped_and_the_coloured_graph(auth_client, campaign, two_versions):
    p, q = two_versions
    url = f"/campaigns/{campaign.id}/strategy/compare?a=1&b=2"
    response = auth_client.get(url)
    check_page(url, response)
    html = response.get_data(as_text=True)
    assert "2 posts kept, 2 changed, 2 new, 3 archived; 8 links changed" in html
    # The headline diff: words escaped, changes marked.
    assert "<del>Acme</del> <ins>Globex</ins> <span>grew</span> <del>fast</del> <ins>&lt;b&gt;fast&lt;/b&gt;</ins>" in html
    assert "<b>fast</b>" not in html
    assert "<del>LinkedIn</del> <ins>Email</ins>" in html
    # One graph of both versions: every post once, each with its change.
    changes = dict(re.findall(r'data-post="(\d+)" data-change="(\w+)"', html))
    assert changes == {**{str(p[k].id): "kept" for k in ("teaser", "tour")},
                       **{str(post.id): "changed" for post in (p["story"], q["story"], p["pricing"], q["pricing"])},
                       **{str(q[k].id): "added" for k in ("api", "tips")},
                       **{str(p[k].id): "removed" for k in ("packaging", "holiday", "tips")}}
    assert html.count('data-change="removed"') == 3 + 4  # three posts and four links
    assert 'class="legend"' in html and "Archived: only in version 1 (dashed)" in html


@pytest.mark.parametrize("query, field", [("a=x&b=1", "a"), ("a=1", "b"), ("b=2", "a"), ("a=1&b=-2", "b")])
def test_a_version_that_is_not_a_number_is_refused_naming_the_field(api, auth_client, campaign, two_versions,
                                                                    query, field):
    status, body = api.get(f"/api/campaigns/{campaign.id}/compare?{query}")
    assert status == 422 and field in body["detail"], body
    response = auth_client.get(f"/campaigns/{campaign.id}/strategy/compare?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="compare-{field}-error"' in html and "Give two versions to compare" in html


def test_an_unknown_version_or_a_foreign_campaign_is_not_found(api, auth_client, campaign, two_versions):
    status, body = api.get(f"/api/campaigns/{campaign.id}/compare?a=1&b=9")
    assert status == 404
    assert auth_client.get(f"/campaigns/{campaign.id}/strategy/compare?a=9&b=1").status_code == 404
    # Another workspace's campaign, with versions of its own: not found, never compared.
    other = accounts.sign_up("rival@example.com", PASSWORD)
    foreign = campaigns.create_campaign(other.workspace_id, dict(CAMPAIGN))
    add_version(foreign.id, 1, [(1, "Awareness", "Be seen")], [add_post(foreign.id, 1, 1, "k", "Theirs")])
    add_version(foreign.id, 2, [(1, "Awareness", "Be seen")], [])
    db.session.commit()
    assert api.get(f"/api/campaigns/{foreign.id}/compare?a=1&b=2")[0] == 404
    assert api.get(f"/api/campaigns/{foreign.id}/compare?a=x")[0] == 404
    assert auth_client.get(f"/campaigns/{foreign.id}/strategy/compare?a=1&b=2").status_code == 404
