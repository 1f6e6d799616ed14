"""The campaign chat on the strategy board: commands read from messages, replies that change nothing when a
command is wrong, a regeneration followed to its outcome, undo and retry in place, the history, and the API."""
import re
from html import unescape

import pytest

from gtm.extensions import db
from gtm.models import Campaign, ChatMessage, Run, StrategyVersion
from gtm.services import accounts, campaigns, chat, strategy

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import PASSWORD
from tests.kit.fake_openai import Reply
from tests.kit.jobs import queue_length
from tests.kit.pages import check_page
from tests.kit.plans import schema_name, valid_plan
from tests.kit.strategy import plan_and_write, snapshot

DIRECTION = "Focus on developers, with technical demos"
PLAN = valid_plan()


def regeneration(plan: dict, from_phase: int) -> dict:
    """The plan's phases from `from_phase` on, as new posts (new keys) hanging from the kept ones."""
    def key(old: str) -> str:
        return old if int(old[1:].split("-")[0]) < from_phase else f"n{old}"

    phases = [{**phase, "posts": [{**post, "key": key(post["key"])} for post in phase["posts"]]}
              for phase in plan["phases"] if phase["number"] >= from_phase]
    edges = [{"from": key(e["from"]), "to": key(e["to"])} for e in plan["edges"]
             if int(e["to"][1:].split("-")[0]) >= from_phase]
    return {"phases": phases, "edges": edges}


@pytest.fixture
def model(fake_openai):
    """The fake model's answers by schema: plans are PLAN, a regeneration from phase 2 follows on from it,
    and posts get the fake's default content. A test changes an answer by changing the dict."""
    answers = {"StrategyPlan": PLAN, "StrategyRegeneration": regeneration(PLAN, 2)}
    fake_openai.responder = lambda body: Reply.json(answers[schema_name(body)]) if schema_name(body) in answers \
        else None
    return answers


def chat_url(campaign) -> str:
    return f"/campaigns/{campaign.id}/chat"


def send(client, campaign, text, **kwargs):
    return client.post(chat_url(campaign), data={"message": text}, **kwargs)


