"""A marketer in a real browser looks back through the strategy's versions: plans, regenerates from phase 2, opens
the Versions tab, compares version 1 with version 2 on one coloured graph, restores version 1 through the
version page's dialog, compares version 1 with version 3, and downloads the CSV content calendar."""
import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.kit.browser import screenshot
from tests.kit.browser import log_in, plan_on_the_board


def test_timeline_compare_and_restore_version_1(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        board = plan_on_the_board(page, live_server, campaign)
        version_1 = sorted(board.locator(".post-card h4").all_inner_texts())

        board.get_by_role("link", name="Regenerate from phase 2").click()
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        dialog.get_by_label("New direction").fill("Pivot to a developer-first strategy with technical demos")
        dialog.get_by_role("button", name="Regenerate").click()
        board = page.locator("#board")
        expect(board).to_contain_text("Version 2 · regenerated from phase 2")
        expect(board.locator("progress")).to_have_count(0, timeout=60_000)
        expect(board).to_contain_text("2 versions · see the history")

        page.get_by_role("link", name="Versions").click()
        expect(page).to_have_url(re.compile(r"/strategy/versions$"))
        entries = page.locator(".timeline-entry")
        expect(entries).to_have_count(2)
        expect(entries.first).to_contain_text("Version 2")
        expect(entries.first).to_contain_text("Current")
        expect(entries.first).to_contain_text("regenerated from phase 2")
        expect(entries.first).to_contain_text(f"By {user.email}")
        expect(entries.first).to_contain_text("9 archived")
        expect(entries.last).to_contain_text("12 new")
        screenshot(page, "versions-timeline")

        page.get_by_label("From version").fill("1")
        page.get_by_label("To version").fill("2")
        page.get_by_role("button", name="Compare").click()
        expect(page.locator("h1")).to_have_text("Version 1 compared with version 2")
        expect(page.locator(".compare-summary")).to_contain_text(re.compile(r"\d+ posts? kept, .*links? changed"))
        graph = page.locator("svg.compare-graph")
        expect(graph.locator('g.node[data-change="kept"]')).to_have_count(3)
        expect(graph.locator('g.node[data-change="removed"] .mark').first).to_have_text("−")
        expect(page.locator(".legend")).to_be_visible()
        screenshot(page, "versions-compare")

        page.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy/versions/1")
        expect(page.locator(".version-status")).to_have_text("Version 1 · archived · read-only")
        expect(page.locator("article.post-card")).to_have_count(12)
        page.get_by_role("link", name="Restore this version").click()
        dialog = page.locator("dialog#restore-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("Posts that come back (9)")
        expect(dialog).to_contain_text("No model calls.")
        expect(dialog.get_by_role("button", name="Restore")).to_be_focused()
        screenshot(page, "versions-restore-dialog")
        dialog.get_by_role("button", name="Restore").click()

        expect(page).to_have_url(re.compile(r"/strategy$"))
        board = page.locator("#board")
        expect(board).to_contain_text("Version 3 · restored from version 1")
        expect(board.locator(".post-card")).to_have_count(12)
        assert sorted(board.locator(".post-card h4").all_inner_texts()) == version_1

        # Version 3 holds exactly version 1's posts.
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy/compare?a=1&b=3")
        expect(page.locator(".compare-summary")).to_contain_text("12 posts kept, 0 new, 0 archived")

        # The content calendar of the current version, as a scheduling tool would take it.
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
        with page.expect_download() as download_info:
            page.locator("#board .export-links").get_by_role("link", name="CSV").click()
        download = download_info.value
        assert download.suggested_filename.endswith("-v3.csv")
        rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
        assert len(rows) == 24 and sorted({row["title"] for row in rows}) == version_1
    finally:
        page.close()
