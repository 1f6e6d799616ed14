"""The campaign strategy: plan it, write every post, revise variants, approve posts.

A plan is one pipeline run (kind `strategy`). Its job makes one planning call, checks the graph
rules (gtm.services.graph) with one repair attempt, and saves the plan as strategy version N in
one transaction, together with one child run (kind `post`) per post. Those child runs are
written in parallel by whatever workers are free. Each post's call carries a bounded context:
the campaign summary, its phase, its own brief and its parents, never the other posts, so the
tokens per call stay flat as a campaign grows. The pipeline run finishes when its last post
does; its progress counts posts, not calls.
"""
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select, update

from .. import llm, queue
from ..extensions import db
from ..llm import schemas
from ..models import STEP_KINDS, Campaign, Edge, Phase, Post, Run, StepVersion, StrategyVersion, Variant
from ..models._base import utcnow
from ..models.run import UNFINISHED
from . import campaigns, graph, media, runs, steps
from .campaigns import CHANNELS
from .errors import Conflict, NotFound, clean_text

log = logging.getLogger(__name__)

DIRECTION_MAX = 1000
FEEDBACK_MAX = 1000
HEADLINE_MAX = 200
HASHTAGS_MAX = 8
# Characters of each analysis step in a prompt: the plan sees more; each post a compact summary.
PLAN_CONTEXT_CHARS = steps.CONTEXT_CHARS_PER_STEP
POST_CONTEXT_CHARS = 500
PIPELINE_JOB = "jobs.strategy.plan_strategy"
POST_JOB = "jobs.strategy.write_post"
VARIANT_JOB = "jobs.strategy.revise_variant"
LABELS = ("A", "B")
UNFINISHED_POSTS = ("planned", "writing")
LOST_GRACE = timedelta(seconds=30)


def channel_names() -> dict[str, str]:
    return {key: name for key, (name, _) in CHANNELS.items()}


def body_limit(channel: str) -> int:
    return CHANNELS.get(channel, ("", 1000))[1]


# -- input -------------------------------------------------------------------------------------

def clean_direction(direction) -> str:
    """Return the direction for a plan ("" for none), or raise Invalid."""
    if direction is None:
        return ""
    return clean_text(direction, "direction", "The direction", DIRECTION_MAX)


def clean_feedback(feedback) -> str:
    return clean_text(feedback, "feedback", "Feedback", FEEDBACK_MAX, empty="Say what should change in this variant.")


def _label(label: str) -> str:
    if label not in LABELS:
        raise NotFound("A post has variants A and B only.")
    return label


# -- lookups -----------------------------------------------------------------------------------

def get_post(workspace_id: int, campaign_id: int, post_id: int) -> Post:
    """Return a post of the workspace's campaign; anything else is simply not found."""
    campaigns.get_campaign(workspace_id, campaign_id)
    post = db.session.get(Post, post_id)
    if post is None or post.campaign_id != campaign_id:
        raise NotFound("No such post.")
    return post


def _active_posts(campaign_id: int) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.campaign_id == campaign_id, Post.is_active.is_(True))
                                   .order_by(Post.phase, Post.id)))


def _phases(campaign_id: int, version: int | None) -> list[Phase]:
    if version is None:
        return []
    return list(db.session.scalars(select(Phase).where(Phase.campaign_id == campaign_id, Phase.version == version)
                                   .order_by(Phase.number)))


def _edges_among(post_ids: list[int]) -> list[tuple[int, int]]:
    if not post_ids:
        return []
    return [(a, b) for a, b in db.session.execute(
        select(Edge.from_post_id, Edge.to_post_id).where(Edge.from_post_id.in_(post_ids)).order_by(Edge.id))]


def _parents(post_id: int) -> list[Post]:
    return list(db.session.scalars(select(Post).join(Edge, Edge.from_post_id == Post.id)
                                   .where(Edge.to_post_id == post_id).order_by(Post.id)))


