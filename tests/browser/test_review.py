"""An editor and a reviewer of one workspace, each in their own browser: the editor submits phase 1 for review,
the reviewer requests changes on a post with a comment, the editor rewrites variant A with that comment in one
click and submits the post again once it is rewritten, and the reviewer approves it. Saves test-artifacts/
review-*.png."""
from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Post
from gtm.services import accounts, workspaces

from tests.kit.browser import log_in, screenshot
from tests.kit.clients import PASSWORD
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

COMMENT = "Lead with the price: teams decide on it first."


def member(owner, role):
    person = accounts.sign_up(f"{role}@example.com", PASSWORD)
    workspaces.add_member(owner.workspace_id, person.id, role)
    person.workspace_id = owner.workspace_id
    db.session.commit()
    return person


def test_submit_request_changes_rewrite_resubmit_and_approve(user, campaign, live_server, browser):  # noqa: F811
    # The data first: the campaign's strategy is written by this process's worker before the live server's starts.
    editor, reviewer = member(user, "editor"), member(user, "reviewer")
    post = Post.query.filter_by(campaign_id=campaign.id, is_active=True, phase=1).order_by(Post.id).first()
    post_url = f"{live_server.url}/campaigns/{campaign.id}/posts/{post.id}"
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    editing, reviewing = (context.new_page() for context in contexts)
    for page in (editing, reviewing):
        page.set_default_timeout(30_000)
    try:
        log_in(editing, live_server, editor)
        log_in(reviewing, live_server, reviewer)

        editing.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
        board = editing.locator("#board")
        expect(board.get_by_role("button", name="Approve all")).to_have_count(0)
        board.get_by_role("button", name="Submit phase 1 for review").click()
        expect(board.locator(".alert.ok")).to_contain_text("in phase 1 submitted for review")
        expect(board.locator(f"#post-card-{post.id} .review-badge")).to_have_text("In review")
        expect(board.get_by_role("button", name="Submit phase 1 for review")).to_have_count(0)
        screenshot(editing, "review-submitted")

        reviewing.goto(post_url)
        detail = reviewing.locator("#post-detail")
        expect(detail.locator(".review-badge")).to_have_text("In review")
        expect(detail).to_contain_text(f"Submitted for review by {editor.email}")
        expect(detail.get_by_role("button", name="Submit for review")).to_have_count(0)
        detail.locator(".request-changes > summary").click()
        form = detail.locator(".request-changes-form")
        # Without a comment the request is refused, and nothing changes.
        form.get_by_label("What should change?").fill("   ")
        form.get_by_role("button", name="Request changes").click()
        expect(reviewing.locator("#post-detail .alert.error")).to_contain_text("Say what should change")
        expect(reviewing.locator("#post-detail .review-badge")).to_have_text("In review")
        reviewing.locator("#post-detail .request-changes > summary").click()
        form = reviewing.locator("#post-detail .request-changes-form")
        form.get_by_label("What should change?").fill(COMMENT)
        form.get_by_role("button", name="Request changes").click()
        expect(reviewing.locator("#post-detail .review-badge")).to_have_text("Changes requested")
        expect(reviewing.locator(f"#comments-post-{post.id}")).to_contain_text(COMMENT)
        expect(reviewing.locator(f"#comments-post-{post.id}")).to_contain_text("Comments (1)")
        screenshot(reviewing, "review-changes-requested")

        editing.goto(post_url)
        detail = editing.locator("#post-detail")
        expect(detail.locator(".change-request")).to_have_text(COMMENT)
        expect(detail).to_contain_text(f"Changes requested by {reviewer.email}")
        detail.get_by_role("button", name="Regenerate variant A with this comment").click()
        # The post page follows the rewrite, then offers to submit the post again.
        variant = editing.locator("#variant-A")
        expect(variant).to_contain_text("v2 of 2", timeout=60_000)
        expect(variant).to_contain_text(f"revised v1 for: “{COMMENT}”")
        detail = editing.locator("#post-detail")
        expect(detail.locator(".review-badge")).to_have_text("Draft")
        detail.get_by_role("button", name="Submit for review").click()
        expect(editing.locator("#post-detail .review-badge")).to_have_text("In review")
        screenshot(editing, "review-resubmitted")

        reviewing.goto(post_url)
        reviewing.locator("#post-detail").get_by_role("button", name="Approve").click()
        detail = reviewing.locator("#post-detail")
        expect(detail.locator(".badge.approved")).to_have_text("✓ Approved")
        expect(detail).to_contain_text(f"Approved by {reviewer.email}")
        screenshot(reviewing, "review-approved")

        editing.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
        expect(editing.locator(f"#post-card-{post.id} .badge.approved")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
