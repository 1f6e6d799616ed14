"""A newcomer in a real browser: sign up, create a campaign, generate the competitor analysis live."""
import re

import pytest
from playwright.sync_api import expect

from tests.kit.browser import screenshot


@pytest.mark.usefixtures("paced_offline_model")
def test_sign_up_create_a_campaign_and_generate_competitors(live_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{live_server.url}/signup")
        page.get_by_label("Email").fill("newcomer@example.com")
        page.get_by_label("Password").fill("weak")
        page.get_by_role("button", name="Sign up").click()
        expect(page.locator("#password-error")).to_contain_text("at least 10 characters")
        page.get_by_label("Password").fill("Sturdy-passw0rd")
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_role("heading", name="No campaigns yet")).to_be_visible()
        assert page.evaluate("typeof htmx") == "object", "htmx must load from the local copy"
        assert "/static/vendor/htmx-" in page.locator("script[src*=htmx]").get_attribute("src")

        page.get_by_role("link", name="Create your first campaign").click()
        page.get_by_label("Campaign name").fill("Bloom launch")
        page.get_by_label("Product").fill("Bloom is a CRM for independent florists. It tracks repeat orders.")
        page.get_by_label("Audience").fill("Owners of independent flower shops")
        page.get_by_label("Goals").fill("300 paid sign-ups in 90 days")
        page.get_by_label("Competitors").fill("Floranext, Spreadsheets")
        page.get_by_label("Budget").fill("a lot")
        page.get_by_role("button", name="Create campaign").click()
        expect(page.locator("#budget-error")).to_contain_text("as a number")
        expect(page.get_by_label("Campaign name")).to_have_value("Bloom launch")
        screenshot(page, "new-campaign-errors")
        page.get_by_label("Budget").fill("12000")
        page.get_by_role("button", name="Create campaign").click()
        expect(page.get_by_role("heading", name="Bloom launch", level=1)).to_be_visible()
        expect(page.get_by_text("Offline model (no API key)")).to_be_visible()

        card = page.locator("#step-competitors")
        card.get_by_label("Notes").fill("Owners compare us with doing nothing.")
        card.get_by_role("button", name="Generate").click()
        expect(card.locator("progress")).to_be_visible()
        screenshot(page, "competitors-progress")
        expect(card.get_by_role("heading", name="Floranext")).to_be_visible()
        expect(card.locator("progress")).to_have_count(0)
        expect(card).not_to_have_attribute("hx-trigger", re.compile(".+"))
        expect(card).to_contain_text("v1 of 1")
        expect(card).to_contain_text("How we differ")
        expect(page.locator("#step-customers")).to_be_visible()
        screenshot(page, "competitors-result")
    finally:
        page.close()


def test_a_request_that_gets_no_answer_says_so(live_server, browser):
    page = browser.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{live_server.url}/signup")
        page.get_by_label("Email").fill("offline@example.com")
        page.get_by_label("Password").fill("Sturdy-passw0rd")
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_role("heading", name="No campaigns yet")).to_be_visible()
        page.goto(f"{live_server.url}/campaigns/new")
        for label, value in (("Campaign name", "Net"), ("Product", "A tool"), ("Audience", "Teams"),
                             ("Goals", "Sign-ups")):
            page.get_by_label(label).fill(value)
        page.get_by_role("button", name="Create campaign").click()
        expect(page.get_by_role("heading", name="Net", level=1)).to_be_visible()
        # htmx binds the forms once the page has loaded; a click before that is a plain form post.
        page.wait_for_load_state("load")
        page.route("**/steps/competitors/generate", lambda route: route.abort())
        page.locator("#step-competitors").get_by_role("button", name="Generate").click()
        expect(page.locator("#flash")).to_contain_text("gtm did not answer")
        expect(page.locator("#step-competitors progress")).to_have_count(0)
    finally:
        page.close()
