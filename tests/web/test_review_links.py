"""Review links on the pages: owners and editors share posts of the current strategy with someone outside the
workspace, list and withdraw the links; the link's page, opened with no session, shows the shared posts and
takes a guest's approval or request for changes, which lands in the post's review, its comments and the
activity as "Name (guest)". An unknown, withdrawn or expired link answers 404 with a plain page."""
import re
from datetime import timedelta

import pytest
from markupsafe import escape

from gtm.extensions import db
from gtm.models import Activity, Campaign, Comment, Post, Variant
from gtm.models._base import utcnow
from gtm.models.review_link import ReviewLink
from gtm.services import accounts, campaign_changes, imports, media, review_links

from tests.kit.clients import PASSWORD, log_in, new_client
from tests.kit.members import joined_member
from tests.kit.written import campaign, written_export  # noqa: F401 - a campaign with a written strategy

GONE = "This review link has expired or was withdrawn; ask whoever sent it for a new one."


def posts(campaign):  # noqa: F811
    db.session.expire_all()
    return Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.phase, Post.id).all()


def links_url(campaign):  # noqa: F811
    return f"/campaigns/{campaign.id}/review-links"


def shown_link(page: str) -> str:
    return re.search(r'id="review-link" type="text" readonly value="([^"]+)"', page).group(1)


def path_of(url: str) -> str:
    return "/review/" + url.rsplit("/review/", 1)[1]


def decide(client, link_path, post, **form):
    return client.post(f"{link_path}/posts/{post.id}", data=form)


@pytest.fixture
def shared(user, campaign):  # noqa: F811
    """A link that shares every current post, and its path."""
    link, raw = review_links.create(user.workspace_id, campaign.id, user.id)
    return link, f"/review/{raw}"


@pytest.fixture
def guest(app):
    """A browser with no session."""
    return new_client(app)


def test_an_owner_makes_links_lists_them_and_withdraws_one(auth_client, guest, campaign):  # noqa: F811
    board = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert f'href="{links_url(campaign)}">Share for review</a>' in board
    page = auth_client.get(links_url(campaign)).get_data(as_text=True)
    assert "No review links yet." in page and all(str(escape(post.title)) in page for post in posts(campaign))

    response = auth_client.post(links_url(campaign), data={"share": "all", "expires_in_days": "7"})
    page = response.get_data(as_text=True)
    assert response.status_code == 201 and "Copy it now: it is shown only once" in page
    assert 'data-copy="#review-link"' in page
    every = shown_link(page)
    first = ReviewLink.query.one()
    assert first.post_ids == [post.id for post in posts(campaign)] and not first.one_use_per_post
    assert timedelta(days=6, hours=23) < first.expires_at - utcnow() <= timedelta(days=7)
    assert guest.get(path_of(every)).status_code == 200

    chosen = posts(campaign)[:2]
    response = auth_client.post(links_url(campaign), data={
        "share": "chosen", "post_ids": [str(post.id) for post in chosen], "expires_in_days": "3",
        "one_use_per_post": "1"})
    assert response.status_code == 201
    second = ReviewLink.query.order_by(ReviewLink.id.desc()).first()
    assert second.post_ids == [post.id for post in chosen] and second.one_use_per_post
    assert second.token_hash != first.token_hash and shown_link(response.get_data(as_text=True)) not in page

    page = auth_client.get(links_url(campaign)).get_data(as_text=True)
    assert page.count("marketer@example.com") >= 2 and "One decision per post" in page
    assert "0 of 2 posts" in page and every not in page, "the link is shown once only"
    assert 'data-confirm="Withdraw this review link?' in page

    response = auth_client.post(f"{links_url(campaign)}/{first.id}/revoke")
    assert response.status_code == 303
    db.session.expire_all()
    assert first.revoked_at is not None and second.revoked_at is None
    gone = guest.get(path_of(every))
    assert gone.status_code == 404 and GONE in gone.get_data(as_text=True)
    page = auth_client.get(links_url(campaign)).get_data(as_text=True)
    assert "Withdrawn" in page and "The review link is withdrawn" in page
    kinds = [row.kind for row in Activity.query.order_by(Activity.id)]
    assert kinds[-3:] == ["review_link_created", "review_link_created", "review_link_revoked"]


