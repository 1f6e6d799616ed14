"""On a phone-sized screen (390 px wide) no page scrolls sideways: every page of the URL map, filled with the
ids of a campaign that has a written strategy, results, a trigger and an alert, fits the window; wide tables
scroll inside their own frame."""
import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.kit.browser import log_in, screenshot
from tests.kit.routes import url_for_rule
from tests.kit.subjects import page_subjects
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

WIDTH = 390
# An image file, and logging out, are not pages to look at.
NOT_PAGES = ("/media/", "/images/", "/logout")


def page_rules(app) -> list[str]:
    """Every GET page rule outside /api and static, in the URL map's order."""
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.rule.startswith(("/api", "/static"))
                   and not any(part in rule.rule for part in NOT_PAGES)})


@pytest.fixture
def subjects(user, campaign, auth_client, work):  # noqa: F811 - the kit's written campaign
    """Every id a page rule names (tests/kit/subjects.py). The invitation's page is opened by the person logged in
    here: it says to log out first, a page all the same."""
    return page_subjects(user, campaign, auth_client, work)


def test_no_page_scrolls_sideways_at_390_px(app, subjects, live_server, browser, user):
    # subjects first: its strategy is written by this process's worker before the live server's worker starts.
    page = browser.new_page(viewport={"width": WIDTH, "height": 844})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        wide = {}
        for rule in page_rules(app):
            url = url_for_rule(rule, subjects)
            try:
                page.goto(f"{live_server.url}{url}", wait_until="domcontentloaded")
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a file to save, not a page
                raise
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                wide[url] = width
        for name, url in (("campaign", f"/campaigns/{subjects['campaign_id']}"),
                          ("board", f"/campaigns/{subjects['campaign_id']}/strategy"),
                          ("results", f"/campaigns/{subjects['campaign_id']}/results")):
            page.goto(f"{live_server.url}{url}", wait_until="domcontentloaded")
            screenshot(page, f"narrow-390-{name}")
        assert wide == {}, f"pages wider than {WIDTH} px: {wide}"
    finally:
        page.close()
