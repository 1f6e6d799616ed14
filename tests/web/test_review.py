"""Reviewing posts on the pages: an editor submits written drafts (one post, a phase, or all of them), a reviewer
approves or requests changes with a comment, the post page and the board show the state, who and when, and each
role sees only the buttons it may use. Nobody approves what they submitted, except an owner alone."""
import pytest

from gtm.extensions import db
from gtm.models import Comment, Post
from gtm.services import accounts, workspaces

from tests.kit.clients import PASSWORD, log_in, new_client
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture


@pytest.fixture
def team(app, user):
    """An editor and a reviewer in the owner's workspace, each with a logged-in browser."""
    members = {}
    for role in ("editor", "reviewer"):
        member = accounts.sign_up(f"{role}@example.com", PASSWORD)
        workspaces.add_member(user.workspace_id, member.id, role)
        member.workspace_id = user.workspace_id
        members[role] = member
    db.session.commit()
    return {role: (member, log_in(new_client(app), member.email)) for role, member in members.items()}


def posts(campaign, phase=None):  # noqa: F811
    db.session.expire_all()
    query = Post.query.filter_by(campaign_id=campaign.id, is_active=True)
    if phase is not None:
        query = query.filter_by(phase=phase)
    return query.order_by(Post.id).all()


def post_url(campaign, post, tail=""):  # noqa: F811
    return f"/campaigns/{campaign.id}/posts/{post.id}" + (f"/{tail}" if tail else "")


def test_the_board_submits_a_phase_then_all_drafts_and_shows_each_cards_review(team, campaign):  # noqa: F811
    _, editor = team["editor"]
    board = editor.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Submit phase 1 for review" in board and "Submit all drafts" in board
    assert board.count(">Draft<") == len(posts(campaign))

    response = editor.post(f"/campaigns/{campaign.id}/strategy/reviews", data={"phase": "1"},
                           headers={"HX-Request": "true"})
    board = response.get_data(as_text=True)
    first = posts(campaign, 1)
    assert response.status_code == 200 and f"{len(first)} posts in phase 1 submitted for review." in board
    assert {post.review for post in first} == {"in_review"}
    assert {post.review for post in posts(campaign) if post.phase != 1} == {"draft"}
    assert board.count(">In review<") == len(first) and "Submit phase 1 for review" not in board

    board = editor.post(f"/campaigns/{campaign.id}/strategy/reviews", headers={"HX-Request": "true"}) \
        .get_data(as_text=True)
    assert {post.review for post in posts(campaign)} == {"in_review"} and "Submit all drafts" not in board
    # Nothing left to submit: said, and nothing changes.
    board = editor.post(f"/campaigns/{campaign.id}/strategy/reviews", headers={"HX-Request": "true"}) \
        .get_data(as_text=True)
    assert "No written drafts to submit" in board


def test_buttons_by_role_on_the_post_page(team, auth_client, campaign):  # noqa: F811
    post = posts(campaign)[0]
    _, editor = team["editor"]
    _, reviewer = team["reviewer"]
    page = editor.get(post_url(campaign, post)).get_data(as_text=True)
    assert "Submit for review" in page and ">Approve<" not in page and "Request changes" not in page
    page = reviewer.get(post_url(campaign, post)).get_data(as_text=True)
    assert "Submit for review" not in page and ">Approve<" in page and "Request changes" in page
    page = auth_client.get(post_url(campaign, post)).get_data(as_text=True)
    assert "Submit for review" in page and ">Approve<" in page and "Request changes" in page
    # Every role comments.
    assert all("Add a comment" in c.get(post_url(campaign, post)).get_data(as_text=True) for c in (editor, reviewer))


