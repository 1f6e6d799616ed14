"""A marketer in a real browser: plan a strategy and watch the cards fill in, look at the graph, open a post
and regenerate variant B with feedback, then approve all."""
import re

import pytest
from playwright.sync_api import expect

from tests.kit.browser import screenshot
from tests.kit.clients import PASSWORD


@pytest.mark.usefixtures("paced_offline_model")
def test_plan_watch_regenerate_and_approve(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{live_server.url}/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        # Wait for the log-in to land (it sets the session) before going anywhere else.
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        page.goto(f"{live_server.url}/campaigns/{campaign.id}")

        # The campaign page's strategy section is the live summary, loaded by htmx.
        section = page.locator("#strategy")
        expect(section.get_by_label("Direction (optional)")).to_be_visible()
        section.get_by_label("Direction (optional)").fill("Lead with customer stories")
        section.get_by_role("button", name="Plan strategy").click()

        expect(page).to_have_url(re.compile(rf"/campaigns/{campaign.id}/strategy$"))
        board = page.locator("#board")
        expect(board.locator("progress")).to_be_visible()
        expect(board.locator(".post-card").first).to_be_visible()
        expect(board).to_contain_text(re.compile(r"Writing post \d+ of 12…"))
        screenshot(page, "strategy-board-filling")
        expect(board.locator(".post-card.status-ready")).to_have_count(12, timeout=60_000)
        expect(board.locator("progress")).to_have_count(0)
        expect(board).not_to_have_attribute("hx-trigger", re.compile(".+"))
        expect(board.locator(".phase-column")).to_have_count(4)
        screenshot(page, "strategy-board")

        page.get_by_role("link", name="Graph").click()
        graph = page.locator("svg.strategy-graph")
        expect(graph).to_be_visible()
        expect(graph.locator("g.node")).to_have_count(12)
        expect(page.get_by_label("Mermaid text of this graph")).to_have_value(re.compile("^flowchart LR"))
        screenshot(page, "strategy-graph")

        page.get_by_role("link", name="Board").click()
        page.locator("#board .post-card h4 a").nth(4).click()
        expect(page.locator("#variant-A")).to_contain_text("v1 of 1")
        expect(page.locator("#variant-B img")).to_be_visible()
        variant_b = page.locator("#variant-B")

        variant_b.get_by_role("link", name="Regenerate variant B").click()
        dialog = page.locator("dialog#regenerate-dialog")
        expect(dialog).to_be_visible()
        feedback = dialog.get_by_label("What should change in variant B?")
        expect(feedback).to_be_focused()
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)

        variant_b.get_by_role("link", name="Regenerate variant B").click()
        dialog = page.locator("dialog#regenerate-dialog")
        dialog.get_by_role("button", name="Regenerate variant B").click()
        expect(dialog.locator(".field-error")).to_contain_text("Say what should change")
        dialog.get_by_label("What should change in variant B?").fill("More concise, please")
        dialog.get_by_role("button", name="Regenerate variant B").click()
        expect(page.locator("#variant-B")).to_contain_text("v2 of 2", timeout=30_000)
        expect(page.locator("#variant-B")).to_contain_text("More concise, please")
        expect(page.locator("#variant-A")).to_contain_text("v1 of 1")
        page.locator("#variant-B").get_by_role("link", name="Older version of variant B").click()
        expect(page.locator("#variant-B")).to_contain_text("v1 of 2")
        page.locator("#variant-B").get_by_role("link", name="Newer version of variant B").click()
        expect(page.locator("#variant-B")).to_contain_text("v2 of 2")
        screenshot(page, "strategy-post")

        page.get_by_role("link", name="Strategy").click()
        page.locator("#board").get_by_role("button", name="Approve all").click()
        expect(page.locator("#board")).to_contain_text("12 posts approved.")
        expect(page.locator("#board .post-card .approved")).to_have_count(12)
        screenshot(page, "strategy-board-approved")
        page.get_by_role("link", name="Graph").click()
        expect(page.locator("svg.strategy-graph g.node.approved")).to_have_count(12)
        screenshot(page, "strategy-graph-approved")

        page.goto(f"{live_server.url}/campaigns/{campaign.id}")
        summary = page.locator("#strategy")
        expect(summary).to_contain_text("12 posts")
        expect(summary).to_contain_text("12 approved")
        expect(summary.get_by_role("link", name="Open the strategy board")).to_be_visible()
        summary.scroll_into_view_if_needed()
        screenshot(page, "strategy-summary")
    finally:
        page.close()
