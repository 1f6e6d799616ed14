"""The regeneration dialog in HTML: its preview, its errors next to the fields, its refusals, and the board's
Retry when a regeneration failed. Every refused request changes nothing."""
from markupsafe import escape

import pytest

from gtm.extensions import db
from gtm.models import Post, Run, StrategyVersion

from tests.kit.fake_openai import Reply
from tests.kit.pages import check_page
from tests.kit.plans import schema_name, valid_plan
from tests.kit.strategy import plan_and_write, snapshot


def regen_url(campaign_id: int) -> str:
    return f"/campaigns/{campaign_id}/strategy/regenerate"


def test_the_dialog_previews_each_phase_and_starts_the_regeneration(api, campaign, work, auth_client, htmx):
    nodes = plan_and_write(api, campaign, work)
    dialog = htmx.get(f"{regen_url(campaign.id)}?phase_num=2")
    text = dialog.get_data(as_text=True)
    assert dialog.status_code == 200 and '<dialog id="regenerate-strategy-dialog"' in text
    assert "This makes <strong>version 2</strong>" in text and "Nothing is deleted." in text
    for post in nodes["phases"][0]["posts"]:
        assert escape(post["title"]) in text.split("<h3>Archived")[0], "phase 1 is listed as kept"
    for post in nodes["phases"][1]["posts"]:
        assert escape(post["title"]) in text.split("<h3>Archived")[1], "phase 2 is listed as archived"
    assert 'name="new_direction"' in text and "<label for=\"new-direction\">New direction</label>" in text
    # Changing the phase reloads only the preview.
    part = htmx.get(f"{regen_url(campaign.id)}/preview?phase_num=1").get_data(as_text=True)
    assert part.startswith('<div id="regenerate-preview"') or 'id="regenerate-preview"' in part.split(">")[0] + ">"
    assert "regenerating from phase 1 replaces every post" in part
    check_page("regenerate page", auth_client.get(f"{regen_url(campaign.id)}?phase_num=2"))

    response = htmx.post(regen_url(campaign.id), data={"phase_num": "2", "new_direction": "Developer-first demos"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/campaigns/{campaign.id}/strategy"
    run = Run.query.filter_by(kind="regenerate").one()
    assert run.params["phase_num"] == 2 and run.params["version"] == 2
    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Regenerating from phase 2 as version 2" in board and 'hx-trigger="every 1s"' in board
    assert ">Regenerate from phase " not in board, "no second change is offered while one is in flight"
    work()
    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "regenerated from phase 2: Developer-first demos" in board and "every 1s" not in board


@pytest.mark.parametrize("form, field, message", [
    ({"phase_num": "x", "new_direction": "Go"}, "phase_num", "whole number"),
    ({"phase_num": "9", "new_direction": "Go"}, "phase_num", "from 1 to 5"),
    ({"phase_num": "0", "new_direction": "Go"}, "phase_num", "from 1 to 5"),
    ({"new_direction": "Go"}, "phase_num", "Say which phase"),
    ({"phase_num": "2"}, "new_direction", "new direction"),
    ({"phase_num": "2", "new_direction": "   "}, "new_direction", "new direction"),
    ({"phase_num": "2", "new_direction": "x" * 1001}, "new_direction", "at most 1,000 characters"),
])
def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(api, campaign, work, htmx, form, field, message):
    plan_and_write(api, campaign, work)
    before = snapshot(campaign.id)
    response = htmx.post(regen_url(campaign.id), data=form)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    error_id = {"phase_num": "regen-phase-error", "new_direction": "new-direction-error"}[field]
    assert f'id="{error_id}"' in text and message in text
    assert snapshot(campaign.id) == before and Run.query.filter_by(kind="regenerate").count() == 0


def test_refusals_say_why_and_change_nothing(api, campaign, work, htmx, auth_client):
    # No strategy yet: the dialog says to plan one, and a post is refused.
    page = auth_client.get(f"{regen_url(campaign.id)}?phase_num=1").get_data(as_text=True)
    assert "plan one first" in page
    response = htmx.post(regen_url(campaign.id), data={"phase_num": "1", "new_direction": "Go"})
    assert response.status_code == 409 and "plan one first" in response.get_data(as_text=True)
    plan_and_write(api, campaign, work)
    assert htmx.post(regen_url(campaign.id), data={"phase_num": "2", "new_direction": "Go"}).status_code == 204
    before = snapshot(campaign.id)
    response = htmx.post(regen_url(campaign.id), data={"phase_num": "3", "new_direction": "Again"})
    assert response.status_code == 409 and "in flight" in response.get_data(as_text=True)
    assert "in flight" in htmx.get(f"{regen_url(campaign.id)}?phase_num=2").get_data(as_text=True)
    # Without the CSRF token nothing is started either.
    response = auth_client.post(regen_url(campaign.id), data={"phase_num": "2", "new_direction": "Go"},
                                with_csrf=False)
    assert response.status_code == 400
    assert snapshot(campaign.id) == before and Run.query.filter_by(kind="regenerate").count() == 1
    # Another workspace's campaign does not exist.
    assert auth_client.get(f"{regen_url(campaign.id + 1000)}?phase_num=1").status_code == 404


@pytest.mark.llm("openai")
def test_a_failed_regeneration_shows_why_with_retry(api, campaign, work, htmx, fake_openai):
    fake_openai.responder = lambda body: Reply.json(valid_plan()) if schema_name(body) == "StrategyPlan" else None
    plan_and_write(api, campaign, work)
    fake_openai.responder = lambda body: Reply.text("not json at all") \
        if schema_name(body) == "StrategyRegeneration" else None
    htmx.post(regen_url(campaign.id), data={"phase_num": "2", "new_direction": "Developer-first"})
    work()
    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Regenerating from phase 2 failed; nothing was changed." in board
    failed = Run.query.filter_by(kind="regenerate").one()
    assert f"/strategy/regenerate/{failed.id}/retry" in board
    kept = [p.key for p in Post.query.filter_by(is_active=True, phase=1)]
    fake_openai.responder = lambda body: Reply.json(from_phase_2(kept)) \
        if schema_name(body) == "StrategyRegeneration" else None
    response = htmx.post(f"/campaigns/{campaign.id}/strategy/regenerate/{failed.id}/retry")
    assert response.status_code == 204
    work()
    again = Run.query.filter_by(kind="regenerate").order_by(Run.id.desc()).first()
    assert again.id != failed.id and again.params["direction"] == "Developer-first"
    assert again.status == "succeeded", again.error
    assert db.session.get(type(campaign), campaign.id).current_version == 2
    assert StrategyVersion.query.filter_by(number=2).one().origin == "regenerate"


def from_phase_2(kept: list[str]) -> dict:
    """A valid regeneration from phase 2: two new phases of two posts, each kept phase 1 post linked."""
    new = valid_plan(sizes=(2, 2))
    for number, phase in enumerate(new["phases"], start=2):
        phase["number"] = number
        for post in phase["posts"]:
            post["key"] = "new-" + post["key"]
    for edge in new["edges"]:
        edge["from"], edge["to"] = "new-" + edge["from"], "new-" + edge["to"]
    new["edges"] += [{"from": key, "to": f"new-p1-{i % 2}"} for i, key in enumerate(kept)]
    new["edges"] += [{"from": kept[0], "to": "new-p1-1"}] if len(kept) == 1 else []
    return new


def test_the_page_says_when_there_is_no_strategy_yet(auth_client, campaign):
    text = auth_client.get(regen_url(campaign.id)).get_data(as_text=True)
    assert f"{escape(campaign.name)} · no strategy yet." in text and "version None" not in text
