"""A marketer in a real browser sets the brand voice, plans a strategy, asks the chat which phase is weakest,
watches the answer arrive as text, and opens its suggested action: the regeneration dialog, filled in. Nothing
is regenerated until the dialog is submitted. Screenshots: test-artifacts/chat-answer.png and
chat-suggested-action-dialog.png."""
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Post, Run
from gtm.services import results

from tests.kit.browser import log_in, plan_on_the_board, screenshot
from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name, valid_plan

TONE = "warm, plain, a little playful"
DIRECTION = "Win back clicks in phase 2: open with one concrete result a florist gets in their first week"
ANSWER = ("Phase 2 is the weakest so far: its CTR is 0.6% from 6,000 impressions, against 1.3% in phase 1. "
          "Its posts open with features rather than a result the shop owner feels.")


@pytest.mark.llm("openai")
def test_the_chat_answers_a_question_and_its_suggestion_opens_the_dialog(live_server, browser, user, campaign,
                                                                        fake_openai):
    fake_openai.responder = lambda body: {
        "StrategyPlan": Reply.json(valid_plan()),
        "ChatAnswer": Reply.json({"answer": ANSWER,
                                  "action": {"kind": "regenerate", "phase": 2, "direction": DIRECTION}}),
    }.get(schema_name(body))
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/settings/voice")
        page.get_by_label("Tone").fill(TONE)
        page.get_by_label("Words and phrases to avoid").fill("revolutionary\nsynergy")
        page.get_by_role("button", name="Save the voice").click()
        expect(page.locator("body")).to_contain_text("The workspace's voice is saved")

        plan_on_the_board(page, live_server, campaign)
        day = (date.today() - timedelta(days=1)).isoformat()
        posts = Post.query.filter_by(campaign_id=campaign.id, is_active=True).all()
        results.record_metrics(user.workspace_id, campaign.id, [
            {"post_id": str(post.id), "variant": label, "date": day, "impressions": 1000,
             "clicks": 3 if post.phase == 2 else 13, "conversions": 1, "spend": "2.00"}
            for post in posts for label in "AB"])

        # The answer streams in slowly enough to be watched as it arrives.
        fake_openai.stream_pause = 0.2
        chat = page.locator("#chat")
        chat.get_by_label("Message").fill("Which phase is weakest?")
        chat.get_by_role("button", name="Send").click()
        message = chat.locator(".chat-message").last
        streaming = message.locator(".chat-streaming")
        expect(streaming).to_contain_text("Phase 2 is the weakest")
        partial = streaming.inner_text()
        assert "{" not in partial and '"answer"' not in partial, "the text arrives, not the JSON around it"
        expect(message.locator(".chat-streaming")).to_have_count(0)
        expect(message).to_contain_text(ANSWER)
        expect(message).to_contain_text(f"Suggested: regenerate the strategy from phase 2: {DIRECTION}")
        button = message.get_by_role("link", name="Regenerate from phase 2…")
        expect(button).to_be_visible()
        message.scroll_into_view_if_needed()
        screenshot(page, "chat-answer")

        prompt = next(body for body in fake_openai.chat_requests if schema_name(body) == "ChatAnswer")["messages"]
        said = "\n".join(part["content"] for part in prompt)
        assert f"Tone: {TONE}" in said and "Never use these words or phrases: revolutionary; synergy" in said
        assert "Phase 2 · Phase 2 name: CTR 0.3%" in said and "Which phase is weakest?" in said

        button.click()
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("From phase")).to_have_value("2")
        expect(dialog.get_by_label("New direction")).to_have_value(DIRECTION)
        expect(dialog).to_contain_text("This makes version 2")
        screenshot(page, "chat-suggested-action-dialog")
        db.session.expire_all()
        assert Run.query.filter_by(kind="regenerate").count() == 0, "nothing runs without the dialog's submit"
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
    finally:
        page.close()
