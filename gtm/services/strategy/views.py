"""What the strategy pages show: the board, the graph, a post with its variants, and the versions."""
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import Campaign, Comment, Member, Phase, Post, Run, StrategyVersion, User, Variant
from .. import campaigns, comments, graph, media, paging, runs
from ..errors import NotFound
from .context import channel_names
from .lookups import (
    Column,
    UNFINISHED_POSTS, active_posts, children, edges_among, get_post, latest_pipeline, latest_post_run, parents,
    phase_of, phases, variant_subject,
)
from .posts import reconcile_posts, sync_post
from .review import SUBMITTABLE, submitted_by_self
from .variants import VARIANT_FEEDBACK_MAX, VARIANT_LABELS, check_label


@dataclass
class Board:
    """What the strategy board shows: the active posts by phase, and the latest pipeline run."""

    campaign: Campaign
    version: int | None
    columns: list[Column]
    parents: dict[int, list[Post]]
    edges: list[tuple[int, int]]
    run: Run | None
    live: list[str] = field(default_factory=list)
    current: StrategyVersion | None = None

    @property
    def phase_count(self) -> int:
        return len(self.columns)

    @property
    def posts(self) -> list[Post]:
        return [post for column in self.columns for post in column.posts]

    @property
    def planning(self) -> bool:
        return bool(self.run and not self.run.finished and not self.run.params.get("planned"))

    @property
    def busy(self) -> bool:
        """True while something on the board can still change by itself: then, and only then, it polls."""
        return bool(self.run and not self.run.finished) or any(p.status in UNFINISHED_POSTS for p in self.posts)

    def count(self, status: str) -> int:
        return sum(post.status == status for post in self.posts)

    @property
    def approved(self) -> int:
        return sum(post.approved for post in self.posts)

    def drafts(self, phase: int | None = None) -> int:
        """Written posts that can be submitted for review (drafts, or sent back for changes), of one phase or all."""
        return sum(post.status == "ready" and post.review in SUBMITTABLE and phase in (None, post.phase)
                   for post in self.posts)


def board(workspace_id: int, campaign_id: int) -> Board:
    """Return the board, with unfinished runs reconciled with the queue."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    run = latest_pipeline(campaign_id)
    if run is not None and not run.finished:
        run = runs.reconcile(run)
    posts = active_posts(campaign_id)
    if any(post.status in UNFINISHED_POSTS for post in posts):
        # A dead worker must not leave a post "writing", whether its run is the pipeline's or a retry's.
        reconcile_posts(campaign_id)
        posts = active_posts(campaign_id)
    by_phase: dict[int, list[Post]] = {}
    for post in posts:
        by_phase.setdefault(post.phase, []).append(post)
    columns = [Column(phase, by_phase.get(phase.number, [])) for phase in phases(campaign_id, campaign.current_version)]
    ids = {post.id: post for post in posts}
    edges = edges_among(list(ids))
    linked: dict[int, list[Post]] = {}
    for source, target in edges:
        linked.setdefault(target, []).append(ids[source])
    live = runs.live_lines(run) if run is not None and not run.finished and not run.params.get("planned") else []
    return Board(campaign, campaign.current_version, columns, linked, edges, run, live,
                 current_version_row(campaign_id, campaign.current_version))


def current_version_row(campaign_id: int, number: int | None) -> StrategyVersion | None:
    if number is None:
        return None
    return db.session.scalar(select(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id,
                                                           StrategyVersion.number == number))


def archived_in(post: Post) -> int | None:
    """Return the version that left an archived post out: the first one after the last version it belongs to."""
    if post.is_active:
        return None
    last = db.session.scalar(select(func.max(Member.version)).where(Member.post_id == post.id)) or post.version
    return db.session.scalar(select(func.min(StrategyVersion.number)).where(
        StrategyVersion.campaign_id == post.campaign_id, StrategyVersion.number > last))


@dataclass
class Drawing:
    campaign: Campaign
    svg: graph.Drawing
    mermaid: str
    version: int | None
    # The active posts by phase, for the follow-up form's list (read from posts only, never from runs).
    columns: list[Column] = field(default_factory=list)


def graph_drawing(workspace_id: int, campaign_id: int) -> Drawing:
    """Return the graph of the active posts, laid out for SVG and as Mermaid text."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    posts = active_posts(campaign_id)
    shown = phases(campaign_id, campaign.current_version)
    edges = edges_among([post.id for post in posts])
    names = channel_names()
    columns = [Column(phase, [post for post in posts if post.phase == phase.number]) for phase in shown]
    return Drawing(campaign, graph.layout(shown, posts, edges, names), graph.mermaid(shown, posts, edges, names),
                   campaign.current_version, columns)


@dataclass
class VariantView:
    """One variant of a post: the version shown, how many there are, and the numbers of its neighbours."""

    label: str
    count: int
    shown: Variant | None
    run: Run | None
    post: Post
    previous: int | None = None
    next: int | None = None

    @property
    def busy(self) -> bool:
        return bool(self.run and not self.run.finished)