@pytest.mark.parametrize("form,field", [
    ({"share": "all", "expires_in_days": "0"}, "from 1 to 30"),
    ({"share": "all", "expires_in_days": "31"}, "from 1 to 30"),
    ({"share": "all", "expires_in_days": "a week"}, "from 1 to 30"),
    ({"share": "chosen", "expires_in_days": "7"}, "Tick the posts to share"),
    ({"share": "chosen", "post_ids": ["999999"], "expires_in_days": "7"}, "not posts of the campaign"),
    ({"share": "chosen", "post_ids": ["x"], "expires_in_days": "7"}, "not posts of the campaign"),
], ids=["no days", "too many days", "words", "none ticked", "unknown post", "not an id"])
def test_a_wrong_link_form_says_what_to_do_and_makes_nothing(auth_client, campaign, form, field):  # noqa: F811
    response = auth_client.post(links_url(campaign), data=form)
    assert response.status_code == 422 and field in response.get_data(as_text=True)
    assert ReviewLink.query.count() == 0


def test_a_post_of_another_campaign_cannot_be_shared(auth_client, user, campaign):  # noqa: F811
    other = imports.import_campaign(user.workspace_id, written_export())
    foreign = Post.query.filter_by(campaign_id=other.id).first()
    response = auth_client.post(links_url(campaign), data={"share": "chosen", "post_ids": [str(foreign.id)]})
    assert response.status_code == 422 and ReviewLink.query.count() == 0


def test_a_guest_approves_one_post_and_requests_changes_on_another(guest, shared, campaign):  # noqa: F811
    _, path = shared
    first, second = posts(campaign)[:2]
    response = guest.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and campaign.name in page
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    assert all(str(escape(post.title)) in page for post in posts(campaign))
    variant = Variant.query.filter_by(post_id=first.id, label="B", is_current=True).one()
    assert str(escape(variant.headline)) in page and "Variant A" in page and "Variant B" in page
    assert "Not reviewed yet" in page

    response = decide(guest, path, first, name="Dana Reyes", comment="", decision="approve")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{path}#post-{first.id}")
    db.session.expire_all()
    assert (first.review, first.approved, first.reviewed_by_id) == ("approved", True, None)
    row = Activity.query.order_by(Activity.id.desc()).first()
    assert (row.kind, row.actor_name, row.actor_id) == ("post_approved", "Dana Reyes (guest)", None)
    assert first.title in row.summary and "review link" in row.summary
    assert Comment.query.count() == 0, "an approval without a comment adds none"

    # Changes without a comment: refused beside the field, what was typed kept, nothing changed.
    response = decide(guest, path, second, name="Dana Reyes", comment="  ", decision="request_changes")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Say what should change" in page and 'value="Dana Reyes"' in page
    db.session.expire_all()
    assert second.review == "draft" and Comment.query.count() == 0

    response = decide(guest, path, second, name="Dana Reyes", comment="Shorter headline, please.",
                      decision="request_changes")
    assert response.status_code == 303
    db.session.expire_all()
    assert second.review == "changes_requested"
    comment = Comment.query.one()
    assert (comment.author_id, comment.author_name, comment.body, comment.subject_id) == (
        None, "Dana Reyes (guest)", "Shorter headline, please.", second.id)
    row = Activity.query.order_by(Activity.id.desc()).first()
    assert (row.kind, row.actor_name) == ("changes_requested", "Dana Reyes (guest)")
    assert "Shorter headline, please." in row.summary

    page = guest.get(path).get_data(as_text=True)
    assert "is sent back with your comment" in page and "Changes requested" in page and "Approved" in page


def test_the_team_reads_the_guests_comment_on_the_post_page(auth_client, guest, shared, campaign):  # noqa: F811
    _, path = shared
    post = posts(campaign)[0]
    decide(guest, path, post, name="Dana", comment="Less jargon.", decision="request_changes")
    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert "Dana (guest)" in page and "Less jargon." in page