def message_fragment(client, campaign, message: ChatMessage) -> str:
    response = client.get(f"{chat_url(campaign)}/{message.id}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def last_message() -> ChatMessage:
    db.session.expire_all()
    return ChatMessage.query.order_by(ChatMessage.id.desc()).first()


# ---- The command parser ----

@pytest.mark.parametrize("text, phase_num, direction", [
    (f"!regenerate phase 2 {DIRECTION}", 2, DIRECTION),
    (f"/regenerate phase 3 {DIRECTION}", 3, DIRECTION),
    ("  !Regenerate PHASE 02: lean on video  ", 2, "lean on video"),
    ("!regenerate phase 5 first line\nsecond line", 5, "first line\nsecond line"),
])
def test_regenerate_commands_are_read(text, phase_num, direction):
    command = chat.parse(text)
    assert (command.kind, command.phase_num, command.direction) == ("regenerate", phase_num, direction)


@pytest.mark.parametrize("text", ["!help", "/help", "!HELP me"])
def test_help_lists_the_commands(text):
    command = chat.parse(text)
    assert command.kind == "help"
    assert "!regenerate phase N <direction>" in command.reply and "!help" in command.reply


@pytest.mark.parametrize("text, problem", [
    ("!regenerate phase x Focus on developers", "“x” is not a phase number"),
    ("!regenerate phase ² Focus on developers", "“²” is not a phase number"),
    ("!regenerate phase 2", "Say where the strategy should go from phase 2"),
    ("!regenerate phase 2:   ", "Say where the strategy should go from phase 2"),
    ("!regenerate", "Say which phase to regenerate from"),
    ("!regenerate from the start", "with the word “phase” and its number"),
    ("!regenerate 2 Focus on developers", "Write the word “phase” before its number: !regenerate phase 2"),
    ("/regenerate 2 Focus on developers", "/regenerate phase 2"),
])
def test_malformed_regenerate_commands_are_answered_with_the_right_form(text, problem):
    command = chat.parse(text)
    assert command.kind == "refused" and command.phase_num is None
    assert problem in command.reply
    assert "Nothing was changed." in command.reply and "Write it as !regenerate phase N <direction>" in command.reply


@pytest.mark.parametrize("text, named", [("!foo", "!foo"), ("/deploy now", "/deploy")])
def test_unknown_commands_are_named_and_the_commands_listed(text, named):
    command = chat.parse(text)
    assert command.kind == "refused"
    assert f"There is no command {named}," in command.reply and "!regenerate phase N <direction>" in command.reply


@pytest.mark.parametrize("text", ["Hello, can you help?", "What about phase 2?", "!!", "/ that's all", "!2 go"])
def test_ordinary_text_is_a_question(text):
    command = chat.parse(text)
    assert (command.kind, command.reply, command.phase_num) == ("question", "", None)


# ---- Replies that change nothing ----

def test_malformed_commands_change_nothing(htmx, api, campaign, work):
    plan_and_write(api, campaign, work)
    phases = len(api.get(f"/api/campaigns/{campaign.id}/nodes")[1]["phases"])
    before, runs = snapshot(campaign.id), Run.query.count()
    replies = {
        "!regenerate phase x Focus on developers": "“x” is not a phase number",
        f"!regenerate phase {phases + 2} Focus on developers": f"The phase must be from 1 to {phases + 1}",
        "!regenerate phase 0 Focus on developers": f"The phase must be from 1 to {phases + 1}",
        "!regenerate phase 2": "Say where the strategy should go",
        "!regenerate phase 2 " + "x" * 1001: "The direction has at most 1,000 characters",
        "!foo": "There is no command !foo",
    }
    for text, reply in replies.items():
        response = send(htmx, campaign, text)
        assert response.status_code == 200, text
        assert "HX-Trigger" not in response.headers, "nothing changed, so the board need not refresh"
        message = last_message()
        assert (message.text, message.run_id) == (text, None) and reply in message.reply, message.reply
        assert "Nothing was changed" in message.reply or "nothing was changed" in message.reply
    assert snapshot(campaign.id) == before and Run.query.count() == runs
    assert ChatMessage.query.count() == len(replies)


def test_no_strategy_yet_and_a_change_in_flight_are_answered(htmx, api, campaign, work):
    send(htmx, campaign, f"!regenerate phase 2 {DIRECTION}")
    assert "plan one first" in last_message().reply and Run.query.count() == 0
    plan_and_write(api, campaign, work)
    status, body = api.post("/api/agents/regenerate-strategy/", json={
        "campaign_id": str(campaign.id), "phase_num": 2, "new_direction": "Another direction"})
    assert status == 202
    before, runs = snapshot(campaign.id), Run.query.count()
    response = send(htmx, campaign, f"/regenerate phase 2 {DIRECTION}")
    assert response.status_code == 200 and "HX-Trigger" not in response.headers
    message = last_message()
    assert "is in flight for this campaign; wait for it to finish" in message.reply and message.run_id is None
    assert snapshot(campaign.id) == before and Run.query.count() == runs


# ---- A command followed to its outcome, undo and retry ----

@pytest.mark.llm("openai")
def test_a_command_regenerates_and_undo_brings_the_previous_version_back(htmx, api, campaign, work, fake_openai,
                                                                        model):
    plan_and_write(api, campaign, work)
    phase_2 = api.get(f"/api/campaigns/{campaign.id}/nodes")[1]["phases"][1]["posts"][0]
    strategy.approve_post(campaign.workspace_id, campaign.id, int(phase_2["id"]))

    response = send(htmx, campaign, f"!regenerate phase 2 {DIRECTION}")
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "strategy-changed"
    section = response.get_data(as_text=True)
    assert section.strip().startswith('<section id="chat"') and "<html" not in section
    message = last_message()
    run = db.session.get(Run, message.run_id)
    assert (run.kind, run.params["phase_num"], run.params["direction"]) == ("regenerate", 2, DIRECTION)
    assert message.reply == ("Regenerating from phase 2 as version 2. Keeping phase 1 (3 posts); archiving "
                             "phases 2–4 (9 posts, 1 approved) — nothing is deleted.")
    assert f'href="/runs/{run.id}"' in section and message.reply in section
    waiting = message_fragment(htmx, campaign, message)
    assert 'hx-trigger="every 1s"' in waiting and "<progress" in waiting and "Undo" not in waiting

    work()
    ready = message_fragment(htmx, campaign, message)
    new_posts = Run.query.filter_by(parent_id=run.id).count()
    assert new_posts == 9
    assert "Version 2 is ready: 9 new posts." in ready and ">Undo</button>" in ready
    assert "hx-trigger" not in ready and "<progress" not in ready, "a finished message does not poll"

    calls = len(fake_openai.requests)
    undo_url = f"{chat_url(campaign)}/{message.id}/undo"
    assert f'hx-post="{undo_url}"' in ready
    response = htmx.post(undo_url)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "strategy-changed"
    undone = unescape(response.get_data(as_text=True))
    assert "Undone: version 1's posts are current again as version 3." in undone and "Undo</button>" not in undone
    assert len(fake_openai.requests) == calls and queue_length(htmx.application) == 0, "undo calls no model"
    version = StrategyVersion.query.filter_by(campaign_id=campaign.id, number=3).one()
    assert (version.origin, version.based_on, version.author_id is not None) == ("restore", 1, True)
    assert db.session.get(Campaign, campaign.id).current_version == 3
    # The outcome is read from the versions, so it stays after a reload.
    assert "Undone: version 1's posts" in message_fragment(htmx, campaign, message)

    again = htmx.post(undo_url)
    assert again.status_code == 409
    refused = again.get_data(as_text=True)
    assert "Version 2 is no longer the current version (version 3 is)" in refused
    assert refused.strip().startswith('<li id="chat-message-') and "Undo</button>" not in refused
    assert StrategyVersion.query.filter_by(campaign_id=campaign.id).count() == 3


def test_undo_refused_without_javascript_shows_the_board_with_the_reason(auth_client, api, campaign, work):
    plan_and_write(api, campaign, work)
    send(auth_client, campaign, f"!regenerate phase 3 {DIRECTION}")
    work()
    message = last_message()
    api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "Start over"})
    work()
    before = snapshot(campaign.id)
    assert "Undo</button>" not in message_fragment(auth_client, campaign, message), "version 2 is not current"
    response = auth_client.post(f"{chat_url(campaign)}/{message.id}/undo")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "<html" in page
    assert "Version 2 is no longer the current version (version 3 is)" in page
    assert snapshot(campaign.id) == before