def variant_view(workspace_id: int, campaign_id: int, post_id: int, label: str, number: int | None = None) -> VariantView:
    """Return the version of one variant to show (`number`, else the current one), how many versions it has and
    the numbers of the versions either side, with its latest run; the other versions are not read."""
    post = get_post(workspace_id, campaign_id, post_id)
    label = check_label(label)
    # The run before the versions: a run read as finished has its version (saved before it finished)
    # in the read below, so a view that stops polling never misses the version it was waiting for.
    run = runs.latest(campaign_id, "variant", variant_subject(post.id, label))
    if run is not None and not run.finished:
        run = runs.reconcile(run)
    mine = (Variant.post_id == post.id, Variant.label == label)
    shown = db.session.scalar(select(Variant).where(*mine, Variant.number == number)) if number else None
    shown = shown or db.session.scalar(select(Variant).where(*mine).order_by(Variant.is_current.desc(),
                                                                             Variant.number.desc()).limit(1))
    if shown is None:
        return VariantView(label, 0, None, run, post)
    count, previous, following = db.session.execute(select(
        func.count(), func.max(case((Variant.number < shown.number, Variant.number))),
        func.min(case((Variant.number > shown.number, Variant.number)))).where(*mine)).one()
    return VariantView(label, count, shown, run, post, previous, following)


def variant_versions(workspace_id: int, campaign_id: int, post_id: int, label: str) -> list[Variant]:
    """Return every version of one variant of a post, oldest first."""
    post = get_post(workspace_id, campaign_id, post_id)
    return list(db.session.scalars(select(Variant).where(Variant.post_id == post.id, Variant.label == check_label(label))
                                   .order_by(Variant.number)))


@dataclass
class PostView:
    post: Post
    phase: Phase | None
    parents: list[Post]
    children: list[Post]
    variants: list[VariantView]
    run: Run | None
    archived_in: int | None = None
    campaign_name: str = ""
    # Who submitted the post for review and who reviewed it last (their emails), its comments, and the comment
    # that asked for changes while the post waits for them.
    submitter: str | None = None
    reviewer: str | None = None
    thread: comments.Thread | None = None
    change_request: Comment | None = None
    # Whether the person looking submitted the post and so may not review it (they would be refused).
    own_submission: bool = False

    @property
    def busy(self) -> bool:
        return self.post.status in UNFINISHED_POSTS or any(v.busy for v in self.variants)

    @property
    def archived(self) -> bool:
        return not self.post.is_active

    @property
    def change_request_fits(self) -> bool:
        """Whether the comment that asked for changes fits a variant's feedback, to rewrite a variant with it."""
        return self.change_request is not None and len(self.change_request.body) <= VARIANT_FEEDBACK_MAX


def post_view(workspace_id: int, campaign_id: int, post_id: int, numbers: dict[str, int | None] | None = None,
              viewer_id: int | None = None) -> PostView:
    """Return a post with its phase, neighbours, variants A and B and its latest run, as `viewer_id` sees it."""
    post = get_post(workspace_id, campaign_id, post_id)
    numbers = numbers or {}
    run = latest_post_run(post)
    if run is not None and not run.finished:
        sync_post(post, runs.reconcile(run))
        db.session.refresh(post)
    variants = [variant_view(workspace_id, campaign_id, post.id, label, numbers.get(label)) for label in VARIANT_LABELS]
    thread = comments.thread(workspace_id, campaign_id, "post", post.id)
    return PostView(post, phase_of(post), parents(post.id), children(post.id), variants, run, archived_in(post),
                    db.session.get(Campaign, campaign_id).name, submitter=_email(post.submitted_by_id),
                    reviewer=_email(post.reviewed_by_id), thread=thread, change_request=_change_request(post, thread),
                    own_submission=submitted_by_self(workspace_id, post, viewer_id))


def _email(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.email if user is not None else None


def _change_request(post: Post, thread) -> Comment | None:
    """The reviewer's comment that asked for the changes the post waits for."""
    if post.review != "changes_requested" or post.reviewed_at is None:
        return None
    found = [c for c in thread.comments if c.author_id == post.reviewed_by_id and c.deleted_at is None
             and c.created_at >= post.reviewed_at]
    return found[0] if found else None


def media_file(workspace_id: int, variant_id: int):
    """Return the image file of a variant in the workspace, or raise NotFound."""
    variant = db.session.get(Variant, variant_id)
    campaign = db.session.get(Campaign, variant.post.campaign_id) if variant is not None else None
    if campaign is None or campaign.workspace_id != workspace_id or not variant.media_path:
        raise NotFound("No such image.")
    # Resolved inside the owner's folder only, whatever the row holds.
    found = media.path(campaign.workspace_id, variant.media_path)
    if found is None:
        raise NotFound("No such image.")
    return found


@dataclass
class VersionList:
    """A page of the campaign's strategy versions, newest first, with how many posts belong to each."""

    current_version: int | None
    versions: paging.Page[StrategyVersion]
    post_counts: dict[int, int]


def version_list(workspace_id: int, campaign_id: int, before=None, limit=None) -> VersionList:
    """Return a page of the campaign's strategy versions, newest first: those before the cursor `before`."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    before, size = paging.cursor(before), paging.limit(limit)
    rows = db.session.scalars(paging.keyset(select(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id),
                                            StrategyVersion.number, before, size)).all()
    found = paging.page_of(rows, size, before, lambda version: version.number)
    numbers = [version.number for version in found]
    counts = dict(db.session.execute(select(Member.version, func.count()).where(
        Member.campaign_id == campaign_id, Member.version.in_(numbers)).group_by(Member.version)).all()) \
        if numbers else {}
    return VersionList(campaign.current_version, found, counts)


@dataclass(frozen=True)
class VersionCount:
    """How many strategy versions a campaign has, and the newest one's number (0 before the first plan)."""

    campaign: Campaign
    count: int
    latest: int


def version_count(workspace_id: int, campaign_id: int) -> VersionCount:
    """Count the campaign's strategy versions in one aggregate, whatever their number."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    count, latest = db.session.execute(select(func.count(), func.max(StrategyVersion.number)).where(
        StrategyVersion.campaign_id == campaign_id)).one()
    return VersionCount(campaign, count or 0, latest or 0)
