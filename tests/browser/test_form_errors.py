"""In Chromium: no htmx form fails silently. Every page of a planned campaign (the GET rules of the URL map, filled
with real ids) is opened, every form with hx-post on it is sent with something invalid, and a new, visible error
must appear where the person is looking, with nothing saved. The post page's "Record a day" with clicks above
impressions, and an Approve refused because the post stopped being ready, are shown in place."""
from urllib.parse import urlsplit

from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Alert, ChatMessage, Metric, Post, Run, Trigger
from gtm.services import chat, results, review_links, webhooks

from tests.kit.browser import log_in, plan_on_the_board, screenshot
from tests.kit.routes import url_for_rule
from tests.kit.triggers import PHASE_2_CTR, current_posts, low_ctr, phase

# Pages of their own that are not about the signed-in person's campaign, or that hand over files.
NOT_WALKED = ("auth.", "static", "strategy.media", "strategy.mermaid", "results.template", "exports.export")

# The errors a page shows: an alert, a field's message, the flash message.
ERRORS = "[role=alert], .field-error, .alert.error"

# Set every field a person types in to something refused: text one character over its limit (as a paste past
# maxlength arrives from a script or an old browser), numbers below zero, the rest empty. A form with no such
# field can still be refused when the page is stale: its CSRF token is made out of date.
SPOIL = """form => {
  for (let el = form; el; el = el.parentElement) { if (el.tagName === "DETAILS") { el.open = true; } }
  const typed = Array.from(form.elements).filter(f => f.name && f.name !== "csrf_token" &&
    (f.tagName === "TEXTAREA" || (f.tagName === "INPUT" &&
     !["hidden", "submit", "button", "checkbox", "radio", "file"].includes(f.type))));
  typed.forEach(f => {
    const numeric = f.type === "number" || f.inputMode === "numeric" || f.inputMode === "decimal";
    f.value = f.maxLength > 0 ? "x".repeat(f.maxLength + 1) : numeric ? "-1" : "";
  });
  if (!typed.length) { form.querySelector("[name=csrf_token]").value = "expired"; }
  form.scrollIntoView({block: "center"});
  return typed.map(f => f.name);
}"""

# The texts of the visible errors on the page, or only those inside the window.
SHOWN = """inView => Array.from(document.querySelectorAll(%r)).filter(el => {
  const box = el.getBoundingClientRect();
  const visible = el.checkVisibility({visibilityProperty: true}) && box.width > 0 && box.height > 0;
  return visible && (!inView || (box.bottom > 0 && box.top < window.innerHeight));
}).map(el => el.textContent.trim())""" % ERRORS


