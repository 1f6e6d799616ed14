"""Undo on the strategy board: offered after a regeneration or a restore while its version is current and the board
is still, never after a plan; it makes the version before current again as a new version, and a stale one is
refused in place with nothing changed."""
import re
from html import unescape

from gtm.extensions import db
from gtm.models import Campaign, Member, Post, StrategyVersion

from tests.kit.strategy import plan_and_write, regenerate, snapshot

UNDO_BUTTON = re.compile(r"<button[^>]*>Undo: make version (\d+)'s posts current again</button>")


def board(client, campaign) -> str:
    return unescape(client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True))


def text(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page)


def members(campaign_id, number) -> set[int]:
    return {m.post_id for m in Member.query.filter_by(campaign_id=campaign_id, version=number)}


def undo(client, campaign, number):
    return client.post(f"/campaigns/{campaign.id}/strategy/undo", data={"version": str(number)})


def test_no_undo_after_the_first_plan_or_a_plain_plan(htmx, api, campaign, work):
    plan_and_write(api, campaign, work)
    assert not UNDO_BUTTON.search(board(htmx, campaign)), "version 1 has nothing before it"
    api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "A second plan"})
    work()
    page = board(htmx, campaign)
    assert "Version 2 · planned" in text(page) and not UNDO_BUTTON.search(page), "a plan is not undone from the board"


def test_undo_is_offered_after_a_regeneration_once_it_has_finished(htmx, api, campaign, work):
    plan_and_write(api, campaign, work)
    status, _ = regenerate(api, campaign.id, 2)
    assert status == 202
    assert not UNDO_BUTTON.search(board(htmx, campaign)), "not while the regeneration is running"
    work()
    page = board(htmx, campaign)
    assert "Version 2 · regenerated from phase 2" in text(page)
    assert UNDO_BUTTON.search(page).group(1) == "1"
    undo_url = f"/campaigns/{campaign.id}/strategy/undo"
    form = re.search(r'<form[^>]*hx-post="' + re.escape(undo_url) + r'"[^>]*>', page).group(0)
    assert 'hx-target="#board"' in form and "data-swap-refusals" in form
    assert '<input type="hidden" name="version" value="2">' in page


def test_undo_brings_the_previous_version_back_and_says_so(htmx, api, campaign, work, fake_openai):
    plan_and_write(api, campaign, work)
    regenerate(api, campaign.id, 2)
    work()
    v1, calls = members(campaign.id, 1), len(fake_openai.requests)

    response = undo(htmx, campaign, 2)
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "<html" not in page, "htmx gets the board to swap"
    assert page.lstrip().startswith('<section id="board"')
    assert "Undone: version 1's posts are current again as version 3." in page
    assert "Version 3 · restored from version 1" in text(page)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).current_version == 3
    assert members(campaign.id, 3) == v1
    assert {p.id for p in Post.query.filter_by(campaign_id=campaign.id, is_active=True)} == v1
    assert len(fake_openai.requests) == calls, "an undo calls no model"
    # The restore is itself undoable: back to version 2's posts.
    assert UNDO_BUTTON.search(page).group(1) == "2"
    again = unescape(undo(htmx, campaign, 3).get_data(as_text=True))
    assert "Undone: version 2's posts are current again as version 4." in again
    assert members(campaign.id, 4) == members(campaign.id, 2)


def test_undo_without_javascript_goes_back_to_the_board(auth_client, api, campaign, work):
    plan_and_write(api, campaign, work)
    regenerate(api, campaign.id, 2)
    work()
    response = undo(auth_client, campaign, 2)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/campaigns/{campaign.id}/strategy")
    assert db.session.get(Campaign, campaign.id).current_version == 3


def test_a_stale_undo_is_refused_in_place_and_changes_nothing(htmx, api, campaign, work):
    plan_and_write(api, campaign, work)
    regenerate(api, campaign.id, 2)
    work()
    regenerate(api, campaign.id, 3, "Double down on live coding sessions")
    work()
    before = snapshot(campaign.id)
    response = undo(htmx, campaign, 2)  # a board left open on version 2
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert page.lstrip().startswith('<section id="board"')
    assert re.search(r'<p class="alert error" role="alert">Version 2 is no longer the current version '
                     r"\(version 3 is\), so there is nothing to undo\.", page)
    assert "Version 3 · regenerated from phase 3" in text(page)
    assert snapshot(campaign.id) == before
    assert StrategyVersion.query.filter_by(campaign_id=campaign.id).count() == 3


def test_version_1_cannot_be_undone_and_an_unknown_version_is_not_found(htmx, api, campaign, work):
    plan_and_write(api, campaign, work)
    before = snapshot(campaign.id)
    refused = undo(htmx, campaign, 1)
    assert refused.status_code == 409 and "Version 1 is the first plan" in unescape(refused.get_data(as_text=True))
    assert undo(htmx, campaign, 9).status_code == 404
    assert undo(htmx, campaign, "two").status_code == 404
    assert snapshot(campaign.id) == before
