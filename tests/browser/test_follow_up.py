"""A marketer ticks two posts of different branches on the board, asks for a follow-up post, watches it being
written, and reads the new version's compare view: one post added after both, with an arrow from each."""
from playwright.sync_api import expect

from tests.kit.browser import log_in, plan_on_the_board, screenshot

INSTRUCTION = "Invite the readers of both posts to the live demo on Thursday"


def test_a_follow_up_after_two_posts_of_different_branches(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        board = plan_on_the_board(page, live_server, campaign)
        # Phase 3's first and last posts hang from different posts of phase 2: two branches.
        cards = board.locator("section.phase-column").nth(2).locator(".post-card")
        picked = [cards.first, cards.last]
        titles = [card.locator("h4").inner_text() for card in picked]
        assert titles[0] != titles[1]
        for card in picked:
            card.get_by_label("Follow up").check()

        # Nothing to say yet: the form says so in place and keeps the ticks.
        form = page.locator("#follow-up")
        form.get_by_role("button", name="Add a follow-up post").click()
        expect(page.locator("#follow-up .field-error")).to_have_text("Say what the follow-up post should do (the "
                                                                     "instruction).")
        cards = page.locator("#board section.phase-column").nth(2).locator(".post-card")
        expect(cards.first.get_by_label("Follow up")).to_be_checked()
        expect(cards.last.get_by_label("Follow up")).to_be_checked()
        page.locator("#follow-up-instruction").fill(INSTRUCTION)
        screenshot(page, "follow-up-picked")
        page.locator("#follow-up").get_by_role("button", name="Add a follow-up post").click()

        board = page.locator("#board")
        expect(board).to_contain_text(f"Version 2 · follow-up after “{titles[0]}” and “{titles[1]}”: {INSTRUCTION}",
                                      timeout=60_000)
        expect(board.locator("progress")).to_have_count(0, timeout=60_000)
        expect(board.locator(".post-card.status-ready")).to_have_count(13)
        # The new post is the last of phase 4, after both picked posts.
        last_phase = board.locator("section.phase-column").nth(3)
        expect(last_phase.locator(".post-card")).to_have_count(3)
        expect(last_phase.locator(".post-card").last).to_contain_text(f"After: {titles[0]}; {titles[1]}")
        screenshot(page, "follow-up-board")

        page.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy/compare?a=1&b=2")
        expect(page.locator(".compare-summary")).to_have_text("12 posts kept, 1 new, 0 archived; 2 links changed.")
        expect(page.locator(".compare-origins")).to_contain_text(f"Version 2: follow-up after “{titles[0]}”")
        expect(page.locator('#compare-graph g.node[data-change="added"]')).to_have_count(1)
        expect(page.locator('#compare-graph path.edge[data-change="added"]')).to_have_count(2)
        screenshot(page, "follow-up-compare")
    finally:
        page.close()
