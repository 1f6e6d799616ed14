"""The campaign's chat on the strategy board: what a person wrote and what gtm replied."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._base import created_at


class ChatMessage(db.Model):
    # The chat is read newest first a page at a time: from this index, not sorted.
    __table_args__ = (Index("ix_chat_message_campaign_id_id", "campaign_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The author's name as it was when they wrote, so the history reads the same later.
    author: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text, default="")
    # The run a command started, whose outcome the reply shows once it ends.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
    # "command" (a message the chat runs) or "question" (answered by a model call in the background run).
    kind: Mapped[str] = mapped_column(String(10), default="command", server_default="command")
    # The action an answer suggests, checked by gtm before it is shown as a button, e.g.
    # {"kind": "regenerate", "phase": 2, "direction": "..."}; None when there is none.
    action: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at()
