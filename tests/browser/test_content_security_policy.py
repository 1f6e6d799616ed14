"""Under the production Content-Security-Policy, htmx and gtm.js do all a page needs in Chromium, and the
browser refuses nothing."""
from playwright.sync_api import expect

from tests.kit.browser import log_in


def test_htmx_pages_work_under_the_policy_in_chromium(live_server, browser, user, campaign):
    """Generate a step and open, use and close the regeneration dialog: htmx and gtm.js do it all, and the
    browser reports no CSP violation and htmx no refused evaluation."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    page.add_init_script("""
        window.__refused = [];
        document.addEventListener("securitypolicyviolation", (e) => window.__refused.push(e.violatedDirective + " " + e.blockedURI));
        document.addEventListener("htmx:evalDisallowedError", () => window.__refused.push("htmx eval"));
    """)
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}")
        assert page.evaluate("htmx.config.allowEval") is False
        assert page.evaluate("htmx.config.includeIndicatorStyles") is False

        card = page.locator("#step-competitors")
        card.get_by_label("Notes").fill("Owners compare us with doing nothing.")
        card.get_by_role("button", name="Generate", exact=True).click()
        expect(card).to_contain_text("How we differ")
        # The next card heard its own "steps-changed-customers" event and fetched itself: it is unblocked.
        expect(page.locator("#step-customers").get_by_role("button", name="Generate", exact=True)).to_be_enabled()

        card.get_by_role("link", name="Regenerate").click()
        dialog = page.locator("#regenerate-competitors-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("What should change?")).to_be_focused()
        dialog.get_by_role("button", name="Regenerate", exact=True).click()
        # A refusal (422) is swapped into the open dialog, as gtm.js lets it.
        expect(dialog.locator(".field-error")).to_contain_text("Say what should change")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()

        card.get_by_role("link", name="Regenerate").click()
        dialog = page.locator("#regenerate-competitors-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="More concise").click()
        expect(card).to_contain_text("v2 of 2")

        assert page.evaluate("window.__refused") == []
        refused = [line for line in console if "Content Security Policy" in line or "Refused to" in line]
        assert refused == [], refused
    finally:
        page.close()



def test_a_token_is_copied_and_revoked_only_once_confirmed_in_chromium(live_server, browser, user):
    """gtm.js copies a new token through the clipboard and says "Copied", and asks before a revocation:
    dismissed, nothing happens; accepted, the token is revoked with no page between."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/settings")
        page.get_by_label("Token name").fill("reporting")
        page.get_by_role("button", name="Create token").click()
        token = page.get_by_label("New API token").input_value()
        assert token.startswith("gtm_")
        copy = page.locator('button[data-copy="#new-token"]')
        expect(copy).to_have_text("Copy")
        copy.click()
        # Set once the clipboard took the token; the button says "Copied" for a moment, then "Copy" again.
        expect(copy).to_have_attribute("data-copy-label", "Copy")
        assert page.evaluate("navigator.clipboard.readText()") == token

        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.get_by_role("button", name="Revoke the token reporting").click()
        assert asked and asked[0].startswith("Revoke the token “reporting”?")
        expect(page.get_by_role("heading", name="Settings")).to_be_visible()
        assert page.locator("tr.revoked").count() == 0

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Revoke the token reporting").click()
        expect(page.locator("p.alert.ok")).to_contain_text("The token “reporting” is revoked")
        expect(page.locator("tr.revoked")).to_contain_text("Revoked")
    finally:
        context.close()
