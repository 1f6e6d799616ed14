"""Output schemas of the strategy: the plan (phases, posts, edges) and a post's A/B variants.

Counts, keys, channels and the graph rules are not expressed here but checked in code
(gtm.services.graph), so a broken plan gets a repair request that names each problem.
"""
from pydantic import ConfigDict, Field

from ._base import Strict


def _no_default(schema: dict) -> None:
    # Strict structured outputs permit no "default": the model is told the field is required.
    schema.pop("default", None)


class PlannedPost(Strict):
    key: str = Field(description="Short unique id such as p2-b; edges refer to it")
    title: str
    channel: str = Field(description="One of the campaign's channels")
    # Sent to the model as required, like every field; an answer without it (an older export's plan,
    # a test's) still reads, as a post without an angle.
    angle: str = Field("", description="How the post makes its point, in a few words (customer story, ROI "
                       "numbers, how-to); different from the other posts of its phase", json_schema_extra=_no_default)
    brief: str = Field(description="What this post says and why, in two or three sentences")
    day: int = Field(description="Days after the campaign starts")


class PlannedPhase(Strict):
    number: int
    name: str
    goal: str
    posts: list[PlannedPost]


class PlannedEdge(Strict):
    # The JSON says "from" and "to", like the API's edges; both are Python keywords.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_key: str = Field(alias="from", description="Key of a post in phase k")
    to_key: str = Field(alias="to", description="Key of a post in phase k+1")


class StrategyPlan(Strict):
    phases: list[PlannedPhase]
    edges: list[PlannedEdge]


class VariantContent(Strict):
    headline: str
    body: str
    call_to_action: str
    hashtags: list[str]
    image_prompt: str = Field(description="A description of the image that goes with the post")


class PostContent(Strict):
    a: VariantContent
    b: VariantContent


class StrategyRegeneration(StrategyPlan):
    """The new phases of a regeneration from phase N: phases N and later, and their edges.

    Edges may start from the kept posts of phase N-1 (by their keys); they never point into a kept phase.
    """


class FollowUpPost(Strict):
    """One new post that follows chosen posts of the strategy; the phase it goes in is decided by the app."""

    title: str
    channel: str = Field(description="One of the campaign's channels")
    angle: str = Field("", description="How the post makes its point, in a few words; not the angle of a post "
                       "it follows", json_schema_extra=_no_default)
    brief: str = Field(description="What this post says and why, in two or three sentences")
    day: int = Field(description="Days after the campaign starts; not before the latest post it follows")
    phase_name: str = Field(description="The new phase's short name when the post opens a new phase; else empty")
    phase_goal: str = Field(description="The new phase's goal when the post opens a new phase; else empty")
