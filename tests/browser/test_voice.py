"""Settings › Voice in the browser at 390 px: a tone too long is refused beside its field in place (the typed words
kept), then the voice is saved, and the limits count down as one types. Saves test-artifacts/voice-settings.png."""
from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Workspace

from tests.kit.browser import log_in, screenshot


def test_a_voice_is_refused_in_place_then_saved_on_a_phone(user, live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/settings")
        page.get_by_role("link", name="Voice", exact=True).click()
        expect(page.get_by_role("heading", name="Voice", exact=True)).to_be_visible()
        page.get_by_label("Tone").fill("warm, direct")
        page.get_by_label("Words and phrases to use").fill("florists\nsave an hour")
        page.get_by_label("Words and phrases to avoid").fill("revolutionary, florists")
        page.get_by_label("Example 1").fill("Orders, deliveries and regulars in one place.")
        expect(page.locator("#example_1-count")).to_contain_text("of 600 characters left")
        page.get_by_role("button", name="Save the voice").click()
        expect(page.locator("#avoid-error")).to_contain_text("also among the words to use")
        expect(page.get_by_label("Example 1")).to_have_value("Orders, deliveries and regulars in one place.")
        page.get_by_label("Words and phrases to avoid").fill("revolutionary")
        page.get_by_label("Reading level").select_option("plain")
        page.get_by_role("button", name="Save the voice").click()
        expect(page.get_by_role("status").filter(has_text="voice is saved")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page fits a phone"
        screenshot(page, "voice-settings")
        db.session.expire_all()
        assert db.session.get(Workspace, user.workspace_id).voice == {
            "tone": "warm, direct", "use": ["florists", "save an hour"], "avoid": ["revolutionary"],
            "reading_level": "plain", "examples": ["Orders, deliveries and regulars in one place."]}
    finally:
        context.close()
