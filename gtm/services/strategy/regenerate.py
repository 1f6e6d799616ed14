"""Regenerating the strategy from phase N with a new direction, and its impact preview.

A regeneration is one pipeline run (kind `regenerate`) that shares the campaign's one slot for
strategy changes with plans and restores. Its job asks the model first: nothing changes until
the answer is valid on the combined graph (gtm.services.graph.regeneration_problems), with one
repair. Then one transaction makes the new version: the posts of phases 1..N-1 stay members
(same rows, variants, approvals), the posts of phases N and later are archived, and the new
posts, their edges and the campaign's current version are saved with one child run per new post.
Only the new posts are written; kept posts cost no model calls.
"""
import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ... import jobnames, llm
from ...extensions import db
from ...llm import schemas
from ...models import Campaign, Phase, Post, Run, StrategyVersion
from .. import activity, campaigns, graph, results, runs, webhooks
from ..errors import Conflict, Invalid, NotFound, clean_text
from ..numbering import next_number
from .context import regenerate_prompt
from .lookups import member_posts, phases
from .plan import DIRECTION_MAX, add_planned
from .posts import POST_LLM_CALLS

log = logging.getLogger(__name__)

BUSY = "A strategy change (a plan, a regeneration or a restore) is in flight for this campaign; wait for it to finish."
NO_STRATEGY = "This campaign has no strategy to regenerate yet; plan one first."
# Without the answer, the number of new posts is a guess: as many as are replaced, or one phase's worth.
EXTENSION_POSTS_ESTIMATE = 3
IMAGES_PER_POST = 2
REGENERATE_PHASES_MAX = graph.REGENERATE_PHASES_MAX


def check_phase_num(value, phase_count: int | None = None) -> int:
    """Return the phase to regenerate from, or raise Invalid naming `phase_num`."""
    if value is None or value == "":
        raise Invalid({"phase_num": "Say which phase to regenerate from (a number)."})
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid({"phase_num": "The phase must be a whole number, such as 2."})
    if phase_count is not None and not 1 <= value <= phase_count + 1:
        raise Invalid({"phase_num": f"The phase must be from 1 to {phase_count + 1}: one of the {phase_count} "
                                    f"phases, or {phase_count + 1} to add phases after the last one."})
    return value


def clean_new_direction(value) -> str:
    """Return the direction of a regeneration, or raise Invalid naming `new_direction`."""
    if value is None:
        raise Invalid({"new_direction": "Say where the strategy should go from here (the new direction)."})
    return clean_text(value, "new_direction", "The direction", DIRECTION_MAX,
                      empty="Say where the strategy should go from here (the new direction).")


@dataclass
class Split:
    """The current version's posts on either side of phase N."""

    campaign: Campaign
    phase_num: int
    phases: list[Phase]
    kept: list[Post]
    archived: list[Post]

    @property
    def extends(self) -> bool:
        return self.phase_num == len(self.phases) + 1


def _split(campaign: Campaign, phase_num) -> Split:
    phase_num = check_phase_num(phase_num)
    if campaign.current_version is None:
        raise Conflict(NO_STRATEGY)
    current = phases(campaign.id, campaign.current_version)
    check_phase_num(phase_num, len(current))
    posts = member_posts(campaign.id, campaign.current_version)
    return Split(campaign, phase_num, current, [p for p in posts if p.phase < phase_num],
                 [p for p in posts if p.phase >= phase_num])


@dataclass
class Preview:
    """What a regeneration from phase N would keep, archive and cost, before anyone confirms it."""

    split: Split
    version: int
    busy: bool

    @property
    def kept_by_phase(self) -> list[tuple[Phase, list[Post]]]:
        return [(phase, [p for p in self.split.kept if p.phase == phase.number])
                for phase in self.split.phases if phase.number < self.split.phase_num]

    @property
    def approved_archived(self) -> list[Post]:
        return [p for p in self.split.archived if p.approved]

    @property
    def new_posts_estimate(self) -> int:
        return len(self.split.archived) or EXTENSION_POSTS_ESTIMATE

    @property
    def calls_estimate(self) -> int:
        """Model calls for text: one plan, and one per new post (both its variants)."""
        return 1 + self.new_posts_estimate

    @property
    def images_estimate(self) -> int:
        return IMAGES_PER_POST * self.new_posts_estimate


def regeneration_preview(workspace_id: int, campaign_id: int, phase_num) -> Preview:
    """Return what regenerating from `phase_num` would keep and archive; nothing changes."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    split = _split(campaign, phase_num)
    version = next_number(StrategyVersion.number, StrategyVersion.campaign_id == campaign.id)
    return Preview(split, version, runs.in_flight(campaign.id, "regenerate") is not None)


def regenerate(workspace_id: int, campaign_id: int, phase_num, direction, author_id: int | None = None,
               alert_id=None) -> Run:
    """Check the request and enqueue a regeneration from `phase_num`; the run knows the version it will create.

    Started from an alert (`alert_id`, one of this campaign's), the run remembers it, so its prompt carries
    the results that prompted the change, and the alert records the run."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    alert = results.get_alert(workspace_id, campaign_id, alert_id) if alert_id not in (None, "") else None
    check_phase_num(phase_num)
    direction = clean_new_direction(direction)
    _split(campaign, phase_num)
    run = runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="regenerate",
                      params={"phase_num": phase_num, "direction": direction, "unit": "post", "author_id": author_id,
                              **({"alert_id": alert.id} if alert else {})},
                      total=1, busy_message=BUSY)
    # The slot is ours now, so no other change can save a version until this run ends. A change saved
    # between the checks above and taking the slot (a restore, say) is read here, so the run builds on
    # what is current and names the number it will really make.
    db.session.refresh(campaign)
    try:
        split = _split(campaign, phase_num)
    except (Invalid, Conflict):
        runs.fail(run.id, "The strategy changed while this was asked, so nothing was started.")
        raise
    run.params = {**run.params, "based_on": campaign.current_version,
                  "version": next_number(StrategyVersion.number, StrategyVersion.campaign_id == campaign_id)}
    run.message = f"Waiting for a worker to plan version {run.params['version']} from phase {split.phase_num}…"
    runs.enqueue(run, jobnames.REGENERATE_STRATEGY, llm_calls=1)
    if alert is not None:
        results.mark_alert_acted(alert.id, run.id)
    log.info("run %s: regenerate campaign %s from phase %s as version %s", run.id, campaign_id, split.phase_num,
             run.params["version"])
    return run


