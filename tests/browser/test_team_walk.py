"""A team's first review, told end to end in three browsers, each with its own cookies: the owner invites an editor
and a reviewer from Settings › Members and hands each the link shown on the page; each signs up through their link
and lands in the owner's workspace; the editor submits phase 1 for review from the board; the reviewer asks for
changes on a post with a comment; the editor rewrites variant A with that comment in one click and submits the post
again; the reviewer approves it; and the owner reads the story, with who did each part, on the campaign's Activity
tab, and from the invitations on, on the workspace's Activity page. The reviewer's board offers no Regenerate or
Plan, and the editor is offered no Approve on the post they submitted. Saves test-artifacts/team-*.png."""
from playwright.sync_api import expect

from gtm.models import Post

from tests.kit.browser import log_in, screenshot
from tests.kit.clients import PASSWORD
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

EDITOR, REVIEWER = "editor@example.com", "reviewer@example.com"
COMMENT = "Lead with the price"


def invite(page, email: str, role: str) -> str:
    """Invite `email` with `role` on the members page, and copy the link the page shows once."""
    form = page.locator("#invitations form.row-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Role").select_option(label=role)
    form.get_by_role("button", name="Invite").click()
    shown = page.get_by_label(f"Invitation link for {email}")
    expect(shown).to_be_visible()
    expect(page.locator("#invitations")).to_contain_text(f"{email} is invited as {role.lower()}")
    return shown.input_value()


def join(page, link: str, email: str, role: str, workspace: str):
    """Open an invitation link in a browser of one's own and sign up there with the address it was sent to."""
    page.goto(link)
    expect(page.locator("h1")).to_have_text(f"Join {workspace}")
    page.get_by_role("link", name=f"Sign up as {email}").click()
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".alert.ok")).to_contain_text(f"You joined {workspace} as {role}.")


def story(page) -> list[tuple[str, str]]:
    """The activity list as (summary, who) pairs, oldest first."""
    rows = page.locator(".activity-row")
    told = [(row.locator(".activity-summary").inner_text(), row.locator(".activity-actor").inner_text())
            for row in rows.all()]
    return told[::-1]


