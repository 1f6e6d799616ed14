"""The API's chat: send a message (a command in it is carried out), and read the conversation."""
from pydantic import Field

from ...services import chat, paging
from ...services.chat import MESSAGE_MAX
from .answers import Answer, Cursor, IdText, Timestamp, answer, next_field
from .blueprint import bp, user, workspace
from .fields import Body, PageQuery
from .parsing import documented


class ChatInput(Body):
    """A chat message: a command such as `!regenerate phase 2 <direction>` or `!help`, or any text."""

    message: str = Field(json_schema_extra={"minLength": 1, "maxLength": MESSAGE_MAX})


class ChatPosted(Answer):
    """The message as stored, and gtm's reply to it."""

    message: str = Field(validation_alias="text")
    reply: str
    run_id: IdText | None = Field(description="The run the message's command started (a regeneration), else null")


class ChatMessage(Answer):
    """A message of the chat, with gtm's reply."""

    author: str
    text: str
    reply: str
    created_at: Timestamp
    run_id: IdText | None = Field(description="The run its command started, or its latest retry")


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
    """Send a message to the campaign's chat; a command in it is carried out, and the reply says how it went."""
    message = chat.post_message(workspace(), campaign_id, user().id, user().email, body.message)
    return answer(ChatPosted.model_validate(message), 201)


@bp.get("/campaigns/<int:campaign_id>/chat")
@documented({200: ChatHistory}, query=PageQuery)
def chat_history(campaign_id: int, query: PageQuery):
    """Return the campaign's newest chat messages (or those before ?before=), oldest first."""
    return answer(ChatHistory.of(chat.conversation(workspace(), campaign_id, query.before, query.limit)))
