"""The analysis workflow in a real browser against a real server and worker: the five steps in
order, a regeneration through the modal, paging and a diff, the same regeneration without JavaScript,
and answers that arrive late never putting back an older card."""
import re
import time

from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import STEP_KINDS, Run

from tests.kit.browser import ARTIFACTS, screenshot
from tests.kit.clients import PASSWORD

INPUTS = {
    "competitors": {"Notes": "Owners compare us with doing nothing."},
    "customers": {"Segments to consider": "Wedding florists, Corner shops"},
    "objectives": {"KPI targets": "300 paid sign-ups; 40% weekly active", "Deadline": "2031-06-30"},
    "mechanics": {"Channels and tactics to exclude": "TikTok"},
    "costs": {"Budget cap": "9000", "Currency": "EUR"},
}
RESULT = {
    "competitors": "How we differ",
    "customers": "Wedding florists",
    "objectives": "300 paid sign-ups",
    "mechanics": "Cadence",
    "costs": "Line total",
}


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out"))).to_be_visible()


def test_five_steps_in_order_then_regenerate_page_and_compare(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    try:
        log_in(page, live_server.url, user.email)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}")
        expect(page.locator("#step-customers").get_by_role("button", name="Generate")).to_be_disabled()
        expect(page.locator("#step-customers")).to_contain_text("Generate the competitor analysis first")

        for kind in STEP_KINDS:
            card = page.locator(f"#step-{kind}")
            # The card came in out of band when the step before it finished: no reload needed.
            generate = card.get_by_role("button", name="Generate", exact=True)
            expect(generate).to_be_enabled()
            for label, value in INPUTS[kind].items():
                card.get_by_label(label).fill(value)
            generate.click()
            expect(card).to_contain_text(RESULT[kind])
            expect(card).to_contain_text("v1 of 1")
            expect(card.locator("progress")).to_have_count(0)
        costs = page.locator("#step-costs")
        expect(costs.locator("tfoot")).to_contain_text("Total")
        screenshot(page, "workflow-five-steps")

        customers = page.locator("#step-customers")
        customers.get_by_role("link", name="Regenerate").click()
        dialog = page.locator("#regenerate-customers-dialog")
        expect(dialog).to_be_visible()
        feedback = dialog.get_by_label("What should change?")
        expect(feedback).to_be_focused()
        expect(dialog.get_by_role("button", name="More concise")).to_be_visible()
        # The viewport, not the full page: the dialog and its backdrop sit in the top layer.
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "workflow-regenerate-modal.png"))
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()

        customers.get_by_role("link", name="Regenerate").click()
        dialog = page.locator("#regenerate-customers-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Regenerate", exact=True).click()
        expect(dialog.locator(".field-error")).to_contain_text("Say what should change")
        expect(dialog).to_be_visible()
        dialog.get_by_label("What should change?").fill("Focus on the wedding season")
        dialog.get_by_role("button", name="More detail").click()
        expect(dialog).to_have_count(0)
        expect(customers).to_contain_text("v2 of 2")
        expect(customers).to_contain_text("Revised from v1 for: “More detail. Focus on the wedding season”")
        # The later steps were built on customers v1: they say so, and offer a refresh.
        objectives = page.locator("#step-objectives")
        expect(objectives.locator(".badge", has_text="Stale")).to_be_visible()
        expect(objectives.get_by_role("button", name="Refresh with new context")).to_be_visible()
        screenshot(page, "workflow-after-regenerate")

        customers.get_by_role("link", name="Previous version (v1)").click()
        expect(customers).to_contain_text("v1 of 2")
        expect(customers).to_contain_text("This is v1, an older version. v2 is current.")
        customers.get_by_role("link", name="Next version (v2)").click()
        expect(customers).to_contain_text("v2 of 2")

        customers.get_by_role("link", name="All versions and differences").click()
        expect(page.get_by_role("heading", name="Versions of the customer analysis")).to_be_visible()
        expect(page.locator("#step-diff")).to_contain_text("v1 → v2")
        expect(page.locator("#step-diff ins").first).to_be_visible()
        page.get_by_label("Compare").fill("2")
        page.get_by_label("with").fill("1")
        page.get_by_role("button", name="Show differences").click()
        expect(page.locator("#step-diff h2")).to_have_text("v2 → v1")
        expect(page.locator("#step-diff del", has_text="come first")).to_be_visible()
        screenshot(page, "workflow-versions-diff")

        page.get_by_role("button", name="Make v1 current").click()
        expect(page.locator("#version-1 .badge", has_text="Current")).to_be_visible()

        page.goto(f"{live_server.url}/campaigns/{campaign.id}")
        objectives = page.locator("#step-objectives")
        expect(objectives.locator(".badge", has_text="Stale")).to_have_count(0)
    finally:
        page.close()


