"""The calendar in Chromium: a post dragged onto another day of the month grid moves there (the drop posts the
post's own Move form through htmx), a post moved by its form in the week list, a refused date shown beside the
form, and the month grid scrolling inside its frame on a 390 px screen while the page does not."""
from datetime import date

from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Member, Post

from tests.kit.browser import log_in, screenshot
from tests.kit.history import planned


def moved_to(campaign, post):
    db.session.expire_all()
    return Member.query.filter_by(campaign_id=campaign.id, version=1, post_id=post.id).one().moved_to


def test_posts_moved_by_drag_and_by_form(live_server, browser, user):
    campaign = planned(user.workspace_id, "Spring launch")
    campaign.launch_date = date(2026, 5, 4)
    db.session.commit()
    first, second = (Post.query.filter_by(campaign_id=campaign.id, key=key).one() for key in ("p1-0", "p1-1"))
    url = f"{live_server.url}/campaigns/{campaign.id}/calendar"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        page.goto(url)
        calendar = page.locator("#calendar")
        expect(calendar.get_by_role("heading", name="May 2026")).to_be_visible()
        card = calendar.locator(f'[data-post="{first.id}"]')
        expect(page.locator('td[data-drop-date="2026-05-11"]').locator(f'[data-post="{first.id}"]')).to_be_visible()
        screenshot(page, "calendar-month")

        # Dragged from Monday 11 May onto Friday 15 May.
        card.drag_to(page.locator('td[data-drop-date="2026-05-15"]'))
        expect(calendar.get_by_role("status")).to_have_text(f"Moved “{first.title}” from 11 May to 15 May.")
        friday = page.locator('td[data-drop-date="2026-05-15"]')
        expect(friday.locator(f'[data-post="{first.id}"]')).to_contain_text(f"from 11 May by {user.email}")
        expect(page.locator('td[data-drop-date="2026-05-11"] .cal-post')).to_have_count(0)
        assert moved_to(campaign, first) == date(2026, 5, 15)
        screenshot(page, "calendar-moved-by-drag")

        # The week list, by its own link: the form moves a post; an empty date is refused beside it.
        calendar.get_by_role("link", name="Week", exact=True).click()
        expect(calendar.get_by_role("heading", name="27 April to 3 May 2026")).to_be_visible()
        calendar.get_by_role("link", name="Next week →").click()
        expect(calendar.get_by_role("heading", name="4 May to 10 May 2026")).to_be_visible()
        calendar.get_by_role("link", name="Next week →").click()
        item = page.locator(f'li[data-drop-date="2026-05-12"] [data-post="{second.id}"]')
        item.locator("summary").click()
        item.get_by_label("New date").fill("")
        item.get_by_role("button", name="Move").click()
        refused = page.locator(f"#move-{second.id}-error")
        expect(refused).to_have_text("Choose the date to move the post to (YYYY-MM-DD).")
        assert moved_to(campaign, second) is None
        item = page.locator(f'[data-post="{second.id}"]')
        item.get_by_label("New date").fill("2026-05-16")
        item.get_by_role("button", name="Move").click()
        expect(calendar.get_by_role("status")).to_have_text(f"Moved “{second.title}” from 12 May to 16 May.")
        expect(page.locator(f'li[data-drop-date="2026-05-16"] [data-post="{second.id}"]')).to_be_visible()
        assert moved_to(campaign, second) == date(2026, 5, 16)
        screenshot(page, "calendar-week")
    finally:
        page.close()

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        log_in(phone, live_server, user)
        phone.goto(url)
        expect(phone.get_by_role("heading", name="May 2026")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        frame = phone.locator(".cal-frame .table-scroll")
        assert frame.evaluate("el => el.scrollWidth > el.clientWidth")
        expect(phone.locator(".cal-frame .scroll-cue")).to_be_visible()
        screenshot(phone, "calendar-390")
    finally:
        phone.close()
