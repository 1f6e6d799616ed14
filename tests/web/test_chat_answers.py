"""Questions in the chat: a message that is no command is answered by a background run with one model call,
streamed into the chat, saved with the action it suggests once gtm has checked it, and shown as a button that
opens the existing dialog filled in; a suggestion that does not fit the campaign is dropped. The offline model
answers from the campaign's numbers, and the prompt stays bounded however long the conversation grows."""
import logging
import re
from datetime import date, timedelta
from html import unescape

import pytest

from gtm import broker
from gtm.extensions import db
from gtm.llm import render
from gtm.models import Campaign, ChatMessage, Post, Run
from gtm.services import chat, results, runs

from tests.kit.clients import log_in, new_client
from tests.kit.fake_openai import Reply
from tests.kit.members import joined_member
from tests.kit.plans import schema_name, valid_plan
from tests.kit.schema_samples import estimate_tokens
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

QUESTION = "Which phase is weakest?"
DIRECTION = "Win back clicks in phase 2: lead with a <b>concrete</b> result"
ANSWER = "Phase 2 has the lowest CTR so far, 0.6% against 1.4% in phase 1. Its posts open with features."
HX = {"HX-Request": "true"}


def chat_url(campaign) -> str:  # noqa: F811
    return f"/campaigns/{campaign.id}/chat"


def fragment(client, campaign, message) -> str:  # noqa: F811
    response = client.get(f"{chat_url(campaign)}/{message.id}", headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def last_message() -> ChatMessage:
    db.session.expire_all()
    return ChatMessage.query.order_by(ChatMessage.id.desc()).first()


@pytest.fixture
def model(request, fake_openai):
    """The fake model's answers by schema: plans (for the written campaign, made once per process) and the
    question's answer, which a test sets with `answering`. Requested before `campaign`."""
    answers = {"StrategyPlan": valid_plan()}
    fake_openai.responder = lambda body: Reply.json(answers[schema_name(body)]) if schema_name(body) in answers \
        else None
    return answers


def answering(model, action, answer=ANSWER):
    """The fake model answers every question with `answer` and `action`."""
    model["ChatAnswer"] = {"answer": answer, "action": action}


def current_posts(campaign) -> list[Post]:  # noqa: F811
    return Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.phase, Post.id).all()


@pytest.mark.llm("openai")
def test_a_question_is_answered_with_a_suggested_action_that_opens_the_filled_in_dialog(model, htmx, campaign,  # noqa: F811
                                                                                       work, fake_openai):
    answering(model, {"kind": "regenerate", "phase": 2, "direction": DIRECTION})
    response = htmx.post(chat_url(campaign), data={"message": QUESTION})
    assert response.status_code == 200 and "HX-Trigger" not in response.headers, "a question changes nothing"
    message = last_message()
    run = db.session.get(Run, message.run_id)
    assert (message.kind, message.reply, message.action, run.kind, run.status) == (
        "question", "", None, "answer", "queued")
    waiting = fragment(htmx, campaign, message)
    assert 'hx-trigger="every 1s"' in waiting and "<progress" in waiting and "That is not a command" not in waiting

    # While the model writes, the chat shows the answer's text as it arrives, never the JSON around it.
    runs.start(run.id)
    broker.live_text.append(run.id, '{\n "answer": "Phase 2 has the lowest CTR so far, 0.6% against 1.4\\u0025 i')
    streaming = unescape(fragment(htmx, campaign, message))
    assert "Phase 2 has the lowest CTR so far, 0.6% against 1.4% i" in streaming
    assert '"answer"' not in streaming and "{" not in streaming.split("chat-streaming")[1].split("</p>")[0]
    db.session.get(Run, run.id).status = "queued"
    db.session.commit()

    work()
    message = last_message()
    assert message.reply == ANSWER and message.action == {"kind": "regenerate", "phase": 2, "direction": DIRECTION}
    assert db.session.get(Run, run.id).status == "succeeded"
    asked = [body for body in fake_openai.chat_requests if schema_name(body) == "ChatAnswer"]
    assert len(asked) == 1, "one model call per question"
    prompt = asked[0]["messages"][1]["content"]
    assert QUESTION in prompt and "Phase 2 ·" in prompt and f"post {current_posts(campaign)[0].id} “" in prompt

    answered = fragment(htmx, campaign, message)
    assert "every 1s" not in answered and ANSWER in unescape(answered)
    assert "&lt;b&gt;concrete&lt;/b&gt;" in answered and "<b>concrete" not in answered, "the model's text is escaped"
    link = re.search(r'<a class="button small" href="([^"]+)" hx-get="[^"]+" hx-target="#modal"[^>]*>'
                     r'Regenerate from phase 2…</a>', answered)
    assert link, answered
    assert db.session.get(Campaign, campaign.id).current_version == 1, "nothing runs without the click"

    dialog = htmx.get(unescape(link.group(1)))
    page = unescape(dialog.get_data(as_text=True))
    assert dialog.status_code == 200 and '<dialog id="regenerate-strategy-dialog"' in page
    assert re.search(r'<option value="2" selected>Phase 2 ·', page)
    assert re.search(r'<textarea id="new-direction"[^>]*>' + re.escape(DIRECTION) + "</textarea>", page)
    assert Run.query.filter_by(kind="regenerate").count() == 0


