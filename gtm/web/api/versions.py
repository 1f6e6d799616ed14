"""The API's strategy history: the versions, one version as it was, two versions compared, and a restore."""
from typing import Annotated, Literal

from pydantic import AliasPath, BeforeValidator, Field, model_validator

from ...services import strategy
from .answers import Answer, Attributes, Cursor, IdText, OrNull, Timestamp, answer, next_field
from .blueprint import bp, user, workspace
from .fields import Body, PageQuery, VersionNumber
from .parsing import documented
from .strategy import Edge, Nodes


class StrategyVersion(Answer):
    number: int
    origin: Literal["plan", "regenerate", "restore", "follow-up"] = Field(
        description="plan, regenerate (from phase `from_phase`), restore (of version `based_on`) or follow-up (one "
                    "post added after the posts `after_post_ids`, with the instruction as `direction`)")
    direction: OrNull
    from_phase: int | None
    based_on: int | None
    after_post_ids: list[IdText] | None = Field(description="A follow-up's picked posts (the new post follows each "
                                                "of them); null for other origins")
    posts: int
    is_current: bool
    run_id: IdText | None
    created_at: Timestamp


class StrategyVersions(Answer):
    """A page of the strategy's versions, newest first."""

    current_version: int | None
    versions: list[StrategyVersion]
    next: Cursor = next_field("older versions")

    @classmethod
    def of(cls, found: strategy.VersionList) -> "StrategyVersions":
        current = found.current_version
        return cls(current_version=current, next=found.versions.next, versions=[
            Attributes(version, posts=found.post_counts.get(version.number, 0), is_current=version.number == current)
            for version in found.versions])


class VersionNodes(Nodes):
    """Version n's posts by phase and the edges among them, as it was; read-only."""

    version: int | None = Field(validation_alias="number")
    is_current: bool


class CompareQuery(Body):
    """The two versions to compare."""

    a: VersionNumber = Field(None, description="The version compared from")
    b: VersionNumber = Field(None, description="The version compared to")


# A post, answered as its id.
PostId = Annotated[str, BeforeValidator(lambda post: str(post.id))]


class PostPair(Answer):
    from_: IdText = Field(validation_alias=AliasPath("old", "id"), serialization_alias="from",
                          description="The post of version `a` (id)")
    to: IdText = Field(validation_alias=AliasPath("new", "id"),
                       description="The post of version `b` that replaced it (id)")


class PostChanges(Answer):
    added: list[PostId] = Field(description="Posts only in `b` (ids), changed ones left out")
    removed: list[PostId] = Field(description="Posts only in `a` (ids), changed ones left out")
    kept: list[PostId] = Field(description="Posts in both (ids)")
    changed: list[PostPair] = Field(description="A post of `a` replaced in `b` by one of the same phase with the "
                                    "same key, or else the most alike title")


class EdgeChanges(Answer):
    added: list[Edge] = Field(validation_alias="edges_added")
    removed: list[Edge] = Field(validation_alias="edges_removed")


class PhaseChanges(Answer):
    added: list[int] = Field(validation_alias="phases_added")
    removed: list[int] = Field(validation_alias="phases_removed")
    changed: list[int] = Field(validation_alias="phases_changed",
                               description="Phases in both whose name or goal differ")


class Comparison(Answer):
    """What changed from version `a` to version `b`."""

    a: int = Field(validation_alias=AliasPath("a", "number"))
    b: int = Field(validation_alias=AliasPath("b", "number"))
    posts: PostChanges
    edges: EdgeChanges
    phases: PhaseChanges
    summary: str = Field(description="The result in one line, as the compare page says it")

    @model_validator(mode="before")
    @classmethod
    def _parts(cls, found):
        # The comparison holds the changes of posts, edges and phases side by side; each part reads its own.
        return Attributes(found, posts=found, edges=found, phases=found)


class Restored(Answer):
    """The new version that made an earlier one's posts current again."""

    version: int = Field(validation_alias="number")
    restored: int = Field(validation_alias="based_on", description="The version whose posts are current again")


@bp.get("/campaigns/<int:campaign_id>/versions")
@documented({200: StrategyVersions}, query=PageQuery)
def strategy_versions(campaign_id: int, query: PageQuery):
    """List the strategy's versions, newest first, a page at a time (?before=&limit=)."""
    return answer(StrategyVersions.of(strategy.version_list(workspace(), campaign_id, query.before, query.limit)))


@bp.get("/campaigns/<int:campaign_id>/versions/<int:number>")
@documented({200: VersionNodes})
def strategy_version(campaign_id: int, number: int):
    """Return version n as it was: its posts by phase and the edges among them."""
    return answer(VersionNodes.model_validate(strategy.version_view(workspace(), campaign_id, number)))


@bp.get("/campaigns/<int:campaign_id>/compare")
@documented({200: Comparison}, query=CompareQuery)
def compare_versions(campaign_id: int, query: CompareQuery):
    """Compare two strategy versions (?a=&b=): posts added, removed, kept and changed, edges and phases."""
    return answer(Comparison.model_validate(strategy.compare_versions(workspace(), campaign_id, query.a, query.b)))


@bp.post("/campaigns/<int:campaign_id>/versions/<int:number>/restore")
@documented({201: Restored}, errors=(409,))
def restore_version(campaign_id: int, number: int):
    """Make an earlier version's posts current again, as a new version; no model calls."""
    restored = strategy.restore_version(workspace(), campaign_id, number, author_id=user().id)
    return answer(Restored.model_validate(restored), 201)
