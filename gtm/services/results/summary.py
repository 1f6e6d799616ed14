"""Results out: totals per phase, post and variant, the daily series, each version's posts, and A/B results.

Everything is read with a few grouped queries, whatever the number of metric rows: sums per post
and variant, and sums per day (per phase of the current version, for the charts).
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ...extensions import db
from ...models import Campaign, Member, Metric, Phase, Post, StrategyVersion, Variant
from .. import campaigns, paging
from ..errors import NotFound
from .stats import ABResult, ab_result
from .totals import Totals

DAILY_MAX = 120
# The results page shows this many strategy versions' numbers at a time, newest first.
VERSIONS_SHOWN = 10
WINNERS_MAX = 3
WINNER_HEADLINE_CHARS = 120
WINNER_ANGLE_CHARS = 200


def _sums(*group, where, last: int | None = None) -> list:
    """Sum the rows per `group`, in its order; with `last`, only the last ones, read as such by the database."""
    query = select(*group, func.sum(Metric.impressions), func.sum(Metric.clicks), func.sum(Metric.conversions),
                   func.sum(Metric.spend)).where(*where).group_by(*group)
    if last is None:
        return list(db.session.execute(query.order_by(*group)))
    return list(db.session.execute(query.order_by(*(column.desc() for column in group)).limit(last)))[::-1]


def _totals(row, start: int) -> Totals:
    impressions, clicks, conversions, spend = row[start:start + 4]
    return Totals(int(impressions or 0), int(clicks or 0), int(conversions or 0), Decimal(str(spend or 0)))


def by_post_and_variant(campaign_id: int, post_ids: list[int] | None = None) -> dict[int, dict[str, Totals]]:
    """Sum every post's rows per variant: {post_id: {"A": Totals, "B": Totals}}."""
    where = [Metric.campaign_id == campaign_id]
    if post_ids is not None:
        where.append(Metric.post_id.in_(post_ids))
    found: dict[int, dict[str, Totals]] = {}
    for row in _sums(Metric.post_id, Metric.variant, where=where):
        found.setdefault(row[0], {"A": Totals(), "B": Totals()})[row[1]] = _totals(row, 2)
    return found


def daily(campaign_id: int, post_ids: list[int] | None = None) -> list[tuple[date, Totals]]:
    """Sum the rows per day, oldest first (at most the last DAILY_MAX days with numbers)."""
    where = [Metric.campaign_id == campaign_id]
    if post_ids is not None:
        if not post_ids:
            return []
        where.append(Metric.post_id.in_(post_ids))
    return [(row[0], _totals(row, 1)) for row in _sums(Metric.day, where=where, last=DAILY_MAX)]


@dataclass
class PostResult:
    post: Post
    variants: dict[str, Totals]
    ab: ABResult

    @property
    def totals(self) -> Totals:
        return Totals.of(self.variants.values())


@dataclass
class PhaseResult:
    number: int
    name: str
    posts: list[PostResult]

    @property
    def totals(self) -> Totals:
        return Totals.of(result.totals for result in self.posts)


@dataclass
class VersionResult:
    number: int
    origin: str
    from_phase: int | None
    direction: str
    is_current: bool
    posts: int
    posts_with_numbers: int
    new_posts: int
    totals: Totals
    new_totals: Totals


@dataclass
class Results:
    campaign: Campaign
    phases: list[PhaseResult]
    archived: list[PostResult]
    daily: list[tuple[date, Totals]]
    phase_daily: dict[int, list[tuple[date, Totals]]]
    versions: paging.Page[VersionResult] = field(default_factory=paging.Page)

    @property
    def totals(self) -> Totals:
        return Totals.of([phase.totals for phase in self.phases] + [result.totals for result in self.archived])

    @property
    def has_numbers(self) -> bool:
        return bool(self.daily)

    @property
    def first_day(self) -> date | None:
        return self.daily[0][0] if self.daily else None

    @property
    def last_day(self) -> date | None:
        return self.daily[-1][0] if self.daily else None


def _post_result(post: Post, sums: dict[int, dict[str, Totals]]) -> PostResult:
    variants = sums.get(post.id, {"A": Totals(), "B": Totals()})
    return PostResult(post, variants, ab_result(variants["A"], variants["B"]))


def current_posts(campaign: Campaign) -> list[Post]:
    if not campaign.current_version:
        return []
    return list(db.session.scalars(select(Post).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign.id, Member.version == campaign.current_version).order_by(Post.phase, Post.id)))