@pytest.mark.parametrize("form,message", [
    ({"name": "", "decision": "approve"}, "Write your name"),
    ({"name": "n" * 81, "decision": "approve"}, "at most 80 characters"),
    ({"name": "Dana", "decision": "maybe"}, "Choose Approve or Request changes"),
    ({"name": "Dana", "decision": "approve", "comment": "c" * 4001}, "at most 4,000 characters"),
], ids=["no name", "long name", "no decision", "long comment"])
def test_a_wrong_decision_says_what_to_do_and_changes_nothing(guest, shared, campaign, form, message):  # noqa: F811
    _, path = shared
    post = posts(campaign)[0]
    response = decide(guest, path, post, **form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert post.review == "draft" and Comment.query.count() == 0
    assert not Activity.query.filter(Activity.actor_name.like("%(guest)")).count()


def test_one_use_per_post_takes_one_decision(user, guest, campaign):  # noqa: F811
    post, other = posts(campaign)[:2]
    _, raw = review_links.create(user.workspace_id, campaign.id, user.id, [post.id, other.id], 7, True)
    path = f"/review/{raw}"
    assert decide(guest, path, post, name="Dana", comment="Too long.", decision="request_changes").status_code == 303
    response = decide(guest, path, post, name="Sam", decision="approve")
    assert response.status_code == 409 and "already sent through this link" in response.get_data(as_text=True)
    db.session.expire_all()
    assert post.review == "changes_requested"
    page = guest.get(path).get_data(as_text=True)
    assert page.count('class="guest-review"') == 1, "only the undecided post keeps its form"
    assert decide(guest, path, other, name="Sam", decision="approve").status_code == 303


def test_without_one_use_a_guest_may_decide_again(guest, shared, campaign):  # noqa: F811
    _, path = shared
    post = posts(campaign)[0]
    assert decide(guest, path, post, name="Dana", comment="Too long.", decision="request_changes").status_code == 303
    assert decide(guest, path, post, name="Dana", decision="approve").status_code == 303
    db.session.expire_all()
    assert post.review == "approved"
    again = decide(guest, path, post, name="Dana", decision="approve")
    assert again.status_code == 409 and "already approved" in again.get_data(as_text=True)


def test_a_post_the_link_does_not_share_is_not_found(user, guest, campaign):  # noqa: F811
    shared_post, other = posts(campaign)[:2]
    _, raw = review_links.create(user.workspace_id, campaign.id, user.id, [shared_post.id])
    page = guest.get(f"/review/{raw}").get_data(as_text=True)
    assert str(escape(shared_post.title)) in page and f'id="post-{other.id}"' not in page
    response = decide(guest, f"/review/{raw}", other, name="Dana", decision="approve")
    assert response.status_code == 404 and "does not share that post" in response.get_data(as_text=True)
    db.session.expire_all()
    assert other.review == "draft"
    variant = Variant.query.filter_by(post_id=other.id).first()
    assert guest.get(f"/review/{raw}/images/{variant.id}.png").status_code == 404


def test_a_shared_posts_image_is_served_through_the_link_only(app, user, guest, campaign):  # noqa: F811
    post, other = posts(campaign)[:2]
    variants = [Variant.query.filter_by(post_id=p.id, label="A", is_current=True).one() for p in (post, other)]
    for variant in variants:
        variant.media_path = media.store(user.workspace_id, f"variant-{variant.id}", b"\x89PNG\r\n\x1a\nimage")
    db.session.commit()
    link, raw = review_links.create(user.workspace_id, campaign.id, user.id, [post.id])
    page = guest.get(f"/review/{raw}").get_data(as_text=True)
    assert f'src="/review/{raw}/images/{variants[0].id}.png"' in page
    response = guest.get(f"/review/{raw}/images/{variants[0].id}.png")
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    assert response.headers["Cache-Control"] == "no-store"
    response.close()
    assert guest.get(f"/review/{raw}/images/{variants[1].id}.png").status_code == 404
    assert guest.get(f"/media/variants/{variants[0].id}.png").status_code != 200, "the app's own route needs a session"
    review_links.revoke(user.workspace_id, campaign.id, user.id, link.id)
    assert guest.get(f"/review/{raw}/images/{variants[0].id}.png").status_code == 404


def test_unknown_withdrawn_and_expired_links_answer_the_same_404(user, guest, campaign):  # noqa: F811
    post = posts(campaign)[0]
    expired, expired_raw = review_links.create(user.workspace_id, campaign.id, user.id)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    revoked, revoked_raw = review_links.create(user.workspace_id, campaign.id, user.id)
    db.session.commit()
    review_links.revoke(user.workspace_id, campaign.id, user.id, revoked.id)
    for raw in ("no-such-link", expired_raw, revoked_raw, "x" * 300):
        for response in (guest.get(f"/review/{raw}"),
                         decide(guest, f"/review/{raw}", post, name="Dana", decision="approve")):
            page = response.get_data(as_text=True)
            assert response.status_code == 404 and GONE in page, raw
            assert 'href="/' not in page.replace('href="/static/', ""), "a plain page, with no way into the app"
    db.session.expire_all()
    assert post.review == "draft"


def test_the_public_page_links_nowhere_into_the_app(auth_client, guest, shared, campaign):  # noqa: F811
    _, path = shared
    for client in (guest, auth_client):
        page = client.get(path).get_data(as_text=True)
        links = re.findall(r'href="([^"]*)"', page)
        assert links and all(link.startswith("/static/") for link in links), links
        assert not re.search(r'(href|action|src)="/(campaigns|settings|activity|api|media)', page)
        assert ">Campaigns<" not in page and ">Settings<" not in page


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_viewers_and_reviewers_cannot_share(app, user, campaign, role):  # noqa: F811
    member = joined_member(user, f"{role}@example.com", role)
    client = log_in(new_client(app), member.email)
    assert "Share for review" not in client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert client.get(links_url(campaign)).status_code == 403
    assert client.post(links_url(campaign), data={"share": "all", "expires_in_days": "7"}).status_code == 403
    link, raw = review_links.create(user.workspace_id, campaign.id, user.id)
    assert client.post(f"{links_url(campaign)}/{link.id}/revoke").status_code == 403
    db.session.expire_all()
    assert ReviewLink.query.count() == 1 and link.revoked_at is None


def test_an_editor_shares_and_withdraws(app, user, campaign):  # noqa: F811
    editor = joined_member(user, "editor@example.com", "editor")
    client = log_in(new_client(app), editor.email)
    assert client.post(links_url(campaign), data={"share": "all", "expires_in_days": "1"}).status_code == 201
    link = ReviewLink.query.one()
    assert link.created_by_id == editor.id
    assert client.post(f"{links_url(campaign)}/{link.id}/revoke").status_code == 303


def test_another_workspaces_links_are_not_found(app, user, campaign):  # noqa: F811
    link, raw = review_links.create(user.workspace_id, campaign.id, user.id)
    rival = accounts.sign_up("rival@example.com", PASSWORD)
    theirs = imports.import_campaign(rival.workspace_id, written_export())
    client = log_in(new_client(app), rival.email)
    assert client.get(links_url(campaign)).status_code == 404
    assert client.post(f"{links_url(campaign)}/{link.id}/revoke").status_code == 404
    assert client.post(f"/campaigns/{theirs.id}/review-links/{link.id}/revoke").status_code == 404
    db.session.expire_all()
    assert link.revoked_at is None


def test_a_post_replaced_by_a_newer_version_is_no_longer_shown(user, guest, shared, campaign):  # noqa: F811
    _, path = shared
    post = posts(campaign)[0]
    post.is_active = False
    db.session.commit()
    page = guest.get(path).get_data(as_text=True)
    assert f'id="post-{post.id}"' not in page and "since replaced by a newer version" in page
    response = decide(guest, path, post, name="Dana", decision="approve")
    assert response.status_code == 409 and "replaced by a newer version" in response.get_data(as_text=True)


def test_deciding_is_rate_limited_per_address(guest, shared, campaign):  # noqa: F811
    _, path = shared
    post = posts(campaign)[0]
    statuses = [decide(guest, path, post, name="", decision="approve").status_code for _ in range(21)]
    assert statuses == [422] * 20 + [429]


def test_deleting_the_campaign_deletes_its_links(user, shared, guest, campaign):  # noqa: F811
    _, path = shared
    campaign_changes.delete_campaign(user.workspace_id, campaign.id)
    assert ReviewLink.query.count() == 0 and db.session.get(Campaign, campaign.id) is None
    assert guest.get(path).status_code == 404
