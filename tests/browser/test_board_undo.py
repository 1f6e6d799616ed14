"""A marketer in a real browser regenerates from phase 2, then thinks better of it and presses Undo on the board
itself: version 1's posts come back as version 3, the board says so, and offers to undo that in turn."""
from playwright.sync_api import expect

from tests.kit.browser import log_in, plan_on_the_board, screenshot


def test_undo_on_the_board_after_a_regeneration(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        board = plan_on_the_board(page, live_server, campaign)
        version_1 = sorted(board.locator(".post-card h4").all_inner_texts())
        expect(board.get_by_role("button", name="Undo")).to_have_count(0)

        board.get_by_role("link", name="Regenerate from phase 2").click()
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        dialog.get_by_label("New direction").fill("Pivot to a developer-first strategy with technical demos")
        dialog.get_by_role("button", name="Regenerate").click()
        board = page.locator("#board")
        expect(board).to_contain_text("Version 2 · regenerated from phase 2")
        expect(board.locator("progress")).to_have_count(0, timeout=60_000)

        undo = board.get_by_role("button", name="Undo: make version 1's posts current again")
        expect(undo).to_be_visible()
        undo.click()
        expect(board.get_by_role("status")).to_have_text("Undone: version 1's posts are current again as version 3.")
        expect(board).to_contain_text("Version 3 · restored from version 1")
        assert sorted(board.locator(".post-card h4").all_inner_texts()) == version_1
        expect(board.get_by_role("button", name="Undo: make version 2's posts current again")).to_be_visible()
        screenshot(page, "board-undo")
    finally:
        page.close()
