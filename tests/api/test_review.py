"""The API's reviews and comments: POST /reviews submits written drafts, POST .../posts/{id}/review approves or
requests changes (403 for a role that cannot review, and for the post's submitter), GET and POST .../comments;
each bad input gets a clear error with nothing changed. Exports and imports carry the review; the graph shows it."""
import json

import pytest

from gtm.extensions import db
from gtm.models import Comment, Post
from gtm.services import accounts, exports, imports, workspaces

from tests.kit.clients import PASSWORD, Api
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture


@pytest.fixture
def team(app, user, answer_checker):
    """API clients of an editor and a reviewer in the owner's workspace."""
    found = {}
    for role in ("editor", "reviewer"):
        member = accounts.sign_up(f"{role}@example.com", PASSWORD)
        workspaces.add_member(user.workspace_id, member.id, role)
        db.session.commit()
        found[role] = (member, Api(app, accounts.create_token(member.id, "t", user.workspace_id)[1], answer_checker))
    return found


def active_posts(campaign):  # noqa: F811
    db.session.expire_all()
    return Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.id).all()


def test_submit_then_review_through_the_api(team, campaign):  # noqa: F811
    editor_user, editor = team["editor"]
    reviewer_user, reviewer = team["reviewer"]
    first, second, *_ = active_posts(campaign)
    status, body = editor.post(f"/api/campaigns/{campaign.id}/reviews", json={"post_ids": [str(first.id), second.id]})
    assert (status, body) == (200, {"submitted": 2})
    # Submitted again: nothing left to submit.
    assert editor.post(f"/api/campaigns/{campaign.id}/reviews", json={"post_ids": [str(first.id)]})[1] == \
        {"submitted": 0}

    status, body = reviewer.post(f"/api/campaigns/{campaign.id}/posts/{first.id}/review", json={"decision": "approve"})
    assert status == 200 and body["review"] == "approved" and body["approved"] is True
    status, body = reviewer.post(f"/api/campaigns/{campaign.id}/posts/{second.id}/review",
                                 json={"decision": "request_changes", "comment": "Shorter, please."})
    assert status == 200 and body["review"] == "changes_requested" and body["approved"] is False
    status, found = editor.get(f"/api/campaigns/{campaign.id}/posts/{second.id}/comments")
    assert status == 200 and [(c["body"], c["author"]["user_id"], c["author"]["name"]) for c in found["comments"]] \
        == [("Shorter, please.", str(reviewer_user.id), reviewer_user.email)]
    nodes = editor.get(f"/api/campaigns/{campaign.id}/nodes")[1]
    reviews = {p["id"]: p["review"] for phase in nodes["phases"] for p in phase["posts"]}
    assert reviews[str(first.id)] == "approved" and reviews[str(second.id)] == "changes_requested"
    assert editor_user.id == db.session.get(Post, second.id).submitted_by_id


def test_roles_and_the_submitter_are_refused_with_403(team, api, campaign):  # noqa: F811
    _, editor = team["editor"]
    _, reviewer = team["reviewer"]
    post = active_posts(campaign)[0]
    url = f"/api/campaigns/{campaign.id}/posts/{post.id}/review"
    status, body = editor.post(url, json={"decision": "approve"})
    assert status == 403 and "cannot approve posts" in body["error"]
    assert reviewer.post(f"/api/campaigns/{campaign.id}/reviews", json={"post_ids": [post.id]})[0] == 403
    # The owner submits; with other members, someone else reviews it.
    assert api.post(f"/api/campaigns/{campaign.id}/reviews", json={"post_ids": [post.id]})[1] == {"submitted": 1}
    status, body = api.post(url, json={"decision": "approve"})
    assert status == 403 and "You submitted this post for review" in body["error"]
    # Approve all leaves it waiting too.
    api.post(f"/api/campaigns/{campaign.id}/approve-all")
    assert db.session.get(Post, post.id).review == "in_review"
    assert reviewer.post(url, json={"decision": "approve"})[1]["review"] == "approved"


@pytest.mark.parametrize("body, field", [
    ({}, "decision"),
    ({"decision": "maybe"}, "decision"),
    ({"decision": "request_changes"}, "comment"),
    ({"decision": "request_changes", "comment": "   "}, "comment"),
    ({"decision": "request_changes", "comment": "x" * 4001}, "comment"),
    ({"decision": "request_changes", "comment": 5}, "comment"),
])
def test_a_bad_review_is_refused_and_changes_nothing(api, campaign, body, field):  # noqa: F811
    post = active_posts(campaign)[0]
    status, answer = api.post(f"/api/campaigns/{campaign.id}/posts/{post.id}/review", json=body)
    assert status == 422 and field in json.dumps(answer)
    db.session.expire_all()
    assert (post.review, post.approved, Comment.query.count()) == ("draft", False, 0)


