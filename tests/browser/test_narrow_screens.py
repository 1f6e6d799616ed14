"""On a phone-sized screen (390 px wide) no page scrolls sideways: every page of the URL map, filled with the
ids of a campaign that has a written strategy, results, a trigger and an alert, fits the window; wide tables
scroll inside their own frame."""
import pytest
from playwright.sync_api import Error as PlaywrightError

from gtm.models import Post
from gtm.services import accounts, chat, invitations, results, runs, steps, webhooks

from tests.kit.browser import log_in, screenshot
from tests.kit.routes import url_for_rule
from tests.kit.workflow import PLAIN, generate_until
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
    """The written campaign with its five steps (the competitors in two versions, the last run of which failed),
    a chat message, numbers, a trigger that fired and an API token: every id a page rule names."""
    generate_until(auth_client, work, campaign, "costs")
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data={"quick": "More detail"},
                     headers=PLAIN)
    work()
    step_run = steps.start_step(user.workspace_id, campaign.id, "competitors")
    runs.fail(step_run.id, "Stopped by the narrow-screen test.")
    message = chat.post_message(user.workspace_id, campaign.id, user.id, user.email, "What is phase 2 for?")
    post = Post.query.filter_by(campaign_id=campaign.id, phase=2, is_active=True).order_by(Post.id).first()
    trigger = results.create_trigger(user.workspace_id, campaign.id, {
        "metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
        "action": "regenerate"}, author_id=None)
    results.record_metrics(user.workspace_id, campaign.id, [{
        "post_id": post.id, "variant": label, "date": "2024-01-02", "impressions": 2000, "clicks": 2,
        "conversions": 1, "spend": "1234.56"} for label in "AB"])
    token, _ = accounts.create_token(user.id, "narrow screens")
    # The invitation's page is opened by the person logged in here: it says to log out first, a page all the same.
    _, invitation = invitations.invite(user.workspace_id, user.id, "colleague@example.com", "editor")
    webhook = webhooks.create(user.workspace_id, user.id, "https://hooks.example.com/gtm", ["post.approved"])
    user.is_admin = True  # the instance's administrator opens the admin pages too
    db.session.commit()
    return {"webhook_id": webhook.id, "campaign_id": campaign.id, "post_id": post.id, "run_id": step_run.id, "message_id": message.id,
            "trigger_id": trigger.id,
            "alert_id": results.alerts(user.workspace_id, campaign.id)[0].id, "token_id": token.id,
            "token": invitation, "comment_id": 1}


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
