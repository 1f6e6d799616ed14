"""The API's strategy: plan it, read its posts by phase, approve them, and regenerate it from a phase (with a
preview of what that would keep, archive and cost)."""
from typing import Annotated, Any, Literal

from pydantic import AliasPath, BeforeValidator, ConfigDict, Field, model_validator

from ...ids import number_or_text, whole
from ...models.strategy import POST_STATUSES, REVIEW_STATES
from ...services import strategy
from ...services.campaigns import CHANNELS
from ...services.errors import NotFound
from ...services.strategy import DIRECTION_MAX
from .answers import Answer, IdText, OrNull, answer
from .blueprint import bp, user, workspace
from .errors import invalid
from .fields import Body, passed_on
from .parsing import documented
from .runs import RunAccepted


class PlanStrategy(Body):
    """Plan the strategy, optionally leaning on a direction."""

    direction: str | None = Field(None, description="What the plan should lean on",
                                  json_schema_extra={"maxLength": DIRECTION_MAX})


class RegenerateStrategy(Body):
    """Regenerate a campaign's strategy from phase N with a new direction."""

    model_config = ConfigDict(strict=True, extra="ignore",
                              json_schema_extra={"required": ["campaign_id", "phase_num", "new_direction"]})

    campaign_id: Any = passed_on({"type": "string", "description": "The campaign's id"})
    phase_num: Any = passed_on({"type": "integer", "minimum": 1, "description": "Regenerate from this phase; one "
                                 "past the last phase adds phases after it"})
    new_direction: Any = passed_on({"type": "string", "minLength": 1, "maxLength": DIRECTION_MAX,
                                     "description": "Where the strategy should go from that phase"})
    alert_id: Any = passed_on({"type": "string", "description": "The alert whose suggestion this follows (one of the "
                                "campaign's): the model also sees its evidence, and the alert records the run"})


class PreviewQuery(Body):
    """The phase a regeneration would start from."""

    phase_num: Any = passed_on({"type": "integer", "minimum": 1})


class Post(Answer):
    """A post of the strategy graph."""

    id: IdText
    key: str
    title: str
    channel: Literal[tuple(CHANNELS)]
    angle: str = Field(description="How the post makes its point (customer story, how-to…), as the plan gave it; "
                       "the other posts of its phase take other angles")
    brief: str
    day: int = Field(ge=0, description="Days after the launch")
    status: Literal[POST_STATUSES]
    approved: bool
    approval_note: OrNull = Field(description="Why the approval was taken away (a variant changed after it was "
                                  "approved), until the post is approved again")
    review: Literal[REVIEW_STATES] = Field(description="draft, in_review (submitted for review), approved or "
                                           "changes_requested; `approved` is true exactly when this is approved")
    version: int = Field(description="The strategy version that created it")
    is_active: bool = Field(description="In the campaign's current strategy version; false once a later version "
                            "left it out (archived, read-only)")


class Phase(Answer):
    # A column of the board: a phase and its posts.
    number: int = Field(validation_alias=AliasPath("phase", "number"))
    name: str = Field(validation_alias=AliasPath("phase", "name"))
    goal: str = Field(validation_alias=AliasPath("phase", "goal"))
    posts: list[Post]


class Edge(Answer):
    from_: IdText = Field(alias="from", description="Post id")
    to: IdText = Field(description="Post id")

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, edge):
        # The services give an edge as the pair (from post id, to post id).
        return {"from": edge[0], "to": edge[1]} if isinstance(edge, tuple) else edge


class Nodes(Answer):
    """The active posts by phase, and the edges between them."""

    version: int | None
    phases: list[Phase] = Field(validation_alias="columns")
    edges: list[Edge]


class Approved(Answer):
    """How many posts are approved now."""

    approved: int = Field(description="Active posts approved now")


class RegenerateAccepted(RunAccepted):
    """The regeneration was queued; `version` is the number the new version will have."""

    version: int = Field(validation_alias=AliasPath("params", "version"))


class RegeneratePreview(Answer):
    """What a regeneration from `phase_num` would keep, archive and cost; nothing is deleted."""

    phase_num: int = Field(validation_alias=AliasPath("split", "phase_num"))
    version: int = Field(description="The number the new version would have")
    kept: list[Post] = Field(validation_alias=AliasPath("split", "kept"),
                             description="Posts of the phases before `phase_num`: kept as they are")
    archived: list[Post] = Field(validation_alias=AliasPath("split", "archived"),
                                 description="Posts of `phase_num` and later: archived, never deleted")
    approved_archived: Annotated[int, BeforeValidator(len)] = Field(
        description="How many of the archived posts are approved")
    calls_estimate: int = Field(description="Model calls for text: one plan and one per new post (estimated)")
    images_estimate: int = Field(description="Images for the new posts' variants (estimated)")
    busy: bool = Field(description="True while another strategy change is in flight (a request would get 409)")


@bp.post("/campaigns/<int:campaign_id>/strategy")
@documented({202: RunAccepted}, body=PlanStrategy, optional=True, errors=(409, 503))
def plan_strategy(campaign_id: int, body: PlanStrategy):
    """Plan the campaign's strategy, then write every post, in one pipeline run."""
    run = strategy.plan(workspace(), campaign_id, direction=body.direction, author_id=user().id)
    return answer(RunAccepted.model_validate(run), 202)


@bp.get("/campaigns/<int:campaign_id>/nodes")
@documented({200: Nodes})
def strategy_nodes(campaign_id: int):
    """Return the active posts by phase, and the edges between them."""
    return answer(Nodes.model_validate(strategy.board(workspace(), campaign_id)))


@bp.post("/campaigns/<int:campaign_id>/approve-all")
@documented({200: Approved})
def approve_all_posts(campaign_id: int):
    """Approve every written post of the current strategy version."""
    return answer(Approved(approved=strategy.approve_all_posts(workspace(), campaign_id, actor_id=user().id)))


@bp.post("/agents/regenerate-strategy/")
@documented({202: RegenerateAccepted}, body=RegenerateStrategy, errors=(404, 409, 503))
def regenerate_strategy(body: RegenerateStrategy):
    """Regenerate a campaign's strategy from phase N with a new direction; earlier phases are kept."""
    run = strategy.regenerate(workspace(), _campaign_id(body.campaign_id), body.phase_num, body.new_direction,
                              author_id=user().id, alert_id=body.alert_id)
    return answer(RegenerateAccepted.model_validate(run), 202)


def _campaign_id(value) -> int:
    """Read a campaign id given as text (or a number); anything else names no campaign."""
    if value is None:
        raise invalid({"campaign_id": "This field is required."})
    found = whole(value)
    if found is None:
        raise NotFound("No such campaign.")
    return found


@bp.get("/campaigns/<int:campaign_id>/regenerate-preview")
@documented({200: RegeneratePreview}, query=PreviewQuery, errors=(409,))
def regenerate_preview(campaign_id: int, query: PreviewQuery):
    """Say what a regeneration from phase N would keep, archive and cost; nothing changes."""
    return answer(RegeneratePreview.model_validate(
        strategy.regeneration_preview(workspace(), campaign_id, number_or_text(query.phase_num))))
