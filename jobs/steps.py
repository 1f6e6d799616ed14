"""Jobs of the analysis workflow."""
from gtm.services import steps

from ._runtime import LiveText, run_job


@run_job
def generate_step(run_id: int) -> None:
    """Generate one analysis step version for a run."""
    with LiveText(run_id) as live:
        steps.execute_step(run_id, live)
