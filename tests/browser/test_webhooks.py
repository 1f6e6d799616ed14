"""Webhooks in the browser: the owner adds an endpoint from Settings (its secret shown once, copied from the
page), approves a post while the receiver is down, and reads in the endpoint's delivery log the failed try and
then the successful one, which the live worker's scheduler ran a second later; the receiver verified the event's
signature with that secret. At 390 px. Saves test-artifacts/webhooks-endpoint-created.png and
webhooks-delivery-log.png."""
import re

from playwright.sync_api import expect

from gtm.models import Post, WebhookEndpoint

from tests.kit.browser import log_in, screenshot
from tests.kit.webhook_receiver import Receiver
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture


def test_an_owner_adds_a_webhook_and_reads_a_failed_then_successful_delivery(user, campaign, live_server,  # noqa: F811
                                                                              browser):
    post = Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.phase, Post.id).first()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(30_000)
    with Receiver() as receiver:
        receiver.down_for = 1
        try:
            log_in(page, live_server, user)
            page.goto(f"{live_server.url}/settings")
            page.get_by_role("link", name="Webhooks", exact=True).click()
            expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
            page.get_by_label("URL").fill(receiver.url)
            page.get_by_role("button", name="Add webhook").click()
            field = page.get_by_label("Signing secret of the new webhook")
            expect(field).to_be_visible()
            receiver.secret = field.input_value()
            assert receiver.secret.startswith("whsec_")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page fits a phone"
            screenshot(page, "webhooks-endpoint-created")
            endpoint = WebhookEndpoint.query.one()

            page.goto(f"{live_server.url}/campaigns/{campaign.id}/posts/{post.id}")
            page.get_by_role("button", name="Approve", exact=True).click()
            expect(page.locator(".review-badge").first).to_contain_text("Approved")

            page.goto(f"{live_server.url}/settings/webhooks/{endpoint.id}")
            delivery = page.locator("article.delivery").first
            for _ in range(60):
                if "Delivered" in delivery.locator("h3").inner_text():
                    break
                page.wait_for_timeout(500)
                page.reload()
                delivery = page.locator("article.delivery").first
            expect(delivery.locator("h3")).to_contain_text("Delivered")
            expect(delivery.locator("h3")).to_contain_text("post.approved")
            rows = delivery.locator("table.tries tbody tr")
            expect(rows).to_have_count(2)
            expect(rows.nth(0)).to_contain_text("Failed")
            expect(rows.nth(0)).to_contain_text("503")
            expect(rows.nth(0)).to_contain_text("receiver down for maintenance")
            expect(rows.nth(1)).to_contain_text("OK")
            expect(rows.nth(1)).to_contain_text("200")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the log fits a phone"
            screenshot(page, "webhooks-delivery-log")

            event_id = re.search(r"msg_[\w-]+", delivery.locator("h3").inner_text()).group(0)
            assert receiver.ids == [event_id] and receiver.unverified == 0
            assert receiver.events[0]["data"]["post"]["id"] == str(post.id)
            page.goto(f"{live_server.url}/settings/webhooks")
            expect(page.locator(f"#webhook-{endpoint.id}")).to_contain_text("Delivered")
        finally:
            context.close()