@pytest.mark.llm("openai")
def test_a_failed_regeneration_shows_its_error_and_retry_starts_it_again(htmx, api, campaign, work, model):
    plan_and_write(api, campaign, work)
    good = model["StrategyRegeneration"]
    model["StrategyRegeneration"] = {"phases": [], "edges": []}
    send(htmx, campaign, f"!regenerate phase 2 {DIRECTION}")
    work()
    message = last_message()
    failed = message_fragment(htmx, campaign, message)
    first = db.session.get(Run, message.run_id)
    assert first.status == "failed" and first.error and db.session.get(Campaign, campaign.id).current_version == 1
    assert first.error.split(":")[0] in failed and ">Retry</button>" in failed and "Undo</button>" not in failed

    model["StrategyRegeneration"] = good
    response = htmx.post(f"{chat_url(campaign)}/{message.id}/retry")
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "strategy-changed"
    message = last_message()
    assert message.run_id != first.id
    assert 'hx-trigger="every 1s"' in response.get_data(as_text=True)
    work()
    ready = message_fragment(htmx, campaign, message)
    assert "Version 2 is ready: 9 new posts." in ready and ">Undo</button>" in ready and "Retry" not in ready
    again = htmx.post(f"{chat_url(campaign)}/{message.id}/retry")
    assert again.status_code == 409 and "Only a regeneration that failed" in again.get_data(as_text=True)


def test_pages_with_chat_messages_are_well_formed(auth_client, api, campaign, work):
    plan_and_write(api, campaign, work)
    send(auth_client, campaign, "!help")
    send(auth_client, campaign, f"!regenerate phase 2 {DIRECTION}")
    board = f"/campaigns/{campaign.id}/strategy"
    running = auth_client.get(board)
    message = last_message()
    assert f'id="chat-message-{message.id}"' in running.get_data(as_text=True)
    check_page(board, running)
    work()
    finished = auth_client.get(board)
    assert "Undo</button>" in finished.get_data(as_text=True)
    check_page(board, finished)


# ---- History, escaping and limits ----

def test_the_history_survives_a_reload_oldest_first_and_is_escaped(auth_client, user, campaign):
    for text in ("First message", "!help", "<script>alert(1)</script>"):
        assert send(auth_client, campaign, text).status_code == 303
    page = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    chat_part = page[page.index('<section id="chat"'):]
    assert chat_part.index("First message") < chat_part.index("Commands:") < chat_part.index("&lt;script&gt;")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert chat_part.count(user.email) == 3
    assert [m.author for m in ChatMessage.query.all()] == [user.email] * 3


def test_without_javascript_a_message_redirects_back_to_the_board(auth_client, campaign):
    response = send(auth_client, campaign, "!help")
    message = last_message()
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}/strategy#chat-message-{message.id}")


