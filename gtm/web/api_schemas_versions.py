"""The JSON API's shapes for the strategy's history: one version as it was, and two versions compared."""
from pydantic import BaseModel, Field

from .api_fields import Body, VersionNumber
from .api_schemas_strategy import Edge, Nodes


class VersionNodes(Nodes):
    """Version n's posts by phase and the edges among them, as it was; read-only."""

    is_current: bool


class CompareQuery(Body):
    """The two versions to compare."""

    a: VersionNumber = Field(None, description="The version compared from")
    b: VersionNumber = Field(None, description="The version compared to")


class PostPair(BaseModel):
    from_: str = Field(alias="from", description="The post of version `a` (id)")
    to: str = Field(description="The post of version `b` that replaced it (id)")


class PostChanges(BaseModel):
    added: list[str] = Field(description="Posts only in `b` (ids), changed ones left out")
    removed: list[str] = Field(description="Posts only in `a` (ids), changed ones left out")
    kept: list[str] = Field(description="Posts in both (ids)")
    changed: list[PostPair] = Field(description="A post of `a` replaced in `b` by one of the same phase with the "
                                    "same key, or else the most alike title")


class EdgeChanges(BaseModel):
    added: list[Edge]
    removed: list[Edge]


class PhaseChanges(BaseModel):
    added: list[int]
    removed: list[int]
    changed: list[int] = Field(description="Phases in both whose name or goal differ")


class Comparison(BaseModel):
    """What changed from version `a` to version `b`."""

    a: int
    b: int
    posts: PostChanges
    edges: EdgeChanges
    phases: PhaseChanges
    summary: str = Field(description="The result in one line, as the compare page says it")
