"""What every job shares: a fresh database connection, live text, and failure recording."""
import functools
import logging
import time

from gtm import broker, llm
from gtm.extensions import db
from gtm.services import activity, runs
from gtm.services.errors import ServiceError

log = logging.getLogger(__name__)


class LiveText:
    """Buffers streamed text and flushes it to Redis a few times a second.

    Used as `with LiveText(run_id) as live:`, it hands the LLM gateway its `live` and flushes what is
    left when the job ends, whether it finished or failed, so the run's page shows the last words."""

    def __init__(self, run_id: int, every: float = 0.25):
        self.run_id = run_id
        self.every = every
        self.buffer: list[str] = []
        self.flushed = time.monotonic()

    def write(self, text: str) -> None:
        self.buffer.append(text)
        if time.monotonic() - self.flushed >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            broker.live_text.append(self.run_id, "".join(self.buffer))
            self.buffer.clear()
        self.flushed = time.monotonic()

    def reset(self) -> None:
        self.buffer.clear()
        broker.live_text.clear(self.run_id)

    def __enter__(self) -> llm.Live:
        return llm.Live(write=self.write, reset=self.reset)

    def __exit__(self, *exc_info) -> None:
        self.flush()


def run_job(func):
    """Wrap a job: record any failure on its run with a readable reason."""

    @functools.wraps(func)
    def wrapper(run_id: int):
        log.info("run %s: %s started", run_id, func.__name__)
        try:
            # What the job changes is recorded as done by the person who started the run.
            with activity.acting_for_run(int(run_id)):
                func(int(run_id))
            log.info("run %s: %s finished", run_id, func.__name__)
        except (llm.LLMError, ServiceError) as exc:
            # Both are written to be read: a model that failed twice, a rule the request broke by now.
            log.warning("run %s failed: %s", run_id, exc)
            runs.fail(run_id, str(exc))
        except Exception as exc:  # noqa: BLE001 - a job must always leave its run finished
            log.exception("run %s crashed", run_id)
            runs.fail(run_id, f"An unexpected error stopped this run ({type(exc).__name__}: {exc}). "
                              "Retry; if it keeps failing, the server log has the details.")
        finally:
            try:
                # A child's end moves its parent's progress (a post, its pipeline), whatever the outcome.
                runs.settle_parent_of(int(run_id))
            except Exception:  # noqa: BLE001 - reading the parent settles it again
                log.exception("run %s: could not settle its parent run", run_id)
            finally:
                db.session.remove()

    return wrapper
