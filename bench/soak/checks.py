"""The checks after the soak: nothing stuck, nothing made twice, every campaign complete, no 500."""
import collections

from sqlalchemy import func, select

from gtm.extensions import db
from gtm.models import STEP_KINDS, Campaign, Post, Run, StepVersion, StrategyVersion, Variant
from gtm.models.run import UNFINISHED

from .model import PLAN_SIZES, REGENERATE_SIZES


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


class Checks:
    """Part of Soak: each broken rule is a breach in the report."""

    def check(self) -> None:
        """Breaches: a run unfinished, anything made twice, an incomplete campaign, a 500."""
        client = self.api()
        db.session.remove()
        for run_id in db.session.scalars(select(Run.id).where(Run.status.in_(UNFINISHED))).all():
            client.api("GET", f"/api/runs/{run_id}")  # reading a run reconciles it with RQ
        db.session.remove()
        stuck = db.session.scalars(select(Run).where(Run.status.in_(UNFINISHED))).all()
        for run in stuck:
            self.report.breach(f"run {run.id} ({run.kind}) is still {run.status}: {run.message}")
        self._check_duplicates()
        self._check_complete()
        for error in self.statuses.server_errors:
            if not error.startswith("503 "):
                self.report.breach(f"answered {error}")
        runs_by = collections.Counter((kind, status) for kind, status in db.session.execute(
            select(Run.kind, Run.status)).all())
        self.report.counts = {
            "runs": sum(runs_by.values()),
            "runs by kind and status": dict(sorted(runs_by.items())),
            "strategy versions": _count(StrategyVersion),
            "step versions": _count(StepVersion),
            "posts": _count(Post),
            "variants": _count(Variant),
            "runs whose job RQ ran again after its worker died": _count(Run, Run.attempts > 1),
        }

    def _check_duplicates(self) -> None:
        db.session.remove()
        twice = [
            ("strategy versions saved twice by one run", select(StrategyVersion.run_id).where(
                StrategyVersion.run_id.is_not(None)).group_by(StrategyVersion.run_id).having(func.count() > 1)),
            ("step versions saved twice by one run", select(StepVersion.run_id).where(
                StepVersion.run_id.is_not(None)).group_by(StepVersion.run_id).having(func.count() > 1)),
            ("posts made twice in one version", select(Post.campaign_id, Post.version, Post.key).group_by(
                Post.campaign_id, Post.version, Post.key).having(func.count() > 1)),
            # Nothing in the soak asks for a new variant, so each post has exactly one A and one B.
            ("variants written twice", select(Variant.post_id, Variant.label).group_by(
                Variant.post_id, Variant.label).having(func.count() > 1)),
            ("variants saved twice by one run", select(Variant.run_id, Variant.label).group_by(
                Variant.run_id, Variant.label).having(func.count() > 1)),
        ]
        for what, query in twice:
            found = db.session.execute(query).all()
            if found:
                self.report.breach(f"{len(found)} {what}: {[tuple(row) for row in found[:5]]}")

    def _check_complete(self) -> None:
        db.session.remove()
        expected_posts = sum(REGENERATE_SIZES) + PLAN_SIZES[0]
        for campaign in db.session.scalars(select(Campaign).order_by(Campaign.id)).all():
            steps = db.session.scalar(select(func.count()).select_from(StepVersion).where(
                StepVersion.campaign_id == campaign.id, StepVersion.is_current.is_(True)))
            current = db.session.scalar(select(StrategyVersion).where(
                StrategyVersion.campaign_id == campaign.id, StrategyVersion.number == campaign.current_version))
            posts = db.session.scalars(select(Post).where(Post.campaign_id == campaign.id,
                                                          Post.is_active.is_(True))).all()
            variants = db.session.scalars(select(Variant).where(
                Variant.post_id.in_([post.id for post in posts]), Variant.is_current.is_(True))).all()
            problems = []
            if steps != len(STEP_KINDS):
                problems.append(f"{steps} of {len(STEP_KINDS)} steps")
            if current is None or current.origin != "regenerate":
                problems.append(f"current version is {current.origin if current else 'missing'}")
            if len(posts) != expected_posts or any(post.status != "ready" for post in posts):
                problems.append(f"posts {collections.Counter(post.status for post in posts)}")
            if len(variants) != 2 * len(posts) or any(not variant.media_path for variant in variants):
                problems.append(f"{len(variants)} current variants, "
                                f"{sum(not variant.media_path for variant in variants)} without an image")
            if problems:
                self.report.breach(f"campaign {campaign.id} ({campaign.name}) is incomplete: {'; '.join(problems)}")
