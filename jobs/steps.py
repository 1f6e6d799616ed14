"""Jobs of the analysis workflow."""
from gtm.services import steps

from ._runtime import LiveText, run_job


@run_job
def generate_step(run_id: int) -> None:
    """Generate one analysis step version for a run."""
    live = LiveText(run_id)
    try:
        steps.execute(run_id, live.as_live())
    finally:
        live.flush()
