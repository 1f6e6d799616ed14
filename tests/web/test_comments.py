"""Comments on a post (its page) and on a step version (the step card's "Comments (n)"): every role may comment,
bodies are shown as plain text, the author may change a comment within 10 minutes, and a deleted comment keeps its
place as "Comment deleted". A bad comment is refused in place with what was typed kept, and nothing is saved."""
from datetime import timedelta

import pytest

from gtm.extensions import db
from gtm.models import Comment, Post
from gtm.services import accounts, workspaces

from tests.kit.clients import PASSWORD, log_in, new_client
from tests.kit.workflow import current, generate_until
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

HTMX = {"HX-Request": "true"}


@pytest.fixture
def post(campaign):  # noqa: F811
    return Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.id).first()


@pytest.fixture
def viewer(app, user):
    member = accounts.sign_up("viewer@example.com", PASSWORD)
    workspaces.add_member(user.workspace_id, member.id, "viewer")
    member.workspace_id = user.workspace_id
    db.session.commit()
    return member, log_in(new_client(app), member.email)


def comment_url(campaign, subject_type, subject_id):  # noqa: F811
    return f"/campaigns/{campaign.id}/comments/{subject_type}/{subject_id}"


def test_a_post_page_thread_oldest_first_escaped_by_every_role(auth_client, viewer, campaign, post):  # noqa: F811
    viewer_user, viewer_client = viewer
    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert "Comments (0)" in page and "No comments yet." in page

    response = auth_client.post(comment_url(campaign, "post", post.id),
                                data={"body": "<script>alert(1)</script> **not bold**"}, headers=HTMX)
    thread = response.get_data(as_text=True)
    assert response.status_code == 200 and "Comments (1)" in thread
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **not bold**" in thread and "<script>alert" not in thread
    # A viewer comments too, without JavaScript: back to the post page's thread.
    response = viewer_client.post(comment_url(campaign, "post", post.id), data={"body": "Looks good"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#comments-post-{post.id}")
    page = viewer_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert page.index("**not bold**") < page.index("Looks good") and viewer_user.email in page


@pytest.mark.parametrize("body, message", [
    ("", "Write the comment first."), ("   ", "Write the comment first."),
    ("x" * 4001, "at most 4,000 characters"),
])
def test_a_bad_comment_is_refused_in_place_and_kept(auth_client, campaign, post, body, message):  # noqa: F811
    response = auth_client.post(comment_url(campaign, "post", post.id), data={"body": body}, headers=HTMX)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and message in text and f'id="comments-post-{post.id}"' in text
    assert Comment.query.count() == 0


def test_a_comment_on_something_else_is_not_found(auth_client, campaign, post):  # noqa: F811
    assert auth_client.post(comment_url(campaign, "campaign", post.id), data={"body": "x"}).status_code == 404
    assert auth_client.post(comment_url(campaign, "post", 987654), data={"body": "x"}).status_code == 404
    assert auth_client.post(comment_url(campaign, "step_version", 987654), data={"body": "x"}).status_code == 404
    assert Comment.query.count() == 0


def test_the_step_card_has_a_compact_thread(auth_client, campaign, work):  # noqa: F811
    generate_until(auth_client, work, campaign, "competitors")
    version = current(campaign, "competitors")
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'<details id="comments-step_version-{version.id}"' in page and "Comments (0)" in page
    thread = auth_client.post(comment_url(campaign, "step_version", version.id), data={"body": "Add Acme"},
                              headers=HTMX).get_data(as_text=True)
    assert "Comments (1)" in thread and "Add Acme" in thread and " open>" in thread
    response = auth_client.post(comment_url(campaign, "step_version", version.id), data={"body": "And Brix"})
    assert response.headers["Location"].endswith("#step-competitors")
    card = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors", headers=HTMX).get_data(as_text=True)
    assert "Comments (2)" in card and card.index("Add Acme") < card.index("And Brix")


def test_the_author_edits_within_ten_minutes(auth_client, viewer, campaign, post):  # noqa: F811
    auth_client.post(comment_url(campaign, "post", post.id), data={"body": "Frist"})
    comment = Comment.query.one()
    edit = f"/campaigns/{campaign.id}/comments/{comment.id}/edit"
    _, viewer_client = viewer
    assert "Save the comment" not in viewer_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(
        as_text=True)
    response = viewer_client.post(edit, data={"body": "Hijacked"}, headers=HTMX)
    assert response.status_code == 403 and "Only the person who wrote a comment" in response.get_data(as_text=True)

    thread = auth_client.post(edit, data={"body": "First"}, headers=HTMX).get_data(as_text=True)
    assert "First" in thread and "· edited" in thread
    response = auth_client.post(edit, data={"body": ""}, headers=HTMX)
    assert response.status_code == 422 and "Write the comment first." in response.get_data(as_text=True)

    comment.created_at -= timedelta(minutes=11)
    db.session.commit()
    response = auth_client.post(edit, data={"body": "Too late"}, headers=HTMX)
    assert response.status_code == 403 and "for 10 minutes after it is written" in response.get_data(as_text=True)
    db.session.expire_all()
    assert comment.body == "First"
    assert "Save the comment" not in auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(
        as_text=True)


def test_a_deleted_comment_keeps_its_place(auth_client, viewer, campaign, post):  # noqa: F811
    _, viewer_client = viewer
    viewer_client.post(comment_url(campaign, "post", post.id), data={"body": "Mine"})
    auth_client.post(comment_url(campaign, "post", post.id), data={"body": "The owner's"})
    mine, owners = Comment.query.order_by(Comment.id).all()
    # Someone else's comment: only its author or an owner deletes it.
    response = viewer_client.post(f"/campaigns/{campaign.id}/comments/{owners.id}/delete", headers=HTMX)
    assert response.status_code == 403
    thread = viewer_client.post(f"/campaigns/{campaign.id}/comments/{mine.id}/delete",
                                headers=HTMX).get_data(as_text=True)
    assert "Comment deleted" in thread and "Mine" not in thread and "Comments (1)" in thread
    auth_client.post(f"/campaigns/{campaign.id}/comments/{owners.id}/delete")
    db.session.expire_all()
    assert Comment.query.count() == 2 and all(c.deleted_at is not None for c in Comment.query)
    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert page.count("Comment deleted") == 2 and "Comments (0)" in page
    # A deleted comment cannot be changed.
    response = auth_client.post(f"/campaigns/{campaign.id}/comments/{owners.id}/edit", data={"body": "x"},
                                headers=HTMX)
    assert response.status_code == 409