@pytest.mark.parametrize("post_ids, status", [
    (None, 422), ([], 422), ("1", 422), (["one"], 422), ([True], 422), ([-1], 422), ([2**40], 422),
    ([987654], 404),
])
def test_bad_post_ids_are_refused_and_nothing_is_submitted(api, campaign, post_ids, status):  # noqa: F811
    posts = active_posts(campaign)
    ids = post_ids if post_ids != [987654] else [posts[0].id, 987654]
    assert api.post(f"/api/campaigns/{campaign.id}/reviews", json={"post_ids": ids})[0] == status
    assert {post.review for post in active_posts(campaign)} == {"draft"}


def test_another_campaigns_post_is_not_found(api, user, campaign):  # noqa: F811
    other = imports.import_campaign(user.workspace_id, exports.export(user.workspace_id, campaign.id, "json").data)
    post = active_posts(other)[0]
    assert api.post(f"/api/campaigns/{campaign.id}/reviews", json={"post_ids": [post.id]})[0] == 404
    assert api.post(f"/api/campaigns/{campaign.id}/posts/{post.id}/review", json={"decision": "approve"})[0] == 404
    assert api.get(f"/api/campaigns/{campaign.id}/posts/{post.id}/comments")[0] == 404


def test_comments_through_the_api(team, api, campaign):  # noqa: F811
    post = active_posts(campaign)[0]
    url = f"/api/campaigns/{campaign.id}/posts/{post.id}/comments"
    status, first = api.post(url, json={"body": "First <b>note</b>"})
    assert status == 201 and first["body"] == "First <b>note</b>" and first["deleted"] is False
    _, reviewer = team["reviewer"]
    assert reviewer.post(url, json={"body": "Second"})[0] == 201
    for bad in ({}, {"body": ""}, {"body": "  "}, {"body": "x" * 4001}, {"body": 3}, {"body": "a\u0000b"}):
        assert api.post(url, json=bad)[0] == 422
    assert [c["body"] for c in api.get(url)[1]["comments"]] == ["First <b>note</b>", "Second"]


def test_exports_and_imports_carry_the_review(api, user, campaign):  # noqa: F811
    first, second, *_ = active_posts(campaign)
    api.post(f"/api/campaigns/{campaign.id}/reviews", json={"post_ids": [first.id]})
    api.post(f"/api/campaigns/{campaign.id}/posts/{second.id}/review", json={"decision": "approve"})
    data = json.loads(exports.export(user.workspace_id, campaign.id, "json").data)
    reviews = {p["key"]: p["review"] for phase in data["phases"] for p in phase["posts"]}
    assert reviews[first.key] == "in_review" and reviews[second.key] == "approved"
    markdown = exports.export(user.workspace_id, campaign.id, "md").data.decode()
    assert "- **Review:** In review" in markdown and "- **Review:** Approved" in markdown

    copy = imports.import_campaign(user.workspace_id, json.dumps(data).encode())
    imported = {p.key: p.review for p in active_posts(copy)}
    assert imported[first.key] == "in_review" and imported[second.key] == "approved"

    # An older export without `review` follows `approved`; one that contradicts it is refused.
    for phase in data["phases"]:
        for post in phase["posts"]:
            post.pop("review")
    copy = imports.import_campaign(user.workspace_id, json.dumps(data).encode())
    imported = {p.key: (p.review, p.approved) for p in active_posts(copy)}
    assert imported[first.key] == ("draft", False) and imported[second.key] == ("approved", True)
    data["phases"][0]["posts"][0]["review"] = "approved"
    data["phases"][0]["posts"][0]["approved"] = False
    status, body = api.post("/api/campaigns/import", data=json.dumps(data), content_type="application/json")
    assert status == 422 and "phases[0].posts[0].review" in body["detail"]


def test_the_graph_shows_the_review(api, auth_client, campaign):  # noqa: F811
    post = active_posts(campaign)[0]
    api.post(f"/api/campaigns/{campaign.id}/reviews", json={"post_ids": [post.id]})
    graph = auth_client.get(f"/campaigns/{campaign.id}/strategy/graph").get_data(as_text=True)
    assert f'data-post="{post.id}" data-review="in_review"' in graph and ">In review</text>" in graph
    mermaid = auth_client.get(f"/campaigns/{campaign.id}/strategy/graph.mmd").get_data(as_text=True)
    assert "(in review)" in mermaid