@pytest.mark.llm("openai")
def test_a_rewrite_and_a_follow_up_open_their_forms_filled_in(model, auth_client, htmx, campaign, work):  # noqa: F811
    post = current_posts(campaign)[4]
    feedback = "Open with the florist's Saturday rush"
    answering(model, {"kind": "rewrite_variant", "post_id": post.id, "variant": "B", "feedback": feedback})
    htmx.post(chat_url(campaign), data={"message": "How can the weakest post do better?"})
    work()
    answered = unescape(fragment(htmx, campaign, last_message()))
    assert f"rewrite variant B of “{post.title}”: {feedback}" in answered
    link = re.search(r'href="([^"]+)" hx-get="[^"]+" hx-target="#modal"[^>]*>Rewrite variant B…</a>', answered)
    dialog = unescape(htmx.get(link.group(1)).get_data(as_text=True))
    assert "<dialog" in dialog and re.search(r"<textarea[^>]*>" + re.escape(feedback) + "</textarea>", dialog)

    picked = [p for p in current_posts(campaign) if p.phase == 2][:2]
    instruction = "Invite the readers of both posts to the live demo"
    answering(model, {"kind": "follow_up", "after": [p.id for p in picked], "instruction": instruction})
    htmx.post(chat_url(campaign), data={"message": "What should follow phase 2?"})
    work()
    answered = unescape(fragment(htmx, campaign, last_message()))
    link = re.search(r'<a class="button small" href="([^"]+)">Add a follow-up post…</a>', answered)
    graph = unescape(auth_client.get(link.group(1)).get_data(as_text=True))
    ticked = {int(i) for i in re.findall(r'<input type="checkbox" name="after" value="(\d+)" checked>', graph)}
    assert ticked == {p.id for p in picked}
    assert re.search(r'<textarea[^>]*name="instruction"[^>]*>' + re.escape(instruction) + "</textarea>", graph) or \
        re.search(r'<textarea[^>]*>' + re.escape(instruction) + "</textarea>", graph)


@pytest.mark.llm("openai")
def test_an_action_that_does_not_fit_is_dropped_and_the_answer_still_shows(model, htmx, campaign, work,  # noqa: F811
                                                                            caplog):
    answering(model, {"kind": "regenerate", "phase": 9, "direction": "Start again"})
    htmx.post(chat_url(campaign), data={"message": QUESTION})
    with caplog.at_level(logging.WARNING, logger="gtm.services.chat.actions"):
        work()
    message = last_message()
    assert message.reply == ANSWER and message.action is None
    assert "dropped the suggested action" in caplog.text and "phase 9 is not a phase of version 1" in caplog.text
    answered = fragment(htmx, campaign, message)
    assert ANSWER in unescape(answered) and "button small" not in answered and "Suggested" not in answered


def test_each_kind_of_action_is_checked_against_the_current_version(campaign):  # noqa: F811
    found = db.session.get(Campaign, campaign.id)
    posts = current_posts(campaign)
    by_phase = {}
    for post in posts:
        by_phase.setdefault(post.phase, []).append(post)
    phases = len(by_phase)
    fits = [
        {"kind": "regenerate", "phase": phases, "direction": "Go on"},
        {"kind": "rewrite_variant", "post_id": posts[0].id, "variant": "A", "feedback": "Shorter"},
        {"kind": "follow_up", "after": [p.id for p in by_phase[1]], "instruction": "Invite them to the demo"},
    ]
    for action in fits:
        assert chat.checked_action(found, action) == action
    dropped = [
        {"kind": "regenerate", "phase": 0, "direction": "Go on"},
        {"kind": "regenerate", "phase": phases + 1, "direction": "Go on"},
        {"kind": "regenerate", "phase": 2, "direction": "x" * 1001},
        {"kind": "regenerate", "phase": 2, "direction": "   "},
        {"kind": "rewrite_variant", "post_id": 2_000_000, "variant": "A", "feedback": "Shorter"},
        {"kind": "rewrite_variant", "post_id": posts[0].id, "variant": "C", "feedback": "Shorter"},
        {"kind": "rewrite_variant", "post_id": posts[0].id, "variant": "A", "feedback": "x" * 1001},
        {"kind": "follow_up", "after": [by_phase[1][0].id, by_phase[2][0].id], "instruction": "Both"},
        {"kind": "follow_up", "after": [], "instruction": "Nobody"},
        {"kind": "follow_up", "after": [2_000_000], "instruction": "Nobody"},
        {"kind": "publish", "post_id": posts[0].id},
    ]
    for action in dropped:
        assert chat.checked_action(found, action) is None, action


