"""In Chromium: a field with a limit counts down as you type, in a page and in a dialog htmx opens; and the
board's Add phases opens a dialog titled for adding phases, which follows the phase chosen in it."""
import re

from playwright.sync_api import expect

from gtm.models import Phase

from tests.kit.browser import log_in, screenshot
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture


def test_typing_into_the_brief_updates_its_count(user, live_server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(20_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/new")
        brief = page.get_by_label("Brief")
        count = page.locator("#brief-count")
        expect(count).to_have_text("4,000 of 4,000 characters left")
        brief.press_sequentially("Hello")
        expect(count).to_have_text("3,995 of 4,000 characters left")
        brief.press("Enter")
        brief.press_sequentially("there")
        expect(count).to_have_text("3,989 of 4,000 characters left"), "a line break is one character"
        brief.fill("b" * 4000)
        expect(count).to_have_text("0 of 4,000 characters left")
        expect(brief).to_have_attribute("maxlength", "4000")
        # Text that came in longer than the limit (set by a script here) is said to be over it.
        brief.evaluate("f => { f.value = 'c'.repeat(4012); f.dispatchEvent(new Event('input', {bubbles: true})); }")
        expect(count).to_have_text("12 characters over the limit")
        expect(count).to_have_class(re.compile(r"\bover\b"))
        screenshot(page, "brief-over-the-limit")
        brief.fill("")
        expect(count).to_have_text("4,000 of 4,000 characters left")
        expect(count).not_to_have_class(re.compile(r"\bover\b"))
    finally:
        page.close()


def test_add_phases_is_titled_for_it_and_its_direction_counts(campaign, user, live_server, browser):
    last = Phase.query.filter_by(campaign_id=campaign.id, version=1).count()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(20_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
        page.locator("#board").get_by_role("link", name=f"Add phases after phase {last}").click()
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        expect(dialog.locator("h2")).to_have_text(f"Add phases after phase {last}")
        expect(dialog.get_by_role("button", name="Add phases")).to_be_visible()
        expect(dialog.get_by_text("Regenerate", exact=True)).to_have_count(0)

        direction = dialog.get_by_label("New direction")
        expect(dialog.locator("#new-direction-count")).to_have_text("1,000 of 1,000 characters left")
        direction.press_sequentially("Go further")
        expect(dialog.locator("#new-direction-count")).to_have_text("990 of 1,000 characters left")
        screenshot(page, "add-phases-dialog")

        dialog.get_by_label("From phase").select_option("2")
        expect(dialog.locator("h2")).to_have_text("Regenerate the strategy")
        expect(dialog.get_by_role("button", name="Regenerate", exact=True)).to_be_visible()
        dialog.get_by_label("From phase").select_option(str(last + 1))
        expect(dialog.locator("h2")).to_have_text(f"Add phases after phase {last}")
        expect(dialog.get_by_role("button", name="Add phases")).to_be_visible()
        expect(direction).to_have_value("Go further")
    finally:
        page.close()
