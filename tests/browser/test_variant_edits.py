"""A marketer fixes a variant's words by hand in the edit dialog, copies the headline, takes the approval away by
doing so and is told, then makes the model's version current again from the older version's page."""
from playwright.sync_api import expect

from gtm.models import Post

from tests.kit.browser import log_in, screenshot
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture


def test_edit_a_variant_copy_it_and_make_the_old_version_current(campaign, live_server, browser, user):  # noqa: F811
    # The campaign first: its strategy is written by this process's worker before the live server's starts.
    post = Post.query.filter_by(campaign_id=campaign.id, is_active=True, status="ready").order_by(Post.id).first()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/posts/{post.id}")
        page.get_by_role("button", name="Approve").click()
        expect(page.locator("#post-detail .badge.approved")).to_be_visible()
        variant = page.locator("#variant-A")
        model_headline = variant.locator(".headline").inner_text()

        variant.get_by_role("link", name="Edit variant A").click()
        dialog = page.locator("dialog#edit-variant-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("takes the approval away")
        expect(dialog.get_by_label("Headline")).to_have_value(model_headline)
        # An empty headline is refused beside its field, and the dialog stays open with what was typed.
        dialog.get_by_label("Headline").fill("")
        dialog.get_by_label("Body").fill("Our words, fixed by hand.")
        dialog.get_by_role("button", name="Save as a new version").click()
        expect(dialog.locator("#edit-A-headline-error")).to_have_text("The headline cannot be empty.")
        expect(dialog.get_by_label("Body")).to_have_value("Our words, fixed by hand.")
        dialog.get_by_label("Headline").fill("Launch week: the fix is in")
        dialog.get_by_role("button", name="Save as a new version").click()

        expect(page.locator("dialog#edit-variant-dialog")).to_have_count(0)
        variant = page.locator("#variant-A")
        expect(variant.locator(".headline")).to_have_text("Launch week: the fix is in")
        expect(variant).to_contain_text("was edited by hand, starting from v1")
        expect(variant.locator(".badge.ok")).to_have_text("Current")
        notice = page.locator("#post-detail .alert.warn")
        expect(notice).to_contain_text("Variant A was edited by hand as v2 after the post was approved")
        expect(page.locator("#post-detail .badge.approved")).to_have_count(0)
        for part, words in (("headline", "Launch week: the fix is in"), ("body", "Our words, fixed by hand.")):
            copy = variant.get_by_role("button", name=f"Copy the {part} of variant A")
            copy.click()
            # Set once the clipboard took the words (the button says "Copied" for a moment).
            expect(copy).to_have_attribute("data-copy-label", "Copy")
            assert page.evaluate("navigator.clipboard.readText()") == words
        screenshot(page, "variant-edited")

        variant.get_by_role("link", name="Older version of variant A").click()
        expect(page.locator("#variant-A")).to_contain_text("Older version")
        page.locator("#variant-A").get_by_role("button", name="Make v1 of variant A current").click()
        variant = page.locator("#variant-A")
        expect(variant.locator(".headline")).to_have_text(model_headline)
        expect(variant.locator(".badge.ok")).to_have_text("Current")
        expect(variant).to_contain_text("v1 of 2")
        expect(variant.get_by_role("link", name="Edit variant A")).to_be_visible()
        screenshot(page, "variant-made-current")
    finally:
        context.close()
