"""The API's chat: send a message (a command in it is carried out, a question is answered by a run), and read the
conversation with each answer's suggested action."""
from typing import Literal

from pydantic import Field

from ...services import chat, paging
from ...services.chat import MESSAGE_MAX
from .answers import Answer, Cursor, IdText, Timestamp, answer, next_field
from .blueprint import bp, user, workspace
from .fields import Body, PageQuery
from .parsing import documented


class ChatInput(Body):
    """A chat message: a command such as `!regenerate phase 2 <direction>` or `!help` (editors and owners), or a
    question about the campaign (any member who may comment)."""

    message: str = Field(json_schema_extra={"minLength": 1, "maxLength": MESSAGE_MAX})


KIND = Field(description="command (carried out at once) or question (answered by the run `run_id`)")


class RegenerateAction(Answer):
    """Regenerate the strategy from phase `phase` with `direction` (the board's regeneration dialog)."""

    kind: Literal["regenerate"]
    phase: int
    direction: str


class RewriteVariantAction(Answer):
    """Rewrite variant `variant` of post `post_id` with `feedback` (the variant's rewrite dialog)."""

    kind: Literal["rewrite_variant"]
    post_id: IdText
    variant: Literal["A", "B"]
    feedback: str


class FollowUpAction(Answer):
    """Add a follow-up post after the posts `after` (one phase) with `instruction` (the follow-up form)."""

    kind: Literal["follow_up"]
    after: list[IdText]
    instruction: str


Action = RegenerateAction | RewriteVariantAction | FollowUpAction | None
ACTION = Field(default=None, description="The next step an answer suggests, checked by gtm against the campaign; "
                                         "nothing runs until a person opens it and submits its form. Else null")


class ChatPosted(Answer):
    """The message as stored, and gtm's reply to it; a question's reply is empty until its run has answered."""

    message: str = Field(validation_alias="text")
    reply: str
    kind: str = KIND
    run_id: IdText | None = Field(description="The run the message started: a command's regeneration, or the run "
                                              "answering a question; else null")


class ChatMessage(Answer):
    """A message of the chat, with gtm's reply and, for an answered question, the action it suggests."""

    author: str
    text: str
    reply: str
    kind: str = KIND
    action: Action = ACTION
    created_at: Timestamp
    run_id: IdText | None = Field(description="The run its command started (or its latest retry), or the run "
                                              "answering its question")


class ChatHistory(Answer):
    """A page of the campaign's chat: the newest messages (or those before `before`), oldest first."""

    messages: list[ChatMessage]
    next: Cursor = next_field("older messages")

    @classmethod
    def of(cls, entries: paging.Page[chat.Entry]) -> "ChatHistory":
        return cls(messages=[entry.message for entry in entries], next=entries.next)


@bp.post("/campaigns/<int:campaign_id>/chat")
@documented({201: ChatPosted}, body=ChatInput)
def post_chat_message(campaign_id: int, body: ChatInput):
    """Send a message to the campaign's chat: a command in it is carried out, and the reply says how it went; a
    question is answered in the background by the run `run_id`, and its answer and suggested action appear in
    the history."""
    message = chat.post_message(workspace(), campaign_id, user().id, user().email, body.message)
    return answer(ChatPosted.model_validate(message), 201)


@bp.get("/campaigns/<int:campaign_id>/chat")
@documented({200: ChatHistory}, query=PageQuery)
def chat_history(campaign_id: int, query: PageQuery):
    """Return the campaign's newest chat messages (or those before ?before=), oldest first."""
    return answer(ChatHistory.of(chat.conversation(workspace(), campaign_id, query.before, query.limit)))
