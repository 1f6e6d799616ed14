"""The strategy's history: the timeline of versions, any version read-only, and what restoring one would change."""
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from ...extensions import db
from ...models import Campaign, Member, Phase, Post, Run, StrategyVersion, User
from .. import campaigns, graph, runs
from .context import channel_names
from .lookups import current_variant, edges_among, member_posts, phases
from .regenerate import BUSY
from .restore import get_version


def members_of(campaign_id: int) -> dict[int, set[int]]:
    """Return every version's member post ids, by version number."""
    found: dict[int, set[int]] = {}
    for number, post_id in db.session.execute(select(Member.version, Member.post_id)
                                              .where(Member.campaign_id == campaign_id)):
        found.setdefault(number, set()).add(post_id)
    return found


@dataclass
class Entry:
    """One version on the timeline, with what it did to the posts of the version before it."""

    version: StrategyVersion
    author: str
    posts: int
    kept: int
    new: int
    back: int
    archived: int
    approved: int
    tokens: int
    is_current: bool


@dataclass
class Timeline:
    campaign: Campaign
    current_version: int | None
    entries: list[Entry]


def _authors(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


def _tokens(run_ids: set[int]) -> dict[int, int]:
    """Return each run's tokens with its child runs' (the posts a plan or a regeneration wrote)."""
    if not run_ids:
        return {}
    found = {run_id: 0 for run_id in run_ids}
    rows = db.session.execute(select(Run.id, Run.parent_id, Run.tokens_in + Run.tokens_out).where(
        or_(Run.id.in_(run_ids), Run.parent_id.in_(run_ids))))
    for run_id, parent_id, tokens in rows:
        owner = run_id if run_id in found else parent_id
        found[owner] += tokens or 0
    return found


def timeline(workspace_id: int, campaign_id: int) -> Timeline:
    """Return every strategy version, newest first, with what each kept, added and archived."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    versions = list(db.session.scalars(select(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id)
                                       .order_by(StrategyVersion.number.desc())))
    members = members_of(campaign_id)
    everyone = set().union(*members.values()) if members else set()
    created = dict(db.session.execute(select(Post.id, Post.version).where(Post.id.in_(everyone))).all()) \
        if everyone else {}
    approved = set(db.session.scalars(select(Post.id).where(Post.id.in_(everyone), Post.approved.is_(True)))) \
        if everyone else set()
    authors = _authors({v.author_id for v in versions if v.author_id})
    tokens = _tokens({v.run_id for v in versions if v.run_id})
    entries = []
    for version in versions:
        mine = members.get(version.number, set())
        # Each version became current when it was made, so the one before it by number is what it changed.
        before = members.get(version.number - 1, set())
        new = {post_id for post_id in mine if created.get(post_id) == version.number}
        entries.append(Entry(
            version=version, author=authors.get(version.author_id, "API" if version.author_id is None else "unknown"),
            posts=len(mine), kept=len(mine & before), new=len(new), back=len(mine - before - new),
            archived=len(before - mine), approved=len(mine & approved), tokens=tokens.get(version.run_id, 0),
            is_current=version.number == campaign.current_version))
    return Timeline(campaign, campaign.current_version, entries)


@dataclass
class Column:
    phase: Phase
    posts: list[Post]


@dataclass
class VersionView:
    """One version as it was: its phases, its members (with their current headlines) and its edges."""

    campaign: Campaign
    version: StrategyVersion
    is_current: bool
    columns: list[Column]
    edges: list[tuple[int, int]]
    headlines: dict[int, str]
    svg: graph.Drawing
    parents: dict[int, list[Post]] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def posts(self) -> list[Post]:
        return [post for column in self.columns for post in column.posts]

    @property
    def approved(self) -> int:
        return sum(post.approved for post in self.posts)


def version_view(workspace_id: int, campaign_id: int, number) -> VersionView:
    """Return version `number` read-only: its members only, its phases and the edges among its members."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    version = get_version(campaign_id, number)
    posts = member_posts(campaign_id, version.number)
    shown = phases(campaign_id, version.number)
    by_phase: dict[int, list[Post]] = {}
    for post in posts:
        by_phase.setdefault(post.phase, []).append(post)
    edges = edges_among([post.id for post in posts])
    ids = {post.id: post for post in posts}
    linked: dict[int, list[Post]] = {}
    for source, target in edges:
        linked.setdefault(target, []).append(ids[source])
    headlines = {}
    for post in posts:
        variant = current_variant(post.id, "A")
        headlines[post.id] = variant.headline if variant is not None else ""
    return VersionView(campaign, version, version.number == campaign.current_version,
                       [Column(phase, by_phase.get(phase.number, [])) for phase in shown], edges, headlines,
                       graph.layout(shown, posts, edges, channel_names()), linked)


@dataclass
class RestorePreview:
    """What restoring a version would change in the current strategy, before anyone confirms it."""

    target: StrategyVersion
    current_version: int | None
    next_number: int
    back: list[Post]
    archived: list[Post]
    kept: int
    busy: bool
    problem: str | None = None


def restore_preview(workspace_id: int, campaign_id: int, number) -> RestorePreview:
    """Return the posts a restore of `number` brings back and archives; nothing changes and no model is called."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    target = get_version(campaign_id, number)
    wanted = {post.id: post for post in member_posts(campaign_id, target.number)}
    current = {post.id: post for post in member_posts(campaign_id, campaign.current_version)} \
        if campaign.current_version else {}
    last = db.session.scalar(select(func.max(StrategyVersion.number))
                             .where(StrategyVersion.campaign_id == campaign_id)) or 0
    problem = None
    if target.number == campaign.current_version:
        problem = f"Version {target.number} is the current version; there is nothing to restore."
    elif set(wanted) == set(current):
        problem = (f"The current version {campaign.current_version} already holds exactly the posts of version "
                   f"{target.number}; there is nothing to restore.")
    # Plans, regenerations and restores share one slot, so asking for any of them asks for all.
    busy = runs.in_flight(campaign_id, "restore") is not None
    return RestorePreview(target, campaign.current_version, last + 1,
                          [post for post_id, post in wanted.items() if post_id not in current],
                          [post for post_id, post in current.items() if post_id not in wanted],
                          len(set(wanted) & set(current)), busy, problem or (BUSY if busy else None))