def campaign_results(workspace_id: int, campaign_id: int, before=None, limit=None) -> Results:
    """Return the campaign's results: the current version by phase and post, archived posts with numbers,
    the daily series (all posts, and per current phase), and a page of the strategy versions' posts (the
    newest, or those before the cursor `before`)."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    before, size = paging.cursor(before), paging.limit(limit)
    sums = by_post_and_variant(campaign_id)
    posts = current_posts(campaign)
    phase_rows = list(db.session.scalars(select(Phase).where(
        Phase.campaign_id == campaign_id, Phase.version == campaign.current_version).order_by(Phase.number))) \
        if campaign.current_version else []
    phases = [PhaseResult(phase.number, phase.name,
                          [_post_result(post, sums) for post in posts if post.phase == phase.number])
              for phase in phase_rows]
    current_ids = {post.id for post in posts}
    archived_ids = [post_id for post_id in sums if post_id not in current_ids]
    archived = [_post_result(post, sums) for post in db.session.scalars(
        select(Post).where(Post.id.in_(archived_ids)).order_by(Post.version, Post.phase, Post.id))] \
        if archived_ids else []
    phase_daily = {}
    for phase in phases:
        phase_daily[phase.number] = daily(campaign_id, [result.post.id for result in phase.posts])
    found = Results(campaign, phases, archived, daily(campaign_id), phase_daily)
    found.versions = version_results(campaign, sums, before, size)
    return found


def version_results(campaign: Campaign, sums: dict[int, dict[str, Totals]], before: int | None,
                    size: int) -> paging.Page[VersionResult]:
    """A page of the strategy versions' posts and their numbers, newest first, so a pivot can be judged."""
    versions = paging.page_of(db.session.scalars(paging.keyset(
        select(StrategyVersion).where(StrategyVersion.campaign_id == campaign.id), StrategyVersion.number,
        before, size)).all(), size, before, lambda version: version.number)
    members: dict[int, list[tuple[int, int]]] = {}
    numbers = [version.number for version in versions]
    if numbers:
        for number, post_id, created_in in db.session.execute(
                select(Member.version, Member.post_id, Post.version).join(Post, Post.id == Member.post_id).where(
                    Member.campaign_id == campaign.id, Member.version.in_(numbers))):
            members.setdefault(number, []).append((post_id, created_in))
    found = []
    for version in versions:
        ids = [post_id for post_id, _ in members.get(version.number, [])]
        new = [post_id for post_id, created_in in members.get(version.number, []) if created_in == version.number]
        totals = Totals.of(Totals.of(sums[post_id].values()) for post_id in ids if post_id in sums)
        new_totals = Totals.of(Totals.of(sums[post_id].values()) for post_id in new if post_id in sums)
        found.append(VersionResult(version.number, version.origin, version.from_phase, version.direction,
                                   version.number == campaign.current_version, len(ids),
                                   sum(1 for post_id in ids if post_id in sums), len(new), totals, new_totals))
    return paging.Page(found, versions.next, before)


def post_results(workspace_id: int, campaign_id: int, post_id: int) -> PostResult:
    """Return one post's numbers per variant, its A/B result, and its recorded days (for the post page)."""
    campaigns.get_campaign(workspace_id, campaign_id)
    post = db.session.get(Post, post_id)
    if post is None or post.campaign_id != campaign_id:
        raise NotFound("No such post.")
    return _post_result(post, by_post_and_variant(campaign_id, [post_id]))


def post_days(campaign_id: int, post_id: int, limit: int = 60) -> list[Metric]:
    """The post's recorded rows, newest day first."""
    return list(db.session.scalars(select(Metric).where(Metric.campaign_id == campaign_id, Metric.post_id == post_id)
                                   .order_by(Metric.day.desc(), Metric.variant).limit(limit)))


def ctr_by_post(campaign_id: int, post_ids: list[int]) -> dict[int, float]:
    """CTR in percent of each post that has impressions, for the board's cards (one grouped query)."""
    if not post_ids:
        return {}
    rows = db.session.execute(select(Metric.post_id, func.sum(Metric.impressions), func.sum(Metric.clicks))
                              .where(Metric.campaign_id == campaign_id, Metric.post_id.in_(post_ids))
                              .group_by(Metric.post_id))
    return {post_id: 100 * int(clicks or 0) / int(impressions) for post_id, impressions, clicks in rows
            if impressions}


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _angle(body: str) -> str:
    """The variant's angle: the first sentence of its body."""
    text = " ".join(body.split())
    for end in (". ", "! ", "? "):
        if end in text:
            text = text.split(end, 1)[0] + end.strip()
            break
    return _short(text, WINNER_ANGLE_CHARS)


def winners(campaign_id: int, limit: int = WINNERS_MAX) -> list[dict]:
    """The variants that won their post's A/B test with confidence, most confident first, bounded for prompts:
    at most `limit`, each with its headline and angle shortened."""
    sums = by_post_and_variant(campaign_id)
    decided = []
    for post_id, variants in sums.items():
        ab = ab_result(variants["A"], variants["B"])
        if ab.deciding is not None:
            decided.append((ab.deciding.confidence, variants[ab.winner].impressions, post_id, ab))
    decided.sort(key=lambda item: (-item[0], -item[1], item[2]))
    found = []
    for _, _, post_id, ab in decided[:limit]:
        variant = db.session.scalar(select(Variant).where(Variant.post_id == post_id, Variant.label == ab.winner,
                                                          Variant.is_current.is_(True)))
        post = db.session.get(Post, post_id)
        if variant is None or post is None:
            continue
        found.append({"post": _short(post.title, 90), "channel": post.channel, "variant": ab.winner,
                      "headline": _short(variant.headline, WINNER_HEADLINE_CHARS), "angle": _angle(variant.body),
                      "result": ab.deciding.sentence})
    return found
