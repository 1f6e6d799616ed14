"""Writing a post: variants A and B in one call, then their images; a failed post is retried alone.

Each post is one run (kind `post`), a child of the pipeline run of the version that created it.
"""
import logging

from sqlalchemy import select

from ... import jobnames, llm
from ...extensions import db
from ...llm import schemas
from ...models import Post, Run, StrategyVersion
from .. import runs
from ..errors import Conflict
from .context import post_prompt_context
from .lookups import (
    UNFINISHED_POSTS, active_posts, current_variant, get_post, latest_post_run, post_subject, require_active,
)
from .variants import VARIANT_LABELS, add_variant, advice, hard_body_limit, make_media, problems

log = logging.getLogger(__name__)

# One call writes both variants; the images are not counted, as they have their own, shorter limit.
POST_LLM_CALLS = 2


def write_post(run_id: int) -> None:
    """Write variants A and B of a post and their media (called by the job; safe to call twice)."""
    run = db.session.get(Run, run_id)
    if run is None or run.finished:
        return
    post_id = run.params["post_id"]
    post = db.session.get(Post, post_id)
    # One transaction marks both the post and its run: posts start in bursts, and every write waits its turn.
    post.status, post.error = "writing", ""
    run.total = 3
    if runs.start(run_id, "Writing variants A and B…") is None:
        return

    if not all(current_variant(post_id, label) for label in VARIANT_LABELS):
        context = post_prompt_context(post)
        limit, channel = hard_body_limit(post.channel), post.channel
        prompt = llm.render("post", **context)
        # Nothing holds a database connection while the model writes.
        db.session.remove()

        # A draft over its channel's rules gets the one repair naming them; what still breaks them after it is
        # saved whole, with warnings on the variant.
        result = llm.generate(prompt, schemas.PostContent, check=lambda value: (
            problems("A", value.a, limit) + problems("B", value.b, limit)),
            advise=lambda value: advice("A", channel, value.a) + advice("B", channel, value.b))

        _save_variants(run_id, post_id, result)
    make_media(post_id)

    run = db.session.get(Run, run_id)
    post = db.session.get(Post, post_id)
    post.status, post.error, post.sequence = "ready", "", (post.sequence or 0) + 1  # the feed shows its words
    runs.succeed(run, "Wrote variants A and B")
    db.session.commit()


def _save_variants(run_id: int, post_id: int, result: llm.Result) -> None:
    run = db.session.get(Run, run_id)
    value: schemas.PostContent = result.value
    # One call wrote both variants: each records half of its tokens, so the sum is the call's.
    halves = {"A": (result.tokens_in - result.tokens_in // 2, result.tokens_out - result.tokens_out // 2),
              "B": (result.tokens_in // 2, result.tokens_out // 2)}
    for label, content in (("A", value.a), ("B", value.b)):
        if current_variant(post_id, label) is None:
            add_variant(post_id, label, content, run_id=run_id, provider=result.provider, model=result.model,
                        tokens_in=halves[label][0], tokens_out=halves[label][1])
    run.done = 1
    run.message = "Making the images…"
    runs.record_usage(run, result)
    db.session.commit()


def fail_post(run_id: int, error: Exception) -> None:
    """Record a failed post on its run and on the post."""
    if isinstance(error, llm.LLMError):
        message = str(error)
    else:
        message = (f"An unexpected error stopped this post ({type(error).__name__}: {error}). "
                   "Retry; if it keeps failing, the server log has the details.")
    runs.fail(run_id, message)
    run = db.session.get(Run, run_id)
    if run is not None:
        sync_post(db.session.get(Post, run.params.get("post_id")), run)


def sync_post(post: Post | None, run: Run | None) -> None:
    """Mark a post failed when its run failed without being able to say so (its worker died, say)."""
    if post is None or run is None or run.status != "failed" or post.status not in UNFINISHED_POSTS:
        return
    post.status, post.error = "failed", run.error or "The post could not be written."
    db.session.commit()


def reconcile_posts(campaign_id: int) -> None:
    """Bring the current posts that are still being written in line with their runs."""
    for post in active_posts(campaign_id):
        if post.status in UNFINISHED_POSTS:
            run = latest_post_run(post)
            if run is not None:
                sync_post(post, runs.reconcile(run))


def retry_post(workspace_id: int, campaign_id: int, post_id: int) -> Run:
    """Write a failed post again, alone."""
    post = require_active(get_post(workspace_id, campaign_id, post_id))
    if post.status != "failed":
        raise Conflict(f"Only a failed post can be retried; this one is {post.status}.")
    parent_id = db.session.scalar(select(StrategyVersion.run_id).where(
        StrategyVersion.campaign_id == campaign_id, StrategyVersion.number == post.version))
    post.status, post.error = "planned", ""
    return runs.create(workspace_id=workspace_id, campaign_id=campaign_id, kind="post", subject=post_subject(post.id),
                       params={"post_id": post.id}, total=3, job=jobnames.WRITE_POST, llm_calls=POST_LLM_CALLS,
                       parent_id=parent_id, busy_message="This post is already being written; wait for it to finish.")

