"""What a strategy call may know: the prompt context of the plan and of each post.

Each post's call carries a bounded context: the campaign summary, its phase, its own brief and
its parents, and its phase's siblings by title and angle only (at most SIBLINGS_MAX, each shortened),
so posts of a phase take different angles while the tokens per call stay flat as a campaign grows.
Once the campaign's A/B tests have winners, the best few (headline and angle, shortened) go with it.
"""
from sqlalchemy import func, select

from ... import llm
from ...extensions import db
from ...models import STEP_KINDS, Campaign, Member, Phase, Post, StepVersion
from .. import campaigns, channel_rules, graph, results, steps, voice
from ..campaigns import CHANNELS
from .lookups import active_posts, parents, phase_of, phases

# Characters of each analysis step in a prompt: the plan sees more; each post a compact summary.
PLAN_CONTEXT_CHARS = steps.CONTEXT_CHARS_PER_STEP
POST_CONTEXT_CHARS = 500
HASHTAGS_MAX = 8
# A post's prompt names at most this many other posts of its phase (a phase holds at most 5 by the graph
# rules), each title and angle shortened: what they say, so this one says something else.
SIBLINGS_MAX = 4
SIBLING_TITLE_CHARS = 60
SIBLING_ANGLE_CHARS = 40
ANGLE_CHARS = 80


def channel_names() -> dict[str, str]:
    return {key: name for key, (name, _) in CHANNELS.items()}


def body_limit(channel: str) -> int:
    return CHANNELS.get(channel, ("", 1000))[1]


def analysis_summary(campaign_id: int, limit: int) -> dict[str, str]:
    """Return the current version of each analysis step, compacted to `limit` characters, in step order."""
    rows = db.session.scalars(select(StepVersion).where(StepVersion.campaign_id == campaign_id,
                                                        StepVersion.is_current.is_(True)))
    by_kind = {row.kind: row for row in rows}
    return {kind: steps.compact(by_kind[kind].content, limit) for kind in STEP_KINDS if kind in by_kind}


def plan_prompt(campaign: Campaign, direction: str) -> llm.Prompt:
    """Render the planning call: the campaign, its analysis, the direction and the plan it replaces."""
    current_plan = ""
    if campaign.current_version:
        posts = active_posts(campaign.id)
        lines = []
        for phase in phases(campaign.id, campaign.current_version):
            titles = [p.title for p in posts if p.phase == phase.number]
            lines.append(f"Phase {phase.number} {phase.name} ({phase.goal}): {'; '.join(titles)}")
        current_plan = "\n".join(lines)
    return llm.render(
        "plan", campaign=campaigns.as_facts(campaign), context=analysis_summary(campaign.id, PLAN_CONTEXT_CHARS),
        direction=direction, channels=list(campaign.channels or []), current_plan=current_plan,
        current_version=campaign.current_version, phases_min=graph.PHASES_MIN, phases_max=graph.PHASES_MAX,
        posts_min=graph.POSTS_MIN, posts_max=graph.POSTS_MAX, day_max=graph.DAY_MAX,
        voice=voice.prompt_voice(campaign),
    )


def siblings(post: Post, version: int | None) -> list[dict]:
    """The other posts of a post's phase in `version` (its own when None), by title and angle, bounded."""
    rows = db.session.execute(select(Post.title, Post.angle).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == post.campaign_id, Member.version == (version or post.version),
        Post.phase == post.phase, Post.id != post.id).order_by(Post.id).limit(SIBLINGS_MAX))
    return [{"title": graph.short(title, SIBLING_TITLE_CHARS), "angle": graph.short(angle or "", SIBLING_ANGLE_CHARS)}
            for title, angle in rows]


