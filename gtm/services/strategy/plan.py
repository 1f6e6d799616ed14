"""Planning the strategy: check the request, make one planning call, and save the plan as a version.

A plan is one pipeline run (kind `strategy`). Its job makes one planning call, checks the graph
rules (gtm.services.graph) with one repair attempt, and saves the plan as strategy version N in
one transaction, together with one child run (kind `post`) per post. Those child runs are written
in parallel by whatever workers are free; the pipeline's progress is derived from them.
"""
import logging

from sqlalchemy import update

from ... import jobnames, llm
from ...extensions import db
from ...llm import schemas
from ...models import Campaign, Edge, Phase, Post, Run, StrategyVersion
from .. import activity, campaigns, graph, runs, webhooks
from ..errors import Conflict, clean_text
from ..numbering import next_number
from .context import plan_prompt
from .lookups import post_subject
from .members import add_members
from .posts import POST_LLM_CALLS

log = logging.getLogger(__name__)

DIRECTION_MAX = 1000
ANGLE_MAX = 80  # a post's angle is a few words; a longer one is shortened when saved


def clean_direction(direction) -> str:
    """Return the direction for a plan ("" for none), or raise Invalid."""
    if direction is None:
        return ""
    return clean_text(direction, "direction", "The direction", DIRECTION_MAX)


def plan(workspace_id: int, campaign_id: int, direction=None, author_id: int | None = None) -> Run:
    """Check the input and enqueue a pipeline run: plan the strategy, then write every post."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    direction = clean_direction(direction)
    if not campaign.channels:
        raise Conflict("The campaign has no channels; add at least one before planning.")
    return runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="strategy", subject="",
                       params={"direction": direction, "unit": "post", "author_id": author_id}, total=1, job=jobnames.PLAN_STRATEGY, llm_calls=1,
                       busy_message="A strategy is already being planned or written for this campaign; "
                                    "wait for it to finish.")


def execute_plan(run_id: int, live: llm.Live) -> None:
    """Plan the strategy for a pipeline run and enqueue its posts (called by the job; safe to call twice)."""
    run = runs.start(run_id)
    if run is None:
        return
    if not run.params.get("planned"):
        campaign = db.session.get(Campaign, run.campaign_id)
        runs.progress(run_id, "Reading the campaign and its analysis…", done=0, total=1)
        channels = list(campaign.channels or [])
        prompt = plan_prompt(campaign, run.params.get("direction") or "")
        runs.progress(run_id, "Planning phases and posts…")
        # Nothing holds a database connection while the model thinks.
        db.session.remove()

        result = llm.generate(prompt, schemas.StrategyPlan, live=live,
                              check=lambda value: graph.problems(value, channels))

        runs.progress(run_id, "Saving the plan…")
        _save_plan(run_id, result)
    # An earlier attempt of this job may have saved the plan and died before handing every post over.
    runs.enqueue_children(run_id, jobnames.WRITE_POST, POST_LLM_CALLS)


def _save_plan(run_id: int, result: llm.Result) -> None:
    """Save a valid plan as the next strategy version, with a child run per post, in one transaction."""
    value: schemas.StrategyPlan = result.value
    run = db.session.get(Run, run_id)
    campaign = db.session.get(Campaign, run.campaign_id)
    number = next_number(StrategyVersion.number, StrategyVersion.campaign_id == campaign.id)
    version = StrategyVersion(campaign_id=campaign.id, number=number, origin="plan",
                              direction=run.params.get("direction") or "", based_on=campaign.current_version,
                              run_id=run_id, author_id=run.params.get("author_id"))
    db.session.add(version)
    db.session.execute(update(Post).where(Post.campaign_id == campaign.id, Post.is_active.is_(True))
                       .values(is_active=False))
    campaign.current_version = number
    new = add_planned(run, number, value)
    run.params = {**run.params, "version": number}
    runs.record_usage(run, result)
    direction = run.params.get("direction") or ""
    activity.record(run.workspace_id, "strategy_planned", f"Planned the strategy as version {number} with "
                    f"{len(new)} post{'s' if len(new) != 1 else ''}" + (f": {activity.quote(direction)}" if direction
                                                                         else ""),
                    campaign_id=campaign.id, subject=("strategy_version", number),
                    link=activity.version_path(campaign.id, number))
    webhooks.emit(run.workspace_id, "strategy.version_created", campaign.id, version)
    db.session.commit()
    log.info("run %s: saved strategy version %s of campaign %s with %d posts", run_id, number, campaign.id, len(new))


def add_planned(run: Run, number: int, value, kept: list[Post] = (), linked: dict[str, Post] | None = None,
                carried_from: int | None = None) -> list[Post]:
    """Add a planned answer's phases, posts and edges to version `number`, and a child run per new post.

    The version's members are the `kept` posts (with the calendar dates they had in version `carried_from`)
    and the new ones; `linked` names the kept posts that new edges may start from, by key. The caller commits,
    with its other changes, in one transaction.
    """
    campaign_id = run.campaign_id
    by_key: dict[str, Post] = dict(linked or {})
    new: list[Post] = []
    for phase in value.phases:
        db.session.add(Phase(campaign_id=campaign_id, version=number, number=phase.number,
                             name=graph.short(phase.name, 120), goal=phase.goal.strip()))
        for item in phase.posts:
            post = Post(campaign_id=campaign_id, version=number, is_active=True, phase=phase.number,
                        key=item.key.strip(), title=item.title.strip(), channel=item.channel, brief=item.brief.strip(),
                        angle=graph.short(getattr(item, "angle", "") or "", ANGLE_MAX), day=item.day, status="planned")
            db.session.add(post)
            new.append(post)
            by_key[post.key] = post
    db.session.flush()
    for edge in value.edges:
        db.session.add(Edge(campaign_id=campaign_id, from_post_id=by_key[edge.from_key.strip()].id,
                            to_post_id=by_key[edge.to_key.strip()].id))
    add_members(campaign_id, number, [post.id for post in [*kept, *new]], carried_from)
    for post in new:
        runs.add(workspace_id=run.workspace_id, campaign_id=campaign_id, kind="post", subject=post_subject(post.id),
                 params={"post_id": post.id}, total=3, parent_id=run.id)
    run.params = {**run.params, "planned": True}
    run.total, run.done = len(new), 0
    run.message = f"Saved version {number}. Writing post 1 of {len(new)}…"
    return new