def test_a_team_reviews_a_phase_from_invitation_to_approval(user, campaign, live_server, browser):  # noqa: F811
    # The data first: the campaign's strategy is written by this process's worker before the live server's starts.
    board_url = f"{live_server.url}/campaigns/{campaign.id}/strategy"
    post = Post.query.filter_by(campaign_id=campaign.id, is_active=True, phase=1).order_by(Post.id).first()
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(3)]
    owning, editing, reviewing = (context.new_page() for context in contexts)
    for page in (owning, editing, reviewing):
        page.set_default_timeout(30_000)
    try:
        # 1. The owner invites an editor and a reviewer, copying each link from the page.
        log_in(owning, live_server, user)
        owning.get_by_role("link", name="Settings", exact=True).click()
        owning.get_by_role("link", name="Members", exact=True).click()
        workspace = owning.locator("h1").inner_text().removeprefix("Members of ")
        editor_link = invite(owning, EDITOR, "Editor")
        reviewer_link = invite(owning, REVIEWER, "Reviewer")
        pending = owning.get_by_role("region", name="Pending invitations")
        expect(pending.locator("tbody tr")).to_have_count(2)
        expect(pending).to_contain_text(EDITOR)
        expect(pending).to_contain_text(REVIEWER)
        screenshot(owning, "team-invitations")

        # 2. Each opens their own link, signs up with the address filled in, and lands in the owner's workspace.
        join(editing, editor_link, EDITOR, "editor", workspace)
        join(reviewing, reviewer_link, REVIEWER, "reviewer", workspace)
        for page in (editing, reviewing):
            expect(page.get_by_role("link", name=campaign.name, exact=True)).to_be_visible()
        owning.goto(f"{live_server.url}/settings/members")
        members = owning.get_by_role("region", name="Members")
        expect(members).to_contain_text(EDITOR)
        expect(members).to_contain_text(REVIEWER)
        # Each member's role, Save and Remove fit the window: the table does not scroll sideways.
        assert members.evaluate("frame => frame.scrollWidth <= frame.clientWidth"), "the members table scrolls sideways"
        expect(owning.locator("#invitations")).to_contain_text("No pending invitations.")
        screenshot(owning, "team-members")

        # 3. The editor opens the campaign and submits phase 1 for review from the board.
        editing.get_by_role("link", name=campaign.name, exact=True).click()
        editing.get_by_role("link", name="Open the strategy board").click()
        board = editing.locator("#board")
        board.get_by_role("button", name="Submit phase 1 for review").click()
        expect(editing.locator("#board .alert.ok")).to_contain_text("in phase 1 submitted for review")
        expect(editing.locator(f"#post-card-{post.id} .review-badge")).to_have_text("In review")
        screenshot(editing, "team-editor-submitted")

        # The reviewer's board: the posts to read, nothing to regenerate or plan.
        reviewing.goto(board_url)
        board = reviewing.locator("#board")
        expect(board.locator(f"#post-card-{post.id} .review-badge")).to_have_text("In review")
        expect(board.get_by_role("link", name="Regenerate from phase 1")).to_have_count(0)
        expect(board.get_by_role("link", name="Add phases", exact=False)).to_have_count(0)
        expect(board.get_by_role("button", name="Plan a new version")).to_have_count(0)
        expect(board.get_by_role("button", name="Submit phase 1 for review")).to_have_count(0)
        expect(board.locator("#plan")).to_contain_text("Editors and owners plan the strategy")

        # 4. The reviewer opens a post of phase 1 and asks for changes, with a comment.
        board.get_by_role("link", name=post.title, exact=True).click()
        detail = reviewing.locator("#post-detail")
        expect(detail).to_contain_text(f"Submitted for review by {EDITOR}")
        detail.locator(".request-changes > summary").click()
        form = detail.locator(".request-changes-form")
        form.get_by_label("What should change?").fill(COMMENT)
        form.get_by_role("button", name="Request changes").click()
        expect(reviewing.locator("#post-detail .review-badge")).to_have_text("Changes requested")
        expect(reviewing.locator(f"#comments-post-{post.id}")).to_contain_text(COMMENT)
        screenshot(reviewing, "team-reviewer-requested-changes")

        # 5. The editor opens the post, rewrites variant A with the comment, and submits the post again.
        editing.get_by_role("link", name=post.title, exact=True).click()
        detail = editing.locator("#post-detail")
        expect(detail.locator(".change-request")).to_have_text(COMMENT)
        expect(detail).to_contain_text(f"Changes requested by {REVIEWER}")
        expect(detail.get_by_role("button", name="Approve")).to_have_count(0)
        regenerate = detail.get_by_role("button", name="Regenerate variant A with this comment")
        regenerate.scroll_into_view_if_needed()
        screenshot(editing, "team-editor-regenerate")
        regenerate.click()
        variant = editing.locator("#variant-A")
        expect(variant).to_contain_text("v2 of 2", timeout=60_000)
        expect(variant).to_contain_text(f"revised v1 for: “{COMMENT}”")
        detail = editing.locator("#post-detail")
        expect(detail.locator(".review-badge")).to_have_text("Draft")
        detail.get_by_role("button", name="Submit for review").click()
        detail = editing.locator("#post-detail")
        expect(detail.locator(".review-badge")).to_have_text("In review")
        # Nobody approves what they submitted: the editor is offered no Approve on it.
        expect(detail.get_by_role("button", name="Approve")).to_have_count(0)
        expect(detail.get_by_role("button", name="Submit for review")).to_have_count(0)

        # 6. The reviewer approves it.
        reviewing.reload()
        detail = reviewing.locator("#post-detail")
        expect(detail.locator(".review-badge")).to_have_text("In review")
        detail.get_by_role("button", name="Approve").click()
        detail = reviewing.locator("#post-detail")
        expect(detail.locator(".badge.approved")).to_have_text("✓ Approved")
        expect(detail).to_contain_text(f"Approved by {REVIEWER}")
        screenshot(reviewing, "team-approved")

        # 7. The owner reads the story on the campaign's Activity tab, with who did each part, in order.
        owning.goto(board_url)
        owning.get_by_role("navigation", name="Strategy views").get_by_role("link", name="Activity").click()
        expect(owning.locator("h1")).to_have_text("Activity")
        expect(owning.locator(".activity-row").first).to_contain_text("Approved")
        phase_1 = Post.query.filter_by(campaign_id=campaign.id, is_active=True, phase=1).count()
        title = f"“{post.title}”"
        reviewed = [
            (f"Submitted {phase_1} posts of phase 1 for review", EDITOR),
            (f"Requested changes to {title}: “{COMMENT}”", REVIEWER),
            (f"Rewrote variant A of {title} with feedback: “{COMMENT}” (v2)", EDITOR),
            ("Submitted 1 post for review", EDITOR),
            (f"Approved {title}", REVIEWER),
        ]
        told = story(owning)
        assert told[0][0] == f"Imported the campaign “{campaign.name}” from a JSON export"  # made by the fixture
        assert told[1:] == reviewed
        screenshot(owning, "team-activity")

        # The workspace's Activity page tells it from the invitations on (before them: the fixture's campaigns).
        owning.get_by_role("link", name="Activity", exact=True).first.click()
        expect(owning.locator("h1")).to_have_text("Activity in this workspace")
        expect(owning.locator(".activity-row").first).to_contain_text("Approved")
        told = story(owning)
        invited = told.index((f"Invited {EDITOR} as editor", f"{user.email} (you)"))
        assert told[invited:] == [
            (f"Invited {EDITOR} as editor", f"{user.email} (you)"),
            (f"Invited {REVIEWER} as reviewer", f"{user.email} (you)"),
            (f"{EDITOR} joined the workspace as editor", EDITOR),
            (f"{REVIEWER} joined the workspace as reviewer", REVIEWER),
            *reviewed,
        ]
        screenshot(owning, "team-activity-workspace")
    finally:
        for context in contexts:
            context.close()
