"""Finding a campaign's strategy rows: posts, phases, edges, neighbours, current variants and runs."""
from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...models import Edge, Member, Phase, Post, Run, Variant
from .. import campaigns, runs
from ..errors import Conflict, NotFound

UNFINISHED_POSTS = ("planned", "writing")


@dataclass
class Column:
    """One phase of a strategy version and its member posts, as the board and a version's page lay them out."""

    phase: Phase
    posts: list[Post]


def get_post(workspace_id: int, campaign_id: int, post_id: int) -> Post:
    """Return a post of the workspace's campaign; anything else is simply not found."""
    campaigns.get_campaign(workspace_id, campaign_id)
    post = db.session.get(Post, post_id)
    if post is None or post.campaign_id != campaign_id:
        raise NotFound("No such post.")
    return post


def require_active(post: Post) -> Post:
    """Refuse any change to an archived post: it is kept as it was, read-only, for its versions."""
    if not post.is_active:
        raise Conflict(f"This post belongs to an archived strategy version (v{post.version}); it is read-only. "
                       "Open the current strategy to work on its posts.")
    return post


def active_posts(campaign_id: int) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.campaign_id == campaign_id, Post.is_active.is_(True))
                                   .order_by(Post.phase, Post.id)))


def member_posts(campaign_id: int, version: int) -> list[Post]:
    """Return the posts that belong to a strategy version, by phase."""
    return list(db.session.scalars(select(Post).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign_id, Member.version == version).order_by(Post.phase, Post.id)))


def phases(campaign_id: int, version: int | None) -> list[Phase]:
    if version is None:
        return []
    return list(db.session.scalars(select(Phase).where(Phase.campaign_id == campaign_id, Phase.version == version)
                                   .order_by(Phase.number)))


def phase_of(post: Post) -> Phase | None:
    return db.session.scalar(select(Phase).where(Phase.campaign_id == post.campaign_id, Phase.version == post.version,
                                                 Phase.number == post.phase))


def edges_among(post_ids: list[int]) -> list[tuple[int, int]]:
    """Return the edges whose both ends are among `post_ids`, oldest first."""
    if not post_ids:
        return []
    wanted = set(post_ids)
    return [(a, b) for a, b in db.session.execute(
        select(Edge.from_post_id, Edge.to_post_id).where(Edge.from_post_id.in_(post_ids)).order_by(Edge.id))
        if b in wanted]


def parents(post_id: int) -> list[Post]:
    return list(db.session.scalars(select(Post).join(Edge, Edge.from_post_id == Post.id)
                                   .where(Edge.to_post_id == post_id).order_by(Post.id)))


def children(post_id: int) -> list[Post]:
    return list(db.session.scalars(select(Post).join(Edge, Edge.to_post_id == Post.id)
                                   .where(Edge.from_post_id == post_id).order_by(Post.id)))


def current_variant(post_id: int, label: str) -> Variant | None:
    return db.session.scalar(select(Variant).where(Variant.post_id == post_id, Variant.label == label,
                                                   Variant.is_current.is_(True)))


def post_subject(post_id: int) -> str:
    return f"post:{post_id}"


def variant_subject(post_id: int, label: str) -> str:
    return f"post:{post_id}:{label}"


CHANGE_KINDS = ("strategy", "regenerate", "restore", "follow_up")


def latest_pipeline(campaign_id: int) -> Run | None:
    """Return the newest strategy change: a plan, a regeneration or a restore."""
    return db.session.scalar(select(Run).where(Run.campaign_id == campaign_id, Run.kind.in_(CHANGE_KINDS))
                             .order_by(Run.id.desc()).limit(1))


def latest_post_run(post: Post) -> Run | None:
    return runs.latest(post.campaign_id, "post", post_subject(post.id))
