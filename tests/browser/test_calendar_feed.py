"""The calendar feed in a phone-sized browser: the calendar page loads the feed panel, the owner makes an address
and copies it, a calendar app with no session reads it (parsed by icalendar: every current post, tentative), a
move on the calendar raises the post's SEQUENCE, and once the owner turns the feed off the address answers 404.
Saves test-artifacts/calendar-feed-*.png."""
import urllib.error
import urllib.request
from datetime import timedelta

from icalendar import Calendar
from playwright.sync_api import expect

from gtm.services import calendar, exports

from tests.kit.browser import log_in, screenshot
from tests.kit.strategy import active
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture


def fetch(url: str) -> tuple[int, dict]:
    """What a calendar app gets: the status, and the events by UID."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.headers.get("Set-Cookie") is None
            events = Calendar.from_ical(answer.read()).walk("VEVENT")
            return answer.status, {str(event["UID"]): event for event in events}
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_an_owner_subscribes_a_calendar_to_the_feed_and_turns_it_off(user, campaign, live_server,  # noqa: F811
                                                                     browser):
    posts = active(campaign.id)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/calendar")
        panel = page.locator("#calendar-feed")
        expect(panel).to_contain_text("No calendar feed.")
        panel.get_by_role("button", name="Make a feed address").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Calendar feed")
        webcal = page.get_by_label("Subscribe in a calendar app").input_value()
        url = page.get_by_label("Or add it “from URL”").input_value()
        assert webcal.startswith("webcal://") and url.startswith("http://") and url.endswith(".ics")
        page.locator('[data-copy="#feed-url"]').click()
        expect(page.locator('[data-copy="#feed-url"]')).not_to_have_text("Copy")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page fits a phone"
        screenshot(page, "calendar-feed-made")

        status, events = fetch(url)
        assert status == 200 and set(events) == {exports.uid(post) for post in posts}
        assert all(str(event["STATUS"]) == "TENTATIVE" for event in events.values())
        moved = posts[0]
        before = events[exports.uid(moved)]
        calendar.move_post(user.workspace_id, campaign.id, moved.id, before["DTSTART"].dt + timedelta(days=2),
                           user.id)
        _, events = fetch(url)
        assert events[exports.uid(moved)]["DTSTART"].dt == before["DTSTART"].dt + timedelta(days=2)
        assert int(events[exports.uid(moved)]["SEQUENCE"]) > int(before["SEQUENCE"])

        page.goto(f"{live_server.url}/campaigns/{campaign.id}/calendar")
        expect(page.locator("#calendar-feed")).to_contain_text("This campaign has a calendar feed")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#calendar-feed").get_by_role("button", name="Turn off…").click()
        expect(page.locator(".alert.ok")).to_contain_text("The calendar feed is off")
        screenshot(page, "calendar-feed-off")
        assert fetch(url)[0] == 404
    finally:
        context.close()