def _children(post_id: int) -> list[Post]:
    return list(db.session.scalars(select(Post).join(Edge, Edge.to_post_id == Post.id)
                                   .where(Edge.from_post_id == post_id).order_by(Post.id)))


def _current_variant(post_id: int, label: str) -> Variant | None:
    return db.session.scalar(select(Variant).where(Variant.post_id == post_id, Variant.label == label,
                                                   Variant.is_current.is_(True)))


def latest_pipeline(campaign_id: int) -> Run | None:
    return runs.latest(campaign_id, "strategy")


def _post_subject(post_id: int) -> str:
    return f"post:{post_id}"


def _variant_subject(post_id: int, label: str) -> str:
    return f"post:{post_id}:{label}"


# -- context -----------------------------------------------------------------------------------

def analysis_summary(campaign_id: int, limit: int) -> dict[str, str]:
    """Return the current version of each analysis step, compacted to `limit` characters, in step order."""
    rows = db.session.scalars(select(StepVersion).where(StepVersion.campaign_id == campaign_id,
                                                        StepVersion.is_current.is_(True)))
    by_kind = {row.kind: row for row in rows}
    return {kind: steps.compact(by_kind[kind].content, limit) for kind in STEP_KINDS if kind in by_kind}


def _plan_prompt(campaign: Campaign, direction: str) -> llm.Prompt:
    current_plan = ""
    if campaign.current_version:
        lines = []
        for phase in _phases(campaign.id, campaign.current_version):
            titles = [p.title for p in _active_posts(campaign.id) if p.phase == phase.number]
            lines.append(f"Phase {phase.number} {phase.name} ({phase.goal}): {'; '.join(titles)}")
        current_plan = "\n".join(lines)
    return llm.render(
        "plan", campaign=campaigns.as_facts(campaign), context=analysis_summary(campaign.id, PLAN_CONTEXT_CHARS),
        direction=direction, channels=list(campaign.channels or []), current_plan=current_plan,
        current_version=campaign.current_version, phases_min=graph.PHASES_MIN, phases_max=graph.PHASES_MAX,
        posts_min=graph.POSTS_MIN, posts_max=graph.POSTS_MAX, day_max=graph.DAY_MAX,
    )


def post_context(post: Post) -> dict:
    """Return what a post's call may know: the campaign summary, its phase, its brief and its parents."""
    campaign = db.session.get(Campaign, post.campaign_id)
    phase = db.session.scalar(select(Phase).where(Phase.campaign_id == post.campaign_id,
                                                  Phase.version == post.version, Phase.number == post.phase))
    phases_total = db.session.scalar(select(func.count()).select_from(Phase).where(
        Phase.campaign_id == post.campaign_id, Phase.version == post.version)) or post.phase
    return {
        "campaign": campaigns.as_facts(campaign),
        "context": analysis_summary(campaign.id, POST_CONTEXT_CHARS),
        "phase": {"number": post.phase, "name": phase.name if phase else f"Phase {post.phase}",
                  "goal": phase.goal if phase else ""},
        "phases_total": phases_total,
        "post": {"key": post.key, "title": post.title, "channel": post.channel, "brief": post.brief, "day": post.day},
        "channel_name": channel_names().get(post.channel, post.channel),
        "body_limit": body_limit(post.channel),
        "hashtags_max": HASHTAGS_MAX,
        "parents": [{"title": p.title, "brief": p.brief} for p in _parents(post.id)],
    }


def _variant_problems(label: str, value, limit: int) -> list[str]:
    found = []
    if not value.headline.strip() or len(value.headline) > HEADLINE_MAX:
        found.append(f"variant {label}: the headline needs 1 to {HEADLINE_MAX} characters")
    if not value.body.strip():
        found.append(f"variant {label}: the body is empty")
    elif len(value.body) > limit:
        found.append(f"variant {label}: the body has {len(value.body)} characters; this channel allows {limit}")
    if not value.call_to_action.strip():
        found.append(f"variant {label}: the call to action is empty")
    if len(value.hashtags) > HASHTAGS_MAX:
        found.append(f"variant {label}: {len(value.hashtags)} hashtags; use at most {HASHTAGS_MAX}")
    if not value.image_prompt.strip():
        found.append(f"variant {label}: the image prompt is empty")
    return found


