"""The API's analysis steps (the workflow): generate or revise one, read it with its versions, edit it by hand,
make an older version current, and compare two versions."""
from typing import Annotated, Any, Literal

from pydantic import AliasPath, BeforeValidator, Field, model_validator

from ...models import STEP_KINDS
from ...services import paging, steps
from ...services.steps import STEP_FEEDBACK_MAX
from .answers import Answer, Attributes, Cursor, OrNull, Timestamp, Tokens, answer, next_field, stored
from .blueprint import bp, workspace
from .fields import Body, PageQuery, VersionNumber
from .parsing import documented
from .runs import Run, RunAccepted


class GenerateStep(Body):
    """Generate a step from its inputs, or revise its current version with feedback."""

    feedback: str | None = Field(None, description="Revise the current version with this feedback",
                                 json_schema_extra={"minLength": 1, "maxLength": STEP_FEEDBACK_MAX})
    inputs: dict[str, str | None] | None = Field(None, description="The step form's inputs; the last ones by default")


class EditStep(Body):
    """Hand-edited content for a new version of a step."""

    content: dict[str, Any] = Field(description="The step's structured content, in the shape of its versions' "
                                    "`content` (cost totals are computed again and may be left out)")
    based_on: VersionNumber = Field(None, description="The version edited (digits as text are read too); "
                                    "the current one by default")


class DiffQuery(Body):
    """The two versions to compare."""

    a: VersionNumber = Field(description="The older version")
    b: VersionNumber = Field(description="The newer version")


def _or_empty(value):
    return value or {}


class StepVersion(Answer):
    """One version of a step."""

    number: int
    feedback: OrNull
    based_on: int | None
    edited: bool
    current: bool = Field(validation_alias="is_current")
    provider: OrNull
    model: OrNull
    tokens: Tokens
    context_versions: Annotated[stored(dict[str, int]), BeforeValidator(_or_empty)] = Field(
        description="The version of each earlier step it was built on")
    inputs: Annotated[stored(dict[str, str]), BeforeValidator(_or_empty)]
    content: stored(dict[str, Any]) = Field(description="The step's structured output. For costs, gtm adds line "
                                            "totals, `grand_total`, `budget`, `over_budget` and `over_by`, as "
                                            "decimal strings it computed itself")
    created_at: Timestamp

    @model_validator(mode="before")
    @classmethod
    def _counts(cls, version):
        # The token counts are the version's own columns.
        return Attributes(version, tokens=version)


class Step(Answer):
    """A step with a page of its versions: the newest ones (or those before `before`), oldest first."""

    kind: Literal[tuple(STEP_KINDS)]
    title: str
    current_version: int | None
    stale: bool
    stale_because: list[str] = Field(description="The earlier steps that changed since the current version")
    available: bool
    blocked: str | None = Field(description="Why it cannot be generated yet")
    run: Run | None = Field(description="The latest run")
    versions: list[StepVersion]
    next: Cursor = next_field("older versions")

    @classmethod
    def of(cls, card: steps.StepCard, versions: paging.Page) -> "Step":
        """The step as its card shows it, with a page of its versions."""
        return cls.model_validate(Attributes(
            card, title=card.spec.title, available=card.spec.enabled, stale=bool(card.stale_because),
            current_version=card.current.number if card.current else None, versions=list(versions),
            next=versions.next))


class DiffLine(Answer):
    op: Literal["same", "added", "removed"]
    text: str


class StepDiff(Answer):
    """The differences between two versions of a step, as readable lines."""

    a: int = Field(validation_alias=AliasPath("old", "number"))
    b: int = Field(validation_alias=AliasPath("new", "number"))
    added: int
    removed: int
    lines: list[DiffLine]


def _step(campaign_id: int, kind: str, query: PageQuery | None = None) -> Step:
    before, limit = (query.before, query.limit) if query else (None, None)
    # The card (with its run) before the versions, as the step card reads them.
    card = steps.step_card(workspace(), campaign_id, kind)
    return Step.of(card, steps.list_versions(workspace(), campaign_id, kind, before, limit))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/generate")
@documented({202: RunAccepted}, body=GenerateStep, optional=True, errors=(409, 503))
def generate_step(campaign_id: int, kind: str, body: GenerateStep):
    """Start generating a step, optionally revising it with feedback."""
    run = steps.start_step(workspace(), campaign_id, kind, feedback=body.feedback, inputs=body.inputs)
    return answer(RunAccepted.model_validate(run), 202)


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>")
@documented({200: Step}, query=PageQuery)
def get_step(campaign_id: int, kind: str, query: PageQuery):
    """Return a step with its versions, the newest page of them (?before=&limit=), oldest first."""
    return answer(_step(campaign_id, kind, query))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/versions/<int:number>/make-current")
@documented({200: Step})
def make_step_version_current(campaign_id: int, kind: str, number: int):
    """Make an older version of a step current again; the later steps become stale."""
    steps.make_current(workspace(), campaign_id, kind, number)
    return answer(_step(campaign_id, kind))


@bp.post("/campaigns/<int:campaign_id>/steps/<kind>/versions")
@documented({201: StepVersion}, body=EditStep, errors=(409,))
def create_step_version(campaign_id: int, kind: str, body: EditStep):
    """Save hand-edited content as a new version of a step, marked as edited."""
    version = steps.save_edit(workspace(), campaign_id, kind, body.content, based_on=body.based_on)
    return answer(StepVersion.model_validate(version), 201)


@bp.get("/campaigns/<int:campaign_id>/steps/<kind>/diff")
@documented({200: StepDiff}, query=DiffQuery)
def diff_step_versions(campaign_id: int, kind: str, query: DiffQuery):
    """Compare two versions of a step (?a=&b=) as readable lines."""
    return answer(StepDiff.model_validate(steps.diff_versions(workspace(), campaign_id, kind, query.a, query.b)))
