"""Nothing a marketer needs sits off-screen: on a 1400 px window the board's Add phases is in view however many
phases there are."""
from playwright.sync_api import expect

from tests.kit import history
from tests.kit.browser import log_in, screenshot


def inside_the_window(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_add_phases_is_in_the_window_on_a_board_of_five_phases(user, live_server, browser):
    campaign = history.planned(user.workspace_id, "Five phases", sizes=(2, 3, 2, 3, 2))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
        board = page.locator("#board")
        expect(board.locator(".phase-column")).to_have_count(5)
        add = board.get_by_role("link", name="Add phases after phase 5")
        expect(add).to_be_visible()
        assert inside_the_window(page, add), add.bounding_box()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        screenshot(page, "board-add-phases-1400")
        add.click()
        expect(page.locator("dialog#regenerate-strategy-dialog")).to_contain_text("This makes version 2")
    finally:
        page.close()