def _hashtags(values: list[str]) -> list[str]:
    tags = ["".join(tag.strip().lstrip("#").split()) for tag in values]
    return list(dict.fromkeys(tag for tag in tags if tag))[:HASHTAGS_MAX]


# -- plan --------------------------------------------------------------------------------------

def plan(workspace_id: int, campaign_id: int, direction=None) -> Run:
    """Check the input and enqueue a pipeline run: plan the strategy, then write every post."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    direction = clean_direction(direction)
    if not campaign.channels:
        raise Conflict("The campaign has no channels; add at least one before planning.")
    return runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="strategy", subject="",
                       params={"direction": direction}, total=1, job=PIPELINE_JOB, llm_calls=1,
                       busy_message="A strategy is already being planned or written for this campaign; "
                                    "wait for it to finish.")


def execute_plan(run_id: int, live: llm.Live) -> None:
    """Plan the strategy for a pipeline run and enqueue its posts (called by the job; safe to call twice)."""
    run = runs.start(run_id)
    if run is None:
        return
    if run.params.get("planned"):
        # The plan was saved by an earlier attempt of this job; only the hand-over may be missing.
        _enqueue_children(run_id)
        return
    campaign = db.session.get(Campaign, run.campaign_id)
    runs.progress(run_id, "Reading the campaign and its analysis…", done=0, total=1)
    channels = list(campaign.channels or [])
    prompt = _plan_prompt(campaign, run.params.get("direction") or "")
    runs.progress(run_id, "Planning phases and posts…")
    # Nothing holds a database connection while the model thinks.
    db.session.remove()

    result = llm.generate(prompt, schemas.StrategyPlan, live=live, check=lambda value: graph.problems(value, channels))

    runs.progress(run_id, "Saving the plan…")
    _save_plan(run_id, result)
    _enqueue_children(run_id)


def _save_plan(run_id: int, result: llm.Result) -> None:
    """Save a valid plan as the next strategy version, with a child run per post, in one transaction."""
    value: schemas.StrategyPlan = result.value
    run = db.session.get(Run, run_id)
    campaign = db.session.get(Campaign, run.campaign_id)
    number = (db.session.scalar(select(func.max(StrategyVersion.number)).where(
        StrategyVersion.campaign_id == campaign.id)) or 0) + 1
    db.session.add(StrategyVersion(campaign_id=campaign.id, number=number, origin="plan",
                                   direction=run.params.get("direction") or "", based_on=campaign.current_version,
                                   run_id=run_id))
    db.session.execute(update(Post).where(Post.campaign_id == campaign.id, Post.is_active.is_(True))
                       .values(is_active=False))
    by_key: dict[str, Post] = {}
    for phase in value.phases:
        db.session.add(Phase(campaign_id=campaign.id, version=number, number=phase.number,
                             name=graph.short(phase.name, 120), goal=phase.goal.strip()))
        for item in phase.posts:
            post = Post(campaign_id=campaign.id, version=number, is_active=True, phase=phase.number,
                        key=item.key.strip(), title=item.title.strip(), channel=item.channel, brief=item.brief.strip(),
                        day=item.day, status="planned")
            db.session.add(post)
            by_key[post.key] = post
    db.session.flush()
    for edge in value.edges:
        db.session.add(Edge(campaign_id=campaign.id, from_post_id=by_key[edge.from_key.strip()].id,
                            to_post_id=by_key[edge.to_key.strip()].id))
    campaign.current_version = number
    for post in by_key.values():
        subject = _post_subject(post.id)
        db.session.add(Run(workspace_id=run.workspace_id, campaign_id=campaign.id, kind="post", subject=subject,
                           params={"post_id": post.id}, total=1, parent_id=run_id,
                           active_key=runs.active_key(campaign.id, "post", subject), message="Waiting for a worker…"))
    run.params = {**run.params, "planned": True, "version": number}
    run.total, run.done = len(by_key), 0
    run.message = f"Saved version {number}. Writing post 1 of {len(by_key)}…"
    runs.record_usage(run, result)
    db.session.commit()
    log.info("run %s: saved strategy version %s of campaign %s with %d posts", run_id, number, campaign.id, len(by_key))


def _enqueue_children(run_id: int) -> None:
    """Hand every post of the plan to the queue, in phase order, recording their job ids in one commit.

    The first workers start on the first posts while this loop runs, so it writes to the database once
    rather than once per post.
    """
    children = db.session.scalars(select(Run).where(Run.parent_id == run_id, Run.job_id.is_(None),
                                                    Run.status == "queued").order_by(Run.id)).all()
    timeout = queue.job_timeout(current_app, llm_calls=2)
    refused = []
    for child in children:
        try:
            child.job_id = queue.enqueue(POST_JOB, child.id, timeout=timeout)
        except RedisError as exc:
            log.error("cannot enqueue post run %s: %s", child.id, exc)
            refused.append(child.id)
    db.session.commit()
    for child_id in refused:
        runs.fail(child_id, "Background work was unavailable (Redis did not answer), so this post was not written. "
                            "Retry it.")
        _sync_post(db.session.get(Run, child_id))
    _settle_pipeline_counts(run_id)


# -- posts -------------------------------------------------------------------------------------

def write_post(run_id: int) -> None:
    """Write variants A and B of a post and their media (called by the job; safe to call twice)."""
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        return
    post_id, parent_id = run.params["post_id"], run.parent_id
    post = db.session.get(Post, post_id)
    # One transaction marks both the post and its run: posts start in bursts, and every write waits its turn.
    post.status, post.error = "writing", ""
    run.total = 3
    runs.start(run_id, "Writing variants A and B…")

    if not all(_current_variant(post_id, label) for label in LABELS):
        context = post_context(post)
        limit = context["body_limit"]
        prompt = llm.render("post", **context)
        # Nothing holds a database connection while the model writes.
        db.session.remove()

        result = llm.generate(prompt, schemas.PostContent, check=lambda value: (
            _variant_problems("A", value.a, limit) + _variant_problems("B", value.b, limit)))

        _save_variants(run_id, post_id, result)
    _make_media(post_id)

    run = db.session.get(Run, run_id)
    post = db.session.get(Post, post_id)
    post.status, post.error = "ready", ""
    runs.succeed(run, "Wrote variants A and B")
    db.session.commit()
    _settle_pipeline_counts(parent_id)


def _save_variants(run_id: int, post_id: int, result: llm.Result) -> None:
    run = db.session.get(Run, run_id)
    value: schemas.PostContent = result.value
    for label, content in (("A", value.a), ("B", value.b)):
        if _current_variant(post_id, label) is None:
            _add_variant(post_id, label, content, run_id=run_id)
    run.done = 1
    run.message = "Making the images…"
    runs.record_usage(run, result)
    db.session.commit()


def _add_variant(post_id: int, label: str, content, *, run_id: int, feedback: str = "",
                 based_on: int | None = None) -> Variant:
    number = (db.session.scalar(select(func.max(Variant.number)).where(
        Variant.post_id == post_id, Variant.label == label)) or 0) + 1
    db.session.execute(update(Variant).where(Variant.post_id == post_id, Variant.label == label,
                                             Variant.is_current.is_(True)).values(is_current=False))
    variant = Variant(post_id=post_id, label=label, number=number, is_current=True,
                      headline=content.headline.strip(), body=content.body.strip(),
                      call_to_action=content.call_to_action.strip(), hashtags=_hashtags(content.hashtags),
                      image_prompt=content.image_prompt.strip(), feedback=feedback, based_on=based_on, run_id=run_id)
    db.session.add(variant)
    db.session.flush()
    return variant


def _make_media(post_id: int, label: str | None = None) -> None:
    """Give each current variant without an image its image; writing twice replaces, never adds.

    The caller commits the paths, together with the run's outcome.
    """
    query = select(Variant).where(Variant.post_id == post_id, Variant.is_current.is_(True),
                                  Variant.media_path.is_(None))
    if label:
        query = query.where(Variant.label == label)
    missing = db.session.scalars(query.order_by(Variant.label)).all()
    if not missing:
        return
    workspace_id = db.session.scalar(select(Campaign.workspace_id).join(Post, Post.campaign_id == Campaign.id)
                                     .where(Post.id == post_id))
    wanted = [(v.id, v.image_prompt, v.headline) for v in missing]
    db.session.remove()

    images = media.make_images([(prompt, headline) for _, prompt, headline in wanted])

    stored = {variant_id: media.store(workspace_id, f"variant-{variant_id}.png", data)
              for (variant_id, _, _), data in zip(wanted, images)}
    for variant_id, relative in stored.items():
        db.session.get(Variant, variant_id).media_path = relative


def fail_post(run_id: int, error: Exception) -> None:
    """Record a failed post on its run, on the post and in its pipeline's count."""
    if isinstance(error, llm.LLMError):
        message = str(error)
    else:
        message = (f"An unexpected error stopped this post ({type(error).__name__}: {error}). "
                   "Retry; if it keeps failing, the server log has the details.")
    runs.fail(run_id, message)
    run = db.session.get(Run, run_id)
    if run is not None:
        _sync_post(run)


