"""Jobs of the strategy pipeline: plan it, regenerate it from phase N, add a follow-up post, write each post, revise
a variant."""
from gtm.services import strategy

from ._runtime import LiveText, run_job


@run_job
def plan_strategy(run_id: int) -> None:
    """Plan the strategy of a pipeline run and hand its posts to the workers."""
    with LiveText(run_id) as live:
        strategy.execute_plan(run_id, live)


@run_job
def regenerate_strategy(run_id: int) -> None:
    """Plan the new phases of a regeneration, swap them in, and hand the new posts to the workers."""
    with LiveText(run_id) as live:
        strategy.execute_regenerate(run_id, live)


@run_job
def add_follow_up(run_id: int) -> None:
    """Write one follow-up post after the picked posts, save it as a new version, and hand it to the workers."""
    with LiveText(run_id) as live:
        strategy.execute_follow_up(run_id, live)


@run_job
def write_post(run_id: int) -> None:
    """Write variants A and B of one post, with their images."""
    try:
        strategy.write_post(run_id)
    except Exception as exc:
        # The post and its pipeline's count must learn of the failure, not only the run.
        strategy.fail_post(run_id, exc)
        raise


@run_job
def revise_variant(run_id: int) -> None:
    """Write a new version of one variant from the marketer's feedback."""
    strategy.execute_variant(run_id)
