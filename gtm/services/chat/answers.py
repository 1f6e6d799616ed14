"""A question in the chat answered: one model call with the campaign's scoped context (context.py), its answer
streamed into the chat as it arrives, then saved as the message's reply with the action it suggests, once
that action is checked (actions.py). Nothing is changed by an answer: a suggestion only opens a dialog.
"""
import json
import logging
import re

from redis.exceptions import RedisError

from ... import broker, jobnames, llm
from ...extensions import db
from ...llm import schemas
from ...models import Campaign, ChatMessage, Run
from .. import runs
from ..errors import Unavailable
from . import actions
from .context import answer_prompt

log = logging.getLogger(__name__)

# Characters of an answer kept, and the tokens its call may write.
ANSWER_MAX = 3000
ANSWER_TOKENS = 1024
_ANSWER_START = re.compile(r'"answer"\s*:\s*"')


def ask(workspace_id: int, campaign_id: int, user_id: int | None, author: str, text: str) -> ChatMessage:
    """Save a question with an empty reply and enqueue the run that answers it; the message keeps the run.

    When background work is away, the run is failed with the reason, which the chat shows under the question."""
    message = ChatMessage(campaign_id=campaign_id, author_id=user_id, author=author, text=text, reply="",
                          kind="question")
    db.session.add(message)
    db.session.flush()
    run = runs.add(workspace_id=workspace_id, campaign_id=campaign_id, kind="answer", subject=f"message:{message.id}",
                   params={"message_id": message.id})
    db.session.flush()
    message.run_id = run.id
    db.session.commit()
    try:
        runs.enqueue(run, jobnames.ANSWER_QUESTION)
    except Unavailable:
        log.warning("campaign %s: question %s not answered, background work is away", campaign_id, message.id)
    log.info("campaign %s: chat message %s (question), run %s", campaign_id, message.id, run.id)
    return db.session.get(ChatMessage, message.id)


def execute_answer(run_id: int, live: llm.Live) -> None:
    """Answer the question of an answering run (called by the job; safe to call twice)."""
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        return
    message_id = run.params["message_id"]
    if runs.start(run_id, "Reading the campaign…") is None:
        return
    message = db.session.get(ChatMessage, message_id)
    if message.reply:  # an earlier execution answered it
        runs.succeed(db.session.get(Run, run_id), "Answered")
        db.session.commit()
        return
    prompt = answer_prompt(db.session.get(Campaign, message.campaign_id), message)
    runs.progress(run_id, "Writing the answer…")
    db.session.remove()

    result = llm.generate(prompt, schemas.ChatAnswer, live=live, max_tokens=ANSWER_TOKENS, check=_problems)

    message = db.session.get(ChatMessage, message_id)
    answer = result.value.answer.strip()
    message.reply = answer if len(answer) <= ANSWER_MAX else answer[:ANSWER_MAX - 1].rstrip() + "…"
    # Checked against the campaign as it is now, after the call: a suggestion that no longer fits is dropped.
    message.action = actions.checked(db.session.get(Campaign, message.campaign_id), result.value.action)
    run = db.session.get(Run, run_id)
    runs.record_usage(run, result)
    runs.succeed(run, "Answered")
    db.session.commit()
    log.info("run %s: answered chat message %s%s", run_id, message_id,
             f", suggesting {message.action['kind']}" if message.action else "")


def _problems(value: schemas.ChatAnswer) -> list[str]:
    return [] if value.answer.strip() else ["answer: the answer is empty; answer the question in a few sentences"]


def streamed(run_id: int) -> str:
    """The answer's text streamed so far: the "answer" field of the partial JSON, never its syntax."""
    try:
        text = broker.live_text.read(run_id)
    except RedisError:
        return ""
    return answer_so_far(text)


def answer_so_far(text: str) -> str:
    """Read the "answer" string of a partial JSON object, as far as it has arrived."""
    found = _ANSWER_START.search(text)
    if found is None:
        return ""
    raw, i = text[found.end():], 0
    while i < len(raw) and raw[i] != '"':
        i += 2 if raw[i] == "\\" else 1
    raw = raw[:min(i, len(raw))]
    # The cut may fall inside an escape (\u00e9 half arrived): drop characters until the rest reads as JSON.
    for end in range(len(raw), max(-1, len(raw) - 12), -1):
        try:
            value = json.loads(f'"{raw[:end]}"')
        except ValueError:
            continue
        return value.encode("utf-8", "ignore").decode("utf-8")
    return ""