def _sync_post(run: Run) -> None:
    """Mark a post failed when its (finished, failed) run could not say so itself."""
    if run.status != "failed":
        return
    post = db.session.get(Post, run.params.get("post_id"))
    if post is not None and post.status in UNFINISHED_POSTS:
        post.status, post.error = "failed", run.error or "The post could not be written."
        db.session.commit()
    _settle_pipeline_counts(run.parent_id)


def _settle_pipeline_counts(parent_id: int | None) -> None:
    """Count the pipeline's finished posts; finish it when the last one is."""
    if not parent_id:
        return
    parent = db.session.get(Run, parent_id, populate_existing=True)
    if parent is None or parent.finished or not parent.params.get("planned"):
        return
    statuses = list(db.session.scalars(select(Post.status).where(
        Post.campaign_id == parent.campaign_id, Post.version == parent.params["version"])))
    total = len(statuses)
    done = sum(status not in UNFINISHED_POSTS for status in statuses)
    failed = statuses.count("failed")
    if done < total:
        parent.total, parent.done = total, done
        parent.message = f"Writing post {done + 1} of {total}…"
        db.session.commit()
    elif failed:
        runs.fail(parent_id, f"{failed} of {total} posts could not be written; the others are ready. "
                             "Open the strategy board to see why, and retry them.")
        parent = db.session.get(Run, parent_id)
        parent.total, parent.done = total, done
        db.session.commit()
    else:
        parent.total = total
        runs.succeed(parent, f"Wrote all {total} posts")
        db.session.commit()


