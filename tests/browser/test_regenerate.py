"""A marketer in a real browser regenerates the strategy: opens the preview dialog from a phase, regenerates from
phase 2 and watches the board switch to the new version and fill in; then types a command in the chat box,
watches the board again, and presses Undo."""
import re

from playwright.sync_api import expect

from tests.kit.browser import log_in, plan_on_the_board, screenshot


def test_preview_dialog_regenerate_from_phase_2_and_watch_the_board(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        board = plan_on_the_board(page, live_server, campaign)
        phase_1_titles = board.locator(".phase-column").first.locator(".post-card h4").all_inner_texts()

        board.get_by_role("link", name="Regenerate from phase 2").click()
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("New direction")).to_be_focused()
        expect(dialog.get_by_label("From phase")).to_have_value("2")
        expect(dialog).to_contain_text("This makes version 2")
        expect(dialog).to_contain_text("Archived (9)")
        expect(dialog).to_contain_text("Nothing is deleted.")
        screenshot(page, "regenerate-preview-dialog")
        # Another phase: the preview follows.
        dialog.get_by_label("From phase").select_option("3")
        expect(dialog).to_contain_text("Archived (5)")
        dialog.get_by_label("From phase").select_option("2")
        expect(dialog).to_contain_text("Archived (9)")
        # An empty direction is refused next to its field.
        dialog.get_by_role("button", name="Regenerate").click()
        expect(dialog.locator("#new-direction-error")).to_contain_text("new direction")
        dialog.get_by_label("New direction").fill("Pivot to a developer-first strategy with technical demos")
        dialog.get_by_role("button", name="Regenerate").click()

        expect(page.locator("dialog#regenerate-strategy-dialog")).to_have_count(0)
        board = page.locator("#board")
        expect(board).to_contain_text(re.compile("Version 2 · regenerated from phase 2: Pivot to a developer-first"))
        expect(board.locator(".post-card.status-ready")).to_have_count(
            len(phase_1_titles) + 8, timeout=60_000)
        expect(board.locator("progress")).to_have_count(0)
        expect(board.locator(".phase-column").first.locator(".post-card h4")).to_have_text(phase_1_titles)
        expect(board.locator(".badge.kept")).to_have_count(len(phase_1_titles))
        screenshot(page, "regenerated-board")

        page.get_by_role("link", name="Graph").click()
        expect(page.locator("svg.strategy-graph g.node")).to_have_count(len(phase_1_titles) + 8)
        page.get_by_role("link", name="Regenerate from phase 1").click()
        expect(page.locator("dialog#regenerate-strategy-dialog")).to_contain_text("replaces every post")
        page.keyboard.press("Escape")
        expect(page.locator("dialog#regenerate-strategy-dialog")).to_have_count(0)

        # The chat box on the board: a malformed command is answered with the right form and changes nothing.
        page.get_by_role("link", name="Board").click()
        chat = page.locator("#chat")
        chat.get_by_label("Message").fill("!regenerate phase x go developer-first")
        chat.get_by_role("button", name="Send").click()
        expect(chat.locator(".chat-message").last).to_contain_text("is not a phase number")
        expect(chat.locator(".chat-message").last).to_contain_text("!regenerate phase N <direction>")
        expect(page.locator("#board")).to_contain_text("Version 2 ·")

        chat.get_by_label("Message").fill("!regenerate phase 3 double down on live coding sessions")
        chat.get_by_role("button", name="Send").click()
        reply = chat.locator(".chat-message").last
        expect(reply).to_contain_text("Regenerating from phase 3 as version 3")
        expect(reply.get_by_role("link", name="Follow the progress")).to_be_visible()
        board = page.locator("#board")
        expect(board).to_contain_text(re.compile("Version 3 · regenerated from phase 3: double down on live coding"))
        expect(board.locator("progress")).to_have_count(0, timeout=60_000)
        expect(reply).to_contain_text("Version 3 is ready")
        screenshot(page, "chat-regenerated")

        reply.get_by_role("button", name="Undo").click()
        expect(reply).to_contain_text("Undone: version 2's posts are current again as version 4.")
        expect(reply.get_by_role("button", name="Undo")).to_have_count(0)
        expect(board).to_contain_text("Version 4 · restored from version 2")
        expect(board.locator(".post-card.status-ready")).to_have_count(len(phase_1_titles) + 8)
        page.reload()
        expect(page.locator("#chat .chat-message")).to_have_count(2)
        expect(page.locator("#board")).to_contain_text("Version 4 · restored from version 2")
        page.locator("#chat").scroll_into_view_if_needed()
        screenshot(page, "chat-undone")
    finally:
        page.close()