def test_regenerate_without_javascript(live_server, browser, user, campaign):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        log_in(page, live_server.url, user.email)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}")
        card = page.locator("#step-competitors")
        card.get_by_label("Notes").fill("Owners compare us with doing nothing.")
        card.get_by_role("button", name="Generate", exact=True).click()
        assert re.search(rf"/campaigns/{campaign.id}#step-competitors$", page.url)
        wait_for_text(page, "#step-competitors", "v1 of 1")

        page.locator("#step-competitors").get_by_role("link", name="Regenerate").click()
        assert page.url.endswith(f"/campaigns/{campaign.id}/steps/competitors/regenerate")
        expect(page.locator("dialog")).to_have_count(0)
        page.get_by_label("What should change?").fill("")
        page.get_by_role("button", name="Regenerate", exact=True).click()
        expect(page.locator(".field-error")).to_contain_text("Say what should change")
        page.get_by_label("What should change?").fill("Name their pricing tiers")
        page.get_by_role("button", name="More concise").click()
        assert re.search(rf"/campaigns/{campaign.id}#step-competitors$", page.url)
        wait_for_text(page, "#step-competitors", "v2 of 2")
        expect(page.locator("#step-competitors")).to_contain_text(
            "Revised from v1 for: “More concise. Name their pricing tiers”")
        screenshot(page, "workflow-no-javascript")
    finally:
        context.close()


def wait_for_text(page, selector: str, text: str, timeout: float = 20) -> None:
    """Without JavaScript nothing polls, so reload as a person would until the text is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in page.locator(selector).inner_text():
            return
        time.sleep(0.3)
        page.reload()
    raise AssertionError(f"{text!r} did not appear in {selector}")


# A late answer is made late on purpose: Playwright holds the request while the test acts, so the
# order of events is forced, not left to the timing of a slow server.

def test_a_late_poll_answer_does_not_replace_a_newer_card(live_server, browser, user, campaign):
    """The poll that finds a regeneration finished is answered late, after a later card was started."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    try:
        competitors, customers = first_step_done(page, live_server, user, campaign)
        held, polls = [], re.compile(r"/steps/competitors\?poll=1&state=[0-9a-f]+$")
        page.route(polls, lambda route: held.append(route))
        generate_again(competitors, live_server)
        wait_until(page, lambda: held, "the poll to be held")
        wait_until(page, lambda: latest_run(campaign, "competitors").status == "succeeded", "the run to finish")
        # The server answers now: competitors is done, and customers has not been started yet.
        late = held[0].fetch()

        customers.get_by_label("Segments to consider").fill("Wedding florists")
        customers.get_by_role("button", name="Generate", exact=True).click()
        expect(customers.get_by_role("button", name="Generate", exact=True)).to_have_count(0)
        held[0].fulfill(response=late)
        page.unroute(polls)

        expect(competitors).to_contain_text("v2 of 2")
        # The late answer knew customers only as it was before its Generate: it must not bring that back.
        expect(customers).to_contain_text("v1 of 1")
        expect(customers).to_contain_text("Wedding florists")
        expect(customers.locator("progress")).to_have_count(0)
    finally:
        page.close()


def test_a_late_refresh_does_not_replace_the_answer_to_a_click(live_server, browser, user, campaign):
    """A card refreshing itself (it was told an earlier step changed) is answered after a click on it."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    try:
        competitors, customers = first_step_done(page, live_server, user, campaign)
        refreshes, posts, refresh = [], [], re.compile(r"/steps/customers\?state=[0-9a-f]+$")
        page.route(refresh, lambda route: refreshes.append(route))
        page.route(re.compile(r"/steps/customers/generate$"), lambda route: posts.append(route))
        generate_again(competitors, live_server)
        expect(competitors).to_contain_text("v2 of 2")
        wait_until(page, lambda: refreshes, "customers to refresh itself")
        stale = refreshes[0].fetch()  # rendered before the click below: customers not started

        customers.get_by_label("Segments to consider").fill("Wedding florists")
        customers.get_by_role("button", name="Generate", exact=True).click()
        wait_until(page, lambda: posts, "the click to be sent")
        answer = posts[0].fetch()  # customers is started now
        # The older answer comes first, if the page still waits for it (it should not: the click was newer).
        if refreshes[0].request.failure is None:
            refreshes[0].fulfill(response=stale)
        posts[0].fulfill(response=answer)
        page.unroute(refresh)

        expect(customers).to_contain_text("v1 of 1")
        expect(customers).to_contain_text("Wedding florists")
        expect(customers.locator("progress")).to_have_count(0)
    finally:
        page.close()


def first_step_done(page, live_server, user, campaign):
    """Log in, generate the competitor analysis and return the first two cards, customers ready to start."""
    log_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/campaigns/{campaign.id}")
    competitors, customers = page.locator("#step-competitors"), page.locator("#step-customers")
    competitors.get_by_role("button", name="Generate", exact=True).click()
    expect(competitors).to_contain_text("v1 of 1")
    expect(customers.get_by_role("button", name="Generate", exact=True)).to_be_enabled()
    return competitors, customers


def generate_again(card, live_server) -> None:
    """Start a new version of a step; the worker waits until the card shows the run, so the card polls."""
    with live_server.worker_paused():
        card.get_by_text("Generate a new version from the form").click()
        card.get_by_role("button", name="Generate again").click()
        expect(card.locator("progress")).to_be_visible()


def latest_run(campaign, kind: str) -> Run:
    db.session.expire_all()
    return Run.query.filter_by(campaign_id=campaign.id, subject=kind).order_by(Run.id.desc()).first()


def wait_until(page, predicate, what: str, timeout: float = 20) -> None:
    """Wait for something only the test sees (a held request, a database row); Playwright works meanwhile."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(50)