def settle_pipeline(run: Run, now: float | None = None) -> Run:
    """Bring a planned pipeline in line with its post runs (whose workers may have died)."""
    children = db.session.scalars(select(Run).where(Run.parent_id == run.id, Run.status.in_(UNFINISHED))).all()
    for child in children:
        _reconcile_post_run(child, now)
    _settle_pipeline_counts(run.id)
    db.session.refresh(run)
    return run


def _reconcile_post_run(child: Run, now: float | None = None) -> None:
    if child.job_id is None and utcnow() - child.created_at > LOST_GRACE:
        runs.fail(child.id, "This post was never handed to a worker (Redis was unavailable). Retry it.")
    else:
        runs.reconcile(child, now)
    if child.finished:
        _sync_post(child)


def retry_post(workspace_id: int, campaign_id: int, post_id: int) -> Run:
    """Write a failed post again, alone."""
    post = get_post(workspace_id, campaign_id, post_id)
    if post.status != "failed":
        raise Conflict(f"Only a failed post can be retried; this one is {post.status}.")
    parent_id = db.session.scalar(select(StrategyVersion.run_id).where(
        StrategyVersion.campaign_id == campaign_id, StrategyVersion.number == post.version))
    post.status, post.error = "planned", ""
    return runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="post", subject=_post_subject(post.id),
                       params={"post_id": post.id}, total=3, job=POST_JOB, llm_calls=2, parent_id=parent_id,
                       busy_message="This post is already being written; wait for it to finish.")


