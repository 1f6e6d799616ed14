"""What the step cards show: each step's current and displayed version, its latest run and its state."""
from dataclasses import dataclass, field

from sqlalchemy import select

from ...extensions import db
from ...models import STEP_KINDS, Campaign, Run, StepVersion
from .. import campaigns, comments, runs
from ..errors import Conflict
from . import versions
from .specs import SPECS, StepSpec, blocked_reason, spec_for, stale_because

# What a step version made before the campaign's fields last changed is stale because of.
CAMPAIGN_DETAILS = "the campaign's details (edited since)"


def _stale(kind: str, context: dict | None, numbers: dict[str, int], made, details_changed) -> list[str]:
    """Name what a version was built on that has changed since: earlier steps, and the campaign's fields."""
    return stale_because(kind, context, numbers) + (
        [CAMPAIGN_DETAILS] if details_changed is not None and made < details_changed else [])


@dataclass
class StepCard:
    """What a step card shows: the spec, the version on display, the current one and the latest run."""

    spec: StepSpec
    current: StepVersion | None
    count: int
    run: Run | None
    blocked: str | None = None
    stale_because: list[str] = field(default_factory=list)
    live: list[str] = field(default_factory=list)
    shown: StepVersion | None = None
    # The comments on the version on display.
    thread: comments.Thread | None = None

    def __post_init__(self):
        if self.shown is None:
            self.shown = self.current

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def number(self) -> int:
        return STEP_KINDS.index(self.spec.kind) + 1

    @property
    def busy(self) -> bool:
        return bool(self.run and not self.run.finished)

    @property
    def failed_run(self) -> Run | None:
        return self.run if self.run and self.run.status == "failed" else None

    @property
    def older(self) -> bool:
        """True while an older version is on display instead of the current one."""
        return bool(self.shown and self.current and self.shown.number != self.current.number)

    @property
    def previous_number(self) -> int | None:
        return self.shown.number - 1 if self.shown and self.shown.number > 1 else None

    @property
    def next_number(self) -> int | None:
        return self.shown.number + 1 if self.shown and self.shown.number < self.count else None


def overview(workspace_id: int, campaign_id: int) -> list[StepCard]:
    """Return the five step cards of a campaign, in order."""
    campaigns.get_campaign(workspace_id, campaign_id)
    return [step_card(workspace_id, campaign_id, kind) for kind in STEP_KINDS]


def step_card(workspace_id: int, campaign_id: int, kind: str, number: int | None = None) -> StepCard:
    """Return one step card, its run reconciled with the queue; `number` puts that version on display."""
    spec = spec_for(kind)
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    # The run before the versions: a job saves its version and finishes its run in one transaction,
    # so a run read as finished has its version in the reads below. The other way round, a job that
    # finished between the reads gave a card that was done (no more polling) without its version.
    run = runs.latest(campaign_id, "step", kind)
    if run is not None:
        run = runs.reconcile(run)
    numbers = versions.current_numbers(campaign_id)
    current = versions.current(campaign_id, kind)
    shown = versions.version_or_404(campaign_id, spec, number) if number is not None else current
    live = runs.live_lines(run) if run is not None and not run.finished else []
    stale = _stale(kind, current.context_versions, numbers, current.created_at,
                   campaign.details_changed_at) if current else []
    thread = comments.thread(workspace_id, campaign_id, "step_version", shown.id) if shown is not None else None
    return StepCard(spec, current, versions.count(campaign_id, kind), run, blocked_reason(spec, numbers), stale,
                    live, shown, thread)


def revisable_card(workspace_id: int, campaign_id: int, kind: str) -> StepCard:
    """Return a step card whose current version can be revised, or raise Conflict saying why not."""
    step = step_card(workspace_id, campaign_id, kind)
    if step.current is None:
        raise Conflict(f"There is no {step.spec.title.lower()} to revise yet; generate it first.")
    return step


def status_summary(campaign_id: int) -> dict[str, dict]:
    """Return each step's current version number and staleness, for the campaign JSON."""
    return status_summaries([campaign_id])[campaign_id]


def status_summaries(campaign_ids: list[int]) -> dict[int, dict[str, dict]]:
    """Return `status_summary` of each campaign, read in one query whatever the number of campaigns."""
    current: dict[int, dict[str, tuple]] = {campaign_id: {} for campaign_id in campaign_ids}
    changed: dict[int, object] = {}
    if campaign_ids:
        changed = dict(db.session.execute(select(Campaign.id, Campaign.details_changed_at)
                                          .where(Campaign.id.in_(campaign_ids))).all())
        for campaign_id, kind, number, context, made in db.session.execute(
                select(StepVersion.campaign_id, StepVersion.kind, StepVersion.number, StepVersion.context_versions,
                       StepVersion.created_at)
                .where(StepVersion.campaign_id.in_(campaign_ids), StepVersion.is_current.is_(True))):
            current[campaign_id][kind] = (number, context, made)
    found = {}
    for campaign_id, versions_of in current.items():
        numbers = {kind: number for kind, (number, _, _) in versions_of.items()}
        found[campaign_id] = {kind: {
            "current_version": numbers.get(kind),
            "stale": bool(kind in versions_of and _stale(kind, versions_of[kind][1], numbers, versions_of[kind][2],
                                                         changed.get(campaign_id))),
            "available": SPECS[kind].enabled,
        } for kind in STEP_KINDS}
    return found
