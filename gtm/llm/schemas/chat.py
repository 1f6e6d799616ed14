"""Output schema of a chat answer: the answer's text, and at most one suggested action.

The action's shape is checked here; whether it fits the campaign (a phase in range, a post of the current
version, texts within their limits) is checked by gtm.services.chat before it is shown as a button.
"""
from typing import Literal

from pydantic import Field

from ._base import Strict


class RegenerateAction(Strict):
    """Regenerate the strategy from phase N in a new direction."""

    kind: Literal["regenerate"]
    phase: int = Field(description="The phase to regenerate from, a phase of the current version")
    direction: str = Field(description="Where the strategy should go from that phase, as an instruction")


class RewriteVariantAction(Strict):
    """Rewrite variant A or B of one post with feedback."""

    kind: Literal["rewrite_variant"]
    post_id: int = Field(description="The id of a post of the current version")
    variant: Literal["A", "B"]
    feedback: str = Field(description="What the new version of the variant should change")


class FollowUpAction(Strict):
    """Add a follow-up post after one or more posts of one phase."""

    kind: Literal["follow_up"]
    after: list[int] = Field(description="Ids of posts of one phase of the current version")
    instruction: str = Field(description="What the follow-up post should do")


class ChatAnswer(Strict):
    answer: str = Field(description="The answer to the question, in two to four plain sentences")
    action: RegenerateAction | RewriteVariantAction | FollowUpAction | None = Field(
        description="One next step the answer suggests, or null when none follows from it")
