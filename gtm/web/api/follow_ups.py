"""The API's follow-up posts: one new post after chosen posts of the current version, as a new strategy version."""
from typing import Any

from pydantic import AliasPath, Field

from ...services import strategy
from .answers import answer
from .blueprint import bp, user, workspace
from .fields import Body, passed_on
from .parsing import documented
from .runs import RunAccepted


class FollowUpInput(Body):
    """The posts to follow up on and what the new post should do."""

    after: Any = passed_on({"type": "array", "minItems": 1, "maxItems": strategy.AFTER_MAX,
                            "items": {"type": "string"},
                            "description": "Ids (text or numbers) of posts of the current version, all of one phase: "
                                           "the new post goes in the next phase (a new one after the last), linked "
                                           "from each of them"})
    instruction: Any = passed_on({"type": "string", "minLength": 1, "maxLength": strategy.INSTRUCTION_MAX,
                                  "description": "What the follow-up post should do"})


class FollowUpAccepted(RunAccepted):
    """The follow-up was queued; `version` is the number the new version will have."""

    version: int = Field(validation_alias=AliasPath("params", "version"))


@bp.post("/campaigns/<int:campaign_id>/follow-ups")
@documented({202: FollowUpAccepted}, body=FollowUpInput, errors=(409, 503))
def add_follow_up(campaign_id: int, body: FollowUpInput):
    """Add one post after chosen posts of the current version: it becomes version n+1 (origin `follow-up`), every
    post is kept, and the new post's variants and images are written. 409 while another strategy change runs."""
    run = strategy.add_follow_up(workspace(), campaign_id, body.after, body.instruction, author_id=user().id)
    return answer(FollowUpAccepted.model_validate(run), 202)
