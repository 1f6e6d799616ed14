"""A review link in two browsers: the owner shares every post from the board's 'Share for review' and copies
the link; a browser with no session opens it, is refused a request for changes without a comment, requests
changes on one post with a comment and approves another, signed with a name; the owner reads both on the
board, withdraws the link, and the guest's next visit answers 404. Saves test-artifacts/review-link-*.png."""
from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Comment, Post

from tests.kit.browser import log_in, screenshot
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

COMMENT = "Say who it is for in the first line."


def test_a_guest_reviews_through_a_link_until_it_is_withdrawn(user, campaign, live_server, browser):  # noqa: F811
    # The data first: the campaign's strategy is written by this process's worker before the live server's starts.
    first, second = Post.query.filter_by(campaign_id=campaign.id, is_active=True) \
        .order_by(Post.phase, Post.id).limit(2).all()
    owner_context = browser.new_context(viewport={"width": 1400, "height": 1000})
    guest_context = browser.new_context(viewport={"width": 390, "height": 844})
    owner, guest = owner_context.new_page(), guest_context.new_page()
    for page in (owner, guest):
        page.set_default_timeout(30_000)
    try:
        log_in(owner, live_server, user)
        owner.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
        owner.get_by_role("link", name="Share for review").click()
        expect(owner.get_by_role("heading", name="Share for review")).to_be_visible()
        owner.get_by_label("One decision per post").check()
        owner.get_by_role("button", name="Make the link").click()
        field = owner.get_by_label("New review link")
        expect(field).to_be_visible()
        link = field.input_value()
        assert "/review/" in link
        screenshot(owner, "review-link-made")

        guest.goto(link)
        expect(guest.get_by_role("heading", name=campaign.name, exact=True)).to_be_visible()
        expect(guest.get_by_role("link", name="Campaigns")).to_have_count(0)
        assert guest.evaluate("document.documentElement.scrollWidth") <= 390, "the page fits a phone"
        card = guest.locator(f"#post-{first.id}")
        card.get_by_label("Your name").fill("Dana Reyes")
        card.get_by_role("button", name="Request changes").click()
        card = guest.locator(f"#post-{first.id}")
        expect(card.locator(".field-error")).to_contain_text("Say what should change")
        expect(card.get_by_label("Your name")).to_have_value("Dana Reyes")
        card.get_by_label("Comment").fill(COMMENT)
        card.get_by_role("button", name="Request changes").click()
        expect(guest.locator(".alert.ok")).to_contain_text("sent back with your comment")
        expect(guest.locator(f"#post-{first.id} .review-badge")).to_have_text("Changes requested")
        expect(guest.locator(f"#post-{first.id}")).to_contain_text("A decision on this post was sent")

        card = guest.locator(f"#post-{second.id}")
        card.get_by_label("Your name").fill("Dana Reyes")
        card.get_by_role("button", name="Approve").click()
        expect(guest.locator(".alert.ok")).to_contain_text("is approved")
        expect(guest.locator(f"#post-{second.id} .review-badge")).to_contain_text("Approved")
        screenshot(guest, "review-link-guest")

        owner.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
        expect(owner.locator(f"#post-card-{first.id} .review-badge")).to_have_text("Changes requested")
        expect(owner.locator(f"#post-card-{second.id} .review-badge")).to_contain_text("Approved")
        owner.goto(f"{live_server.url}/campaigns/{campaign.id}/posts/{first.id}")
        expect(owner.locator("body")).to_contain_text("Dana Reyes (guest)")
        expect(owner.locator("body")).to_contain_text(COMMENT)

        owner.goto(f"{live_server.url}/campaigns/{campaign.id}/review-links")
        expect(owner.locator("table.review-links")).to_contain_text("2 of")
        owner.once("dialog", lambda dialog: dialog.accept())
        owner.get_by_role("button", name="Withdraw the review link").click()
        expect(owner.locator(".alert.ok")).to_contain_text("The review link is withdrawn")
        screenshot(owner, "review-link-withdrawn")

        answer = guest.goto(link)
        assert answer.status == 404
        expect(guest.locator("body")).to_contain_text("This review link has expired or was withdrawn")
        screenshot(guest, "review-link-gone")
    finally:
        owner_context.close()
        guest_context.close()
    db.session.expire_all()
    comment = Comment.query.filter_by(subject_id=first.id).one()
    assert (comment.author_name, comment.author_id) == ("Dana Reyes (guest)", None)