def test_submit_request_changes_regenerate_resubmit_and_approve(team, campaign, work):  # noqa: F811
    editor_user, editor = team["editor"]
    reviewer_user, reviewer = team["reviewer"]
    post = posts(campaign)[0]
    page = editor.post(post_url(campaign, post, "submit"), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert ">In review<" in page and f"Submitted for review by {editor_user.email}" in page
    db.session.expire_all()
    assert (post.review, post.submitted_by_id, post.approved) == ("in_review", editor_user.id, False)

    # Requesting changes needs a comment: refused, nothing changed.
    response = reviewer.post(post_url(campaign, post, "review"), data={"decision": "request_changes", "comment": " "})
    assert response.status_code == 422 and "Say what should change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert post.review == "in_review" and Comment.query.count() == 0

    response = reviewer.post(post_url(campaign, post, "review"),
                             data={"decision": "request_changes", "comment": "Lead with the <b>price</b>."})
    assert response.status_code == 303
    page = editor.get(post_url(campaign, post)).get_data(as_text=True)
    assert ">Changes requested<" in page and f"Changes requested by {reviewer_user.email}" in page
    assert "Lead with the &lt;b&gt;price&lt;/b&gt;." in page and "<b>price</b>" not in page
    assert "Regenerate variant A with this comment" in page and "Regenerate variant B with this comment" in page
    db.session.expire_all()
    assert (post.review, post.reviewed_by_id) == ("changes_requested", reviewer_user.id)
    comment = Comment.query.one()
    assert (comment.subject_type, comment.subject_id, comment.author_id) == ("post", post.id, reviewer_user.id)

    # The editor rewrites variant A with the comment as its feedback: the post is a draft again once rewritten.
    response = editor.post(post_url(campaign, post, "variants/A/regenerate"),
                           data={"feedback": "Lead with the <b>price</b>."})
    assert response.status_code == 303
    work()
    db.session.expire_all()
    assert post.review == "draft"
    current = [v for v in post.variants if v.label == "A" and v.is_current][0]
    assert current.feedback == "Lead with the <b>price</b>." and current.number == 2

    editor.post(post_url(campaign, post, "submit"))
    page = reviewer.post(post_url(campaign, post, "approve"), data={"approved": "1"},
                         headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "✓ Approved" in page and f"Approved by {reviewer_user.email}" in page
    db.session.expire_all()
    assert (post.review, post.approved, post.reviewed_by_id) == ("approved", True, reviewer_user.id)
    assert post.approved_at is not None

    # Unapproving makes it a draft again.
    reviewer.post(post_url(campaign, post, "approve"), data={"approved": "0"})
    db.session.expire_all()
    assert (post.review, post.approved, post.approved_at) == ("draft", False, None)


def test_nobody_approves_what_they_submitted_but_an_owner_alone(team, user, auth_client, campaign):  # noqa: F811
    post = posts(campaign)[0]
    # The owner submits while the workspace has other members: someone else has to review it.
    auth_client.post(post_url(campaign, post, "submit"))
    response = auth_client.post(post_url(campaign, post, "approve"), data={"approved": "1"})
    assert response.status_code == 403 and "You submitted this post for review" in response.get_data(as_text=True)
    response = auth_client.post(post_url(campaign, post, "review"), data={"decision": "approve"})
    assert response.status_code == 403
    # Approve all leaves it for someone else too.
    auth_client.post(f"/campaigns/{campaign.id}/strategy/approve-all")
    db.session.expire_all()
    assert post.review == "in_review" and not post.approved
    assert {p.review for p in posts(campaign) if p.id != post.id} == {"approved"}

    # Alone in the workspace, the owner approves what they submitted.
    for role in ("editor", "reviewer"):
        workspaces.remove_member(user.workspace_id, user.id, team[role][0].id)
    response = auth_client.post(post_url(campaign, post, "approve"), data={"approved": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (post.review, post.approved) == ("approved", True)


def test_the_post_page_offers_no_review_of_ones_own_submission(team, user, auth_client, campaign):  # noqa: F811
    """The owner who submitted a post is not offered Approve or Request changes on it while others are in the
    workspace (they would be refused); alone, they are."""
    post = posts(campaign)[0]
    page = auth_client.post(post_url(campaign, post, "submit"), headers={"HX-Request": "true"}).get_data(as_text=True)
    for shown in (page, auth_client.get(post_url(campaign, post)).get_data(as_text=True)):
        assert ">Approve<" not in shown and "Request changes" not in shown
        assert "You submitted this post for review, so someone else reviews it" in shown
    _, reviewer = team["reviewer"]
    page = reviewer.get(post_url(campaign, post)).get_data(as_text=True)
    assert ">Approve<" in page and "Request changes" in page and "so someone else reviews it" not in page
    for role in ("editor", "reviewer"):
        workspaces.remove_member(user.workspace_id, user.id, team[role][0].id)
    page = auth_client.get(post_url(campaign, post)).get_data(as_text=True)
    assert ">Approve<" in page and "Request changes" in page and "so someone else reviews it" not in page


def test_a_reviewer_cannot_approve_what_they_submitted(team, user, campaign):  # noqa: F811
    """A member who submitted as an editor and is a reviewer now still does not review their own submission."""
    member, client = team["editor"]
    post = posts(campaign)[0]
    client.post(post_url(campaign, post, "submit"))
    workspaces.change_role(user.workspace_id, user.id, member.id, "reviewer")
    for data, tail in (({"approved": "1"}, "approve"), ({"decision": "approve"}, "review"),
                       ({"decision": "request_changes", "comment": "Mine"}, "review")):
        response = client.post(post_url(campaign, post, tail), data=data)
        assert response.status_code == 403 and "You submitted this post for review" in response.get_data(as_text=True)
    db.session.expire_all()
    assert post.review == "in_review" and Comment.query.count() == 0


def test_roles_that_may_not_submit_or_review_are_refused(team, campaign):  # noqa: F811
    post = posts(campaign)[0]
    _, editor = team["editor"]
    _, reviewer = team["reviewer"]
    assert reviewer.post(post_url(campaign, post, "submit")).status_code == 403
    assert reviewer.post(f"/campaigns/{campaign.id}/strategy/reviews").status_code == 403
    assert editor.post(post_url(campaign, post, "review"), data={"decision": "approve"}).status_code == 403
    assert editor.post(post_url(campaign, post, "approve"), data={"approved": "1"}).status_code == 403
    db.session.expire_all()
    assert {p.review for p in posts(campaign)} == {"draft"}


def test_a_changed_variant_takes_the_approval_back_to_draft_with_its_note(auth_client, campaign):  # noqa: F811
    post = posts(campaign)[0]
    auth_client.post(post_url(campaign, post, "approve"), data={"approved": "1"})
    auth_client.post(post_url(campaign, post, "variants/A/edit"),
                     data={"headline": "New words", "body": "By hand.", "call_to_action": "Buy", "hashtags": ""})
    db.session.expire_all()
    assert (post.review, post.approved) == ("draft", False) and "edited by hand" in post.approval_note
    assert "Changed since approval" in auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