def page_urls(app, ids: dict) -> list[tuple[str, str]]:
    """Every GET page rule of the URL map as (endpoint, URL) with the campaign's ids."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint.startswith(NOT_WALKED):
            continue
        url = url_for_rule(rule.rule, ids)
        if rule.endpoint == "strategy.regenerate_strategy":
            url += "?phase_num=2"
        found.append((rule.endpoint, url))
    return sorted(found)


def subjects(user, campaign) -> dict:
    """The campaign's rows for the URL rules' ids: a post with numbers that broke a trigger, its alert, a chat
    message, a run."""
    posts = current_posts(campaign.id)
    trigger = results.create_trigger(user.workspace_id, campaign.id, dict(PHASE_2_CTR), author_id=None)
    results.record_metrics(user.workspace_id, campaign.id, low_ctr(phase(posts, 2)))
    message = chat.post_message(user.workspace_id, campaign.id, user.id, user.email, "!help")
    post = phase(posts, 2)[0]
    ids = {"campaign_id": campaign.id, "post_id": post.id, "trigger_id": trigger.id, "message_id": message.id,
           "alert_id": Alert.query.filter_by(campaign_id=campaign.id).first().id,
           "run_id": db.session.query(db.func.max(Run.id)).scalar(), "variant_id": post.variants[0].id,
           # A review link's page: a guest's forms are walked as a member's are.
           "token": review_links.create(user.workspace_id, campaign.id, user.id)[1],
           "webhook_id": webhooks.create(user.workspace_id, user.id, "https://hooks.example.com/gtm",
                                         ["post.approved"]).id}
    user.is_admin = True  # the instance's administrator, whose pages have forms too
    db.session.commit()  # hold no lock on the database the live server writes to
    return ids


def saved() -> dict:
    """How many rows of each kind a refused form must leave as they were."""
    db.session.expire_all()
    counts = {model.__name__: model.query.count() for model in (Metric, Trigger, Alert, ChatMessage, Run, Post)}
    db.session.rollback()  # hold no lock on the database the live server writes to
    return counts


def refuse_every_form(page, base: str, path: str) -> list[str]:
    """Send each hx-post form of the page with refused values; return what went wrong."""
    failures = []
    page.goto(base + path)
    for index in range(page.locator("form[hx-post]").count()):
        page.goto(base + path)
        form = page.locator("form[hx-post]").nth(index)
        if not form.count():
            continue
        target = form.get_attribute("hx-post")
        typed = form.evaluate(SPOIL)
        before = set(page.evaluate(SHOWN, False))
        what = f"{path}: the form posting to {target} with {typed or 'an expired token'}"
        try:
            with page.expect_response(lambda r: r.request.method == "POST" and urlsplit(r.url).path ==
                                      urlsplit(target).path, timeout=10_000) as sent:
                form.evaluate("form => form.requestSubmit()")
        except Exception:  # playwright's timeout: the form sent nothing
            failures.append(f"{what} sent nothing")
            continue
        answer = sent.value
        if not 400 <= answer.status < 500:
            failures.append(f"{what} was answered {answer.status}, not refused")
            continue
        try:
            page.wait_for_function(f"before => ({SHOWN})(true).some(text => !before.includes(text))",
                                   arg=sorted(before), timeout=5_000)
        except Exception:  # playwright's timeout: nothing new shows, which is what this test is about
            failures.append(f"{what} got {answer.status} and showed no error in view")
    return failures


def test_every_htmx_form_shows_its_refusal_in_view_and_saves_nothing(live_server, browser, app, user, campaign):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())  # a form that asks "Are you sure?" is sent all the same
    try:
        log_in(page, live_server, user)
        plan_on_the_board(page, live_server, campaign)
        ids = subjects(user, campaign)
        counts = saved()
        failures, walked = [], 0
        for _endpoint, url in page_urls(app, ids):
            answer = page.request.get(live_server.url + url)
            if answer.status != 200 or not answer.headers.get("content-type", "").startswith("text/html"):
                continue
            walked += 1
            failures += refuse_every_form(page, live_server.url, url)
        assert walked > 15
        assert not failures, "\n".join(failures)
        assert saved() == counts
        assert not errors
    finally:
        page.close()


def test_the_post_page_shows_a_refused_day_of_numbers_and_a_refused_approval_in_place(
        live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        plan_on_the_board(page, live_server, campaign)
        post = current_posts(campaign.id)[0]
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/posts/{post.id}")

        # Clicks above impressions, and a spend with its currency sign: each field says what is wrong.
        form = page.locator("#results form")
        form.get_by_label("Impressions").fill("100")
        form.get_by_label("Clicks").fill("500")
        form.get_by_label("Conversions").fill("2")
        form.get_by_label("Spend").fill("$120")
        form.get_by_role("button", name="Save the day's numbers").click()
        refused = page.locator("#results")
        expect(refused.get_by_role("alert")).to_contain_text("Nothing was saved")
        expect(refused.locator(".field-error").first).to_be_visible()
        expect(refused.locator(".field-error")).to_have_count(2)
        expect(refused.get_by_label("Clicks")).to_have_value("500")
        refused.locator(".field-error").first.scroll_into_view_if_needed()
        screenshot(page, "post-page-metric-error")
        assert Metric.query.filter_by(post_id=post.id).count() == 0

        # The post stops being ready behind the page's back: Approve is refused, and says why, in place.
        Post.query.filter_by(id=post.id).update({"status": "failed", "error": "The model stopped."})
        db.session.commit()
        page.get_by_role("button", name="Approve").click()
        expect(page.locator("#post-detail")).to_contain_text("Only a written post can be approved")
        db.session.expire_all()
        assert db.session.get(Post, post.id).approved is False
    finally:
        page.close()