@pytest.mark.parametrize("text, error", [
    ("", "Write a message first"),
    ("   \n ", "Write a message first"),
    ("x" * 2001, "The message has at most 2,000 characters (this has 2,001)."),
])
def test_an_empty_or_too_long_message_is_refused_next_to_the_field(auth_client, htmx, campaign, text, error):
    response = send(htmx, campaign, text)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in fragment
    assert re.search(r'<p class="field-error" id="chat-text-error">[^<]*' + re.escape(error), fragment)
    assert 'aria-invalid="true"' in fragment
    htmx.environ_base.pop("HTTP_HX_REQUEST")
    page = send(auth_client, campaign, text)
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    assert error in page.get_data(as_text=True)
    assert ChatMessage.query.count() == 0


def test_a_message_of_exactly_the_limit_is_kept(htmx, campaign):
    assert send(htmx, campaign, "y" * 2000).status_code == 200
    assert len(last_message().text) == 2000


def test_a_message_without_its_csrf_token_is_refused(auth_client, campaign):
    response = send(auth_client, campaign, "!help", with_csrf=False)
    assert response.status_code == 400 and "security token" in response.get_data(as_text=True)
    assert ChatMessage.query.count() == 0


# ---- The API ----

def test_the_api_posts_and_lists_messages(api, campaign, work, user):
    status, body = api.post(f"/api/campaigns/{campaign.id}/chat", json={"message": "!help"})
    assert status == 201 and body["message"] == "!help" and body["run_id"] is None
    assert "!regenerate phase N <direction>" in body["reply"]
    plan_and_write(api, campaign, work)
    status, started = api.post(f"/api/campaigns/{campaign.id}/chat",
                               json={"message": f"/regenerate phase 2 {DIRECTION}"})
    assert status == 201 and started["reply"].startswith("Regenerating from phase 2 as version 2.")
    assert db.session.get(Run, int(started["run_id"])).kind == "regenerate"
    status, history = api.get(f"/api/campaigns/{campaign.id}/chat")
    assert status == 200
    assert [(m["author"], m["text"], m["run_id"]) for m in history["messages"]] == [
        (user.email, "!help", None), (user.email, f"/regenerate phase 2 {DIRECTION}", started["run_id"])]
    assert history["messages"][1]["reply"] == started["reply"] and history["messages"][0]["created_at"]


@pytest.mark.parametrize("body, problem", [
    ({}, "This field is required."),
    ({"message": ""}, "Write a message first"),
    ({"message": "x" * 2001}, "at most 2,000 characters"),
    ({"message": 5}, "Must be text."),
    ({"message": ["!help"]}, "Must be text."),
])
def test_the_api_refuses_a_bad_message_with_422(api, campaign, body, problem):
    status, answer = api.post(f"/api/campaigns/{campaign.id}/chat", json=body)
    assert status == 422 and problem in answer["detail"]["message"], answer
    assert ChatMessage.query.count() == 0


@pytest.fixture
def foreign(app):
    """Another workspace's campaign, with a message."""
    owner = accounts.sign_up("rival@example.com", PASSWORD)
    campaign = campaigns.create_campaign(owner.workspace_id, dict(CAMPAIGN))
    message = chat.post_message(owner.workspace_id, campaign.id, owner.id, owner.email, "!help")
    return campaign, message


def test_another_workspaces_chat_is_not_found(htmx, auth_client, api, campaign, foreign):
    theirs, message = foreign
    base = f"/campaigns/{theirs.id}/chat"
    assert htmx.get(base).status_code == 404
    assert send(htmx, theirs, "!help").status_code == 404
    assert htmx.get(f"{base}/{message.id}").status_code == 404
    assert htmx.post(f"{base}/{message.id}/undo").status_code == 404
    assert htmx.post(f"{base}/{message.id}/retry").status_code == 404
    # Their message through our campaign's URL is not found either.
    assert htmx.get(f"{chat_url(campaign)}/{message.id}").status_code == 404
    assert api.post(f"/api/campaigns/{theirs.id}/chat", json={"message": "!help"})[0] == 404
    assert api.post(f"/api/campaigns/{theirs.id}/chat", json={})[0] == 404, "404 before the body is judged"
    assert api.get(f"/api/campaigns/{theirs.id}/chat")[0] == 404
    assert ChatMessage.query.count() == 1


def test_ids_just_past_the_database_column_are_404_whatever_the_method(auth_client, api):
    # The chat has a GET and a POST rule on one path: a number too large for an id must not answer 405.
    for method in ("GET", "POST"):
        assert auth_client.open("/campaigns/2147483648/chat", method=method).status_code == 404
        assert api.client.open("/api/campaigns/2147483648/chat", method=method, json={},
                               headers=api.headers).status_code == 404
