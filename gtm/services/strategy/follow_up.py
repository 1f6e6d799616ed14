"""A follow-up post: one new post after chosen posts of the current version, saved as version n+1.

A follow-up is a strategy change like a plan, a regeneration or a restore: one pipeline run (kind
`follow_up`) that takes the campaign's one slot. The request is checked against the graph rules
first (gtm.services.graph.follow_up_placement): the new post goes in the phase after the picked
posts' phase, or opens a phase after the last one. Its job makes one model call for the post, with
one repair, then one transaction makes version n+1 (origin `follow-up`, the instruction as its
direction, the picked posts in `after_post_ids`): every current member is kept (same rows, with the
calendar dates they were moved to), the phases are copied, and the new post, its edge from each
picked post and its child run are added. The content pipeline then writes its variants and images.
"""
import logging
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ... import jobnames, llm
from ...extensions import db
from ...ids import whole
from ...llm import schemas
from ...models import Campaign, Phase, Post, Run, StrategyVersion
from .. import activity, campaigns, graph, runs, webhooks
from ..errors import Conflict, Invalid, clean_text
from ..numbering import next_number
from .context import follow_up_prompt
from .lookups import member_posts, phases
from .plan import DIRECTION_MAX, add_planned
from .posts import POST_LLM_CALLS
from .regenerate import BUSY

log = logging.getLogger(__name__)

# A follow-up's edges all come from one phase, which holds at most this many posts.
AFTER_MAX = graph.POSTS_MAX
INSTRUCTION_MAX = DIRECTION_MAX
NO_STRATEGY = "This campaign has no strategy to follow up on yet; plan one first."
PICK = "Pick at least one post of the current version to follow up on."
EMPTY_INSTRUCTION = "Say what the follow-up post should do (the instruction)."


def clean_instruction(value) -> str:
    """Return the follow-up's instruction, or raise Invalid naming `instruction`."""
    if value is None:
        raise Invalid({"instruction": EMPTY_INSTRUCTION})
    return clean_text(value, "instruction", "The instruction", INSTRUCTION_MAX, empty=EMPTY_INSTRUCTION)


def _after_ids(value) -> list:
    """The picked ids as given: a list (one id alone is a list of one), or Invalid naming `after`."""
    if value is None or value == "" or value == []:
        raise Invalid({"after": PICK})
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        raise Invalid({"after": "Give the posts to follow up on as a list of their ids."})
    if len(value) > AFTER_MAX:
        raise Invalid({"after": f"Pick at most {AFTER_MAX} posts (one phase's worth); {len(value)} were picked."})
    return value


def picked_posts(campaign: Campaign, after) -> list[Post]:
    """Return the picked posts, each a post of the current version, in the order they were given; else Invalid
    naming `after` and the ids that are not."""
    given = _after_ids(after)
    if campaign.current_version is None:
        raise Conflict(NO_STRATEGY)
    current = {post.id: post for post in member_posts(campaign.id, campaign.current_version)}
    found = [whole(value.strip() if isinstance(value, str) else value, 1) for value in given]
    wrong = [str(value)[:40] for value, number in zip(given, found) if number not in current]
    if wrong:
        raise Invalid({"after": f"Not a post of the current version {campaign.current_version}: "
                                f"{', '.join(wrong[:5])}. Pick posts shown on the board."})
    return [current[number] for number in dict.fromkeys(found)]


def _placement(campaign: Campaign, picked: list[Post]) -> tuple[int, bool]:
    """Return the phase the new post goes in and whether it opens it; Invalid naming `after` with every graph
    rule the follow-up would break."""
    sizes = dict(db.session.execute(select(Post.phase, func.count()).where(
        Post.campaign_id == campaign.id, Post.is_active.is_(True)).group_by(Post.phase)).all())
    for phase in phases(campaign.id, campaign.current_version):
        sizes.setdefault(phase.number, 0)
    target, problems = graph.follow_up_placement([(post.title, post.phase) for post in picked], sizes)
    if problems:
        text = "; ".join(problems)
        raise Invalid({"after": f"This follow-up would break the strategy's rules: {text}."})
    return target, target > max(sizes, default=0)


def add_follow_up(workspace_id: int, campaign_id: int, after, instruction, author_id: int | None = None) -> Run:
    """Check the request and enqueue a follow-up run; the run knows the version it will create (n+1)."""
    campaign = campaigns.get_campaign(workspace_id, campaign_id)
    if campaign.current_version is None:
        raise Conflict(NO_STRATEGY)
    picked = picked_posts(campaign, after)
    instruction = clean_instruction(instruction)
    _placement(campaign, picked)
    ids = [post.id for post in picked]
    run = runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="follow_up",
                      params={"after": ids, "instruction": instruction, "unit": "post", "author_id": author_id},
                      total=1, busy_message=BUSY)
    # The slot is ours: read the strategy again, so the run builds on what is current and names its number.
    db.session.refresh(campaign)
    try:
        phase, new_phase = _placement(campaign, picked_posts(campaign, ids))
    except (Invalid, Conflict):
        runs.fail(run.id, "The strategy changed while this was asked, so nothing was started.")
        raise
    number = next_number(StrategyVersion.number, StrategyVersion.campaign_id == campaign_id)
    run.params = {**run.params, "based_on": campaign.current_version, "version": number, "phase": phase}
    run.message = f"Waiting for a worker to write the follow-up post of version {number}…"
    runs.enqueue(run, jobnames.ADD_FOLLOW_UP, llm_calls=1)
    log.info("run %s: follow-up of campaign %s after posts %s in phase %s%s as version %s", run.id, campaign_id, ids,
             phase, " (new)" if new_phase else "", number)
    return run