def test_a_partial_answer_is_read_as_far_as_it_arrived():
    assert chat.answer_so_far("") == "" and chat.answer_so_far('{"ans') == ""
    assert chat.answer_so_far('{"answer": "Phase 2 is') == "Phase 2 is"
    assert chat.answer_so_far('{"answer": "Say \\"hi\\"\\n and caf\\u00e') == 'Say "hi"\n and caf'
    assert chat.answer_so_far('{"answer": "Done.", "action": {"kind": "regenerate"}}') == "Done."


def test_whoever_may_comment_asks_and_only_editors_send_commands(app, user, campaign, work):  # noqa: F811
    viewer = joined_member(user, "viewer@example.com", "viewer")
    client = log_in(new_client(app), viewer.email)
    board = client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert 'name="message"' in board and "editors and owners also send commands here" in board
    assert client.post(chat_url(campaign), data={"message": QUESTION}).status_code == 303
    assert last_message().kind == "question" and last_message().author == viewer.email
    refused = client.post(chat_url(campaign), data={"message": "!regenerate phase 2 Go bolder"})
    assert refused.status_code == 403 and "Your role in this workspace is viewer" in refused.get_data(as_text=True)
    assert ChatMessage.query.count() == 1 and Run.query.filter_by(kind="regenerate").count() == 0
    assert client.post(chat_url(campaign), data={"message": "!help"}).status_code == 303


@pytest.mark.llm("openai")
def test_the_api_answers_201_with_the_run_and_the_history_carries_the_action(model, api, campaign,  # noqa: F811
                                                                            work):
    answering(model, {"kind": "regenerate", "phase": 2, "direction": DIRECTION})
    status, body = api.post(f"/api/campaigns/{campaign.id}/chat", json={"message": QUESTION})
    assert status == 201 and body["message"] == QUESTION and body["reply"] == "" and body["kind"] == "question"
    assert db.session.get(Run, int(body["run_id"])).kind == "answer"
    status, history = api.get(f"/api/campaigns/{campaign.id}/chat")
    assert history["messages"][-1]["reply"] == "" and history["messages"][-1]["action"] is None
    work()
    status, run = api.get(f"/api/runs/{body['run_id']}")
    assert status == 200 and run["status"] == "succeeded"
    status, history = api.get(f"/api/campaigns/{campaign.id}/chat")
    last = history["messages"][-1]
    assert (last["kind"], last["reply"], last["run_id"]) == ("question", ANSWER, body["run_id"])
    assert last["action"] == {"kind": "regenerate", "phase": 2, "direction": DIRECTION}
    status, command = api.post(f"/api/campaigns/{campaign.id}/chat", json={"message": "!help"})
    assert status == 201 and command["kind"] == "command" and command["run_id"] is None


def test_offline_the_answer_names_the_phase_with_the_lowest_ctr(htmx, user, campaign, work):  # noqa: F811
    day = (date.today() - timedelta(days=1)).isoformat()
    clicks = {1: 14, 2: 6, 3: 11, 4: 12}
    results.record_metrics(user.workspace_id, campaign.id, [
        {"post_id": str(post.id), "variant": label, "date": day, "impressions": 1000,
         "clicks": clicks.get(post.phase, 10), "conversions": 1, "spend": "2.00"}
        for post in current_posts(campaign) for label in "AB"])
    htmx.post(chat_url(campaign), data={"message": "How are we doing?"})
    work()
    message = last_message()
    assert message.reply.startswith("Phase 2 (") and "has the lowest CTR so far: 0.6%" in message.reply
    assert "against 1.4% in phase 1" in message.reply
    assert message.action["kind"] == "regenerate" and message.action["phase"] == 2
    assert message.action["direction"].startswith("Win back clicks in phase 2: ")
    htmx.post(chat_url(campaign), data={"message": "Which posts are still drafts?"})
    work()
    drafts = last_message()
    assert re.match(r"\d+ posts of \d+ are still in draft: “", drafts.reply) and drafts.action is None
    assert "Offline" not in drafts.reply and "{" not in drafts.reply


def test_the_prompt_stays_bounded_however_long_the_conversation(user, campaign):  # noqa: F811
    def tokens_with(history: int) -> int:
        db.session.query(ChatMessage).delete()
        for number in range(history - 1):
            db.session.add(ChatMessage(campaign_id=campaign.id, author=user.email, kind="question",
                                       text=f"Question {number}: how is phase {number % 4 + 1} doing? " * 4,
                                       reply=f"Answer {number}: phase {number % 4 + 1} is fine. " * 12))
        question = ChatMessage(campaign_id=campaign.id, author=user.email, kind="question", text=QUESTION)
        db.session.add(question)
        db.session.commit()
        context = chat.answer_context(db.session.get(Campaign, campaign.id), question)
        assert len(context["history"]) <= 6
        return estimate_tokens(render("chat_answer", **context).messages)

    few, many = tokens_with(2), tokens_with(200)
    assert many <= 1.2 * few, (few, many)
