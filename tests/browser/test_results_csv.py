"""In Chromium: a CSV that would write over numbers recorded on a post's page is marked in its preview with the
old and new numbers, is refused until the replacement is ticked, and its empty template rows are skipped."""
from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Metric

from tests.kit.browser import log_in, plan_on_the_board, screenshot
from tests.kit.triggers import current_posts, day, record


def recorded() -> list[tuple]:
    db.session.expire_all()
    return sorted((m.variant, m.impressions, m.clicks, m.conversions) for m in Metric.query.all())


def test_in_a_browser_a_csv_replaces_recorded_numbers_only_when_told_to(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        plan_on_the_board(page, live_server, campaign)
        post = current_posts(campaign.id)[0]
        record(campaign, [{"post_id": post.id, "variant": "A", "date": day(1), "impressions": 1500, "clicks": 45,
                           "conversions": 6}])
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/results")
        text = ("post,title,variant,date,impressions,clicks,conversions,spend\n"
                f"{post.key},{post.title},A,{day(1)},0,0,0,0\n{post.key},{post.title},B,{day(1)},,,,\n")
        section = page.locator("#bring-in")
        section.locator("#metrics-file").set_input_files(
            files=[{"name": "template.csv", "mimeType": "text/csv", "buffer": text.encode()}])
        section.get_by_role("button", name="Check the file").click()
        expect(section).to_contain_text("1 day of them is already recorded with other numbers")
        expect(section).to_contain_text("Skipped 1 row without numbers (line 3)")
        row = section.locator(".preview-table tr.is-replacing")
        expect(row).to_contain_text("1,500 → 0")
        expect(row).to_contain_text("Replaces the numbers recorded for this day")
        row.scroll_into_view_if_needed()
        screenshot(page, "results-csv-preview-marks-a-replacement")

        section.get_by_role("button", name="Save 1 row", exact=True).click()
        expect(page.locator("#bring-in .alert.error")).to_contain_text(
            "1 day of this file is already recorded with other numbers; nothing was recorded.")
        assert recorded() == [("A", 1500, 45, 6)]

        page.locator("#bring-in").get_by_label("Replace 1 day already recorded").check()
        page.locator("#bring-in").get_by_role("button", name="Save 1 row", exact=True).click()
        expect(page.locator("main")).to_contain_text("Recorded 1 row; the triggers were checked against them.")
        assert recorded() == [("A", 0, 0, 0)]
    finally:
        page.close()