def post_prompt_context(post: Post) -> dict:
    """Return what a post's call may know: the campaign summary, its phase, its brief and angle, its parents,
    its phase's siblings (title and angle), its channel's rules, and what has won the campaign's A/B tests so
    far (at most three, each shortened)."""
    campaign = db.session.get(Campaign, post.campaign_id)
    phase = phase_of(post)
    phases_total = db.session.scalar(select(func.count()).select_from(Phase).where(
        Phase.campaign_id == post.campaign_id, Phase.version == post.version)) or post.phase
    return {
        "campaign": campaigns.as_facts(campaign),
        "context": analysis_summary(campaign.id, POST_CONTEXT_CHARS),
        "phase": {"number": post.phase, "name": phase.name if phase else f"Phase {post.phase}",
                  "goal": phase.goal if phase else ""},
        "phases_total": phases_total,
        "post": {"key": post.key, "title": post.title, "channel": post.channel, "brief": post.brief, "day": post.day,
                 "angle": graph.short(post.angle or "", ANGLE_CHARS)},
        "channel_name": channel_names().get(post.channel, post.channel),
        "body_limit": body_limit(post.channel),
        "hashtags_max": channel_rules.hashtags_max(post.channel, HASHTAGS_MAX),
        "channel_rules": channel_rules.describe(post.channel),
        "channel_limits": channel_rules.limits(post.channel),  # the same, as numbers (the offline composer's)
        "parents": [{"title": p.title, "brief": p.brief} for p in parents(post.id)],
        # The version the post is a member of now: the current one, or its own when it is archived.
        "siblings": siblings(post, campaign.current_version if post.is_active else post.version),
        "winners": results.winners(campaign.id),
        "voice": voice.prompt_voice(campaign),
    }


# A regeneration's prompt carries the kept posts and the titles it replaces: both bounded by the
# current version's size (at most 6 phases of 5 posts), each brief and title shortened, so the
# prompt does not grow with the campaign's history.
KEPT_BRIEF_CHARS = 180
REPLACED_TITLES_MAX = 20
REPLACED_TITLE_CHARS = 90


def regenerate_prompt(campaign: Campaign, from_phase: int, direction: str, kept: list[Post], replaced: list[Post],
                      current_phases: list[Phase], evidence: dict | None = None) -> llm.Prompt:
    """Render the regeneration call: the campaign, its analysis, the kept posts, what is replaced, the direction,
    and the results that prompted it when it was started from an alert (results.prompt_evidence, bounded)."""
    kept_phases = []
    for phase in current_phases:
        if phase.number < from_phase:
            kept_phases.append({
                "number": phase.number, "name": phase.name, "goal": graph.short(phase.goal, 160),
                "posts": [{"key": p.key, "title": graph.short(p.title, REPLACED_TITLE_CHARS), "channel": p.channel,
                           "day": p.day, "brief": graph.short(p.brief, KEPT_BRIEF_CHARS)}
                          for p in kept if p.phase == phase.number]})
    kept_phase_count = from_phase - 1
    titles = [graph.short(p.title, REPLACED_TITLE_CHARS) for p in replaced]
    return llm.render(
        "regenerate", campaign=campaigns.as_facts(campaign), context=analysis_summary(campaign.id, PLAN_CONTEXT_CHARS),
        from_phase=from_phase, direction=direction, channels=list(campaign.channels or []),
        kept=kept_phases, kept_keys=[p.key for p in kept if p.phase == from_phase - 1],
        all_kept_keys=[p.key for p in kept],
        replaced=titles[:REPLACED_TITLES_MAX], replaced_more=max(0, len(titles) - REPLACED_TITLES_MAX),
        new_phases_min=max(1, graph.PHASES_MIN - kept_phase_count),
        new_phases_max=graph.REGENERATE_PHASES_MAX - kept_phase_count,
        posts_min=graph.POSTS_MIN, posts_max=graph.POSTS_MAX,
        day_min=max((p.day for p in kept), default=0), day_max=graph.DAY_MAX, evidence=evidence,
        voice=voice.prompt_voice(campaign),
    )


def follow_up_prompt(campaign: Campaign, picked: list[Post], instruction: str, phase: dict,
                     day_min: int) -> llm.Prompt:
    """Render the follow-up call: the campaign, its analysis, the picked posts (each brief and title shortened,
    at most a phase's worth), the phase the new post goes in (`new` when it opens one) and the instruction."""
    names = channel_names()
    return llm.render(
        "follow_up", campaign=campaigns.as_facts(campaign), context=analysis_summary(campaign.id, PLAN_CONTEXT_CHARS),
        picked=[{"title": graph.short(p.title, REPLACED_TITLE_CHARS), "brief": graph.short(p.brief, KEPT_BRIEF_CHARS),
                 "angle": graph.short(p.angle or "", SIBLING_ANGLE_CHARS),
                 "channel": names.get(p.channel, p.channel), "channel_key": p.channel, "phase": p.phase, "day": p.day}
                for p in picked],
        phase=phase, instruction=instruction, channels=list(campaign.channels or []), day_min=day_min,
        day_max=graph.DAY_MAX, voice=voice.prompt_voice(campaign),
    )
