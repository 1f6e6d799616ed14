"""The strategy's history: the timeline of versions, any version read-only, and what restoring one would change."""
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from ...extensions import db
from ...models import Campaign, Member, Post, Run, StrategyVersion, User, Variant
from .. import campaigns, graph, paging, runs
from .context import channel_names
from .lookups import Column, edges_among, member_posts, phases
from .regenerate import BUSY
from .restore import get_version


def members_of(campaign_id: int, numbers) -> dict[int, set[int]]:
    """Return the member post ids of the versions numbered `numbers`, by version number."""
    found: dict[int, set[int]] = {}
    if not numbers:
        return found
    for number, post_id in db.session.execute(select(Member.version, Member.post_id).where(
            Member.campaign_id == campaign_id, Member.version.in_(sorted(numbers)))):
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
    entries: paging.Page[Entry]
    latest: int = 0


# The versions page shows this many at a time.
VERSIONS_SHOWN = 20


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


def timeline(workspace_id: int, campaign_id: int, before=None, limit=VERSIONS_SHOWN) -> Timeline:
    """Return a page of the strategy versions, newest first (those before the cursor `before`), with what each
    kept, added and archived."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    before, size = paging.cursor(before), paging.limit(limit)
    rows = db.session.scalars(paging.keyset(select(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id),
                                            StrategyVersion.number, before, size)).all()
    versions = paging.page_of(rows, size, before, lambda version: version.number)
    numbers = {version.number for version in versions}
    # Each version with the one before it: what a version changed is read against its predecessor.
    members = members_of(campaign_id, numbers | {number - 1 for number in numbers})
    everyone = set().union(*members.values()) if members else set()
    created, approved = {}, set()
    if everyone:
        for post_id, version, is_approved in db.session.execute(
                select(Post.id, Post.version, Post.approved).where(Post.id.in_(everyone))):
            created[post_id] = version
            if is_approved:
                approved.add(post_id)
    authors = _authors({v.author_id for v in versions if v.author_id})
    tokens = _tokens({v.run_id for v in versions if v.run_id})
    entries = []
    for version in versions:
        mine = members.get(version.number, set())
        # Each version became current when it was made, so the one before it by number is what it changed.
        before_it = members.get(version.number - 1, set())
        new = {post_id for post_id in mine if created.get(post_id) == version.number}
        entries.append(Entry(
            version=version, author=authors.get(version.author_id, "API" if version.author_id is None else "unknown"),
            posts=len(mine), kept=len(mine & before_it), new=len(new), back=len(mine - before_it - new),
            archived=len(before_it - mine), approved=len(mine & approved), tokens=tokens.get(version.run_id, 0),
            is_current=version.number == campaign.current_version))
    latest = db.session.scalar(select(func.max(StrategyVersion.number))
                               .where(StrategyVersion.campaign_id == campaign_id)) or 0
    return Timeline(campaign, campaign.current_version, paging.Page(entries, versions.next, before), latest)


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
    headlines = dict.fromkeys(ids, "")
    if ids:
        headlines.update(db.session.execute(select(Variant.post_id, Variant.headline).where(
            Variant.post_id.in_(list(ids)), Variant.label == "A", Variant.is_current.is_(True))).all())
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