def retry_regeneration(workspace_id: int, campaign_id: int, run_id: int, author_id: int | None = None) -> Run:
    """Start a failed regeneration again, with the same phase and direction (and the alert it came from)."""
    run = runs.get(workspace_id, run_id)
    if run.campaign_id != campaign_id or run.kind != "regenerate":
        raise NotFound("No such regeneration.")
    if run.status != "failed" or run.params.get("planned"):
        raise Conflict("Only a regeneration that failed before saving its version can be started again.")
    return regenerate(workspace_id, campaign_id, run.params["phase_num"], run.params["direction"], author_id,
                      alert_id=run.params.get("alert_id"))


def execute_regenerate(run_id: int, live: llm.Live) -> None:
    """Plan the new phases for a regeneration run, swap them in and enqueue their posts (safe to call twice)."""
    run = runs.start(run_id)
    if run is None:
        return
    if not run.params.get("planned"):
        campaign = db.session.get(Campaign, run.campaign_id)
        if campaign.current_version != run.params["based_on"]:
            raise Conflict(f"The strategy changed since this was asked (version {campaign.current_version} is current "
                           "now), so nothing was changed. Start the regeneration again from the current version.")
        runs.progress(run_id, "Reading the campaign, its analysis and the kept posts…", done=0, total=1)
        split = _split(campaign, run.params["phase_num"])
        prompt = regenerate_prompt(campaign, split.phase_num, run.params["direction"], split.kept, split.archived,
                                   split.phases, evidence=results.prompt_evidence(run.params.get("alert_id")))
        channels = list(campaign.channels or [])
        kept = {post.key: post.phase for post in split.kept}
        from_phase = split.phase_num
        runs.progress(run_id, f"Planning phase {from_phase} onwards…")
        # Nothing holds a database connection while the model thinks.
        db.session.remove()

        result = llm.generate(prompt, schemas.StrategyRegeneration, live=live,
                              check=lambda value: graph.regeneration_problems(value, channels, kept, from_phase))

        runs.progress(run_id, "Saving the new version…")
        _swap(run_id, result)
    runs.enqueue_children(run_id, jobnames.WRITE_POST, POST_LLM_CALLS)


def _swap(run_id: int, result: llm.Result) -> None:
    """Save the new version, its members, the archive, the new posts and edges, in one transaction."""
    try:
        _write_version(run_id, result)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        number = db.session.get(Run, run_id).params.get("version")
        raise Conflict(f"Version {number} could not be saved (another change took its number), so nothing was "
                       "changed. Start the regeneration again.") from exc


def _write_version(run_id: int, result: llm.Result) -> None:
    value: schemas.StrategyRegeneration = result.value
    run = db.session.get(Run, run_id)
    campaign = db.session.get(Campaign, run.campaign_id)
    number, from_phase, old = run.params["version"], run.params["phase_num"], campaign.current_version
    split = _split(campaign, from_phase)
    version = StrategyVersion(campaign_id=campaign.id, number=number, origin="regenerate", from_phase=from_phase,
                              direction=run.params["direction"], based_on=old, run_id=run_id,
                              author_id=run.params.get("author_id"))
    db.session.add(version)
    for phase in split.phases:
        if phase.number < from_phase:
            db.session.add(Phase(campaign_id=campaign.id, version=number, number=phase.number, name=phase.name,
                                 goal=phase.goal))
    kept_ids = [post.id for post in split.kept]
    db.session.execute(update(Post).where(Post.campaign_id == campaign.id, Post.is_active.is_(True),
                                          Post.id.not_in(kept_ids)).values(is_active=False))
    campaign.current_version = number
    new = add_planned(run, number, value, split.kept,
                      {post.key: post for post in split.kept if post.phase == from_phase - 1}, carried_from=old)
    runs.record_usage(run, result)
    activity.record(run.workspace_id, "strategy_regenerated", f"Regenerated the strategy from phase {from_phase}: "
                    f"{activity.quote(run.params['direction'])} (version {number})", campaign_id=campaign.id,
                    subject=("strategy_version", number), link=activity.version_path(campaign.id, number))
    webhooks.emit(run.workspace_id, "strategy.version_created", campaign.id, version)
    log.info("run %s: version %s of campaign %s from phase %s keeps %d posts, archives %d, adds %d", run_id,
             number, campaign.id, from_phase, len(kept_ids), len(split.archived), len(new))
