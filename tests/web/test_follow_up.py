"""The follow-up form on the board and the graph: posts ticked on their cards (or in the graph's list) with an
instruction start a follow-up; nothing ticked or no instruction is said in place and changes nothing; the new
version is named on the board, the versions list, its own page and the compare page; undo takes it back."""
import re
from html import unescape

from gtm.extensions import db
from gtm.models import Post, Run, StrategyVersion

from tests.kit.clients import log_in, new_client
from tests.kit.members import joined_member
from tests.kit.strategy import active, plan_and_write, snapshot

INSTRUCTION = "Invite <b>both</b> audiences to the live demo"
HX = {"HX-Request": "true"}
CHECKBOX = re.compile(r'<input type="checkbox" name="after" value="(\d+)" form="follow-up-form"')


def text(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_posts_are_ticked_on_the_board_and_a_follow_up_becomes_the_next_version(auth_client, api, campaign, work):
    plan_and_write(api, campaign, work)
    posts = active(campaign.id)
    board = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert {int(i) for i in CHECKBOX.findall(board)} == {p.id for p in posts}, "one checkbox per current post"
    assert board.count('id="follow-up-form"') == 1 and "Add a follow-up post</button>" in board
    url = f"/campaigns/{campaign.id}/strategy/follow-up"
    before = snapshot(campaign.id)

    # Nothing ticked, or no instruction: said in the form, with what was typed and ticked kept; nothing changes.
    refused = auth_client.post(url, data={"instruction": "Say more"}, headers=HX)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="board"' in page and "Pick at least one post" in page and "Say more</textarea>" in page
    last_phase = [p for p in posts if p.phase == max(q.phase for q in posts)]
    picked = [p for p in posts if p.phase == last_phase[0].phase - 1][:2]
    refused = auth_client.post(url, data={"after": [str(p.id) for p in picked], "instruction": "  "})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Say what the follow-up post should do" in page and "<h1>Strategy</h1>" in page, "the whole page"
    assert {int(i) for i in re.findall(r'value="(\d+)" form="follow-up-form" checked', page)} == {p.id for p in picked}
    assert snapshot(campaign.id) == before

    started = auth_client.post(url, data={"after": [str(p.id) for p in picked], "instruction": INSTRUCTION},
                               headers=HX)
    assert started.headers["HX-Redirect"].endswith(f"/campaigns/{campaign.id}/strategy")
    board = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Writing a follow-up post as version 2" in text(board) and "&lt;b&gt;both&lt;/b&gt;" in board
    assert not CHECKBOX.search(board), "no picking while the board is busy"
    work()

    version = StrategyVersion.query.filter_by(campaign_id=campaign.id, number=2).one()
    assert version.origin == "follow-up" and version.after_post_ids == [p.id for p in picked]
    label = f"follow-up after “{picked[0].title}” and “{picked[1].title}”"
    board = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert f"Version 2 · {label}: {INSTRUCTION}" in text(board) and "&lt;b&gt;" in board
    listing = auth_client.get(f"/campaigns/{campaign.id}/strategy/versions").get_data(as_text=True)
    assert label in text(listing)
    shown = auth_client.get(f"/campaigns/{campaign.id}/strategy/versions/2").get_data(as_text=True)
    assert f"F{label[1:]}: “{INSTRUCTION}”" in text(shown)
    new = Post.query.filter_by(campaign_id=campaign.id, version=2).one()
    compared = auth_client.get(f"/campaigns/{campaign.id}/strategy/compare?a=1&b=2").get_data(as_text=True)
    assert new.title in text(compared) and f"Version 2: {label}: {INSTRUCTION}" in text(compared)
    assert "<b>" not in compared.split("<main")[1]

    # Undo on the board takes the follow-up back as version 3.
    assert "Undo: make version 1's posts current again" in board
    assert auth_client.post(f"/campaigns/{campaign.id}/strategy/undo", data={"version": "2"}).status_code == 303
    db.session.expire_all()
    assert not db.session.get(Post, new.id).is_active
    assert StrategyVersion.query.filter_by(campaign_id=campaign.id, number=3).one().origin == "restore"


def test_the_graph_lists_the_posts_to_tick_and_says_a_refusal_in_place(auth_client, api, campaign, work):
    plan_and_write(api, campaign, work)
    posts = active(campaign.id)
    graph = auth_client.get(f"/campaigns/{campaign.id}/strategy/graph").get_data(as_text=True)
    listed = re.findall(r'<input type="checkbox" name="after" value="(\d+)"', graph)
    assert {int(i) for i in listed} == {p.id for p in posts} and 'name="from" value="graph"' in graph
    url = f"/campaigns/{campaign.id}/strategy/follow-up"
    first = [p for p in posts if p.phase == 1][0]
    refused = auth_client.post(url, data={"from": "graph", "after": [str(first.id)], "instruction": "More"}, headers=HX)
    assert refused.status_code == 422
    fragment = refused.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="card follow-up" id="follow-up"')
    assert "no post after it" in fragment and f'value="{first.id}" checked' in fragment
    last = [p for p in posts if p.phase == max(q.phase for q in posts)]
    started = auth_client.post(url, data={"from": "graph", "after": [str(last[0].id)], "instruction": "Say thanks"})
    assert started.status_code == 303
    work()
    assert StrategyVersion.query.filter_by(campaign_id=campaign.id, number=2).one().origin == "follow-up"
    assert Run.query.filter_by(kind="follow_up").one().status == "succeeded"


def test_a_viewer_is_offered_no_follow_up_and_is_refused(app, user, api, campaign, work):
    plan_and_write(api, campaign, work)
    viewer = log_in(new_client(app), joined_member(user, "viewer@example.com", "viewer").email)
    board = viewer.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert not CHECKBOX.search(board) and "follow-up-form" not in board
    post = active(campaign.id)[-1]
    before = snapshot(campaign.id)
    answer = viewer.post(f"/campaigns/{campaign.id}/strategy/follow-up", data={"after": [str(post.id)],
                                                                               "instruction": "More"})
    assert answer.status_code == 403 and snapshot(campaign.id) == before