# -- variants ----------------------------------------------------------------------------------

def regenerate_variant(workspace_id: int, campaign_id: int, post_id: int, label: str, feedback) -> Run:
    """Enqueue a new version of one variant, written with the marketer's feedback; the old one is kept."""
    post = get_post(workspace_id, campaign_id, post_id)
    label = _label(label)
    feedback = clean_feedback(feedback)
    current = _current_variant(post.id, label)
    if current is None:
        raise Conflict(f"Variant {label} has not been written yet; wait for the post to be ready.")
    return runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="variant",
                       subject=_variant_subject(post.id, label),
                       params={"post_id": post.id, "label": label, "feedback": feedback, "based_on": current.number},
                       total=3, job=VARIANT_JOB, llm_calls=2,
                       busy_message=f"Variant {label} is already being rewritten; wait for it to finish.")


def execute_variant(run_id: int) -> None:
    """Write the new version of a variant and its image (called by the job; safe to call twice)."""
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        return
    post_id, label = run.params["post_id"], run.params["label"]
    runs.start(run_id, f"Rewriting variant {label}…")
    if db.session.scalar(select(Variant.id).where(Variant.run_id == run_id)) is None:
        post = db.session.get(Post, post_id)
        previous = db.session.scalar(select(Variant).where(Variant.post_id == post_id, Variant.label == label,
                                                           Variant.number == run.params["based_on"]))
        context = post_context(post)
        limit = context["body_limit"]
        prompt = llm.render("variant", **context, label=label, feedback=run.params["feedback"], previous={
            "number": previous.number, "headline": previous.headline, "body": previous.body,
            "call_to_action": previous.call_to_action, "hashtags": previous.hashtags,
            "image_prompt": previous.image_prompt})
        db.session.remove()

        result = llm.generate(prompt, schemas.VariantContent,
                              check=lambda value: _variant_problems(label, value, limit))

        run = db.session.get(Run, run_id)
        variant = _add_variant(post_id, label, result.value, run_id=run_id, feedback=run.params["feedback"],
                               based_on=run.params["based_on"])
        run.done, run.message = 1, "Making the image…"
        runs.record_usage(run, result)
        db.session.commit()
        log.info("run %s: saved variant %s v%s of post %s", run_id, label, variant.number, post_id)
    _make_media(post_id, label)
    run = db.session.get(Run, run_id)
    number = db.session.scalar(select(Variant.number).where(Variant.run_id == run_id))
    runs.succeed(run, f"Saved variant {label} v{number}")
    db.session.commit()


# -- approval ----------------------------------------------------------------------------------

def approve(workspace_id: int, campaign_id: int, post_id: int, approved: bool = True) -> Post:
    """Approve a written post, or take the approval back."""
    post = get_post(workspace_id, campaign_id, post_id)
    if approved and post.status != "ready":
        raise Conflict("Only a written post can be approved; wait until it is ready.")
    if approved and not post.is_active:
        raise Conflict("This post belongs to an older strategy version; approve the current version's posts.")
    post.approved = approved
    post.approved_at = utcnow() if approved else None
    db.session.commit()
    return post


