"""A marketer's first full tour, in Chromium, with a screenshot at each point that used to hurt: fixing a typo in
the campaign, a day of numbers refused on the post page (and said where the form is), a CSV that would write over
those numbers (marked, and saved only when told to), a variant's words fixed by hand and the model's version made
current again, a regeneration undone on the board, the campaign archived, and three pages on a phone, none of
them scrolling sideways. The screenshots are saved as test-artifacts/tour-*.png."""
import re

from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Campaign, Metric

from tests.kit.browser import log_in, screenshot
from tests.kit.triggers import current_posts, day
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

PHONE = {"width": 390, "height": 844}


def test_the_first_tour(campaign, live_server, browser, user):  # noqa: F811
    # The campaign first: its strategy is written by this process's worker before the live server's starts.
    base = f"{live_server.url}/campaigns/{campaign.id}"
    post = current_posts(campaign.id)[0]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)

        # A typo in the audience is fixed; the steps written from it are marked stale.
        page.goto(base)
        page.get_by_role("link", name="Edit", exact=True).click()
        page.get_by_label("Audience").fill("Owners of independent flower shops and florists")
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator(".facts")).to_contain_text("Owners of independent flower shops and florists")
        screenshot(page, "tour-campaign-edited")

        # Clicks above impressions on the post page: refused beside the fields, nothing saved.
        page.goto(f"{base}/posts/{post.id}")
        form = page.locator("#results form")
        form.get_by_label("Date").fill(day(1))
        form.get_by_label("Impressions").fill("1500")
        form.get_by_label("Clicks").fill("4500")
        form.get_by_role("button", name="Save the day's numbers").click()
        results = page.locator("#results")
        expect(results.locator(".field-error").first).to_be_visible()
        results.locator(".field-error").first.scroll_into_view_if_needed()
        screenshot(page, "tour-post-metric-error")
        assert Metric.query.filter_by(post_id=post.id).count() == 0
        results.get_by_label("Clicks").fill("45")
        results.get_by_label("Conversions").fill("6")
        results.get_by_role("button", name="Save the day's numbers").click()
        expect(page.locator("#results")).to_contain_text("1,500")

        # The template's row for that day, filled with zeros, would write over them: marked, refused unasked.
        page.goto(f"{base}/results")
        text = ("post,title,variant,date,impressions,clicks,conversions,spend\n"
                f"{post.key},{post.title},A,{day(1)},0,0,0,0\n")
        upload = page.locator("#bring-in")
        upload.locator("#metrics-file").set_input_files(
            files=[{"name": "numbers.csv", "mimeType": "text/csv", "buffer": text.encode()}])
        upload.get_by_role("button", name="Check the file").click()
        replacing = upload.locator(".preview-table tr.is-replacing")
        expect(replacing).to_contain_text("1,500 → 0")
        replacing.scroll_into_view_if_needed()
        screenshot(page, "tour-csv-replacement")
        db.session.expire_all()
        assert [(m.impressions, m.clicks) for m in Metric.query.filter_by(post_id=post.id)] == [(1500, 45)]

        # Variant A's words fixed by hand, then the model's version made current again.
        page.goto(f"{base}/posts/{post.id}")
        variant = page.locator("#variant-A")
        model_headline = variant.locator(".headline").inner_text()
        variant.get_by_role("link", name="Edit variant A").click()
        dialog = page.locator("dialog#edit-variant-dialog")
        dialog.get_by_label("Headline").fill("Flower shops: your evenings back")
        dialog.get_by_role("button", name="Save as a new version").click()
        expect(page.locator("#variant-A .headline")).to_have_text("Flower shops: your evenings back")
        screenshot(page, "tour-variant-edited")
        page.locator("#variant-A").get_by_role("link", name="Older version of variant A").click()
        page.locator("#variant-A").get_by_role("button", name="Make v1 of variant A current").click()
        # The older version showed the same headline and "v1 of 2" before the click: wait for what only the
        # page it leads to has, v1 marked current with its Edit button.
        expect(page.locator("#variant-A .badge.ok")).to_have_text("Current")
        expect(page.locator("#variant-A").get_by_role("link", name="Edit variant A")).to_be_visible()
        expect(page.locator("#variant-A .headline")).to_have_text(model_headline)
        expect(page.locator("#variant-A")).to_contain_text("v1 of 2")
        screenshot(page, "tour-variant-made-current")

        # The last phase regenerated with a new direction, then undone on the board itself.
        page.goto(f"{base}/strategy")
        board = page.locator("#board")
        last = board.locator(".phase-column").count()
        board.get_by_role("link", name=f"Regenerate from phase {last}").click()
        regenerate = page.locator("dialog#regenerate-strategy-dialog")
        regenerate.get_by_label("New direction").fill("Close with customer stories")
        regenerate.get_by_role("button", name="Regenerate").click()
        board = page.locator("#board")
        undo = board.get_by_role("button", name="Undo: make version 1's posts current again")
        expect(undo).to_be_visible(timeout=60_000)
        undo.click()
        expect(page.locator("#board")).to_contain_text("Undone: version 1's posts are current again as version 3.")
        screenshot(page, "tour-board-undo")

        # Archived: gone from the list, kept among the archived.
        page.goto(base)
        page.get_by_role("button", name="Archive").click()
        expect(page.locator("main")).to_contain_text("hidden from the campaigns list, with everything kept")
        screenshot(page, "tour-campaign-archived")
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("link", name=campaign.name, exact=True)).to_have_count(0)
        page.get_by_role("link", name="Show archived campaigns").click()
        expect(page.get_by_role("link", name=campaign.name, exact=True)).to_be_visible()
        assert db.session.get(Campaign, campaign.id).archived_at is not None

        # On a phone: the campaign, a post and the results fit the window.
        page.set_viewport_size(PHONE)
        for name, url in (("campaign", base), ("post", f"{base}/posts/{post.id}"), ("results", f"{base}/results")):
            page.goto(url)
            expect(page.locator("h1")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the {name} page is {width} px wide on a {PHONE['width']} px phone"
            screenshot(page, f"tour-390-{name}")
        expect(page.get_by_role("link", name=re.compile("^Results"))).to_be_in_viewport()
    finally:
        page.close()