def execute_follow_up(run_id: int, live: llm.Live) -> None:
    """Write the follow-up post of a run, save it as the new version and enqueue its content (safe to call twice)."""
    run = runs.start(run_id)
    if run is None:
        return
    if not run.params.get("planned"):
        campaign = db.session.get(Campaign, run.campaign_id)
        if campaign.current_version != run.params["based_on"]:
            raise Conflict(f"The strategy changed since this was asked (version {campaign.current_version} is current "
                           "now), so nothing was changed. Pick the posts again on the current version.")
        runs.progress(run_id, "Reading the campaign and the picked posts…", done=0, total=1)
        picked = _checked(campaign, run.params["after"])
        target, new_phase = _placement(campaign, picked)
        day_min = max(post.day for post in picked)
        existing = next((p for p in phases(campaign.id, campaign.current_version) if p.number == target), None)
        phase = {"number": target, "new": new_phase, "name": existing.name if existing else "",
                 "goal": existing.goal if existing else ""}
        prompt = follow_up_prompt(campaign, picked, run.params["instruction"], phase, day_min)
        channels = list(campaign.channels or [])
        runs.progress(run_id, f"Writing the follow-up post for phase {target}…")
        # Nothing holds a database connection while the model thinks.
        db.session.remove()

        result = llm.generate(prompt, schemas.FollowUpPost, live=live,
                              check=lambda value: graph.follow_up_post_problems(value, channels, day_min, new_phase))

        runs.progress(run_id, "Saving the new version…")
        _save(run_id, result)
    runs.enqueue_children(run_id, jobnames.WRITE_POST, POST_LLM_CALLS)


def _checked(campaign: Campaign, ids: list[int]) -> list[Post]:
    """The run's picked posts, still posts of the current version; a Conflict that says so otherwise."""
    try:
        return picked_posts(campaign, ids)
    except Invalid as exc:
        raise Conflict(f"{exc.fields['after']} Nothing was changed.") from exc


def _save(run_id: int, result: llm.Result) -> None:
    try:
        _write_version(run_id, result)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        number = db.session.get(Run, run_id).params.get("version")
        raise Conflict(f"Version {number} could not be saved (another change took its number), so nothing was "
                       "changed. Add the follow-up again.") from exc


def _key(taken: set[str], phase: int) -> str:
    """A key for the new post that no member of the version has: f3-1, f3-2…"""
    count = 1
    while f"f{phase}-{count}" in taken:
        count += 1
    return f"f{phase}-{count}"


def _write_version(run_id: int, result: llm.Result) -> None:
    """Version n+1: every current member kept, the phases copied, the new post with its edges and child run."""
    value: schemas.FollowUpPost = result.value
    run = db.session.get(Run, run_id)
    campaign = db.session.get(Campaign, run.campaign_id)
    number, old = run.params["version"], campaign.current_version
    picked = _checked(campaign, run.params["after"])
    target, new_phase = _placement(campaign, picked)
    kept = member_posts(campaign.id, old)
    version = StrategyVersion(campaign_id=campaign.id, number=number, origin="follow-up",
                              direction=run.params["instruction"], based_on=old, run_id=run_id,
                              author_id=run.params.get("author_id"), after_post_ids=[p.id for p in picked])
    db.session.add(version)
    current_phases = phases(campaign.id, old)
    for phase in current_phases:
        if phase.number != target:
            db.session.add(Phase(campaign_id=campaign.id, version=number, number=phase.number, name=phase.name,
                                 goal=phase.goal))
    existing = next((p for p in current_phases if p.number == target), None)
    key = _key({post.key for post in kept}, target)
    post = SimpleNamespace(key=key, title=graph.short(value.title, graph.TITLE_MAX), channel=value.channel,
                           angle=value.angle, brief=value.brief, day=value.day)
    answer = SimpleNamespace(
        phases=[SimpleNamespace(number=target, name=existing.name if existing else value.phase_name,
                                goal=existing.goal if existing else value.phase_goal, posts=[post])],
        edges=[SimpleNamespace(from_key=p.key, to_key=key) for p in picked])
    campaign.current_version = number
    new = add_planned(run, number, answer, kept, {p.key: p for p in picked}, carried_from=old)
    runs.record_usage(run, result)
    titles = " and ".join(activity.quote(p.title, 60) for p in picked)
    activity.record(run.workspace_id, "follow_up_added", f"Added the follow-up post {activity.quote(new[0].title)} "
                    f"after {titles}: {activity.quote(run.params['instruction'])} (version {number})",
                    campaign_id=campaign.id, subject=("strategy_version", number),
                    link=activity.version_path(campaign.id, number))
    webhooks.emit(run.workspace_id, "strategy.version_created", campaign.id, version)
    log.info("run %s: version %s of campaign %s keeps %d posts and adds post %s in phase %s%s", run_id, number,
             campaign.id, len(kept), new[0].id, target, " (new)" if new_phase else "")


def follow_up_titles(version: StrategyVersion) -> list[str]:
    """The titles of the posts a follow-up version follows, in the order they were picked (none for others)."""
    ids = [i for i in (version.after_post_ids or []) if isinstance(i, int)]
    if not ids:
        return []
    titles = dict(db.session.execute(select(Post.id, Post.title).where(Post.campaign_id == version.campaign_id,
                                                                       Post.id.in_(ids))).all())
    return [titles[i] for i in ids if i in titles]