def approve_all(workspace_id: int, campaign_id: int) -> int:
    """Approve every written post of the current version; return how many active posts are approved."""
    campaigns.get_campaign(workspace_id, campaign_id)
    now = utcnow()
    db.session.execute(update(Post).where(Post.campaign_id == campaign_id, Post.is_active.is_(True),
                                          Post.status == "ready", Post.approved.is_(False))
                       .values(approved=True, approved_at=now))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Post).where(
        Post.campaign_id == campaign_id, Post.is_active.is_(True), Post.approved.is_(True))) or 0


# -- views -------------------------------------------------------------------------------------

@dataclass
class Column:
    phase: Phase
    posts: list[Post]


@dataclass
class Board:
    """What the strategy board shows: the active posts by phase, and the latest pipeline run."""

    campaign: Campaign
    version: int | None
    columns: list[Column]
    parents: dict[int, list[Post]]
    run: Run | None
    live: list[str] = field(default_factory=list)

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


def board(workspace_id: int, campaign_id: int) -> Board:
    """Return the board, with unfinished runs reconciled with the queue."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    run = latest_pipeline(campaign_id)
    if run is not None and not run.finished:
        run = runs.reconcile(run)
    posts = _active_posts(campaign_id)
    stuck = [post for post in posts if post.status in UNFINISHED_POSTS]
    if stuck and (run is None or run.finished):
        # Posts retried alone have runs of their own; make sure a dead worker does not leave them "writing".
        for post in stuck:
            child = runs.latest(campaign_id, "post", _post_subject(post.id))
            if child is not None and not child.finished:
                _reconcile_post_run(child)
        posts = _active_posts(campaign_id)
    by_phase: dict[int, list[Post]] = {}
    for post in posts:
        by_phase.setdefault(post.phase, []).append(post)
    columns = [Column(phase, by_phase.get(phase.number, [])) for phase in _phases(campaign_id, campaign.current_version)]
    ids = {post.id: post for post in posts}
    parents: dict[int, list[Post]] = {}
    for source, target in _edges_among(list(ids)):
        if source in ids and target in ids:
            parents.setdefault(target, []).append(ids[source])
    live = runs.live_lines(run) if run is not None and not run.finished and not run.params.get("planned") else []
    return Board(campaign, campaign.current_version, columns, parents, run, live)


@dataclass
class Drawing:
    svg: graph.Drawing
    mermaid: str
    version: int | None


def drawing(workspace_id: int, campaign_id: int) -> Drawing:
    """Return the graph of the active posts, laid out for SVG and as Mermaid text."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    posts = _active_posts(campaign_id)
    phases = _phases(campaign_id, campaign.current_version)
    edges = _edges_among([post.id for post in posts])
    names = channel_names()
    return Drawing(graph.layout(phases, posts, edges, names), graph.mermaid(phases, posts, edges, names),
                   campaign.current_version)


@dataclass
class VariantView:
    label: str
    versions: list[Variant]
    shown: Variant | None
    run: Run | None

    @property
    def busy(self) -> bool:
        return bool(self.run and not self.run.finished)

    @property
    def position(self) -> int:
        return self.versions.index(self.shown) + 1 if self.shown in self.versions else 0

    @property
    def previous(self) -> Variant | None:
        return self.versions[self.position - 2] if self.position > 1 else None

    @property
    def next(self) -> Variant | None:
        return self.versions[self.position] if 0 < self.position < len(self.versions) else None


def variant_view(workspace_id: int, campaign_id: int, post_id: int, label: str, number: int | None = None) -> VariantView:
    """Return every version of one variant, the one to show (the current one by default) and its latest run."""
    post = get_post(workspace_id, campaign_id, post_id)
    label = _label(label)
    versions = list(db.session.scalars(select(Variant).where(Variant.post_id == post.id, Variant.label == label)
                                       .order_by(Variant.number)))
    shown = next((v for v in versions if v.number == number), None) if number else None
    shown = shown or next((v for v in versions if v.is_current), versions[-1] if versions else None)
    run = runs.latest(campaign_id, "variant", _variant_subject(post.id, label))
    if run is not None and not run.finished:
        run = runs.reconcile(run)
    return VariantView(label, versions, shown, run)


