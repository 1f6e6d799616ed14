"""POST /api/campaigns/{id}/review-links shares posts of the current version for review by a link (201 with its
url, owners and editors; 403 for other roles; 422 with nothing made for a bad body), and DELETE
/api/campaigns/{id}/review-links/{link_id} withdraws it (204): the link then answers 404."""
from datetime import timedelta

import pytest

from gtm.extensions import db
from gtm.models import Post
from gtm.models.review_link import ReviewLink
from gtm.services import accounts, imports

from tests.kit.clients import Api, new_client
from tests.kit.members import joined_member
from tests.kit.written import campaign, written_export  # noqa: F401 - a campaign with a written strategy


def current_posts(campaign):  # noqa: F811
    return Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.phase, Post.id).all()


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


def test_an_owner_shares_every_post_then_withdraws_the_link(api, app, campaign):  # noqa: F811
    status, made = api.post(f"/api/campaigns/{campaign.id}/review-links")
    assert status == 201 and set(made) == {"id", "url", "expires_at"}
    assert made["url"].startswith("http://localhost/review/")
    link = db.session.get(ReviewLink, int(made["id"]))
    assert link.post_ids == [post.id for post in current_posts(campaign)]
    assert link.expires_at - link.created_at == timedelta(days=7) and not link.one_use_per_post
    guest = new_client(app)
    assert guest.get(path_of(made["url"])).status_code == 200

    status, _ = api.delete(f"/api/campaigns/{campaign.id}/review-links/{made['id']}")
    assert status == 204
    assert guest.get(path_of(made["url"])).status_code == 404
    # Withdrawing it again changes nothing.
    assert api.delete(f"/api/campaigns/{campaign.id}/review-links/{made['id']}")[0] == 204


def test_chosen_posts_for_some_days_with_one_use_per_post(api, campaign):  # noqa: F811
    chosen = current_posts(campaign)[:2]
    status, made = api.post(f"/api/campaigns/{campaign.id}/review-links", json={
        "post_ids": [str(chosen[0].id), chosen[1].id], "expires_in_days": 30, "one_use_per_post": True})
    assert status == 201
    link = db.session.get(ReviewLink, int(made["id"]))
    assert link.post_ids == [post.id for post in chosen] and link.one_use_per_post
    assert link.expires_at - link.created_at == timedelta(days=30)


@pytest.mark.parametrize(("body", "field"), [
    ({"expires_in_days": 0}, "expires_in_days"),
    ({"expires_in_days": 31}, "expires_in_days"),
    ({"expires_in_days": "7 days"}, "expires_in_days"),
    ({"expires_in_days": True}, "expires_in_days"),
    ({"post_ids": "1,2"}, "post_ids"),
    ({"post_ids": [999999]}, "post_ids"),
    ({"post_ids": [None]}, "post_ids"),
    ({"post_ids": ["1"] * 501}, "post_ids"),
    ({"one_use_per_post": "yes"}, "one_use_per_post"),
], ids=["no days", "too many days", "words", "a bool for days", "text for the list", "unknown post", "null id",
        "too many posts", "text for the option"])
def test_a_bad_body_is_refused_and_nothing_is_made(api, campaign, body, field):  # noqa: F811
    status, refused = api.post(f"/api/campaigns/{campaign.id}/review-links", json=body)
    assert status == 422 and field in refused["detail"], refused
    assert ReviewLink.query.count() == 0


def test_a_post_of_another_campaign_is_refused(api, user, campaign):  # noqa: F811
    other = imports.import_campaign(user.workspace_id, written_export())
    foreign = Post.query.filter_by(campaign_id=other.id).first()
    status, refused = api.post(f"/api/campaigns/{campaign.id}/review-links", json={"post_ids": [foreign.id]})
    assert status == 422 and "post_ids" in refused["detail"] and ReviewLink.query.count() == 0


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_other_roles_are_refused(app, user, api, answer_checker, campaign, role):  # noqa: F811
    member = joined_member(user, f"{role}@example.com", role)
    theirs = Api(app, accounts.create_token(member.id, "theirs", user.workspace_id)[1], answer_checker)
    status, refused = theirs.post(f"/api/campaigns/{campaign.id}/review-links")
    assert status == 403 and "cannot" in refused["error"] and ReviewLink.query.count() == 0
    _, made = api.post(f"/api/campaigns/{campaign.id}/review-links")
    assert theirs.delete(f"/api/campaigns/{campaign.id}/review-links/{made['id']}")[0] == 403
    assert db.session.get(ReviewLink, int(made["id"])).revoked_at is None


def test_an_editor_shares(app, user, answer_checker, campaign):  # noqa: F811
    editor = joined_member(user, "editor@example.com", "editor")
    theirs = Api(app, accounts.create_token(editor.id, "theirs", user.workspace_id)[1], answer_checker)
    status, made = theirs.post(f"/api/campaigns/{campaign.id}/review-links", json={"expires_in_days": 1})
    assert status == 201 and db.session.get(ReviewLink, int(made["id"])).created_by_id == editor.id


def test_another_workspaces_links_and_campaigns_are_not_found(app, api, answer_checker, campaign):  # noqa: F811
    _, made = api.post(f"/api/campaigns/{campaign.id}/review-links")
    rival = accounts.sign_up("rival@example.com", "Sturdy-passw0rd")
    theirs = Api(app, accounts.create_token(rival.id, "rival")[1], answer_checker)
    own = imports.import_campaign(rival.workspace_id, written_export())
    assert theirs.post(f"/api/campaigns/{campaign.id}/review-links")[0] == 404
    assert theirs.delete(f"/api/campaigns/{campaign.id}/review-links/{made['id']}")[0] == 404
    assert theirs.delete(f"/api/campaigns/{own.id}/review-links/{made['id']}")[0] == 404
    assert api.delete(f"/api/campaigns/{campaign.id}/review-links/999999")[0] == 404
    db.session.expire_all()
    assert db.session.get(ReviewLink, int(made["id"])).revoked_at is None