@dataclass
class PostView:
    post: Post
    phase: Phase | None
    parents: list[Post]
    children: list[Post]
    variants: list[VariantView]
    run: Run | None

    @property
    def busy(self) -> bool:
        return self.post.status in UNFINISHED_POSTS or any(v.busy for v in self.variants)


def post_view(workspace_id: int, campaign_id: int, post_id: int, numbers: dict[str, int | None] | None = None) -> PostView:
    """Return a post with its phase, neighbours, variants A and B and its latest run."""
    post = get_post(workspace_id, campaign_id, post_id)
    numbers = numbers or {}
    run = runs.latest(campaign_id, "post", _post_subject(post.id))
    if run is not None and not run.finished:
        _reconcile_post_run(run)
        db.session.refresh(post)
    phase = db.session.scalar(select(Phase).where(Phase.campaign_id == campaign_id, Phase.version == post.version,
                                                  Phase.number == post.phase))
    variants = [variant_view(workspace_id, campaign_id, post.id, label, numbers.get(label)) for label in LABELS]
    return PostView(post, phase, _parents(post.id), _children(post.id), variants, run)


def media_file(workspace_id: int, variant_id: int):
    """Return the image file of a variant in the workspace, or raise NotFound."""
    variant = db.session.get(Variant, variant_id)
    campaign = db.session.get(Campaign, variant.post.campaign_id) if variant is not None else None
    if campaign is None or campaign.workspace_id != workspace_id or not variant.media_path:
        raise NotFound("No such image.")
    found = media.path(variant.media_path)
    if found is None:
        raise NotFound("No such image.")
    return found


# -- JSON --------------------------------------------------------------------------------------

def nodes_json(workspace_id: int, campaign_id: int) -> dict:
    """Return the active posts and their edges in the API's shape."""
    current = board(workspace_id, campaign_id)
    ids = {post.id for post in current.posts}
    return {
        "version": current.version,
        "phases": [{
            "number": column.phase.number,
            "name": column.phase.name,
            "goal": column.phase.goal,
            "posts": [{
                "id": str(post.id), "key": post.key, "title": post.title, "channel": post.channel,
                "brief": post.brief, "day": post.day, "status": post.status, "approved": post.approved,
                "version": post.version,
            } for post in column.posts],
        } for column in current.columns],
        "edges": [{"from": str(a), "to": str(b)} for a, b in _edges_among(sorted(ids)) if a in ids and b in ids],
    }


def versions(workspace_id: int, campaign_id: int) -> list[StrategyVersion]:
    """Return the campaign's strategy versions, newest first."""
    campaigns.get_campaign(workspace_id, campaign_id)
    return list(db.session.scalars(select(StrategyVersion).where(StrategyVersion.campaign_id == campaign_id)
                                   .order_by(StrategyVersion.number.desc())))


def versions_json(workspace_id: int, campaign_id: int) -> dict:
    """Return the strategy versions in the API's shape, newest first."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    counts = dict(db.session.execute(select(Post.version, func.count()).where(Post.campaign_id == campaign_id)
                                     .group_by(Post.version)).all())
    return {
        "current_version": campaign.current_version,
        "versions": [{
            "number": v.number, "origin": v.origin, "direction": v.direction or None, "from_phase": v.from_phase,
            "based_on": v.based_on, "posts": counts.get(v.number, 0), "is_current": v.number == campaign.current_version,
            "run_id": str(v.run_id) if v.run_id else None, "created_at": v.created_at.isoformat(),
        } for v in versions(workspace_id, campaign_id)],
    }
